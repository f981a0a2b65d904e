import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PG_MIGRATE_LOCK_ID, runner, type RunnerOption } from 'node-pg-migrate';
import pg from 'pg';
import { projectRoot } from '../project-root.ts';
import {
  isNoTransactionMigration,
  noTransactionAction,
  parseNoTransactionMigration,
} from './no-transaction-migration.ts';

export const MIGRATIONS_DIR = join(projectRoot, 'db', 'migrations');
/** Bookkeeping lives outside `public`, so that "all downs" leaves nothing in the application schema. */
export const MIGRATIONS_SCHEMA = 'veza_meta';
export const MIGRATIONS_TABLE = 'schema_migrations';

export interface MigrationFile {
  /** The numeric prefix: 1 for 0001_platform_foundation. */
  version: number;
  name: string;
}

export interface MigrationStatus {
  applied: MigrationFile[];
  pending: MigrationFile[];
  /** Version of the last applied migration, 0 when none is. */
  currentVersion: number;
  latestVersion: number;
}

export type MigrationLog = (line: string) => void;

const MIGRATION_NAME = /^(\d{4})_[a-z0-9_]+$/;

/** The migrations on disk, in order. A file that breaks the naming rule is an error, not skipped. */
export function listMigrationFiles(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  const names = new Set<string>();
  for (const file of readdirSync(dir)) {
    const match = /^(.+)\.(up|down)\.sql$/.exec(file);
    if (!match?.[1]) throw new Error(`${file} in ${dir} is not named NNNN_<module>_<what>.up.sql or .down.sql`);
    names.add(match[1]);
  }
  return [...names].sort().map((name) => {
    const match = MIGRATION_NAME.exec(name);
    if (!match?.[1]) throw new Error(`Migration ${name} is not named NNNN_<module>_<what>`);
    return { version: Number(match[1]), name };
  });
}

export class Migrator {
  private readonly url: string;
  private readonly log: MigrationLog;
  private readonly dir: string;

  constructor(url: string, options: { log?: MigrationLog; dir?: string } = {}) {
    this.url = url;
    this.log = options.log ?? (() => {});
    this.dir = options.dir ?? MIGRATIONS_DIR;
  }

  async status(): Promise<MigrationStatus> {
    const files = listMigrationFiles(this.dir);
    const appliedNames = await this.appliedNames();
    const unknown = [...appliedNames].filter((name) => !files.some((file) => file.name === name));
    if (unknown.length > 0) {
      throw new Error(`The database has migrations this checkout does not know: ${unknown.join(', ')}`);
    }
    const applied = files.filter((file) => appliedNames.has(file.name));
    const pending = files.filter((file) => !appliedNames.has(file.name));
    return {
      applied,
      pending,
      currentVersion: applied.at(-1)?.version ?? 0,
      latestVersion: files.at(-1)?.version ?? 0,
    };
  }

  /** Applies pending migrations up to `to` (default: all). Returns the names applied. */
  async migrate(to?: number): Promise<string[]> {
    const { pending } = await this.status();
    const count = pending.filter((file) => to === undefined || file.version <= to).length;
    if (count === 0) return [];
    return this.run('up', count);
  }

  /** Reverts the last `steps` migrations, or every migration above version `to`. */
  async rollback(target: { steps: number } | { to: number }): Promise<string[]> {
    const { applied } = await this.status();
    const count =
      'steps' in target
        ? Math.min(target.steps, applied.length)
        : applied.filter((file) => file.version > target.to).length;
    if (count === 0) return [];
    return this.run('down', count);
  }

