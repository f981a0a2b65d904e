import { adminCheckCases } from './admin.ts';
import { analyticsCheckCases } from './analytics.ts';
import { authCheckCases } from './auth.ts';
import { chatCheckCases } from './chat.ts';
import type { CheckCase } from './check-case.ts';
import { cloudCheckCases } from './cloud.ts';
import { educationCheckCases } from './education.ts';
import { filesCheckCases } from './files.ts';
import { hardwareCheckCases } from './hardware.ts';
import { marketplaceCheckCases } from './marketplace.ts';
import { notificationsCheckCases } from './notifications.ts';
import { profilesCheckCases } from './profiles.ts';
import { searchCheckCases } from './search.ts';
import { socialCheckCases } from './social.ts';
import { streamingCheckCases } from './streaming.ts';

export const allCheckCases: CheckCase[] = [
  ...authCheckCases,
  ...profilesCheckCases,
  ...filesCheckCases,
  ...streamingCheckCases,
  ...chatCheckCases,
  ...socialCheckCases,
  ...marketplaceCheckCases,
  ...educationCheckCases,
  ...hardwareCheckCases,
  ...cloudCheckCases,
  ...searchCheckCases,
  ...analyticsCheckCases,
  ...adminCheckCases,
  ...notificationsCheckCases,
];
