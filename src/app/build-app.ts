import { Type } from 'typebox';
import type { AccessTokens } from '../domains/auth/index.ts';
import type { Config } from '../platform/config/config.ts';
import type { Pool } from '../platform/db/pool.ts';
import { domainModules } from './domain-modules.ts';
import { checkReadiness } from '../platform/db/readiness.ts';
import { installAuthentication, type Authenticator } from '../platform/http/caller.ts';
import type { ConstraintColumns } from '../platform/http/error-handler.ts';
import { registerOpenApi } from '../platform/http/openapi.ts';
import { createHttpServer, type HttpServer } from '../platform/http/server.ts';

export interface AppDependencies {
  pool: Pool;
  config: Config;
  accessTokens: AccessTokens;
  /** Version of the newest migration this build ships. */
  latestMigrationVersion: number;
  constraintColumns: ConstraintColumns;
  /** Turns a bearer token into the caller (the auth domain's authenticator). */
  authenticate: Authenticator;
  logLevel: string;
}

const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  database: Type.Union([Type.Literal('reachable'), Type.Literal('unreachable')]),
  migrations: Type.Object({
    current: Type.Union([Type.Integer(), Type.Null()]),
    latest: Type.Integer(),
  }),
});

const API_VERSION = '1';

/** The composition root: every plugin and route is registered here, explicitly, in this order. */
export async function buildApp(deps: AppDependencies): Promise<HttpServer> {
  const app = createHttpServer({ logLevel: deps.logLevel, constraintColumns: deps.constraintColumns });
  installAuthentication(app, deps.authenticate);
  await registerOpenApi(app, API_VERSION);

  app.get(
    '/healthz',
    { schema: { tags: ['operations'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    { schema: { tags: ['operations'], response: { 200: ReadinessSchema, 503: ReadinessSchema } } },
    async (_request, reply) => {
      const readiness = await checkReadiness(deps.pool.sql, deps.latestMigrationVersion);
      const body = {
        status: readiness.ready ? ('ready' as const) : ('not_ready' as const),
        database: readiness.database,
        migrations: readiness.migrations,
      };
      return reply.code(readiness.ready ? 200 : 503).send(body);
    },
  );

  await app.register(
    (v1, _options, done) => {
      for (const module of domainModules) {
        void v1.register(module({ pool: deps.pool, config: deps.config, accessTokens: deps.accessTokens }));
      }
      v1.get(
        '/',
        { schema: { tags: ['operations'], response: { 200: Type.Object({ version: Type.String() }) } } },
        () => ({
          version: API_VERSION,
        }),
      );
      done();
    },
    { prefix: '/v1' },
  );

  return app;
}
