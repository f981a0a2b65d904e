// The denormalised counters, computed in bulk once the rows are loaded (the counter triggers of migration 0016 are
// off during the load: firing them row by row would update a track's row once per play). Each statement counts what
// ADR 0012 says the trigger counts, so the values are those the triggers would have produced; the seed test proves
// it by running the recount of migration 0016 afterwards, which must find nothing to change.
import type { SeedSql } from './table.ts';

/** One counter update per parent table: [table, statement]. Only rows whose values differ are written. */
export const COUNTER_UPDATES: readonly (readonly [string, string])[] = [
  [
    'user_profiles',
    `UPDATE user_profiles p
     SET follower_count = n.follower_count, following_count = n.following_count,
         track_count = n.track_count, playlist_count = n.playlist_count
     FROM (
       SELECT p0.id, COALESCE(fr.n, 0) AS follower_count, COALESCE(fg.n, 0) AS following_count,
              COALESCE(t.n, 0) AS track_count, COALESCE(pl.n, 0) AS playlist_count
       FROM user_profiles p0
       LEFT JOIN (SELECT following_id AS user_id, count(*) AS n FROM follows GROUP BY 1) fr ON fr.user_id = p0.user_id
       LEFT JOIN (SELECT follower_id AS user_id, count(*) AS n FROM follows GROUP BY 1) fg ON fg.user_id = p0.user_id
       LEFT JOIN (SELECT creator_id AS user_id, count(*) AS n FROM tracks
                  WHERE deleted_at IS NULL AND visibility = 'public' GROUP BY 1) t ON t.user_id = p0.user_id
       LEFT JOIN (SELECT user_id, count(*) AS n FROM playlists
                  WHERE deleted_at IS NULL AND visibility = 'public' GROUP BY 1) pl ON pl.user_id = p0.user_id
     ) n
     WHERE n.id = p.id AND (p.follower_count, p.following_count, p.track_count, p.playlist_count)
       IS DISTINCT FROM (n.follower_count, n.following_count, n.track_count, n.playlist_count)`,
  ],
  [
    'tracks',
    `UPDATE tracks t
     SET play_count = n.play_count, like_count = n.like_count, comment_count = n.comment_count,
         download_count = n.download_count
     FROM (
       SELECT t0.id, COALESCE(ph.n, 0) AS play_count, COALESCE(l.n, 0) AS like_count,
              COALESCE(c.n, 0) AS comment_count, COALESCE(d.n, 0) AS download_count
       FROM tracks t0
       LEFT JOIN (SELECT track_id, count(*) AS n FROM playback_history GROUP BY 1) ph ON ph.track_id = t0.id
       LEFT JOIN (SELECT track_id, count(*) AS n FROM track_likes GROUP BY 1) l ON l.track_id = t0.id
       LEFT JOIN (SELECT track_id, count(*) AS n FROM track_comments
                  WHERE deleted_at IS NULL AND NOT is_deleted GROUP BY 1) c ON c.track_id = t0.id
       LEFT JOIN (SELECT track_id, count(*) AS n FROM track_downloads GROUP BY 1) d ON d.track_id = t0.id
     ) n
     WHERE n.id = t.id AND (t.play_count, t.like_count, t.comment_count, t.download_count)
       IS DISTINCT FROM (n.play_count, n.like_count, n.comment_count, n.download_count)`,
  ],
  [
    'playlists',
    `UPDATE playlists p
     SET track_count = n.track_count, duration_seconds = n.duration_seconds, follower_count = n.follower_count
     FROM (
       SELECT p0.id, COALESCE(e.n, 0) AS track_count, COALESCE(e.seconds, 0) AS duration_seconds,
              COALESCE(f.n, 0) AS follower_count
       FROM playlists p0
       LEFT JOIN (SELECT pt.playlist_id, count(*) AS n, sum(t.duration) AS seconds
                  FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id
                  WHERE t.deleted_at IS NULL GROUP BY 1) e ON e.playlist_id = p0.id
       LEFT JOIN (SELECT playlist_id, count(*) AS n FROM playlist_followers GROUP BY 1) f ON f.playlist_id = p0.id
     ) n
     WHERE n.id = p.id AND (p.track_count, p.duration_seconds, p.follower_count)
       IS DISTINCT FROM (n.track_count, n.duration_seconds, n.follower_count)`,
  ],
  [
    'rooms',
    `UPDATE rooms r
     SET member_count = n.member_count, message_count = n.message_count
     FROM (
       SELECT r0.id, COALESCE(m.n, 0) AS member_count, COALESCE(msg.n, 0) AS message_count
       FROM rooms r0
       LEFT JOIN (SELECT room_id, count(*) AS n FROM room_members WHERE NOT is_banned GROUP BY 1) m ON m.room_id = r0.id
       LEFT JOIN (SELECT room_id, count(*) AS n FROM messages
                  WHERE deleted_at IS NULL AND NOT is_deleted GROUP BY 1) msg ON msg.room_id = r0.id
     ) n
     WHERE n.id = r.id AND (r.member_count, r.message_count) IS DISTINCT FROM (n.member_count, n.message_count)`,
  ],
  [
    'posts',
    `UPDATE posts p
     SET like_count = n.like_count, comment_count = n.comment_count, repost_count = n.repost_count
     FROM (
       SELECT p0.id, COALESCE(l.n, 0) AS like_count, COALESCE(c.n, 0) AS comment_count,
              COALESCE(r.n, 0) AS repost_count
       FROM posts p0
       LEFT JOIN (SELECT post_id, count(*) AS n FROM post_likes GROUP BY 1) l ON l.post_id = p0.id
       LEFT JOIN (SELECT post_id, count(*) AS n FROM post_comments WHERE deleted_at IS NULL GROUP BY 1) c
         ON c.post_id = p0.id
       LEFT JOIN (SELECT repost_of_id, count(*) AS n FROM posts
                  WHERE repost_of_id IS NOT NULL AND deleted_at IS NULL GROUP BY 1) r ON r.repost_of_id = p0.id
     ) n
     WHERE n.id = p.id AND (p.like_count, p.comment_count, p.repost_count)
       IS DISTINCT FROM (n.like_count, n.comment_count, n.repost_count)`,
  ],
  [
    'hashtags',
    `UPDATE hashtags h
     SET usage_count = n.usage_count, last_used_at = n.last_used_at
     FROM (
       SELECT h0.id, COALESCE(u.n, 0) AS usage_count, GREATEST(h0.last_used_at, u.latest) AS last_used_at
       FROM hashtags h0
       LEFT JOIN (SELECT ph.hashtag_id, count(*) AS n, max(ph.created_at) AS latest
                  FROM post_hashtags ph JOIN posts p ON p.id = ph.post_id
                  WHERE p.deleted_at IS NULL GROUP BY 1) u ON u.hashtag_id = h0.id
     ) n
     WHERE n.id = h.id AND (h.usage_count, h.last_used_at) IS DISTINCT FROM (n.usage_count, n.last_used_at)`,
  ],
  [
    'groups',
    `UPDATE groups g
     SET member_count = n.member_count, post_count = n.post_count
     FROM (
       SELECT g0.id, COALESCE(m.n, 0) AS member_count, COALESCE(gp.n, 0) AS post_count
       FROM groups g0
       LEFT JOIN (SELECT group_id, count(*) AS n FROM group_members WHERE status = 'active' GROUP BY 1) m
         ON m.group_id = g0.id
       LEFT JOIN (SELECT gp.group_id, count(*) AS n FROM group_posts gp JOIN posts p ON p.id = gp.post_id
                  WHERE p.deleted_at IS NULL GROUP BY 1) gp ON gp.group_id = g0.id
     ) n
     WHERE n.id = g.id AND (g.member_count, g.post_count) IS DISTINCT FROM (n.member_count, n.post_count)`,
  ],
  [
    'products',
    `UPDATE products p
     SET favorite_count = n.favorite_count, review_count = n.review_count,
         average_rating = n.average_rating, sale_count = n.sale_count
     FROM (
       SELECT p0.id, COALESCE(f.n, 0) AS favorite_count, COALESCE(r.n, 0) AS review_count,
              COALESCE(r.average, 0) AS average_rating, COALESCE(s.n, 0) AS sale_count
       FROM products p0
       LEFT JOIN (SELECT product_id, count(*) AS n FROM product_favorites GROUP BY 1) f ON f.product_id = p0.id
       LEFT JOIN (SELECT product_id, count(*) AS n, round(avg(rating), 2) AS average FROM product_reviews
                  WHERE deleted_at IS NULL GROUP BY 1) r ON r.product_id = p0.id
       LEFT JOIN (SELECT oi.product_id, count(*) AS n FROM order_items oi JOIN orders o ON o.id = oi.order_id
                  WHERE o.status IN ('paid', 'processing', 'completed') GROUP BY 1) s ON s.product_id = p0.id
     ) n
     WHERE n.id = p.id AND (p.favorite_count, p.review_count, p.average_rating, p.sale_count)
       IS DISTINCT FROM (n.favorite_count, n.review_count, n.average_rating, n.sale_count)`,
  ],
  // Not trigger-maintained (the checkout moves them, ADR 0069): a unit per line of a paid order (refunded ones
  // included: a refund does not give a unit back) is sold, a unit per line of a pending order is reserved.
  [
    'product_licenses',
    `UPDATE product_licenses l
     SET units_sold = n.units_sold, units_reserved = n.units_reserved
     FROM (
       SELECT l0.id, COALESCE(i.sold, 0) AS units_sold, COALESCE(i.reserved, 0) AS units_reserved
       FROM product_licenses l0
       LEFT JOIN (SELECT oi.license_id,
                         count(*) FILTER (WHERE o.status IN ('paid', 'processing', 'completed', 'refunded')) AS sold,
                         count(*) FILTER (WHERE o.status = 'pending') AS reserved
                  FROM order_items oi JOIN orders o ON o.id = oi.order_id
                  WHERE oi.license_id IS NOT NULL GROUP BY 1) i ON i.license_id = l0.id
     ) n
     WHERE n.id = l.id AND (l.units_sold, l.units_reserved) IS DISTINCT FROM (n.units_sold, n.units_reserved)`,
  ],
  [
    'carts',
    `UPDATE carts c
     SET item_count = n.item_count, subtotal = n.subtotal, total = n.subtotal + c.tax_total
     FROM (
       SELECT c0.id, COALESCE(i.n, 0) AS item_count, COALESCE(i.amount, 0) AS subtotal
       FROM carts c0
       LEFT JOIN (SELECT cart_id, count(*) AS n, sum(price) AS amount FROM cart_items GROUP BY 1) i ON i.cart_id = c0.id
     ) n
     WHERE n.id = c.id AND (c.item_count, c.subtotal, c.total) IS DISTINCT FROM (n.item_count, n.subtotal, n.subtotal + c.tax_total)`,
  ],
  [
    'discount_codes',
    `UPDATE discount_codes d
     SET usage_count = n.usage_count
     FROM (
       SELECT d0.id, COALESCE(u.n, 0) AS usage_count
       FROM discount_codes d0
       LEFT JOIN (SELECT discount_code_id, count(*) AS n FROM discount_code_usage GROUP BY 1) u
         ON u.discount_code_id = d0.id
     ) n
     WHERE n.id = d.id AND d.usage_count <> n.usage_count`,
  ],
  // Not trigger-maintained (the education service keeps them): live lessons, their length, enrollments not cancelled.
  [
    'courses',
    `UPDATE courses c
     SET lesson_count = n.lesson_count, total_duration_seconds = n.seconds, enrollment_count = n.enrollments
     FROM (
       SELECT c0.id, COALESCE(l.n, 0) AS lesson_count, COALESCE(l.seconds, 0) AS seconds,
              COALESCE(e.n, 0) AS enrollments
       FROM courses c0
       LEFT JOIN (SELECT course_id, count(*) AS n, sum(COALESCE(duration_seconds, 0)) AS seconds FROM lessons
                  WHERE deleted_at IS NULL GROUP BY 1) l ON l.course_id = c0.id
       LEFT JOIN (SELECT course_id, count(*) AS n FROM course_enrollments WHERE status <> 'cancelled' GROUP BY 1) e
         ON e.course_id = c0.id
     ) n
     WHERE n.id = c.id AND (c.lesson_count, c.total_duration_seconds, c.enrollment_count)
       IS DISTINCT FROM (n.lesson_count, n.seconds, n.enrollments)`,
  ],
];

