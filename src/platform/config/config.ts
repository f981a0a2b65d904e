import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { projectRoot } from '../project-root.ts';
import {
  corsOrigins,
  rateLimitSettings,
  redisUrl,
  trustedProxies,
  type RateLimitSettings,
} from '../http/security-config.ts';

/** Everything Veza Core reads from its environment. Documented in README.md ("Configuration"). */
export interface Config {
  nodeEnv: string;
  /** A PostgreSQL URL, or undefined to run the embedded PostgreSQL 15. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  db: {
    poolSize: number;
    /** Bound on opening a connection and on waiting for a free one in the pool. */
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    lockTimeoutMs: number;
    /** Server-side prepared statements; turn off behind PgBouncer in transaction mode (ADR 0026). */
    prepareStatements: boolean;
  };
  migrateOnStart: boolean;
  jobs: {
    /** Run the maintenance jobs on their schedules inside `veza serve`. */
    enabled: boolean;
    /** Cron expression (UTC) per job name, overriding the job's default schedule. */
    schedules: Record<string, string>;
  };
  http: {
    host: string;
    port: number;
    /** Reverse proxies whose X-Forwarded-For is believed (ADR 0034); empty: the peer address is the client. */
    trustedProxies: string[];
    /** Origins whose pages may call the API from a browser (CORS); empty: none. */
    corsOrigins: string[];
    rateLimits: RateLimitSettings;
    /** Processes serving HTTP (Node cluster workers, ADR 0030); 1: the one process serves it. */
    workers: number;
  };
  /**
   * Prometheus metrics (ADR 0089): served at /metrics on a listener of their own, never on the API's port. Port unset:
   * no listener and nothing measured. With workers, the primary serves every process's metrics.
   */
  metrics: {
    host: string;
    port: number | undefined;
  };
  /** Shared state of several instances (rate-limit counters); unset: each instance keeps its own in memory. */
  redis: { url: string | undefined };
  /**
   * Read replicas (ADR 0099): VEZA_DATABASE_READ_URLS (comma-separated postgres:// URLs of standbys), skipped when
   * further behind than VEZA_REPLICA_MAX_LAG_SECONDS (10) as checked every VEZA_REPLICA_CHECK_INTERVAL_MS (1000).
   * Optional so that hand-built test configs need not name it; absent or no URL: every read goes to the primary.
   */
  readReplicas?: { urls: string[]; maxLagSeconds: number; checkIntervalMs: number };
  /** The chat WebSocket gateway (ADRs 0054, 0055). */
  chat: ChatGatewayConfig;
  logLevel: string;
  auth: {
    /** HMAC key of access tokens; unset outside production: one is generated into the data directory. */
    jwtSecret: string | undefined;
    accessTokenTtlSeconds: number;
    /** Lifetime of a refresh token; each rotation issues a new one with a fresh lifetime (ADR 0021). */
    refreshTokenTtlDays: number;
    /** bcrypt work factor of password hashes (each step doubles the cost). */
    bcryptCost: number;
    emailVerificationTtlHours: number;
    passwordResetTtlMinutes: number;
    /** Progressive login lockout (ADR 0022). */
    lockout: {
      /** Failures of one identifier (since its last success) within the window that lock it. */
      maxFailuresPerIdentifier: number;
      /** Failures from one IP address within the window that lock it. */
      maxFailuresPerIp: number;
      /** How far back failures are counted; also the longest a lock lasts. */
      windowSeconds: number;
      /** First lock's length; it doubles with every further threshold's worth of failures. */
      lockSeconds: number;
    };
  };
  /** Outgoing mail (verification, password reset). */
  mail: {
    /** smtp:// or smtps:// URL of the relay; unset: mails are written to <dataDir>/outbox (refused in production). */
    smtpUrl: string | undefined;
    from: string;
    /** Base URL of the web front end, for the links in mails. */
    publicUrl: string;
  };
  /** Keys of the authenticated encryption of secrets at rest (ADR 0023); the last one encrypts. */
  encryption: {
    /** Unset outside production: a key is generated into the data directory. */
    keys: EncryptionKey[] | undefined;
  };
  /** Federated login (OpenID Connect): the providers people may log in with, by lower-case name (ADR 0025). */
  oidc: {
    providers: Record<string, OidcProviderConfig>;
    /** Where a provider may send the browser back to (exact match): the only accepted `redirect_uri` values. */
    redirectUris: string[];
  };
  /** Uploaded files: where their bytes live and how large they may be (issue 12, ADR 0038). */
  files: FilesConfig;
  /** The marketplace's money side (ADRs 0071-0074). */
  market: MarketConfig;
  /** Backups to the user's own WebDAV / Nextcloud server (issue 17 §9-13, ADR 0085). */
  cloud: {
    /**
     * VEZA_CLOUD_ALLOW_PRIVATE_HOSTS: let account URLs reach loopback, private and link-local addresses (tests and
     * development against a local server). Refused in production: the server would become an SSRF probe.
     */
    allowPrivateHosts: boolean;
  };
  /**
   * VEZA_ANALYTICS_K_ANONYMITY (5): the fewest distinct people a published statistic may describe (ADR 0093).
   * Upward only: a value under 5 is refused at startup. Optional so that hand-built test configs keep the floor.
   */
  analytics?: { kAnonymity: number };
}

