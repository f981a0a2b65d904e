// Collaborative edits from real parallel requests (issue 13 §4, "done when"): whatever interleaving the server
// picks, positions end unique and 0..n-1, no track is lost or doubled, and the counters are exact (ADR 0049).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, newPlaylist, person, stored, track, type Person } from './playlists.test-support.ts';

const testApp = useTestApp();

const range = (n: number) => Array.from({ length: n }, (_value, index) => index);

async function collaborativePlaylist() {
  const owner = await person(testApp.current);
  const friends = [await person(testApp.current), await person(testApp.current)];
  const id = await newPlaylist(as(testApp.current, owner), { is_collaborative: true, visibility: 'private' });
  for (const friend of friends) {
    const added = await as(testApp.current, owner)('POST', `/v1/playlists/${id}/collaborators`, { user_id: friend.id });
    assert.equal(added.statusCode, 201, added.body);
  }
  return { owner, friends, editors: [owner, ...friends] as Person[], id };
}

test('35 parallel adds, removes and moves by the owner and two collaborators keep positions 0..n-1', async () => {
  const { owner, editors, id } = await collaborativePlaylist();
  const initial = await Promise.all(range(20).map(() => track(testApp.current, owner.id, { duration: 30 })));
  for (const t of initial) await as(testApp.current, owner)('POST', `/v1/playlists/${id}/tracks`, { track_id: t.id });
  const added = await Promise.all(range(15).map(() => track(testApp.current, owner.id, { duration: 30 })));

  // At least 15 entries remain at every moment (20 - 5 removals), so positions 0..14 are always in range.
  const requests = [
    ...added.map((t, i) => ['POST', `/v1/playlists/${id}/tracks`, { track_id: t.id, position: (i * 7) % 15 }] as const),
    ...initial.slice(15).map((t) => ['DELETE', `/v1/playlists/${id}/tracks/${t.id}`, undefined] as const),
    ...initial
      .slice(0, 15)
      .map((t, i) => ['PUT', `/v1/playlists/${id}/tracks/${t.id}/position`, { position: (i * 11) % 15 }] as const),
    // Interleaved rather than grouped by kind.
  ].sort((x, y) => (x[1] + x[0]).localeCompare(y[1] + y[0]));
  assert.equal(requests.length, 35);
  const answers = await Promise.all(
    requests.map(([method, url, body], i) => as(testApp.current, editors[i % editors.length]!)(method, url, body)),
  );
  for (const [i, answer] of answers.entries()) {
    assert.ok(answer.statusCode < 300, `${requests[i]![0]} ${requests[i]![1]}: ${answer.statusCode} ${answer.body}`);
  }

  const state = await stored(testApp.current, id);
  assert.deepEqual(state.positions, range(30), 'unique and gap-free');
  assert.deepEqual(
    [...state.trackIds].sort(),
    [...initial.slice(0, 15), ...added].map((t) => t.id).sort(),
    'no track lost, none doubled',
  );
  assert.deepEqual([state.trackCount, state.durationSeconds], [30, 900]);
  const read = (await as(testApp.current, owner)('GET', `/v1/playlists/${id}?limit=500`)).json();
  assert.equal(read.entry_count, 30);
  assert.deepEqual(
    read.tracks.items.map((entry: { track: { id: string } }) => entry.track.id),
    state.trackIds,
  );
});

