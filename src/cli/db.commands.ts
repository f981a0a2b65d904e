import type { Command } from 'commander';
import pg from 'pg';
import type { Config } from '../platform/config/config.ts';
import { backupBeforeMigration } from '../platform/backup/migration-backup.ts';
import { MIGRATIONS_SCHEMA, Migrator } from '../platform/db/migrations.ts';
import { withConfiguredDatabase } from './with-configured-database.ts';

const print = (line: string) => console.log(line);

/**
 * Partitions dropped per transaction by `db reset`. Each DROP locks the partition, its TOAST table and every index,
 * and those locks are held to the end of the transaction; the server's lock table has room for
 * max_locks_per_transaction × (max_connections + max_prepared_transactions) of them, shared by all sessions (6,400 by
 * default). 50 partitions of our widest table take a few hundred.
 */
export const PARTITIONS_PER_DROP = 50;

/**
 * Drops every partition in `schemas`, innermost first, `PARTITIONS_PER_DROP` per transaction, so that the schema
 * drop that follows locks only the parents: a seeded database has a partition per day of analytics_events, and one
 * `DROP SCHEMA … CASCADE` over all of them runs out of shared memory ("out of shared memory", issue 10).
 */
export async function dropPartitionsInBatches(client: pg.Client, schemas: string[]): Promise<number> {
  let dropped = 0;
  for (;;) {
    // Leaves only: a sub-partitioned partition goes once its own partitions are gone.
    const { rows } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relispartition AND c.relkind IN ('r', 'p', 'f') AND n.nspname = ANY($1::text[])
         AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid)
       ORDER BY c.oid LIMIT $2`,
      [schemas, PARTITIONS_PER_DROP],
    );
    if (rows.length === 0) return dropped;
    // CASCADE: a partition of a table referenced by a foreign key carries that key's per-partition triggers.
    await client.query(`DROP TABLE ${rows.map((row) => row.name).join(', ')} CASCADE`);
    dropped += rows.length;
  }
}

function report(verb: string, names: string[]): void {
  if (names.length === 0) print(`Nothing to ${verb}.`);
  else for (const name of names) print(`${verb === 'migrate' ? 'applied ' : 'reverted'} ${name}`);
}

export function registerDbCommands(program: Command, config: () => Config, count: (value: string) => number): void {
  const db = program.command('db').description('manage the database schema');

  db.command('migrate')
    .description('apply pending migrations (NODE_ENV=production: a full backup is taken first, ADR 0097)')
    .option('--to <version>', 'stop after this migration number', count)
    .option('--skip-backup', 'NODE_ENV=production: migrate without the full backup first (emergencies only)')
    .action(async (options: { to?: number; skipBackup?: boolean }) => {
      const settings = config();
      await withConfiguredDatabase(settings, async (url) => {
        const migrator = new Migrator(url);
        await backupBeforeMigration(settings, url, migrator, { ...options, log: print });
        report('migrate', await migrator.migrate(options.to));
      });
    });

  db.command('rollback')
    .description('revert applied migrations (default: the last one)')
    .option('--steps <n>', 'how many migrations to revert', count)
    .option('--to <version>', 'revert every migration above this number (0: all)', count)
    .action(async (options: { steps?: number; to?: number }) => {
      if (options.steps !== undefined && options.to !== undefined) {
        throw new Error('give either --steps or --to, not both');
      }
      const target = options.to !== undefined ? { to: options.to } : { steps: options.steps ?? 1 };
      await withConfiguredDatabase(config(), async (url) =>
        report('rollback', await new Migrator(url).rollback(target)),
      );
    });

  db.command('status')
    .description('list applied and pending migrations')
    .action(async () => {
      await withConfiguredDatabase(config(), async (url) => {
        const status = await new Migrator(url).status();
        for (const file of status.applied) print(`applied  ${file.name}`);
        for (const file of status.pending) print(`pending  ${file.name}`);
        print(`version ${status.currentVersion} of ${status.latestVersion}`);
      });
    });

  db.command('reset')
    .description('drop every Veza object and migrate from scratch (refused when NODE_ENV=production)')
    .action(async () => {
      const settings = config();
      if (settings.nodeEnv === 'production') throw new Error('db reset is refused when NODE_ENV=production');
      await withConfiguredDatabase(settings, async (url) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const partitions = await dropPartitionsInBatches(client, ['public', MIGRATIONS_SCHEMA]);
          if (partitions > 0) print(`Dropped ${partitions} partition(s), ${PARTITIONS_PER_DROP} per transaction.`);
          await client.query('BEGIN');
          await client.query(`DROP SCHEMA IF EXISTS ${MIGRATIONS_SCHEMA} CASCADE`);
          await client.query('DROP SCHEMA public CASCADE');
          await client.query('CREATE SCHEMA public');
          await client.query('COMMIT');
        } finally {
          await client.end();
        }
        print('Dropped the public and migration schemas.');
        report('migrate', await new Migrator(url).migrate());
      });
    });
}