/**
 * The marketplace's money settings, exact integers (no binary float touches money, ADR 0071): rates in parts per
 * million, amounts in cents. The marketplace turns them into its Rate and Cents (checkout.config.ts).
 */
export interface MarketConfig {
  /** VEZA_MARKET_COMMISSION_RATE (0.15): the platform's commission on every sold line, half-up to the cent. */
  commissionRatePpm: number;
  /** VEZA_MARKET_TAX_RATES (`FR:0.2,DE:0.19`): a flat rate per billing country (ISO 3166); other countries 0. */
  taxRatesPpm: Record<string, number>;
  /** VEZA_MARKET_ORDER_TTL_MINUTES (30): how long an unpaid order holds its licence units and discount use. */
  orderTtlMinutes: number;
  /** VEZA_MARKET_HOLD_DAYS (14): the refund window, and how long a seller's share waits before it is payable. */
  holdDays: number;
  /** VEZA_MARKET_PAYOUT_MINIMUM (20.00): the smallest payout. */
  payoutMinimumCents: number;
  /** VEZA_STRIPE_SECRET_KEY enables the stripe payment method; VEZA_STRIPE_WEBHOOK_SECRET verifies its webhooks. */
  stripeSecretKey: string | undefined;
  stripeWebhookSecret: string | undefined;
  /** VEZA_STRIPE_CONNECT_WEBHOOK_SECRET verifies the Connect webhook (connected accounts' events, ADR 0084). */
  stripeConnectWebhookSecret: string | undefined;
}

export interface FilesConfig {
  /** Where file bytes are kept: the local disk (default) or an S3-compatible object store. */
  storage: 'local' | 's3';
  /** Root directory of the local backend: `<dataDir>/files` unless VEZA_FILES_DIR says otherwise. */
  localRoot: string;
  s3: {
    /** Custom endpoint (MinIO, Garage, a loopback test server); unset: AWS itself. */
    endpoint: string | undefined;
    bucket: string;
    region: string;
    accessKeyId: string | undefined;
    secretAccessKey: string | undefined;
    /** Path-style addressing (`endpoint/bucket/key`), which most self-hosted stores need. */
    forcePathStyle: boolean;
  };
  /** Largest single file accepted, checked against the declared length before any byte is read. */
  maxBytes: number;
  /** Total bytes one person's live files and unfinished uploads may take. */
  quotaBytes: number;
  /** Largest image accepted as one multipart POST (larger media go through tus). */
  imageMaxBytes: number;
  /** How long an unfinished resumable upload may sit idle before it expires. */
  uploadExpiryHours: number;
  /** Bounds of the inspection every uploaded ZIP archive passes before it is kept (ADR 0044). */
  archives: {
    maxEntries: number;
    /** Largest total declared uncompressed size, also the byte budget of inflating the entries to verify them. */
    maxTotalBytes: number;
    maxRatio: number;
    /** Entries smaller than this escape the ratio rule. */
    ratioFloorBytes: number;
  };
  /** The processing pipeline's external programs (ADRs 0040, 0041); each is looked up on PATH unless a path is given. */
  processing: {
    /** clamscan or clamdscan; null (VEZA_CLAMSCAN=none): no scan, files are marked `unscanned`. */
    scanner: string | null;
    /** A signature directory for clamscan (--database); unset: ClamAV's own. */
    clamavDatabaseDir: string | null;
    ffmpeg: string;
    ffprobe: string;
    /** Longest one ffmpeg or scanner run may take before it is stopped and the job retried. */
    toolTimeoutSeconds: number;
  };
}

