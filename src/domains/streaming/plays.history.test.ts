// GET/DELETE /v1/me/history (issue 13 §2, ADR 0045): the listener's own counted plays, newest first; forgetting
// them changes no count, reopens no counting window, and takes them out of the GDPR export.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { newListener, newTrack, playCount, reportPlay } from './plays.test-support.ts';

const testApp = useTestApp();
const scratch: string[] = [];
after(async () => {
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});

const get = (auth: string, url: string) =>
  testApp.current.app.inject({ method: 'GET', url, headers: { authorization: auth } });
const del = (auth: string, url: string) =>
  testApp.current.app.inject({ method: 'DELETE', url, headers: { authorization: auth } });

/** `count` history rows of `userId`, one a minute apart, the newest first in the returned list. */
async function playedEarlier(userId: string, count: number, trackId?: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const row = await allFactories.playback_history!(testApp.current.database.sql, {
      user_id: userId,
      ...(trackId ? { track_id: trackId } : { track_id: (await newTrack(testApp.current)).id }),
      played_at: new Date(Date.now() - (i + 1) * 60_000),
    });
    ids.push(String(row.id));
  }
  return ids;
}

test('the history lists the caller’s plays newest first, page by page, with their tracks, and nobody else’s', async () => {
  const listener = await newListener(testApp.current);
  const other = await newListener(testApp.current);
  const expected = await playedEarlier(listener.id, 5);
  await playedEarlier(other.id, 2);
  // Two rows at the very same instant are kept apart by id.
  const sameInstant = new Date(Date.now() - 10 * 60_000);
  const track = await newTrack(testApp.current, { title: 'Twice at once' });
  const twins = await Promise.all(
    [0, 1].map(() =>
      allFactories.playback_history!(testApp.current.database.sql, {
        user_id: listener.id,
        track_id: track.id,
        played_at: sameInstant,
      }),
    ),
  );
  expected.push(
    ...twins
      .map((row) => String(row.id))
      .sort()
      .reverse(),
  );

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const answer = await get(
      listener.auth,
      `/v1/me/history?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    assert.equal(answer.statusCode, 200, answer.body);
    const page = answer.json<{
      items: { id: string; track: { title: string } | null }[];
      next_cursor: string | null;
    }>();
    seen.push(...page.items.map((item) => item.id));
    for (const item of page.items) assert.ok(item.track?.title, 'each entry carries its track');
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && pages < 10);
  assert.deepEqual(seen, expected);
  assert.equal(pages, 4);
  assert.equal((await get(listener.auth, '/v1/me/history?cursor=bogus')).statusCode, 400, 'a forged cursor');
});

test('an entry whose track the listener may no longer hear stays, shown as unavailable (track null)', async () => {
  const listener = await newListener(testApp.current);
  const visible = await newTrack(testApp.current, { title: 'Still here' });
  const deleted = await newTrack(testApp.current, { title: 'Deleted later' });
  const hidden = await newTrack(testApp.current, { title: 'Made private later' });
  await playedEarlier(listener.id, 1, hidden.id);
  await playedEarlier(listener.id, 1, deleted.id);
  await playedEarlier(listener.id, 1, visible.id);
  const { sql } = testApp.current.database;
  await sql`UPDATE tracks SET deleted_at = now() WHERE id = ${deleted.id}`;
  await sql`UPDATE tracks SET visibility = 'private' WHERE id = ${hidden.id}`;
  const items = (await get(listener.auth, '/v1/me/history')).json<{
    items: { track_id: string; track: { title: string } | null }[];
  }>().items;
  assert.deepEqual(
    items.map((item) => [item.track_id, item.track?.title ?? null]),
    [
      [visible.id, 'Still here'],
      [deleted.id, null],
      [hidden.id, null],
    ],
  );
  assert.ok(!JSON.stringify(items).includes('Made private later'), 'the title of a now private track is not shown');
});

test('forgetting one entry: gone from the history, still counted; another’s entry or a forgotten one is a 404', async () => {
  const listener = await newListener(testApp.current);
  const intruder = await newListener(testApp.current);
  const track = await newTrack(testApp.current);
  const played = await reportPlay(testApp.current, listener.auth, track.id, {
    played_duration: 120,
    device_type: 'mobile',
  });
  const entryId = played.json().history_entry_id as string;
  assert.equal(await playCount(testApp.current, track.id), 1);

  const foreign = await del(intruder.auth, `/v1/me/history/${entryId}`);
  assert.equal(foreign.statusCode, 404, foreign.body);
  assert.equal(foreign.json().code, 'HISTORY_ENTRY_NOT_FOUND');
  assert.equal((await get(listener.auth, '/v1/me/history')).json().items.length, 1, 'the intruder changed nothing');

  assert.equal((await del(listener.auth, `/v1/me/history/${entryId}`)).statusCode, 204);
  assert.deepEqual((await get(listener.auth, '/v1/me/history')).json().items, []);
  assert.equal((await del(listener.auth, `/v1/me/history/${entryId}`)).statusCode, 404, 'forgotten already');
  assert.equal((await del(listener.auth, `/v1/me/history/${randomUUID()}`)).statusCode, 404);
  assert.equal((await del(listener.auth, '/v1/me/history/42')).statusCode, 400);

  assert.equal(await playCount(testApp.current, track.id), 1, 'the play stays counted');
  const [row] = await testApp.current.database.sql`
    SELECT user_id, device_type, source, source_id FROM playback_history WHERE id = ${entryId}`;
  assert.deepEqual({ ...row }, { user_id: null, device_type: null, source: null, source_id: null });
});

test('clearing the history keeps play counts and the trending figures, and reopens no counting window', async () => {
  const listener = await newListener(testApp.current);
  const bystander = await newListener(testApp.current);
  const track = await newTrack(testApp.current);
  assert.equal((await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 100 })).statusCode, 201);
  assert.equal((await reportPlay(testApp.current, bystander.auth, track.id, { played_duration: 100 })).statusCode, 201);
  await playedEarlier(listener.id, 3);
  const { sql } = testApp.current.database;
  const trending = async () => {
    await sql`REFRESH MATERIALIZED VIEW trending_tracks`;
    const [row] = await sql`SELECT play_count_7d::int AS plays FROM trending_tracks WHERE id = ${track.id}`;
    return row?.plays as number;
  };
  assert.equal(await trending(), 2);

  const cleared = await del(listener.auth, '/v1/me/history');
  assert.equal(cleared.statusCode, 204);
  assert.deepEqual((await get(listener.auth, '/v1/me/history')).json().items, []);
  assert.equal((await get(bystander.auth, '/v1/me/history')).json().items.length, 1, 'only the caller’s history');
  assert.equal(await playCount(testApp.current, track.id), 2);
  assert.equal(await trending(), 2);
  const [named] = await sql`SELECT count(*)::int AS n FROM playback_history WHERE user_id = ${listener.id}`;
  assert.equal(named?.n, 0, 'no row names the listener any more');

  // A "play, clear, play" loop: the window survives the clearing.
  const again = await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 100 });
  assert.equal(again.json().outcome, 'within_window');
  assert.equal(await playCount(testApp.current, track.id), 2);
  assert.equal((await del(listener.auth, '/v1/me/history')).statusCode, 204, 'clearing an empty history is fine');
});

test('the GDPR export holds the history entries and counting windows, and no cleared entry', async () => {
  const listener = await newListener(testApp.current);
  const track = await newTrack(testApp.current);
  await reportPlay(testApp.current, listener.auth, track.id, { played_duration: 100 });
  await playedEarlier(listener.id, 2);
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-plays-export-'));
  scratch.push(dataDir);
  const { db } = testApp.current.pool;
  const before = await exportUserData(db, listener.id, dataDir);
  assert.equal(before.rowsByTable.playback_history, 3);
  assert.equal(before.rowsByTable.play_count_windows, 1);
  await del(listener.auth, '/v1/me/history');
  const afterClearing = await exportUserData(db, listener.id, dataDir);
  assert.equal(afterClearing.rowsByTable.playback_history ?? 0, 0);
});
