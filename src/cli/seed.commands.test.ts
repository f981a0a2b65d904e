import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { Command } from 'commander';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { loadConfig } from '../platform/config/config.ts';
import { registerSeedCommands } from './seed.commands.ts';

const database = useMigratedDatabase();

function program(env: Record<string, string>): Command {
  const cli = new Command('veza').exitOverride();
  registerSeedCommands(cli, () => loadConfig(env));
  return cli;
}

test('veza seed --tables fills the named tables and their parents, and prints the summary', async (t) => {
  const printed: string[] = [];
  t.mock.method(console, 'log', (line: string) => printed.push(line));
  mock.method(process.stderr, 'write', () => true);
  try {
    await program({ DATABASE_URL: database.current.url }).parseAsync([
      'node',
      'veza',
      'seed',
      '--scale',
      '0.0004',
      '--seed',
      '3',
      '--tables',
      'follows',
      '--anchor',
      '2026-03-15',
    ]);
  } finally {
    mock.restoreAll();
  }
  const { sql } = database.current;
  const [counts] = await sql`
    SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM follows) AS follows,
           (SELECT count(*)::int FROM tracks) AS tracks`;
  assert.equal(counts?.users, 20);
  assert.ok((counts?.follows as number) > 0);
  assert.equal(counts?.tracks, 0, 'tables follows does not reference stay empty');
  const summary = printed.join('\n');
  assert.match(summary, /^follows\s+[\d,]+\s+[\d.]+\s+[\d,]+$/m);
  assert.match(summary, /wall time/);
});

test('veza seed is refused in production and checks its options', async () => {
  await assert.rejects(
    program({ NODE_ENV: 'production', DATABASE_URL: database.current.url }).parseAsync([
      'node',
      'veza',
      'seed',
      '--scale',
      '1',
    ]),
    /seed is refused when NODE_ENV=production/,
  );
  const cli = program({ DATABASE_URL: database.current.url });
  cli.configureOutput({ writeErr: () => {} });
  cli.commands.forEach((command) => command.exitOverride().configureOutput({ writeErr: () => {} }));
  await assert.rejects(cli.parseAsync(['node', 'veza', 'seed', '--scale', '0']), /must be a number > 0/);
  await assert.rejects(cli.parseAsync(['node', 'veza', 'seed']), /required option '--scale <number>'/);
});
