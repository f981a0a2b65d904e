// Migration 0024 (RFC 0024): usernames unique whatever their case, on a database that already has look-alikes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator } from '../../src/platform/db/migrations.ts';
import { dropDatabase, migratedDatabase } from '../helpers/database.ts';

test('the oldest of each group of look-alikes keeps its name; the later ones are renamed, audited, and unique', async () => {
  const target = await migratedDatabase();
  try {
    const migrator = new Migrator(target.url);
    await migrator.rollback({ to: 23 });
    const { sql } = target;
    const insert = async (username: string, email: string, createdAt: string, id: string) => {
      await sql`INSERT INTO users (id, email, username, created_at) VALUES (${id}, ${email}, ${username}, ${createdAt})`;
    };
    // Inserted newest first: the rename must follow created_at, not the physical order.
    await insert('ALICE', 'c@example.test', '2026-03-01T00:00:00Z', '00000000-0000-4000-8000-00000000000c');
    await insert('Alice', 'b@example.test', '2026-02-01T00:00:00Z', 'abcdef01-2345-4678-9abc-def012345678');
    await insert('alice', 'a@example.test', '2026-01-01T00:00:00Z', '00000000-0000-4000-8000-00000000000a');
    await insert(
      'A_very_long_user_name_of_30_ch',
      'd@example.test',
      '2026-01-01T00:00:00Z',
      '00000000-0000-4000-8000-00000000000d',
    );
    await insert(
      'a_very_long_user_name_of_30_CH',
      'e@example.test',
      '2026-01-02T00:00:00Z',
      '00000000-0000-4000-8000-00000000000e',
    );
    await insert('bob', 'f@example.test', '2026-01-01T00:00:00Z', '00000000-0000-4000-8000-00000000000f');

    await migrator.migrate(24);

    const rows = await sql`SELECT email, username FROM users ORDER BY email`;
    assert.deepEqual(
      rows.map((row) => [row.email, row.username]),
      [
        ['a@example.test', 'alice'],
        ['b@example.test', 'Alice_abcdef012345'],
        ['c@example.test', 'ALICE_000000000000'],
        ['d@example.test', 'A_very_long_user_name_of_30_ch'],
        ['e@example.test', 'a_very_long_user__000000000000'],
        ['f@example.test', 'bob'],
      ],
    );
    for (const row of rows) assert.match(String(row.username), /^[a-zA-Z0-9_]{3,30}$/);
    const renames = await sql`
      SELECT old_data ->> 'username' AS old, new_data ->> 'username' AS new, user_id FROM audit_logs
      WHERE table_name = 'users' AND operation = 'UPDATE' ORDER BY old_data ->> 'username'`;
    assert.deepEqual(
      renames.map((row) => [row.old, row.new, row.user_id]),
      [
        ['ALICE', 'ALICE_000000000000', null],
        ['Alice', 'Alice_abcdef012345', null],
        ['a_very_long_user_name_of_30_CH', 'a_very_long_user__000000000000', null],
      ],
    );
    await assert.rejects(
      sql`INSERT INTO users (email, username) VALUES ('g@example.test', 'BOB')`,
      (error: { constraint_name?: string }) => error.constraint_name === 'uq_users_lower_username',
    );
  } finally {
    await dropDatabase(target);
  }
});