export interface OidcProviderConfig {
  /** Issuer identifier; its discovery document is at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to request; always includes `openid`. */
  scopes: string;
}

export interface EncryptionKey {
  /** Short name stored with every ciphertext, so the key that made it can be found after a rotation. */
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

export class ConfigError extends Error {
  constructor(variable: string, rule: string, value: string) {
    super(`${variable} ${rule} (got "${value}")`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}`, raw);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, 'must be true or false', raw);
}

/** VEZA_WORKERS: a count, or "auto" for one per core Node may use. */
function workers(env: Env): number {
  const raw = env.VEZA_WORKERS;
  if (raw === undefined || raw === '') return 1;
  if (raw === 'auto') return availableParallelism();
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 64) {
    throw new ConfigError('VEZA_WORKERS', 'must be "auto" or an integer from 1 to 64', raw);
  }
  return value;
}

function oneOf(env: Env, name: string, fallback: string, allowed: readonly string[]): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}`, raw);
  return raw;
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL', '<unparseable>');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL', `${parsed.protocol}//…`);
  }
  return raw;
}

function readReplicas(env: Env): NonNullable<Config['readReplicas']> {
  const urls = (env.VEZA_DATABASE_READ_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  for (const url of urls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    // It may hold a password: never echo it.
    if (!parsed || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
      throw new ConfigError('VEZA_DATABASE_READ_URLS', 'must be comma-separated postgres:// URLs', '<hidden>');
    }
  }
  if (urls.length > 0 && !env.DATABASE_URL) {
    throw new ConfigError(
      'VEZA_DATABASE_READ_URLS',
      'needs DATABASE_URL (the embedded PostgreSQL has no standby)',
      '…',
    );
  }
  // Workers are separate processes: without Redis, one would not know of a write another served (read-your-writes).
  if (urls.length > 0 && workers(env) > 1 && !env.VEZA_REDIS_URL) {
    throw new ConfigError('VEZA_DATABASE_READ_URLS', 'needs VEZA_REDIS_URL when VEZA_WORKERS > 1', '…');
  }
  return {
    urls,
    maxLagSeconds: integer(env, 'VEZA_REPLICA_MAX_LAG_SECONDS', 10, 1, 3600),
    checkIntervalMs: integer(env, 'VEZA_REPLICA_CHECK_INTERVAL_MS', 1_000, 100, 60_000),
  };
}

const CRON = /^\S+( \S+){4,5}$/;

function schedules(env: Env): Record<string, string> {
  const raw = env.VEZA_JOB_SCHEDULES;
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('VEZA_JOB_SCHEDULES', 'must be a JSON object of job name to cron expression', raw);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('VEZA_JOB_SCHEDULES', 'must be a JSON object of job name to cron expression', raw);
  }
  for (const [job, cron] of Object.entries(parsed)) {
    if (typeof cron !== 'string' || !CRON.test(cron.trim())) {
      throw new ConfigError('VEZA_JOB_SCHEDULES', `has an invalid cron expression for ${job}`, String(cron));
    }
  }
  return parsed as Record<string, string>;
}

