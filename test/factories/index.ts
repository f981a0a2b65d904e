import { adminFactories } from './admin.ts';
import { analyticsFactories } from './analytics.ts';
import { authFactories } from './auth.ts';
import { chatFactories } from './chat.ts';
import { cloudFactories } from './cloud.ts';
import { educationFactories } from './education.ts';
import { filesFactories } from './files.ts';
import { hardwareFactories } from './hardware.ts';
import type { Factory } from './insert-row.ts';
import { marketplaceFactories } from './marketplace.ts';
import { notificationsFactories } from './notifications.ts';
import { profilesFactories } from './profiles.ts';
import { searchFactories } from './search.ts';
import { socialFactories } from './social.ts';
import { streamingFactories } from './streaming.ts';

/** One factory per table of the schema, by table name. */
export const allFactories: Record<string, Factory> = {
  ...authFactories,
  ...profilesFactories,
  ...filesFactories,
  ...streamingFactories,
  ...chatFactories,
  ...socialFactories,
  ...marketplaceFactories,
  ...educationFactories,
  ...hardwareFactories,
  ...cloudFactories,
  ...searchFactories,
  ...analyticsFactories,
  ...adminFactories,
  ...notificationsFactories,
};
