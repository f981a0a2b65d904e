import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type postgres from 'postgres';
import { allFactories } from '../factories/index.ts';
import type { Row } from '../factories/insert-row.ts';
import { useMigratedDatabase } from '../helpers/database.ts';

// Spec §23 and ADR 0014: trending_tracks and user_statistics, refreshed concurrently, hold exactly what a direct
// computation gives, column by column; the spec's own SQL gives wrong answers on the same data.

const database = useMigratedDatabase();

function make(table: string) {
  const factory = allFactories[table];
  if (!factory) throw new Error(`test/factories has no factory for ${table}`);
  return factory;
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

// The spec's SQL, verbatim (§23.1 and §23.2).
const SPEC_TRENDING_TRACKS = `
SELECT
t.id,
t.title,
t.artist,
t.creator_id,
t.cover_art_file_id,
COUNT(DISTINCT ph.user_id) AS unique_listeners_7d,
COUNT(*) AS play_count_7d,
AVG(ph.completion_percentage) AS avg_completion,
t.like_count,
(
COUNT(DISTINCT ph.user_id) * 0.4 +
COUNT(*) * 0.3 +
AVG(ph.completion_percentage) * 0.2 +
t.like_count * 0.1
) AS trending_score
FROM tracks t
LEFT JOIN playback_history ph ON ph.track_id = t.id
AND ph.played_at > NOW() - INTERVAL '7 days'
WHERE t.deleted_at IS NULL
AND t.visibility = 'public'
GROUP BY t.id
ORDER BY trending_score DESC
LIMIT 100`;

const SPEC_USER_STATISTICS = `
SELECT
u.id AS user_id,
u.username,
COUNT(DISTINCT t.id) AS track_count,
COUNT(DISTINCT p.id) AS playlist_count,
COUNT(DISTINCT f1.id) AS follower_count,
COUNT(DISTINCT f2.id) AS following_count,
SUM(t.play_count) AS total_plays,
SUM(t.like_count) AS total_likes,
MAX(t.created_at) AS last_track_uploaded
FROM users u
LEFT JOIN tracks t ON t.creator_id = u.id AND t.deleted_at IS NULL
LEFT JOIN playlists p ON p.user_id = u.id AND p.deleted_at IS NULL
LEFT JOIN follows f1 ON f1.following_id = u.id
LEFT JOIN follows f2 ON f2.follower_id = u.id
WHERE u.deleted_at IS NULL
GROUP BY u.id, u.username`;

// What each row must hold, one plain subquery per column, written independently of migration 0018.
// Numerics go through trim_scale so that equal values print alike whatever their scale.
const EXPECTED_TRENDING_TRACKS = `
SELECT t.id, t.title, t.artist, t.creator_id, t.cover_art_file_id,
  (SELECT count(DISTINCT ph.user_id) FROM playback_history ph
    WHERE ph.track_id = t.id AND ph.played_at > now() - interval '7 days')::int AS unique_listeners_7d,
  (SELECT count(*) FROM playback_history ph
    WHERE ph.track_id = t.id AND ph.played_at > now() - interval '7 days')::int AS play_count_7d,
  trim_scale((SELECT avg(ph.completion_percentage) FROM playback_history ph
    WHERE ph.track_id = t.id AND ph.played_at > now() - interval '7 days'))::text AS avg_completion,
  t.like_count,
  trim_scale(
    0.4 * (SELECT count(DISTINCT ph.user_id) FROM playback_history ph
             WHERE ph.track_id = t.id AND ph.played_at > now() - interval '7 days')
    + 0.3 * (SELECT count(*) FROM playback_history ph
             WHERE ph.track_id = t.id AND ph.played_at > now() - interval '7 days')
    + 0.2 * COALESCE((SELECT avg(ph.completion_percentage) FROM playback_history ph
             WHERE ph.track_id = t.id AND ph.played_at > now() - interval '7 days'), 0)
    + 0.1 * t.like_count)::text AS trending_score
FROM tracks t
WHERE t.deleted_at IS NULL AND t.visibility = 'public'
ORDER BY t.id`;

const ACTUAL_TRENDING_TRACKS = `
SELECT id, title, artist, creator_id, cover_art_file_id, unique_listeners_7d::int, play_count_7d::int,
       trim_scale(avg_completion)::text AS avg_completion, like_count, trim_scale(trending_score)::text AS trending_score
FROM trending_tracks ORDER BY id`;

const EXPECTED_USER_STATISTICS = `
SELECT u.id AS user_id, u.username,
  (SELECT count(*) FROM tracks t
    WHERE t.creator_id = u.id AND t.deleted_at IS NULL AND t.visibility = 'public')::int AS track_count,
  (SELECT count(*) FROM playlists p
    WHERE p.user_id = u.id AND p.deleted_at IS NULL AND p.visibility = 'public')::int AS playlist_count,
  (SELECT count(*) FROM follows f WHERE f.following_id = u.id)::int AS follower_count,
  (SELECT count(*) FROM follows f WHERE f.follower_id = u.id)::int AS following_count,
  (SELECT COALESCE(sum(t.play_count), 0) FROM tracks t
    WHERE t.creator_id = u.id AND t.deleted_at IS NULL AND t.visibility = 'public')::int AS total_plays,
  (SELECT COALESCE(sum(t.like_count), 0) FROM tracks t
    WHERE t.creator_id = u.id AND t.deleted_at IS NULL AND t.visibility = 'public')::int AS total_likes,
  (SELECT max(t.created_at) FROM tracks t
    WHERE t.creator_id = u.id AND t.deleted_at IS NULL AND t.visibility = 'public') AS last_track_uploaded
FROM users u
WHERE u.deleted_at IS NULL
ORDER BY u.id`;

const ACTUAL_USER_STATISTICS = `
SELECT user_id, username, track_count::int, playlist_count::int, follower_count::int, following_count::int,
       total_plays::int, total_likes::int, last_track_uploaded
FROM user_statistics ORDER BY user_id`;

async function rows(sql: postgres.Sql, query: string): Promise<Row[]> {
  return (await sql.unsafe(query)).map((row) => ({ ...row }));
}

interface Data {
  creator: Row;
  other: Row;
  listeners: Row[];
  loner: Row;
  deletedUser: Row;
  /** public, played in the window by 2 listeners and 1 anonymous play, and before it */
  hit: Row;
  /** public, never played, 2 likes */
  quiet: Row;
  /** public, played only before the window */
  old: Row;
  /** private and played */
  secret: Row;
  /** soft-deleted and played */
  removed: Row;
  /** the other creator's public track */
  second: Row;
  /** the other creator's unlisted track, played */
  unlisted: Row;
}

async function seed(sql: postgres.Sql): Promise<Data> {
  const user = (o: Row = {}) => make('users')(sql, o);
  const [creator, other, loner] = [await user(), await user(), await user()];
  const listeners = [await user(), await user(), await user()];
  const deletedUser = await user({ deleted_at: new Date() });
  const track = async (owner: Row, o: Row = {}) =>
    make('tracks')(sql, {
      creator_id: owner.id,
      file_id: (await make('files')(sql, { user_id: owner.id })).id,
      artist: 'The Testers',
      ...o,
    });
  const hit = await track(creator, { cover_art_file_id: (await make('files')(sql, { user_id: creator.id })).id });
  const quiet = await track(creator);
  const old = await track(creator);
  const secret = await track(creator, { visibility: 'private' });
  const removed = await track(creator);
  const second = await track(other);
  const unlisted = await track(other, { visibility: 'unlisted' });

  const play = (t: Row, listener: Row | null, days: number, completion: number) =>
    make('playback_history')(sql, {
      track_id: t.id,
      user_id: listener ? listener.id : null,
      played_at: daysAgo(days),
      completion_percentage: completion,
    });
  const [l1, l2, l3] = listeners as [Row, Row, Row];
  await play(hit, l1, 1, 50);
  await play(hit, l2, 2, 80);
  await play(hit, l1, 6, 100);
  await play(hit, null, 3, 70);
  await play(hit, l3, 8, 10);
  await play(hit, l3, 30, 20);
  await play(old, l1, 9, 90);
  await play(old, l2, 40, 90);
  await play(secret, l1, 1, 100);
  await play(secret, l2, 1, 100);
  await play(removed, l1, 1, 100);
  await play(second, l3, 4, 33);
  await play(unlisted, l3, 4, 33);
  await sql`UPDATE tracks SET deleted_at = now() WHERE id = ${removed.id as string}`;

  await make('track_likes')(sql, { track_id: hit.id, user_id: l1.id });
  await make('track_likes')(sql, { track_id: quiet.id, user_id: l1.id });
  await make('track_likes')(sql, { track_id: quiet.id, user_id: l2.id });
  await make('track_likes')(sql, { track_id: secret.id, user_id: l3.id });

  await make('playlists')(sql, { user_id: creator.id });
  await make('playlists')(sql, { user_id: creator.id });
  await make('playlists')(sql, { user_id: creator.id, visibility: 'private' });
  await make('playlists')(sql, { user_id: creator.id, deleted_at: new Date() });
  await make('playlists')(sql, { user_id: other.id });

  const follow = (a: Row, b: Row) => make('follows')(sql, { follower_id: a.id, following_id: b.id });
  await follow(l1, creator);
  await follow(l2, creator);
  await follow(other, creator);
  await follow(creator, other);
  await follow(l3, other);
  await follow(deletedUser, creator);

  return { creator, other, listeners, loner, deletedUser, hit, quiet, old, secret, removed, second, unlisted };
}

let seeding: Promise<Data> | undefined;

/** The data set, made and refreshed into both views once, by the first test that needs it. */
function seeded(): Promise<Data> {
  seeding ??= (async () => {
    const { sql } = database.current;
    const made = await seed(sql);
    await sql`REFRESH MATERIALIZED VIEW CONCURRENTLY trending_tracks`;
    await sql`REFRESH MATERIALIZED VIEW CONCURRENTLY user_statistics`;
    return made;
  })();
  return seeding;
}

describe('trending_tracks (spec §23.1, ADR 0014)', () => {
  test('every column of every row equals the direct computation', async () => {
    const { sql } = database.current;
    await seeded();
    const expected = await rows(sql, EXPECTED_TRENDING_TRACKS);
    assert.equal(expected.length, 4, 'the public, non-deleted tracks: hit, quiet, old, second');
    assert.deepEqual(await rows(sql, ACTUAL_TRENDING_TRACKS), expected);
  });

  test('plays, listeners and score of known tracks, with tracks never played scored and ranked after played ones', async () => {
    const { sql } = database.current;
    const data = await seeded();
    const byId = new Map((await rows(sql, ACTUAL_TRENDING_TRACKS)).map((row) => [row.id, row]));
    // hit: 4 plays in the window (one anonymous), 2 signed-in listeners, completions 50, 80, 100, 70, 1 like.
    assert.deepEqual(byId.get(data.hit.id), {
      id: data.hit.id,
      title: data.hit.title,
      artist: 'The Testers',
      creator_id: data.creator.id,
      cover_art_file_id: data.hit.cover_art_file_id,
      unique_listeners_7d: 2,
      play_count_7d: 4,
      avg_completion: '75',
      like_count: 1,
      trending_score: '17.1', // 2 * 0.4 + 4 * 0.3 + 75 * 0.2 + 1 * 0.1
    });
    // quiet: never played, 2 likes: 0 plays, no average, score 0.2 (not NULL).
    const quiet = byId.get(data.quiet.id);
    assert.deepEqual(
      [quiet?.play_count_7d, quiet?.unique_listeners_7d, quiet?.avg_completion, quiet?.trending_score],
      [0, 0, null, '0.2'],
    );
    // old: played only before the window.
    const old = byId.get(data.old.id);
    assert.deepEqual([old?.play_count_7d, old?.trending_score], [0, '0']);
    for (const hidden of [data.secret, data.removed, data.unlisted]) assert.ok(!byId.has(hidden.id));

    const ranking = await sql`SELECT id, trending_score FROM trending_tracks ORDER BY trending_score DESC, id`;
    assert.equal(ranking[0]?.id, data.hit.id, 'the most played track comes first');
    assert.ok(
      ranking.every((row) => row.trending_score !== null),
      'no NULL score',
    );
    assert.deepEqual(
      ranking.map((row) => row.id).slice(-2),
      [data.quiet.id, data.old.id],
      'tracks without plays in the window come last',
    );
  });

  test('a concurrent refresh picks up new plays, and the spec index and the unique index exist', async () => {
    const { sql } = database.current;
    const data = await seeded();
    await make('playback_history')(sql, {
      track_id: data.quiet.id,
      user_id: data.listeners[0]?.id,
      completion_percentage: 40,
    });
    await sql`REFRESH MATERIALIZED VIEW CONCURRENTLY trending_tracks`;
    assert.deepEqual(await rows(sql, ACTUAL_TRENDING_TRACKS), await rows(sql, EXPECTED_TRENDING_TRACKS));
    const [quiet] =
      await sql`SELECT play_count_7d::int AS plays FROM trending_tracks WHERE id = ${data.quiet.id as string}`;
    assert.equal(quiet?.plays, 1);
    const indexes = await sql`
      SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('trending_tracks', 'user_statistics')
      ORDER BY indexname`;
    assert.deepEqual(
      indexes.map((i) => i.indexname),
      ['idx_trending_tracks_id_unique', 'idx_trending_tracks_trending_score', 'idx_user_statistics_user_id_unique'],
    );
    assert.match(String(indexes[1]?.indexdef), /\(trending_score DESC\)$/);
    // refresh back to the seeded state for the comparisons with the spec below
    await sql`DELETE FROM playback_history WHERE track_id = ${data.quiet.id as string}`;
    await sql`REFRESH MATERIALIZED VIEW CONCURRENTLY trending_tracks`;
  });

  test("the spec's SQL counts one play for a track never played, gives it a NULL score and ranks it first", async () => {
    const { sql } = database.current;
    const data = await seeded();
    const spec = await sql.begin(async (tx) => {
      await tx.unsafe(`CREATE TEMP VIEW spec_trending_tracks AS ${SPEC_TRENDING_TRACKS}`);
      const result = await tx.unsafe(
        'SELECT id, play_count_7d::int AS plays, trending_score FROM spec_trending_tracks',
      );
      await tx.unsafe('DROP VIEW spec_trending_tracks');
      return result.map((row) => ({ ...row }));
    });
    const quiet = spec.find((row) => row.id === data.quiet.id);
    assert.deepEqual([quiet?.plays, quiet?.trending_score], [1, null], 'spec: 1 play and a NULL score');
    assert.equal(spec[0]?.trending_score, null, 'spec: a NULL score sorts first under DESC');
    assert.notEqual(spec[0]?.id, data.hit.id);
    const [ours] = await sql`
      SELECT play_count_7d::int AS plays, trending_score::text AS score FROM trending_tracks WHERE id = ${data.quiet.id as string}`;
    assert.deepEqual([ours?.plays, ours?.score], [0, '0.2']);
  });

  test("the spec's materialized view cannot be refreshed concurrently: its only index is not unique", async () => {
    const { sql } = database.current;
    await seeded();
    await sql.unsafe(`CREATE MATERIALIZED VIEW spec_trending_tracks AS ${SPEC_TRENDING_TRACKS}`);
    await sql.unsafe(
      'CREATE INDEX idx_spec_trending_tracks_trending_score ON spec_trending_tracks(trending_score DESC)',
    );
    await assert.rejects(sql.unsafe('REFRESH MATERIALIZED VIEW CONCURRENTLY spec_trending_tracks'), { code: '55000' });
    await sql.unsafe(`CREATE MATERIALIZED VIEW spec_user_statistics AS ${SPEC_USER_STATISTICS}`);
    await assert.rejects(sql.unsafe('REFRESH MATERIALIZED VIEW CONCURRENTLY spec_user_statistics'), { code: '55000' });
    await sql.unsafe('DROP MATERIALIZED VIEW spec_trending_tracks');
    await sql.unsafe('DROP MATERIALIZED VIEW spec_user_statistics');
  });
});

describe('user_statistics (spec §23.2, ADR 0014)', () => {
  test('every column of every row equals the direct computation', async () => {
    const { sql } = database.current;
    await seeded();
    const expected = await rows(sql, EXPECTED_USER_STATISTICS);
    assert.equal(expected.length, 6, 'creator, other, loner and 3 listeners; the deleted account has no row');
    assert.deepEqual(await rows(sql, ACTUAL_USER_STATISTICS), expected);
  });

  test('known figures: public live tracks and playlists only, follows counted once, 0 rather than NULL', async () => {
    const { sql } = database.current;
    const data = await seeded();
    const stats = new Map((await rows(sql, ACTUAL_USER_STATISTICS)).map((row) => [row.user_id, row]));
    const creator = stats.get(data.creator.id);
    // hit (6 plays, 1 like) + quiet (0 plays, 2 likes) + old (2 plays); secret and removed do not count.
    assert.deepEqual(
      [
        creator?.track_count,
        creator?.playlist_count,
        creator?.follower_count,
        creator?.following_count,
        creator?.total_plays,
        creator?.total_likes,
      ],
      [3, 2, 4, 1, 8, 3],
    );
    const loner = stats.get(data.loner.id);
    assert.deepEqual(
      [loner?.track_count, loner?.total_plays, loner?.total_likes, loner?.last_track_uploaded],
      [0, 0, 0, null],
    );
    assert.ok(!stats.has(data.deletedUser.id), 'a soft-deleted account has no row');
  });

  test("the spec's SQL multiplies the sums by playlists x followers x followings (fan-out)", async () => {
    const { sql } = database.current;
    const data = await seeded();
    const [spec, loner] = await sql.begin(async (tx) => {
      await tx.unsafe(`CREATE TEMP VIEW spec_user_statistics AS ${SPEC_USER_STATISTICS}`);
      const [creatorRow] = await tx.unsafe(
        `SELECT track_count::int, playlist_count::int, follower_count::int, following_count::int,
                total_plays::int, total_likes::int
         FROM spec_user_statistics WHERE user_id = $1`,
        [data.creator.id as string],
      );
      const [lonerRow] = await tx.unsafe('SELECT total_plays FROM spec_user_statistics WHERE user_id = $1', [
        data.loner.id as string,
      ]);
      await tx.unsafe('DROP VIEW spec_user_statistics');
      return [{ ...creatorRow }, { ...lonerRow }];
    });
    // What the spec itself means, over its own rows (non-deleted tracks of any visibility): hit 6 + old 2 +
    // secret 2 plays, 1 + 2 + 1 likes.
    const [meant] = await sql`
      SELECT sum(play_count)::int AS plays, sum(like_count)::int AS likes
      FROM tracks WHERE creator_id = ${data.creator.id as string} AND deleted_at IS NULL`;
    assert.deepEqual([meant?.plays, meant?.likes], [10, 4]);
    // Each track row is repeated 3 playlists x 4 followers x 1 following = 12 times; COUNT(DISTINCT) hides it.
    assert.deepEqual(spec, {
      track_count: 4,
      playlist_count: 3,
      follower_count: 4,
      following_count: 1,
      total_plays: 12 * 10,
      total_likes: 12 * 4,
    });
    assert.equal(loner?.total_plays, null, 'spec: NULL, not 0, for a user without tracks');
  });
});
