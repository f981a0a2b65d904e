// Idempotency keys (ADR 0035; the IETF draft "The Idempotency-Key HTTP Header Field", Stripe's semantics): a
// client that retries a write with the same `Idempotency-Key` gets the first attempt's response again instead of
// a second effect. A route opts in with one line, `config: { idempotent: true }`; docs/api.md shows it.
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { Type } from 'typebox';
import type { DB } from '../db/db.generated.ts';
import { ApiError, problemType } from './problem.ts';
import { problems } from './route-kit.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Honour an `Idempotency-Key` header on this route (ADR 0035). */
    idempotent?: boolean;
  }
}

export const IdempotencyProblems = {
  keyReused: problemType(
    'IDEMPOTENCY_KEY_REUSED',
    422,
    'This Idempotency-Key was already used for a different request',
  ),
  inFlight: problemType('IDEMPOTENCY_REQUEST_IN_FLIGHT', 409, 'A request with this Idempotency-Key is still running'),
} as const;

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on a response that is a replay of the stored one, not the result of running the request again. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** The headers a replay repeats: those that say what the body is and where the created thing lives. */
const REPLAYED_HEADERS = ['content-type', 'location', 'cache-control'] as const;

export interface IdempotencyOptions {
  /** How long a key answers retries; after it the key may be used again (ADR 0035: 24 hours). */
  ttlSeconds?: number;
  /**
   * A request whose first attempt has been running this long is taken to have died with its process, and a retry
   * may run it again. Longer than any request may take (the statement timeout is far shorter).
   */
  abandonedAfterSeconds?: number;
  /**
   * The server secret the fingerprints' HMAC key is derived from: a body may hold a password, which a plain hash
   * would expose to guessing.
   */
  secret: string;
}

interface Claim {
  id: string;
}

const claims = new WeakMap<FastifyRequest, Claim>();

const KeyHeaders = Type.Object({
  [IDEMPOTENCY_KEY_HEADER]: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description:
        'A unique value (e.g. a UUID) per intended operation: a retry with the same key and the same request gets ' +
        'the first response again, with `Idempotent-Replayed: true`, for 24 hours.',
      examples: ['5f0c6f8e-3c1b-4a5e-9a7d-2b8f1c4d6e90'],
    }),
  ),
});

/**
 * Installs the key store on every route that opts in: documents the header and its problems, claims the key
 * before the handler runs, stores the response it sends, and replays it to a retry. Call before any route.
 */
export function installIdempotency(app: FastifyInstance, db: Kysely<DB>, options: IdempotencyOptions): void {
  const ttlSeconds = options.ttlSeconds ?? 24 * 3600;
  const abandonedAfterSeconds = options.abandonedAfterSeconds ?? 600;
  // A key of its own, so that the secret it comes from (the JWT key) signs nothing else with the same bytes.
  const key = createHmac('sha256', options.secret).update('veza idempotency fingerprint').digest();
  const fingerprintOf = (request: FastifyRequest) =>
    createHmac('sha256', key)
      .update(JSON.stringify([request.method, request.routeOptions.url, request.params ?? null, request.body ?? null]))
      .digest('hex');

  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotent) return;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const headers = schema.headers as { properties?: Record<string, unknown> } | undefined;
    route.schema = {
      ...schema,
      headers: headers ? { ...headers, properties: { ...headers.properties, ...KeyHeaders.properties } } : KeyHeaders,
      response: { ...problems(409, 422), ...(schema.response as object | undefined) },
    };
  });

  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (!request.routeOptions.config.idempotent || typeof key !== 'string') return;
    const userId = request.caller?.userId ?? null;
    const fingerprint = fingerprintOf(request);
    const claimed = await db
      .insertInto('idempotency_keys')
      .values({
        user_id: userId,
        idempotency_key: key,
        request_method: request.method,
        request_route: request.routeOptions.url ?? request.url,
        request_fingerprint: fingerprint,
        expires_at: sql<Date>`NOW() + make_interval(secs => ${ttlSeconds})`,
      })
      // An expired key, or one whose first attempt died, starts afresh; a live one stays as it is.
      .onConflict((conflict) =>
        conflict
          .constraint('uq_idempotency_keys_user_id_idempotency_key')
          .doUpdateSet((eb) => ({
            request_method: eb.ref('excluded.request_method'),
            request_route: eb.ref('excluded.request_route'),
            request_fingerprint: eb.ref('excluded.request_fingerprint'),
            status: 'in_flight',
            response_status: null,
            response_headers: null,
            response_body: null,
            created_at: sql<Date>`NOW()`,
            completed_at: null,
            expires_at: eb.ref('excluded.expires_at'),
          }))
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.expires_at', '<=', sql<Date>`NOW()`),
              eb.and([
                eb('idempotency_keys.status', '=', 'in_flight'),
                eb(
                  'idempotency_keys.created_at',
                  '<',
                  sql<Date>`NOW() - make_interval(secs => ${abandonedAfterSeconds})`,
                ),
              ]),
            ]),
          ),
      )
      .returning('id')
      .executeTakeFirst();
    if (claimed) {
      claims.set(request, claimed);
      return;
    }
    const stored = await db
      .selectFrom('idempotency_keys')
      .select(['request_fingerprint', 'status', 'response_status', 'response_headers', 'response_body'])
      .where(sql<boolean>`user_id IS NOT DISTINCT FROM ${userId}`)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (stored && stored.request_fingerprint !== fingerprint) {
      throw new ApiError(
        IdempotencyProblems.keyReused,
        'Use a new Idempotency-Key for a new request; a key answers only retries of the request it was first sent with',
        [{ field: 'headers.idempotency-key', rule: 'idempotency', message: 'was used for another request' }],
      );
    }
    if (!stored || stored.status === 'in_flight' || stored.response_status === null) {
      void reply.header('retry-after', '1');
      throw new ApiError(IdempotencyProblems.inFlight, 'The first request with this key has not finished; retry later');
    }
    return replay(reply, stored.response_status, stored.response_headers, stored.response_body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = claims.get(request);
    if (!claim) return payload;
    claims.delete(request);
    const status = reply.statusCode;
    const storable = typeof payload === 'string' || payload === null || payload === undefined;
    // A server error or a rate limit is no answer to keep: the retry runs again. So does a streamed body.
    if (status >= 500 || status === 429 || !storable) {
      await db.deleteFrom('idempotency_keys').where('id', '=', claim.id).execute();
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    await db
      .updateTable('idempotency_keys')
      .set({
        status: 'completed',
        response_status: status,
        response_headers: JSON.stringify(headers),
        response_body: payload ?? null,
        completed_at: sql<Date>`NOW()`,
      })
      .where('id', '=', claim.id)
      .execute();
    return payload;
  });
}

function replay(reply: FastifyReply, status: number, headers: unknown, body: string | null): FastifyReply {
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, string>)) void reply.header(name, value);
  return reply
    .code(status)
    .header(REPLAYED_HEADER, 'true')
    .send(body ?? undefined);
}
