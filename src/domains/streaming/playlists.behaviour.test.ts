// Playlists (issue 13 §4, ADR 0049): create, read, edit with If-Match, delete; entries with 0-based gap-free
// positions, placeholders for unavailable tracks, the limits and the bad input of the issue; collaborators and
// followers; the lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { as, newPlaylist, person, stored, track } from './playlists.test-support.ts';

const testApp = useTestApp();

test('create, read, edit (If-Match) and delete a playlist', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const created = await call('POST', '/v1/playlists', { name: 'Nuit 🌙 ليلة', description: 'Late tunes' });
  assert.equal(created.statusCode, 201, created.body);
  const playlist = created.json();
  assert.equal(playlist.name, 'Nuit 🌙 ليلة', 'emoji and RTL text are kept as sent');
  assert.equal(playlist.visibility, 'public');
  assert.equal(playlist.is_collaborative, false);
  assert.equal(playlist.owner.id, owner.id);
  assert.equal(playlist.track_count, 0);

  const read = await as(testApp.current, null)('GET', `/v1/playlists/${playlist.id}`);
  assert.equal(read.statusCode, 200, read.body);
  assert.equal(read.json().entry_count, 0);
  assert.deepEqual(read.json().viewer, { role: null, following: false, may_edit_tracks: false });
  assert.deepEqual(read.json().tracks, { items: [], next_cursor: null });
  const etag = String(read.headers.etag);
  assert.equal(etag, created.headers.etag, 'the ETag is the details’ one, whoever reads');

  const renamed = await call('PATCH', `/v1/playlists/${playlist.id}`, { name: 'Night' }, { 'if-match': etag });
  assert.equal(renamed.statusCode, 200, renamed.body);
  assert.equal(renamed.json().name, 'Night');
  const stale = await call('PATCH', `/v1/playlists/${playlist.id}`, { name: 'Stale' }, { 'if-match': etag });
  assert.equal(stale.statusCode, 412, stale.body);
  assert.equal(stale.json().errors[0].field, 'headers.if-match');
  // Counters moving (a track added) leave the ETag alone: it versions what PATCH changes.
  const song = await track(testApp.current, owner.id);
  assert.equal((await call('POST', `/v1/playlists/${playlist.id}/tracks`, { track_id: song.id })).statusCode, 201);
  assert.equal((await call('GET', `/v1/playlists/${playlist.id}`)).headers.etag, renamed.headers.etag);
  const fresh = await call(
    'PATCH',
    `/v1/playlists/${playlist.id}`,
    { description: null, visibility: 'private', is_collaborative: true },
    { 'if-match': String(renamed.headers.etag) },
  );
  assert.equal(fresh.statusCode, 200, fresh.body);
  assert.deepEqual(
    [fresh.json().name, fresh.json().description, fresh.json().visibility, fresh.json().is_collaborative],
    ['Night', null, 'private', true],
  );

  const deleted = await call('DELETE', `/v1/playlists/${playlist.id}`);
  assert.equal(deleted.statusCode, 204);
  assert.equal((await call('GET', `/v1/playlists/${playlist.id}`)).statusCode, 404);
  assert.equal((await call('DELETE', `/v1/playlists/${playlist.id}`)).statusCode, 404);
});

test('bad details are a 400 naming the field; nothing is written', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const cases: [Record<string, unknown>, string, string][] = [
    [{ name: 'x'.repeat(10_000) }, 'body.name', 'maxLength'],
    [{ name: '' }, 'body.name', 'minLength'],
    [{ name: '   ' }, 'body.name', 'pattern'],
    [{ name: 'ok', description: 'd'.repeat(5001) }, 'body.description', 'maxLength'],
    [{ name: 'ok', visibility: 'friends' }, 'body.visibility', 'anyOf'],
    [{ name: 'ok', track_count: 5 }, 'body.track_count', 'additionalProperties'],
  ];
  for (const [body, field, rule] of cases) {
    const answer = await call('POST', '/v1/playlists', body);
    assert.equal(answer.statusCode, 400, answer.body);
    assert.ok(
      answer
        .json()
        .errors.some((error: { field: string; rule: string }) => error.field === field && error.rule === rule),
      `${field} ${rule}: ${answer.body}`,
    );
  }
  const id = await newPlaylist(call);
  const empty = await call('PATCH', `/v1/playlists/${id}`, {});
  assert.equal(empty.statusCode, 400);
  const [row] = await testApp.current.database
    .sql`SELECT count(*)::int AS n FROM playlists WHERE user_id = ${owner.id}`;
  assert.equal(row?.n, 1);
});

