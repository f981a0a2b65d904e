// The workloads `npm run bench` measures: the critical queries of spec §20.2 and the hot paths a client makes, each
// built by the domain's own query functions (src/domains/*/…queries.ts), so the benchmark measures the SQL the
// service issues. The same definitions drive the EXPLAIN test (test/performance/query-plans.test.ts).
import type { Compilable, Kysely } from 'kysely';
import { accountByEmail, accountByUsername, actorStatement } from '../src/domains/auth/auth.repository.ts';
import { roomMessages, sendMessage } from '../src/domains/chat/messages.queries.ts';
import { licensesOfProducts } from '../src/domains/marketplace/licenses.repository.ts';
import {
  ordersOfUser,
  placeSingleProductOrder,
  productsByCategory,
} from '../src/domains/marketplace/orders.queries.ts';
import {
  catalogueQuery,
  countProductView,
  favoriteOf,
  productById,
} from '../src/domains/marketplace/products.repository.ts';
import { notificationPageQuery, unreadCountQuery } from '../src/domains/notifications/notifications.queries.ts';
import { commentsPageQuery } from '../src/domains/social/comments.repository.ts';
import { follow, followersOf, followFeed, latestPosts } from '../src/domains/social/feed.queries.ts';
import { visiblePosts } from '../src/domains/social/posts.repository.ts';
import {
  likeTrack,
  newestTracks,
  trackComments,
  trackPage,
  tracksByCreator,
  tracksByGenre,
} from '../src/domains/streaming/tracks.queries.ts';
import type { DB } from '../src/platform/db/db.generated.ts';

/** One row of a workload's parameter sample: column name → value, as postgres.js returns them. */
export type Params = Record<string, unknown>;

export interface Workload {
  /** `<domain>.<what>`, stable: reports and charts are keyed by it. */
  name: string;
  kind: 'read' | 'write';
  /** What a client does, in a few words. */
  description: string;
  /**
   * SQL returning the parameter rows to draw from, deterministic (ordered by a hash, not random()). Each column is a
   * parameter of `statements`; every request draws one row uniformly.
   */
  sample: string;
  /** The statements of one request, in order; more than one run in one transaction. */
  statements(db: Kysely<DB>, params: Params): Compilable[];
  /** Indexes the plan must use (the EXPLAIN test); several when the query reads several tables. */
  indexes: string[];
  /** Tables whose plan may be a sequential scan because they are small at any scale (badges, say). */
  smallTables?: string[];
  /**
   * For a write that inserts one row per request under a unique key: requests take the sample's rows in turn (none
   * twice until the sample wraps, so a request is a real insert, not a conflict), and the rows a run inserted into
   * `table` are deleted after it, so each side of the benchmark inserts the same fresh rows.
   */
  fresh?: { table: string };
  /**
   * SQL run once before the sample is drawn, idempotent: makes the state a workload needs and the seed lacks (the
   * readers following 1,000 or 5,000 accounts of the feed workloads).
   */
  setup?: string;
}

const PAGE = 20;
/** Rows of the samples of the fresh-row writes: more than a run of either side inserts. */
const FRESH_PAIRS = 1_000_000;

/**
 * FRESH_PAIRS distinct pairs (left row, right row) of two id lists, spread over both, never a row with itself and
 * never an existing pair (`existing`): pair i is left[i mod L] with right[(i div L + 7919 i) mod R].
 */
function pairs(input: { left: string; right: string; names: [string, string]; existing: string }): string {
  const [a, b] = input.names;
  // Arrays indexed by position (a join on computed positions makes the planner cross the two lists); OFFSET 0 keeps
  // the subquery whole, so that only the pairs, not the arrays, travel up to the anti join and the sort.
  return `SELECT pair.${a}, pair.${b}
          FROM (SELECT l.ids[1 + g.i % cardinality(l.ids)] AS ${a},
                       r.ids[1 + ((g.i / cardinality(l.ids) + g.i::bigint * 7919) % cardinality(r.ids))::int] AS ${b},
                       g.i
                FROM (SELECT array_agg(id ORDER BY md5(id::text)) AS ids FROM (${input.left}) AS x) AS l
                CROSS JOIN (SELECT array_agg(id ORDER BY md5(id::text || 'r')) AS ids FROM (${input.right}) AS y) AS r
                CROSS JOIN generate_series(0, ${FRESH_PAIRS - 1}) AS g(i)
                OFFSET 0) AS pair
          WHERE pair.${a} <> pair.${b}
            AND NOT EXISTS (SELECT 1 FROM ${input.existing} AS existing
                            WHERE existing.${a} = pair.${a} AND existing.${b} = pair.${b})
          ORDER BY pair.i`;
}
/**
 * Sixteen readers each following `followees` accounts (all the others at a scale with fewer users): inserted once,
 * the follow trigger of migration 0041 backfilling their feeds.
 */
