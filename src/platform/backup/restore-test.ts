import { mkdir, mkdtemp, chmod, rm, writeFile, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { loadTableRegistry } from '../../lifecycle/table-registry.ts';
import { catalogOf } from '../../schema-guard/base-schema.ts';
import { checkSchema, formatViolation, loadExceptions } from '../../schema-guard/check.ts';
import { lifecycleFacts } from '../../schema-guard/registry-facts.ts';
import type { BackupSettings } from './backup-settings.ts';
import { restoreLatest } from './pgbackrest.ts';
import { RestoredCluster } from './restored-cluster.ts';

type Env = Record<string, string | undefined>;

/** What one restore test found; the last one is kept in $VEZA_BACKUP_DIR/restore-test.json. */
export interface RestoreTestResult {
  ok: boolean;
  startedAt: string;
  /** The backup restored (the newest good one of the daily repository) and the WAL archived after it. */
  backup: string | null;
  /** Milliseconds: pgBackRest's restore, then the copy's WAL replay up to its promotion, then the checks. */
  durations: { restoreMs: number; recoveryMs: number; checkMs: number };
  /** `veza schema check` against the copy: its violations, empty when it passes. */
  schemaProblems: string[];
  tables: number;
  /** Rows per table of the copy: reading every table also reads every heap page the backup brought back. */
  rowCounts: Record<string, number>;
  error: string | null;
}

export function restoreTestDir(settings: Pick<BackupSettings, 'dir'>, env: Env): string {
  return resolve(env.VEZA_BACKUP_RESTORE_TEST_DIR || resolve(settings.dir, 'restore-test'));
}

export function restoreTestResultFile(settings: Pick<BackupSettings, 'dir'>): string {
  return resolve(settings.dir, 'restore-test.json');
}

export async function readLastRestoreTest(settings: Pick<BackupSettings, 'dir'>): Promise<RestoreTestResult | null> {
  try {
    return JSON.parse(await readFile(restoreTestResultFile(settings), 'utf8')) as RestoreTestResult;
  } catch {
    return null;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

async function countRows(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Parents only: a partitioned table's count covers its partitions.
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const { rows } = await client.query<{ count: string }>(
        `SELECT count(*) AS count FROM public.${pg.escapeIdentifier(name)}`,
      );
      counts[name] = Number(rows[0]?.count ?? 0);
    }
    return counts;
  } finally {
    await client.end();
  }
}

/**
 * A backup is only real once restored (issue 19): restores the latest backup and its archived WAL into a scratch
 * data directory, starts it as a private server on a free loopback port with archiving off, runs the schema check
 * and counts every table's rows against Veza's database in it, then stops and deletes the copy, whatever happened.
 * The result is written to restore-test.json; as a job, the row counts also land in job_runs.rows_by_table.
 */
export async function runRestoreTest(
  settings: BackupSettings,
  options: { database: string; env: Env; log?: (line: string) => void; now?: () => Date },
): Promise<RestoreTestResult> {
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  const result: RestoreTestResult = {
    ok: false,
    startedAt: now().toISOString(),
    backup: null,
    durations: { restoreMs: 0, recoveryMs: 0, checkMs: 0 },
    schemaProblems: [],
    tables: 0,
    rowCounts: {},
    error: null,
  };
  const parent = restoreTestDir(settings, options.env);
  await mkdir(parent, { recursive: true });
  const scratch = await mkdtemp(join(parent, 'run-'));
  // The server's own user (when we are root) must reach the data directory inside.
  await chmod(scratch, 0o755);
  let cluster: RestoredCluster | undefined;
  try {
    let started = performance.now();
    const dataDir = join(scratch, 'data');
    const from = await restoreLatest(settings, { targetDir: dataDir });
    result.backup = from.label;
    result.durations.restoreMs = Math.round(performance.now() - started);
    log(`restore test: backup ${from.label} restored in ${result.durations.restoreMs} ms`);

    started = performance.now();
    cluster = await RestoredCluster.start(dataDir, await freePort(), 3_600_000);
    result.durations.recoveryMs = Math.round(performance.now() - started);
    log(`restore test: the copy replayed its WAL and promoted in ${result.durations.recoveryMs} ms`);

    started = performance.now();
    const url = cluster.url.replace(/\/postgres$/, `/${encodeURIComponent(options.database)}`);
    const check = checkSchema(await catalogOf(url), lifecycleFacts(loadTableRegistry()), loadExceptions());
    result.schemaProblems = check.violations.map(formatViolation);
    result.rowCounts = await countRows(url);
    result.tables = Object.keys(result.rowCounts).length;
    result.durations.checkMs = Math.round(performance.now() - started);
    if (result.tables === 0) result.error = `the restored copy has no table in database ${options.database}`;
    else if (result.schemaProblems.length > 0) {
      result.error = `the schema check found ${result.schemaProblems.length} problem(s) in the restored copy`;
    }
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    await cluster?.stop().catch((error: Error) => log(`restore test: stopping the copy: ${error.message}`));
    await rm(scratch, { recursive: true, force: true });
  }
  result.ok = result.error === null;
  await writeFile(restoreTestResultFile(settings), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