function jwtSecret(env: Env): string | undefined {
  const raw = env.VEZA_JWT_SECRET;
  if (raw === undefined || raw === '') return undefined;
  // Never echo a secret back, even a bad one.
  if (raw.length < 32)
    throw new ConfigError('VEZA_JWT_SECRET', 'must be at least 32 characters', `${raw.length} characters`);
  return raw;
}

function smtpUrl(env: Env): string | undefined {
  const raw = env.VEZA_SMTP_URL;
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // It may hold the relay's password: never echo it.
    throw new ConfigError('VEZA_SMTP_URL', 'must be an smtp:// or smtps:// URL', '<unparseable>');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new ConfigError('VEZA_SMTP_URL', 'must be an smtp:// or smtps:// URL', `${parsed.protocol}//…`);
  }
  return raw;
}

function publicUrl(env: Env): string {
  const raw = env.VEZA_PUBLIC_URL;
  if (raw === undefined || raw === '') return 'http://127.0.0.1:3000';
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('VEZA_PUBLIC_URL', 'must be an http:// or https:// URL', raw);
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search !== '' || parsed.hash !== '') {
    throw new ConfigError('VEZA_PUBLIC_URL', 'must be an http:// or https:// URL without query or fragment', raw);
  }
  return raw.replace(/\/+$/, '');
}

const MAIL_FROM = /^[^\r\n]{1,200}$/;

function mailFrom(env: Env): string {
  const raw = env.VEZA_MAIL_FROM;
  if (raw === undefined || raw === '') return 'Veza <no-reply@veza.localhost>';
  if (!MAIL_FROM.test(raw) || !raw.includes('@')) {
    throw new ConfigError('VEZA_MAIL_FROM', 'must be an address, e.g. "Veza <no-reply@example.org>"', raw);
  }
  return raw;
}

// Key ids start with a letter: JSON objects keep their insertion order only for non-numeric keys.
const KEY_ID = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

function encryptionKeys(env: Env): EncryptionKey[] | undefined {
  const name = 'VEZA_ENCRYPTION_KEYS';
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const shape = 'must be a JSON object of key id to base64 key, or a list of {"id", "key"}, oldest first';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Keys are secrets: never echo the value.
    throw new ConfigError(name, shape, '<not JSON>');
  }
  let entries: Array<[unknown, unknown]>;
  if (Array.isArray(parsed)) {
    entries = parsed.map((item: unknown) => {
      if (typeof item !== 'object' || item === null) throw new ConfigError(name, shape, '<not a list of objects>');
      const { id, key } = item as { id?: unknown; key?: unknown };
      return [id, key];
    });
  } else if (typeof parsed === 'object' && parsed !== null) {
    entries = Object.entries(parsed);
  } else {
    throw new ConfigError(name, shape, '<not an object>');
  }
  if (entries.length === 0) throw new ConfigError(name, 'must hold at least one key', '<empty>');
  const keys = entries.map(([id, key]): EncryptionKey => {
    if (typeof id !== 'string' || !KEY_ID.test(id)) {
      throw new ConfigError(name, 'has a key id that is not a letter then up to 31 of A-Z a-z 0-9 _ -', String(id));
    }
    const bytes = typeof key === 'string' && /^[A-Za-z0-9+/_-]+={0,2}$/.test(key) ? Buffer.from(key, 'base64') : null;
    if (!bytes || bytes.length !== 32) {
      throw new ConfigError(name, `needs key ${id} to be 32 bytes in base64`, '<hidden>');
    }
    return { id, key: bytes };
  });
  if (new Set(keys.map((key) => key.id)).size !== keys.length) {
    throw new ConfigError(name, 'has a key id twice', '<hidden>');
  }
  return keys;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An absolute https URL, or http on the loopback interface (development and tests); no fragment. */
function webUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.hash !== '' || url.username !== '' || url.password !== '') return undefined;
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return url;
  return undefined;
}

/** A non-secret setting as an error message shows it. */
const shown = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'nothing'));

const OIDC_PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,49}$/;
const OIDC_PROVIDER_KEYS = new Set(['issuer', 'client_id', 'client_secret', 'scopes']);

