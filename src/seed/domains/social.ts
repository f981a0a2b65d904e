// Social & community (spec §9): follows and blocks, posts with their likes, comments, hashtags and reposts, groups
// with their members and posts.
import { pgArray, type Row } from '../copy-text.ts';
import { distinctPicks } from '../pick.ts';
import type { Rng } from '../random.ts';
import { copyTable, type DerivedTable, type SeedSql, type SeedTable } from '../table.ts';
import { iso, MINUTE_MS } from '../timeline.ts';
import { coprimeStride, Fanout, pickMember, streams, Timed, type Universe } from '../universe.ts';
import { HASHTAG_WORDS, paragraph, sentence, slugify, title } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { userCreated, userId, users } from './auth.ts';
import { audioFileId, personalFileId } from './files.ts';
import { tracks, VISIBILITIES } from './streaming.ts';

const S = streams(
  'follows',
  'follows.id',
  'blocks',
  'blocks.id',
  'follow_requests',
  'follow_requests.id',
  'posts',
  'posts.id',
  'posts.attr',
  'posts.row',
  'post_likes',
  'post_likes.id',
  'post_comments',
  'post_comments.id',
  'hashtags.id',
  'hashtags.attr',
  'post_hashtags',
  'post_hashtags.id',
  'groups.id',
  'groups.attr',
  'groups.row',
  'groups.name',
  'group_members.id',
  'group_posts.id',
);

function followFanout(u: Universe): Fanout {
  return u.cached('follows', () => {
    const cap = Math.min(2000, users(u).count - 1);
    return Fanout.of(u, S.follows, users(u).count, (_, rng) => rng.exponentialCount(VOLUMES.followsPerUser, cap));
  });
}

/**
 * How many each user follows: the fanout's draw, capped by the people they may follow at all (not themselves, not
 * anyone blocked either way), so that a tiny universe never asks for more distinct targets than exist.
 */
function followCounts(u: Universe): { counts: Int32Array; total: number } {
  return u.cached('follows.counts', () => {
    const fanout = followFanout(u);
    const people = users(u).count;
    const blockedOf = new Int32Array(people);
    for (const pair of blockedPairs(u)) blockedOf[Number(pair.slice(0, pair.indexOf(':')))]! += 1;
    const counts = new Int32Array(people);
    let total = 0;
    for (let user = 0; user < people; user++) {
      counts[user] = Math.min(fanout.counts[user] as number, people - 1 - (blockedOf[user] as number));
      total += counts[user] as number;
    }
    return { counts, total };
  });
}

/** Whom `follower` follows (`k` of them): the first draws after the follower's reset, so follow requests agree. */
function followTargets(u: Universe, follower: number, k: number, rng: Rng, blocked: Set<string>): number[] {
  const people = users(u);
  rng.reset(S.follows, follower);
  // half the follows go to creators, the established ones first
  return distinctPicks(
    k,
    people.count,
    rng,
    () =>
      rng.chance(0.5)
        ? pickMember(people.creators, people.timed.created, u.time.anchor, rng.next() ** 1.5)
        : people.timed.pickSkewed(u.time.anchor, rng.next(), 1.3),
    (target) => target !== follower && !blocked.has(`${follower}:${target}`),
  );
}

const follows = copyTable({
  name: 'follows',
  dependsOn: ['users'],
  columns: ['id', 'follower_id', 'following_id', 'created_at', 'updated_at'],
  count: (u) => followCounts(u).total,
  *rows(u): Iterable<Row> {
    const fanout = followFanout(u);
    const people = users(u);
    const rng = u.rng();
    const blocked = blockedPairs(u);
    for (let follower = 0; follower < people.count; follower++) {
      const k = followCounts(u).counts[follower] as number;
      if (k === 0) continue;
      const joined = userCreated(u, follower);
      const picks = followTargets(u, follower, k, rng, blocked);
      for (let j = 0; j < k; j++) {
        const row = (fanout.start[follower] as number) + j;
        const target = picks[j] as number;
        const at = iso(u.time.after(Math.max(joined, userCreated(u, target)), rng.next()));
        yield [u.id(S['follows.id'], row), userId(u, follower), userId(u, target), at, at];
      }
    }
  },
});

