import type { CheckCase } from './check-case.ts';

// A CHECK is evaluated before the FK triggers fire, so one unknown user on both sides
// reports the "not self" CHECK, not a FK violation.
const someone = '00000000-0000-4000-8000-000000000002';

export const socialCheckCases: CheckCase[] = [
  { table: 'follows', constraint: 'chk_follows_not_self', bad: { follower_id: someone, following_id: someone } },
  { table: 'blocks', constraint: 'chk_blocks_not_self', bad: { blocker_id: someone, blocked_id: someone } },
  {
    table: 'follow_requests',
    constraint: 'chk_follow_requests_not_self',
    bad: { requester_id: someone, target_id: someone },
  },
  { table: 'posts', constraint: 'chk_posts_content_length', bad: { content: '' } },
  { table: 'posts', constraint: 'chk_posts_content_length', bad: { content: 'x'.repeat(5001) } },
  { table: 'post_comments', constraint: 'chk_post_comments_content_length', bad: { content: '' } },
  { table: 'post_comments', constraint: 'chk_post_comments_content_length', bad: { content: 'x'.repeat(2001) } },
  // tags differing only by case pass UNIQUE (tag) but not the unique index on LOWER(tag)
  { table: 'hashtags', constraint: 'idx_hashtags_tag', first: { tag: 'LoFi' }, bad: { tag: 'lofi' } },
  { table: 'groups', constraint: 'chk_groups_group_type_valid', bad: { group_type: 'secret' } },
  { table: 'group_members', constraint: 'chk_group_members_role_valid', bad: { role: 'guest' } },
  { table: 'group_members', constraint: 'chk_group_members_status_valid', bad: { status: 'invited' } },
];
