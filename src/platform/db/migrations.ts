import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runner, type RunnerOption } from 'node-pg-migrate';
import postgres from 'postgres';
import { projectRoot } from '../project-root.ts';

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
      migrationLoaderStrategies: [{ extensions: ['.sql'], loader: 'sql' }],
      // One transaction per migration; concurrent starters queue on the advisory lock, then
      // find nothing left to do.
      singleTransaction: false,
      advisoryLockMode: 'wait',
      checkOrder: true,
      logger: { info: this.log, warn: this.log, error: this.log, debug: () => {} },
    };
    const ran = await runner(options);
    return ran.map((migration) => migration.name);
  }

  private async appliedNames(): Promise<Set<string>> {
    const sql = postgres(this.url, { max: 1, onnotice: () => {} });
    try {
      const [table] = await sql`SELECT to_regclass(${`${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`}) AS name`;
      if (!table?.name) return new Set();
      const rows = await sql`SELECT name FROM ${sql(MIGRATIONS_SCHEMA)}.${sql(MIGRATIONS_TABLE)}`;
      return new Set(rows.map((row) => String(row.name)));
    } finally {
      await sql.end();
    }
  }
}