/** One user in FOLLOW_REQUEST_EVERY asks to follow someone they neither follow nor block (ADR 0060). */
const FOLLOW_REQUEST_EVERY = 7;

/** The pending follow requests as [requester, target] user indexes (none for someone who follows everyone). */
function followRequestPairs(u: Universe): [number, number][] {
  return u.cached('follow_requests', () => {
    const people = users(u).count;
    const rng = u.rng();
    const blocked = blockedPairs(u);
    const pairs: [number, number][] = [];
    for (let requester = 0; requester < people; requester += FOLLOW_REQUEST_EVERY) {
      const followed = new Set(followTargets(u, requester, followCounts(u).counts[requester] as number, rng, blocked));
      rng.reset(S.follow_requests, requester);
      const start = rng.int(people);
      for (let step = 0; step < people; step++) {
        const target = (start + step) % people;
        if (target === requester || followed.has(target) || blocked.has(`${requester}:${target}`)) continue;
        pairs.push([requester, target]);
        break;
      }
    }
    return pairs;
  });
}

const followRequests = copyTable({
  name: 'follow_requests',
  dependsOn: ['users'],
  columns: ['id', 'requester_id', 'target_id', 'created_at', 'updated_at'],
  count: (u) => followRequestPairs(u).length,
  *rows(u): Iterable<Row> {
    const rng = u.rng();
    let row = 0;
    for (const [requester, target] of followRequestPairs(u)) {
      rng.reset(S['follow_requests.id'], row);
      const at = iso(u.time.after(Math.max(userCreated(u, requester), userCreated(u, target)), rng.next()));
      yield [u.id(S['follow_requests.id'], row), userId(u, requester), userId(u, target), at, at];
      row++;
    }
  },
});

function blockFanout(u: Universe): Fanout {
  return u.cached('blocks', () => {
    const cap = Math.min(20, users(u).count - 1);
    return Fanout.of(u, S.blocks, users(u).count, (_, rng) => rng.exponentialCount(VOLUMES.blocksPerUser, cap));
  });
}

/** Whom `blocker` blocks: the first draws after the blocker's reset, so rows and blockedPairs agree. */
function blockedBy(people: number, blocker: number, k: number, rng: Rng): number[] {
  return distinctPicks(
    k,
    people,
    rng,
    () => rng.int(people),
    (b) => b !== blocker,
  );
}

/**
 * Every blocked pair, both ways, as `a:b` of user indexes: a follow never crosses a block (issue 15 §2: a block
 * removes follows both ways), so the follows leave these pairs out.
 */
function blockedPairs(u: Universe): Set<string> {
  return u.cached('blocks.pairs', () => {
    const fanout = blockFanout(u);
    const people = users(u).count;
    const rng = u.rng();
    const pairs = new Set<string>();
    for (let blocker = 0; blocker < people; blocker++) {
      const k = fanout.counts[blocker] as number;
      if (k === 0) continue;
      rng.reset(S.blocks, blocker);
      for (const blocked of blockedBy(people, blocker, k, rng)) {
        pairs.add(`${blocker}:${blocked}`);
        pairs.add(`${blocked}:${blocker}`);
      }
    }
    return pairs;
  });
}

const blocks = copyTable({
  name: 'blocks',
  dependsOn: ['users'],
  columns: ['id', 'blocker_id', 'blocked_id', 'reason', 'created_at', 'updated_at'],
  count: (u) => blockFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = blockFanout(u);
    const people = users(u);
    const rng = u.rng();
    for (let blocker = 0; blocker < people.count; blocker++) {
      const k = fanout.counts[blocker] as number;
      if (k === 0) continue;
      rng.reset(S.blocks, blocker);
      const picks = blockedBy(people.count, blocker, k, rng);
      for (let j = 0; j < k; j++) {
        const row = (fanout.start[blocker] as number) + j;
        const blocked = picks[j] as number;
        const at = iso(u.time.after(Math.max(userCreated(u, blocker), userCreated(u, blocked)), rng.next()));
        yield [
          u.id(S['blocks.id'], row),
          userId(u, blocker),
          userId(u, blocked),
          rng.chance(0.4) ? rng.pick(['spam', 'harassment', 'not interested']) : null,
          at,
          at,
        ];
      }
    }
  },
});

export interface Hashtags {
  count: number;
  timed: Timed;
}

