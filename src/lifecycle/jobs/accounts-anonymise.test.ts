import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Sql } from 'postgres';
import { allFactories } from '../../../test/factories/index.ts';
import type { Row } from '../../../test/factories/insert-row.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { loadAccountPlan, requestAccountDeletion } from '../gdpr/account-deletion.ts';
import { loadTableRegistry } from '../table-registry.ts';
import { accountRetention, accountsAnonymise } from './accounts-anonymise.ts';

const database = useMigratedDatabase();
const make = (table: string) => {
  const factory = allFactories[table];
  if (!factory) throw new Error(`no factory for ${table}`);
  return factory;
};
const scratch: string[] = [];
after(async () => {
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});

/** Every row of every table (partitions through their parent), keyed by table and id, as JSON text. */
async function dump(sql: Sql): Promise<Map<string, string>> {
  const tables = await sql<{ name: string }[]>`
    SELECT relname AS name FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
      AND relname <> 'job_runs' ORDER BY 1`;
  const rows = new Map<string, string>();
  for (const { name } of tables) {
    for (const row of await sql`SELECT id::text AS id, to_jsonb(t)::text AS json FROM ${sql(name)} t`) {
      rows.set(`${name}:${row.id as string}`, row.json as string);
    }
  }
  return rows;
}

/** Columns referencing users, from the catalog. */
async function userColumns(sql: Sql): Promise<{ table: string; column: string }[]> {
  return (await sql`
    SELECT c.conrelid::regclass::text AS table, a.attname AS column
    FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass AND c.conparentid = 0`) as unknown as {
    table: string;
    column: string;
  }[];
}

interface World {
  bystander: Row;
  track: Row;
  product: Row;
  course: Row;
  room: Row;
}

/** The same footprint for each account: account data, relations with the bystander, content, legal records. */
async function populate(sql: Sql, user: Row, world: World): Promise<void> {
  const me = { user_id: user.id };
  await make('user_profiles')(sql, { ...me, bio: `bio of ${user.username as string}` });
  await make('user_settings')(sql, me);
  await make('refresh_tokens')(sql, me);
  await make('two_factor_configs')(sql, { ...me, totp_secret: 'JBSWY3DPEHPK3PXP' });
  await make('federated_identities')(sql, me);
  await make('password_history')(sql, me);
  await make('follows')(sql, { follower_id: user.id, following_id: world.bystander.id });
  await make('track_likes')(sql, { ...me, track_id: world.track.id });
  const cart = await make('carts')(sql, me);
  await make('cart_items')(sql, { cart_id: cart.id, product_id: world.product.id });
  await make('playback_history')(sql, { ...me, track_id: world.track.id, device_type: 'mobile', source: 'album' });
  await make('notifications')(sql, { ...me, actor_id: world.bystander.id });
  await make('notifications')(sql, { user_id: world.bystander.id, actor_id: user.id });
  await make('search_queries')(sql, { ...me, query_text: 'my secret search' });
  await make('course_enrollments')(sql, { ...me, course_id: world.course.id });
  await make('room_members')(sql, { ...me, room_id: world.room.id });
  await make('messages')(sql, { sender_id: user.id, room_id: world.room.id });
  await make('direct_messages')(sql, { sender_id: user.id, recipient_id: world.bystander.id });
  await make('moderation_reports')(sql, { reporter_id: user.id, reported_user_id: world.bystander.id });
  await make('audit_logs')(sql, me);
  // The profile's search document is written by migration 0053's trigger on users (ADR 0087).
  await make('tracks')(sql, { creator_id: user.id });
  await make('posts')(sql, me);
  // As a buyer: an order of the bystander's product, paid.
  const order = await make('orders')(sql, { ...me, billing_name: 'Real Name' });
  await make('order_items')(sql, { order_id: order.id, product_id: world.product.id, seller_id: world.bystander.id });
  await make('transactions')(sql, { order_id: order.id, user_id: user.id });
  // As a seller: their product bought by the bystander, and a payout.
  const sold = await make('products')(sql, { seller_id: user.id });
  const sale = await make('orders')(sql, { user_id: world.bystander.id });
  await make('order_items')(sql, { order_id: sale.id, product_id: sold.id, seller_id: user.id });
  await make('seller_payouts')(sql, { seller_id: user.id });
  // A group others still use (kept) and one only they were in (hidden with the account).
  const shared = await make('groups')(sql, { creator_id: user.id });
  await make('group_members')(sql, { group_id: shared.id, user_id: world.bystander.id, status: 'active' });
  await make('groups')(sql, { creator_id: user.id });
}

