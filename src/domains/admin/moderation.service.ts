// Moderation rules (issue 18 §11-12, ADR 0095): reports, the moderators' queue, and actions applied to their
// target in ONE transaction with the moderation log row, the report's resolution, the notification of the person
// concerned and the audit trail (withActor names the moderator to the audit triggers).
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { withActor } from '../../platform/db/actor.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import {
  findAccountState,
  isSuspended,
  lockAccountForSanction,
  lockAdministrators,
  otherUsableAdmins,
  reportableAccount,
  sanctionAccount,
} from '../auth/index.ts';
import { notify } from '../notifications/index.ts';
import { ModerationProblems } from './moderation.errors.ts';
import { mayActOn, mayHandleReports, mayModerate } from './moderation.policy.ts';
import { PENDING, type ModerationRepository, type ReportStatus } from './moderation.repository.ts';
import {
  REPORTABLE_TYPES,
  type CreateReport,
  type DirectAction,
  type ModerationActionName,
  type QueueQuery,
  type ReportableType,
  type ResolveReport,
} from './moderation.schemas.ts';
import { contentSubject } from './moderation.subjects.ts';

type ReportRow = NonNullable<Awaited<ReturnType<ModerationRepository['report']>>>;

export interface ModerationServiceDeps {
  db: Database;
  repository: ModerationRepository;
  /** The clock of suspensions (tests pin it). */
  now?: () => Date;
}

const NOUNS: Record<ReportableType, string> = {
  track: 'track',
  track_comment: 'comment',
  post: 'post',
  post_comment: 'comment',
  message: 'message',
  product: 'product',
  user: 'account',
  group: 'group',
};

interface Target {
  entityType: ReportableType;
  entityId: string;
}

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date === null ? null : date.toISOString());

type ActionType = 'warn' | 'hide_content' | 'delete_content' | 'suspend' | 'ban' | 'restore';

/** A report as moderators see it. */
function reportView(row: ReportRow) {
  return {
    id: row.id,
    reporter_id: row.reporter_id,
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    reported_user_id: row.reported_user_id,
    reason: row.reason,
    details: row.details,
    status: row.status as ReportStatus,
    assigned_moderator_id: row.assigned_moderator_id,
    resolution_note: row.resolution_note,
    resolved_at: isoOrNull(row.resolved_at),
    created_at: iso(row.created_at),
  };
}

type ActionRow = Awaited<ReturnType<ModerationRepository['insertAction']>>;

function actionView(row: ActionRow) {
  return {
    id: row.id,
    report_id: row.report_id,
    moderator_id: row.moderator_id,
    target_user_id: row.target_user_id,
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    action_type: row.action_type,
    reason: row.reason,
    expires_at: isoOrNull(row.expires_at),
    created_at: iso(row.created_at),
  };
}

function invalidField(field: string, rule: string, message: string): ApiError {
  return new ApiError(CommonProblems.validationFailed, `${field} ${message}`, [{ field, rule, message }]);
}

/** What the person concerned reads: the first words carry the decision, the rest the moderator's reasons. */
function noticeOf(action: ModerationActionName, noun: string, reason: string, until: Date | null): string {
  const what: Record<Exclude<ModerationActionName, 'dismiss'>, string> = {
    hide: `Your ${noun} was hidden by moderation`,
    remove: `Your ${noun} was removed by moderation`,
    warn: `Moderation warning about your ${noun}`,
    suspend: `Your account is suspended until ${until?.toISOString() ?? ''}`,
    ban: 'Your account was banned',
    restore: noun === 'account' ? 'Your account was restored' : `Your ${noun} was restored`,
  };
  return `${what[action as Exclude<ModerationActionName, 'dismiss'>]}: ${reason}`;
}

export class ModerationService {
  readonly #db: Database;
  readonly #repository: ModerationRepository;
  readonly #now: () => Date;

