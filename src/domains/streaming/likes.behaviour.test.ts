// Likes (issue 13 §3): idempotent like and unlike, the like state, the liked-tracks list, and tracks.like_count
// exact after real parallel requests (the counter is kept by trg_track_likes_like_count, migration 0016).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, person, track, type TrackRow } from './comments.test-support.ts';

const testApp = useTestApp();

async function counts(trackId: string) {
  const [row] = await testApp.current.database.sql`
    SELECT t.like_count, (SELECT count(*)::int FROM track_likes l WHERE l.track_id = t.id) AS rows
    FROM tracks t WHERE t.id = ${trackId}`;
  return { likeCount: row?.like_count as number, rows: row?.rows as number };
}

test('liking is idempotent: 201 then 200, one row, and unliking twice is 204 both times', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  const call = as(testApp.current, fan);

  const first = await call('PUT', `/v1/tracks/${song.id}/like`);
  assert.equal(first.statusCode, 201, first.body);
  assert.deepEqual(
    { ...first.json<Record<string, unknown>>(), liked_at: undefined },
    {
      track_id: song.id,
      liked: true,
      liked_at: undefined,
      like_count: 1,
    },
  );
  const again = await call('PUT', `/v1/tracks/${song.id}/like`);
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().liked_at, first.json().liked_at, 'the first like’s time stands');
  assert.equal(again.json().like_count, 1);
  assert.deepEqual(await counts(song.id), { likeCount: 1, rows: 1 });

  const state = await call('GET', `/v1/tracks/${song.id}/like`);
  assert.deepEqual(state.json(), first.json());

  assert.equal((await call('DELETE', `/v1/tracks/${song.id}/like`)).statusCode, 204);
  assert.equal((await call('DELETE', `/v1/tracks/${song.id}/like`)).statusCode, 204);
  assert.deepEqual(await counts(song.id), { likeCount: 0, rows: 0 });
  assert.deepEqual((await call('GET', `/v1/tracks/${song.id}/like`)).json(), {
    track_id: song.id,
    liked: false,
    liked_at: null,
    like_count: 0,
  });
});

test('a track one may not see cannot be liked (404), its creator may like their own draft', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const draft = await track(testApp.current, creator.id, { published_at: null });
  const hidden = await track(testApp.current, creator.id, { visibility: 'private' });
  const deleted = await track(testApp.current, creator.id, { deleted_at: new Date('2025-02-01T00:00:00Z') });
  const unlisted = await track(testApp.current, creator.id, { visibility: 'unlisted' });
  const call = as(testApp.current, fan);
  for (const song of [draft, hidden, deleted]) {
    const answer = await call('PUT', `/v1/tracks/${song.id}/like`);
    assert.equal(answer.statusCode, 404, answer.body);
    assert.equal(answer.json().code, 'TRACK_NOT_FOUND');
    assert.equal((await call('GET', `/v1/tracks/${song.id}/like`)).statusCode, 404);
    assert.deepEqual(await counts(song.id), { likeCount: 0, rows: 0 });
  }
  assert.equal((await call('PUT', `/v1/tracks/00000000-0000-4000-8000-000000000000/like`)).statusCode, 404);
  assert.equal((await call('PUT', `/v1/tracks/${unlisted.id}/like`)).statusCode, 201, 'unlisted: anyone with the link');
  assert.equal((await as(testApp.current, creator)('PUT', `/v1/tracks/${draft.id}/like`)).statusCode, 201);
  // Anonymous callers: 401 before anything else.
  assert.equal((await as(testApp.current, null)('PUT', `/v1/tracks/${unlisted.id}/like`)).statusCode, 401);
  // A malformed id: a 400 naming the parameter.
  const bad = await call('PUT', '/v1/tracks/not-a-uuid/like');
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().errors[0].field, 'params.id');
});