function oidcProviders(env: Env): Record<string, OidcProviderConfig> {
  const name = 'VEZA_OIDC_PROVIDERS';
  const raw = env[name];
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // The value holds client secrets: never echo it.
    throw new ConfigError(name, 'must be a JSON object of provider name to settings', '<not JSON>');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(name, 'must be a JSON object of provider name to settings', '<not an object>');
  }
  const providers: Record<string, OidcProviderConfig> = {};
  for (const [provider, settings] of Object.entries(parsed as Record<string, unknown>)) {
    if (!OIDC_PROVIDER_NAME.test(provider)) {
      throw new ConfigError(name, 'has a provider name that is not 1-50 of a-z, 0-9, _ or -', provider);
    }
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new ConfigError(name, `must map ${provider} to an object`, typeof settings);
    }
    const fields = settings as Record<string, unknown>;
    const unknown = Object.keys(fields).find((key) => !OIDC_PROVIDER_KEYS.has(key));
    if (unknown !== undefined) throw new ConfigError(name, `has an unknown field in ${provider}`, unknown);
    const issuer = webUrl(fields.issuer);
    if (!issuer || issuer.search !== '') {
      throw new ConfigError(
        name,
        `needs ${provider}.issuer: an https URL (http only on loopback) without query`,
        shown(fields.issuer),
      );
    }
    const clientId = fields.client_id;
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 255) {
      throw new ConfigError(name, `needs ${provider}.client_id: a string of 1-255 characters`, shown(clientId));
    }
    const clientSecret = fields.client_secret;
    if (typeof clientSecret !== 'string' || clientSecret.length === 0) {
      throw new ConfigError(name, `needs ${provider}.client_secret: a non-empty string`, '<hidden>');
    }
    const scopes = fields.scopes ?? 'openid email profile';
    if (typeof scopes !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(scopes)) {
      throw new ConfigError(name, `needs ${provider}.scopes: space-separated scope names`, shown(scopes));
    }
    if (!scopes.split(' ').includes('openid')) {
      throw new ConfigError(name, `needs ${provider}.scopes to include openid`, scopes);
    }
    // The issuer is kept as written: discovery compares it with the document's `issuer` exactly.
    providers[provider] = { issuer: String(fields.issuer), clientId, clientSecret, scopes };
  }
  return providers;
}

function oidcRedirectUris(env: Env): string[] {
  const raw = env.VEZA_OIDC_REDIRECT_URIS;
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const uri = entry.trim();
    if (!webUrl(uri)) {
      throw new ConfigError(
        'VEZA_OIDC_REDIRECT_URIS',
        'must be a comma-separated list of https URLs (http only on loopback) without fragment',
        uri,
      );
    }
    return uri;
  });
}

