import type { DomainModule } from './module-dependencies.ts';
import { profilesModule } from '../domains/profiles/index.ts';
import { federationModule } from '../domains/auth/index.ts';
import { authModule } from '../domains/auth/index.ts';
import { filesModule } from '../domains/files/index.ts';

/** The domains whose routes are served under /v1, in registration order. */
export const domainModules: DomainModule[] = [profilesModule, federationModule, authModule, filesModule];
