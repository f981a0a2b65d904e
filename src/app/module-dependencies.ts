import type { FastifyPluginCallback } from 'fastify';
import type { AccessTokens } from '../domains/auth/index.ts';
import type { Config } from '../platform/config/config.ts';
import type { Pool } from '../platform/db/pool.ts';

/** What the composition root hands every domain module; a module takes what it needs and passes it down. */
export interface ModuleDependencies {
  pool: Pool;
  config: Config;
  accessTokens: AccessTokens;
}

/** A domain's HTTP surface: a Fastify plugin registered under /v1. */
export type DomainModule = (deps: ModuleDependencies) => FastifyPluginCallback;
