import { availableParallelism } from 'node:os';
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

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

test('every variable is read', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://u@db.example:5433/veza',
    VEZA_DATABASE_READ_URLS: 'postgres://u@replica-1.example:5433/veza, postgres://u@replica-2.example/veza',
    VEZA_REPLICA_MAX_LAG_SECONDS: '5',
    VEZA_REPLICA_CHECK_INTERVAL_MS: '500',
    VEZA_DATA_DIR: '/srv/veza',
    VEZA_EMBEDDED_PG_PORT: '6000',
    VEZA_DB_POOL_SIZE: '50',
    VEZA_DB_STATEMENT_TIMEOUT_MS: '2500',
    VEZA_DB_LOCK_TIMEOUT_MS: '500',
    VEZA_DB_CONNECT_TIMEOUT_MS: '1500',
    VEZA_DB_PREPARE: 'false',
    VEZA_MIGRATE_ON_START: 'false',
    VEZA_JOBS_ENABLED: 'false',
    VEZA_JOB_SCHEDULES: '{"retention.sessions": "0 4 * * *"}',
    VEZA_HTTP_HOST: '0.0.0.0',
    VEZA_HTTP_PORT: '8080',
    VEZA_WORKERS: '3',
    VEZA_METRICS_HOST: '10.0.0.5',
    VEZA_METRICS_PORT: '9464',
    VEZA_LOG_LEVEL: 'warn',
    VEZA_CLOUD_ALLOW_PRIVATE_HOSTS: 'false',
    NODE_ENV: 'production',
    VEZA_JWT_SECRET: 'a-secret-that-is-long-enough-for-hs256',
    VEZA_ACCESS_TOKEN_TTL_SECONDS: '300',
    VEZA_REFRESH_TOKEN_TTL_DAYS: '7',
    VEZA_BCRYPT_COST: '13',
    VEZA_EMAIL_VERIFICATION_TTL_HOURS: '48',
    VEZA_PASSWORD_RESET_TTL_MINUTES: '30',
    VEZA_LOGIN_MAX_FAILURES: '8',
    VEZA_LOGIN_MAX_FAILURES_PER_IP: '80',
    VEZA_LOGIN_WINDOW_SECONDS: '1800',
    VEZA_LOGIN_LOCK_SECONDS: '120',
    VEZA_SMTP_URL: 'smtps://veza:relay-password@mail.example:465',
    VEZA_MAIL_FROM: 'Veza <hello@veza.example>',
    VEZA_PUBLIC_URL: 'https://veza.example/',
    VEZA_ENCRYPTION_KEYS: JSON.stringify({ k2024: KEY_A, k2025: KEY_B }),
    VEZA_OIDC_PROVIDERS: JSON.stringify({
      acme: {
        issuer: 'https://id.acme.example',
        client_id: 'veza',
        client_secret: 'acme-secret',
        scopes: 'openid email',
      },
    }),
    VEZA_OIDC_REDIRECT_URIS: 'https://veza.example/auth/callback, http://127.0.0.1:5173/callback',
    VEZA_TRUSTED_PROXIES: '10.0.0.0/8, loopback',
    VEZA_CORS_ORIGINS: 'https://app.veza.example,http://127.0.0.1:5173',
    VEZA_RATE_LIMIT_PER_MINUTE: '1200',
    VEZA_RATE_LIMITS: '{"register": {"max": 3, "window_seconds": 60}}',
    VEZA_REDIS_URL: 'redis://:redis-password@cache.example:6379/2',
    VEZA_STORAGE: 's3',
    VEZA_S3_ENDPOINT: 'https://s3.veza.example',
    VEZA_S3_BUCKET: 'veza-masters',
    VEZA_S3_REGION: 'eu-west-3',
    VEZA_S3_ACCESS_KEY_ID: 'AKIAVEZA',
    VEZA_S3_SECRET_ACCESS_KEY: 's3-secret',
    VEZA_S3_FORCE_PATH_STYLE: 'false',
    VEZA_FILES_DIR: '/mnt/files',
    VEZA_FILES_MAX_BYTES: '1000000',
    VEZA_FILES_QUOTA_BYTES: '5000000',
    VEZA_FILES_IMAGE_MAX_BYTES: '20000',
    VEZA_UPLOAD_EXPIRY_HOURS: '6',
    VEZA_NATS_URL: 'nats://broker.example:4222',
    VEZA_CHAT_WS_MAX_FRAME_BYTES: '8192',
    VEZA_CHAT_WS_MAX_BUFFERED_BYTES: '524288',
    VEZA_CHAT_WS_AUTH_TIMEOUT_MS: '5000',
    VEZA_CHAT_WS_HEARTBEAT_MS: '20000',
    VEZA_CHAT_WS_ACCOUNT_CHECK_MS: '15000',
    VEZA_CHAT_WS_FRAMES_PER_SECOND: '20',
    VEZA_CHAT_WS_FRAME_BURST: '40',
    VEZA_MARKET_COMMISSION_RATE: '0.125',
    VEZA_MARKET_TAX_RATES: 'FR:0.2, DE:0.19',
    VEZA_MARKET_ORDER_TTL_MINUTES: '45',
    VEZA_MARKET_HOLD_DAYS: '30',
    VEZA_MARKET_PAYOUT_MINIMUM: '50.5',
    VEZA_STRIPE_SECRET_KEY: 'sk_live_secret',
    VEZA_STRIPE_WEBHOOK_SECRET: 'whsec_secret',
    VEZA_STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_connect',
  });
  assert.deepEqual(config, {
    nodeEnv: 'production',
    databaseUrl: 'postgres://u@db.example:5433/veza',
    dataDir: '/srv/veza',
    embeddedPostgresPort: 6000,
    db: {
      poolSize: 50,
      statementTimeoutMs: 2500,
      lockTimeoutMs: 500,
      connectTimeoutMs: 1500,
      prepareStatements: false,
    },
    migrateOnStart: false,
    jobs: { enabled: false, schedules: { 'retention.sessions': '0 4 * * *' } },
    http: {
      host: '0.0.0.0',
      port: 8080,
      trustedProxies: ['10.0.0.0/8', 'loopback'],
      corsOrigins: ['https://app.veza.example', 'http://127.0.0.1:5173'],
      rateLimits: { defaultPerMinute: 1200, overrides: { register: { max: 3, windowSeconds: 60 } } },
      workers: 3,
    },
    metrics: { host: '10.0.0.5', port: 9464 },
    logLevel: 'warn',
    auth: {
      jwtSecret: 'a-secret-that-is-long-enough-for-hs256',
      accessTokenTtlSeconds: 300,
      refreshTokenTtlDays: 7,
      bcryptCost: 13,
      emailVerificationTtlHours: 48,
      passwordResetTtlMinutes: 30,
      lockout: { maxFailuresPerIdentifier: 8, maxFailuresPerIp: 80, windowSeconds: 1800, lockSeconds: 120 },
    },
    mail: {
      smtpUrl: 'smtps://veza:relay-password@mail.example:465',
      from: 'Veza <hello@veza.example>',
      publicUrl: 'https://veza.example',
    },
    encryption: {
      keys: [
        { id: 'k2024', key: Buffer.from(KEY_A, 'base64') },
        { id: 'k2025', key: Buffer.from(KEY_B, 'base64') },
      ],
    },
    oidc: {
      providers: {
        acme: {
          issuer: 'https://id.acme.example',
          clientId: 'veza',
          clientSecret: 'acme-secret',
          scopes: 'openid email',
        },
      },
      redirectUris: ['https://veza.example/auth/callback', 'http://127.0.0.1:5173/callback'],
    },
    redis: { url: 'redis://:redis-password@cache.example:6379/2' },
    readReplicas: {
      urls: ['postgres://u@replica-1.example:5433/veza', 'postgres://u@replica-2.example/veza'],
      maxLagSeconds: 5,
      checkIntervalMs: 500,
    },
    chat: {
      natsUrl: 'nats://broker.example:4222',
      maxFrameBytes: 8192,
      maxBufferedBytes: 524_288,
      authTimeoutMs: 5000,
      heartbeatMs: 20_000,
      accountCheckMs: 15_000,
      framesPerSecond: 20,
      frameBurst: 40,
      presenceRenewMs: 10_000,
      presenceLeaseMs: 30_000,
    },
    files: {
      storage: 's3',
      localRoot: '/mnt/files',
      s3: {
        endpoint: 'https://s3.veza.example',
        bucket: 'veza-masters',
        region: 'eu-west-3',
        accessKeyId: 'AKIAVEZA',
        secretAccessKey: 's3-secret',
        forcePathStyle: false,
      },
      maxBytes: 1_000_000,
      quotaBytes: 5_000_000,
      imageMaxBytes: 20_000,
      uploadExpiryHours: 6,
      archives: { maxEntries: 5_000, maxTotalBytes: 4 * 1024 ** 3, maxRatio: 100, ratioFloorBytes: 1024 ** 2 },
      // The processing programs' settings are checked by their own test.
      processing: config.files.processing,
    },
    market: {
      commissionRatePpm: 125_000,
      taxRatesPpm: { FR: 200_000, DE: 190_000 },
      orderTtlMinutes: 45,
      holdDays: 30,
      payoutMinimumCents: 5050,
      stripeSecretKey: 'sk_live_secret',
      stripeWebhookSecret: 'whsec_secret',
      stripeConnectWebhookSecret: 'whsec_connect',
    },
    // Production refuses VEZA_CLOUD_ALLOW_PRIVATE_HOSTS=true (cloud.accounts.test.ts); false is read as false.
    cloud: { allowPrivateHosts: false },
    analytics: { kAnonymity: 5 },
  });
});

