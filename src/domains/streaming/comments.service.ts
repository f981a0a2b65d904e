// Timestamped, threaded comments on tracks (issue 13 §3, ADR 0053): write, read by page or by time range, edit,
// delete (by the author, or in moderation by the track's creator or a moderator) keeping the thread's shape.
import type { NotificationCause } from '../notifications/index.ts';
import type { PublicName } from '../profiles/index.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { entityTag } from '../../platform/http/etag.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { commentsPolicy, type CommentSubject, type Remover } from './comments.policy.ts';
import type { CommentRow, CommentsRepository, MarkerPosition, PagedCommentRow } from './comments.repository.ts';
import {
  COMMENT_MAX_LENGTH,
  type Comment,
  type CommentCreate,
  type CommentListQuery,
  type CommentUpdate,
  type Marker,
  type MarkerQuery,
  type ReplyListQuery,
} from './comments.schemas.ts';
import type { EngagementTrack } from './likes.repository.ts';
import { StreamingProblems } from './streaming.errors.ts';
import { tracksPolicy } from './tracks.policy.ts';

export interface CommentsServiceDeps {
  repository: CommentsRepository;
  /** Public names of accounts by id (profiles domain); a missing id has no live account. */
  publicNames: (ids: Iterable<string>) => Promise<Map<string, PublicName>>;
  /** Notifications domain: tells the track's creator (or the author answered) in the comment's transaction. */
  notify?: (tx: Database, cause: NotificationCause) => Promise<void>;
}

/**
 * What a deleted comment's content becomes, in the row itself (its words are not kept: ADR 0053) and in answers.
 * Read back only from rows marked is_deleted, so a live comment saying the same words is never taken for one.
 */
export const PLACEHOLDERS: Readonly<Record<Remover, string>> = {
  author: 'This comment was deleted by its author.',
  creator: 'This comment was removed by the track’s creator.',
  moderator: 'This comment was removed by a moderator.',
};

const iso = (date: Date) => date.toISOString();

function invalid(field: string, rule: string, message: string): ApiError {
  return new ApiError(CommonProblems.validationFailed, `${field} ${message}`, [{ field, rule, message }]);
}

/** The words as stored: Unicode NFC, CRLF as LF, trimmed; blank or too long once so is a 400 on `field`. */
export function normaliseContent(content: string, field: string): string {
  const text = content.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  if (text === '') throw invalid(field, 'notBlank', 'must have more than white space');
  if ([...text].length > COMMENT_MAX_LENGTH)
    throw invalid(field, 'maxLength', `must be ${COMMENT_MAX_LENGTH} characters at most`);
  return text;
}

function removerOf(row: CommentRow): Remover | null {
  if (!row.is_deleted) return null;
  const match = (Object.keys(PLACEHOLDERS) as Remover[]).find((remover) => PLACEHOLDERS[remover] === row.content);
  return match ?? 'author';
}

/** What an If-Match on a comment is compared with: its own state, not its replies'. */
export function commentVersion(row: Pick<CommentRow, 'id' | 'content' | 'is_deleted' | 'updated_at'>) {
  return { id: row.id, content: row.content, is_deleted: row.is_deleted, updated_at: row.updated_at.toISOString() };
}

const subject = (comment: CommentRow, track: EngagementTrack): CommentSubject => ({
  user_id: comment.user_id,
  is_deleted: comment.is_deleted,
  deleted_at: comment.deleted_at,
  track,
});

interface MarkerCursor {
  at: number;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encodeMarkerCursor(position: MarkerCursor): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

function decodeMarkerCursor(cursor: string): MarkerPosition {
  const invalidCursor = () => invalid('query.cursor', 'cursor', 'is not a cursor from a previous page');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalidCursor();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0 || at > 2_147_483_647) throw invalidCursor();
  if (typeof id !== 'string' || !UUID.test(id)) throw invalidCursor();
  return { at, id };
}

export class CommentsService {
  readonly #deps: CommentsServiceDeps;

  constructor(deps: CommentsServiceDeps) {
    this.#deps = deps;
  }

  async #representations(rows: CommentRow[]): Promise<Comment[]> {
    const names = await this.#deps.publicNames(rows.filter((row) => !row.is_deleted).map((row) => row.user_id));
    return rows.map((row) => this.#representation(row, names));
  }

