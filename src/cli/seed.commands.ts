import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../platform/config/config.ts';
import { ProgressReporter, summaryTable } from '../seed/progress.ts';
import { runSeed } from '../seed/seed.ts';
import { withConfiguredDatabase } from './with-configured-database.ts';

const print = (line: string) => console.log(line);

function scale(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 100) {
    throw new InvalidArgumentError('must be a number > 0 and at most 100 (1 is the one-year volume of spec §1.3)');
  }
  return parsed;
}

function seed(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 0xffffffff) {
    throw new InvalidArgumentError(`must be an integer from 0 to ${0xffffffff}`);
  }
  return parsed;
}

function tableList(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0) throw new InvalidArgumentError('must name at least one table');
  return names;
}

function anchorDate(value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('must be a date, YYYY-MM-DD');
  }
  return new Date(`${value}T00:00:00Z`);
}

interface SeedCommandOptions {
  scale: number;
  seed: number;
  tables?: string[];
  anchor?: Date;
}

/**
 * `veza seed --scale S`: fills the configured (migrated, empty) database with a deterministic year of data in the
 * proportions of spec §1.3 (src/seed, docs/seed.md). Progress on stderr, the summary on stdout.
 */
export function registerSeedCommands(program: Command, config: () => Config): void {
  program
    .command('seed')
    .description(
      'fill an empty database with a year of realistic, deterministic data (refused when NODE_ENV=production)',
    )
    .requiredOption('--scale <number>', 'volume: 1 is one year of spec §1.3 (50,000 users, 50M messages...)', scale)
    .option('--seed <int>', 'PRNG seed: the same seed, scale and anchor give the same data', seed, 1)
    .option('--tables <t1,t2>', 'fill only these tables and the tables they reference', tableList)
    .option('--anchor <YYYY-MM-DD>', 'end of the seeded year (default: today, UTC)', anchorDate)
    .action(async (options: SeedCommandOptions) => {
      const settings = config();
      if (settings.nodeEnv === 'production') throw new Error('seed is refused when NODE_ENV=production');
      await withConfiguredDatabase(settings, async (url) => {
        const reporter = new ProgressReporter(process.stderr);
        const result = await runSeed(url, {
          seed: options.seed,
          scale: options.scale,
          reporter,
          ...(options.tables ? { tables: options.tables } : {}),
          ...(options.anchor ? { anchor: options.anchor } : {}),
        });
        print(summaryTable(result.tables, result.wallSeconds));
        for (const { step, seconds } of result.steps) print(`${step}: ${seconds.toFixed(1)} s`);
      });
    });
}
