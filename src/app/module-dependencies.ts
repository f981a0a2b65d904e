import type { FastifyPluginCallback } from 'fastify';
import type { AccessTokens } from '../domains/auth/index.ts';
import type { Config } from '../platform/config/config.ts';
import type { Pool } from '../platform/db/pool.ts';
import type { Metrics } from '../platform/metrics/metrics.ts';

/** What the composition root hands every domain module; a module takes what it needs and passes it down. */
export interface ModuleDependencies {
  pool: Pool;
  config: Config;
  accessTokens: AccessTokens;
  /** Present when the service measures itself (ADR 0089); modules with something of their own to count use it. */
  metrics?: Metrics | undefined;
}

/** A domain's HTTP surface: a Fastify plugin registered under /v1. */
export type DomainModule = (deps: ModuleDependencies) => FastifyPluginCallback;
