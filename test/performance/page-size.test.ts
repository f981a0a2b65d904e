import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql as kysql } from 'kysely';
import { useMigratedDatabase } from '../helpers/database.ts';
import { roomMessages } from '../../src/domains/chat/messages.queries.ts';
import { pageSize } from '../../src/platform/db/page-size.ts';
import { openPool } from '../../src/platform/db/pool.ts';

const database = useMigratedDatabase();

test('pageSize accepts whole numbers from 1 to 1000 only', () => {
  for (const good of [1, 20, 1000]) assert.doesNotThrow(() => pageSize(good));
  for (const bad of [0, -1, 1.5, 1001, Number.NaN]) assert.throws(() => pageSize(bad), RangeError);
});

// ADR 0027: with the page size bound as a parameter, PostgreSQL never caches a generic plan for a room page and
// plans every execution again; with a literal it settles on the generic plan after five custom ones.
test('a room page with a literal page size gets a cached generic plan, a bound one is planned every time', async () => {
  const { sql, url } = database.current;
  const [room] = await sql`
    WITH creator AS (
      INSERT INTO users (email, username, password_hash, data_processing_consent, data_processing_consent_at)
      VALUES ('plans@example.test', 'plans', 'x', true, now()) RETURNING id)
    INSERT INTO rooms (name, slug, room_type, creator_id) SELECT 'Plans', 'plans', 'public', id FROM creator
    RETURNING id, creator_id`;
  await sql`
    INSERT INTO messages (room_id, sender_id, content, created_at)
    SELECT ${room!.id}, ${room!.creator_id}, 'message ' || i, now() - i * interval '1 hour'
    FROM generate_series(1, 5000) AS i`;
  await sql`ANALYZE messages`;

  // One connection, so that the prepared statements and their counters are all in one session.
  const pool = openPool(url, {
    poolSize: 1,
    connectTimeoutMs: 2000,
    statementTimeoutMs: 0,
    lockTimeoutMs: 0,
    prepareStatements: true,
  });
  const { db } = pool;
  try {
    // PostgreSQL's own choice between custom and generic plans, which the pool overrides (ADR 0027).
    await kysql`SET plan_cache_mode = auto`.execute(db);
    const literal = roomMessages(db, room!.id as string, null, 50);
    const bound = literal.clearLimit().limit(50);
    for (let run = 0; run < 8; run += 1) {
      await literal.execute();
      await bound.execute();
    }
    const { rows: plans } = await kysql<{ statement: string; generic_plans: number; custom_plans: number }>`
      SELECT statement, generic_plans::int, custom_plans::int FROM pg_prepared_statements
      WHERE statement LIKE '%from "messages"%'`.execute(db);
    const literalPlans = plans.find((row) => / limit 50$/i.test(row.statement.trim()));
    const boundPlans = plans.find((row) => / limit \$\d+$/i.test(row.statement.trim()));
    assert.ok(literalPlans && boundPlans, `both statements prepared: ${JSON.stringify(plans)}`);
    assert.ok(literalPlans.generic_plans > 0, `literal limit: ${JSON.stringify(literalPlans)}`);
    assert.equal(boundPlans.generic_plans, 0, `bound limit: ${JSON.stringify(boundPlans)}`);
  } finally {
    await pool.close();
  }
});
