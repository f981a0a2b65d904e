import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Pool } from '../platform/db/pool.ts';
import { checkReadiness } from '../platform/db/readiness.ts';
import { httpLoggerOptions } from '../platform/http/logging.ts';

export interface AppDependencies {
  pool: Pool;
  /** Version of the newest migration this build ships. */
  latestMigrationVersion: number;
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

/** The composition root: every route and plugin is registered here, explicitly. */
export function buildApp(deps: AppDependencies): FastifyInstance {
  const app = Fastify({
    logger: httpLoggerOptions(deps.logLevel),
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.get('/healthz', { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    { schema: { response: { 200: ReadinessSchema, 503: ReadinessSchema } } },
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

  return app;
}