  constructor(deps: ModerationServiceDeps) {
    this.#db = deps.db;
    this.#repository = deps.repository;
    this.#now = deps.now ?? (() => new Date());
  }

  // Reports

  async report(caller: Caller, body: CreateReport) {
    const target =
      body.entity_type === 'user'
        ? await reportableAccount(this.#db, body.entity_id)
        : await contentSubject(body.entity_type).visibleTo(this.#db, body.entity_id, caller.userId);
    if (!target) throw new ApiError(ModerationProblems.targetNotFound, `No ${body.entity_type} ${body.entity_id}`);
    const row = await this.#repository.insertReport({
      reporterId: caller.userId,
      entityType: body.entity_type,
      entityId: body.entity_id,
      reportedUserId: target.ownerId,
      reason: body.reason,
      details: body.details ?? null,
    });
    if (!row) throw new ApiError(ModerationProblems.reportPending, 'Your earlier report on this is still pending');
    return this.#ownView(row);
  }

  async ownReports(caller: Caller, query: { limit: number; cursor?: string | undefined }) {
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = toPage(await this.#repository.ownReports(caller.userId, query.limit, before), query.limit);
    return { items: page.items.map((row) => this.#ownView(row)), next_cursor: page.next_cursor };
  }

  #ownView(row: {
    id: string;
    entity_type: string;
    entity_id: string;
    reason: string;
    details: string | null;
    status: string;
    resolution_note: string | null;
    resolved_at: Date | null;
    created_at: Date;
    outcome?: string | null;
  }) {
    return {
      id: row.id,
      entity_type: row.entity_type,
      entity_id: row.entity_id,
      reason: row.reason,
      details: row.details,
      status: row.status as ReportStatus,
      outcome: (row.outcome ?? null) as ActionType | null,
      resolution_note: row.resolution_note,
      resolved_at: isoOrNull(row.resolved_at),
      created_at: iso(row.created_at),
    };
  }

  // The queue

  async queue(caller: Caller, query: QueueQuery) {
    authorize(mayModerate(caller));
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const assignee = query.assigned === 'me' ? caller.userId : query.assigned === 'none' ? null : undefined;
    const rows = await this.#repository.queue(
      {
        statuses: query.status ? [query.status] : PENDING,
        entityType: query.entity_type,
        reason: query.reason,
        assignee,
      },
      query.limit,
      after,
    );
    const page = toPage(rows, query.limit);
    return { items: page.items.map(reportView), next_cursor: page.next_cursor };
  }

