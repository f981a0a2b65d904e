// The searcher's own history and popular searches (issue 18 §4; ADR 0088): kept only for the signed-in searcher who
// did not turn it off, cleared on demand, and popular only as counts of at least five distinct people.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, person, row } from './search.test-support.ts';

const testApp = useTestApp();

interface History {
  recording: boolean;
  items: { query: string; type: string | null; searched_at: string }[];
}

test('a signed-in search is remembered for its author only, once per text; clearing forgets it all', async () => {
  const t = testApp.current;
  const alice = await person(t);
  const bob = await person(t);
  const call = as(t, alice);
  await call('GET', '/v1/search?q=Caf%C3%A9%20noir');
  await call('GET', '/v1/search?q=lofi&type=track');
  await call('GET', '/v1/search?q=cafe%20NOIR');
  await call('GET', '/v1/search?q=%21%21%21'); // punctuation only: nothing to remember
  await as(t, null)('GET', '/v1/search?q=anonymous%20words');

  const history = (await call('GET', '/v1/me/search-history')).json<History>();
  assert.equal(history.recording, true);
  assert.deepEqual(
    history.items.map((item) => [item.query, item.type]),
    [
      ['cafe NOIR', null],
      ['lofi', 'track'],
    ],
  );
  assert.deepEqual((await as(t, bob)('GET', '/v1/me/search-history')).json<History>().items, []);
  const [anonymous] = await t.database.sql`SELECT count(*)::int AS n FROM search_queries WHERE user_id IS NULL`;
  assert.equal(anonymous!.n, 0);

  // A following page is the same search: not remembered again.
  const [before] = await t.database.sql`SELECT count(*)::int AS n FROM search_queries WHERE user_id = ${alice.id}`;
  const cursor = Buffer.from('search:20').toString('base64url');
  assert.equal((await call('GET', `/v1/search?q=lofi&cursor=${cursor}`)).statusCode, 200);
  const [afterPage] = await t.database.sql`SELECT count(*)::int AS n FROM search_queries WHERE user_id = ${alice.id}`;
  assert.equal(afterPage!.n, before!.n);

  assert.equal((await call('DELETE', '/v1/me/search-history')).statusCode, 204);
  assert.deepEqual((await call('GET', '/v1/me/search-history')).json<History>().items, []);
  const [left] = await t.database.sql`SELECT count(*)::int AS n FROM search_queries WHERE user_id = ${alice.id}`;
  assert.equal(left!.n, 0);
});

test('turned off, nothing new is kept; turned on again, it is', async () => {
  const t = testApp.current;
  const carol = await person(t);
  const call = as(t, carol);
  const off = await call('PUT', '/v1/me/search-history/settings', { recording: false });
  assert.equal(off.statusCode, 200, off.body);
  assert.deepEqual(off.json(), { recording: false });
  await call('GET', '/v1/search?q=secret%20thing');
  const history = (await call('GET', '/v1/me/search-history')).json<History>();
  assert.equal(history.recording, false);
  assert.deepEqual(history.items, []);
  const [kept] = await t.database.sql`SELECT count(*)::int AS n FROM search_queries WHERE user_id = ${carol.id}`;
  assert.equal(kept!.n, 0);

  await call('PUT', '/v1/me/search-history/settings', { recording: true });
  await call('GET', '/v1/search?q=open%20thing');
  assert.deepEqual(
    (await call('GET', '/v1/me/search-history')).json<History>().items.map((item) => item.query),
    ['open thing'],
  );
  assert.equal((await call('PUT', '/v1/me/search-history/settings', { recording: 'no' })).statusCode, 400);
});

test('history routes are for the signed-in caller only', async () => {
  const call = as(testApp.current, null);
  assert.equal((await call('GET', '/v1/me/search-history')).statusCode, 401);
  assert.equal((await call('DELETE', '/v1/me/search-history')).statusCode, 401);
  assert.equal((await call('PUT', '/v1/me/search-history/settings', { recording: false })).statusCode, 401);
});

test('popular searches: counts of at least five distinct people, folded, without anyone named', async () => {
  const t = testApp.current;
  const people = await Promise.all(Array.from({ length: 6 }, () => person(t)));
  // Six people search "Synthwave" in various spellings; one person searches a private-looking text ten times.
  for (const [index, who] of people.entries()) {
    await as(t, who)('GET', `/v1/search?q=${index % 2 === 0 ? 'Synthwave' : 'SYNTHWÄVE'}`);
  }
  for (let i = 0; i < 10; i += 1)
    await row(t, 'search_queries', { user_id: people[0]!.id, query_text: 'jean dupont address' });
  // Four people: below the threshold.
  for (const who of people.slice(0, 4)) await as(t, who)('GET', '/v1/search?q=vaporwave');

  const popular = await as(t, null)('GET', '/v1/search/popular');
  assert.equal(popular.statusCode, 200);
  const items = popular.json<{ items: { query: string; searchers: number }[] }>().items;
  assert.deepEqual(items, [{ query: 'synthwave', searchers: 6 }]);
  const text = popular.body;
  for (const who of people) assert.ok(!text.includes(who.id));
});