function hashtags(u: Universe): Hashtags {
  return u.cached('hashtags', () => {
    const count = u.scaled(VOLUMES.hashtags, 30);
    const created = Float64Array.from({ length: count }, (_, h) =>
      u.time.entityTime((h + u.unit(S['hashtags.attr'], h)) / count),
    );
    return { count, timed: new Timed(created) };
  });
}

export interface Groups {
  count: number;
  timed: Timed;
  creator: Int32Array;
  stride: Int32Array;
  members: Fanout;
}

export function groups(u: Universe): Groups {
  return u.cached('groups', () => {
    const people = users(u);
    const count = u.scaled(VOLUMES.groups, 2);
    const created = new Float64Array(count);
    const creator = new Int32Array(count);
    const stride = new Int32Array(count);
    const memberCounts = new Uint32Array(count);
    const rng = u.rng();
    for (let g = 0; g < count; g++) {
      rng.reset(S['groups.attr'], g);
      created[g] = u.time.entityTime((g + rng.next()) / count);
      creator[g] = people.timed.pick(created[g] as number, rng.next());
      created[g] = Math.max(created[g] as number, userCreated(u, creator[g] as number) + MINUTE_MS);
      stride[g] = coprimeStride(people.count, rng.next());
      memberCounts[g] = Math.min(people.count, Math.max(1, rng.exponentialCount(VOLUMES.membersPerGroup, 5000)));
    }
    return { count, timed: new Timed(created), creator, stride, members: new Fanout(memberCounts) };
  });
}

export function groupId(u: Universe, group: number): string {
  return u.id(S['groups.id'], group);
}

export interface Posts {
  fanout: Fanout;
  owner: Int32Array;
  timed: Timed;
  visibility: Uint8Array;
  deleted: Uint8Array;
  repostOf: Int32Array;
  /** The group the post was published in, -1 for none (uq_group_posts_post_id). */
  group: Int32Array;
  hashtags: Fanout;
}

export function posts(u: Universe): Posts {
  return u.cached('posts', () => {
    const people = users(u);
    const fanout = Fanout.of(u, S.posts, people.count, (_, rng) => rng.exponentialCount(VOLUMES.postsPerUser, 1000));
    const total = fanout.total;
    const owner = new Int32Array(total);
    const created = new Float64Array(total);
    const visibility = new Uint8Array(total);
    const deleted = new Uint8Array(total);
    const rng = u.rng();
    for (let user = 0; user < people.count; user++) {
      for (let p = fanout.start[user] as number; p < (fanout.start[user + 1] as number); p++) {
        rng.reset(S['posts.attr'], p);
        owner[p] = user;
        created[p] = u.time.after(userCreated(u, user), rng.next());
        visibility[p] = rng.chance(0.9) ? 0 : rng.chance(0.5) ? 1 : 2;
        deleted[p] = rng.chance(0.02) ? 1 : 0;
      }
    }
    const timed = new Timed(created);
    const repostOf = new Int32Array(total).fill(-1);
    const group = new Int32Array(total).fill(-1);
    const all = groups(u);
    const tags = hashtags(u);
    for (let p = 0; p < total; p++) {
      rng.reset(S['posts.attr'], p + 0x4000_0000);
      const at = created[p] as number;
      if (rng.chance(0.08)) {
        const original = timed.pick(at - 1000, rng.next());
        if (original !== p && (created[original] as number) < at) repostOf[p] = original;
      }
      if (rng.chance(VOLUMES.groupPostShare)) {
        const g = all.timed.pick(at, rng.next());
        if ((all.timed.created[g] as number) <= at) group[p] = g;
      }
    }
    const tagCap = Math.min(5, Math.floor(tags.count / 2));
    const hashtagFanout = Fanout.of(u, S.post_hashtags, total, (_, r) =>
      r.exponentialCount(VOLUMES.hashtagsPerPost, tagCap),
    );
    return { fanout, owner, timed, visibility, deleted, repostOf, group, hashtags: hashtagFanout };
  });
}

export function postId(u: Universe, post: number): string {
  return u.id(S['posts.id'], post);
}

