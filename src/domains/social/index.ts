// The social domain (spec §9 Social & Community). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0007). */
export const socialTables = [
  'follows',
  'blocks',
  'posts',
  'post_likes',
  'post_comments',
  'hashtags',
  'post_hashtags',
  'groups',
  'group_members',
  'group_posts',
] as const;

export { blockedAmong, blockedEitherWayBy, isBlockedEitherWay, visibleDespiteBlocks } from './blocks.repository.ts';
