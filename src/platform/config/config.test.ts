import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('defaults: embedded database, local HTTP, migrations on start', () => {
  const config = loadConfig({});
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.http.host, '127.0.0.1');
  assert.equal(config.http.port, 3000);
  assert.equal(config.migrateOnStart, true);
  assert.equal(config.db.prepareStatements, true);
  assert.match(config.dataDir, /\.veza\/data$/);
});

test('every variable is read', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://u@db.example:5433/veza',
    VEZA_DATA_DIR: '/srv/veza',
    VEZA_EMBEDDED_PG_PORT: '6000',
    VEZA_DB_POOL_SIZE: '50',
    VEZA_DB_STATEMENT_TIMEOUT_MS: '2500',
    VEZA_DB_LOCK_TIMEOUT_MS: '500',
    VEZA_DB_PREPARE: 'false',
    VEZA_MIGRATE_ON_START: 'false',
    VEZA_JOBS_ENABLED: 'false',
    VEZA_JOB_SCHEDULES: '{"retention.sessions": "0 4 * * *"}',
    VEZA_HTTP_HOST: '0.0.0.0',
    VEZA_HTTP_PORT: '8080',
    VEZA_LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    VEZA_JWT_SECRET: 'a-secret-that-is-long-enough-for-hs256',
    VEZA_ACCESS_TOKEN_TTL_SECONDS: '300',
  });
  assert.deepEqual(config, {
    nodeEnv: 'production',
    databaseUrl: 'postgres://u@db.example:5433/veza',
    dataDir: '/srv/veza',
    embeddedPostgresPort: 6000,
    db: { poolSize: 50, statementTimeoutMs: 2500, lockTimeoutMs: 500, prepareStatements: false },
    migrateOnStart: false,
    jobs: { enabled: false, schedules: { 'retention.sessions': '0 4 * * *' } },
    http: { host: '0.0.0.0', port: 8080 },
    logLevel: 'warn',
    auth: { jwtSecret: 'a-secret-that-is-long-enough-for-hs256', accessTokenTtlSeconds: 300 },
  });
});

test('a bad value names the variable and the rule', () => {
  assert.throws(() => loadConfig({ VEZA_DB_POOL_SIZE: 'lots' }), /VEZA_DB_POOL_SIZE must be an integer from 1 to 1000/);
  assert.throws(() => loadConfig({ VEZA_DB_POOL_SIZE: '0' }), ConfigError);
  assert.throws(() => loadConfig({ VEZA_MIGRATE_ON_START: 'perhaps' }), /VEZA_MIGRATE_ON_START must be true or false/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x@y/z' }), /DATABASE_URL must be a postgres:\/\/ URL/);
  assert.throws(() => loadConfig({ VEZA_LOG_LEVEL: 'loud' }), /VEZA_LOG_LEVEL must be one of/);
  assert.throws(
    () => loadConfig({ VEZA_JOB_SCHEDULES: '{"retention.sessions": "daily"}' }),
    /invalid cron expression for retention.sessions/,
  );
  assert.throws(() => loadConfig({ VEZA_JOB_SCHEDULES: '[1]' }), /VEZA_JOB_SCHEDULES must be a JSON object/);
});

test('a short JWT secret is refused without being echoed', () => {
  assert.throws(
    () => loadConfig({ VEZA_JWT_SECRET: 'hunter2' }),
    (error: Error) =>
      /VEZA_JWT_SECRET must be at least 32 characters/.test(error.message) && !error.message.includes('hunter2'),
  );
});

test('a malformed DATABASE_URL is reported without echoing it (it may hold a password)', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'not a url with secret' }),
    (error: Error) => !error.message.includes('secret'),
  );
});
