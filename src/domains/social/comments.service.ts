// Business rules of post comments (issue 15 §3; ADR 0062): threaded one level deep (a reply to a reply joins the
// top-level thread, and its parent's author is notified), 1 to 2,000 characters, edited by their author, soft
// deleted by their author or the post's author. A comment of a post the caller may not see is a 404.
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage, type PageQuery } from '../../platform/http/pagination.ts';
import { ApiError } from '../../platform/http/problem.ts';
import type { PublicName } from '../profiles/index.ts';
import * as repo from './comments.repository.ts';
import type { Comment, CreateComment } from './comments.schemas.ts';
import { PostProblems } from './posts.errors.ts';
import { findVisible, type Executor } from './posts.repository.ts';
import type { Notifier, PostsService } from './posts.service.ts';

export interface CommentsServiceDeps {
  db: Kysely<DB>;
  posts: Pick<PostsService, 'notifyCommentMentions'>;
  notifier: Notifier;
  namesOf: (db: Executor, ids: string[]) => Promise<Map<string, PublicName>>;
}

const snippetOf = (text: string) => (text.length <= 140 ? text : `${text.slice(0, 139)}…`);

export class CommentsService {
  readonly #deps: CommentsServiceDeps;

  constructor(deps: CommentsServiceDeps) {
    this.#deps = deps;
  }

  async #visiblePost(db: Executor, viewerId: string | undefined, postId: string) {
    const [post] = await findVisible(db, viewerId, [postId]);
    if (!post) throw new ApiError(PostProblems.postNotFound);
    return post;
  }

  async #views(db: Executor, rows: repo.CommentRow[]): Promise<(Comment & { position_stamp: string })[]> {
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
          post_id: row.post_id,
          author: { id: author.id, username: author.username, display_name: author.display_name },
          content: row.content,
          parent_comment_id: row.parent_comment_id,
          reply_count: row.reply_count,
          created_at: row.created_at.toISOString(),
          updated_at: row.updated_at.toISOString(),
          position_stamp: row.position_stamp,
        },
      ];
    });
  }

  async #one(db: Executor, viewerId: string | undefined, postId: string, id: string): Promise<Comment> {
    const row = await repo.findVisibleComment(db, viewerId, postId, id);
    const [view] = row ? await this.#views(db, [row]) : [];
    if (!view) throw new ApiError(PostProblems.commentNotFound);
    const { position_stamp: _stamp, ...comment } = view;
    return comment;
  }

  /** The top-level comments of a post (or the replies of one comment), oldest first. */
  async list(viewerId: string | undefined, postId: string, parentId: string | null, query: PageQuery) {
    await this.#visiblePost(this.#deps.db, viewerId, postId);
    if (parentId !== null) await this.#one(this.#deps.db, viewerId, postId, parentId);
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const rows = await repo.commentsPage(this.#deps.db, viewerId, postId, parentId, query.limit, after);
    return toPage(await this.#views(this.#deps.db, rows), query.limit);
  }

  /** The first top-level comments of a post, for the post page (the post is already known visible). */
  async first(viewerId: string | undefined, postId: string, count: number): Promise<Comment[]> {
    const rows = await repo.commentsPage(this.#deps.db, viewerId, postId, null, count, undefined);
    return (await this.#views(this.#deps.db, rows.slice(0, count))).map(
      ({ position_stamp: _s, ...comment }) => comment,
    );
  }

  async create(caller: Caller, postId: string, body: CreateComment): Promise<Comment> {
    return this.#deps.db.transaction().execute(async (tx) => {
      const post = await this.#visiblePost(tx, caller.userId, postId);
      let parent: { id: string; user_id: string; parent_comment_id: string | null } | undefined;
      if (body.parent_comment_id !== undefined) {
        const named = await repo.findVisibleComment(tx, caller.userId, postId, body.parent_comment_id);
        if (!named)
          throw new ApiError(
            PostProblems.parentCommentInvalid,
            'The parent comment is not a live comment of this post',
            [{ field: 'body.parent_comment_id', rule: 'same_post', message: 'is not a comment of this post' }],
          );
        parent = named;
      }
      const id = await repo.insertComment(tx, {
        post_id: postId,
        user_id: caller.userId,
        content: body.content,
        // One level of threads: a reply to a reply joins its top-level comment's thread.
        parent_comment_id: parent ? (parent.parent_comment_id ?? parent.id) : null,
      });
      const snippet = snippetOf(body.content);
      await this.#deps.notifier.notify(tx, {
        recipientId: post.user_id,
        actorId: caller.userId,
        type: 'comment',
        entityType: 'post',
        entityId: postId,
        snippet,
      });
      if (parent && parent.user_id !== post.user_id)
        await this.#deps.notifier.notify(tx, {
          recipientId: parent.user_id,
          actorId: caller.userId,
          type: 'comment',
          entityType: 'post_comment',
          entityId: parent.id,
          snippet,
        });
      await this.#deps.posts.notifyCommentMentions(tx, caller, postId, id, body.content);
      return this.#one(tx, caller.userId, postId, id);
    });
  }

  async edit(caller: Caller, postId: string, id: string, content: string): Promise<Comment> {
    return this.#deps.db.transaction().execute(async (tx) => {
      await this.#visiblePost(tx, caller.userId, postId);
      const comment = await repo.lockComment(tx, postId, id);
      if (!comment || !(await repo.findVisibleComment(tx, caller.userId, postId, id))) {
        if (comment?.deleted_at != null && comment.user_id === caller.userId)
          throw new ApiError(PostProblems.commentDeleted);
        throw new ApiError(PostProblems.commentNotFound);
      }
      if (comment.user_id !== caller.userId) throw new ApiError(PostProblems.notCommentAuthor);
      await repo.editComment(tx, id, content);
      return this.#one(tx, caller.userId, postId, id);
    });
  }

  /** Soft delete by the comment's author or the post's author; deleting again changes nothing. */
  async delete(caller: Caller, postId: string, id: string): Promise<void> {
    await this.#deps.db.transaction().execute(async (tx) => {
      const post = await this.#visiblePost(tx, caller.userId, postId);
      const comment = await repo.lockComment(tx, postId, id);
      if (comment && comment.deleted_at !== null && comment.user_id === caller.userId) return;
      if (!comment || !(await repo.findVisibleComment(tx, caller.userId, postId, id)))
        throw new ApiError(PostProblems.commentNotFound);
      if (comment.user_id !== caller.userId && post.user_id !== caller.userId)
        throw new ApiError(PostProblems.notCommentAuthor);
      await repo.softDeleteComment(tx, id);
    });
  }
}
