import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app/build-app.ts';
import { loadConfig, type Config } from '../../src/platform/config/config.ts';
import { AccessTokens, createAuthenticator } from '../../src/domains/auth/index.ts';
import { loadConstraintColumns } from '../../src/platform/db/constraint-columns.ts';
import { listMigrationFiles } from '../../src/platform/db/migrations.ts';
import { openPool, type Pool } from '../../src/platform/db/pool.ts';
import type { HttpServer } from '../../src/platform/http/server.ts';
import { dropDatabase, migratedDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  app: HttpServer;
  pool: Pool;
  database: TestDatabase;
  /** Signs access tokens the app accepts, e.g. `accessTokens.issue({ userId, tokenVersion: 0, role: 'user' })`. */
  accessTokens: AccessTokens;
}

export const TEST_JWT_SECRET = 'test-secret-of-the-veza-test-suite-not-for-production';

/** The configuration a test app runs with: this database, a fixed JWT secret, quiet logs, no scheduler. */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    VEZA_JWT_SECRET: TEST_JWT_SECRET,
    VEZA_LOG_LEVEL: 'silent',
    VEZA_JOBS_ENABLED: 'false',
    VEZA_DATA_DIR: join(tmpdir(), 'veza-test-data'),
    // bcrypt's cheapest cost: password hashing is not what the tests measure.
    VEZA_BCRYPT_COST: '4',
    ...env,
  });
}

export interface TestAppOptions {
  /**
   * Environment variables for testConfig, read when the app is built (inside `before`), so that they may
   * name things made at run time, e.g. `{ VEZA_SMTP_URL: smtp.url }` of a test SMTP server started earlier.
   */
  env?: () => Record<string, string> | Promise<Record<string, string>>;
}

/** The whole application on the test file's own migrated database, for `app.inject()`. */
export function useTestApp(options: TestAppOptions = {}): { readonly current: TestApp } {
  let testApp: TestApp | undefined;
  // One hook does everything, in order: a second before() could run before this one has finished.
  before(async () => {
    const database = await migratedDatabase();
    const pool = openPool(database.url, {
      poolSize: 4,
      // The suite runs four files at once on two cores: a new connection can take seconds to be accepted then.
      // The production bound (2 s, ADR 0029) is tested where it matters, with its own pools.
      connectTimeoutMs: 10_000,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 3_000,
      prepareStatements: true,
    });
    const accessTokens = new AccessTokens(TEST_JWT_SECRET, 900);
    let app: HttpServer | undefined;
    try {
      app = await buildApp({
        pool,
        config: testConfig(database.url, (await options.env?.()) ?? {}),
        accessTokens,
        authenticate: createAuthenticator(accessTokens, pool.db),
        latestMigrationVersion: listMigrationFiles().at(-1)?.version ?? 0,
        constraintColumns: await loadConstraintColumns(pool.db),
        logLevel: 'silent',
      });
      await app.ready();
    } catch (error) {
      // A failed start leaves nothing open behind it (a pool, a Redis client, the database): the file's tests
      // fail, and its process still ends.
      await app?.close().catch(() => {});
      await pool.close().catch(() => {});
      await dropDatabase(database).catch(() => {});
      throw error;
    }
    testApp = { app, pool, database, accessTokens };
  });
  after(async () => {
    await testApp?.app.close();
    await testApp?.pool.close();
    if (testApp) await dropDatabase(testApp.database);
  });
  return {
    get current() {
      if (!testApp) throw new Error('the test app is only available inside tests');
      return testApp;
    },
  };
}