  async reportDetail(caller: Caller, id: string) {
    authorize(mayModerate(caller));
    const report = await this.#repository.report(id);
    if (!report) throw new ApiError(ModerationProblems.reportNotFound, `No report ${id}`);
    return { ...reportView(report), actions: (await this.#repository.actionsOfReport(id)).map(actionView) };
  }

  async claim(caller: Caller, id: string) {
    authorize(mayModerate(caller));
    return withActor(this.#db, caller.userId, async (tx) => {
      const claimed = await this.#repository.claim(tx, id, caller.userId);
      if (claimed) return reportView(claimed);
      const report = await this.#repository.lockReport(tx, id);
      if (!report) throw new ApiError(ModerationProblems.reportNotFound, `No report ${id}`);
      if (!PENDING.includes(report.status as ReportStatus))
        throw new ApiError(ModerationProblems.reportClosed, `The report is ${report.status}`);
      throw new ApiError(ModerationProblems.reportClaimed, 'Another moderator is handling this report');
    });
  }

  async assign(caller: Caller, id: string, moderatorId: string | null) {
    authorize(mayModerate(caller));
    if (moderatorId !== null) {
      const account = await findAccountState(this.#db, moderatorId);
      const live = account && account.is_active && !account.is_banned && account.deleted_at === null;
      if (!live || !mayHandleReports(account))
        throw new ApiError(ModerationProblems.assigneeInvalid, 'moderator_id must name a moderator or administrator');
    }
    return withActor(this.#db, caller.userId, async (tx) => {
      const report = await this.#repository.lockReport(tx, id);
      if (!report) throw new ApiError(ModerationProblems.reportNotFound, `No report ${id}`);
      if (!PENDING.includes(report.status as ReportStatus))
        throw new ApiError(ModerationProblems.reportClosed, `The report is ${report.status}`);
      return reportView(await this.#repository.assign(tx, id, moderatorId));
    });
  }

  // Actions

  /** Acts on the target of a report and resolves it (and every other pending report on the same target). */
  async resolve(caller: Caller, reportId: string, body: ResolveReport) {
    authorize(mayModerate(caller));
    this.#checkDuration(body);
    return withActor(this.#db, caller.userId, async (tx) => {
      const report = await this.#repository.lockReport(tx, reportId);
      if (!report) throw new ApiError(ModerationProblems.reportNotFound, `No report ${reportId}`);
      if (!PENDING.includes(report.status as ReportStatus))
        throw new ApiError(ModerationProblems.reportClosed, `The report is ${report.status}`);
      if (body.action === 'restore')
        throw new ApiError(ModerationProblems.actionInapplicable, 'A report is resolved by acting, not by restoring');
      if (body.action === 'dismiss') {
        const closed = await this.#repository.close(tx, report.id, 'dismissed', body.reason, caller.userId);
        return { report: reportView(closed), action: null };
      }
      // Reports filed before a kind became reportable (or by other means) can still be dismissed, not acted upon.
      if (!(REPORTABLE_TYPES as readonly string[]).includes(report.entity_type))
        throw new ApiError(
          ModerationProblems.actionInapplicable,
          `A ${report.entity_type} report can only be dismissed`,
        );
      const target = { entityType: report.entity_type as ReportableType, entityId: report.entity_id };
      const action = await this.#apply(tx, caller, target, body, report);
      const closed = await this.#repository.close(tx, report.id, 'resolved', body.reason, caller.userId);
      await this.#repository.resolvePendingOn(tx, target.entityType, target.entityId, body.reason, caller.userId);
      return { report: reportView(closed), action: actionView(action) };
    });
  }

  /** Acts without a report (a moderator's own finding), and restores. */
  async act(caller: Caller, body: DirectAction) {
    authorize(mayModerate(caller));
    this.#checkDuration(body);
    if (body.action === 'dismiss')
      throw new ApiError(ModerationProblems.actionInapplicable, 'Only a report can be dismissed');
    return withActor(this.#db, caller.userId, async (tx) => {
      const target = { entityType: body.entity_type, entityId: body.entity_id };
      const action = await this.#apply(tx, caller, target, body, undefined);
      if (body.action !== 'restore')
        await this.#repository.resolvePendingOn(tx, target.entityType, target.entityId, body.reason, caller.userId);
      return { report: null, action: actionView(action) };
    });
  }