/** Runs every counter update; returns the rows changed per parent table. */
export async function recomputeCounters(sql: SeedSql): Promise<Record<string, number>> {
  const changed: Record<string, number> = {};
  for (const [table, statement] of COUNTER_UPDATES) {
    const result = await sql.query(statement);
    changed[table] = result.rowCount ?? 0;
  }
  return changed;
}

/**
 * Compares the stored counters of `sample` rows per parent table (the first by id) with a recount written
 * independently of the bulk updates (correlated subqueries): returns the rows that disagree, per counter.
 */
export async function counterMismatches(sql: SeedSql, sample = 200): Promise<Record<string, number>> {
  const checks: Record<string, string> = {
    'user_profiles.follower_count': `SELECT count(*) FROM (SELECT * FROM user_profiles ORDER BY id LIMIT $1) x
      WHERE follower_count <> (SELECT count(*) FROM follows WHERE following_id = x.user_id)
         OR following_count <> (SELECT count(*) FROM follows WHERE follower_id = x.user_id)
         OR track_count <> (SELECT count(*) FROM tracks WHERE creator_id = x.user_id AND deleted_at IS NULL AND visibility = 'public')
         OR playlist_count <> (SELECT count(*) FROM playlists WHERE user_id = x.user_id AND deleted_at IS NULL AND visibility = 'public')`,
    'tracks.play_count': `SELECT count(*) FROM (SELECT * FROM tracks ORDER BY id LIMIT $1) x
      WHERE play_count <> (SELECT count(*) FROM playback_history WHERE track_id = x.id)
         OR like_count <> (SELECT count(*) FROM track_likes WHERE track_id = x.id)
         OR comment_count <> (SELECT count(*) FROM track_comments WHERE track_id = x.id AND deleted_at IS NULL AND NOT is_deleted)
         OR download_count <> (SELECT count(*) FROM track_downloads WHERE track_id = x.id)`,
    'playlists.track_count': `SELECT count(*) FROM (SELECT * FROM playlists ORDER BY id LIMIT $1) x
      WHERE track_count <> (SELECT count(*) FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id
                            WHERE pt.playlist_id = x.id AND t.deleted_at IS NULL)
         OR follower_count <> (SELECT count(*) FROM playlist_followers WHERE playlist_id = x.id)`,
    'rooms.message_count': `SELECT count(*) FROM (SELECT * FROM rooms ORDER BY id LIMIT $1) x
      WHERE message_count <> (SELECT count(*) FROM messages WHERE room_id = x.id AND deleted_at IS NULL AND NOT is_deleted)
         OR member_count <> (SELECT count(*) FROM room_members WHERE room_id = x.id AND NOT is_banned)`,
    'posts.like_count': `SELECT count(*) FROM (SELECT * FROM posts ORDER BY id LIMIT $1) x
      WHERE like_count <> (SELECT count(*) FROM post_likes WHERE post_id = x.id)
         OR comment_count <> (SELECT count(*) FROM post_comments WHERE post_id = x.id AND deleted_at IS NULL)
         OR repost_count <> (SELECT count(*) FROM posts r WHERE r.repost_of_id = x.id AND r.deleted_at IS NULL)`,
    'products.sale_count': `SELECT count(*) FROM (SELECT * FROM products ORDER BY id LIMIT $1) x
      WHERE sale_count <> (SELECT count(*) FROM order_items oi JOIN orders o ON o.id = oi.order_id
                           WHERE oi.product_id = x.id AND o.status IN ('paid', 'processing', 'completed'))
         OR favorite_count <> (SELECT count(*) FROM product_favorites WHERE product_id = x.id)
         OR review_count <> (SELECT count(*) FROM product_reviews WHERE product_id = x.id AND deleted_at IS NULL)`,
    'product_licenses.units_sold': `SELECT count(*) FROM (SELECT * FROM product_licenses ORDER BY id LIMIT $1) x
      WHERE units_sold <> (SELECT count(*) FROM order_items oi JOIN orders o ON o.id = oi.order_id
                           WHERE oi.license_id = x.id AND o.status IN ('paid', 'processing', 'completed', 'refunded'))
         OR units_reserved <> (SELECT count(*) FROM order_items oi JOIN orders o ON o.id = oi.order_id
                               WHERE oi.license_id = x.id AND o.status = 'pending')`,
    'groups.member_count': `SELECT count(*) FROM (SELECT * FROM groups ORDER BY id LIMIT $1) x
      WHERE member_count <> (SELECT count(*) FROM group_members WHERE group_id = x.id AND status = 'active')`,
    'hashtags.usage_count': `SELECT count(*) FROM (SELECT * FROM hashtags ORDER BY id LIMIT $1) x
      WHERE usage_count <> (SELECT count(*) FROM post_hashtags ph JOIN posts p ON p.id = ph.post_id
                            WHERE ph.hashtag_id = x.id AND p.deleted_at IS NULL)`,
  };
  const mismatches: Record<string, number> = {};
  for (const [counter, query] of Object.entries(checks)) {
    const {
      rows: [row],
    } = await sql.query<{ count: string }>(query, [sample]);
    mismatches[counter] = Number(row?.count ?? 0);
  }
  return mismatches;
}