test('accounts.anonymise: deleted 31 days ago → anonymised, personal data gone, legal records kept; 29 days ago and live accounts untouched; a second run changes nothing', async () => {
  const { sql, db } = database.current;
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-anonymise-test-'));
  scratch.push(dataDir);
  const bystander = await make('users')(sql);
  await make('user_profiles')(sql, { user_id: bystander.id });
  const world: World = {
    bystander,
    track: await make('tracks')(sql, { creator_id: bystander.id }),
    product: await make('products')(sql, { seller_id: bystander.id }),
    course: await make('courses')(sql, { creator_id: bystander.id }),
    room: await make('rooms')(sql, { creator_id: bystander.id }),
  };
  const old = await make('users')(sql, {
    first_name: 'Olga',
    last_name: 'Old',
    password_hash: 'x',
    last_login_ip: '198.51.100.7',
    data_processing_consent: true,
    marketing_consent: true,
  });
  const recent = await make('users')(sql, { first_name: 'Rita' });
  const alive = await make('users')(sql, { first_name: 'Ali' });
  for (const user of [old, recent, alive]) await populate(sql, user, world);
  await make('feature_flags')(sql, {
    conditions: { roles: ['admin'], testers: [old.id, recent.id, alive.id] },
  });
  for (const user of [old, recent]) {
    await mkdir(join(dataDir, 'exports', user.id as string), { recursive: true });
    await writeFile(join(dataDir, 'exports', user.id as string, '20250101T000000000Z.tar.gz'), 'archive');
  }

  await requestAccountDeletion(db, old.id as string);
  await requestAccountDeletion(db, recent.id as string);
  // Time travel: the requests were made 31 and 29 days ago.
  await sql`UPDATE users SET deleted_at = NOW() - INTERVAL '31 days' WHERE id = ${old.id as string}`;
  await sql`UPDATE users SET deleted_at = NOW() - INTERVAL '29 days' WHERE id = ${recent.id as string}`;

  const before = await dump(sql);
  const dry = await runJob(accountsAnonymise, { db, dataDir, dryRun: true, triggeredBy: 'manual' });
  assert.equal(dry.status, 'succeeded', dry.error ?? '');
  assert.equal(dry.rowsByTable.users, 1);
  assert.deepEqual(await dump(sql), before, 'a dry run changes nothing');
  assert.equal((await readdir(join(dataDir, 'exports'))).length, 2, 'a dry run removes no file');

  const first = await runJob(accountsAnonymise, { db, dataDir, triggeredBy: 'manual' });
  assert.equal(first.status, 'succeeded', first.error ?? '');
  assert.equal(first.rowsByTable.users, 1);
  const afterFirst = await dump(sql);

  // The users row, anonymised as in §19.3.
  const [anonymous] = await sql`SELECT * FROM users WHERE id = ${old.id as string}`;
  assert.ok(anonymous);
  assert.equal(anonymous.email, `deleted_${old.id as string}@anonymized.local`);
  assert.equal(anonymous.username, `deleted_${(old.id as string).slice(0, 8)}`);
  assert.equal(anonymous.display_name, '[Compte supprimé]');
  for (const column of ['password_hash', 'first_name', 'last_name', 'last_login_ip', 'data_processing_consent_at']) {
    assert.equal(anonymous[column], null, column);
  }
  assert.deepEqual([anonymous.data_processing_consent, anonymous.marketing_consent], [false, false]);
  assert.ok(anonymous.deleted_at instanceof Date, 'still soft-deleted');

  // No row names them any more, except where the plan keeps the reference (legal records, shared content).
  const plan = await loadAccountPlan(db);
  const kept = new Set(
    plan.erasure.filter((s) => s.action === 'keep' || s.action === 'content').map((s) => `${s.table}.${s.column}`),
  );
  for (const { table, column } of await userColumns(sql)) {
    const [{ n } = { n: -1 }] =
      await sql`SELECT count(*)::int AS n FROM ${sql(table)} WHERE ${sql(column)} = ${old.id as string}`;
    const step = plan.erasure.find((s) => s.table === table && s.column === column);
    if (step?.action === 'delete' && step.only) {
      const [{ hidden } = { hidden: -1 }] = await sql`
        SELECT count(*)::int AS hidden FROM ${sql(table)} WHERE ${sql(column)} = ${old.id as string} AND deleted_at IS NOT NULL`;
      assert.equal(hidden, 0, `${table}.${column}: hidden rows deleted`);
    } else if (!kept.has(`${table}.${column}`)) {
      assert.equal(n, 0, `${table}.${column} still names the anonymised account`);
    }
  }
  // Every table of policy until_account_deletion lost its rows of the person.
  const registry = loadTableRegistry();
  for (const step of plan.erasure) {
    if (registry[step.table]?.retention.policy === 'until_account_deletion' && step.action !== 'keep') {
      assert.equal(step.action, 'delete', `${step.table}.${step.column}`);
    }
  }
  const count = async (query: Promise<Row[]>) => ((await query)[0]?.n as number) ?? -1;
  assert.equal(await count(sql`SELECT count(*)::int AS n FROM user_profiles WHERE user_id = ${old.id as string}`), 0);
  // Legal records stay and still point at the (anonymised) account (ADR 0005).
  for (const [table, column] of [
    ['orders', 'user_id'],
    ['order_items', 'seller_id'],
    ['transactions', 'user_id'],
    ['seller_payouts', 'seller_id'],
  ] as const) {
    const rows = await count(
      sql`SELECT count(*)::int AS n FROM ${sql(table)} WHERE ${sql(column)} = ${old.id as string}`,
    );
    assert.equal(rows, 1, `${table}.${column} kept`);
  }
  // Detached rows stay for aggregates, without the person or their device.
  const plays =
    await sql`SELECT user_id, device_type, source FROM playback_history WHERE track_id = ${world.track.id as string}`;
  assert.equal(plays.length, 3);
  assert.equal(plays.filter((p) => p.user_id === null && p.device_type === null && p.source === null).length, 1);
  // Content stays soft-deleted for the content retention jobs; the shared group stays visible.
  const groups = await sql`SELECT deleted_at FROM groups WHERE creator_id = ${old.id as string} ORDER BY member_count`;
  assert.deepEqual(
    groups.map((g) => g.deleted_at === null),
    [false, true],
  );
  assert.equal(
    await count(
      sql`SELECT count(*)::int AS n FROM tracks WHERE creator_id = ${old.id as string} AND deleted_at IS NULL`,
    ),
    0,
  );
  // Testers list and export archives.
  const [flag] = await sql`SELECT conditions FROM feature_flags`;
  assert.deepEqual(flag?.conditions, { roles: ['admin'], testers: [recent.id, alive.id] });
  assert.deepEqual((await readdir(join(dataDir, 'exports'))).sort(), [recent.id]);

  // Aggregates still add up.
  const [profile] = await sql`SELECT follower_count FROM user_profiles WHERE user_id = ${bystander.id as string}`;
  const [follows] = await sql`SELECT count(*)::int AS n FROM follows WHERE following_id = ${bystander.id as string}`;
  assert.equal(follows?.n, 2);
  assert.equal(profile?.follower_count, follows?.n);
  const [track] = await sql`SELECT like_count, play_count FROM tracks WHERE id = ${world.track.id as string}`;
  assert.deepEqual([track?.like_count, track?.play_count], [2, 3]);
  const [room] = await sql`SELECT member_count FROM rooms WHERE id = ${world.room.id as string}`;
  assert.equal(room?.member_count, 2);

  // Other accounts: every row naming the 29-day-old or the live account is unchanged.
  const others = new Set([recent.id, alive.id]);
  const columns = [...(await userColumns(sql)), { table: 'users', column: 'id' }];
  let compared = 0;
  for (const [key, json] of before) {
    const table = key.slice(0, key.indexOf(':'));
    const row = JSON.parse(json) as Record<string, unknown>;
    const names = columns.filter((c) => c.table === table).map((c) => row[c.column]);
    if (names.some((id) => others.has(id)) && !names.includes(old.id)) {
      assert.equal(afterFirst.get(key), json, `${key} changed`);
      compared += 1;
    }
  }
  assert.ok(compared >= 50, `compared ${compared} rows of the other accounts`);

  const second = await runJob(accountsAnonymise, { db, dataDir, triggeredBy: 'manual' });
  assert.equal(second.status, 'succeeded');
  assert.deepEqual(
    Object.entries(second.rowsByTable).filter(([, n]) => n > 0),
    [],
  );
  assert.deepEqual(await dump(sql), afterFirst, 'a second run changes nothing');
});

test('the job takes its period from the registry (users: 30 days after deleted_at)', () => {
  const users = loadTableRegistry().users?.retention;
  assert.deepEqual(accountRetention(), { maxAgeDays: users?.maxAgeDays, clock: users?.clock });
  assert.deepEqual(accountRetention(), { maxAgeDays: 30, clock: 'deleted_at' });
});
