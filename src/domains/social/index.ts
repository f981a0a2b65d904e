// The social domain (spec §9 Social & Community). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0007). */
export const socialTables = [
  'follows',
  'follow_requests',
  'blocks',
  'posts',
  'post_likes',
  'post_comments',
  'hashtags',
  'post_hashtags',
  'groups',
  'group_members',
  'group_posts',
  'feed_entries',
] as const;

export { blockedAmong, blockedEitherWayBy, isBlockedEitherWay, visibleDespiteBlocks } from './blocks.repository.ts';
export { postListedTo, postVisibleTo } from './post-visibility.ts';
export { socialModule } from './social.module.ts';
export { blockAndFollowBetween } from './follows.repository.ts';
export { groupModeration, postCommentModeration, postModeration } from './social-moderation.ts';