function feedReaders(followees: number): string {
  return `INSERT INTO follows (follower_id, following_id)
          SELECT reader.id, followee.id
          FROM (SELECT id FROM users WHERE deleted_at IS NULL ORDER BY md5(id::text || 'feed-${followees}') LIMIT 16)
               AS reader
          CROSS JOIN LATERAL (SELECT id FROM users WHERE deleted_at IS NULL AND id <> reader.id
                              ORDER BY md5(id::text || reader.id::text) LIMIT ${followees}) AS followee
          ON CONFLICT DO NOTHING`;
}
const MESSAGES_PAGE = 50;
/** The first comments of a post page (GET /v1/posts/{id}'s default `comments`). */
const POST_PAGE_COMMENTS = 10;

/**
 * Pairs (viewer_id, post_id) of a live account and a commented public post it may see (outside any group, its
 * author live with a public profile, no block either way), so that the HTTP post page answers 200; shared with
 * bench/http.ts.
 */
export const POST_PAGE_SAMPLE = `
  SELECT v.id AS viewer_id, p.id AS post_id
  FROM (SELECT p.id, p.user_id, row_number() OVER (ORDER BY md5(p.id::text)) AS k
        FROM posts p JOIN users a ON a.id = p.user_id
        WHERE p.deleted_at IS NULL AND p.visibility = 'public' AND p.comment_count > 0 AND a.deleted_at IS NULL
          AND NOT EXISTS (SELECT FROM group_posts gp WHERE gp.post_id = p.id)
          AND NOT EXISTS (SELECT FROM user_profiles pr WHERE pr.user_id = p.user_id AND pr.profile_visibility = 'private')
       ) AS p
  CROSS JOIN (SELECT count(*) AS n FROM users
              WHERE deleted_at IS NULL AND is_active AND NOT is_banned) AS live
  JOIN (SELECT id, row_number() OVER (ORDER BY md5(id::text || 'post-page')) AS k FROM users
        WHERE deleted_at IS NULL AND is_active AND NOT is_banned) AS v ON v.k = 1 + p.k % live.n
  WHERE NOT EXISTS (SELECT FROM blocks b WHERE (b.blocker_id = v.id AND b.blocked_id = p.user_id)
                                           OR (b.blocker_id = p.user_id AND b.blocked_id = v.id))
  ORDER BY md5(p.id::text) LIMIT 5000`;

/**
 * A catalogue search as a buyer of beats makes it (issue 16 §1): a genre, a price range in one currency, a bpm
 * range, on the page after a product of the catalogue (keyset). Each row is built around a beat on sale, so the
 * filters match something; shared with bench/http.ts.
 */
export const CATALOGUE_SAMPLE = `
  SELECT p.genre, p.currency, greatest(p.price - 15, 0)::numeric(10, 2) AS min_price,
         (p.price + 15)::numeric(10, 2) AS max_price, greatest(p.bpm - 15, 20) AS bpm_min,
         least(p.bpm + 15, 300) AS bpm_max,
         to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS after_published_at,
         p.id AS after_id
  FROM products p
  WHERE p.category = 'beat' AND p.status = 'active' AND p.deleted_at IS NULL AND p.published_at IS NOT NULL
    AND p.genre IS NOT NULL AND p.bpm IS NOT NULL
  ORDER BY md5(p.id::text) LIMIT 5000`;

/** Products on sale with at least one licence (the product page a buyer opens), with a viewer who is not the seller. */
export const PRODUCT_PAGE_SAMPLE = `
  SELECT v.id AS viewer_id, p.id AS product_id
  FROM (SELECT p.id, p.seller_id, row_number() OVER (ORDER BY md5(p.id::text)) AS k FROM products p
        WHERE p.status = 'active' AND p.deleted_at IS NULL
          AND EXISTS (SELECT FROM product_licenses l WHERE l.product_id = p.id AND l.deleted_at IS NULL)) AS p
  CROSS JOIN (SELECT count(*) AS n FROM users WHERE deleted_at IS NULL AND is_active AND NOT is_banned) AS live
  JOIN (SELECT id, row_number() OVER (ORDER BY md5(id::text || 'product-page')) AS k FROM users
        WHERE deleted_at IS NULL AND is_active AND NOT is_banned) AS v ON v.k = 1 + p.k % live.n
  WHERE v.id <> p.seller_id
  ORDER BY md5(p.id::text) LIMIT 5000`;