test('marketplace money settings: documented defaults, exact decimals, refused values name the variable', () => {
  assert.deepEqual(loadConfig({}).market, {
    commissionRatePpm: 150_000,
    taxRatesPpm: {},
    orderTtlMinutes: 30,
    holdDays: 14,
    payoutMinimumCents: 2000,
    stripeSecretKey: undefined,
    stripeWebhookSecret: undefined,
    stripeConnectWebhookSecret: undefined,
  });
  // 0.1 + 0.2 through a float would not be exact; parsed as integers it is.
  assert.equal(loadConfig({ VEZA_MARKET_COMMISSION_RATE: '0.000001' }).market.commissionRatePpm, 1);
  assert.equal(loadConfig({ VEZA_MARKET_COMMISSION_RATE: '1' }).market.commissionRatePpm, 1_000_000);
  const refused: [Record<string, string>, RegExp][] = [
    [{ VEZA_MARKET_COMMISSION_RATE: '1.5' }, /VEZA_MARKET_COMMISSION_RATE must be a decimal from 0 to 1/],
    [{ VEZA_MARKET_COMMISSION_RATE: '0.1234567' }, /VEZA_MARKET_COMMISSION_RATE must be a decimal/],
    [{ VEZA_MARKET_COMMISSION_RATE: '-0.1' }, /VEZA_MARKET_COMMISSION_RATE/],
    [{ VEZA_MARKET_COMMISSION_RATE: '1e-1' }, /VEZA_MARKET_COMMISSION_RATE/],
    [{ VEZA_MARKET_TAX_RATES: 'fr:0.2' }, /VEZA_MARKET_TAX_RATES must look like FR:0.2,DE:0.19/],
    [{ VEZA_MARKET_TAX_RATES: 'FR=0.2' }, /VEZA_MARKET_TAX_RATES must look like/],
    [{ VEZA_MARKET_TAX_RATES: 'FR:2' }, /VEZA_MARKET_TAX_RATES must be a decimal from 0 to 1/],
    [{ VEZA_MARKET_ORDER_TTL_MINUTES: '0' }, /VEZA_MARKET_ORDER_TTL_MINUTES must be an integer from 1 to 10080/],
    [{ VEZA_MARKET_HOLD_DAYS: '14.5' }, /VEZA_MARKET_HOLD_DAYS must be an integer from 0 to 365/],
    [{ VEZA_MARKET_PAYOUT_MINIMUM: '0' }, /VEZA_MARKET_PAYOUT_MINIMUM must be a positive amount/],
    [{ VEZA_MARKET_PAYOUT_MINIMUM: '20.001' }, /VEZA_MARKET_PAYOUT_MINIMUM must be a positive amount/],
    [{ VEZA_MARKET_PAYOUT_MINIMUM: '100000000' }, /VEZA_MARKET_PAYOUT_MINIMUM/],
  ];
  for (const [env, message] of refused) assert.throws(() => loadConfig(env), message, JSON.stringify(env));
});