/** The hashtags of a post: distinct, among those existing when it was written, the popular ones first. */
function postTags(u: Universe, post: number): number[] {
  const all = posts(u);
  const k = all.hashtags.counts[post] as number;
  if (k === 0) return [];
  const tags = hashtags(u);
  const rng = u.rng().reset(S.post_hashtags, post);
  const at = all.timed.created[post] as number;
  return distinctPicks(k, tags.count, rng, () => tags.timed.pickSkewed(at, rng.next(), 2));
}

function tagText(h: number): string {
  const word = HASHTAG_WORDS[h % HASHTAG_WORDS.length] as string;
  return h < HASHTAG_WORDS.length ? word : `${word}${Math.floor(h / HASHTAG_WORDS.length)}`;
}

/** Each creator's first track, shared in some of their posts. */
function firstTracks(u: Universe): Int32Array {
  return u.cached('social.first_tracks', () => {
    const all = tracks(u);
    const first = new Int32Array(users(u).count).fill(-1);
    for (let t = 0; t < all.count; t++) if (first[all.creator[t] as number] === -1) first[all.creator[t] as number] = t;
    return first;
  });
}

const postsTable = copyTable({
  name: 'posts',
  dependsOn: ['users', 'files'],
  columns: [
    'id',
    'user_id',
    'content',
    'image_file_ids',
    'audio_file_id',
    'video_file_id',
    'repost_of_id',
    'visibility',
    'like_count',
    'comment_count',
    'repost_count',
    'is_pinned',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => posts(u).fanout.total,
  *rows(u): Iterable<Row> {
    const all = posts(u);
    const trackOf = firstTracks(u);
    const catalogue = tracks(u);
    const rng = u.rng();
    for (let p = 0; p < all.owner.length; p++) {
      rng.reset(S['posts.row'], p);
      const owner = all.owner[p] as number;
      const created = all.timed.created[p] as number;
      const tags = postTags(u, p).map((h) => `#${tagText(h)}`);
      const track = trackOf[owner] as number;
      const sharesTrack = track >= 0 && rng.chance(0.2) && (catalogue.timed.created[track] as number) <= created;
      const deletedAt = all.deleted[p] ? u.time.after(created, 0.5 + rng.next() / 2) : NaN;
      const images = rng.chance(0.15);
      yield [
        postId(u, p),
        userId(u, owner),
        [paragraph(rng, rng.between(1, 3)), ...tags].join(' '),
        images ? pgArray([personalFileId(u, owner, 1), personalFileId(u, owner, 2)].slice(0, 1 + rng.int(2))) : null,
        sharesTrack ? audioFileId(u, track) : null,
        null,
        (all.repostOf[p] as number) >= 0 ? postId(u, all.repostOf[p] as number) : null,
        VISIBILITIES[all.visibility[p] as number] as string,
        0,
        0,
        0,
        rng.chance(0.01),
        iso(created),
        iso(Number.isNaN(deletedAt) ? created : deletedAt),
        Number.isNaN(deletedAt) ? null : iso(deletedAt),
      ];
    }
  },
});

function postLikeFanout(u: Universe): Fanout {
  return u.cached('post_likes', () => {
    const all = posts(u);
    const cap = Math.min(500, Math.floor(users(u).count / 2));
    return Fanout.of(u, S.post_likes, all.owner.length, (_, rng) => rng.exponentialCount(VOLUMES.likesPerPost, cap));
  });
}

const postLikes = copyTable({
  name: 'post_likes',
  dependsOn: ['users', 'posts'],
  columns: ['id', 'user_id', 'post_id', 'created_at', 'updated_at'],
  count: (u) => postLikeFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = postLikeFanout(u);
    const all = posts(u);
    const people = users(u);
    const rng = u.rng();
    for (let p = 0; p < all.owner.length; p++) {
      const k = fanout.counts[p] as number;
      if (k === 0) continue;
      rng.reset(S.post_likes, p);
      const created = all.timed.created[p] as number;
      const times = Array.from({ length: k }, () => u.time.after(created, rng.next() ** 3));
      const picks = distinctPicks(k, people.count, rng, (j) => people.timed.pick(times[j] as number, rng.next()));
      for (let j = 0; j < k; j++) {
        const row = (fanout.start[p] as number) + j;
        const user = picks[j] as number;
        const at = iso(Math.max(times[j] as number, userCreated(u, user) + MINUTE_MS));
        yield [u.id(S['post_likes.id'], row), userId(u, user), postId(u, p), at, at];
      }
    }
  },
});

