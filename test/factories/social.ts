import type { Factory } from './insert-row.ts';
import { insertRow, parentId, uniqueToken } from './insert-row.ts';
import { authFactories } from './auth.ts';

const posts: Factory = async (sql, o = {}) =>
  insertRow(sql, 'posts', {
    user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
    content: `Post ${uniqueToken()}`,
    ...o,
  });

const hashtags: Factory = (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'hashtags', { tag: `tag${token}`, slug: `tag-${token}`, ...o });
};

const groups: Factory = async (sql, o = {}) => {
  const token = uniqueToken();
  return insertRow(sql, 'groups', {
    creator_id: await parentId(o, 'creator_id', () => authFactories.users(sql)),
    name: `Group ${token}`,
    slug: `group-${token}`,
    ...o,
  });
};

export const socialFactories = {
  follows: async (sql, o = {}) =>
    insertRow(sql, 'follows', {
      follower_id: await parentId(o, 'follower_id', () => authFactories.users(sql)),
      following_id: await parentId(o, 'following_id', () => authFactories.users(sql)),
      ...o,
    }),
  blocks: async (sql, o = {}) =>
    insertRow(sql, 'blocks', {
      blocker_id: await parentId(o, 'blocker_id', () => authFactories.users(sql)),
      blocked_id: await parentId(o, 'blocked_id', () => authFactories.users(sql)),
      ...o,
    }),
  follow_requests: async (sql, o = {}) =>
    insertRow(sql, 'follow_requests', {
      requester_id: await parentId(o, 'requester_id', () => authFactories.users(sql)),
      target_id: await parentId(o, 'target_id', () => authFactories.users(sql)),
      ...o,
    }),
  posts,
  post_likes: async (sql, o = {}) =>
    insertRow(sql, 'post_likes', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      post_id: await parentId(o, 'post_id', () => posts(sql)),
      ...o,
    }),
  post_comments: async (sql, o = {}) =>
    insertRow(sql, 'post_comments', {
      post_id: await parentId(o, 'post_id', () => posts(sql)),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      content: `Comment ${uniqueToken()}`,
      ...o,
    }),
  hashtags,
  post_hashtags: async (sql, o = {}) =>
    insertRow(sql, 'post_hashtags', {
      post_id: await parentId(o, 'post_id', () => posts(sql)),
      hashtag_id: await parentId(o, 'hashtag_id', () => hashtags(sql)),
      ...o,
    }),
  groups,
  group_members: async (sql, o = {}) =>
    insertRow(sql, 'group_members', {
      group_id: await parentId(o, 'group_id', () => groups(sql)),
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      ...o,
    }),
  group_posts: async (sql, o = {}) =>
    insertRow(sql, 'group_posts', {
      group_id: await parentId(o, 'group_id', () => groups(sql)),
      post_id: await parentId(o, 'post_id', () => posts(sql)),
      ...o,
    }),
  // A reader's entry for someone else's post (the post's own trigger already put it in its author's feed).
  feed_entries: async (sql, o = {}) =>
    insertRow(sql, 'feed_entries', {
      user_id: await parentId(o, 'user_id', () => authFactories.users(sql)),
      post_id: await parentId(o, 'post_id', () => posts(sql)),
      post_created_at: new Date(),
      ...o,
    }),
} satisfies Record<string, Factory>;