  #checkDuration(body: { action: ModerationActionName; duration_hours?: number | undefined }): void {
    if (body.action === 'suspend' && body.duration_hours === undefined)
      throw invalidField('body.duration_hours', 'required', 'is required to suspend');
    if (body.action !== 'suspend' && body.duration_hours !== undefined)
      throw invalidField('body.duration_hours', 'suspend_only', 'applies to suspend only');
  }

  async #apply(
    tx: Transaction<DB>,
    caller: Caller,
    target: Target,
    body: { action: ModerationActionName; reason: string; duration_hours?: number | undefined },
    report: ReportRow | undefined,
  ) {
    const missing = () => new ApiError(ModerationProblems.targetNotFound, `No ${target.entityType} ${target.entityId}`);
    const subject = target.entityType === 'user' ? undefined : contentSubject(target.entityType);
    const isAccount = subject === undefined;
    // The last-admin rule locks every admin row: taken first, so that no sanction holds its target while waiting.
    if (body.action === 'ban' || body.action === 'suspend') await lockAdministrators(tx);
    const content = subject ? await subject.lock(tx, target.entityId) : undefined;
    if (!isAccount && !content) throw missing();
    const ownerId = content ? content.ownerId : target.entityId;
    const account = await lockAccountForSanction(tx, ownerId);
    if (isAccount && !account) throw missing();
    const onWhom = mayActOn(caller, account);
    if (!onWhom.allowed) throw new ApiError(ModerationProblems.protectedAccount, onWhom.reason);

    const now = this.#now();
    let expiresAt: Date | null = null;
    let actionType: string;
    const inapplicable = (why: string) => new ApiError(ModerationProblems.actionInapplicable, why);
    const conflict = (why: string) => new ApiError(ModerationProblems.actionConflict, why);
    switch (body.action) {
      case 'hide':
      case 'remove': {
        if (!content) throw inapplicable('An account is suspended or banned, not hidden');
        if (content.hidden) {
          // Removing what a moderator hid makes it final; anything else already out of sight stays as it is.
          const latest = await this.#repository.latestContentAction(tx, target.entityType, target.entityId);
          if (body.action === 'hide' || latest?.action_type !== 'hide_content')
            throw conflict(`The ${NOUNS[target.entityType]} is already out of sight`);
        } else {
          await subject!.setHidden(tx, target.entityId, true);
        }
        actionType = body.action === 'hide' ? 'hide_content' : 'delete_content';
        break;
      }
      case 'restore': {
        if (content) {
          const latest = await this.#repository.latestContentAction(tx, target.entityType, target.entityId);
          if (!content.hidden || latest?.action_type !== 'hide_content')
            throw conflict(`The ${NOUNS[target.entityType]} is not hidden by moderation`);
          await subject!.setHidden(tx, target.entityId, false);
        } else {
          if (!account!.is_banned && !isSuspended(account!, now.getTime()))
            throw conflict('The account is neither banned nor suspended');
          await sanctionAccount(tx, ownerId, { is_banned: false, suspended_until: null });
        }
        actionType = 'restore';
        break;
      }
      case 'warn':
        if (!account) throw missing();
        actionType = 'warn';
        break;
      case 'suspend':
      case 'ban': {
        if (!account) throw missing();
        if (account.is_banned) throw conflict('The account is banned already');
        if (account.role === 'admin' && (await otherUsableAdmins(tx, account.id, now)) === 0)
          throw new ApiError(ModerationProblems.lastAdmin, 'This is the last administrator who can act');
        if (body.action === 'suspend') {
          expiresAt = new Date(now.getTime() + body.duration_hours! * 3_600_000);
          await sanctionAccount(tx, account.id, { suspended_until: expiresAt });
          actionType = 'suspend';
        } else {
          await sanctionAccount(tx, account.id, { is_banned: true, suspended_until: null });
          actionType = 'ban';
        }
        break;
      }
      case 'dismiss':
        throw inapplicable('Only a report can be dismissed');
    }

    const row = await this.#repository.insertAction(tx, {
      reportId: report?.id ?? null,
      moderatorId: caller.userId,
      targetUserId: ownerId,
      entityType: target.entityType,
      entityId: target.entityId,
      actionType,
      reason: body.reason,
      expiresAt,
    });
    // The moderator stays anonymous to the person concerned (actorId null): a 'system' notice, always in-app.
    const sanction = body.action === 'suspend' || body.action === 'ban' || (isAccount && body.action === 'restore');
    await notify(
      tx,
      {
        recipientId: ownerId,
        actorId: null,
        type: 'system',
        entityType: sanction ? 'user' : target.entityType,
        entityId: sanction ? ownerId : target.entityId,
        snippet: noticeOf(body.action, NOUNS[target.entityType], body.reason, expiresAt),
      },
      now,
    );
    return row;
  }
}
