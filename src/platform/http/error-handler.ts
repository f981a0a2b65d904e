import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  CommonProblems,
  PROBLEM_CONTENT_TYPE,
  problemUri,
  type Problem,
  type ProblemField,
  type ProblemType,
} from './problem.ts';
import { allowedMethods, withAllow } from './security.ts';

/** Columns of each named constraint, so a database rejection can name the field it concerns. */
export type ConstraintColumns = ReadonlyMap<string, readonly string[]>;

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

interface DatabaseError {
  code: string;
  severity: string;
  /** node-postgres names them `constraint` and `column`; postgres.js (the test fixtures) `*_name`. */
  constraint?: string;
  column?: string;
  constraint_name?: string;
  column_name?: string;
  detail?: string;
}

/** Seconds a client should wait before retrying a 503: a lost database typically restarts within a few. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;
/** Contention (lock or statement timeout, serialisation failure) clears in well under a second. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

// Socket failures of Node's net module: the server is down, restarting, or dropped us.
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// postgres.js names its connection failures with codes of its own.
const DRIVER_CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);
// node-postgres reports a dead socket, a connect timeout and an acquire timeout only in words.
const DRIVER_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^timeout expired$/,
  /is not queryable/,
];
// SQLSTATEs of a server that is going away or will not take us: class 08 (connection exception), admin and crash
// shutdown, still starting or recovering, and no connection slot left. 25006 (read-only transaction): during a
// failover a proxy may forward to a node for the moment it is still, or again, a standby (ADR 0098); we never open
// read-only transactions on the primary ourselves.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '25006']);

/**
 * Whether an error means the database cannot be reached right now (down, restarting, out of connection slots)
 * rather than that the request or our code is wrong. The driver's error may be wrapped: causes are followed.
 */
export function isDatabaseOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (CONNECTION_ERROR_CODES.has(code) || DRIVER_CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code))
        return true;
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (typeof message === 'string' && DRIVER_CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return true;
    // Node's connect to a name with several addresses fails with an AggregateError of one error per address.
    current = (current as { cause?: unknown }).cause ?? (current as { errors?: unknown[] }).errors?.[0];
  }
  return false;
}

function isDatabaseError(error: unknown): error is DatabaseError {
  const candidate = error as Partial<DatabaseError>;
  return (
    typeof candidate?.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(candidate.code) &&
    typeof candidate.severity === 'string'
  );
}

/** `body/email` → `body.email`; a missing or unknown property names itself. */
function fieldOf(context: string, issue: ValidationIssue): string {
  const path = issue.instancePath.split('/').filter(Boolean);
  const named = issue.params.missingProperty ?? issue.params.additionalProperty;
  if (typeof named === 'string') path.push(named);
  return [context === 'querystring' ? 'query' : context, ...path].join('.');
}

function validationProblem(error: FastifyError & { validation: ValidationIssue[]; validationContext?: string }) {
  const context = error.validationContext ?? 'body';
  const errors: ProblemField[] = error.validation.map((issue) => ({
    field: fieldOf(context, issue),
    rule: issue.keyword,
    message: issue.keyword === 'additionalProperties' ? 'is not a known field' : (issue.message ?? 'is invalid'),
  }));
  return { type: CommonProblems.validationFailed, detail: `${errors.length} field(s) break the API contract`, errors };
}

function databaseProblem(error: DatabaseError, columns: ConstraintColumns) {
  const constraint = error.constraint ?? error.constraint_name;
  const field = (constraint && columns.get(constraint)?.join(',')) || error.column || error.column_name || 'body';
  const issue = (rule: string, message: string): ProblemField[] => [{ field, rule, message }];
  switch (error.code) {
    case '23505':
      return {
        type: CommonProblems.conflict,
        detail: 'A value must be unique and is already used',
        errors: issue(constraint ?? 'unique', 'is already taken'),
      };
    case '23503':
      return error.detail?.includes('is still referenced')
        ? {
            type: CommonProblems.conflict,
            detail: 'Other records still depend on this one',
            errors: issue(constraint ?? 'foreign_key', 'is still referenced'),
          }
        : {
            type: CommonProblems.validationFailed,
            detail: 'A referenced record does not exist',
            errors: issue(constraint ?? 'foreign_key', 'refers to nothing'),
          };
    case '23514':
      return {
        type: CommonProblems.validationFailed,
        detail: 'A value breaks a rule of the data model',
        errors: issue(constraint ?? 'check', 'breaks this rule'),
      };
    case '23502':
      return {
        type: CommonProblems.validationFailed,
        detail: 'A required value is missing',
        errors: issue('required', 'is required'),
      };
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case '22P02':
      return { type: CommonProblems.validationFailed, detail: 'A value has the wrong form or size' };
    case '40001':
    case '40P01':
    case '55P03':
    case '57014':
      return { type: CommonProblems.unavailable, detail: 'The database was too busy to answer; retry' };
    default:
      return undefined;
  }
}