test('entries: append, insert, move, remove, with positions 0..n-1 and exact counters', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const id = await newPlaylist(call);
  const tracks = await Promise.all([0, 1, 2, 3].map(() => track(testApp.current, owner.id, { duration: 100 })));
  const [a, b, c, d] = tracks.map((t) => t.id) as [string, string, string, string];

  for (const trackId of [a, b, c]) {
    const added = await call('POST', `/v1/playlists/${id}/tracks`, { track_id: trackId });
    assert.equal(added.statusCode, 201, added.body);
  }
  const first = await call('POST', `/v1/playlists/${id}/tracks`, { track_id: d, position: 0 });
  assert.equal(first.statusCode, 201, first.body);
  assert.equal(first.json().position, 0);
  assert.equal(first.json().track.id, d);
  assert.equal(first.json().added_by.id, owner.id);
  let state = await stored(testApp.current, id);
  assert.deepEqual(state.trackIds, [d, a, b, c]);
  assert.deepEqual(state.positions, [0, 1, 2, 3]);
  assert.deepEqual([state.trackCount, state.durationSeconds], [4, 400]);

  // Move by entry id (down) and by track id (up).
  const moved = await call('PUT', `/v1/playlists/${id}/tracks/${first.json().id}/position`, { position: 3 });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.equal(moved.json().position, 3);
  assert.deepEqual((await stored(testApp.current, id)).trackIds, [a, b, c, d]);
  assert.equal((await call('PUT', `/v1/playlists/${id}/tracks/${c}/position`, { position: 0 })).statusCode, 200);
  assert.deepEqual((await stored(testApp.current, id)).trackIds, [c, a, b, d]);

  // Remove by track id: the rest close up.
  assert.equal((await call('DELETE', `/v1/playlists/${id}/tracks/${a}`)).statusCode, 204);
  state = await stored(testApp.current, id);
  assert.deepEqual(state.trackIds, [c, b, d]);
  assert.deepEqual(state.positions, [0, 1, 2]);
  assert.deepEqual([state.trackCount, state.durationSeconds], [3, 300]);
  assert.equal((await call('DELETE', `/v1/playlists/${id}/tracks/${a}`)).json().code, 'PLAYLIST_ENTRY_NOT_FOUND');

  // A full reorder names every entry once.
  const reordered = await call('PUT', `/v1/playlists/${id}/tracks/order`, { entry_ids: [...state.entryIds].reverse() });
  assert.equal(reordered.statusCode, 200, reordered.body);
  assert.deepEqual((await stored(testApp.current, id)).trackIds, [d, b, c]);
  const partial = await call('PUT', `/v1/playlists/${id}/tracks/order`, { entry_ids: state.entryIds.slice(1) });
  assert.equal(partial.statusCode, 409);
  assert.equal(partial.json().code, 'PLAYLIST_ORDER_MISMATCH');
  assert.deepEqual((await stored(testApp.current, id)).trackIds, [d, b, c], 'a refused reorder moves nothing');

  // Pages by position.
  const page = await call('GET', `/v1/playlists/${id}/tracks?limit=2`);
  assert.deepEqual(
    page.json().items.map((entry: { position: number }) => entry.position),
    [0, 1],
  );
  const next = await call('GET', `/v1/playlists/${id}/tracks?limit=2&cursor=${page.json().next_cursor}`);
  assert.deepEqual(
    next.json().items.map((entry: { track: { id: string } }) => entry.track.id),
    [c],
  );
  assert.equal(next.json().next_cursor, null);
});

