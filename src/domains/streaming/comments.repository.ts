// The SQL of track comments (issue 13 §3, ADR 0053). Rows in, rows out. tracks.comment_count is never written here:
// trg_track_comments_comment_count keeps it, counting the comments neither is_deleted nor deleted_at (ADR 0012).
//
// States of a row: live (is_deleted false, deleted_at NULL); a placeholder (is_deleted true, deleted_at NULL): a
// deleted top-level comment that replies still hang under, its words overwritten; gone (deleted_at set): shown
// nowhere, purged 30 days on by the retention job (db/table-registry.json).
import { sql, type Expression, type SqlBool } from 'kysely';
import { withActor } from '../../platform/db/actor.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import { findEngagementTrack, type EngagementTrack } from './likes.repository.ts';

export interface CommentRow {
  id: string;
  track_id: string;
  user_id: string;
  parent_comment_id: string | null;
  content: string;
  timestamp_seconds: number | null;
  is_edited: boolean;
  is_deleted: boolean;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  /** Replies neither deleted nor gone. */
  reply_count: number;
}

export type PagedCommentRow = CommentRow & { [POSITION_STAMP]: string };

/** The position of a marker in a time-range page: (timestamp_seconds, id), ascending. */
export interface MarkerPosition {
  at: number;
  id: string;
}

const COMMENT_COLUMNS = [
  'c.id',
  'c.track_id',
  'c.user_id',
  'c.parent_comment_id',
  'c.content',
  'c.timestamp_seconds',
  'c.is_edited',
  'c.is_deleted',
  'c.created_at',
  'c.updated_at',
  'c.deleted_at',
] as const;

/** Live replies of the comment `c` (idx_track_comments_parent_comment_id_created_at). */
const replyCount = sql<number>`(SELECT count(*)::int FROM track_comments r
  WHERE r.parent_comment_id = c.id AND r.deleted_at IS NULL AND NOT r.is_deleted)`;

/** `(created_at, id) > (position)`: the rows after `position` in an oldest-first page. */
function afterPosition(position: Position): Expression<SqlBool> {
  return sql<SqlBool>`(c.created_at, c.id) > (${position.createdAt}::timestamptz, ${position.id}::uuid)`;
}

