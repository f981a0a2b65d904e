import { resolve } from 'node:path';
import { projectRoot } from '../project-root.ts';

/** Everything Veza Core reads from its environment. Documented in README.md ("Configuration"). */
export interface Config {
  nodeEnv: string;
  /** A PostgreSQL URL, or undefined to run the embedded PostgreSQL 15. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  db: {
    poolSize: number;
    statementTimeoutMs: number;
    lockTimeoutMs: number;
    /** Server-side prepared statements; turn off behind PgBouncer in transaction mode. */
    prepareStatements: boolean;
  };
  migrateOnStart: boolean;
  jobs: {
    /** Run the maintenance jobs on their schedules inside `veza serve`. */
    enabled: boolean;
    /** Cron expression (UTC) per job name, overriding the job's default schedule. */
    schedules: Record<string, string>;
  };
  http: { host: string; port: number };
  logLevel: string;
  auth: {
    /** HMAC key of access tokens; unset outside production: one is generated into the data directory. */
    jwtSecret: string | undefined;
    accessTokenTtlSeconds: number;
  };
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

export function loadConfig(env: Env = process.env): Config {
  return {
    nodeEnv: env.NODE_ENV ?? 'development',
    databaseUrl: databaseUrl(env),
    dataDir: resolve(env.VEZA_DATA_DIR || resolve(projectRoot, '.veza', 'data')),
    embeddedPostgresPort: integer(env, 'VEZA_EMBEDDED_PG_PORT', 54315, 1024, 65535),
    db: {
      poolSize: integer(env, 'VEZA_DB_POOL_SIZE', 10, 1, 1000),
      statementTimeoutMs: integer(env, 'VEZA_DB_STATEMENT_TIMEOUT_MS', 10_000, 0, 3_600_000),
      lockTimeoutMs: integer(env, 'VEZA_DB_LOCK_TIMEOUT_MS', 3_000, 0, 3_600_000),
      prepareStatements: boolean(env, 'VEZA_DB_PREPARE', true),
    },
    migrateOnStart: boolean(env, 'VEZA_MIGRATE_ON_START', true),
    jobs: { enabled: boolean(env, 'VEZA_JOBS_ENABLED', true), schedules: schedules(env) },
    http: {
      host: env.VEZA_HTTP_HOST || '127.0.0.1',
      port: integer(env, 'VEZA_HTTP_PORT', 3000, 0, 65535),
    },
    logLevel: oneOf(env, 'VEZA_LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    auth: {
      jwtSecret: jwtSecret(env),
      accessTokenTtlSeconds: integer(env, 'VEZA_ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    },
  };
}
