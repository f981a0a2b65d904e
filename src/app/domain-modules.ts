import type { DomainModule } from './module-dependencies.ts';

/** The domains whose routes are served under /v1, in registration order. */
export const domainModules: DomainModule[] = [];