test('bad entries: position −1 or past the end, a duplicate, a track one may not add: 4xx, nothing moves', async () => {
  const owner = await person(testApp.current);
  const other = await person(testApp.current);
  const call = as(testApp.current, owner);
  const id = await newPlaylist(call);
  const mine = await track(testApp.current, owner.id);
  await call('POST', `/v1/playlists/${id}/tracks`, { track_id: mine.id });
  const before = await stored(testApp.current, id);

  const fieldOf = (answer: { json: () => { errors?: { field: string; rule: string }[] } }) =>
    answer.json().errors?.map((error) => `${error.field} ${error.rule}`);
  const fresh = await track(testApp.current, owner.id);
  const negative = await call('POST', `/v1/playlists/${id}/tracks`, { track_id: fresh.id, position: -1 });
  assert.equal(negative.statusCode, 400);
  assert.deepEqual(fieldOf(negative), ['body.position minimum']);
  const pastEnd = await call('POST', `/v1/playlists/${id}/tracks`, { track_id: fresh.id, position: 2 });
  assert.equal(pastEnd.statusCode, 400, pastEnd.body);
  assert.deepEqual(fieldOf(pastEnd), ['body.position maximum']);
  const moveNegative = await call('PUT', `/v1/playlists/${id}/tracks/${mine.id}/position`, { position: -1 });
  assert.deepEqual(fieldOf(moveNegative), ['body.position minimum']);
  const movePast = await call('PUT', `/v1/playlists/${id}/tracks/${mine.id}/position`, { position: 1 });
  assert.equal(movePast.statusCode, 400);
  assert.deepEqual(fieldOf(movePast), ['body.position maximum']);

  const duplicate = await call('POST', `/v1/playlists/${id}/tracks`, { track_id: mine.id });
  assert.equal(duplicate.statusCode, 409);
  assert.equal(duplicate.json().code, 'TRACK_ALREADY_IN_PLAYLIST');

  const othersPrivate = await track(testApp.current, other.id, { visibility: 'private' });
  const othersDraft = await track(testApp.current, other.id, { published_at: null });
  const othersDeleted = await track(testApp.current, other.id, { deleted_at: new Date('2025-02-01T00:00:00Z') });
  for (const hidden of [othersPrivate, othersDraft, othersDeleted]) {
    const refused = await call('POST', `/v1/playlists/${id}/tracks`, { track_id: hidden.id });
    assert.equal(refused.statusCode, 404, refused.body);
    assert.equal(refused.json().code, 'TRACK_NOT_FOUND');
    assert.deepEqual(fieldOf(refused), ['body.track_id exists']);
  }
  const nowhere = await call('POST', `/v1/playlists/${id}/tracks`, {
    track_id: '00000000-0000-4000-8000-000000000000',
  });
  assert.equal(nowhere.json().code, 'TRACK_NOT_FOUND');
  // Someone else's unlisted track may go in; one's own private track into one's own playlist too.
  const unlisted = await track(testApp.current, other.id, { visibility: 'unlisted' });
  assert.equal((await call('POST', `/v1/playlists/${id}/tracks`, { track_id: unlisted.id })).statusCode, 201);
  const ownPrivate = await track(testApp.current, owner.id, { visibility: 'private' });
  assert.equal((await call('POST', `/v1/playlists/${id}/tracks`, { track_id: ownPrivate.id })).statusCode, 201);

  const after = await stored(testApp.current, id);
  assert.deepEqual(after.trackIds, [...before.trackIds, unlisted.id, ownPrivate.id]);
  assert.deepEqual(after.positions, [0, 1, 2]);
});

