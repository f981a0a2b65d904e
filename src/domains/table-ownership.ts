// Which domain owns each table: the single place the other registries (retention, GDPR export) start from.
import { authTables } from './auth/index.ts';
import { profilesTables } from './profiles/index.ts';
import { filesTables } from './files/index.ts';
import { streamingTables } from './streaming/index.ts';
import { chatTables } from './chat/index.ts';
import { socialTables } from './social/index.ts';
import { marketplaceTables } from './marketplace/index.ts';
import { educationTables } from './education/index.ts';
import { hardwareTables } from './gear/index.ts';
import { cloudTables } from './cloud/index.ts';
import { searchTables } from './search/index.ts';
import { analyticsTables } from './analytics/index.ts';
import { adminTables } from './admin/index.ts';
import { notificationsTables } from './notifications/index.ts';

export const tablesByDomain = {
  auth: authTables,
  profiles: profilesTables,
  files: filesTables,
  streaming: streamingTables,
  chat: chatTables,
  social: socialTables,
  marketplace: marketplaceTables,
  education: educationTables,
  hardware: hardwareTables,
  cloud: cloudTables,
  search: searchTables,
  analytics: analyticsTables,
  admin: adminTables,
  notifications: notificationsTables,
} as const satisfies Record<string, readonly string[]>;

export type DomainName = keyof typeof tablesByDomain;
