// `veza seed`: fills an empty, migrated database with the seeded year. Everything happens in one transaction:
// an interrupted or failed seed leaves the database as it was (empty, triggers on), never half-filled with its
// triggers disabled. Steps:
//  1. create the partitions of the seeded months and days;
//  2. disable the user triggers of the seeded tables (counters, audit, updated_at): a trigger per row would cost
//     more than the COPY itself, update a track's row once per play, and write audit rows dated "now";
//  3. COPY every table, parents first (foreign keys stay on: the data passes the schema's constraints as it loads),
//     the secondary indexes of the big tables dropped before and built again after;
//  4. compute the aggregates (daily_metrics, track_analytics) and the counters in bulk, and check a sample;
//  5. check the default partitions are empty, enable the triggers, refresh the materialized views, ANALYZE.
import pg from 'pg';
import { Migrator } from '../platform/db/migrations.ts';
import { copyRows } from './copy.ts';
import { counterMismatches, recomputeCounters } from './counters.ts';
import { dropSecondaryIndexes, recreateIndexes } from './indexes.ts';
import { createSeedPartitions, defaultPartitionRows } from './partitions.ts';
import { selectTables } from './plan.ts';
import type { SeedReporter, TableTiming } from './progress.ts';
import { utcMidnight } from './timeline.ts';
import { Universe } from './universe.ts';

export interface SeedOptions {
  seed: number;
  scale: number;
  /** End of the seeded year; default: today at 00:00 UTC. */
  anchor?: Date;
  /** Fill these tables and the tables they reference; default: all. */
  tables?: readonly string[];
  reporter: SeedReporter;
  /** Rows per COPY statement (tests lower it to exercise the statement splitting). */
  rowsPerStatement?: number;
  /**
   * Tables of at least this many rows load without their secondary indexes, built again after the COPY;
   * default DEFER_INDEXES_FROM_ROWS. Infinity keeps every index during the load.
   */
  deferIndexesFromRows?: number;
}

/** Below this, keeping the indexes costs less than building them again (docs/seed.md, "Indexes"). */
export const DEFER_INDEXES_FROM_ROWS = 5_000_000;

export interface SeedResult {
  tables: TableTiming[];
  steps: { step: string; seconds: number }[];
  wallSeconds: number;
}