test('my likes: newest first, keyset pages, tracks gone or hidden since shown as unavailable', async () => {
  const creator = await person(testApp.current);
  const fan = await person(testApp.current);
  const { sql } = testApp.current.database;
  const songs: TrackRow[] = [];
  for (let i = 0; i < 5; i += 1) songs.push(await track(testApp.current, creator.id, { title: `Song ${i}` }));
  const call = as(testApp.current, fan);
  for (const song of songs) assert.equal((await call('PUT', `/v1/tracks/${song.id}/like`)).statusCode, 201);
  // Two likes in the same microsecond-free instant would tie: the id breaks ties, the pages must still be exact.
  await sql`UPDATE track_likes SET created_at = '2025-03-01T00:00:00Z' WHERE track_id = ${songs[1]!.id} OR track_id = ${songs[2]!.id}`;
  await sql`UPDATE tracks SET visibility = 'private' WHERE id = ${songs[3]!.id}`;
  await sql`UPDATE tracks SET deleted_at = now() WHERE id = ${songs[4]!.id}`;

  const seen: { track_id: string; available: boolean; title: string | null }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const answer = await call('GET', `/v1/me/likes?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(answer.statusCode, 200, answer.body);
    const body = answer.json();
    for (const item of body.items)
      seen.push({ track_id: item.track_id, available: item.available, title: item.track?.title ?? null });
    cursor = body.next_cursor;
    pages += 1;
  } while (cursor && pages < 10);
  assert.equal(pages, 3);
  assert.deepEqual(
    seen.map((item) => item.track_id).sort(),
    songs.map((song) => song.id).sort(),
    'every like exactly once',
  );
  const expected = await sql`
    SELECT track_id FROM track_likes WHERE user_id = ${fan.id} ORDER BY created_at DESC, id DESC`;
  assert.deepEqual(
    seen.map((item) => item.track_id),
    expected.map((row) => row.track_id),
    'newest first',
  );
  const byId = new Map(seen.map((item) => [item.track_id, item]));
  assert.deepEqual(byId.get(songs[3]!.id), { track_id: songs[3]!.id, available: false, title: null });
  assert.deepEqual(byId.get(songs[4]!.id), { track_id: songs[4]!.id, available: false, title: null });
  assert.deepEqual(byId.get(songs[0]!.id), { track_id: songs[0]!.id, available: true, title: 'Song 0' });
  const card = (await call('GET', '/v1/me/likes?limit=100'))
    .json()
    .items.find((item: { track_id: string }) => item.track_id === songs[0]!.id);
  assert.equal(card.track.creator.username, creator.username);
  assert.equal(card.track.duration_seconds, 215);

  // A like of a hidden track can still be removed.
  assert.equal((await call('DELETE', `/v1/tracks/${songs[3]!.id}/like`)).statusCode, 204);
  assert.deepEqual(await counts(songs[3]!.id), { likeCount: 0, rows: 0 });

  // Someone else's likes are not in my list; a forged cursor is a 400 on query.cursor.
  const other = await person(testApp.current);
  assert.deepEqual((await as(testApp.current, other)('GET', '/v1/me/likes')).json(), { items: [], next_cursor: null });
  const forged = await call('GET', '/v1/me/likes?cursor=bm90LWEtY3Vyc29y');
  assert.equal(forged.statusCode, 400);
  assert.equal(forged.json().errors[0].field, 'query.cursor');
  assert.equal((await call('GET', '/v1/me/likes?limit=101')).statusCode, 400);
  assert.equal((await call('GET', '/v1/me/likes?sort=asc')).statusCode, 400);
});

test('like_count is exact after 50 different users like and unlike in parallel', async () => {
  const creator = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  const fans = await Promise.all(Array.from({ length: 50 }, () => person(testApp.current)));

  const likes = await Promise.all(fans.map((fan) => as(testApp.current, fan)('PUT', `/v1/tracks/${song.id}/like`)));
  assert.deepEqual(
    likes.map((answer) => answer.statusCode),
    fans.map(() => 201),
  );
  assert.deepEqual(await counts(song.id), { likeCount: 50, rows: 50 });

  // Half unlike while the other half like again, all at once.
  const mixed = await Promise.all(
    fans.map((fan, i) => as(testApp.current, fan)(i % 2 === 0 ? 'DELETE' : 'PUT', `/v1/tracks/${song.id}/like`)),
  );
  assert.ok(mixed.every((answer) => [200, 204].includes(answer.statusCode)));
  assert.deepEqual(await counts(song.id), { likeCount: 25, rows: 25 });
});

test('like_count is exact after one user likes 50 times in parallel, then likes and unlikes in parallel', async () => {
  const creator = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  const fan = await person(testApp.current);
  const call = as(testApp.current, fan);

  const answers = await Promise.all(Array.from({ length: 50 }, () => call('PUT', `/v1/tracks/${song.id}/like`)));
  const statuses = answers.map((answer) => answer.statusCode).sort();
  assert.equal(statuses.filter((status) => status === 201).length, 1, 'exactly one request made the like');
  assert.equal(statuses.filter((status) => status === 200).length, 49);
  assert.deepEqual(await counts(song.id), { likeCount: 1, rows: 1 });

  const mixed = await Promise.all(
    Array.from({ length: 50 }, (_, i) => call(i % 2 === 0 ? 'DELETE' : 'PUT', `/v1/tracks/${song.id}/like`)),
  );
  assert.ok(
    mixed.every((answer) => [200, 201, 204].includes(answer.statusCode)),
    'never a 5xx',
  );
  const after = await counts(song.id);
  assert.ok(after.rows === 0 || after.rows === 1);
  assert.equal(after.likeCount, after.rows, 'the counter equals the rows, whatever the interleaving');
  const state = (await call('GET', `/v1/tracks/${song.id}/like`)).json();
  assert.equal(state.liked, after.rows === 1);
});
