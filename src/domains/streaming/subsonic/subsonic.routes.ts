// The OpenSubsonic API at /rest (issue 13 §6, ADR 0051, 0052): GET or POST /rest/{call} and /rest/{call}.view, the
// parameters in the query string or a form body. Every answer is a Subsonic one: a failure is `status="failed"`
// with its error code, sent with HTTP 200 as the protocol wants, so players show the message instead of a crash.
// Only faults of the server itself (a bug, the database gone) leave as problem details with a 5xx.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../platform/http/problem.ts';
import { sendDelivery } from '../../files/index.ts';
import type { SubsonicAuthenticator } from './subsonic.auth.ts';
import { formatOf, render, renderError, SubsonicCode, SubsonicError } from './subsonic.format.ts';
import {
  NotModified,
  SubsonicAnswer,
  SubsonicBytes,
  SubsonicCallParams,
  SubsonicHeaders,
  SubsonicParamsSchema,
  type SubsonicParams,
} from './subsonic.schemas.ts';
import { subsonicErrorOf, type CallResult, type SubsonicCall, type SubsonicService } from './subsonic.service.ts';

/** Parameters that may repeat: always lists, whether sent once or more. */
const REPEATABLE = new Set(['id', 'albumId', 'artistId', 'songId', 'songIdToAdd', 'songIndexToRemove', 'time']);
/** A form body is small: the longest is a savePlayQueue of 1,000 ids. */
const FORM_BODY_LIMIT = 128 * 1024;

