// Parsing of the environment variables of the HTTP hardening (ADR 0034), kept beside what they configure.
// loadConfig (platform/config) calls these; they throw its ConfigError, naming the variable and the rule.
import { isIP } from 'node:net';
import { ConfigError } from '../config/config.ts';

type Env = Record<string, string | undefined>;

/** proxy-addr's names for address ranges, accepted by Fastify's trustProxy as they are. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function list(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** VEZA_TRUSTED_PROXIES: addresses, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated. */
export function trustedProxies(env: Env): string[] {
  return list(env.VEZA_TRUSTED_PROXIES).map((entry) => {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (NAMED_RANGES.has(entry) || (family !== 0 && validBits && extra === undefined)) return entry;
    throw new ConfigError(
      'VEZA_TRUSTED_PROXIES',
      'must be comma-separated IP addresses, CIDR ranges, or loopback, linklocal, uniquelocal',
      entry,
    );
  });
}

/** VEZA_CORS_ORIGINS: exact origins (scheme://host[:port], no path), comma-separated. */
export function corsOrigins(env: Env): string[] {
  return list(env.VEZA_CORS_ORIGINS).map((entry) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    // An origin is compared byte for byte with the browser's Origin header: only the canonical form can match.
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry) {
      throw new ConfigError(
        'VEZA_CORS_ORIGINS',
        'must be comma-separated origins like https://app.example.org (scheme, host, optional port; no path or /)',
        entry,
      );
    }
    return entry;
  });
}

/** VEZA_REDIS_URL: redis:// or rediss:// (TLS); unset: every counter lives in this process's memory. */
export function redisUrl(env: Env): string | undefined {
  const raw = env.VEZA_REDIS_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  // It may hold a password: never echo it.
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    throw new ConfigError('VEZA_REDIS_URL', 'must be a redis:// or rediss:// URL', '<hidden>');
  }
  return raw;
}

/** A rate limit: at most `max` requests per `windowSeconds` for one key. */
export interface RateLimitWindow {
  max: number;
  windowSeconds: number;
}

export interface RateLimitSettings {
  /** Requests per minute one caller (account, else address) may make to routes without a policy; 0: unlimited. */
  defaultPerMinute: number;
  /** Changes to the named policies of rate-limit.ts, from VEZA_RATE_LIMITS. */
  overrides: Record<string, RateLimitWindow>;
}

const POLICY_NAME = /^[a-z][a-zA-Z0-9]{0,49}$/;

/** VEZA_RATE_LIMIT_PER_MINUTE and VEZA_RATE_LIMITS (`{"register": {"max": 10, "window_seconds": 600}}`). */
export function rateLimitSettings(env: Env): RateLimitSettings {
  const perMinuteRaw = env.VEZA_RATE_LIMIT_PER_MINUTE;
  const defaultPerMinute = perMinuteRaw === undefined || perMinuteRaw === '' ? 600 : Number(perMinuteRaw);
  if (!Number.isInteger(defaultPerMinute) || defaultPerMinute < 0 || defaultPerMinute > 1_000_000) {
    throw new ConfigError('VEZA_RATE_LIMIT_PER_MINUTE', 'must be an integer from 0 to 1000000', String(perMinuteRaw));
  }
  const raw = env.VEZA_RATE_LIMITS;
  const shape = 'must be a JSON object of policy name to {"max": n, "window_seconds": s}';
  if (raw === undefined || raw === '') return { defaultPerMinute, overrides: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('VEZA_RATE_LIMITS', shape, raw);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('VEZA_RATE_LIMITS', shape, raw);
  }
  const overrides: Record<string, RateLimitWindow> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const { max, window_seconds: windowSeconds, ...rest } = (value ?? {}) as Record<string, unknown>;
    const valid =
      POLICY_NAME.test(name) &&
      Object.keys(rest).length === 0 &&
      Number.isInteger(max) &&
      (max as number) >= 1 &&
      Number.isInteger(windowSeconds) &&
      (windowSeconds as number) >= 1 &&
      (windowSeconds as number) <= 86_400;
    if (!valid) throw new ConfigError('VEZA_RATE_LIMITS', `${shape} (max >= 1, 1 <= window_seconds <= 86400)`, name);
    overrides[name] = { max: max as number, windowSeconds: windowSeconds as number };
  }
  return { defaultPerMinute, overrides };
}