function postCommentFanout(u: Universe): Fanout {
  return u.cached('post_comments', () =>
    Fanout.of(u, S.post_comments, posts(u).owner.length, (_, rng) =>
      rng.exponentialCount(VOLUMES.commentsPerPost, 100),
    ),
  );
}

const postComments = copyTable({
  name: 'post_comments',
  dependsOn: ['posts', 'users'],
  columns: ['id', 'post_id', 'user_id', 'content', 'parent_comment_id', 'created_at', 'updated_at', 'deleted_at'],
  count: (u) => postCommentFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = postCommentFanout(u);
    const all = posts(u);
    const people = users(u);
    const rng = u.rng();
    for (let p = 0; p < all.owner.length; p++) {
      const k = fanout.counts[p] as number;
      const first = fanout.start[p] as number;
      const created = all.timed.created[p] as number;
      for (let j = 0; j < k; j++) {
        const row = first + j;
        rng.reset(S['post_comments.id'], row);
        const at = u.time.after(created, ((j + rng.next()) / k) ** 2);
        const deleted = rng.chance(0.02);
        const user = people.timed.pick(at, rng.next());
        const time = Math.max(at, userCreated(u, user) + MINUTE_MS);
        yield [
          u.id(S['post_comments.id'], row),
          postId(u, p),
          userId(u, user),
          sentence(rng, 1, 30),
          j > 0 && rng.chance(0.25) ? u.id(S['post_comments.id'], first + rng.int(j)) : null,
          iso(time),
          iso(deleted ? u.time.after(time, 0.5) : time),
          deleted ? iso(u.time.after(time, 0.5)) : null,
        ];
      }
    }
  },
});

const hashtagsTable = copyTable({
  name: 'hashtags',
  dependsOn: [],
  columns: ['id', 'tag', 'slug', 'usage_count', 'first_used_at', 'last_used_at', 'created_at', 'updated_at'],
  count: (u) => hashtags(u).count,
  *rows(u): Iterable<Row> {
    const all = hashtags(u);
    for (let h = 0; h < all.count; h++) {
      const at = iso(all.timed.created[h] as number);
      // usage_count and last_used_at are computed from post_hashtags after the load (counters.ts)
      yield [u.id(S['hashtags.id'], h), tagText(h), tagText(h), 0, at, at, at, at];
    }
  },
});

const postHashtags = copyTable({
  name: 'post_hashtags',
  dependsOn: ['posts', 'hashtags'],
  columns: ['id', 'post_id', 'hashtag_id', 'created_at', 'updated_at'],
  count: (u) => posts(u).hashtags.total,
  *rows(u): Iterable<Row> {
    const all = posts(u);
    const tags = hashtags(u);
    for (let p = 0; p < all.owner.length; p++) {
      const picks = postTags(u, p);
      const created = all.timed.created[p] as number;
      for (let j = 0; j < picks.length; j++) {
        const h = picks[j] as number;
        const at = iso(Math.max(created, tags.timed.created[h] as number));
        yield [
          u.id(S['post_hashtags.id'], (all.hashtags.start[p] as number) + j),
          postId(u, p),
          u.id(S['hashtags.id'], h),
          at,
          at,
        ];
      }
    }
  },
});

export function groupName(u: Universe, group: number): string {
  const rng = u.rng().reset(S['groups.name'], group);
  return `${title(rng)} ${rng.pick(['Producers', 'Collective', 'Circle', 'Society', 'Network', 'Club'])}`;
}

