// Business rules of posts, reposts, likes, pins and attachments (issue 15 §3; ADR 0062). Who sees a post is
// postVisibleTo's answer (post-visibility.ts): a post the caller may not see is a 404 POST_NOT_FOUND, whatever
// the route, so that a blocked person cannot tell a block from a missing post.
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage, type PageQuery } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems, type ProblemType } from '../../platform/http/problem.ts';
import type { DeliveryAnswer, FilesBridge, GrantedDelivery } from '../files/index.ts';
import type { NotificationCause } from '../notifications/index.ts';
import type { PublicName } from '../profiles/index.ts';
import { isBlockedEitherWay } from './blocks.repository.ts';
import type { Comment } from './comments.schemas.ts';
import { PostProblems } from './posts.errors.ts';
import * as repo from './posts.repository.ts';
import { MAX_PINNED, type CreatePost, type EditPost, type Post, type PostCard, type Repost } from './posts.schemas.ts';
import { MAX_HASHTAGS_PER_POST, mentionedUsernames, parseHashtags } from './posts.text.ts';

type Executor = repo.Executor;

export interface Notifier {
  notify(db: Executor, cause: NotificationCause): Promise<void>;
  retract(db: Executor, cause: NotificationCause): Promise<void>;
}

export interface PostsServiceDeps {
  db: Kysely<DB>;
  files: Pick<FilesBridge, 'findFile' | 'deliver'>;
  notifier: Notifier;
  /** Public names of live accounts, by id (profiles' publicNamesOf). */
  namesOf: (db: Executor, ids: string[]) => Promise<Map<string, PublicName>>;
  /** Live accounts by username (profiles' accountsNamed). */
  accountsNamed: (db: Executor, usernames: string[]) => Promise<PublicName[]>;
  /** The first top-level comments of a post the viewer may see (comments.service.ts). */
  firstComments?: (viewerId: string | undefined, postId: string, count: number) => Promise<Comment[]>;
}

function fieldError(type: ProblemType, detail: string, field: string, rule: string, message = detail): ApiError {
  return new ApiError(type, detail, [{ field, rule, message }]);
}

const snippetOf = (text: string) => (text.length <= 140 ? text : `${text.slice(0, 139)}…`);

/** The hashtags of a text, refused beyond the limits (ADR 0063). */
export function hashtagsOf(text: string, field = 'body.content') {
  const parsed = parseHashtags(text);
  if (parsed.tooLong !== undefined)
    throw fieldError(
      PostProblems.hashtagTooLong,
      `The hashtag #${parsed.tooLong.slice(0, 20)}… is longer than 100 characters`,
      field,
      'hashtag_length',
      'has a hashtag longer than 100 characters',
    );
  if (parsed.tags.length > MAX_HASHTAGS_PER_POST)
    throw fieldError(
      PostProblems.tooManyHashtags,
      `A post carries at most ${MAX_HASHTAGS_PER_POST} hashtags; this one has ${parsed.tags.length}`,
      field,
      'hashtag_count',
      `has more than ${MAX_HASHTAGS_PER_POST} hashtags`,
    );
  return parsed.tags;
}

export class PostsService {
  readonly #deps: PostsServiceDeps;

  constructor(deps: PostsServiceDeps) {
    this.#deps = deps;
  }