const id = (params: Params, name: string) => params[name] as string;

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'auth.user_by_email',
    kind: 'read',
    description: 'log-in lookup of an account by email',
    sample: `SELECT email FROM users WHERE deleted_at IS NULL ORDER BY md5(id::text) LIMIT 5000`,
    statements: (db, p) => [accountByEmail(db, id(p, 'email'))],
    indexes: ['idx_users_email_btree'],
  },
  {
    name: 'auth.user_by_username',
    kind: 'read',
    description: 'account by username (profile page, mentions)',
    sample: `SELECT username FROM users WHERE deleted_at IS NULL ORDER BY md5(id::text) LIMIT 5000`,
    statements: (db, p) => [accountByUsername(db, id(p, 'username'))],
    // usernames are looked up whatever their case (migration 0024)
    indexes: ['uq_users_lower_username'],
  },
  {
    name: 'streaming.tracks_by_creator',
    kind: 'read',
    description: "a creator's newest public tracks",
    sample: `SELECT creator_id FROM tracks GROUP BY creator_id ORDER BY md5(creator_id::text) LIMIT 5000`,
    statements: (db, p) => [tracksByCreator(db, id(p, 'creator_id'), PAGE)],
    indexes: ['idx_tracks_creator_id_visibility_published_at'],
  },
  {
    name: 'streaming.tracks_by_genre',
    kind: 'read',
    description: "a genre's newest public tracks",
    sample: `SELECT genre FROM tracks WHERE genre IS NOT NULL ORDER BY md5(id::text) LIMIT 5000`,
    statements: (db, p) => [tracksByGenre(db, id(p, 'genre'), PAGE)],
    indexes: ['idx_tracks_genre_visibility_published_at'],
  },
  {
    name: 'streaming.newest_tracks',
    kind: 'read',
    description: 'the newest public tracks',
    sample: `SELECT 1 AS one`,
    statements: (db) => [newestTracks(db, PAGE)],
    indexes: ['idx_tracks_published_at_desc'],
  },
  {
    name: 'streaming.track_page',
    kind: 'read',
    description: 'a track with its newest comments (two statements)',
    sample: `SELECT id AS track_id FROM tracks WHERE visibility = 'public' AND deleted_at IS NULL
             ORDER BY md5(id::text) LIMIT 5000`,
    statements: (db, p) => [trackPage(db, id(p, 'track_id')), trackComments(db, id(p, 'track_id'), PAGE)],
    indexes: ['tracks_pkey', 'idx_track_comments_track_id_created_at'],
  },
  {
    name: 'chat.room_latest_messages',
    kind: 'read',
    description: "a room's latest page of messages",
    sample: `SELECT id AS room_id FROM rooms ORDER BY md5(id::text) LIMIT 5000`,
    statements: (db, p) => [roomMessages(db, id(p, 'room_id'), null, MESSAGES_PAGE)],
    indexes: ['idx_messages_room_id_created_at'],
  },
  {
    name: 'chat.room_older_messages',
    kind: 'read',
    description: "a room's page of messages before a cursor (scrolling back)",
    sample: `SELECT room_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at, id
             FROM messages ORDER BY md5(id::text) LIMIT 5000`,
    statements: (db, p) => [
      roomMessages(db, id(p, 'room_id'), { createdAt: p.created_at as string, id: id(p, 'id') }, MESSAGES_PAGE),
    ],
    indexes: ['idx_messages_room_id_created_at'],
  },
  {
    name: 'social.follow_feed',
    kind: 'read',
    description: 'the home feed (ADR 0064): newest entries, each checked by the visibility rule',
    sample: `SELECT follower_id FROM follows GROUP BY follower_id ORDER BY md5(follower_id::text) LIMIT 5000`,
    statements: (db, p) => [followFeed(db, id(p, 'follower_id'), PAGE)],
    indexes: ['idx_feed_entries_user_id_post_created_at'],
  },
  {
    name: 'social.home_feed_10',
    kind: 'read',
    description: 'the home feed of someone following about 10 accounts',
    sample: `SELECT follower_id FROM follows GROUP BY follower_id HAVING count(*) BETWEEN 5 AND 15
             ORDER BY md5(follower_id::text) LIMIT 5000`,
    statements: (db, p) => [followFeed(db, id(p, 'follower_id'), PAGE)],
    indexes: ['idx_feed_entries_user_id_post_created_at'],
  },
  ...[1_000, 5_000].map((followees): Workload => ({
    name: `social.home_feed_${followees}`,
    kind: 'read',
    description: `the home feed of someone following ${followees.toLocaleString('en-US')} accounts (or everyone)`,
    setup: feedReaders(followees),
    sample: `SELECT id AS follower_id FROM users WHERE deleted_at IS NULL
               ORDER BY md5(id::text || 'feed-${followees}') LIMIT 16`,
    statements: (db, p) => [followFeed(db, id(p, 'follower_id'), PAGE)],
    indexes: ['idx_feed_entries_user_id_post_created_at'],
  })),
  {
    name: 'social.post_fan_out',
    kind: 'write',
    description: 'an account with 10,000 followers (or everyone) posts: its feed entries exist at commit',
    setup: `INSERT INTO follows (follower_id, following_id)
            SELECT u.id, star.id
            FROM (SELECT id FROM users WHERE deleted_at IS NULL ORDER BY md5(id::text || 'fan-out') LIMIT 1) AS star
            CROSS JOIN LATERAL (SELECT id FROM users WHERE deleted_at IS NULL AND id <> star.id
                                ORDER BY md5(id::text) LIMIT 10000) AS u
            ON CONFLICT DO NOTHING`,
    sample: `SELECT id AS user_id FROM users WHERE deleted_at IS NULL ORDER BY md5(id::text || 'fan-out') LIMIT 1`,
    statements: (db, p) => [
      db.insertInto('posts').values({ user_id: id(p, 'user_id'), content: 'a benchmark post to every follower' }),
    ],
    indexes: [],
    fresh: { table: 'posts' },
  },
  {
    name: 'social.latest_posts',
    kind: 'read',
    description: 'the newest public posts',
    sample: `SELECT 1 AS one`,
    statements: (db) => [latestPosts(db, PAGE)],
    indexes: ['idx_posts_created_at_desc'],
  },
  {
    name: 'social.followers',
    kind: 'read',
    description: "a user's newest followers",
    sample: `SELECT following_id FROM follows GROUP BY following_id ORDER BY md5(following_id::text) LIMIT 5000`,
    statements: (db, p) => [followersOf(db, id(p, 'following_id'), PAGE)],
    indexes: ['idx_follows_following_id_created_at', 'users_pkey'],
  },
  {
    name: 'social.post_page',
    kind: 'read',
    description: 'a post page: the post as the viewer may see it, then its first 10 comments (two statements)',
    sample: POST_PAGE_SAMPLE,
    statements: (db, p) => [
      visiblePosts(db, id(p, 'viewer_id')).where('posts.id', '=', id(p, 'post_id')),
      commentsPageQuery(db, id(p, 'viewer_id'), id(p, 'post_id'), null, POST_PAGE_COMMENTS, undefined),
    ],
    indexes: ['posts_pkey', 'idx_post_comments_post_id_created_at'],
  },
  {
    name: 'notifications.unread_count',
    kind: 'read',
    description: 'the unread notifications badge (issue 15 §7)',
    sample: `SELECT user_id FROM notifications GROUP BY user_id ORDER BY md5(user_id::text) LIMIT 5000`,
    statements: (db, p) => [unreadCountQuery(db, id(p, 'user_id'))],
    indexes: ['uq_notifications_user_id_type_entity_unread'],
  },
  {
    name: 'notifications.list',
    kind: 'read',
    description: "a user's latest page of notifications (issue 15 §7)",
    sample: `SELECT user_id FROM notifications GROUP BY user_id ORDER BY md5(user_id::text) LIMIT 5000`,
    statements: (db, p) => [notificationPageQuery(db, id(p, 'user_id'), { limit: PAGE, unreadOnly: false })],
    indexes: ['idx_notifications_user_id_created_at'],
  },
  {
    name: 'marketplace.products_by_category',
    kind: 'read',
    description: "a category's newest products on sale",
    sample: `SELECT DISTINCT category FROM products`,
    statements: (db, p) => [productsByCategory(db, id(p, 'category'), PAGE)],
    indexes: ['idx_products_category_status_published_at'],
  },
  {
    name: 'marketplace.catalogue_filtered',
    kind: 'read',
    description: 'the catalogue filtered by category, genre, price range and bpm, the page after a product',
    sample: CATALOGUE_SAMPLE,
    statements: (db, p) => [
      catalogueQuery(
        db,
        {
          category: 'beat',
          genre: p.genre as string,
          currency: p.currency as string,
          minPrice: p.min_price as string,
          maxPrice: p.max_price as string,
          bpmMin: p.bpm_min as number,
          bpmMax: p.bpm_max as number,
        },
        PAGE,
        { createdAt: p.after_published_at as string, id: id(p, 'after_id') },
      ),
    ],
    // with a category the planner takes (category, status, published_at) with the keyset in its condition, ANDed
    // with the price index (both plan modes, scale 0.1)
    indexes: ['idx_products_category_status_published_at'],
  },
  {
    name: 'marketplace.product_page',
    kind: 'write',
    description: 'a product page: the product, its licences, whether the viewer saved it, one more view (a write)',
    sample: PRODUCT_PAGE_SAMPLE,
    statements: (db, p) => [
      productById(db, id(p, 'product_id')),
      licensesOfProducts(db, [id(p, 'product_id')]),
      favoriteOf(db, id(p, 'viewer_id'), id(p, 'product_id')),
      countProductView(db, id(p, 'product_id')),
    ],
    indexes: ['products_pkey', 'idx_product_licenses_product_id', 'uq_product_favorites_user_product'],
  },
  {
    name: 'marketplace.orders_of_user',
    kind: 'read',
    description: "a buyer's newest orders",
    sample: `SELECT user_id FROM orders GROUP BY user_id ORDER BY md5(user_id::text) LIMIT 5000`,
    statements: (db, p) => [ordersOfUser(db, id(p, 'user_id'), PAGE)],
    indexes: ['idx_orders_user_id_created_at'],
  },
  {
    name: 'chat.send_message',
    kind: 'write',
    description: 'a member posts a message in a room',
    sample: `SELECT room_id, user_id FROM room_members WHERE NOT is_banned ORDER BY md5(id::text) LIMIT 20000`,
    statements: (db, p) => [sendMessage(db, id(p, 'room_id'), id(p, 'user_id'), 'a benchmark message')],
    indexes: [],
  },
  {
    name: 'streaming.like_track',
    kind: 'write',
    description: 'a listener likes a track (a repeat is a no-op)',
    sample: pairs({
      left: `SELECT id FROM users WHERE deleted_at IS NULL`,
      right: `SELECT id FROM tracks WHERE visibility = 'public' AND deleted_at IS NULL`,
      names: ['user_id', 'track_id'],
      existing: 'track_likes',
    }),
    statements: (db, p) => [likeTrack(db, id(p, 'user_id'), id(p, 'track_id'))],
    indexes: [],
    fresh: { table: 'track_likes' },
  },
  {
    name: 'social.follow',
    kind: 'write',
    description: 'a user follows another (a repeat is a no-op)',
    sample: pairs({
      left: `SELECT id FROM users WHERE deleted_at IS NULL`,
      right: `SELECT id FROM users WHERE deleted_at IS NULL`,
      names: ['follower_id', 'following_id'],
      existing: 'follows',
    }),
    statements: (db, p) => [follow(db, id(p, 'follower_id'), id(p, 'following_id'))],
    indexes: [],
    fresh: { table: 'follows' },
  },
  {
    name: 'marketplace.place_order',
    kind: 'write',
    description: 'a buyer orders one product (actor set for the audit trail, then one statement)',
    sample: `SELECT u.id AS buyer_id, p.id AS product_id
             FROM (SELECT id, row_number() OVER (ORDER BY md5(id::text)) AS k FROM users WHERE deleted_at IS NULL
                   LIMIT 20000) u
             JOIN (SELECT id, row_number() OVER (ORDER BY md5(id::text)) AS k FROM products
                   WHERE status = 'active' AND deleted_at IS NULL) p
               ON p.k % 50 = u.k % 50
             ORDER BY md5(u.id::text || p.id::text) LIMIT 20000`,
    statements: (db, p) => [
      actorStatement(db, id(p, 'buyer_id')),
      placeSingleProductOrder(db, id(p, 'buyer_id'), id(p, 'product_id')),
    ],
    indexes: [],
  },
];
