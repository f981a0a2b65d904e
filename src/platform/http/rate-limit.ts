// Request rate limits as a platform feature (issue 10 §2, ADR 0034): @fastify/rate-limit with counters in Redis
// when VEZA_REDIS_URL is set (every instance sees the same counts), in this process's memory otherwise.
import { isIPv6 } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { ApiError, CommonProblems } from './problem.ts';
import type { RateLimitSettings, RateLimitWindow } from './security-config.ts';

/** Whose requests one counter counts. */
export type RateLimitKey =
  /** The client address (request.ip: X-Forwarded-For only from a trusted proxy). */
  | 'address'
  /** The signed-in account, else the client address. */
  | 'caller';

export interface RateLimitPolicy extends RateLimitWindow {
  key: RateLimitKey;
}

/**
 * The limits a route may name with `config: { rateLimitPolicy: 'register' }`; each such route counts on its own.
 * Every other route shares the default limit (VEZA_RATE_LIMIT_PER_MINUTE per caller). VEZA_RATE_LIMITS changes
 * max and window_seconds by name. The numbers leave a person using the API by hand far below them and stop a
 * script: the probe sent 12 registrations in a few seconds, each sending a mail.
 */
export const RATE_LIMIT_POLICIES = {
  /** Account creation: each sends a mail (to a stranger, if the address is someone else's). */
  register: { max: 10, windowSeconds: 600, key: 'address' },
  /** Password guesses are also locked per identifier and per address in the database (ADR 0022). */
  login: { max: 30, windowSeconds: 60, key: 'address' },
  /** Each may send a mail. */
  mailedLink: { max: 10, windowSeconds: 600, key: 'address' },
  /** A client refreshes once per access token lifetime; a loop is a bug or an attack. */
  refresh: { max: 60, windowSeconds: 60, key: 'address' },
  /** Second-factor guesses, of one account. */
  secondFactor: { max: 10, windowSeconds: 60, key: 'caller' },
  /** Posts and reposts of one account (issue 15 anti-spam; ADR 0062): a person posts far less. */
  posting: { max: 30, windowSeconds: 600, key: 'caller' },
  /** Reports filed by one account (issue 18 §11; ADR 0095): a person reports a few things; a script floods moderators. */
  reporting: { max: 20, windowSeconds: 3600, key: 'caller' },
  /** Comments on posts of one account (issue 15 anti-spam; ADR 0062). */
  commenting: { max: 60, windowSeconds: 600, key: 'caller' },
  /** Following (and follow requests, blocks), of one account: anti-spam (issue 15; ADR 0060). */
  follow: { max: 60, windowSeconds: 600, key: 'caller' },
  /** Public certificate checks (issue 17 §4; ADR 0083): a person checks a few; a script guessing codes is stopped. */
  certificateVerification: { max: 30, windowSeconds: 600, key: 'address' },
  /** Public checks of licence keys, per address: a person checks a few keys; a script guessing keys is stopped. */
  licenseVerify: { max: 30, windowSeconds: 60, key: 'address' },
  /**
   * Connecting, testing and running cloud accounts (issue 17 §9-13; ADR 0085): each makes the server contact a host
   * the caller names, so a script must not turn it into a scanner of other people's servers.
   */
  cloudRemote: { max: 30, windowSeconds: 600, key: 'caller' },
  /** Batches of client-side analytics events (issue 18 §9; ADR 0094): an app sends one every few seconds at most. */
  analyticsEvents: { max: 120, windowSeconds: 60, key: 'caller' },
  /** Statistics exports asked for (issue 18 §8; ADR 0094): each is a background job writing a file. */
  reportRequests: { max: 20, windowSeconds: 3600, key: 'caller' },
} as const satisfies Record<string, RateLimitPolicy>;

export type RateLimitPolicyName = keyof typeof RATE_LIMIT_POLICIES;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A named, stricter limit for this route (rate-limit.ts); without one the default limit applies. */
    rateLimitPolicy?: RateLimitPolicyName;
  }
}

export interface RateLimitOptions {
  settings: RateLimitSettings;
  /** Counters shared by every instance; undefined: in memory. */
  redisUrl: string | undefined;
  /** Prefix of the Redis keys, so that several deployments may share one server. */
  redisPrefix?: string;
}

/**
 * IPv6 clients get a /64 each, so the key is the /64: one host cycling through its own addresses counts once.
 * IPv4-mapped IPv6 addresses count as the IPv4 address they are.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::')
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

function keyOf(kind: RateLimitKey, request: FastifyRequest): string {
  if (kind === 'caller' && request.caller) return `user:${request.caller.userId}`;
  return `ip:${addressKey(request.ip)}`;
}

/**
 * Registers the limits. Await it before any route is declared: routes get their limiter as they are added. An
 * exceeded limit is a 429 problem (TOO_MANY_REQUESTS) with Retry-After in seconds; a Redis that cannot be reached
 * lets requests through (logged), since the database lockout still guards passwords and an outage of the cache
 * should not become one of the API.
 */
export async function registerRateLimits(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const policies = new Map<string, RateLimitPolicy>(
    Object.entries(RATE_LIMIT_POLICIES).map(([name, policy]) => [
      name,
      { ...policy, ...options.settings.overrides[name] },
    ]),
  );
  app.addHook('onRoute', (route) => {
    const name = route.config?.rateLimitPolicy;
    if (name === undefined) return;
    const policy = policies.get(name);
    if (!policy) throw new Error(`${String(route.method)} ${route.url}: no rate-limit policy named ${name}`);
    route.config = Object.assign(route.config ?? {}, {
      rateLimit: {
        max: policy.max,
        timeWindow: policy.windowSeconds * 1000,
        keyGenerator: (request: FastifyRequest) => keyOf(policy.key, request),
      },
    });
  });

  let redis: Redis | undefined;
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, {
      // A limiter waiting for Redis would hold every request: fail fast, and let the request through.
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    redis.on('error', (error: Error) => app.log.warn({ reason: error.message }, 'rate-limit store unreachable'));
    app.addHook('onClose', async () => {
      await redis?.quit().catch(() => redis?.disconnect());
    });
  }

  const defaultPerMinute = options.settings.defaultPerMinute;
  await app.register(rateLimit, {
    global: defaultPerMinute > 0,
    max: defaultPerMinute > 0 ? defaultPerMinute : 1,
    timeWindow: 60_000,
    keyGenerator: (request) => keyOf('caller', request),
    ...(redis ? { redis, nameSpace: options.redisPrefix ?? 'veza:rate:' } : {}),
    skipOnError: true,
    // Route-level onRequest hooks run after the root's, where authentication sets request.caller: a signed-in
    // caller counts as an account, and a limited request is refused before its body is read.
    hook: 'onRequest',
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        CommonProblems.tooManyRequests,
        `At most ${context.max} such requests in this period; retry in ${context.after}`,
      ),
  });
}
