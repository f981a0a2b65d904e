import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import postgres from 'postgres';
import { Migrator } from '../../src/platform/db/migrations.ts';
import { allFactories } from '../factories/index.ts';
import type { Row } from '../factories/insert-row.ts';
import { dropDatabase, migratedDatabase, useMigratedDatabase } from '../helpers/database.ts';

// Spec §22.2 and ADR 0012: every denormalised counter is kept exact by the triggers of migration 0016,
// through inserts, deletes, soft deletes, restores, status and parent changes, and under concurrency.

const database = useMigratedDatabase();

function make(table: string) {
  const factory = allFactories[table];
  if (!factory) throw new Error(`test/factories has no factory for ${table}`);
  return factory;
}

/**
 * What each counter must equal, written here independently of the migration: one correlated subquery per
 * counter, over the parent row `x`.
 */
const RECOUNTS: { table: string; column: string; recount: string }[] = [
  {
    table: 'user_profiles',
    column: 'follower_count',
    recount: 'SELECT count(*) FROM follows WHERE following_id = x.user_id',
  },
  {
    table: 'user_profiles',
    column: 'following_count',
    recount: 'SELECT count(*) FROM follows WHERE follower_id = x.user_id',
  },
  {
    table: 'user_profiles',
    column: 'track_count',
    recount: `SELECT count(*) FROM tracks WHERE creator_id = x.user_id AND deleted_at IS NULL AND visibility = 'public'`,
  },
  {
    table: 'user_profiles',
    column: 'playlist_count',
    recount: `SELECT count(*) FROM playlists WHERE user_id = x.user_id AND deleted_at IS NULL AND visibility = 'public'`,
  },
  { table: 'tracks', column: 'play_count', recount: 'SELECT count(*) FROM playback_history WHERE track_id = x.id' },
  { table: 'tracks', column: 'like_count', recount: 'SELECT count(*) FROM track_likes WHERE track_id = x.id' },
  {
    table: 'tracks',
    column: 'comment_count',
    recount: 'SELECT count(*) FROM track_comments WHERE track_id = x.id AND deleted_at IS NULL AND is_deleted = false',
  },
  { table: 'tracks', column: 'download_count', recount: 'SELECT count(*) FROM track_downloads WHERE track_id = x.id' },
  {
    table: 'playlists',
    column: 'track_count',
    recount: `SELECT count(*) FROM playlist_tracks e JOIN tracks t ON t.id = e.track_id
              WHERE e.playlist_id = x.id AND t.deleted_at IS NULL`,
  },
  {
    table: 'playlists',
    column: 'duration_seconds',
    recount: `SELECT COALESCE(sum(t.duration), 0) FROM playlist_tracks e JOIN tracks t ON t.id = e.track_id
              WHERE e.playlist_id = x.id AND t.deleted_at IS NULL`,
  },
  {
    table: 'playlists',
    column: 'follower_count',
    recount: 'SELECT count(*) FROM playlist_followers WHERE playlist_id = x.id',
  },
  {
    table: 'rooms',
    column: 'member_count',
    recount: 'SELECT count(*) FROM room_members WHERE room_id = x.id AND NOT is_banned',
  },
  {
    table: 'rooms',
    column: 'message_count',
    recount: 'SELECT count(*) FROM messages WHERE room_id = x.id AND deleted_at IS NULL AND is_deleted = false',
  },
  { table: 'posts', column: 'like_count', recount: 'SELECT count(*) FROM post_likes WHERE post_id = x.id' },
  {
    table: 'posts',
    column: 'comment_count',
    recount: 'SELECT count(*) FROM post_comments WHERE post_id = x.id AND deleted_at IS NULL',
  },
  {
    table: 'posts',
    column: 'repost_count',
    recount: 'SELECT count(*) FROM posts r WHERE r.repost_of_id = x.id AND r.deleted_at IS NULL',
  },
  {
    table: 'hashtags',
    column: 'usage_count',
    recount: `SELECT count(*) FROM post_hashtags ph JOIN posts p ON p.id = ph.post_id
              WHERE ph.hashtag_id = x.id AND p.deleted_at IS NULL`,
  },
  {
    table: 'groups',
    column: 'member_count',
    recount: `SELECT count(*) FROM group_members WHERE group_id = x.id AND status = 'active'`,
  },
  {
    table: 'groups',
    column: 'post_count',
    recount: `SELECT count(*) FROM group_posts gp JOIN posts p ON p.id = gp.post_id
              WHERE gp.group_id = x.id AND p.deleted_at IS NULL`,
  },
  {
    table: 'products',
    column: 'favorite_count',
    recount: 'SELECT count(*) FROM product_favorites WHERE product_id = x.id',
  },
  {
    table: 'products',
    column: 'review_count',
    recount: 'SELECT count(*) FROM product_reviews WHERE product_id = x.id AND deleted_at IS NULL',
  },
  {
    table: 'products',
    column: 'average_rating',
    recount: `SELECT COALESCE(round(sum(rating)::numeric / count(*), 2), 0) FROM product_reviews
              WHERE product_id = x.id AND deleted_at IS NULL`,
  },
  {
    table: 'products',
    column: 'sale_count',
    recount: `SELECT count(*) FROM order_items oi JOIN orders o ON o.id = oi.order_id
              WHERE oi.product_id = x.id AND o.status IN ('paid', 'processing', 'completed')`,
  },
  { table: 'carts', column: 'item_count', recount: 'SELECT count(*) FROM cart_items WHERE cart_id = x.id' },
  {
    table: 'carts',
    column: 'subtotal',
    recount: 'SELECT COALESCE(sum(price), 0) FROM cart_items WHERE cart_id = x.id',
  },
  {
    table: 'carts',
    column: 'total',
    recount: 'SELECT x.tax_total + COALESCE(sum(price), 0) FROM cart_items WHERE cart_id = x.id',
  },
  {
    table: 'discount_codes',
    column: 'usage_count',
    recount: 'SELECT count(*) FROM discount_code_usage WHERE discount_code_id = x.id',
  },
];

/** Every counter of every parent row that differs from its recount (empty when all are exact). */
async function driftedCounters(sql: postgres.Sql): Promise<string[]> {
  const drifted: string[] = [];
  for (const { table, column, recount } of RECOUNTS) {
    const rows = await sql.unsafe(
      `SELECT x.id, x.${column}::text AS stored, (${recount})::text AS expected
       FROM ${table} x WHERE x.${column} IS DISTINCT FROM (${recount})`,
    );
    for (const row of rows) drifted.push(`${table}.${column} of ${row.id}: ${row.stored}, recount ${row.expected}`);
  }
  return drifted;
}

