import { Type } from 'typebox';
import { registerLinkPages, type AccessTokens } from '../domains/auth/index.ts';
import type { Config } from '../platform/config/config.ts';
import type { Pool } from '../platform/db/pool.ts';
import { domainModules, rootModules } from './domain-modules.ts';
import { checkReadiness, replicaReadiness } from '../platform/db/readiness.ts';
import { installReadRouting, type ReadRouting } from '../platform/db/read-routing.ts';
import { resolveJwtSecret } from '../platform/config/secrets.ts';
import { installAuthentication, type Authenticator } from '../platform/http/caller.ts';
import type { ConstraintColumns } from '../platform/http/error-handler.ts';
import { installIdempotency } from '../platform/http/idempotency.ts';
import { registerOpenApi } from '../platform/http/openapi.ts';
import { registerRateLimits } from '../platform/http/rate-limit.ts';
import { DOCS_PAGE_CSP, registerSecurity } from '../platform/http/security.ts';
import { createHttpServer, type HttpServer } from '../platform/http/server.ts';
import { installHttpMetrics } from '../platform/metrics/http-metrics.ts';
import type { Metrics } from '../platform/metrics/metrics.ts';

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
  /** Where the app records what it measures (ADR 0089); absent: nothing is measured. */
  metrics?: Metrics | undefined;
  /** Read replicas (ADR 0099); absent: every read goes to `pool`. */
  readRouting?: ReadRouting | undefined;
}

const ReadinessSchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  database: Type.Union([Type.Literal('reachable'), Type.Literal('unreachable')]),
  migrations: Type.Object({
    current: Type.Union([Type.Integer(), Type.Null()]),
    latest: Type.Integer(),
  }),
  // Only with VEZA_DATABASE_READ_URLS; a replica skipped never makes the service unready (reads use the primary).
  replicas: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String(),
        state: Type.Union([
          Type.Literal('unknown'),
          Type.Literal('usable'),
          Type.Literal('lagging'),
          Type.Literal('down'),
          Type.Literal('not_in_recovery'),
        ]),
        lag_seconds: Type.Union([Type.Number(), Type.Null()]),
      }),
    ),
  ),
});

const API_VERSION = '1';

/** The composition root: every plugin and route is registered here, explicitly, in this order. */
export async function buildApp(deps: AppDependencies): Promise<HttpServer> {
  const { http } = deps.config;
  const app = createHttpServer({
    logLevel: deps.logLevel,
    constraintColumns: deps.constraintColumns,
    trustedProxies: http.trustedProxies,
  });
  // Before any route, so that every route inherits the timing hook.
  if (deps.metrics) installHttpMetrics(app, deps.metrics);
  // Before any route too: it wraps the handlers of the routes that read from replicas.
  installReadRouting(app, deps.readRouting);
  const pool = deps.readRouting?.pool ?? deps.pool;
  // Headers and limits first: they attach to each route as it is declared (ADR 0034).
  await registerSecurity(app, { corsOrigins: http.corsOrigins, pagePolicies: { '/docs': DOCS_PAGE_CSP } });
  installAuthentication(app, deps.authenticate);
  // After authentication (keys are scoped per caller), before any route (it documents the routes that opt in).
  installIdempotency(app, deps.pool.db, { secret: await resolveJwtSecret(deps.config) });
  await registerRateLimits(app, { settings: http.rateLimits, redisUrl: deps.config.redis.url });
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
      const readiness = await checkReadiness(deps.pool.db, deps.latestMigrationVersion);
      const body = {
        status: readiness.ready ? ('ready' as const) : ('not_ready' as const),
        database: readiness.database,
        migrations: readiness.migrations,
        ...(deps.readRouting ? { replicas: replicaReadiness(deps.readRouting.replicas) } : {}),
      };
      return reply.code(readiness.ready ? 200 : 503).send(body);
    },
  );

  // The pages mailed links open, while no front end serves them (development only, issue 10).
  if (deps.config.nodeEnv !== 'production') registerLinkPages(app);

  await app.register(
    (v1, _options, done) => {
      for (const module of domainModules) {
        void v1.register(module({ pool, config: deps.config, accessTokens: deps.accessTokens, metrics: deps.metrics }));
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
  for (const { prefix, module } of rootModules) {
    await app.register(module({ pool, config: deps.config, accessTokens: deps.accessTokens, metrics: deps.metrics }), {
      prefix,
    });
  }

  return app;
}
