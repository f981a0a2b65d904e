import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../factories/index.ts';
import { useMigratedDatabase } from '../helpers/database.ts';

// ADR 0005: records kept 7 years by law (spec §18.1) refuse the hard deletion of their user.

const database = useMigratedDatabase();
const factory = (table: string) => {
  const make = allFactories[table];
  if (!make) throw new Error(`no factory for ${table}`);
  return make;
};

test('a buyer with an order cannot be hard-deleted', async () => {
  const { sql } = database.current;
  const order = await factory('orders')(sql);
  await assert.rejects(sql`DELETE FROM users WHERE id = ${order.user_id as string}`, {
    code: '23503',
    constraint_name: 'fk_orders_users',
  });
});

test('a seller with a payout cannot be hard-deleted', async () => {
  const { sql } = database.current;
  const payout = await factory('seller_payouts')(sql);
  await assert.rejects(sql`DELETE FROM users WHERE id = ${payout.seller_id as string}`, {
    code: '23503',
    constraint_name: 'fk_seller_payouts_users',
  });
});

test('a seller named in an order item cannot be hard-deleted', async () => {
  const { sql } = database.current;
  const item = await factory('order_items')(sql);
  await assert.rejects(sql`DELETE FROM users WHERE id = ${item.seller_id as string}`, { code: '23503' });
});

test('a user without legal records can still be deleted, cascading to their own data', async () => {
  const { sql } = database.current;
  const track = await factory('tracks')(sql);
  await sql`DELETE FROM users WHERE id = ${track.creator_id as string}`;
  const [left] = await sql`SELECT count(*)::int AS n FROM tracks WHERE id = ${track.id as string}`;
  assert.equal(left?.n, 0);
});