function fastifyProblem(
  error: FastifyError,
): { type: ProblemType; detail?: string; errors?: ProblemField[] } | undefined {
  switch (error.code) {
    // Raised by the router, before any route is found (see frameworkErrorHandler).
    case 'FST_ERR_BAD_URL':
      return {
        type: CommonProblems.validationFailed,
        detail: 'A path parameter is not valid percent-encoded UTF-8',
        errors: [{ field: 'params', rule: 'uriEncoding', message: 'is not valid percent-encoded UTF-8' }],
      };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        type: CommonProblems.validationFailed,
        detail: 'A path parameter is too long',
        errors: [{ field: 'params', rule: 'maxLength', message: 'is longer than any path parameter may be' }],
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { type: CommonProblems.malformedBody, detail: error.message };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { type: CommonProblems.unsupportedMediaType, detail: error.message };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { type: CommonProblems.payloadTooLarge };
    default:
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return {
          type: { code: 'BAD_REQUEST', status: error.statusCode, title: 'The request was rejected' },
          detail: error.message,
        };
      }
      return undefined;
  }
}

export function toProblem(error: unknown, request: FastifyRequest, columns: ConstraintColumns): Problem {
  let found: { type: ProblemType; detail?: string; errors?: ProblemField[] } | undefined;
  if (error instanceof ApiError) found = { type: error, detail: error.message, errors: error.errors };
  else if ((error as { validation?: unknown }).validation)
    found = validationProblem(error as Parameters<typeof validationProblem>[0]);
  else if (isDatabaseOutage(error))
    found = { type: CommonProblems.unavailable, detail: 'The database cannot be reached right now; retry later' };
  else if (isDatabaseError(error)) found = databaseProblem(error, columns);
  else found = fastifyProblem(error as FastifyError);
  const { type, detail, errors } = found ?? { type: CommonProblems.internal };
  return {
    type: problemUri(type.code),
    title: type.title,
    status: type.status,
    ...(detail !== undefined ? { detail } : {}),
    instance: request.url.split('?')[0] ?? request.url,
    code: type.code,
    request_id: String(request.id),
    ...(errors ? { errors } : {}),
  };
}

/**
 * Fastify's `frameworkErrors`: errors of the router itself (an undecodable or overlong path parameter), which
 * never reach the error handler and would otherwise leave as Fastify's own JSON instead of problem details.
 */
export function frameworkErrorHandler(columns: ConstraintColumns) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const problem = toProblem(error, request, columns);
    request.log.info({ code: problem.code, errors: problem.errors }, 'request rejected');
    // No route, so no route hooks: the request id the onSend hook adds everywhere else is set here.
    void send(reply.header('x-request-id', request.id), problem);
  };
}

function send(reply: FastifyReply, problem: Problem, error?: unknown): FastifyReply {
  // RFC 9110 §10.2.3: a 503 says when to come back, so clients and proxies back off instead of hammering.
  if (problem.status === 503) {
    reply.header('retry-after', isDatabaseOutage(error) ? OUTAGE_RETRY_AFTER_SECONDS : BUSY_RETRY_AFTER_SECONDS);
  }
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** Every error leaves as RFC 9457 problem details; nothing internal (SQL, stack) reaches the client. */
export function installErrorHandling(app: FastifyInstance, columns: ConstraintColumns): void {
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, request, columns);
    // An outage is logged once per request as a warning with its cause, not as a bug with a stack.
    if (problem.status === 503)
      request.log.warn({ code: problem.code, cause: String(error) }, 'database unavailable or busy');
    else if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: problem.code, errors: problem.errors }, 'request rejected');
    return send(reply, problem, error);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    // A known path asked with the wrong method is a 405 naming the methods it has (RFC 9110 §15.5.6).
    const allowed = allowedMethods(app, request.url);
    if (allowed.length > 0) {
      const problem = new ApiError(CommonProblems.methodNotAllowed, `${path} answers ${allowed.join(', ')}`);
      return send(withAllow(reply, allowed), toProblem(problem, request, columns));
    }
    return send(
      reply,
      toProblem(new ApiError(CommonProblems.notFound, `No route ${request.method} ${path}`), request, columns),
    );
  });
}