  /** Cards of rows already filtered by visibility, with their authors; rows of vanished authors are left out. */
  async cards(db: Executor, rows: repo.PostRow[]): Promise<(PostCard & { stamp: string })[]> {
    const names = await this.#deps.namesOf(
      db,
      rows.map((row) => row.user_id),
    );
    return rows.flatMap((row) => {
      const author = names.get(row.user_id);
      if (!author) return [];
      return [
        {
          id: row.id,
          author: { id: author.id, username: author.username, display_name: author.display_name },
          content: row.content,
          visibility: row.visibility,
          image_file_ids: row.image_file_ids ?? [],
          audio_file_id: row.audio_file_id,
          video_file_id: row.video_file_id,
          repost_of_id: row.repost_of_id,
          group_id: row.group_id,
          hashtags: row.hashtags,
          like_count: row.like_count,
          comment_count: row.comment_count,
          repost_count: row.repost_count,
          is_pinned: row.is_pinned,
          liked_by_me: row.liked_by_me,
          created_at: row.created_at.toISOString(),
          stamp: row.position_stamp,
        },
      ];
    });
  }

  /** Posts with their reposted originals (null when the viewer may not see the original). */
  async views(db: Executor, viewerId: string | undefined, rows: repo.PostRow[]): Promise<(Post & { stamp: string })[]> {
    const cards = await this.cards(db, rows);
    const originalIds = [...new Set(cards.flatMap((card) => (card.repost_of_id ? [card.repost_of_id] : [])))];
    const originals = new Map(
      (await this.cards(db, await repo.findVisible(db, viewerId, originalIds))).map(({ stamp: _s, ...card }) => [
        card.id,
        card,
      ]),
    );
    return cards.map((card) => ({
      ...card,
      repost_of: card.repost_of_id ? (originals.get(card.repost_of_id) ?? null) : null,
    }));
  }

  async #one(db: Executor, viewerId: string | undefined, id: string): Promise<Post> {
    const [row] = await repo.findVisible(db, viewerId, [id]);
    const [view] = row ? await this.views(db, viewerId, [row]) : [];
    if (!view) throw new ApiError(PostProblems.postNotFound);
    const { stamp: _stamp, ...post } = view;
    return post;
  }

  /** The post as the viewer may see it (404 otherwise). */
  get(viewerId: string | undefined, id: string): Promise<Post> {
    return this.#one(this.#deps.db, viewerId, id);
  }

  /** The post page: the post, its counts, liked_by_me and its first comments. */
  async page(viewerId: string | undefined, id: string, comments: number) {
    const post = await this.get(viewerId, id);
    const first =
      comments > 0 && this.#deps.firstComments ? await this.#deps.firstComments(viewerId, id, comments) : [];
    return { ...post, first_comments: first };
  }

  async #attachments(caller: Caller, body: CreatePost): Promise<void> {
    const wanted: { id: string; kind: 'image' | 'audio' | 'video'; field: string }[] = [
      ...(body.image_file_ids ?? []).map((id, i) => ({
        id,
        kind: 'image' as const,
        field: `body.image_file_ids.${i}`,
      })),
      ...(body.audio_file_id ? [{ id: body.audio_file_id, kind: 'audio' as const, field: 'body.audio_file_id' }] : []),
      ...(body.video_file_id ? [{ id: body.video_file_id, kind: 'video' as const, field: 'body.video_file_id' }] : []),
    ];
    for (const { id, kind, field } of wanted) {
      const file = await this.#deps.files.findFile(id);
      const unusable = (rule: string, message: string) =>
        fieldError(PostProblems.attachmentUnusable, `The file ${message}`, field, rule, message);
      if (!file || file.deleted || file.user_id !== caller.userId) throw unusable('owned', 'is not one of your files');
      if (file.derived_from !== null) throw unusable('original', 'is derived from another file');
      if (file.processing === 'quarantined' || !file.cleared)
        throw unusable('clean', 'has not been cleared by the virus scanner');
      if (file.processing !== 'processed') throw unusable('processed', 'is not processed yet');
      if (file.mime_type.split('/')[0]?.toLowerCase() !== kind)
        throw unusable('kind', `is not ${kind === 'image' ? 'an image' : `a ${kind}`}`);
    }
  }

  /** Notifies the accounts a text mentions who may see the post (ADR 0062: blocked pairs silently skipped). */
  async #notifyMentions(
    tx: Executor,
    caller: Caller,
    postId: string,
    text: string,
    entity: { type: 'post' | 'post_comment'; id: string },
  ): Promise<void> {
    const names = mentionedUsernames(text);
    if (names.length === 0) return;
    for (const account of await this.#deps.accountsNamed(tx, names)) {
      if (account.id === caller.userId) continue;
      // A mention never tells someone of a post they may not read.
      if ((await repo.findVisible(tx, account.id, [postId])).length === 0) continue;
      await this.#deps.notifier.notify(tx, {
        recipientId: account.id,
        actorId: caller.userId,
        type: 'mention',
        entityType: entity.type,
        entityId: entity.id,
        snippet: snippetOf(text),
      });
    }
  }

  /** Mentions of a comment (comments.service.ts), with the same rule as a post's. */
  notifyCommentMentions(tx: Executor, caller: Caller, postId: string, commentId: string, text: string) {
    return this.#notifyMentions(tx, caller, postId, text, { type: 'post_comment', id: commentId });
  }

  async create(caller: Caller, body: CreatePost): Promise<Post> {
    const tags = hashtagsOf(body.content);
    await this.#attachments(caller, body);
    return this.#deps.db.transaction().execute(async (tx) => {
      if (body.group_id !== undefined && !(await repo.isActiveGroupMember(tx, body.group_id, caller.userId)))
        throw fieldError(
          PostProblems.groupNotWritable,
          'You are not an active member of this group',
          'body.group_id',
          'member',
          'is not a group you are an active member of',
        );
      const id = await repo.insertPost(tx, {
        user_id: caller.userId,
        content: body.content,
        visibility: body.visibility ?? 'public',
        image_file_ids: body.image_file_ids && body.image_file_ids.length > 0 ? body.image_file_ids : null,
        audio_file_id: body.audio_file_id ?? null,
        video_file_id: body.video_file_id ?? null,
        repost_of_id: null,
      });
      if (body.group_id !== undefined) await repo.insertGroupPost(tx, body.group_id, id);
      await repo.setPostHashtags(tx, id, tags);
      await this.#notifyMentions(tx, caller, id, body.content, { type: 'post', id });
      return this.#one(tx, caller.userId, id);
    });
  }

  /** Edits content and/or visibility; last write wins; hashtags follow the new text exactly. */
  async edit(caller: Caller, id: string, body: EditPost): Promise<Post> {
    const tags = body.content !== undefined ? hashtagsOf(body.content) : undefined;
    return this.#deps.db.transaction().execute(async (tx) => {
      const post = await this.#ownLive(tx, caller, id);
      if (post.repost_of_id !== null && post.content === '' && body.content !== undefined)
        throw fieldError(
          CommonProblems.validationFailed,
          'A plain repost has no text to edit',
          'body.content',
          'repost',
          'cannot be set on a plain repost',
        );
      await repo.updatePost(tx, id, {
        ...(body.content !== undefined ? { content: body.content } : {}),
        ...(body.visibility !== undefined ? { visibility: body.visibility } : {}),
      });
      if (tags !== undefined) await repo.setPostHashtags(tx, id, tags);
      return this.#one(tx, caller.userId, id);
    });
  }

  /** The caller's own live post, locked; another's visible post is 403, an invisible one 404. */
  async #ownLive(tx: Executor, caller: Caller, id: string) {
    const post = await repo.lockPost(tx, id);
    if (!post || post.deleted_at !== null) throw new ApiError(PostProblems.postNotFound);
    if (post.user_id !== caller.userId) {
      if ((await repo.findVisible(tx, caller.userId, [id])).length === 0) throw new ApiError(PostProblems.postNotFound);
      throw new ApiError(PostProblems.notAuthor);
    }
    return post;
  }

  /** Soft delete by the author; deleting again changes nothing (204 both times). */
  async delete(caller: Caller, id: string): Promise<void> {
    await this.#deps.db.transaction().execute(async (tx) => {
      const post = await repo.lockPost(tx, id);
      if (post?.deleted_at !== null && post?.user_id === caller.userId) return;
      await this.#ownLive(tx, caller, id);
      await repo.softDeletePost(tx, id);
    });
  }

  async setPinned(caller: Caller, id: string, pinned: boolean): Promise<Post> {
    return this.#deps.db.transaction().execute(async (tx) => {
      await repo.lockAuthorPins(tx, caller.userId);
      const post = await this.#ownLive(tx, caller, id);
      if (pinned && !post.is_pinned && (await repo.countPinned(tx, caller.userId)) >= MAX_PINNED)
        throw new ApiError(PostProblems.tooManyPinned, `At most ${MAX_PINNED} pinned posts: unpin one first`);
      if (post.is_pinned !== pinned) await repo.setPinned(tx, id, pinned);
      return this.#one(tx, caller.userId, id);
    });
  }

  /** A user's posts, newest first; the first page also gives their pinned posts. */
  async profile(viewerId: string | undefined, username: string, query: PageQuery) {
    const [account] = await this.#deps.accountsNamed(this.#deps.db, [username]);
    const userId = account?.id ?? '';
    if (!account || !(await this.#notBlocked(viewerId, userId)))
      throw new ApiError(CommonProblems.notFound, 'No such user');
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const pinned =
      after === undefined
        ? await this.views(this.#deps.db, viewerId, await repo.pinnedPosts(this.#deps.db, viewerId, userId))
        : [];
    const rows = await repo.profilePosts(this.#deps.db, viewerId, userId, query.limit, after);
    const page = toPage(
      (await this.views(this.#deps.db, viewerId, rows)).map(({ stamp, ...post }) => ({
        ...post,
        position_stamp: stamp,
      })),
      query.limit,
    );
    return { pinned: pinned.map(({ stamp: _s, ...post }) => post), ...page };
  }

  async #notBlocked(viewerId: string | undefined, userId: string): Promise<boolean> {
    if (viewerId === undefined || viewerId === userId) return true;
    return !(await isBlockedEitherWay(this.#deps.db, viewerId, userId));
  }

  /**
   * Reposts a post the caller may see and share (ADR 0062): public or unlisted, of a profile that is not private,
   * outside private groups. A plain repost of a plain repost reposts its original. Reposting again answers the
   * existing repost (created: false).
   */
  async repost(caller: Caller, id: string, body: Repost): Promise<{ post: Post; created: boolean }> {
    return this.#deps.db.transaction().execute(async (tx) => {
      let [original] = await repo.findVisible(tx, caller.userId, [id]);
      if (!original) throw new ApiError(PostProblems.postNotFound);
      if (original.repost_of_id !== null && original.content === '') {
        [original] = await repo.findVisible(tx, caller.userId, [original.repost_of_id]);
        if (!original) throw new ApiError(PostProblems.postNotFound);
      }
      const target = original;
      // Holds the original against a concurrent change of visibility and serialises the caller's reposts of it.
      await repo.lockPost(tx, target.id);
      if (
        target.visibility === 'private' ||
        (target.group_id !== null && (await repo.inPrivateGroup(tx, target.id))) ||
        (await repo.profileIsPrivate(tx, target.user_id))
      )
        throw new ApiError(
          PostProblems.notShareable,
          'Only public or unlisted posts of public profiles, outside private groups, may be reposted',
        );
      if (body.content === undefined) {
        const existing = await repo.findRepost(tx, caller.userId, target.id);
        if (existing) return { post: await this.#one(tx, caller.userId, existing.id), created: false };
      }
      const tags = body.content !== undefined ? hashtagsOf(body.content) : [];
      const newId = await repo.insertPost(tx, {
        user_id: caller.userId,
        content: body.content ?? '',
        visibility: 'public',
        image_file_ids: null,
        audio_file_id: null,
        video_file_id: null,
        repost_of_id: target.id,
      });
      await repo.setPostHashtags(tx, newId, tags);
      if (body.content !== undefined)
        await this.#notifyMentions(tx, caller, newId, body.content, { type: 'post', id: newId });
      return { post: await this.#one(tx, caller.userId, newId), created: true };
    });
  }

  /** Takes back the caller's plain repost(s) of a post (idempotent). */
  async unrepost(caller: Caller, id: string): Promise<void> {
    await this.#deps.db.transaction().execute(async (tx) => {
      const existing = await repo.findRepost(tx, caller.userId, id);
      if (existing) await repo.softDeletePost(tx, existing.id);
    });
  }

  /** Likes (or unlikes) a post the caller may see; idempotent; the author is notified (grouped) or retracted. */
  async setLiked(caller: Caller, id: string, liked: boolean): Promise<{ liked: boolean; like_count: number }> {
    return this.#deps.db.transaction().execute(async (tx) => {
      const [post] = await repo.findVisible(tx, caller.userId, [id]);
      if (!post) throw new ApiError(PostProblems.postNotFound);
      const cause: NotificationCause = {
        recipientId: post.user_id,
        actorId: caller.userId,
        type: 'like',
        entityType: 'post',
        entityId: id,
      };
      if (liked) {
        if (await repo.like(tx, caller.userId, id)) await this.#deps.notifier.notify(tx, cause);
      } else if (await repo.unlike(tx, caller.userId, id)) {
        await this.#deps.notifier.retract(tx, cause);
      }
      return { liked, like_count: await repo.likeCount(tx, id) };
    });
  }

  async likers(viewerId: string | undefined, id: string, query: PageQuery) {
    await this.get(viewerId, id);
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const rows = await repo.likers(this.#deps.db, viewerId, id, query.limit, after);
    const names = await this.#deps.namesOf(
      this.#deps.db,
      rows.map((row) => row.user_id),
    );
    const page = toPage(rows, query.limit);
    return {
      items: page.items.flatMap((row) => {
        const user = names.get(row.user_id);
        return user ? [{ id: row.id, user, liked_at: row.created_at.toISOString() }] : [];
      }),
      next_cursor: page.next_cursor,
    };
  }

  /** The bytes of one of the post's attachments, for whoever may see the post. */
  async attachment(
    caller: Caller | null,
    id: string,
    fileId: string,
    request: Pick<GrantedDelivery, 'headers' | 'headOnly'>,
  ): Promise<DeliveryAnswer> {
    const post = await this.get(caller?.userId, id);
    const attached = [...post.image_file_ids, post.audio_file_id, post.video_file_id].includes(fileId);
    if (!attached) throw new ApiError(PostProblems.attachmentNotFound);
    return this.#deps.files.deliver({
      caller,
      fileId,
      grant: { rule: 'post', open: true, shareable: false },
      headers: request.headers,
      headOnly: request.headOnly,
    });
  }
}
