import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import postgres from 'postgres';
import { withDatabase } from '../../src/platform/db/database-server.ts';
import { openPool, type Database, type Pool } from '../../src/platform/db/pool.ts';
import { ADMIN_URL_VARIABLE, TEMPLATE_VARIABLE } from './test-server.ts';

export interface TestDatabase {
  name: string;
  url: string;
  /** postgres.js, for fixtures and assertions written as its tagged templates. */
  sql: postgres.Sql;
  /** The application's pool (node-postgres + Kysely, ADR 0028) on this database, opened on first use. */
  readonly db: Database;
}

const applicationPools = new WeakMap<TestDatabase, Pool>();

function testDatabase(name: string, url: string): TestDatabase {
  const database: TestDatabase = {
    name,
    url,
    sql: postgres(url, { max: 4, onnotice: () => {} }),
    get db() {
      let pool = applicationPools.get(database);
      if (!pool) {
        pool = openPool(url, {
          poolSize: 4,
          connectTimeoutMs: 2_000,
          statementTimeoutMs: 30_000,
          lockTimeoutMs: 3_000,
          prepareStatements: true,
        });
        applicationPools.set(database, pool);
      }
      return pool.db;
    },
  };
  return database;
}

function required(variable: string): string {
  const value = process.env[variable];
  if (!value) throw new Error(`${variable} is not set: run the tests with "npm test" (its global setup sets it)`);
  return value;
}

export function adminUrl(): string {
  return required(ADMIN_URL_VARIABLE);
}

async function createDatabase(template: string | undefined): Promise<TestDatabase> {
  const name = `veza_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await admin.end();
  }
  return testDatabase(name, withDatabase(adminUrl(), name));
}

export async function dropDatabase(database: TestDatabase): Promise<void> {
  await database.sql.end();
  await applicationPools.get(database)?.close();
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** A new database cloned from the migrated template (a few milliseconds). */
export function migratedDatabase(): Promise<TestDatabase> {
  return createDatabase(required(TEMPLATE_VARIABLE));
}

/** A new database with nothing of ours in it. */
export function emptyDatabase(): Promise<TestDatabase> {
  return createDatabase(undefined);
}

/** Gives the calling test file its own migrated database for its whole run, dropped at the end. */
export function useMigratedDatabase(): { readonly current: TestDatabase } {
  let database: TestDatabase | undefined;
  before(async () => {
    database = await migratedDatabase();
  });
  after(async () => {
    if (database) await dropDatabase(database);
  });
  return {
    get current() {
      if (!database) throw new Error('the test database is only available inside tests');
      return database;
    },
  };
}