const groupsTable = copyTable({
  name: 'groups',
  dependsOn: ['users'],
  columns: [
    'id',
    'name',
    'slug',
    'description',
    'avatar_url',
    'banner_url',
    'group_type',
    'requires_approval',
    'creator_id',
    'member_count',
    'post_count',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => groups(u).count,
  *rows(u): Iterable<Row> {
    const all = groups(u);
    const rng = u.rng();
    for (let g = 0; g < all.count; g++) {
      rng.reset(S['groups.row'], g);
      const name = groupName(u, g);
      const privateGroup = rng.chance(0.2);
      const at = iso(all.timed.created[g] as number);
      yield [
        groupId(u, g),
        name,
        `${slugify(name)}-${g}`,
        rng.chance(0.8) ? paragraph(rng, 2) : null,
        rng.chance(0.6) ? `https://cdn.veza.example/groups/${g}.jpg` : null,
        null,
        privateGroup ? 'private' : 'public',
        privateGroup || rng.chance(0.1),
        userId(u, all.creator[g] as number),
        0,
        0,
        at,
        at,
        null,
      ];
    }
  },
});

const groupMembers = copyTable({
  name: 'group_members',
  dependsOn: ['groups', 'users'],
  columns: ['id', 'group_id', 'user_id', 'role', 'status', 'joined_at', 'approved_at', 'created_at', 'updated_at'],
  count: (u) => groups(u).members.total,
  *rows(u): Iterable<Row> {
    const all = groups(u);
    const people = users(u);
    const rng = u.rng();
    for (let g = 0; g < all.count; g++) {
      const created = all.timed.created[g] as number;
      for (let j = 0; j < (all.members.counts[g] as number); j++) {
        const row = (all.members.start[g] as number) + j;
        rng.reset(S['group_members.id'], row);
        const member = ((all.creator[g] as number) + j * (all.stride[g] as number)) % people.count;
        const joined = j === 0 ? created : u.time.after(Math.max(created, userCreated(u, member)), rng.next());
        const state = rng.next();
        const status = j === 0 || state < 0.92 ? 'active' : state < 0.97 ? 'pending' : 'banned';
        yield [
          u.id(S['group_members.id'], row),
          groupId(u, g),
          userId(u, member),
          j === 0 ? 'owner' : j === 1 ? 'admin' : j < 4 ? 'moderator' : 'member',
          status,
          iso(joined),
          status === 'pending' ? null : iso(joined),
          iso(joined),
          iso(joined),
        ];
      }
    }
  },
});

function groupPostList(u: Universe): Int32Array {
  return u.cached('group_posts', () => {
    const all = posts(u);
    const list: number[] = [];
    for (let p = 0; p < all.group.length; p++) if ((all.group[p] as number) >= 0) list.push(p);
    return Int32Array.from(list);
  });
}

const groupPosts = copyTable({
  name: 'group_posts',
  dependsOn: ['groups', 'posts'],
  columns: ['id', 'group_id', 'post_id', 'created_at', 'updated_at'],
  count: (u) => groupPostList(u).length,
  *rows(u): Iterable<Row> {
    const list = groupPostList(u);
    const all = posts(u);
    for (let r = 0; r < list.length; r++) {
      const p = list[r] as number;
      const at = iso(all.timed.created[p] as number);
      yield [u.id(S['group_posts.id'], r), groupId(u, all.group[p] as number), postId(u, p), at, at];
    }
  },
});

/**
 * The home feeds (ADR 0064): what migration 0041's triggers would have fanned out (the seed loads with triggers
 * off): each non-deleted post in its author's feed, its author's followers' and its group's active members'.
 */
const feedEntries: DerivedTable = {
  kind: 'derived',
  name: 'feed_entries',
  dependsOn: ['posts', 'follows', 'group_members', 'group_posts'],
  async derive(sql: SeedSql, u: Universe): Promise<number> {
    const result = await sql.query(
      `INSERT INTO feed_entries (id, user_id, post_id, post_created_at, created_at, updated_at)
       SELECT overlay(overlay(md5($1::text || ':feed:' || reader::text || ':' || p.id::text) placing '4' from 13)
                      placing '8' from 17)::uuid,
              reader, p.id, p.created_at, p.created_at, p.created_at
       FROM (SELECT p.user_id AS reader, p.id FROM posts p
             UNION SELECT f.follower_id, p.id FROM follows f JOIN posts p ON p.user_id = f.following_id
             UNION SELECT m.user_id, gp.post_id FROM group_members m JOIN group_posts gp ON gp.group_id = m.group_id
                   WHERE m.status = 'active') entry
       JOIN posts p ON p.id = entry.id
       WHERE p.deleted_at IS NULL`,
      [String(u.seed)],
    );
    return result.rowCount ?? 0;
  },
};

export const socialTables: SeedTable[] = [
  follows,
  followRequests,
  blocks,
  postsTable,
  postLikes,
  postComments,
  hashtagsTable,
  postHashtags,
  groupsTable,
  groupMembers,
  groupPosts,
  feedEntries,
];
