// Every SQL statement of moderation reports and actions (issue 18 §11-12, ADR 0095). Rows out, never HTTP shapes.
import { sql, type Expression, type SqlBool, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { withActor } from '../../platform/db/actor.ts';
import type { Database } from '../../platform/db/pool.ts';
import { positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

const REPORT_COLUMNS = [
  'id',
  'reporter_id',
  'entity_type',
  'entity_id',
  'reported_user_id',
  'reason',
  'details',
  'status',
  'assigned_moderator_id',
  'resolution_note',
  'resolved_at',
  'created_at',
] as const;

const ACTION_COLUMNS = [
  'id',
  'report_id',
  'moderator_id',
  'target_user_id',
  'entity_type',
  'entity_id',
  'action_type',
  'reason',
  'expires_at',
  'created_at',
] as const;

export type ReportStatus = 'open' | 'in_review' | 'resolved' | 'dismissed';
export const PENDING: ReportStatus[] = ['open', 'in_review'];

/** `(created_at, id) > (position)`: the rows after `position` in an oldest-first page (the queue is a queue). */
function afterPosition(position: Position): Expression<SqlBool> {
  return sql<SqlBool>`(created_at, id) > (${position.createdAt}::timestamptz, ${position.id}::uuid)`;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string; constraint_name?: string };
  return e.code === '23505' && (e.constraint ?? e.constraint_name) === constraint;
}

export interface QueueFilters {
  statuses: ReportStatus[];
  entityType?: string | undefined;
  reason?: string | undefined;
  /** undefined: anyone's; null: nobody's; a uuid: that moderator's. */
  assignee?: string | null | undefined;
}

export function createModerationRepository(db: Database) {
  return {
    /** Files a report; undefined when the reporter already has a pending one on this target (the unique index). */
    async insertReport(report: {
      reporterId: string;
      entityType: string;
      entityId: string;
      reportedUserId: string;
      reason: string;
      details: string | null;
    }) {
      try {
        // The reporter is the actor of the audit row (reports hold personal data: who reported whom).
        return await withActor(db, report.reporterId, (tx) =>
          tx
            .insertInto('moderation_reports')
            .values({
              reporter_id: report.reporterId,
              entity_type: report.entityType,
              entity_id: report.entityId,
              reported_user_id: report.reportedUserId,
              reason: report.reason,
              details: report.details,
            })
            .returning(REPORT_COLUMNS)
            .executeTakeFirstOrThrow(),
        );
      } catch (error) {
        if (isUniqueViolation(error, 'uq_moderation_reports_reporter_entity_pending')) return undefined;
        throw error;
      }
    },

    /** The reporter's own reports, newest first, with what was done about each (never who did it). */
    ownReports(reporterId: string, limit: number, before: Position | undefined) {
      let query = db
        .selectFrom('moderation_reports as r')
        .select([
          'r.id',
          'r.entity_type',
          'r.entity_id',
          'r.reason',
          'r.details',
          'r.status',
          'r.resolution_note',
          'r.resolved_at',
          'r.created_at',
          positionStamp('r.created_at').as(POSITION_STAMP),
        ])
        // The action that resolved it: one action may resolve every pending report on its target at once, in the
        // same transaction, so it is the latest action on the target no later than the resolution.
        .select((eb) =>
          eb
            .selectFrom('moderation_actions as a')
            .select('a.action_type')
            .whereRef('a.entity_type', '=', 'r.entity_type')
            .whereRef('a.entity_id', '=', 'r.entity_id')
            .whereRef('a.created_at', '<=', 'r.resolved_at')
            .where('r.status', '=', 'resolved')
            .orderBy('a.created_at', 'desc')
            .limit(1)
            .as('outcome'),
        )
        .where('r.reporter_id', '=', reporterId)
        .orderBy('r.created_at', 'desc')
        .orderBy('r.id', 'desc')
        .limit(limit + 1);
      if (before)
        query = query.where(
          sql<SqlBool>`(r.created_at, r.id) < (${before.createdAt}::timestamptz, ${before.id}::uuid)`,
        );
      return query.execute();
    },

    /** The moderators' queue, oldest first. */
    queue(filters: QueueFilters, limit: number, after: Position | undefined) {
      let query = db
        .selectFrom('moderation_reports')
        .select([...REPORT_COLUMNS, positionStamp().as(POSITION_STAMP)])
        .where('status', 'in', filters.statuses)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit + 1);
      if (filters.entityType !== undefined) query = query.where('entity_type', '=', filters.entityType);
      if (filters.reason !== undefined) query = query.where('reason', '=', filters.reason);
      if (filters.assignee === null) query = query.where('assigned_moderator_id', 'is', null);
      else if (filters.assignee !== undefined) query = query.where('assigned_moderator_id', '=', filters.assignee);
      if (after) query = query.where(afterPosition(after));
      return query.execute();
    },

    report(id: string) {
      return db.selectFrom('moderation_reports').select(REPORT_COLUMNS).where('id', '=', id).executeTakeFirst();
    },

    actionsOfReport(id: string) {
      return db
        .selectFrom('moderation_actions')
        .select(ACTION_COLUMNS)
        .where('report_id', '=', id)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },

    lockReport(tx: Transaction<DB>, id: string) {
      return tx
        .selectFrom('moderation_reports')
        .select(REPORT_COLUMNS)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },

    /**
     * Takes a pending report for `moderatorId` unless another moderator holds it. One statement: two moderators
     * claiming at once both reach the row lock, and the second re-reads the row after the first commits and
     * finds it assigned, so exactly one wins.
     */
    claim(tx: Transaction<DB>, id: string, moderatorId: string) {
      return tx
        .updateTable('moderation_reports')
        .set({ assigned_moderator_id: moderatorId, status: 'in_review' })
        .where('id', '=', id)
        .where('status', 'in', PENDING)
        .where((eb) => eb.or([eb('assigned_moderator_id', 'is', null), eb('assigned_moderator_id', '=', moderatorId)]))
        .returning(REPORT_COLUMNS)
        .executeTakeFirst();
    },

    assign(tx: Transaction<DB>, id: string, moderatorId: string | null) {
      return tx
        .updateTable('moderation_reports')
        .set({ assigned_moderator_id: moderatorId, status: moderatorId === null ? 'open' : 'in_review' })
        .where('id', '=', id)
        .returning(REPORT_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    /** Closes a report; resolved_at is the transaction's now(), which the `outcome` lookup relies on. */
    close(tx: Transaction<DB>, id: string, status: 'resolved' | 'dismissed', note: string, moderatorId: string) {
      return tx
        .updateTable('moderation_reports')
        .set((eb) => ({
          status,
          resolution_note: note,
          resolved_at: sql<Date>`now()`,
          assigned_moderator_id: eb.fn.coalesce('assigned_moderator_id', eb.val(moderatorId)),
        }))
        .where('id', '=', id)
        .returning(REPORT_COLUMNS)
        .executeTakeFirstOrThrow();
    },

    /** Resolves every other pending report on the same target: one decision answers them all. */
    async resolvePendingOn(
      tx: Transaction<DB>,
      entityType: string,
      entityId: string,
      note: string,
      moderatorId: string,
    ) {
      await tx
        .updateTable('moderation_reports')
        .set((eb) => ({
          status: 'resolved',
          resolution_note: note,
          resolved_at: sql<Date>`now()`,
          assigned_moderator_id: eb.fn.coalesce('assigned_moderator_id', eb.val(moderatorId)),
        }))
        .where('entity_type', '=', entityType)
        .where('entity_id', '=', entityId)
        .where('status', 'in', PENDING)
        .execute();
    },

    /** The latest content action (hide, remove, restore) on a target: what a restore would undo. */
    latestContentAction(tx: Transaction<DB>, entityType: string, entityId: string) {
      return tx
        .selectFrom('moderation_actions')
        .select(['action_type'])
        .where('entity_type', '=', entityType)
        .where('entity_id', '=', entityId)
        .where('action_type', 'in', ['hide_content', 'delete_content', 'restore'])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
    },

    insertAction(
      tx: Transaction<DB>,
      action: {
        reportId: string | null;
        moderatorId: string;
        targetUserId: string;
        entityType: string;
        entityId: string;
        actionType: string;
        reason: string;
        expiresAt: Date | null;
      },
    ) {
      return tx
        .insertInto('moderation_actions')
        .values({
          report_id: action.reportId,
          moderator_id: action.moderatorId,
          target_user_id: action.targetUserId,
          entity_type: action.entityType,
          entity_id: action.entityId,
          action_type: action.actionType,
          reason: action.reason,
          expires_at: action.expiresAt,
        })
        .returning(ACTION_COLUMNS)
        .executeTakeFirstOrThrow();
    },
  };
}

export type ModerationRepository = ReturnType<typeof createModerationRepository>;
