import type { Command } from 'commander';
import postgres from 'postgres';
import type { Config } from '../platform/config/config.ts';
import { MIGRATIONS_SCHEMA, Migrator } from '../platform/db/migrations.ts';
import { withConfiguredDatabase } from './with-configured-database.ts';

const print = (line: string) => console.log(line);

function report(verb: string, names: string[]): void {
  if (names.length === 0) print(`Nothing to ${verb}.`);
  else for (const name of names) print(`${verb === 'migrate' ? 'applied ' : 'reverted'} ${name}`);
}

export function registerDbCommands(program: Command, config: () => Config, count: (value: string) => number): void {
  const db = program.command('db').description('manage the database schema');

  db.command('migrate')
    .description('apply pending migrations')
    .option('--to <version>', 'stop after this migration number', count)
    .action(async (options: { to?: number }) => {
      await withConfiguredDatabase(config(), async (url) =>
        report('migrate', await new Migrator(url).migrate(options.to)),
      );
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
        const sql = postgres(url, { max: 1, onnotice: () => {} });
        try {
          await sql.begin(async (tx) => {
            await tx.unsafe(`DROP SCHEMA IF EXISTS ${MIGRATIONS_SCHEMA} CASCADE`);
            await tx.unsafe('DROP SCHEMA public CASCADE');
            await tx.unsafe('CREATE SCHEMA public');
          });
        } finally {
          await sql.end();
        }
        print('Dropped the public and migration schemas.');
        report('migrate', await new Migrator(url).migrate());
      });
    });
}
