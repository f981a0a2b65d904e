// The service API the OpenSubsonic calls use, without HTTP (ADR 0049): create with tracks, remove by index and
// append in one transaction, replace everything, read everything; all or nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { publicNamesOf } from '../profiles/index.ts';
import { createPlaylistsService } from './playlists.service.ts';
import { person, stored, track } from './playlists.test-support.ts';

const testApp = useTestApp();
const service = () =>
  createPlaylistsService(testApp.current.pool, (ids) => publicNamesOf(testApp.current.pool.db, ids));

test('create with tracks, edit by index and append, replace, read whole: positions stay 0..n-1', async () => {
  const owner = await person(testApp.current);
  const caller = { userId: owner.id, role: 'user' as const };
  const songs = await Promise.all([0, 1, 2, 3, 4].map(() => track(testApp.current, owner.id, { duration: 10 })));
  const [a, b, c, d, e] = songs.map((s) => s.id) as [string, string, string, string, string];

  const playlist = await service().create(caller, { name: 'From a player' }, [a, b, c]);
  assert.equal(playlist.track_count, 3);
  assert.deepEqual((await stored(testApp.current, playlist.id)).trackIds, [a, b, c]);

  // songIndexToRemove=0&songIndexToRemove=2&songIdToAdd=d (indexes as before the change).
  const edited = await service().editEntries(caller, playlist.id, { removePositions: [0, 2], appendTrackIds: [d] });
  assert.equal(edited.track_count, 2);
  let state = await stored(testApp.current, playlist.id);
  assert.deepEqual(
    [state.trackIds, state.positions],
    [
      [b, d],
      [0, 1],
    ],
  );

  // A bad index refuses the whole change: nothing removed, nothing appended.
  await assert.rejects(
    service().editEntries(caller, playlist.id, { removePositions: [0, 5], appendTrackIds: [e] }),
    (error: { code?: string; errors?: { field: string }[] }) =>
      error.code === 'VALIDATION_FAILED' && error.errors?.[0]?.field === 'body.remove_positions',
  );
  await assert.rejects(service().editEntries(caller, playlist.id, { removePositions: [0], appendTrackIds: [d] }), {
    code: 'TRACK_ALREADY_IN_PLAYLIST',
  });
  assert.deepEqual((await stored(testApp.current, playlist.id)).trackIds, [b, d], 'a refused change writes nothing');
  await service().editEntries(caller, playlist.id, { appendTrackIds: [d, e], skipPresent: true });
  assert.deepEqual((await stored(testApp.current, playlist.id)).trackIds, [b, d, e]);

  const replaced = await service().replaceEntries(caller, playlist.id, [e, a]);
  assert.equal(replaced.track_count, 2);
  state = await stored(testApp.current, playlist.id);
  assert.deepEqual(
    [state.trackIds, state.positions],
    [
      [e, a],
      [0, 1],
    ],
  );

  const whole = await service().allEntries(null, playlist.id);
  assert.deepEqual(
    whole.entries.map((entry) => [entry.position, entry.track?.id]),
    [
      [0, e],
      [1, a],
    ],
  );

  // Another user's private track fails the creation as a whole.
  const other = await person(testApp.current);
  const hidden = await track(testApp.current, other.id, { visibility: 'private' });
  await assert.rejects(service().create(caller, { name: 'Nope' }, [a, hidden.id]), { code: 'TRACK_NOT_FOUND' });
  const [row] = await testApp.current.database.sql`
    SELECT count(*)::int AS n FROM playlists WHERE user_id = ${owner.id}`;
  assert.equal(row?.n, 1, 'no playlist left behind');
});
