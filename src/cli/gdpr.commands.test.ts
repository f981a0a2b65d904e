import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Command } from 'commander';
import { allFactories } from '../../test/factories/index.ts';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { loadConfig } from '../platform/config/config.ts';
import { registerGdprCommands } from './gdpr.commands.ts';

const database = useMigratedDatabase();
let dataDir = '';
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'veza-gdpr-cli-test-'));
});
after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `veza gdpr ...` through its own commander program (main.ts wires the commands later); returns what it printed. */
async function veza(t: TestContext, args: string[]): Promise<string> {
  const program = new Command('veza').exitOverride();
  registerGdprCommands(program, () =>
    loadConfig({ DATABASE_URL: database.current.url, VEZA_DATA_DIR: dataDir, VEZA_DB_POOL_SIZE: '2' }),
  );
  const log = t.mock.method(console, 'log', () => {});
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    log.mock.restore();
  }
  return log.mock.calls.map((call) => String(call.arguments[0])).join('\n');
}

const make = (table: string) => {
  const factory = allFactories[table];
  if (!factory) throw new Error(table);
  return factory;
};

describe('veza gdpr', () => {
  test('export USER_ID writes the archive now and prints its path', async (t) => {
    const { sql } = database.current;
    const user = await make('users')(sql);
    await make('tracks')(sql, { creator_id: user.id });
    const out = await veza(t, ['gdpr', 'export', user.id as string]);
    const path = out.split('\n').at(-1) ?? '';
    assert.match(path, new RegExp(`^${dataDir}/exports/${user.id as string}/\\d{8}T\\d{9}Z\\.tar\\.gz$`));
    assert.ok((await stat(path)).size > 0);
    assert.match(out, /exported \d+ row\(s\) of user .*tracks=1/);
    const [row] = await sql`SELECT exported_at FROM users WHERE id = ${user.id as string}`;
    assert.equal(row?.exported_at, null, 'an operator export does not answer a pending request by itself');
  });

  test('delete USER_ID soft-deletes now and says when anonymisation follows; again: already deleted', async (t) => {
    const { sql } = database.current;
    const user = await make('users')(sql);
    await make('tracks')(sql, { creator_id: user.id });
    await make('refresh_tokens')(sql, { user_id: user.id });
    const out = await veza(t, ['gdpr', 'delete', user.id as string]);
    assert.match(out, /deleted at .*1 refresh token\(s\) revoked.*tracks=1/);
    assert.match(out, /anonymised by the accounts\.anonymise job after 30 days \(from \d{4}-/);
    const [row] = await sql`SELECT deleted_at, email FROM users WHERE id = ${user.id as string}`;
    assert.ok(row?.deleted_at instanceof Date);
    assert.equal(row?.email, user.email, 'not anonymised yet');
    assert.match(await veza(t, ['gdpr', 'delete', user.id as string]), /already deleted at .*nothing changed/);
  });

  test('delete --now anonymises at once, recorded as a manual accounts.anonymise run', async (t) => {
    const { sql } = database.current;
    const user = await make('users')(sql);
    await make('follows')(sql, { follower_id: user.id });
    await make('orders')(sql, { user_id: user.id });
    const out = await veza(t, ['gdpr', 'delete', user.id as string, '--now']);
    assert.match(out, /anonymised now: .*follows=1.*users=1/);
    const [row] = await sql`SELECT email, display_name FROM users WHERE id = ${user.id as string}`;
    assert.deepEqual(row, {
      email: `deleted_${user.id as string}@anonymized.local`,
      display_name: '[Compte supprimé]',
    });
    const [order] = await sql`SELECT count(*)::int AS n FROM orders WHERE user_id = ${user.id as string}`;
    assert.equal(order?.n, 1, 'the order stays, attached to the anonymous row');
    const [run] = await sql`SELECT triggered_by, status FROM job_runs WHERE job_name = 'accounts.anonymise'`;
    assert.deepEqual(run, { triggered_by: 'manual', status: 'succeeded' });
    assert.match(await veza(t, ['gdpr', 'delete', user.id as string, '--now']), /was already anonymised/);
  });

  test('a malformed or unknown id is a clear error', async (t) => {
    for (const command of ['export', 'delete']) {
      await assert.rejects(veza(t, ['gdpr', command, 'alice']), /"alice" is not a user id/);
      await assert.rejects(
        veza(t, ['gdpr', command, '00000000-0000-4000-8000-000000000000']),
        /no user with id 00000000-0000-4000-8000-000000000000/,
      );
    }
  });
});