  #representation(row: CommentRow, names: Map<string, PublicName>): Comment {
    const author = row.is_deleted ? undefined : names.get(row.user_id);
    return {
      id: row.id,
      track_id: row.track_id,
      parent_comment_id: row.parent_comment_id,
      author: author ? { id: author.id, username: author.username, display_name: author.display_name } : null,
      content: row.content,
      timestamp_seconds: row.timestamp_seconds,
      is_edited: row.is_edited,
      is_deleted: row.is_deleted,
      removed_by: removerOf(row),
      reply_count: row.reply_count,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  async #page(rows: PagedCommentRow[], limit: number) {
    const kept = rows.slice(0, limit);
    const last = kept.at(-1);
    return {
      items: await this.#representations(kept),
      next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last.position_stamp, id: last.id }) : null,
    };
  }

  async #visibleTrack(caller: Caller | null, trackId: string): Promise<EngagementTrack> {
    const track = await this.#deps.repository.findTrack(trackId);
    authorize(tracksPolicy.mayListen(caller, track), StreamingProblems.trackNotFound);
    return track as EngagementTrack;
  }

  async #readable(caller: Caller | null, id: string) {
    const found = await this.#deps.repository.findWithTrack(id);
    authorize(
      commentsPolicy.mayRead(caller, found && subject(found.comment, found.track)),
      StreamingProblems.commentNotFound,
    );
    return found as { comment: CommentRow; track: EngagementTrack };
  }

  /** One comment (or its placeholder) with the ETag of its own state. */
  async get(caller: Caller | null, id: string): Promise<{ comment: Comment; etag: string }> {
    const { comment } = await this.#readable(caller, id);
    const [representation] = await this.#representations([comment]);
    return { comment: representation as Comment, etag: entityTag(commentVersion(comment)) };
  }

  /**
   * Writes a comment or a reply. A reply goes to its thread's top-level comment (threads are one level deep), which
   * must be on the same track and not deleted, and takes no moment of its own; a top-level comment's moment is
   * within the track, end included. Bad input is a 400 naming the field, and nothing is written.
   */
  async create(caller: Caller, trackId: string, input: CommentCreate): Promise<Comment> {
    const track = await this.#deps.repository.findTrack(trackId);
    authorize(commentsPolicy.mayComment(caller, track), StreamingProblems.trackNotFound);
    const { duration } = track as EngagementTrack;
    const content = normaliseContent(input.content, 'body.content');
    const parentId = input.parent_comment_id ?? null;
    const at = input.timestamp_seconds ?? null;
    if (parentId !== null && at !== null)
      throw invalid('body.timestamp_seconds', 'notForReplies', 'is not for replies: a reply answers its parent');
    if (at !== null && at > duration)
      throw invalid(
        'body.timestamp_seconds',
        'maximum',
        `must be at most ${duration}, the track’s duration in seconds`,
      );

    const row = await this.#deps.repository.inTransaction(caller.userId, async (tx) => {
      let threadId: string | null = null;
      let answered: { id: string; user_id: string } | null = null;
      if (parentId !== null) {
        const notHere = () => invalid('body.parent_comment_id', 'sameTrack', 'is not a comment of this track');
        // The thread's top-level comment is locked before the comment answered, as every writer does: a reply to a
        // reply and the deletion of that reply must not lock the two in opposite orders (a deadlock).
        const named = await this.#deps.repository.lock(tx, parentId, 'read');
        if (!named || named.track_id !== trackId) throw notHere();
        const thread = await this.#deps.repository.lock(tx, named.parent_comment_id ?? named.id, 'share');
        const parent =
          thread && thread.id === named.id ? thread : await this.#deps.repository.lock(tx, named.id, 'share');
        if (!thread || !parent) throw notHere();
        if (parent.is_deleted || parent.deleted_at !== null || thread.is_deleted || thread.deleted_at !== null)
          throw invalid('body.parent_comment_id', 'notDeleted', 'was deleted: its thread takes no new replies');
        threadId = thread.id;
        answered = { id: parent.id, user_id: parent.user_id };
      }
      const inserted = await this.#deps.repository.insert(tx, {
        track_id: trackId,
        user_id: caller.userId,
        parent_comment_id: threadId,
        content,
        timestamp_seconds: at,
      });
      // Issue 15 §7: a comment tells the track's creator, a reply the author of the comment it answers.
      await this.#deps.notify?.(tx, {
        recipientId: answered ? answered.user_id : (track as EngagementTrack).creator_id,
        actorId: caller.userId,
        type: 'comment',
        entityType: answered ? 'track_comment' : 'track',
        entityId: answered ? answered.id : trackId,
        snippet: content,
      });
      return inserted;
    });
    const [representation] = await this.#representations([row]);
    return representation as Comment;
  }

  async listTopLevel(caller: Caller | null, trackId: string, query: CommentListQuery) {
    await this.#visibleTrack(caller, trackId);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.#deps.repository.listTopLevel(trackId, query.order, after, query.limit);
    return this.#page(rows, query.limit);
  }

  async listReplies(caller: Caller | null, commentId: string, query: ReplyListQuery) {
    await this.#readable(caller, commentId);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.#deps.repository.listReplies(commentId, after, query.limit);
    return this.#page(rows, query.limit);
  }

  /** The live comments pinned from `from` to `to` (inclusive; to the end of the track when omitted). */
  async markers(
    caller: Caller | null,
    trackId: string,
    query: MarkerQuery,
  ): Promise<{ items: Marker[]; next_cursor: string | null }> {
    if (query.to !== undefined && query.to < query.from)
      throw invalid('query.to', 'minimum', 'must not be before `from`');
    const track = await this.#visibleTrack(caller, trackId);
    const after = query.cursor === undefined ? undefined : decodeMarkerCursor(query.cursor);
    const to = Math.min(query.to ?? track.duration, track.duration);
    const rows = await this.#deps.repository.markers(trackId, query.from, to, after, query.limit);
    const kept = rows.slice(0, query.limit);
    const names = await this.#deps.publicNames(kept.map((row) => row.user_id));
    const last = kept.at(-1);
    const items: Marker[] = [];
    for (const row of kept) {
      const author = names.get(row.user_id);
      // An author whose account is going: their comments are hidden with it (account deletion), so skip any straggler.
      if (!author || row.timestamp_seconds === null) continue;
      items.push({
        id: row.id,
        timestamp_seconds: row.timestamp_seconds,
        author: { id: author.id, username: author.username, display_name: author.display_name },
        content: row.content,
        reply_count: row.reply_count,
        created_at: iso(row.created_at),
      });
    }
    return {
      items,
      next_cursor:
        rows.length > query.limit && last && last.timestamp_seconds !== null
          ? encodeMarkerCursor({ at: last.timestamp_seconds, id: last.id })
          : null,
    };
  }

  /**
   * The author changes the words: is_edited becomes true (unless the words are the same). With `precondition`
   * (If-Match), the comment as it is, locked, must still be the one the caller read: else 412 and no change.
   */
  async edit(
    caller: Caller,
    id: string,
    input: CommentUpdate,
    precondition?: (current: unknown) => void,
  ): Promise<{ comment: Comment; etag: string }> {
    const found = await this.#deps.repository.findWithTrack(id);
    authorize(
      commentsPolicy.mayEdit(caller, found && subject(found.comment, found.track)),
      StreamingProblems.commentNotFound,
    );
    const content = normaliseContent(input.content, 'body.content');
    await this.#deps.repository.inTransaction(caller.userId, async (tx) => {
      const current = await this.#deps.repository.lock(tx, id, 'update');
      // Deleted since it was read: as if it never existed.
      if (!current || current.is_deleted || current.deleted_at !== null)
        throw new ApiError(StreamingProblems.commentNotFound, 'No such comment');
      precondition?.(commentVersion(current));
      if (current.content !== content) await this.#deps.repository.updateContent(tx, id, content);
    });
    return this.get(caller, id);
  }

  /**
   * Deletes a comment (its author) or removes it (the track's creator, a moderator): its words are overwritten by
   * a placeholder. A top-level comment with live replies stays in the list as that placeholder, its replies still
   * reachable; without replies, and for a reply, it is gone at once. The last reply going under a placeholder takes
   * the placeholder with it. Answers who removed it.
   */
  async delete(caller: Caller, id: string): Promise<void> {
    const found = await this.#deps.repository.findWithTrack(id);
    const target = found && subject(found.comment, found.track);
    authorize(commentsPolicy.mayDelete(caller, target), StreamingProblems.commentNotFound);
    const { comment } = found as { comment: CommentRow; track: EngagementTrack };
    const remover = commentsPolicy.remover(caller, target as CommentSubject);
    const repository = this.#deps.repository;
    await repository.inTransaction(caller.userId, async (tx) => {
      // The thread's top-level comment first, then the comment itself (the lock order of every writer).
      const threadId = comment.parent_comment_id;
      if (threadId !== null) await repository.lock(tx, threadId, 'update');
      const current = await repository.lock(tx, id, 'update');
      if (!current || current.is_deleted || current.deleted_at !== null)
        throw new ApiError(StreamingProblems.commentNotFound, 'No such comment');
      const gone = threadId !== null || (await repository.liveReplies(tx, id)) === 0;
      await repository.softDelete(tx, id, PLACEHOLDERS[remover], gone);
      if (threadId !== null) await repository.retirePlaceholder(tx, threadId);
    });
  }
}
