import type { DomainModule } from './module-dependencies.ts';
import { profilesModule } from '../domains/profiles/index.ts';
import { federationModule } from '../domains/auth/index.ts';
import { authModule } from '../domains/auth/index.ts';
import { filesModule } from '../domains/files/index.ts';
import { embedModule, streamingModule, subsonicModule } from '../domains/streaming/index.ts';
import { chatModule } from '../domains/chat/index.ts';
import { socialModule } from '../domains/social/index.ts';
import { notificationsModule } from '../domains/notifications/index.ts';
import { marketplaceModule } from '../domains/marketplace/index.ts';
import { gearModule } from '../domains/gear/index.ts';
import { educationModule } from '../domains/education/index.ts';
import { cloudModule } from '../domains/cloud/index.ts';
import { searchModule } from '../domains/search/index.ts';
import { moderationModule } from '../domains/admin/index.ts';
import { platformAdminModule } from '../domains/admin/index.ts';
import { analyticsReportsModule } from '../domains/analytics/index.ts';
import { analyticsModule } from '../domains/analytics/index.ts';

/** The domains whose routes are served under /v1, in registration order. */
export const domainModules: DomainModule[] = [
  profilesModule,
  federationModule,
  authModule,
  filesModule,
  streamingModule,
  chatModule,
  socialModule,
  notificationsModule,
  marketplaceModule,
  gearModule,
  educationModule,
  cloudModule,
  searchModule,
  moderationModule,
  platformAdminModule,
  analyticsModule,
  analyticsReportsModule,
];

/**
 * Surfaces that live outside /v1 because a protocol or a page fixes their address (the OpenSubsonic API at
 * /rest, the embeddable player at /embed), each under its own prefix.
 */
export const rootModules: { prefix: string; module: DomainModule }[] = [
  { prefix: '/rest', module: subsonicModule },
  { prefix: '/embed', module: embedModule },
];
