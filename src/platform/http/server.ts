import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { installErrorHandling, type ConstraintColumns } from './error-handler.ts';
import { httpLoggerOptions } from './logging.ts';
import { ProblemSchema } from './problem.ts';
import { requestIdOf } from './request-id.ts';

export interface HttpServerOptions {
  logLevel: string;
  constraintColumns: ConstraintColumns;
}

/** The Fastify instance every route runs in: validation, request ids, problem details, logging. */
export function createHttpServer(options: HttpServerOptions) {
  const app = Fastify({
    logger: httpLoggerOptions(options.logLevel),
    genReqId: requestIdOf,
    bodyLimit: 1024 * 1024,
    // Report every broken rule at once, and reject unknown fields instead of silently dropping them.
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandling(app, options.constraintColumns);
  app.addSchema(ProblemSchema);
  return app;
}

export type HttpServer = ReturnType<typeof createHttpServer>;