  private async run(direction: 'up' | 'down', count: number): Promise<string[]> {
    const options: RunnerOption = {
      databaseUrl: this.url,
      dir: this.dir,
      direction,
      count,
      migrationsTable: MIGRATIONS_TABLE,
      migrationsSchema: MIGRATIONS_SCHEMA,
      createMigrationsSchema: true,
      migrationLoaderStrategies: [{ extensions: ['.sql'], loader: loadSqlMigrations }],
      // One transaction per migration, except the files marked no-transaction (no-transaction-migration.ts).
      singleTransaction: false,
      // The lock is taken here, by withMigrationLock.
      noLock: true,
      checkOrder: true,
      logger: { info: this.log, warn: this.log, error: this.log, debug: () => {} },
    };
    const ran = await withMigrationLock(this.url, () => runner(options));
    return ran.map((migration) => migration.name);
  }

  private async appliedNames(): Promise<Set<string>> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      const { rows: tables } = await client.query<{ name: string | null }>('SELECT to_regclass($1)::text AS name', [
        `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`,
      ]);
      if (!tables[0]?.name) return new Set();
      const { rows } = await client.query<{ name: string }>(
        `SELECT name FROM ${pg.escapeIdentifier(MIGRATIONS_SCHEMA)}.${pg.escapeIdentifier(MIGRATIONS_TABLE)}`,
      );
      return new Set(rows.map((row) => String(row.name)));
    } finally {
      await client.end();
    }
  }
}

/**
 * Runs `work` while holding the advisory lock node-pg-migrate itself uses (so an older runner still excludes us).
 * Concurrent starters queue on it, then find nothing left to do. The lock is polled rather than waited for:
 * a session blocked in `SELECT pg_advisory_lock()` holds a snapshot, which a CREATE INDEX CONCURRENTLY run by the
 * lock's holder must wait out, and PostgreSQL resolves that cycle by failing one of the two with a deadlock.
 */
async function withMigrationLock<T>(url: string, work: () => Promise<T>): Promise<T> {
  const session = new pg.Client({ connectionString: url });
  // A connection lost while the lock is held fails the unlock below; without a listener it would end the process.
  session.on('error', () => {});
  await session.connect();
  try {
    for (;;) {
      const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        PG_MIGRATE_LOCK_ID,
      ]);
      if (rows[0]?.locked === true) break;
      await sleep(LOCK_POLL_MS);
    }
    try {
      return await work();
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATE_LOCK_ID]);
    }
  } finally {
    await session.end();
  }
}

const LOCK_POLL_MS = 100;

type MigrationLoader = Exclude<NonNullable<RunnerOption['migrationLoaderStrategies']>[number]['loader'], string>;

/**
 * node-pg-migrate's "sql" loader, plus the no-transaction kind. Every file is read and checked before the first
 * migration runs, so a malformed no-transaction file stops the run with nothing applied.
 */
const loadSqlMigrations: MigrationLoader = async (filePaths) => {
  const pairs = new Map<string, { up?: string; down?: string }>();
  for (const filePath of filePaths) {
    const match = /^(.+)\.(up|down)\.sql$/.exec(filePath);
    if (!match?.[1]) throw new Error(`${basename(filePath)} is not named NNNN_<module>_<what>.up.sql or .down.sql`);
    const pair = pairs.get(match[1]) ?? {};
    pair[match[2] as 'up' | 'down'] = filePath;
    pairs.set(match[1], pair);
  }
  return Promise.all(
    [...pairs].map(async ([stem, pair]) => {
      if (!pair.up) throw new Error(`${basename(stem)} has a .down.sql and no .up.sql`);
      if (!pair.down) throw new Error(`${basename(stem)} has an .up.sql and no .down.sql`);
      return {
        // The id names the migration in the bookkeeping table, as node-pg-migrate's own loader does.
        id: `${stem}.sql`,
        filePaths: [pair.up, pair.down],
        actions: { up: await sqlAction(pair.up), down: await sqlAction(pair.down) },
      };
    }),
  );
};

async function sqlAction(file: string) {
  const text = await readFile(file, 'utf8');
  if (isNoTransactionMigration(text)) return noTransactionAction(file, parseNoTransactionMigration(file, text));
  return (pgm: { sql(text: string): void }) => pgm.sql(text);
}
