import AjvCompiler from '@fastify/ajv-compiler';
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { frameworkErrorHandler, installErrorHandling, type ConstraintColumns } from './error-handler.ts';
import { createHttpLogger, flushLogsOnClose, OneLinePerRequest } from './logging.ts';
import { ProblemSchema } from './problem.ts';
import { requestIdOf } from './request-id.ts';

export interface HttpServerOptions {
  logLevel: string;
  constraintColumns: ConstraintColumns;
  /**
   * Addresses or CIDR ranges of the reverse proxies in front (VEZA_TRUSTED_PROXIES, ADR 0034): only a request
   * from one of them has its X-Forwarded-For believed for request.ip. Empty or absent: never believed.
   */
  trustedProxies?: readonly string[];
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
  const httpLogger = createHttpLogger(options.logLevel);
  // Fastify's base logger type, so that the instance stays a plain FastifyInstance for every plugin.
  const loggerInstance: FastifyBaseLogger = httpLogger.logger;
  const app = Fastify({
    loggerInstance,
    logController: new OneLinePerRequest(httpLogger),
    genReqId: requestIdOf,
    trustProxy: options.trustedProxies?.length ? [...options.trustedProxies] : false,
    bodyLimit: 1024 * 1024,
    // Fastify's default (10 s) is for catching a plugin that never calls `done`. Registering two hundred routes
    // compiles their schemas on the one event loop: several apps built at once on a loaded machine (a test file
    // with four instances, CI on two cores) can take longer than that without anything being wrong.
    pluginTimeout: 120_000,
    // Report every broken rule at once, and reject unknown fields instead of silently dropping them.
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
    schemaController: validatorsByPart(),
    // A path parameter that is not valid percent-encoding, or too long, is refused before any route is found:
    // it gets problem details like every other error.
    frameworkErrors: frameworkErrorHandler(options.constraintColumns),
  }).withTypeProvider<TypeBoxTypeProvider>();
  // A callback hook, not an async one: it runs on every response, and a promise per call showed in the profile.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  flushLogsOnClose(app, httpLogger);
  installErrorHandling(app, options.constraintColumns);
  app.addSchema(ProblemSchema);
  return app;
}

export type HttpServer = ReturnType<typeof createHttpServer>;