const MATERIALIZED_VIEWS = ['trending_tracks', 'user_statistics'] as const;

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Seeds the database at `url`. Refuses a database that is not migrated or whose seeded tables hold rows. */
export async function runSeed(url: string, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const universe = new Universe({
    seed: options.seed,
    scale: options.scale,
    anchor: options.anchor ?? utcMidnight(new Date()),
  });
  const plan = selectTables(options.tables);
  const names = plan.map((table) => table.name);
  const reporter = options.reporter;

  const status = await new Migrator(url).status();
  if (status.pending.length > 0) {
    throw new Error(
      `the database is at migration ${status.currentVersion} of ${status.latestVersion}: run "veza db migrate" first`,
    );
  }

  // One connection: the whole seed is one transaction. node-postgres turns Nagle's algorithm off on its sockets, so
  // the last small message of each COPY does not wait for the server's delayed ACK (docs/seed.md, "Connection").
  const sql = new pg.Client({
    connectionString: url,
    application_name: 'veza-seed',
    statement_timeout: 0,
    lock_timeout: 0,
    options: '-c TimeZone=UTC',
  });
  // A connection lost mid-seed fails the statement in progress; without a listener it would also end the process.
  sql.on('error', () => {});
  await sql.connect();
  const steps: { step: string; seconds: number }[] = [];
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const begin = performance.now();
    const result = await work();
    const seconds = (performance.now() - begin) / 1000;
    steps.push({ step, seconds });
    reporter.step(`${step} (${seconds.toFixed(1)} s)`);
    return result;
  };
  const tableTimings: TableTiming[] = [];
  const deferFrom = options.deferIndexesFromRows ?? DEFER_INDEXES_FROM_ROWS;
  let indexSeconds = 0;
  try {
    const filled: string[] = [];
    for (const name of names) {
      if (plan.some((table) => table.name === name && table.kind === 'derived' && table.migrated)) continue;
      const {
        rows: [row],
      } = await sql.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quote(name)}) AS found`);
      if (row?.found) filled.push(name);
    }
    if (filled.length > 0) {
      throw new Error(
        `the database already has rows in ${filled.join(', ')}: seed an empty database ("veza db reset" empties it)`,
      );
    }

    await inTransaction(sql, async (tx) => {
      // maintenance_work_mem: the GIN and btree inserts of the big tables and the counter aggregates
      await tx.query(`SELECT set_config('maintenance_work_mem', '256MB', true), set_config('work_mem', '64MB', true)`);
      await timed('partitions created', async () => {
        const created = await createSeedPartitions(tx, universe.time, names);
        return created;
      });
      await timed('triggers disabled', async () => {
        for (const name of names) await tx.query(`ALTER TABLE ${quote(name)} DISABLE TRIGGER USER`);
      });

      for (const table of plan) {
        const begin = performance.now();
        let rows: number;
        if (table.kind === 'copy') {
          const expected = table.count(universe);
          reporter.tableStarted(table.name, expected);
          const deferred = expected >= deferFrom ? await dropSecondaryIndexes(tx, table.name) : [];
          rows = await copyRows(tx, table.name, table.columns, table.rows(universe), {
            onProgress: (done) => reporter.tableProgress(table.name, done),
            ...(options.rowsPerStatement ? { rowsPerStatement: options.rowsPerStatement } : {}),
          });
          if (rows !== expected)
            throw new Error(`seed bug: ${table.name} generated ${rows} rows, its plan says ${expected}`);
          if (deferred.length > 0) {
            reporter.tableProgress(table.name, rows);
            const building = performance.now();
            await recreateIndexes(tx, deferred);
            indexSeconds += (performance.now() - building) / 1000;
          }
        } else {
          reporter.tableStarted(table.name, null);
          rows = await table.derive(tx, universe);
        }
        reporter.tableFinished(table.name, rows);
        tableTimings.push({ table: table.name, rows, seconds: (performance.now() - begin) / 1000 });
      }

      if (indexSeconds > 0) steps.push({ step: 'indexes rebuilt (included in their tables)', seconds: indexSeconds });
      await timed('counters computed', () => recomputeCounters(tx));
      await timed('counters checked on a sample', async () => {
        const wrong = Object.entries(await counterMismatches(tx)).filter(([, n]) => n > 0);
        if (wrong.length > 0) {
          throw new Error(
            `seed bug: counters differ from a recount: ${wrong.map(([c, n]) => `${c} (${n})`).join(', ')}`,
          );
        }
      });
      await timed('default partitions checked empty', async () => {
        const stranded = Object.entries(await defaultPartitionRows(tx, names)).filter(([, n]) => n > 0);
        if (stranded.length > 0) {
          throw new Error(
            `seed bug: rows in default partitions: ${stranded.map(([t, n]) => `${t} (${n})`).join(', ')}`,
          );
        }
      });
      await timed('triggers enabled', async () => {
        for (const name of names) await tx.query(`ALTER TABLE ${quote(name)} ENABLE TRIGGER USER`);
      });
      await timed('materialized views refreshed', async () => {
        for (const view of MATERIALIZED_VIEWS) await tx.query(`REFRESH MATERIALIZED VIEW ${view}`);
      });
      await timed('statistics analyzed', async () => {
        await tx.query(`ANALYZE ${names.map(quote).join(', ')}`);
      });
    });
  } finally {
    await sql.end();
  }
  return { tables: tableTimings, steps, wallSeconds: (performance.now() - started) / 1000 };
}

/** Runs `work` between BEGIN and COMMIT on `client`; rolls back if it throws. */
async function inTransaction<T>(client: pg.ClientBase, work: (tx: pg.ClientBase) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