test('a playlist holds 10,000 entries: the 10,001st is a 409 PLAYLIST_FULL, and a 500-entry page reads in one go', async () => {
  const owner = await person(testApp.current);
  const call = as(testApp.current, owner);
  const id = await newPlaylist(call);
  const { sql } = testApp.current.database;
  // 10,000 entries written directly (through the API it would take minutes): one track each.
  const file = await allFactories.files!(sql, { user_id: owner.id });
  const rows = await sql`
    WITH t AS (
      INSERT INTO tracks (creator_id, file_id, title, duration, published_at)
      SELECT ${owner.id}, ${String(file.id)}, 'Bulk ' || n, 60, now() FROM generate_series(0, 9999) AS n
      RETURNING id, title)
    INSERT INTO playlist_tracks (playlist_id, track_id, position, added_by)
    SELECT ${id}, t.id, (substring(t.title from 6))::int, ${owner.id} FROM t
    RETURNING id`;
  assert.equal(rows.length, 10_000);
  const extra = await track(testApp.current, owner.id);
  const full = await call('POST', `/v1/playlists/${id}/tracks`, { track_id: extra.id });
  assert.equal(full.statusCode, 409, full.body);
  assert.equal(full.json().code, 'PLAYLIST_FULL');
  assert.equal(full.json().errors[0].field, 'body.track_id');
  const state = await stored(testApp.current, id);
  assert.equal(state.positions.length, 10_000);
  assert.equal(state.trackCount, 10_000);

  const page = await call('GET', `/v1/playlists/${id}/tracks?limit=500`);
  assert.equal(page.statusCode, 200);
  assert.equal(page.json().items.length, 500);
  assert.equal(page.json().items[499].position, 499);
  const tooBig = await call('GET', `/v1/playlists/${id}/tracks?limit=501`);
  assert.equal(tooBig.statusCode, 400);
  const forged = await call('GET', `/v1/playlists/${id}/tracks?cursor=bm90LWEtY3Vyc29y`);
  assert.equal(forged.statusCode, 400);
  assert.equal(forged.json().errors[0].field, 'query.cursor');
});

test('unavailable tracks stay in place as placeholders; the owner may remove them', async () => {
  const owner = await person(testApp.current);
  const creator = await person(testApp.current);
  const listener = await person(testApp.current);
  const call = as(testApp.current, owner);
  const id = await newPlaylist(call);
  const [a, b, c] = await Promise.all([0, 1, 2].map(() => track(testApp.current, creator.id, { duration: 100 })));
  for (const t of [a, b, c]) await call('POST', `/v1/playlists/${id}/tracks`, { track_id: t!.id });
  const { sql } = testApp.current.database;
  await sql`UPDATE tracks SET deleted_at = now() WHERE id = ${a!.id}`;
  await sql`UPDATE tracks SET visibility = 'private' WHERE id = ${b!.id}`;

  const seen = (await as(testApp.current, listener)('GET', `/v1/playlists/${id}`)).json();
  assert.deepEqual(
    seen.tracks.items.map((entry: { position: number; available: boolean; track: { id: string } | null }) => [
      entry.position,
      entry.available,
      entry.track?.id ?? null,
    ]),
    [
      [0, false, null],
      [1, false, null],
      [2, true, c!.id],
    ],
  );
  assert.equal(seen.entry_count, 3);
  assert.equal(seen.track_count, 2, 'track_count leaves the deleted track out (trigger, ADR 0012)');
  // The creator still sees their own private track.
  const creators = (await as(testApp.current, creator)('GET', `/v1/playlists/${id}/tracks`)).json();
  assert.equal(creators.items[1].track.id, b!.id);

  const placeholder = seen.tracks.items[0].id;
  assert.equal((await call('DELETE', `/v1/playlists/${id}/tracks/${placeholder}`)).statusCode, 204);
  assert.deepEqual((await stored(testApp.current, id)).positions, [0, 1]);
});