async function assertExact(sql: postgres.Sql): Promise<void> {
  assert.deepEqual(await driftedCounters(sql), []);
}

/** The named columns of one row, numbers as numbers (INTEGER columns) and numerics as their text. */
async function counters(sql: postgres.Sql, table: string, id: unknown, columns: string[]): Promise<Row> {
  const [row] = await sql.unsafe(`SELECT ${columns.join(', ')} FROM ${table} WHERE id = $1`, [id as string]);
  if (!row) throw new Error(`${table} ${String(id)} does not exist`);
  return { ...row };
}

async function profileOf(sql: postgres.Sql, userId: unknown): Promise<Row> {
  const [row] = await sql`
    SELECT follower_count, following_count, track_count, playlist_count FROM user_profiles
    WHERE user_id = ${userId as string}`;
  if (!row) throw new Error(`user ${String(userId)} has no profile`);
  return { ...row };
}

/** A user with a profile; returns the user id. */
async function userWithProfile(sql: postgres.Sql): Promise<string> {
  return (await make('user_profiles')(sql)).user_id as string;
}

/** Round half up to 2 decimals of sum/n, in integers (the expected average_rating, as PostgreSQL prints it). */
function roundedMean(ratings: number[]): string {
  if (ratings.length === 0) return '0.00';
  const sum = ratings.reduce((a, b) => a + b, 0);
  const n = ratings.length;
  const hundredths = Math.floor((200 * sum + n) / (2 * n));
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

/** A review of the product by a new buyer who bought it (an order line of a pending order). */
async function review(sql: postgres.Sql, product: Row, rating: number): Promise<Row> {
  const order = await make('orders')(sql);
  const line = await make('order_items')(sql, {
    order_id: order.id,
    product_id: product.id,
    product_name: product.name,
    seller_id: product.seller_id,
  });
  return make('product_reviews')(sql, {
    product_id: product.id,
    user_id: order.user_id,
    order_item_id: line.id,
    rating,
  });
}

describe('denormalised counters (spec §22.2, ADR 0012)', () => {
  test('follows move follower_count and following_count of both profiles, including a re-targeted follow', async () => {
    const { sql } = database.current;
    const [a, b, c] = [await userWithProfile(sql), await userWithProfile(sql), await userWithProfile(sql)];
    const follow = (follower: string, following: string) =>
      make('follows')(sql, { follower_id: follower, following_id: following });
    const ab = await follow(a, b);
    await follow(b, a);
    const cb = await follow(c, b);
    assert.deepEqual(await profileOf(sql, b), {
      follower_count: 2,
      following_count: 1,
      track_count: 0,
      playlist_count: 0,
    });
    assert.deepEqual(await profileOf(sql, a), {
      follower_count: 1,
      following_count: 1,
      track_count: 0,
      playlist_count: 0,
    });

    await sql`DELETE FROM follows WHERE id = ${cb.id as string}`;
    assert.equal((await profileOf(sql, b)).follower_count, 1);
    assert.equal((await profileOf(sql, c)).following_count, 0);

    await sql`UPDATE follows SET following_id = ${c} WHERE id = ${ab.id as string}`;
    assert.equal((await profileOf(sql, b)).follower_count, 0);
    assert.equal((await profileOf(sql, c)).follower_count, 1);
    assert.equal((await profileOf(sql, a)).following_count, 1);
    await assertExact(sql);
  });

  test('a follow of a user without a profile succeeds, and the profile created later starts with the right counts', async () => {
    const { sql } = database.current;
    const fan = await userWithProfile(sql);
    const newcomer = (await make('users')(sql)).id as string;
    await make('follows')(sql, { follower_id: fan, following_id: newcomer });
    await make('follows')(sql, { follower_id: newcomer, following_id: fan });
    await make('tracks')(sql, { creator_id: newcomer, file_id: (await make('files')(sql, { user_id: newcomer })).id });
    await make('tracks')(sql, {
      creator_id: newcomer,
      file_id: (await make('files')(sql, { user_id: newcomer })).id,
      visibility: 'private',
    });
    await make('playlists')(sql, { user_id: newcomer });
    assert.equal((await profileOf(sql, fan)).following_count, 1);

    await make('user_profiles')(sql, { user_id: newcomer });
    assert.deepEqual(await profileOf(sql, newcomer), {
      follower_count: 1,
      following_count: 1,
      track_count: 1,
      playlist_count: 1,
    });
    await assertExact(sql);
  });

  test('a decrement never takes a counter below zero', async () => {
    const { sql } = database.current;
    const [a, b] = [await userWithProfile(sql), await userWithProfile(sql)];
    const follow = await make('follows')(sql, { follower_id: a, following_id: b });
    await sql`UPDATE user_profiles SET follower_count = 0 WHERE user_id = ${b}`;
    await sql`DELETE FROM follows WHERE id = ${follow.id as string}`;
    assert.equal((await profileOf(sql, b)).follower_count, 0);
  });

  test('track_count counts public, non-deleted tracks through visibility, soft delete, restore and a new creator', async () => {
    const { sql } = database.current;
    const [u, v] = [await userWithProfile(sql), await userWithProfile(sql)];
    const t1 = await make('tracks')(sql, { creator_id: u, file_id: (await make('files')(sql, { user_id: u })).id });
    const t2 = await make('tracks')(sql, {
      creator_id: u,
      file_id: (await make('files')(sql, { user_id: u })).id,
      visibility: 'private',
    });
    const trackCount = async (user: string) => (await profileOf(sql, user)).track_count;
    assert.equal(await trackCount(u), 1);
    await sql`UPDATE tracks SET visibility = 'public' WHERE id = ${t2.id as string}`;
    assert.equal(await trackCount(u), 2);
    await sql`UPDATE tracks SET visibility = 'unlisted' WHERE id = ${t2.id as string}`;
    assert.equal(await trackCount(u), 1);
    await sql`UPDATE tracks SET visibility = 'public' WHERE id = ${t2.id as string}`;
    await sql`UPDATE tracks SET deleted_at = now() WHERE id = ${t1.id as string}`;
    assert.equal(await trackCount(u), 1);
    await sql`UPDATE tracks SET deleted_at = NULL WHERE id = ${t1.id as string}`;
    assert.equal(await trackCount(u), 2);
    await sql`UPDATE tracks SET creator_id = ${v} WHERE id = ${t1.id as string}`;
    assert.deepEqual([await trackCount(u), await trackCount(v)], [1, 1]);
    await sql`DELETE FROM tracks WHERE id = ${t2.id as string}`;
    assert.equal(await trackCount(u), 0);
    await assertExact(sql);
  });

  test('playlist_count counts public, non-deleted playlists', async () => {
    const { sql } = database.current;
    const [u, v] = [await userWithProfile(sql), await userWithProfile(sql)];
    const p1 = await make('playlists')(sql, { user_id: u });
    const p2 = await make('playlists')(sql, { user_id: u, visibility: 'unlisted' });
    const playlistCount = async (user: string) => (await profileOf(sql, user)).playlist_count;
    assert.equal(await playlistCount(u), 1);
    await sql`UPDATE playlists SET visibility = 'public' WHERE id = ${p2.id as string}`;
    assert.equal(await playlistCount(u), 2);
    await sql`UPDATE playlists SET deleted_at = now() WHERE id = ${p1.id as string}`;
    assert.equal(await playlistCount(u), 1);
    await sql`UPDATE playlists SET deleted_at = NULL, user_id = ${v} WHERE id = ${p1.id as string}`;
    assert.deepEqual([await playlistCount(u), await playlistCount(v)], [1, 1]);
    await sql`DELETE FROM playlists WHERE id = ${p2.id as string}`;
    assert.equal(await playlistCount(u), 0);
    await assertExact(sql);
  });

  test('play_count, like_count and download_count follow their rows, plays moving partition counted once', async () => {
    const { sql } = database.current;
    const track = await make('tracks')(sql);
    const other = await make('tracks')(sql);
    const plays = [];
    for (let i = 0; i < 3; i += 1) plays.push(await make('playback_history')(sql, { track_id: track.id }));
    const count = async (id: unknown) => counters(sql, 'tracks', id, ['play_count', 'like_count', 'download_count']);
    assert.equal((await count(track.id)).play_count, 3);

    await sql`DELETE FROM playback_history WHERE id = ${plays[0]?.id as string}`;
    assert.equal((await count(track.id)).play_count, 2);
    // A new played_at in the next month moves the row to another partition (DELETE + INSERT underneath).
    const [before] =
      await sql`SELECT tableoid::regclass::text AS p FROM playback_history WHERE id = ${plays[1]?.id as string}`;
    await sql`UPDATE playback_history SET played_at = played_at + interval '1 month' WHERE id = ${plays[1]?.id as string}`;
    const [moved] =
      await sql`SELECT tableoid::regclass::text AS p FROM playback_history WHERE id = ${plays[1]?.id as string}`;
    assert.notEqual(moved?.p, before?.p, 'the play changed partition');
    assert.equal((await count(track.id)).play_count, 2);
    await sql`UPDATE playback_history SET track_id = ${other.id as string} WHERE id = ${plays[2]?.id as string}`;
    assert.deepEqual([(await count(track.id)).play_count, (await count(other.id)).play_count], [1, 1]);

    const like1 = await make('track_likes')(sql, { track_id: track.id });
    await make('track_likes')(sql, { track_id: track.id });
    assert.equal((await count(track.id)).like_count, 2);
    await sql`DELETE FROM track_likes WHERE id = ${like1.id as string}`;
    assert.equal((await count(track.id)).like_count, 1);

    const download = await make('track_downloads')(sql, { track_id: track.id });
    await make('track_downloads')(sql, { track_id: track.id, user_id: null });
    assert.equal((await count(track.id)).download_count, 2);
    await sql`DELETE FROM track_downloads WHERE id = ${download.id as string}`;
    assert.equal((await count(track.id)).download_count, 1);
    await assertExact(sql);
  });

  test('comment_count: deleted_at and is_deleted each hide a comment, restoring both counts it again', async () => {
    const { sql } = database.current;
    const track = await make('tracks')(sql);
    const c1 = await make('track_comments')(sql, { track_id: track.id });
    const c2 = await make('track_comments')(sql, { track_id: track.id });
    const reply = await make('track_comments')(sql, { track_id: track.id, parent_comment_id: c1.id });
    const count = async () => (await counters(sql, 'tracks', track.id, ['comment_count'])).comment_count;
    assert.equal(await count(), 3);
    await sql`UPDATE track_comments SET is_deleted = true WHERE id = ${c2.id as string}`;
    assert.equal(await count(), 2);
    await sql`UPDATE track_comments SET deleted_at = now() WHERE id = ${c2.id as string}`;
    assert.equal(await count(), 2);
    await sql`UPDATE track_comments SET is_deleted = false WHERE id = ${c2.id as string}`;
    assert.equal(await count(), 2, 'still soft-deleted by deleted_at');
    await sql`UPDATE track_comments SET deleted_at = NULL WHERE id = ${c2.id as string}`;
    assert.equal(await count(), 3);
    await sql`UPDATE track_comments SET deleted_at = now() WHERE id = ${reply.id as string}`;
    assert.equal(await count(), 2);
    // Deleting the thread cascades to the reply, which was already not counted.
    await sql`DELETE FROM track_comments WHERE id = ${c1.id as string}`;
    assert.equal(await count(), 1);
    await assertExact(sql);
  });

  test('playlists count the duration of their non-deleted tracks through soft delete, re-timing, moves and deletes', async () => {
    const { sql } = database.current;
    const p = await make('playlists')(sql);
    const q = await make('playlists')(sql);
    const [t100, t200, t300] = [
      await make('tracks')(sql, { duration: 100 }),
      await make('tracks')(sql, { duration: 200 }),
      await make('tracks')(sql, { duration: 300 }),
    ];
    const entries: Row[] = [];
    for (const track of [t100, t200, t300]) {
      entries.push(await make('playlist_tracks')(sql, { playlist_id: p.id, track_id: track.id }));
    }
    const totals = async (playlist: Row) => {
      const row = await counters(sql, 'playlists', playlist.id, ['track_count', 'duration_seconds']);
      return [row.track_count, row.duration_seconds];
    };
    assert.deepEqual(await totals(p), [3, 600]);
    await sql`UPDATE tracks SET deleted_at = now() WHERE id = ${t200.id as string}`;
    assert.deepEqual(await totals(p), [2, 400]);
    await sql`UPDATE tracks SET duration = 350 WHERE id = ${t300.id as string}`;
    assert.deepEqual(await totals(p), [2, 450]);
    await sql`UPDATE tracks SET duration = 250 WHERE id = ${t200.id as string}`;
    assert.deepEqual(await totals(p), [2, 450], 're-timing a deleted track changes nothing');
    await sql`UPDATE tracks SET deleted_at = NULL WHERE id = ${t200.id as string}`;
    assert.deepEqual(await totals(p), [3, 700]);
    await sql`UPDATE playlist_tracks SET playlist_id = ${q.id as string} WHERE id = ${entries[0]?.id as string}`;
    assert.deepEqual(
      [await totals(p), await totals(q)],
      [
        [2, 600],
        [1, 100],
      ],
    );
    await sql`DELETE FROM tracks WHERE id = ${t300.id as string}`;
    assert.deepEqual(await totals(p), [1, 250]);
    await sql`UPDATE tracks SET deleted_at = now() WHERE id = ${t200.id as string}`;
    await sql`DELETE FROM tracks WHERE id = ${t200.id as string}`;
    assert.deepEqual(await totals(p), [0, 0], 'a deleted track is uncounted once, not twice');
    await sql`DELETE FROM playlist_tracks WHERE id = ${entries[0]?.id as string}`;
    assert.deepEqual(await totals(q), [0, 0]);

    const follower = await make('playlist_followers')(sql, { playlist_id: p.id });
    await make('playlist_followers')(sql, { playlist_id: p.id });
    assert.equal((await counters(sql, 'playlists', p.id, ['follower_count'])).follower_count, 2);
    await sql`DELETE FROM playlist_followers WHERE id = ${follower.id as string}`;
    assert.equal((await counters(sql, 'playlists', p.id, ['follower_count'])).follower_count, 1);
    await assertExact(sql);
  });

  test('rooms count members not banned and messages not deleted, a message changing partition once', async () => {
    const { sql } = database.current;
    const room = await make('rooms')(sql);
    const other = await make('rooms')(sql);
    const members = [];
    for (let i = 0; i < 3; i += 1) members.push(await make('room_members')(sql, { room_id: room.id }));
    const count = async (r: Row) => counters(sql, 'rooms', r.id, ['member_count', 'message_count']);
    assert.equal((await count(room)).member_count, 3);
    await sql`UPDATE room_members SET is_banned = true WHERE id = ${members[0]?.id as string}`;
    assert.equal((await count(room)).member_count, 2);
    await sql`UPDATE room_members SET is_banned = false WHERE id = ${members[0]?.id as string}`;
    assert.equal((await count(room)).member_count, 3);
    await sql`DELETE FROM room_members WHERE id = ${members[1]?.id as string}`;
    assert.equal((await count(room)).member_count, 2);

    const messages = [];
    for (let i = 0; i < 3; i += 1) messages.push(await make('messages')(sql, { room_id: room.id }));
    assert.equal((await count(room)).message_count, 3);
    await sql`UPDATE messages SET is_deleted = true WHERE id = ${messages[0]?.id as string}`;
    assert.equal((await count(room)).message_count, 2);
    await sql`UPDATE messages SET is_deleted = false, deleted_at = now() WHERE id = ${messages[0]?.id as string}`;
    assert.equal((await count(room)).message_count, 2);
    await sql`UPDATE messages SET deleted_at = NULL WHERE id = ${messages[0]?.id as string}`;
    assert.equal((await count(room)).message_count, 3);
    const [before] =
      await sql`SELECT tableoid::regclass::text AS p FROM messages WHERE id = ${messages[1]?.id as string}`;
    await sql`UPDATE messages SET created_at = created_at + interval '1 month' WHERE id = ${messages[1]?.id as string}`;
    const [moved] =
      await sql`SELECT tableoid::regclass::text AS p FROM messages WHERE id = ${messages[1]?.id as string}`;
    assert.notEqual(moved?.p, before?.p, 'the message changed partition');
    assert.equal((await count(room)).message_count, 3);
    await sql`UPDATE messages SET room_id = ${other.id as string} WHERE id = ${messages[1]?.id as string}`;
    assert.deepEqual([(await count(room)).message_count, (await count(other)).message_count], [2, 1]);
    await sql`DELETE FROM messages WHERE id = ${messages[2]?.id as string}`;
    assert.equal((await count(room)).message_count, 1);
    await assertExact(sql);
  });

  test('posts count likes, live comments and live reposts', async () => {
    const { sql } = database.current;
    const post = await make('posts')(sql);
    const other = await make('posts')(sql);
    const count = async (p: Row) => counters(sql, 'posts', p.id, ['like_count', 'comment_count', 'repost_count']);
    const like = await make('post_likes')(sql, { post_id: post.id });
    await make('post_likes')(sql, { post_id: post.id });
    await sql`DELETE FROM post_likes WHERE id = ${like.id as string}`;
    assert.equal((await count(post)).like_count, 1);

    const comment = await make('post_comments')(sql, { post_id: post.id });
    await make('post_comments')(sql, { post_id: post.id });
    assert.equal((await count(post)).comment_count, 2);
    await sql`UPDATE post_comments SET deleted_at = now() WHERE id = ${comment.id as string}`;
    assert.equal((await count(post)).comment_count, 1);
    await sql`UPDATE post_comments SET deleted_at = NULL WHERE id = ${comment.id as string}`;
    assert.equal((await count(post)).comment_count, 2);
    await sql`DELETE FROM post_comments WHERE id = ${comment.id as string}`;
    assert.equal((await count(post)).comment_count, 1);

    const r1 = await make('posts')(sql, { repost_of_id: post.id });
    const r2 = await make('posts')(sql, { repost_of_id: post.id });
    assert.equal((await count(post)).repost_count, 2);
    await sql`UPDATE posts SET deleted_at = now() WHERE id = ${r1.id as string}`;
    assert.equal((await count(post)).repost_count, 1);
    await sql`UPDATE posts SET deleted_at = NULL WHERE id = ${r1.id as string}`;
    assert.equal((await count(post)).repost_count, 2);
    await sql`UPDATE posts SET repost_of_id = ${other.id as string} WHERE id = ${r2.id as string}`;
    assert.deepEqual([(await count(post)).repost_count, (await count(other)).repost_count], [1, 1]);
    await sql`DELETE FROM posts WHERE id = ${r1.id as string}`;
    assert.equal((await count(post)).repost_count, 0);
    await assertExact(sql);
  });

  test('hashtags count uses on live posts; last_used_at moves to the latest use and never back', async () => {
    const { sql } = database.current;
    const tag = await make('hashtags')(sql);
    const [p1, p2] = [await make('posts')(sql), await make('posts')(sql)];
    const state = async () => {
      const [row] = await sql`
        SELECT usage_count, last_used_at::text AS last_used_at FROM hashtags WHERE id = ${tag.id as string}`;
      return row;
    };
    const createdAt = async (use: Row) =>
      (await sql`SELECT created_at::text AS t FROM post_hashtags WHERE id = ${use.id as string}`)[0]?.t;
    const use1 = await make('post_hashtags')(sql, { post_id: p1.id, hashtag_id: tag.id });
    assert.deepEqual(await state(), { usage_count: 1, last_used_at: await createdAt(use1) });
    const use2 = await make('post_hashtags')(sql, { post_id: p2.id, hashtag_id: tag.id });
    const latest = await createdAt(use2);
    assert.deepEqual(await state(), { usage_count: 2, last_used_at: latest });

    await sql`UPDATE posts SET deleted_at = now() WHERE id = ${p2.id as string}`;
    assert.deepEqual(await state(), { usage_count: 1, last_used_at: latest });
    await sql`UPDATE posts SET deleted_at = NULL WHERE id = ${p2.id as string}`;
    assert.deepEqual(await state(), { usage_count: 2, last_used_at: latest });
    await sql`DELETE FROM post_hashtags WHERE id = ${use1.id as string}`;
    assert.equal((await state())?.usage_count, 1);
    await sql`DELETE FROM posts WHERE id = ${p2.id as string}`;
    assert.deepEqual(await state(), { usage_count: 0, last_used_at: latest });
    await assertExact(sql);
  });

  test('groups count active members only, and posts that are not deleted', async () => {
    const { sql } = database.current;
    const group = await make('groups')(sql);
    const other = await make('groups')(sql);
    const count = async (g: Row) => counters(sql, 'groups', g.id, ['member_count', 'post_count']);
    const active = await make('group_members')(sql, { group_id: group.id });
    const pending = await make('group_members')(sql, { group_id: group.id, status: 'pending' });
    await make('group_members')(sql, { group_id: group.id, status: 'banned' });
    assert.equal((await count(group)).member_count, 1);
    await sql`UPDATE group_members SET status = 'active' WHERE id = ${pending.id as string}`;
    assert.equal((await count(group)).member_count, 2);
    await sql`UPDATE group_members SET status = 'banned' WHERE id = ${active.id as string}`;
    assert.equal((await count(group)).member_count, 1);
    await sql`UPDATE group_members SET group_id = ${other.id as string} WHERE id = ${pending.id as string}`;
    assert.deepEqual([(await count(group)).member_count, (await count(other)).member_count], [0, 1]);

    const [p1, p2] = [await make('posts')(sql), await make('posts')(sql)];
    await make('group_posts')(sql, { group_id: group.id, post_id: p1.id });
    const entry2 = await make('group_posts')(sql, { group_id: group.id, post_id: p2.id });
    assert.equal((await count(group)).post_count, 2);
    await sql`UPDATE posts SET deleted_at = now() WHERE id = ${p1.id as string}`;
    assert.equal((await count(group)).post_count, 1);
    await sql`UPDATE posts SET deleted_at = NULL WHERE id = ${p1.id as string}`;
    assert.equal((await count(group)).post_count, 2);
    await sql`UPDATE group_posts SET group_id = ${other.id as string} WHERE id = ${entry2.id as string}`;
    assert.deepEqual([(await count(group)).post_count, (await count(other)).post_count], [1, 1]);
    await sql`DELETE FROM posts WHERE id = ${p1.id as string}`;
    assert.equal((await count(group)).post_count, 0);
    await assertExact(sql);
  });

  test('products count favorites, and live reviews with their mean rounded to 2 decimals', async () => {
    const { sql } = database.current;
    const product = await make('products')(sql);
    const stats = async () =>
      counters(sql, 'products', product.id, ['favorite_count', 'review_count', 'average_rating']);
    const favorite = await make('product_favorites')(sql, { product_id: product.id });
    await make('product_favorites')(sql, { product_id: product.id });
    await sql`DELETE FROM product_favorites WHERE id = ${favorite.id as string}`;
    assert.equal((await stats()).favorite_count, 1);

    assert.equal((await stats()).average_rating, '0.00');
    const five = await review(sql, product, 5);
    const four = await review(sql, product, 4);
    assert.deepEqual(await stats(), { favorite_count: 1, review_count: 2, average_rating: '4.50' });
    await review(sql, product, 4);
    assert.deepEqual(await stats(), { favorite_count: 1, review_count: 3, average_rating: '4.33' });
    await sql`UPDATE product_reviews SET deleted_at = now() WHERE id = ${five.id as string}`;
    assert.deepEqual(await stats(), { favorite_count: 1, review_count: 2, average_rating: '4.00' });
    await sql`UPDATE product_reviews SET deleted_at = NULL WHERE id = ${five.id as string}`;
    assert.equal((await stats()).average_rating, '4.33');
    await sql`UPDATE product_reviews SET rating = 1 WHERE id = ${four.id as string}`;
    assert.deepEqual(await stats(), { favorite_count: 1, review_count: 3, average_rating: '3.33' });
    await sql`DELETE FROM product_reviews WHERE product_id = ${product.id as string}`;
    assert.deepEqual(await stats(), { favorite_count: 1, review_count: 0, average_rating: '0.00' });
    await assertExact(sql);
  });

  test('average_rating is the exact mean rounded half up to 2 decimals', async () => {
    const { sql } = database.current;
    const cases = [[5, 5, 5, 5, 4, 4, 4, 1], [1, 2], [1, 1, 2], [2, 2, 1], [5, 4, 4, 4, 4, 4], [3], [1, 5, 5]];
    for (const ratings of cases) {
      const product = await make('products')(sql);
      for (const rating of ratings) await review(sql, product, rating);
      const row = await counters(sql, 'products', product.id, ['review_count', 'average_rating']);
      assert.deepEqual(
        row,
        { review_count: ratings.length, average_rating: roundedMean(ratings) },
        `ratings ${ratings}`,
      );
    }
    assert.equal(roundedMean([5, 5, 5, 5, 4, 4, 4, 1]), '4.13', '33/8 = 4.125 rounds up');
    await assertExact(sql);
  });

  test('sale_count counts order lines while their order is paid, processing or completed', async () => {
    const { sql } = database.current;
    const product = await make('products')(sql);
    const other = await make('products')(sql);
    const line = (order: Row, p: Row = product) =>
      make('order_items')(sql, { order_id: order.id, product_id: p.id, product_name: p.name, seller_id: p.seller_id });
    const sales = async (p: Row = product) => (await counters(sql, 'products', p.id, ['sale_count'])).sale_count;
    const setStatus = (order: Row, status: string) =>
      sql`UPDATE orders SET status = ${status}::order_status WHERE id = ${order.id as string}`;

    const first = await make('orders')(sql);
    await line(first);
    await line(first);
    assert.equal(await sales(), 0, 'a pending order is not a sale');
    await setStatus(first, 'paid');
    assert.equal(await sales(), 2);
    await setStatus(first, 'processing');
    await setStatus(first, 'completed');
    assert.equal(await sales(), 2);
    await setStatus(first, 'refunded');
    assert.equal(await sales(), 0);

    const second = await make('orders')(sql, { status: 'paid' });
    const added = await line(second);
    assert.equal(await sales(), 1);
    const extra = await line(second);
    assert.equal(await sales(), 2);
    await sql`DELETE FROM order_items WHERE id = ${extra.id as string}`;
    assert.equal(await sales(), 1);
    await sql`UPDATE order_items SET product_id = ${other.id as string} WHERE id = ${added.id as string}`;
    assert.deepEqual([await sales(), await sales(other)], [0, 1]);
    await sql`UPDATE order_items SET order_id = ${first.id as string} WHERE id = ${added.id as string}`;
    assert.equal(await sales(other), 0, 'moved into a refunded order');
    await setStatus(first, 'paid');
    assert.deepEqual([await sales(), await sales(other)], [2, 1]);
    await setStatus(first, 'cancelled');
    assert.equal(await sales(), 0);

    const third = await make('orders')(sql, { status: 'completed' });
    await line(third);
    await line(third, other);
    assert.deepEqual([await sales(), await sales(other)], [1, 1]);
    await sql`DELETE FROM orders WHERE id = ${third.id as string}`;
    assert.deepEqual([await sales(), await sales(other)], [0, 0], 'a deleted order is uncounted once');
    await assertExact(sql);
  });

  test('carts: item_count and subtotal follow the items, total is always subtotal + tax_total', async () => {
    const { sql } = database.current;
    const cart = await make('carts')(sql);
    const other = await make('carts')(sql);
    const totals = async (c: Row) =>
      counters(sql, 'carts', c.id, ['item_count', 'subtotal::text', 'tax_total::text', 'total::text']);
    const a = await make('cart_items')(sql, { cart_id: cart.id, price: '19.99' });
    const b = await make('cart_items')(sql, { cart_id: cart.id, price: '5.01' });
    assert.deepEqual(await totals(cart), { item_count: 2, subtotal: '25.00', tax_total: '0.00', total: '25.00' });
    await sql`UPDATE carts SET tax_total = 2.50 WHERE id = ${cart.id as string}`;
    assert.deepEqual(await totals(cart), { item_count: 2, subtotal: '25.00', tax_total: '2.50', total: '27.50' });
    await sql`UPDATE cart_items SET price = 10.00 WHERE id = ${a.id as string}`;
    assert.deepEqual(await totals(cart), { item_count: 2, subtotal: '15.01', tax_total: '2.50', total: '17.51' });
    await sql`UPDATE cart_items SET cart_id = ${other.id as string} WHERE id = ${b.id as string}`;
    assert.deepEqual(await totals(cart), { item_count: 1, subtotal: '10.00', tax_total: '2.50', total: '12.50' });
    assert.deepEqual(await totals(other), { item_count: 1, subtotal: '5.01', tax_total: '0.00', total: '5.01' });
    await sql`UPDATE carts SET total = 999 WHERE id = ${cart.id as string}`;
    assert.equal((await totals(cart)).total, '12.50', 'total cannot be set apart from its parts');
    await sql`DELETE FROM cart_items WHERE id = ${a.id as string}`;
    assert.deepEqual(await totals(cart), { item_count: 0, subtotal: '0.00', tax_total: '2.50', total: '2.50' });
    await assertExact(sql);
  });

  test('discount_codes.usage_count follows discount_code_usage', async () => {
    const { sql } = database.current;
    const code = await make('discount_codes')(sql);
    const other = await make('discount_codes')(sql);
    const usage = async (c: Row) => (await counters(sql, 'discount_codes', c.id, ['usage_count'])).usage_count;
    const use1 = await make('discount_code_usage')(sql, { discount_code_id: code.id });
    const use2 = await make('discount_code_usage')(sql, { discount_code_id: code.id });
    assert.equal(await usage(code), 2);
    await sql`UPDATE discount_code_usage SET discount_code_id = ${other.id as string} WHERE id = ${use2.id as string}`;
    assert.deepEqual([await usage(code), await usage(other)], [1, 1]);
    await sql`DELETE FROM discount_code_usage WHERE id = ${use1.id as string}`;
    assert.equal(await usage(code), 0);
    await assertExact(sql);
  });
});

/** Fisher-Yates, so that inserts, deletes and updates of one parent interleave. */
function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

interface Operation {
  text: string;
  params: unknown[];
}
const op = (text: string, ...params: unknown[]): Operation => ({ text, params });

/**
 * Runs every operation in its own transaction through a pool of `connections` connections, all at once.
 * Each transaction sleeps a few milliseconds after its statement, holding its locks, so that they overlap.
 * Returns the backend pids that ran them.
 */
async function runConcurrently(url: string, operations: Operation[], connections = 10): Promise<Set<number>> {
  const pool = postgres(url, { max: connections, onnotice: () => {} });
  try {
    const pids = await Promise.all(
      shuffled(operations).map((operation) =>
        pool.begin(async (tx) => {
          await tx.unsafe(operation.text, operation.params as never[]);
          const [row] = await tx.unsafe('SELECT pg_backend_pid() AS pid, pg_sleep(random() * 0.004)');
          return Number(row?.pid);
        }),
      ),
    );
    return new Set(pids);
  } finally {
    await pool.end();
  }
}

/** `count` new users in one statement; returns their ids. */
async function manyUsers(sql: postgres.Sql, count: number): Promise<string[]> {
  const token = Math.random().toString(36).slice(2, 10);
  const rows = await sql`
    INSERT INTO users (email, username)
    SELECT 'load' || i || '_' || ${token} || '@example.test', 'load' || i || '_' || ${token}
    FROM generate_series(1, ${count}::int) AS i
    RETURNING id`;
  return rows.map((row) => row.id as string);
}

describe('counters under concurrency (ADR 0012)', () => {
  test('200 inserts then concurrent inserts, deletes and soft deletes from 10 connections on the same parents', async () => {
    const { sql, url } = database.current;
    const N = 200;
    const users = await manyUsers(sql, N);
    const target = await userWithProfile(sql);
    const track = await make('tracks')(sql);
    const favorite = await make('products')(sql);
    const reviewed = await make('products')(sql);
    const cart = await make('carts')(sql);
    const token = Math.random().toString(36).slice(2, 10);
    const cartProducts = await sql`
      INSERT INTO products (seller_id, name, slug, description, category, price)
      SELECT ${users[0] as string}, 'Sample ' || i, 'load-' || ${token} || '-' || i, 'A one-shot.', 'sample', 1
      FROM generate_series(1, ${N}::int) AS i
      RETURNING id`;
    const orders = await sql`
      INSERT INTO orders (user_id, order_number, subtotal, tax_total, total, billing_email)
      SELECT u.id, 'ORD-' || ${token} || '-' || u.n, 1, 0, 1, 'buyer@example.test'
      FROM unnest(${users}::uuid[]) WITH ORDINALITY AS u(id, n)
      RETURNING id, user_id`;
    const lines = new Map<string, string>();
    for (const order of orders) {
      const [line] = await sql`
        INSERT INTO order_items (order_id, product_id, product_name, seller_id, price)
        VALUES (${order.id as string}, ${reviewed.id as string}, 'Reviewed', ${reviewed.seller_id as string}, 1)
        RETURNING id`;
      lines.set(order.user_id as string, line?.id as string);
    }
    // prices with cents, so that a lost update of the subtotal shows
    const price = (i: number) => `${(i % 37) + 1}.${String(i % 100).padStart(2, '0')}`;
    const rating = (i: number) => 1 + ((i * 7) % 5);

    const insertsOf = (i: number): Operation[] => {
      const user = users[i] as string;
      return [
        op('INSERT INTO track_likes (user_id, track_id) VALUES ($1, $2)', user, track.id),
        i % 2 === 0
          ? op('INSERT INTO follows (follower_id, following_id) VALUES ($1, $2)', user, target)
          : op('INSERT INTO follows (follower_id, following_id) VALUES ($1, $2)', target, user),
        op('INSERT INTO product_favorites (user_id, product_id) VALUES ($1, $2)', user, favorite.id),
        op(
          'INSERT INTO product_reviews (product_id, user_id, order_item_id, rating) VALUES ($1, $2, $3, $4)',
          reviewed.id,
          user,
          lines.get(user),
          rating(i),
        ),
        op(
          'INSERT INTO cart_items (cart_id, product_id, price) VALUES ($1, $2, $3)',
          cart.id,
          cartProducts[i]?.id,
          price(i),
        ),
      ];
    };
    const deletesOf = (i: number): Operation[] => {
      const user = users[i] as string;
      return [
        op('DELETE FROM track_likes WHERE user_id = $1 AND track_id = $2', user, track.id),
        op(
          'DELETE FROM follows WHERE (follower_id = $1 AND following_id = $2) OR (follower_id = $2 AND following_id = $1)',
          user,
          target,
        ),
        op('DELETE FROM product_favorites WHERE user_id = $1 AND product_id = $2', user, favorite.id),
        op('UPDATE product_reviews SET deleted_at = now() WHERE order_item_id = $1', lines.get(user)),
        op('DELETE FROM cart_items WHERE cart_id = $1 AND product_id = $2', cart.id, cartProducts[i]?.id),
      ];
    };

    // Phase 1: the first 150 of each, all concurrently.
    const first = Array.from({ length: 150 }, (_, i) => i);
    const pids1 = await runConcurrently(url, first.flatMap(insertsOf));
    // Phase 2: the last 50 inserted while every third of the first 150 is deleted (reviews: soft-deleted), and
    // every fifth of those reviews changes its rating, all concurrently.
    const last = Array.from({ length: 50 }, (_, i) => 150 + i);
    const removed = first.filter((i) => i % 3 === 0);
    const rerated = first.filter((i) => i % 3 !== 0 && i % 5 === 0);
    const pids2 = await runConcurrently(url, [
      ...last.flatMap(insertsOf),
      ...removed.flatMap(deletesOf),
      ...rerated.map((i) =>
        op('UPDATE product_reviews SET rating = 5 WHERE order_item_id = $1', lines.get(users[i] as string)),
      ),
    ]);
    assert.ok(pids1.size >= 8 && pids2.size >= 8, `ran on ${pids1.size} and ${pids2.size} connections`);

    const kept = [...first.filter((i) => i % 3 !== 0), ...last];
    const ratings = kept.map((i) => (rerated.includes(i) ? 5 : rating(i)));
    const cents = kept.reduce((sum, i) => sum + Math.round(Number(price(i)) * 100), 0);
    const subtotal = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    assert.equal((await counters(sql, 'tracks', track.id, ['like_count'])).like_count, kept.length);
    assert.deepEqual(await profileOf(sql, target), {
      follower_count: kept.filter((i) => i % 2 === 0).length,
      following_count: kept.filter((i) => i % 2 === 1).length,
      track_count: 0,
      playlist_count: 0,
    });
    assert.equal((await counters(sql, 'products', favorite.id, ['favorite_count'])).favorite_count, kept.length);
    assert.deepEqual(await counters(sql, 'products', reviewed.id, ['review_count', 'average_rating']), {
      review_count: kept.length,
      average_rating: roundedMean(ratings),
    });
    assert.deepEqual(await counters(sql, 'carts', cart.id, ['item_count', 'subtotal::text', 'total::text']), {
      item_count: kept.length,
      subtotal,
      total: subtotal,
    });
    await assertExact(sql);
  });

  test('rows racing with the row that decides whether they count (track, post, order, missing profile) stay exact', async () => {
    const { sql, url } = database.current;
    // A playlist filled with 60 tracks while 20 of them are soft-deleted, 10 restored and 20 re-timed.
    const playlist = await make('playlists')(sql);
    const tracks: Row[] = [];
    for (let i = 0; i < 60; i += 1) tracks.push(await make('tracks')(sql, { duration: 100 + i }));
    if (tracks.length > 0) await sql`UPDATE tracks SET deleted_at = now() WHERE id = ${tracks[59]?.id as string}`;
    // Posts tagged and put in a group while some are soft-deleted and restored.
    const tag = await make('hashtags')(sql);
    const group = await make('groups')(sql);
    const posts: Row[] = [];
    for (let i = 0; i < 40; i += 1) posts.push(await make('posts')(sql));
    // Order lines added to 10 orders while the orders change status.
    const product = await make('products')(sql);
    const orders: Row[] = [];
    for (let i = 0; i < 10; i += 1)
      orders.push(await make('orders')(sql, { status: i % 2 === 0 ? 'paid' : 'pending' }));
    // A user followed by 50 people while their profile is created.
    const star = (await make('users')(sql)).id as string;
    const fans = await manyUsers(sql, 50);
    const statuses = ['pending', 'paid', 'processing', 'completed', 'cancelled', 'refunded'];

    const operations: Operation[] = [
      // Distinct positions: uq_playlist_tracks_playlist_id_position (0031, ADR 0049).
      ...tracks.map((t, i) =>
        op(
          'INSERT INTO playlist_tracks (playlist_id, track_id, position, added_by) VALUES ($1, $2, $4, $3)',
          playlist.id,
          t.id,
          t.creator_id,
          i,
        ),
      ),
      ...tracks.slice(0, 20).map((t) => op('UPDATE tracks SET deleted_at = now() WHERE id = $1', t.id)),
      ...tracks.slice(10, 20).map((t) => op('UPDATE tracks SET deleted_at = NULL WHERE id = $1', t.id)),
      ...tracks.slice(30, 50).map((t, i) => op('UPDATE tracks SET duration = $2 WHERE id = $1', t.id, 500 + i)),
      ...posts.flatMap((p) => [
        op('INSERT INTO post_hashtags (post_id, hashtag_id) VALUES ($1, $2)', p.id, tag.id),
        op('INSERT INTO group_posts (group_id, post_id) VALUES ($1, $2)', group.id, p.id),
      ]),
      ...posts.slice(0, 15).map((p) => op('UPDATE posts SET deleted_at = now() WHERE id = $1', p.id)),
      ...posts.slice(5, 10).map((p) => op('UPDATE posts SET deleted_at = NULL WHERE id = $1', p.id)),
      ...Array.from({ length: 100 }, (_, i) =>
        op(
          'INSERT INTO order_items (order_id, product_id, product_name, seller_id, price) VALUES ($1, $2, $3, $4, 1)',
          orders[i % 10]?.id,
          product.id,
          product.name,
          product.seller_id,
        ),
      ),
      ...Array.from({ length: 40 }, (_, i) =>
        op('UPDATE orders SET status = $2::order_status WHERE id = $1', orders[i % 10]?.id, statuses[(i * 5) % 6]),
      ),
      ...fans.map((fan) => op('INSERT INTO follows (follower_id, following_id) VALUES ($1, $2)', fan, star)),
      op('INSERT INTO user_profiles (user_id) VALUES ($1)', star),
    ];
    const pids = await runConcurrently(url, operations);
    assert.ok(pids.size >= 8, `ran on ${pids.size} connections`);
    assert.equal((await profileOf(sql, star)).follower_count, 50);
    await assertExact(sql);
  });
});

/** Rows that give every counter of the schema a non-zero value, including rows that must not count. */
async function seedEveryCounter(sql: postgres.Sql): Promise<void> {
  const user = await userWithProfile(sql);
  const fan = await userWithProfile(sql);
  await make('follows')(sql, { follower_id: fan, following_id: user });
  await make('follows')(sql, { follower_id: user, following_id: fan });
  const file = async () => (await make('files')(sql, { user_id: user })).id;
  const track = await make('tracks')(sql, { creator_id: user, file_id: await file() });
  await make('tracks')(sql, { creator_id: user, file_id: await file(), visibility: 'private' });
  const gone = await make('tracks')(sql, { creator_id: user, file_id: await file(), deleted_at: new Date() });
  const playlist = await make('playlists')(sql, { user_id: user });
  await make('playlists')(sql, { user_id: user, deleted_at: new Date() });
  await make('playlist_tracks')(sql, { playlist_id: playlist.id, track_id: track.id });
  await make('playlist_tracks')(sql, { playlist_id: playlist.id, track_id: gone.id });
  await make('playlist_followers')(sql, { playlist_id: playlist.id });
  await make('playback_history')(sql, { track_id: track.id });
  await make('track_likes')(sql, { track_id: track.id });
  await make('track_comments')(sql, { track_id: track.id });
  await make('track_comments')(sql, { track_id: track.id, is_deleted: true });
  await make('track_downloads')(sql, { track_id: track.id });
  const room = await make('rooms')(sql);
  await make('room_members')(sql, { room_id: room.id });
  await make('room_members')(sql, { room_id: room.id, is_banned: true });
  await make('messages')(sql, { room_id: room.id });
  await make('messages')(sql, { room_id: room.id, deleted_at: new Date() });
  const post = await make('posts')(sql);
  const hidden = await make('posts')(sql, { deleted_at: new Date() });
  await make('post_likes')(sql, { post_id: post.id });
  await make('post_comments')(sql, { post_id: post.id });
  await make('post_comments')(sql, { post_id: post.id, deleted_at: new Date() });
  await make('posts')(sql, { repost_of_id: post.id });
  const tag = await make('hashtags')(sql);
  await make('post_hashtags')(sql, { post_id: post.id, hashtag_id: tag.id });
  await make('post_hashtags')(sql, { post_id: hidden.id, hashtag_id: tag.id });
  const group = await make('groups')(sql);
  await make('group_members')(sql, { group_id: group.id });
  await make('group_members')(sql, { group_id: group.id, status: 'pending' });
  await make('group_posts')(sql, { group_id: group.id, post_id: post.id });
  await make('group_posts')(sql, { group_id: group.id, post_id: hidden.id });
  const product = await make('products')(sql);
  await make('product_favorites')(sql, { product_id: product.id });
  await review(sql, product, 4);
  await review(sql, product, 5);
  const removed = await review(sql, product, 1);
  await sql`UPDATE product_reviews SET deleted_at = now() WHERE id = ${removed.id as string}`;
  const paid = await make('orders')(sql, { status: 'paid' });
  await make('order_items')(sql, {
    order_id: paid.id,
    product_id: product.id,
    product_name: product.name,
    seller_id: product.seller_id,
  });
  const cart = await make('carts')(sql, { tax_total: '1.25' });
  await make('cart_items')(sql, { cart_id: cart.id, price: '9.99' });
  await make('discount_code_usage')(sql);
}

test('the up migration recounts every counter of a database that had no counter triggers', async () => {
  const target = await migratedDatabase();
  try {
    const migrator = new Migrator(target.url);
    await migrator.rollback({ to: 15 });
    await seedEveryCounter(target.sql);
    for (const { table, column } of RECOUNTS) {
      // 3 is a wrong value for every counter of the seed that is still inside average_rating's CHECK (0 to 5).
      await target.sql.unsafe(`UPDATE ${table} SET ${column} = 3`);
    }
    assert.ok((await driftedCounters(target.sql)).length >= RECOUNTS.length, 'every counter starts wrong');

    await migrator.migrate();
    await assertExact(target.sql);
    for (const { table, column } of RECOUNTS) {
      const [row] = await target.sql.unsafe(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} <> 0`);
      assert.ok((row?.n ?? 0) > 0, `the seed gives ${table}.${column} a non-zero value`);
    }
  } finally {
    await dropDatabase(target);
  }
});