test('20 parallel appends to one playlist land at 0..19, one each', async () => {
  const { owner, editors, id } = await collaborativePlaylist();
  const songs = await Promise.all(range(20).map(() => track(testApp.current, owner.id, { duration: 10 })));
  const answers = await Promise.all(
    songs.map((t, i) => as(testApp.current, editors[i % 3]!)('POST', `/v1/playlists/${id}/tracks`, { track_id: t.id })),
  );
  assert.deepEqual(
    answers.map((answer) => answer.statusCode),
    songs.map(() => 201),
  );
  assert.deepEqual(
    answers.map((answer) => answer.json().position).sort((a: number, b: number) => a - b),
    range(20),
  );
  const state = await stored(testApp.current, id);
  assert.deepEqual(state.positions, range(20));
  assert.deepEqual([state.trackCount, state.durationSeconds], [20, 200]);

  // The same track added by everyone at once: one entry, the others 409.
  const extra = await track(testApp.current, owner.id, { duration: 10 });
  const races = await Promise.all(
    range(10).map((i) =>
      as(testApp.current, editors[i % 3]!)('POST', `/v1/playlists/${id}/tracks`, { track_id: extra.id }),
    ),
  );
  assert.deepEqual(races.map((answer) => answer.statusCode).sort(), [201, ...range(9).map(() => 409)]);
  assert.equal((await stored(testApp.current, id)).trackCount, 21);
});

test('two collaborators reordering the whole playlist at once: one order wins, whole', async () => {
  const { owner, friends, id } = await collaborativePlaylist();
  const songs = await Promise.all(range(12).map(() => track(testApp.current, owner.id)));
  for (const t of songs) await as(testApp.current, owner)('POST', `/v1/playlists/${id}/tracks`, { track_id: t.id });
  const { entryIds } = await stored(testApp.current, id);
  const orders = range(20).map((i) => entryIds.map((_id, j) => entryIds[(j * 5 + i) % 12]!));
  const answers = await Promise.all(
    orders.map((order, i) =>
      as(testApp.current, friends[i % 2]!)('PUT', `/v1/playlists/${id}/tracks/order`, { entry_ids: order }),
    ),
  );
  assert.deepEqual(
    answers.map((answer) => answer.statusCode),
    orders.map(() => 200),
  );
  const state = await stored(testApp.current, id);
  assert.deepEqual(state.positions, range(12));
  assert.ok(
    orders.some((order) => order.join() === state.entryIds.join()),
    'the final order is one of the orders sent',
  );
});

test('parallel follows and unfollows leave follower_count equal to the followers', async () => {
  const owner = await person(testApp.current);
  const id = await newPlaylist(as(testApp.current, owner));
  const fans = await Promise.all(range(30).map(() => person(testApp.current)));
  // Each fan follows twice at once; then a third of them unfollow while the others follow once more.
  const follows = await Promise.all(
    fans.flatMap((fan) => [0, 1].map(() => as(testApp.current, fan)('PUT', `/v1/playlists/${id}/follow`))),
  );
  assert.ok(follows.every((answer) => answer.statusCode === 204));
  assert.equal((await stored(testApp.current, id)).followerCount, 30);
  const mixed = await Promise.all(
    fans.map((fan, i) => as(testApp.current, fan)(i % 3 === 0 ? 'DELETE' : 'PUT', `/v1/playlists/${id}/follow`)),
  );
  assert.ok(mixed.every((answer) => answer.statusCode === 204));
  const [followers] = await testApp.current.database.sql`
    SELECT count(*)::int AS rows FROM playlist_followers WHERE playlist_id = ${id}`;
  assert.equal(followers?.rows, 20);
  assert.equal((await stored(testApp.current, id)).followerCount, 20);
});

test('five parallel PATCHes based on one ETag: one applies, the others are 412', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const id = await newPlaylist(call);
  const etag = String((await call('GET', `/v1/playlists/${id}`)).headers.etag);
  const answers = await Promise.all(
    range(5).map((i) => call('PATCH', `/v1/playlists/${id}`, { name: `Name ${i}` }, { 'if-match': etag })),
  );
  assert.deepEqual(answers.map((answer) => answer.statusCode).sort(), [200, 412, 412, 412, 412]);
  const winner = answers.find((answer) => answer.statusCode === 200)?.json().name;
  assert.equal((await call('GET', `/v1/playlists/${id}`)).json().name, winner);
});
