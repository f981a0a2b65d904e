// THE rule of who may see a post (issue 15 shared rules 1-4; ADR 0062): one SQL condition used by every read path
// of posts — post page, profile posts, hashtag pages, comments, likers, reposts, attachments, the home feed and
// group pages. Lists that must never show unlisted posts (hashtag pages, public lists) add
// `visibility <> 'unlisted'` themselves: unlisted is a listing rule, not an access rule.
import { sql, type RawBuilder } from 'kysely';
import { visibleDespiteBlocks } from './blocks.repository.ts';

/**
 * An SQL condition, true when the post row `postAlias` may be shown to `viewerId` (undefined: anonymous):
 *
 * - the post is not soft-deleted and its author's account is not deleted;
 * - neither the viewer nor the author blocked the other (visibleDespiteBlocks, rule 3);
 * - a post published in a group (group_posts) follows the group: in a private group only its active members see
 *   it, whatever the post's visibility; a deleted group hides its posts;
 * - otherwise the author always sees their post; others see it when the author's profile is not private or they
 *   follow the author (rule 1: follows rows are accepted follows), and when the post is public or unlisted, or
 *   private and they follow the author (rule 2).
 *
 * user_profiles belongs to the profiles domain; its privacy is read here (and only here) because the rule must be
 * one condition of the reading query (ADR 0062).
 *
 *   .where(postVisibleTo(caller?.userId, 'posts'))
 */
export function postVisibleTo(viewerId: string | undefined, postAlias = 'posts'): RawBuilder<boolean> {
  const id = sql.ref(`${postAlias}.id`);
  const author = sql.ref(`${postAlias}.user_id`);
  const visibility = sql.ref(`${postAlias}.visibility`);
  const deletedAt = sql.ref(`${postAlias}.deleted_at`);
  const viewer = viewerId === undefined ? sql`NULL::uuid` : sql`${viewerId}::uuid`;
  // OFFSET 0 keeps this a probe of uq_follows_follower_following per post. Without it, the generic plan of a
  // prepared statement (plan_cache_mode = force_generic_plan, ADR 0026) turned it into a hash of the viewer's whole
  // follow list, built on every execution: 1.5 ms before the first row of the home feed of someone following
  // 5,000 accounts, 2.3 ms per page against 0.8 ms with the probe (docs/benchmarks.md, scale 0.1).
  const viewerFollowsAuthor =
    viewerId === undefined
      ? sql`FALSE`
      : sql`EXISTS (SELECT FROM follows pv_f
                    WHERE pv_f.follower_id = ${viewer} AND pv_f.following_id = ${author} OFFSET 0)`;
  // Rules 1 and 2, for a post outside a group or in a public group.
  const authorRules = sql`(${author} = ${viewer} OR ((
      NOT EXISTS (SELECT FROM user_profiles pv_p WHERE pv_p.user_id = ${author} AND pv_p.profile_visibility = 'private')
      OR ${viewerFollowsAuthor})
    AND (${visibility} IN ('public', 'unlisted') OR ${viewerFollowsAuthor})))`;
  return sql<boolean>`(
    ${deletedAt} IS NULL
    AND EXISTS (SELECT FROM users pv_u WHERE pv_u.id = ${author} AND pv_u.deleted_at IS NULL)
    AND ${visibleDespiteBlocks(viewerId, `${postAlias}.user_id`)}
    AND CASE
      WHEN EXISTS (SELECT FROM group_posts pv_gp WHERE pv_gp.post_id = ${id}) THEN EXISTS (
        SELECT FROM group_posts pv_gp
        JOIN groups pv_g ON pv_g.id = pv_gp.group_id
        WHERE pv_gp.post_id = ${id}
          AND pv_g.deleted_at IS NULL
          AND CASE WHEN pv_g.group_type = 'private'
            THEN EXISTS (SELECT FROM group_members pv_m
                         WHERE pv_m.group_id = pv_g.id AND pv_m.user_id = ${viewer} AND pv_m.status = 'active')
            ELSE ${authorRules} END IS TRUE)
      ELSE ${authorRules}
    END IS TRUE
  )`;
}

/**
 * Whether the post `postAlias` may be listed in public lists (hashtag pages, discovery): visible to the viewer
 * (postVisibleTo) and not unlisted (rule 2).
 */
export function postListedTo(viewerId: string | undefined, postAlias = 'posts'): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${postAlias}.visibility`)} <> 'unlisted' AND ${postVisibleTo(viewerId, postAlias)})`;
}
