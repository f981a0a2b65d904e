import AjvCompiler from '@fastify/ajv-compiler';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { frameworkErrorHandler, installErrorHandling, type ConstraintColumns } from './error-handler.ts';
import { httpLoggerOptions } from './logging.ts';
import { ProblemSchema } from './problem.ts';
import { requestIdOf } from './request-id.ts';

export interface HttpServerOptions {
  logLevel: string;
  constraintColumns: ConstraintColumns;
}

type BuildValidator = AjvCompiler.BuildCompilerFromPool;
type Compile = (route: { schema: unknown; method: string; url: string; httpPart?: string }) => unknown;

/**
 * Fastify's own ajv compiler, twice: query strings, path parameters and headers are text, so their values are
 * coerced to the schema's types (`?limit=20` is the integer 20); a JSON body already carries types, so it is
 * not coerced: `{"gender": 42}` or `{"show_email": "true"}` is a 400 naming the field, never a silent "42" or true.
 */
function validatorsByPart(): NonNullable<FastifyServerOptions['schemaController']> {
  const coercing = AjvCompiler();
  const strict = AjvCompiler();
  return {
    compilersFactory: {
      buildValidator: (externalSchemas: Parameters<BuildValidator>[0], options: Parameters<BuildValidator>[1]) => {
        const forText = coercing(externalSchemas, options) as unknown as Compile;
        const strictOptions = { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } };
        const forBodies = strict(externalSchemas, strictOptions as typeof options) as unknown as Compile;
        const compile: Compile = (route) => (route.httpPart === 'body' ? forBodies : forText)(route);
        return compile as unknown as ReturnType<typeof coercing>;
      },
    },
  };
}

/** The Fastify instance every route runs in: validation, request ids, problem details, logging. */
export function createHttpServer(options: HttpServerOptions) {
  const app = Fastify({
    logger: httpLoggerOptions(options.logLevel),
    genReqId: requestIdOf,
    bodyLimit: 1024 * 1024,
    // Report every broken rule at once, and reject unknown fields instead of silently dropping them.
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
    schemaController: validatorsByPart(),
    // A path parameter that is not valid percent-encoding, or too long, is refused before any route is found:
    // it gets problem details like every other error.
    frameworkErrors: frameworkErrorHandler(options.constraintColumns),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandling(app, options.constraintColumns);
  app.addSchema(ProblemSchema);
  return app;
}

export type HttpServer = ReturnType<typeof createHttpServer>;