test('collaborators: invited by the owner, edit entries, never details; leave; private playlists show to them', async () => {
  const owner = await person(testApp.current);
  const friend = await person(testApp.current);
  const stranger = await person(testApp.current);
  const ownerCall = as(testApp.current, owner);
  const friendCall = as(testApp.current, friend);
  const id = await newPlaylist(ownerCall, { visibility: 'private' });

  const notYet = await ownerCall('POST', `/v1/playlists/${id}/collaborators`, { user_id: friend.id });
  assert.equal(notYet.statusCode, 409);
  assert.equal(notYet.json().code, 'PLAYLIST_NOT_COLLABORATIVE');
  await ownerCall('PATCH', `/v1/playlists/${id}`, { is_collaborative: true });
  assert.equal((await friendCall('GET', `/v1/playlists/${id}`)).statusCode, 404, 'private, not yet invited');

  const added = await ownerCall('POST', `/v1/playlists/${id}/collaborators`, { user_id: friend.id });
  assert.equal(added.statusCode, 201, added.body);
  assert.equal(added.json().user.id, friend.id);
  assert.equal(added.json().added_by.id, owner.id);
  const again = await ownerCall('POST', `/v1/playlists/${id}/collaborators`, { user_id: friend.id });
  assert.equal(again.json().code, 'COLLABORATOR_EXISTS');
  const self = await ownerCall('POST', `/v1/playlists/${id}/collaborators`, { user_id: owner.id });
  assert.equal(self.statusCode, 400);
  const ghost = await ownerCall('POST', `/v1/playlists/${id}/collaborators`, {
    user_id: '00000000-0000-4000-8000-000000000000',
  });
  assert.equal(ghost.statusCode, 400);
  assert.equal(ghost.json().errors[0].field, 'body.user_id');
  const byFriend = await friendCall('POST', `/v1/playlists/${id}/collaborators`, { user_id: stranger.id });
  assert.equal(byFriend.statusCode, 403, 'only the owner invites');

  const detail = (await friendCall('GET', `/v1/playlists/${id}`)).json();
  assert.deepEqual(detail.viewer, { role: 'collaborator', following: false, may_edit_tracks: true });
  const song = await track(testApp.current, friend.id);
  const entry = await friendCall('POST', `/v1/playlists/${id}/tracks`, { track_id: song.id });
  assert.equal(entry.statusCode, 201, entry.body);
  assert.equal(entry.json().added_by.id, friend.id);
  // A collaborator's own private track does not go into someone else's playlist.
  const privateSong = await track(testApp.current, friend.id, { visibility: 'private' });
  const refused = await friendCall('POST', `/v1/playlists/${id}/tracks`, { track_id: privateSong.id });
  assert.equal(refused.statusCode, 400, refused.body);

  assert.equal((await friendCall('PATCH', `/v1/playlists/${id}`, { name: 'Mine now' })).statusCode, 403);
  assert.equal((await friendCall('DELETE', `/v1/playlists/${id}`)).statusCode, 403);
  assert.equal((await friendCall('DELETE', `/v1/playlists/${id}/collaborators/${owner.id}`)).statusCode, 403);

  // Paused collaboration: still visible, no more edits.
  await ownerCall('PATCH', `/v1/playlists/${id}`, { is_collaborative: false });
  const paused = await friendCall('DELETE', `/v1/playlists/${id}/tracks/${song.id}`);
  assert.equal(paused.statusCode, 403);
  await ownerCall('PATCH', `/v1/playlists/${id}`, { is_collaborative: true });

  const listed = (await as(testApp.current, friend)('GET', '/v1/me/playlists/collaborating')).json();
  assert.deepEqual(
    listed.items.map((p: { id: string }) => p.id),
    [id],
  );
  const collaborators = (await friendCall('GET', `/v1/playlists/${id}/collaborators`)).json();
  assert.deepEqual(
    collaborators.items.map((c: { user: { id: string } }) => c.user.id),
    [friend.id],
  );

  // Leaving: the entry they added stays, with added_by.
  assert.equal((await friendCall('DELETE', `/v1/playlists/${id}/collaborators/${friend.id}`)).statusCode, 204);
  assert.equal((await friendCall('GET', `/v1/playlists/${id}`)).statusCode, 404);
  const kept = (await ownerCall('GET', `/v1/playlists/${id}`)).json();
  assert.equal(kept.tracks.items[0].added_by.id, friend.id);
  assert.equal(
    (await ownerCall('DELETE', `/v1/playlists/${id}/collaborators/${friend.id}`)).json().code,
    'COLLABORATOR_NOT_FOUND',
  );
});

