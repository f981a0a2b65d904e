// Every keyset page of the API, walked one row at a time over rows created 1 µs apart in the same millisecond:
// with a cursor that carried a JavaScript Date (milliseconds), the second row was skipped.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authFactories } from '../../../test/factories/auth.ts';
import { profilesFactories } from '../../../test/factories/profiles.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { signedInCaller } from '../../../test/helpers/callers.ts';

const testApp = useTestApp();
const sql = () => testApp.current.database.sql;

/** Five stamps in one millisecond, 1 µs apart, oldest first. */
const STAMPS = [1, 2, 3, 4, 5].map((micro) => `2026-03-01 12:00:00.12300${micro}+00`);

const signedInUser = () => signedInCaller(testApp.current);

/** Follows next_cursor from the first page to the last, `limit=1`, and returns the ids in the order served. */
async function walk(url: string, authorization?: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 20; pages += 1) {
    const separator = url.includes('?') ? '&' : '?';
    const response: { statusCode: number; body: string; json<T>(): T } = await testApp.current.app.inject({
      method: 'GET',
      url: `${url}${separator}limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      headers: authorization ? { authorization } : {},
    });
    assert.equal(response.statusCode, 200, response.body);
    const page = response.json<{ items: { id: string }[]; next_cursor: string | null }>();
    ids.push(...page.items.map((item) => item.id));
    cursor = page.next_cursor;
    if (cursor === null) return ids;
  }
  throw new Error(`${url} did not end`);
}

/**
 * Inserts one row per stamp and returns their ids newest first, the order every page serves. The stamp is set
 * as text: postgres.js would send it through a JavaScript Date, which is the very truncation under test.
 */
async function rowsAt(table: string, make: () => Promise<Record<string, unknown>>): Promise<string[]> {
  const ids: string[] = [];
  for (const stamp of STAMPS) {
    const { id } = await make();
    await sql()`UPDATE ${sql()(table)} SET created_at = ${stamp}::text::timestamptz WHERE id = ${String(id)}`;
    ids.push(String(id));
  }
  return ids.reverse();
}

describe('keyset pages do not skip rows created in the same millisecond', () => {
  test('GET /v1/badges', async () => {
    const category = 'experience';
    const expected = await rowsAt('badges', () => profilesFactories.badges(sql(), { category }));
    assert.deepEqual(await walk(`/v1/badges?category=${category}`), expected);
  });

  test('GET /v1/auth/sessions', async () => {
    const user = await signedInUser();
    const expected = await rowsAt('refresh_tokens', () => authFactories.refresh_tokens(sql(), { user_id: user.id }));
    assert.deepEqual(await walk('/v1/auth/sessions', user.authorization), expected);
  });

  test('GET /v1/me/identities', async () => {
    const user = await signedInUser();
    const expected = await rowsAt('federated_identities', () =>
      authFactories.federated_identities(sql(), { user_id: user.id }),
    );
    assert.deepEqual(await walk('/v1/me/identities', user.authorization), expected);
  });
});