test('a bad value names the variable and the rule', () => {
  assert.throws(() => loadConfig({ VEZA_DB_POOL_SIZE: 'lots' }), /VEZA_DB_POOL_SIZE must be an integer from 1 to 1000/);
  assert.throws(() => loadConfig({ VEZA_DB_POOL_SIZE: '0' }), ConfigError);
  assert.throws(() => loadConfig({ VEZA_MIGRATE_ON_START: 'perhaps' }), /VEZA_MIGRATE_ON_START must be true or false/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x@y/z' }), /DATABASE_URL must be a postgres:\/\/ URL/);
  assert.throws(() => loadConfig({ VEZA_LOG_LEVEL: 'loud' }), /VEZA_LOG_LEVEL must be one of/);
  assert.throws(() => loadConfig({ VEZA_WORKERS: '0' }), /VEZA_WORKERS must be "auto" or an integer from 1 to 64/);
  assert.throws(() => loadConfig({ VEZA_WORKERS: 'all' }), /VEZA_WORKERS must be "auto" or an integer/);
  assert.equal(loadConfig({ VEZA_WORKERS: 'auto' }).http.workers, availableParallelism());
  assert.equal(loadConfig({}).http.workers, 1);
  assert.throws(
    () => loadConfig({ VEZA_JOB_SCHEDULES: '{"retention.sessions": "daily"}' }),
    /invalid cron expression for retention.sessions/,
  );
  assert.throws(() => loadConfig({ VEZA_JOB_SCHEDULES: '[1]' }), /VEZA_JOB_SCHEDULES must be a JSON object/);
  assert.throws(
    () => loadConfig({ VEZA_CHAT_PRESENCE_RENEW_MS: '5000', VEZA_CHAT_PRESENCE_LEASE_MS: '9000' }),
    /VEZA_CHAT_PRESENCE_LEASE_MS must be at least twice VEZA_CHAT_PRESENCE_RENEW_MS \(5000\)/,
  );
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

test('OIDC providers: lower-case names, https issuers (http on loopback only), openid scope; secrets never echoed', () => {
  const providers = (value: unknown) => ({ VEZA_OIDC_PROVIDERS: JSON.stringify(value) });
  const valid = { issuer: 'http://127.0.0.1:4000', client_id: 'veza', client_secret: 'hunter2-secret' };
  assert.deepEqual(loadConfig(providers({ local: valid })).oidc.providers, {
    local: {
      issuer: 'http://127.0.0.1:4000',
      clientId: 'veza',
      clientSecret: 'hunter2-secret',
      scopes: 'openid email profile',
    },
  });
  assert.deepEqual(loadConfig({}).oidc, { providers: {}, redirectUris: [] });
  const refused: [unknown, RegExp][] = [
    [{ Google: valid }, /provider name/],
    [{ acme: { ...valid, issuer: 'http://id.acme.example' } }, /acme.issuer: an https URL/],
    [{ acme: { ...valid, issuer: 'not a url' } }, /acme.issuer/],
    [{ acme: { ...valid, client_id: '' } }, /acme.client_id/],
    [{ acme: { ...valid, client_secret: 7 } }, /acme.client_secret/],
    [{ acme: { ...valid, scopes: 'email profile' } }, /include openid/],
    [{ acme: { ...valid, tenant: 'x' } }, /unknown field in acme/],
    [{ acme: 'https://id.acme.example' }, /map acme to an object/],
    [[valid], /JSON object/],
  ];
  for (const [value, message] of refused) {
    assert.throws(
      () => loadConfig(providers(value)),
      (error: Error) =>
        error instanceof ConfigError &&
        /^VEZA_OIDC_PROVIDERS /.test(error.message) &&
        message.test(error.message) &&
        !error.message.includes('hunter2'),
      JSON.stringify(value),
    );
  }
  assert.throws(
    () => loadConfig({ VEZA_OIDC_PROVIDERS: '{"acme": {"client_secret": "hunter2-secret"' }),
    (error: Error) =>
      /VEZA_OIDC_PROVIDERS must be a JSON object/.test(error.message) && !error.message.includes('hunter2'),
  );
});

test('OIDC redirect URIs: https, or http on loopback, no fragment', () => {
  assert.deepEqual(
    loadConfig({ VEZA_OIDC_REDIRECT_URIS: 'https://a.example/cb,http://localhost:3000/cb' }).oidc.redirectUris,
    ['https://a.example/cb', 'http://localhost:3000/cb'],
  );
  for (const bad of ['http://a.example/cb', 'https://a.example/cb#x', '/relative', 'javascript:alert(1)'])
    assert.throws(
      () => loadConfig({ VEZA_OIDC_REDIRECT_URIS: bad }),
      /VEZA_OIDC_REDIRECT_URIS must be a comma-separated/,
    );
});

test('auth defaults: the documented lockout, token lifetimes and bcrypt cost; mail to the outbox; generated keys', () => {
  const config = loadConfig({});
  assert.deepEqual(config.auth.lockout, {
    maxFailuresPerIdentifier: 5,
    maxFailuresPerIp: 50,
    windowSeconds: 3600,
    lockSeconds: 60,
  });
  assert.equal(config.auth.refreshTokenTtlDays, 30);
  assert.equal(config.auth.bcryptCost, 12);
  assert.equal(config.auth.emailVerificationTtlHours, 24);
  assert.equal(config.auth.passwordResetTtlMinutes, 60);
  assert.deepEqual(config.mail, {
    smtpUrl: undefined,
    from: 'Veza <no-reply@veza.localhost>',
    publicUrl: 'http://127.0.0.1:3000',
  });
  assert.deepEqual(config.encryption, { keys: undefined });
});

test('encryption keys: an object or a list, oldest first; 32-byte keys; never echoed', () => {
  const listed = loadConfig({
    VEZA_ENCRYPTION_KEYS: JSON.stringify([
      { id: 'old', key: KEY_A },
      { id: 'new', key: KEY_B },
    ]),
  });
  assert.deepEqual(
    listed.encryption.keys?.map((key) => key.id),
    ['old', 'new'],
  );
  const secret = Buffer.alloc(16, 7).toString('base64');
  const refused: [string, RegExp][] = [
    ['not json', /must be a JSON object/],
    ['{}', /at least one key/],
    [JSON.stringify({ '1': KEY_A }), /key id/],
    [JSON.stringify({ short: secret }), /key short to be 32 bytes/],
    [
      JSON.stringify([
        { id: 'a', key: KEY_A },
        { id: 'a', key: KEY_B },
      ]),
      /key id twice/,
    ],
    ['7', /must be a JSON object/],
  ];
  for (const [value, message] of refused) {
    assert.throws(
      () => loadConfig({ VEZA_ENCRYPTION_KEYS: value }),
      (error: Error) =>
        error instanceof ConfigError &&
        message.test(error.message) &&
        !error.message.includes(secret) &&
        !error.message.includes(KEY_A),
      value,
    );
  }
});

test('mail settings: SMTP URLs only, never echoed; a public URL without query; a one-line sender', () => {
  assert.throws(
    () => loadConfig({ VEZA_SMTP_URL: 'http://user:hunter2@mail.example' }),
    (error: Error) => /VEZA_SMTP_URL must be an smtp/.test(error.message) && !error.message.includes('hunter2'),
  );
  assert.throws(
    () => loadConfig({ VEZA_SMTP_URL: 'not a url hunter2' }),
    (error: Error) => /VEZA_SMTP_URL/.test(error.message) && !error.message.includes('hunter2'),
  );
  assert.throws(() => loadConfig({ VEZA_PUBLIC_URL: 'ftp://veza.example' }), /VEZA_PUBLIC_URL must be/);
  assert.throws(() => loadConfig({ VEZA_PUBLIC_URL: 'https://veza.example/?a=1' }), /without query/);
  assert.throws(() => loadConfig({ VEZA_MAIL_FROM: 'Veza <a@b.example>\nBcc: x@y.example' }), /VEZA_MAIL_FROM/);
  assert.throws(() => loadConfig({ VEZA_BCRYPT_COST: '3' }), /VEZA_BCRYPT_COST must be an integer from 4 to 15/);
});