export function createCommentsRepository(pool: Pool | { db: Database }) {
  const { db } = pool;
  const comments = (handle: Database) => handle.selectFrom('track_comments as c');

  return {
    findTrack: (trackId: string) => findEngagementTrack(db, trackId),

    /** One comment in any state, with its track (for the policy), or undefined. */
    async findWithTrack(id: string): Promise<{ comment: CommentRow; track: EngagementTrack } | undefined> {
      const row = await comments(db)
        .innerJoin('tracks as t', 't.id', 'c.track_id')
        .select([
          ...COMMENT_COLUMNS,
          replyCount.as('reply_count'),
          't.creator_id',
          't.visibility',
          't.published_at',
          't.deleted_at as track_deleted_at',
          't.duration',
        ])
        .where('c.id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const { creator_id, visibility, published_at, track_deleted_at, duration, ...comment } = row;
      return {
        comment,
        track: { id: comment.track_id, creator_id, visibility, published_at, deleted_at: track_deleted_at, duration },
      };
    },

    /** Runs `work` in one transaction naming the acting user (audit trail, ADR 0013). */
    inTransaction: <T>(actorId: string, work: (tx: Database) => Promise<T>): Promise<T> => withActor(db, actorId, work),

    /**
     * Reads a comment's state, locking it (FOR SHARE: a reply being written; FOR UPDATE: an edit or a deletion)
     * unless `read` (to learn its thread first: parent_comment_id never changes).
     * Replies are written under their thread's top-level comment locked FOR SHARE, deletions of any comment of a
     * thread take that top-level comment FOR UPDATE first: a reply never lands under a comment being deleted
     * unseen, and the last reply of a placeholder going retires the placeholder exactly once.
     */
    async lock(tx: Database, id: string, mode: 'read' | 'share' | 'update'): Promise<CommentRow | undefined> {
      const query = comments(tx)
        .select([...COMMENT_COLUMNS, sql<number>`0`.as('reply_count')])
        .where('c.id', '=', id);
      if (mode === 'read') return query.executeTakeFirst();
      return (mode === 'share' ? query.forShare() : query.forUpdate()).executeTakeFirst();
    },

    async insert(
      tx: Database,
      values: {
        track_id: string;
        user_id: string;
        parent_comment_id: string | null;
        content: string;
        timestamp_seconds: number | null;
      },
    ): Promise<CommentRow> {
      const row = await tx
        .insertInto('track_comments')
        .values(values)
        .returning([
          'id',
          'track_id',
          'user_id',
          'parent_comment_id',
          'content',
          'timestamp_seconds',
          'is_edited',
          'is_deleted',
          'created_at',
          'updated_at',
          'deleted_at',
        ])
        .executeTakeFirstOrThrow();
      return { ...row, reply_count: 0 };
    },

    async updateContent(tx: Database, id: string, content: string): Promise<void> {
      await tx.updateTable('track_comments').set({ content, is_edited: true }).where('id', '=', id).execute();
    },

    /** Replies of a top-level comment that are neither deleted nor gone. */
    async liveReplies(tx: Database, parentId: string): Promise<number> {
      const row = await tx
        .selectFrom('track_comments')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('parent_comment_id', '=', parentId)
        .where('deleted_at', 'is', null)
        .where('is_deleted', '=', false)
        .executeTakeFirstOrThrow();
      return row.n;
    },

    /**
     * Deletes a comment's words: the placeholder takes the place of the content (personal data minimisation), and
     * the comment either stays as a placeholder (`gone` false: replies hang under it) or is gone at once.
     */
    async softDelete(tx: Database, id: string, placeholder: string, gone: boolean): Promise<void> {
      await tx
        .updateTable('track_comments')
        .set({ content: placeholder, is_deleted: true, deleted_at: gone ? sql<Date>`now()` : null })
        .where('id', '=', id)
        .execute();
    },

    /** A placeholder whose last live reply went is gone too: nothing is left for it to hold together. */
    async retirePlaceholder(tx: Database, id: string): Promise<void> {
      await tx
        .updateTable('track_comments as c')
        .set({ deleted_at: sql<Date>`now()` })
        .where('c.id', '=', id)
        .where('c.is_deleted', '=', true)
        .where('c.deleted_at', 'is', null)
        .where(
          sql<SqlBool>`NOT EXISTS (SELECT 1 FROM track_comments r
          WHERE r.parent_comment_id = c.id AND r.deleted_at IS NULL AND NOT r.is_deleted)`,
        )
        .execute();
    },

    /**
     * A track's top-level comments shown (live or placeholders), newest or oldest first, keyset on (created_at, id)
     * (idx_track_comments_track_id_created_at). Fetches `limit + 1` rows.
     */
    async listTopLevel(
      trackId: string,
      order: 'newest' | 'oldest',
      after: Position | undefined,
      limit: number,
    ): Promise<PagedCommentRow[]> {
      let query = comments(db)
        .select([...COMMENT_COLUMNS, replyCount.as('reply_count'), positionStamp('c.created_at').as(POSITION_STAMP)])
        .where('c.track_id', '=', trackId)
        .where('c.parent_comment_id', 'is', null)
        .where('c.deleted_at', 'is', null);
      const direction = order === 'newest' ? 'desc' : 'asc';
      if (after)
        query = query.where(
          order === 'newest' ? beforePosition(after, { createdAt: 'c.created_at', id: 'c.id' }) : afterPosition(after),
        );
      return query
        .orderBy('c.created_at', direction)
        .orderBy('c.id', direction)
        .limit(pageSize(limit + 1))
        .execute();
    },

    /**
     * The replies shown under a comment, oldest first (conversation order; idx_track_comments_parent_comment_id_created_at).
     * Fetches `limit + 1` rows.
     */
    async listReplies(parentId: string, after: Position | undefined, limit: number): Promise<PagedCommentRow[]> {
      let query = comments(db)
        .select([
          ...COMMENT_COLUMNS,
          sql<number>`0`.as('reply_count'),
          positionStamp('c.created_at').as(POSITION_STAMP),
        ])
        .where('c.parent_comment_id', '=', parentId)
        .where('c.deleted_at', 'is', null);
      if (after) query = query.where(afterPosition(after));
      return query
        .orderBy('c.created_at', 'asc')
        .orderBy('c.id', 'asc')
        .limit(pageSize(limit + 1))
        .execute();
    },

    /**
     * The live comments pinned between two moments of a track, in the order of the waveform: (timestamp_seconds,
     * id) ascending (idx_track_comments_track_id_timestamp_seconds_live, migration 0034). Fetches `limit + 1` rows.
     */
    async markers(
      trackId: string,
      from: number,
      to: number,
      after: MarkerPosition | undefined,
      limit: number,
    ): Promise<CommentRow[]> {
      let query = comments(db)
        .select([...COMMENT_COLUMNS, replyCount.as('reply_count')])
        .where('c.track_id', '=', trackId)
        .where('c.timestamp_seconds', 'is not', null)
        .where('c.timestamp_seconds', '>=', from)
        .where('c.timestamp_seconds', '<=', to)
        // Constants, not parameters: the partial index's predicate must be provable from the generic plan.
        .where('c.deleted_at', 'is', null)
        .where(sql<SqlBool>`NOT c.is_deleted`);
      if (after) query = query.where(sql<SqlBool>`(c.timestamp_seconds, c.id) > (${after.at}::int, ${after.id}::uuid)`);
      return query
        .orderBy('c.timestamp_seconds', 'asc')
        .orderBy('c.id', 'asc')
        .limit(pageSize(limit + 1))
        .execute();
    },
  };
}

export type CommentsRepository = ReturnType<typeof createCommentsRepository>;