/** An application/x-www-form-urlencoded body as parameters: repeated names become lists. */
export function parseForm(body: string): Record<string, string | string[]> {
  const parsed: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = parsed[name];
    if (previous === undefined) parsed[name] = REPEATABLE.has(name) ? [value] : value;
    else parsed[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return parsed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The query string and the form body together (the body wins: that is where formPost players put them). */
function paramsOf(request: FastifyRequest): Record<string, unknown> {
  return { ...(isRecord(request.query) ? request.query : {}), ...(isRecord(request.body) ? request.body : {}) };
}

function sendRendered(
  reply: FastifyReply,
  params: Record<string, unknown>,
  status: 'ok' | 'failed',
  error?: SubsonicError,
  body = {},
) {
  const format = formatOf(params.f, params.callback);
  const callback = typeof params.callback === 'string' ? params.callback : undefined;
  const rendered = error ? renderError(format, error, callback) : render(format, status, body, callback);
  // Personal data (the caller's library, stars, queue): never kept by a cache.
  return reply.code(200).header('cache-control', 'no-store').type(rendered.contentType).send(rendered.body);
}

/** A request that broke the contract, as the Subsonic error a player understands: 10 for a missing parameter. */
function contractError(
  error: FastifyError & {
    validation?: { keyword: string; instancePath: string; params: Record<string, unknown> }[];
    validationContext?: string;
  },
): SubsonicError {
  const issue = error.validation?.[0];
  if (!issue) return new SubsonicError(SubsonicCode.generic, error.message);
  const context = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
  const name = [
    ...issue.instancePath.split('/').filter(Boolean),
    ...(typeof issue.params.missingProperty === 'string' ? [issue.params.missingProperty] : []),
  ].join('.');
  if (context === 'params') return new SubsonicError(SubsonicCode.generic, 'Veza does not implement this method');
  if (issue.keyword === 'required')
    return new SubsonicError(SubsonicCode.missingParameter, `Required parameter is missing: ${name}`);
  return new SubsonicError(SubsonicCode.generic, `Parameter ${name || context} breaks the rule ${issue.keyword}`);
}

export function registerSubsonicRoutes(
  instance: FastifyInstance,
  deps: { service: SubsonicService; auth: SubsonicAuthenticator },
): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { service, auth } = deps;

  // OpenSubsonic formPost: the parameters in a form body. Scoped to /rest, like the error handler below.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => done(null, parseForm(String(body))),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const params = paramsOf(request);
    if (error instanceof SubsonicError) return sendRendered(reply, params, 'failed', error);
    if (error instanceof ApiError && error.status === 416) throw error;
    if (error instanceof ApiError && error.status < 500)
      return sendRendered(reply, params, 'failed', subsonicErrorOf(error));
    if ((error as { validation?: unknown }).validation)
      return sendRendered(reply, params, 'failed', contractError(error));
    // The framework refusing the request itself (a body too large, a media type no parser takes, broken JSON).
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
      return sendRendered(reply, params, 'failed', new SubsonicError(SubsonicCode.generic, error.message));
    // A fault of ours: the platform's handler answers it (problem details, 500 or 503) and logs it.
    throw error;
  });

  const answer = async (
    request: FastifyRequest,
    reply: FastifyReply,
    result: CallResult,
    params: Record<string, unknown>,
  ) => {
    if (result.kind === 'content') return sendRendered(reply, params, 'ok', undefined, result.content);
    try {
      return await sendDelivery(request, reply, result.answer, result.fileId);
    } catch (error) {
      // A range past the end stays an HTTP 416 (with Content-Range), as for any file: that is between the player
      // and the bytes. A file whose bytes are missing is, to the player, a song not found.
      if (error instanceof ApiError && error.status !== 416)
        throw new SubsonicError(SubsonicCode.notFound, 'The file is not available');
      throw error;
    }
  };

  const schema = {
    tags: ['subsonic'],
    summary: 'An OpenSubsonic call (ping, getArtists, search3, stream, star, scrobble, savePlayQueue, …)',
    description:
      'The Subsonic REST API for existing players (issue 13 §6): sign in with `u` (your username) and an app ' +
      'password from POST /v1/me/subsonic-credentials, as `t` = md5(password + `s`) or `p`; or with an ' +
      '`apiKey` alone. Answers `subsonic-response` documents in XML or JSON (`f`); failures carry the Subsonic ' +
      'error codes (10 missing parameter, 40 wrong credentials, 43 conflicting mechanisms, 44 invalid API key, ' +
      '50 not allowed, 70 not found, 0 anything else) with HTTP 200. No bearer token: `/rest` has its own sign-in.',
    params: SubsonicCallParams,
    headers: SubsonicHeaders,
    querystring: SubsonicParamsSchema,
    response: { 200: SubsonicAnswer, 206: SubsonicBytes, 304: NotModified },
  };

  const handle = async (request: FastifyRequest<{ Params: { call: string } }>, reply: FastifyReply) => {
    const params = paramsOf(request) as SubsonicParams;
    const call = request.params.call.replace(/\.view$/, '') as SubsonicCall;
    if (call === 'getOpenSubsonicExtensions')
      return answer(request, reply, service.getOpenSubsonicExtensions(), params);
    const caller = await auth.authenticate(params);
    const headers = request.headers as Record<string, string | undefined>;
    const context = {
      caller,
      params,
      headers: {
        ...(headers.range !== undefined ? { range: headers.range } : {}),
        ...(headers['if-range'] !== undefined ? { 'if-range': headers['if-range'] } : {}),
        ...(headers['if-none-match'] !== undefined ? { 'if-none-match': headers['if-none-match'] } : {}),
        ...(headers['if-modified-since'] !== undefined ? { 'if-modified-since': headers['if-modified-since'] } : {}),
      },
      headOnly: request.method === 'HEAD',
    };
    return answer(request, reply, await service[call](context), params);
  };

  app.get('/:call', { schema }, handle);
  app.post(
    '/:call',
    {
      schema: {
        ...schema,
        summary: 'An OpenSubsonic call, its parameters in a form body (OpenSubsonic formPost)',
        body: SubsonicParamsSchema,
        consumes: ['application/x-www-form-urlencoded'],
      },
    },
    handle,
  );
}