test('follow and unfollow: idempotent, not one’s own, not a playlist one cannot see; lists', async () => {
  const owner = await person(testApp.current);
  const fan = await person(testApp.current);
  const ownerCall = as(testApp.current, owner);
  const fanCall = as(testApp.current, fan);
  const open = await newPlaylist(ownerCall, { name: 'Open' });
  const hidden = await newPlaylist(ownerCall, { name: 'Hidden', visibility: 'private' });
  const unlisted = await newPlaylist(ownerCall, { name: 'Unlisted', visibility: 'unlisted' });

  assert.equal((await fanCall('PUT', `/v1/playlists/${open}/follow`)).statusCode, 204);
  assert.equal((await fanCall('PUT', `/v1/playlists/${open}/follow`)).statusCode, 204);
  assert.equal((await stored(testApp.current, open)).followerCount, 1);
  assert.equal((await fanCall('PUT', `/v1/playlists/${hidden}/follow`)).statusCode, 404);
  assert.equal((await fanCall('PUT', `/v1/playlists/${unlisted}/follow`)).statusCode, 204);
  const own = await ownerCall('PUT', `/v1/playlists/${open}/follow`);
  assert.equal(own.json().code, 'CANNOT_FOLLOW_OWN_PLAYLIST');
  assert.equal((await fanCall('GET', `/v1/playlists/${open}`)).json().viewer.following, true);

  const following = (await fanCall('GET', '/v1/me/playlists/following')).json();
  assert.deepEqual(
    following.items.map((p: { id: string }) => p.id),
    [unlisted, open],
  );
  // Made private: hidden from the fan's list, and the fan can still unfollow.
  await ownerCall('PATCH', `/v1/playlists/${unlisted}`, { visibility: 'private' });
  assert.deepEqual(
    (await fanCall('GET', '/v1/me/playlists/following')).json().items.map((p: { id: string }) => p.id),
    [open],
  );
  assert.equal((await fanCall('DELETE', `/v1/playlists/${unlisted}/follow`)).statusCode, 204);
  assert.equal((await fanCall('DELETE', `/v1/playlists/${unlisted}/follow`)).statusCode, 404, 'nothing left to see');
  assert.equal((await fanCall('DELETE', `/v1/playlists/${open}/follow`)).statusCode, 204);
  assert.equal((await fanCall('DELETE', `/v1/playlists/${open}/follow`)).statusCode, 204);
  assert.equal((await stored(testApp.current, open)).followerCount, 0);

  // A user's playlists: public ones for others, all for themself, newest first, by pages.
  const publicList = (await fanCall('GET', `/v1/playlists?owner_id=${owner.id}`)).json();
  assert.deepEqual(
    publicList.items.map((p: { id: string }) => p.id),
    [open],
  );
  const anonymous = (await as(testApp.current, null)('GET', `/v1/playlists?owner_id=${owner.id}`)).json();
  assert.deepEqual(anonymous, publicList);
  const mine = (await ownerCall('GET', '/v1/me/playlists?limit=2')).json();
  assert.deepEqual(
    mine.items.map((p: { id: string }) => p.id),
    [unlisted, hidden],
  );
  const rest = (await ownerCall('GET', `/v1/me/playlists?limit=2&cursor=${mine.next_cursor}`)).json();
  assert.deepEqual(
    rest.items.map((p: { id: string }) => p.id),
    [open],
  );
  assert.equal(rest.next_cursor, null);
});