export function loadConfig(env: Env = process.env): Config {
  return {
    nodeEnv: env.NODE_ENV ?? 'development',
    databaseUrl: databaseUrl(env),
    dataDir: resolve(env.VEZA_DATA_DIR || resolve(projectRoot, '.veza', 'data')),
    embeddedPostgresPort: integer(env, 'VEZA_EMBEDDED_PG_PORT', 54315, 1024, 65535),
    db: {
      poolSize: integer(env, 'VEZA_DB_POOL_SIZE', 10, 1, 1000),
      connectTimeoutMs: integer(env, 'VEZA_DB_CONNECT_TIMEOUT_MS', 2_000, 1, 600_000),
      statementTimeoutMs: integer(env, 'VEZA_DB_STATEMENT_TIMEOUT_MS', 10_000, 0, 3_600_000),
      lockTimeoutMs: integer(env, 'VEZA_DB_LOCK_TIMEOUT_MS', 3_000, 0, 3_600_000),
      prepareStatements: boolean(env, 'VEZA_DB_PREPARE', true),
    },
    migrateOnStart: boolean(env, 'VEZA_MIGRATE_ON_START', true),
    jobs: { enabled: boolean(env, 'VEZA_JOBS_ENABLED', true), schedules: schedules(env) },
    http: {
      host: env.VEZA_HTTP_HOST || '127.0.0.1',
      port: integer(env, 'VEZA_HTTP_PORT', 3000, 0, 65535),
      trustedProxies: trustedProxies(env),
      corsOrigins: corsOrigins(env),
      rateLimits: rateLimitSettings(env),
      workers: workers(env),
    },
    metrics: {
      host: env.VEZA_METRICS_HOST || '127.0.0.1',
      port: env.VEZA_METRICS_PORT ? integer(env, 'VEZA_METRICS_PORT', 0, 1, 65535) : undefined,
    },
    logLevel: oneOf(env, 'VEZA_LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    auth: {
      jwtSecret: jwtSecret(env),
      accessTokenTtlSeconds: integer(env, 'VEZA_ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
      refreshTokenTtlDays: integer(env, 'VEZA_REFRESH_TOKEN_TTL_DAYS', 30, 1, 365),
      bcryptCost: integer(env, 'VEZA_BCRYPT_COST', 12, 4, 15),
      emailVerificationTtlHours: integer(env, 'VEZA_EMAIL_VERIFICATION_TTL_HOURS', 24, 1, 720),
      passwordResetTtlMinutes: integer(env, 'VEZA_PASSWORD_RESET_TTL_MINUTES', 60, 5, 1440),
      lockout: {
        maxFailuresPerIdentifier: integer(env, 'VEZA_LOGIN_MAX_FAILURES', 5, 1, 1000),
        maxFailuresPerIp: integer(env, 'VEZA_LOGIN_MAX_FAILURES_PER_IP', 50, 1, 100_000),
        windowSeconds: integer(env, 'VEZA_LOGIN_WINDOW_SECONDS', 3600, 1, 604_800),
        lockSeconds: integer(env, 'VEZA_LOGIN_LOCK_SECONDS', 60, 1, 86_400),
      },
    },
    mail: { smtpUrl: smtpUrl(env), from: mailFrom(env), publicUrl: publicUrl(env) },
    encryption: { keys: encryptionKeys(env) },
    oidc: { providers: oidcProviders(env), redirectUris: oidcRedirectUris(env) },
    redis: { url: redisUrl(env) },
    readReplicas: readReplicas(env),
    chat: chatGatewayConfig(env),
    files: filesConfig(env, resolve(env.VEZA_DATA_DIR || resolve(projectRoot, '.veza', 'data'))),
    market: marketConfig(env),
    cloud: { allowPrivateHosts: cloudAllowPrivateHosts(env) },
    analytics: { kAnonymity: integer(env, 'VEZA_ANALYTICS_K_ANONYMITY', 5, 5, 1000) },
  };
}

function cloudAllowPrivateHosts(env: Env): boolean {
  const allowed = boolean(env, 'VEZA_CLOUD_ALLOW_PRIVATE_HOSTS', false);
  if (allowed && env.NODE_ENV === 'production') {
    throw new ConfigError('VEZA_CLOUD_ALLOW_PRIVATE_HOSTS', 'must not be set when NODE_ENV=production', 'true');
  }
  return allowed;
}

/** A plain decimal ("0.15", "20", "12.5") with at most `decimals` decimals as an integer of its smallest unit. */
function decimalUnits(raw: string, decimals: number): number | undefined {
  const match = new RegExp(`^(\\d{1,9})(?:\\.(\\d{1,${decimals}}))?$`).exec(raw);
  if (!match) return undefined;
  return Number(match[1]) * 10 ** decimals + Number((match[2] ?? '').padEnd(decimals, '0'));
}

const RATE_RULE = 'must be a decimal from 0 to 1 with at most 6 decimals';

function ratePpm(name: string, raw: string): number {
  const ppm = decimalUnits(raw, 6);
  if (ppm === undefined || ppm > 1_000_000) throw new ConfigError(name, RATE_RULE, raw);
  return ppm;
}

/** The marketplace's money settings (ADRs 0071-0074); exported for the marketplace's own tests and scripts. */
export function marketConfig(env: Env): MarketConfig {
  const taxRatesPpm: Record<string, number> = {};
  const taxRates = env.VEZA_MARKET_TAX_RATES ?? '';
  for (const entry of taxRates.split(',').filter((e) => e.trim() !== '')) {
    const [country, rate, extra] = entry.trim().split(':');
    if (!country || !/^[A-Z]{2}$/.test(country) || rate === undefined || extra !== undefined) {
      throw new ConfigError('VEZA_MARKET_TAX_RATES', 'must look like FR:0.2,DE:0.19', taxRates);
    }
    taxRatesPpm[country] = ratePpm('VEZA_MARKET_TAX_RATES', rate);
  }
  const minimum = env.VEZA_MARKET_PAYOUT_MINIMUM || '20.00';
  const payoutMinimumCents = decimalUnits(minimum, 2);
  // The largest DECIMAL(10,2), the type of seller_payouts.amount.
  if (payoutMinimumCents === undefined || payoutMinimumCents === 0 || payoutMinimumCents > 9_999_999_999) {
    throw new ConfigError('VEZA_MARKET_PAYOUT_MINIMUM', 'must be a positive amount with at most 2 decimals', minimum);
  }
  const commission = env.VEZA_MARKET_COMMISSION_RATE || '0.15';
  return {
    commissionRatePpm: ratePpm('VEZA_MARKET_COMMISSION_RATE', commission),
    taxRatesPpm,
    orderTtlMinutes: integer(env, 'VEZA_MARKET_ORDER_TTL_MINUTES', 30, 1, 7 * 24 * 60),
    holdDays: integer(env, 'VEZA_MARKET_HOLD_DAYS', 14, 0, 365),
    payoutMinimumCents,
    stripeSecretKey: env.VEZA_STRIPE_SECRET_KEY || undefined,
    stripeWebhookSecret: env.VEZA_STRIPE_WEBHOOK_SECRET || undefined,
    stripeConnectWebhookSecret: env.VEZA_STRIPE_CONNECT_WEBHOOK_SECRET || undefined,
  };
}

export interface ChatGatewayConfig {
  /** VEZA_NATS_URL: fan-out through NATS; unset: PostgreSQL LISTEN/NOTIFY (ADR 0054). */
  natsUrl: string | undefined;
  /** Per-connection limits of the WebSocket gateway (ADR 0055, src/domains/chat/gateway/protocol.ts). */
  maxFrameBytes: number;
  maxBufferedBytes: number;
  authTimeoutMs: number;
  heartbeatMs: number;
  accountCheckMs: number;
  framesPerSecond: number;
  frameBurst: number;
  /** Presence across instances (ADR 0059): each instance renews its users' connection leases this often... */
  presenceRenewMs: number;
  /** ...each lease lasting this long, so a dead instance's users read as offline this long after its last renewal. */
  presenceLeaseMs: number;
}

function chatGatewayConfig(env: Env): ChatGatewayConfig {
  const natsUrl = env.VEZA_NATS_URL || undefined;
  if (natsUrl !== undefined && !/^(nats|tls):\/\/[^\s/]+/.test(natsUrl)) {
    throw new ConfigError('VEZA_NATS_URL', 'must be a nats:// or tls:// URL', '<hidden>');
  }
  const presenceRenewMs = integer(env, 'VEZA_CHAT_PRESENCE_RENEW_MS', 10_000, 50, 3_600_000);
  const presenceLeaseMs = integer(env, 'VEZA_CHAT_PRESENCE_LEASE_MS', 30_000, 100, 7_200_000);
  // A lease must outlive a late renewal, or connected users would flicker offline.
  if (presenceLeaseMs < 2 * presenceRenewMs) {
    throw new ConfigError(
      'VEZA_CHAT_PRESENCE_LEASE_MS',
      `must be at least twice VEZA_CHAT_PRESENCE_RENEW_MS (${presenceRenewMs})`,
      String(presenceLeaseMs),
    );
  }
  return {
    natsUrl,
    maxFrameBytes: integer(env, 'VEZA_CHAT_WS_MAX_FRAME_BYTES', 16_384, 1024, 1_048_576),
    maxBufferedBytes: integer(env, 'VEZA_CHAT_WS_MAX_BUFFERED_BYTES', 1_048_576, 4096, 67_108_864),
    authTimeoutMs: integer(env, 'VEZA_CHAT_WS_AUTH_TIMEOUT_MS', 10_000, 100, 120_000),
    heartbeatMs: integer(env, 'VEZA_CHAT_WS_HEARTBEAT_MS', 25_000, 100, 300_000),
    accountCheckMs: integer(env, 'VEZA_CHAT_WS_ACCOUNT_CHECK_MS', 30_000, 100, 3_600_000),
    framesPerSecond: integer(env, 'VEZA_CHAT_WS_FRAMES_PER_SECOND', 10, 1, 10_000),
    frameBurst: integer(env, 'VEZA_CHAT_WS_FRAME_BURST', 30, 1, 100_000),
    presenceRenewMs,
    presenceLeaseMs,
  };
}

function filesConfig(env: Env, dataDir: string): FilesConfig {
  const storage = oneOf(env, 'VEZA_STORAGE', 'local', ['local', 's3']) as FilesConfig['storage'];
  const endpoint = env.VEZA_S3_ENDPOINT || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigError('VEZA_S3_ENDPOINT', 'must be an http:// or https:// URL', endpoint);
  }
  const bucket = env.VEZA_S3_BUCKET ?? '';
  // Bucket naming rules of S3 (3-63 lower-case letters, digits, dots, hyphens).
  if (storage === 's3' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError(
      'VEZA_S3_BUCKET',
      'must name a bucket (3-63 of a-z, 0-9, . and -) when VEZA_STORAGE=s3',
      bucket,
    );
  }
  const accessKeyId = env.VEZA_S3_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.VEZA_S3_SECRET_ACCESS_KEY || undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError('VEZA_S3_ACCESS_KEY_ID', 'and VEZA_S3_SECRET_ACCESS_KEY must be set together', '<hidden>');
  }
  return {
    storage,
    localRoot: resolve(env.VEZA_FILES_DIR || resolve(dataDir, 'files')),
    s3: {
      endpoint,
      bucket,
      region: env.VEZA_S3_REGION || 'us-east-1',
      accessKeyId,
      secretAccessKey,
      forcePathStyle: boolean(env, 'VEZA_S3_FORCE_PATH_STYLE', endpoint !== undefined),
    },
    maxBytes: integer(env, 'VEZA_FILES_MAX_BYTES', 2 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    quotaBytes: integer(env, 'VEZA_FILES_QUOTA_BYTES', 10 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    imageMaxBytes: integer(env, 'VEZA_FILES_IMAGE_MAX_BYTES', 20 * 1024 ** 2, 1, 1024 ** 3),
    uploadExpiryHours: integer(env, 'VEZA_UPLOAD_EXPIRY_HOURS', 24, 1, 24 * 30),
    archives: {
      maxEntries: integer(env, 'VEZA_ARCHIVE_MAX_ENTRIES', 5_000, 1, 1_000_000),
      maxTotalBytes: integer(env, 'VEZA_ARCHIVE_MAX_BYTES', 4 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
      maxRatio: integer(env, 'VEZA_ARCHIVE_MAX_RATIO', 100, 1, 100_000),
      ratioFloorBytes: 1024 ** 2,
    },
    processing: {
      scanner: env.VEZA_CLAMSCAN === 'none' ? null : env.VEZA_CLAMSCAN || 'clamscan',
      clamavDatabaseDir: env.VEZA_CLAMAV_DATABASE || null,
      ffmpeg: env.VEZA_FFMPEG || 'ffmpeg',
      ffprobe: env.VEZA_FFPROBE || 'ffprobe',
      toolTimeoutSeconds: integer(env, 'VEZA_FILES_TOOL_TIMEOUT_SECONDS', 1_800, 10, 86_400),
    },
  };
}
