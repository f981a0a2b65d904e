// Account deletion (spec §19.3, Art. 17; ADR 0019): soft delete at the request, anonymisation of the account and
// removal of its personal data 30 days later (accounts.anonymise), legal records kept and detached (ADR 0005).
import { rm } from 'node:fs/promises';
import { sql } from 'kysely';
import { erasePresenceKeptInRedis } from '../../domains/chat/index.ts';
import type { JobContext, JobDb } from '../../platform/jobs/job.ts';
import { inSavepoint } from '../../platform/jobs/run-job.ts';
import { deleteInBatches, BATCH_SIZE, type Condition, type Fragment } from '../batches.ts';
import { loadTableRegistry, type TableRegistry } from '../table-registry.ts';
import { assertUuid, UnknownUserError, userExportDirectory } from './export.ts';
import type { ForeignKey, UserColumn } from './foreign-keys.ts';
import { loadForeignKeys, loadPrimaryKeys, userColumns } from './foreign-keys.ts';

/**
 * What the anonymisation does to a row naming the person through one foreign key to users:
 * - delete: the row is the person's account data (follows, likes, tokens, 2FA, settings...): deleted.
 * - detach: the row is kept for others or for aggregates (a play, a report they filed): the column is set NULL.
 * - keep: the column keeps pointing at the users row, which is anonymised (legal records, ADR 0005; editors of
 *   shared rows; entries they added to someone else's playlist).
 * - content: the person's published content, soft-deleted at the request and purged by the content retention
 *   jobs 30 days after its deleted_at (registry policy until_deleted_by_user); not touched here.
 */
export type ErasureAction = 'delete' | 'detach' | 'keep' | 'content';

export interface ErasureStep {
  table: string;
  column: string;
  action: ErasureAction;
  /** delete: only the rows also matching this (the rest of the person's rows are kept). */
  only?: Condition;
  /** detach: other columns cleared with it. */
  alsoClear?: readonly string[];
  why: string;
}

interface Override {
  action: ErasureAction;
  only?: Condition;
  alsoClear?: readonly string[];
  why: string;
}

/** The decisions the registry policy and the foreign key's ON DELETE do not make by themselves (ADR 0019). */
export const ERASURE_OVERRIDES: Readonly<Record<string, Override>> = {
  'playback_history.user_id': {
    action: 'detach',
    alsoClear: ['device_type', 'source', 'source_id'],
    why: 'the play stays counted in track_analytics, anonymised like a 12-month-old play (§18.3, ADR 0003)',
  },
  'playlist_tracks.added_by': {
    action: 'keep',
    why: 'a track they added to someone else’s collaborative playlist stays; added_by points at the anonymous row',
  },
  'playlist_collaborators.added_by': {
    action: 'keep',
    why: 'whom they invited to their playlist stays the invitee’s; added_by points at the anonymous row (ADR 0049)',
  },
  'reports.requested_by': { action: 'keep', why: 'points at the requesting admin’s row, anonymised (registry)' },
  'search_index.owner_id': {
    action: 'delete',
    only: sql`deleted_at IS NOT NULL`,
    why: 'documents hidden at the request (their profile and content) go; a shared group or room keeps its own',
  },
  'user_roles.verified_by': { action: 'keep', why: 'points at the verifying staff member’s row, anonymised' },
};

function decide(column: UserColumn, registry: TableRegistry): Override {
  const override = ERASURE_OVERRIDES[`${column.table}.${column.column}`];
  if (override) return override;
  const entry = registry[column.table];
  if (!entry) throw new Error(`table ${column.table} references users but is not in db/table-registry.json`);
  switch (entry.retention.policy) {
    case 'legal_hold':
      return { action: 'keep', why: 'legal hold (§18.1, ADR 0005): detached by anonymising the users row' };
    case 'until_deleted_by_user':
      return { action: 'content', why: 'content: hidden at the request, purged 30 days after deleted_at' };
    case 'follows_parent':
    case 'reference_data':
      return { action: 'keep', why: `${entry.retention.policy}: the column only points at the anonymous row` };
    case 'until_account_deletion':
    case 'fixed_period':
      break;
  }
  switch (column.onDelete) {
    case 'cascade':
      return { action: 'delete', why: 'the person’s own row: goes with the account' };
    case 'set_null':
      return { action: 'detach', why: 'kept for others or for aggregates, without the person' };
    case 'restrict':
    case 'no_action':
    case 'set_default':
      return { action: 'keep', why: 'the row must keep its reference: it points at the anonymous row' };
  }
}

/** Where the person's public content is: tables of policy until_deleted_by_user, by their foreign key to users. */
export interface ContentColumn {
  table: string;
  column: string;
}

/** A group or room that other active members still use is kept (and its creator anonymised), not hidden. */
const SHARED_SPACES: Readonly<Record<string, (ids: string[]) => Fragment>> = {
  groups: (ids) => sql`NOT EXISTS (
      SELECT 1 FROM group_members m JOIN users member ON member.id = m.user_id
      WHERE m.group_id = content.id AND m.status = 'active' AND member.deleted_at IS NULL
        AND m.user_id <> ALL(${ids}::uuid[]))`,
  rooms: (ids) => sql`NOT EXISTS (
      SELECT 1 FROM room_members m JOIN users member ON member.id = m.user_id
      WHERE m.room_id = content.id AND NOT m.is_banned AND member.deleted_at IS NULL
        AND m.user_id <> ALL(${ids}::uuid[]))`,
};

export interface AccountPlan {
  /** One step per foreign key to users in the catalog. */
  erasure: ErasureStep[];
  content: ContentColumn[];
  primaryKeys: Map<string, string[]>;
}

/** Reads the catalog and the registry: what happens to every row naming a person when their account goes. */
export async function loadAccountPlan(db: JobDb, registry: TableRegistry = loadTableRegistry()): Promise<AccountPlan> {
  const foreignKeys: ForeignKey[] = await loadForeignKeys(db);
  const erasure = userColumns(foreignKeys).map((column): ErasureStep => {
    const decision = decide(column, registry);
    return { table: column.table, column: column.column, ...decision };
  });
  const content = erasure.filter((s) => s.action === 'content').map(({ table, column }) => ({ table, column }));
  return { erasure, content, primaryKeys: await loadPrimaryKeys(db) };
}

/** Runs `work` in a transaction of its own (a savepoint when `db` is already a transaction). */
export type Transactor = <T>(work: (tx: JobDb) => Promise<T>) => Promise<T>;

/** A job's transactions (a savepoint each during a dry run). */
export function jobTransactor(context: JobContext): Transactor {
  return (work) => context.transaction(work);
}

export function transactor(db: JobDb): Transactor {
  return <T>(work: (tx: JobDb) => Promise<T>) =>
    db.isTransaction ? inSavepoint(db, work) : db.transaction().execute(work);
}

/**
 * Rows hidden per transaction: every hidden row fires its counter trigger (ADR 0012), which updates the parent's
 * counter (a room's message_count, a post's comment_count); 1,000 of them keep each transaction well under a second.
 */
export const HIDE_BATCH_SIZE = 1000;

async function inBatches(transaction: Transactor, statement: Fragment): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await transaction(async (tx) => Number((await statement.execute(tx)).numAffectedRows ?? 0));
    total += count;
    if (count < HIDE_BATCH_SIZE) return total;
  }
}

/**
 * Makes the public content of the deleted accounts `userIds` disappear: every row of theirs still visible in a
 * content table (the DMs they sent or received included), their certificates and their search documents get
 * deleted_at = the account's users.deleted_at, which tells them apart from what the person deleted earlier (kept
 * with its own date). A group or room with other active members stays. Batches of HIDE_BATCH_SIZE rows, each in
 * its own transaction; rows locked by someone else are left for the next pass. Never touches a live account.
 */
export async function hidePublicContent(
  transaction: Transactor,
  plan: AccountPlan,
  userIds: string[],
): Promise<Record<string, number>> {
  const hidden: Record<string, number> = {};
  const note = (table: string, count: number) => {
    hidden[table] = (hidden[table] ?? 0) + count;
  };
  // Groups and rooms first: the search documents of those that stay are kept below.
  const ordered = [...plan.content].sort((a, b) => Number(b.table in SHARED_SPACES) - Number(a.table in SHARED_SPACES));
  for (const { table, column } of ordered) {
    const shared = SHARED_SPACES[table];
    const key = plan.primaryKeys.get(table) ?? ['id'];
    const hiddenRows = await inBatches(
      transaction,
      sql`
        UPDATE ${sql.table(table)} AS target SET deleted_at = owner.deleted_at
        FROM users owner
        WHERE owner.id = ${sql.ref(`target.${column}`)} AND owner.deleted_at IS NOT NULL
          AND (${sql.join(key.map((c) => sql.ref(`target.${c}`)))}) IN (
            SELECT ${sql.join(key.map((c) => sql.ref(`content.${c}`)))} FROM ${sql.table(table)} AS content
            WHERE ${sql.ref(`content.${column}`)} = ANY(${userIds}::uuid[]) AND content.deleted_at IS NULL
              AND ${shared ? shared(userIds) : sql`true`}
            LIMIT ${HIDE_BATCH_SIZE} FOR UPDATE OF content SKIP LOCKED)`,
    );
    note(table, hiddenRows);
  }
  note(
    'certificates',
    await inBatches(
      transaction,
      sql`
        UPDATE certificates AS target SET deleted_at = owner.deleted_at
        FROM course_enrollments e JOIN users owner ON owner.id = e.user_id
        WHERE e.id = target.enrollment_id AND owner.deleted_at IS NOT NULL
          AND target.id IN (
            SELECT c.id FROM certificates c JOIN course_enrollments ce ON ce.id = c.enrollment_id
            WHERE ce.user_id = ANY(${userIds}::uuid[]) AND c.deleted_at IS NULL
            LIMIT ${HIDE_BATCH_SIZE} FOR UPDATE OF c SKIP LOCKED)`,
    ),
  );
  note(
    'search_index',
    await inBatches(
      transaction,
      sql`
        UPDATE search_index AS target SET deleted_at = owner.deleted_at
        FROM users owner
        WHERE owner.id = CASE WHEN target.entity_type = 'user' AND target.entity_id = ANY(${userIds}::uuid[])
                              THEN target.entity_id ELSE target.owner_id END
          AND owner.deleted_at IS NOT NULL
          AND target.id IN (
            SELECT s.id FROM search_index s
            WHERE s.deleted_at IS NULL
              AND ((s.entity_type = 'user' AND s.entity_id = ANY(${userIds}::uuid[]))
                   OR (s.owner_id = ANY(${userIds}::uuid[])
                       AND NOT (s.entity_type = 'group'
                                AND EXISTS (SELECT 1 FROM groups g WHERE g.id = s.entity_id AND g.deleted_at IS NULL))
                       AND NOT (s.entity_type = 'room'
                                AND EXISTS (SELECT 1 FROM rooms r WHERE r.id = s.entity_id AND r.deleted_at IS NULL))))
            LIMIT ${HIDE_BATCH_SIZE} FOR UPDATE OF s SKIP LOCKED)`,
    ),
  );
  return hidden;
}

export interface DeletionRequest {
  userId: string;
  /** users.deleted_at: anonymisation follows 30 days (registry) after it. */
  deletedAt: Date;
  /** The account was already deleted: only content left visible by an interrupted request was hidden. */
  alreadyDeleted: boolean;
  revokedRefreshTokens: number;
  /** Rows hidden per content table. */
  hidden: Record<string, number>;
}

/**
 * Spec §19.3 step 1. One transaction deletes the account: soft delete (deleted_at, is_active false), its access
 * tokens stop working (token_version + 1, refresh tokens revoked, unused reset and verification tokens deleted).
 * Then its public content disappears (hidePublicContent, in short batches: ADR 0019). Idempotent: for an account
 * already deleted only the content still visible is hidden, which completes an interrupted request.
 * `actorId` is recorded in the audit trail as the acting user (the person themself, or an admin). With `dataDir`,
 * the person's GDPR export archives go too (ADR 0037): everything about them, which nobody can download any more.
 * With `redisUrl`, their presence kept there goes first (ADR 0059): Redis out of reach, nothing is deleted (503).
 */
export async function requestAccountDeletion(
  db: JobDb,
  userId: string,
  options: { actorId?: string; dataDir?: string; redisUrl?: string | undefined } = {},
): Promise<DeletionRequest> {
  assertUuid(userId);
  // Before the transaction: once it commits the person is logged out and could not ask again.
  if (options.redisUrl) await erasePresenceKeptInRedis(options.redisUrl, [userId]);
  const transaction = transactor(db);
  const account = await transaction(async (tx) => {
    if (options.actorId) await sql`SELECT set_config('veza.actor_id', ${options.actorId}, true)`.execute(tx);
    const {
      rows: [user],
    } = await sql<{ deleted_at: Date | null }>`SELECT deleted_at FROM users WHERE id = ${userId} FOR UPDATE`.execute(
      tx,
    );
    if (!user) throw new UnknownUserError(userId);
    if (user.deleted_at) return { deletedAt: user.deleted_at, alreadyDeleted: true, revokedRefreshTokens: 0 };
    const {
      rows: [deleted],
    } = await sql<{ deleted_at: Date }>`
      UPDATE users SET deleted_at = NOW(), is_active = false, token_version = token_version + 1
      WHERE id = ${userId} RETURNING deleted_at`.execute(tx);
    if (!deleted) throw new UnknownUserError(userId);
    const revoked = await sql`
      UPDATE refresh_tokens SET is_revoked = true, revoked_at = NOW(), revoked_reason = 'account_deleted'
      WHERE user_id = ${userId} AND NOT is_revoked`.execute(tx);
    await sql`DELETE FROM password_reset_tokens WHERE user_id = ${userId} AND NOT used`.execute(tx);
    await sql`DELETE FROM email_verification_tokens WHERE user_id = ${userId} AND NOT verified`.execute(tx);
    return {
      deletedAt: deleted.deleted_at,
      alreadyDeleted: false,
      revokedRefreshTokens: Number(revoked.numAffectedRows ?? 0),
    };
  });
  if (options.dataDir) await rm(userExportDirectory(options.dataDir, userId), { recursive: true, force: true });
  const hidden = await hidePublicContent(transaction, await loadAccountPlan(db), [userId]);
  return { userId, ...account, hidden };
}

/** The anonymised users row's email: also how the job recognises an account already anonymised (§19.3). */
export const anonymisedEmail = (idColumn: string): Fragment =>
  sql`'deleted_' || ${sql.ref(idColumn)}::text || '@anonymized.local'`;

async function updateInBatches(
  context: JobContext,
  table: string,
  set: Record<string, null>,
  where: Condition,
  key: string[],
): Promise<number> {
  let total = 0;
  for (;;) {
    const updated = await context.transaction(async (tx) => {
      const keyColumns = sql.join(key.map((column) => sql.id(column)));
      const result = await sql`
        UPDATE ${sql.table(table)} SET ${sql.join(Object.keys(set).map((column) => sql`${sql.id(column)} = NULL`))}
        WHERE (${keyColumns}) IN (
          SELECT ${keyColumns} FROM ${sql.table(table)} WHERE ${where} LIMIT ${BATCH_SIZE} FOR UPDATE SKIP LOCKED)`.execute(
        tx,
      );
      return Number(result.numAffectedRows ?? 0);
    });
    context.count(table, updated);
    total += updated;
    if (updated < BATCH_SIZE) return total;
  }
}

/** Removes the anonymised ids from feature_flags.conditions (testers' ids; registry). */
function withoutIds(value: unknown, ids: Set<string>): unknown {
  if (Array.isArray(value)) {
    return value.filter((item) => !(typeof item === 'string' && ids.has(item))).map((item) => withoutIds(item, ids));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => !(typeof item === 'string' && ids.has(item)))
        .map(([key, item]) => [key, withoutIds(item, ids)]),
    );
  }
  return value;
}

async function scrubFeatureFlags(context: JobContext, userIds: string[]): Promise<void> {
  const ids = new Set(userIds);
  const patterns = userIds.map((id) => `%${id}%`);
  await context.transaction(async (tx) => {
    const { rows: flags } = await sql<{ id: string; conditions: unknown }>`
      SELECT id, conditions FROM feature_flags WHERE conditions::text LIKE ANY(${patterns}::text[]) FOR UPDATE`.execute(
      tx,
    );
    for (const flag of flags) {
      await sql`UPDATE feature_flags SET conditions = ${JSON.stringify(withoutIds(flag.conditions, ids))}::jsonb
               WHERE id = ${flag.id}`.execute(tx);
    }
    context.count('feature_flags', flags.length);
  });
}

/**
 * Spec §19.3 steps 2 and 3 for `userIds` (soft-deleted accounts): their personal data is deleted or detached
 * table by table in batches (each its own short transaction), content still visible is hidden, and then each
 * users row with nothing left is anonymised in one statement; an account whose rows could not all be reached
 * (locked by someone else) is left for the next run. Idempotent. Returns the ids anonymised.
 */
export async function anonymiseAccounts(
  context: JobContext,
  plan: AccountPlan,
  userIds: string[],
  options: { deletedBefore?: Date } = {},
): Promise<string[]> {
  if (userIds.length === 0) return [];
  // Their presence in Redis goes again (ADR 0059), in case something wrote it back after the request; first, so
  // that Redis out of reach fails the run before any account is anonymised and so left out of the next one.
  if (context.redisUrl && !context.dryRun) await erasePresenceKeptInRedis(context.redisUrl, userIds);
  const mine = (column: string, only?: Condition): Condition =>
    only
      ? sql`${sql.id(column)} = ANY(${userIds}::uuid[]) AND ${only}`
      : sql`${sql.id(column)} = ANY(${userIds}::uuid[])`;
  const key = (table: string) => {
    const columns = plan.primaryKeys.get(table);
    if (!columns) throw new Error(`no primary key found for ${table}`);
    return columns;
  };

  for (const [table, count] of Object.entries(await hidePublicContent(jobTransactor(context), plan, userIds))) {
    context.count(table, count);
  }
  for (const step of plan.erasure) {
    if (step.action === 'delete') {
      await deleteInBatches(context, step.table, mine(step.column, step.only));
    } else if (step.action === 'detach') {
      const set = Object.fromEntries([step.column, ...(step.alsoClear ?? [])].map((c) => [c, null]));
      await updateInBatches(context, step.table, set, mine(step.column), key(step.table));
    }
  }
  await scrubFeatureFlags(context, userIds);

  const anonymised = await context.transaction(async (tx) => {
    const nothingLeft = plan.erasure
      .filter((step) => step.action === 'delete' || step.action === 'detach')
      .map(
        (step) =>
          sql`NOT EXISTS (SELECT 1 FROM ${sql.table(step.table)} WHERE ${sql.id(step.column)} = u.id
                          AND ${step.action === 'delete' && step.only ? step.only : sql`true`})`,
      )
      .reduce((all, condition) => sql`${all} AND ${condition}`, sql`true`);
    // §19.3 step 2; the username must stay unique whatever its case (uq_users_lower_username) and match
    // chk_users_username_format: 'deleted_' and the first 8 hex digits of the id, or 22 when those are taken, or
    // random ones when even those are. The name given up by a change (ADR 0031) goes too.
    const { rows } = await sql<{ id: string }>`
      WITH due AS (
        SELECT u.id, 'deleted_' || left(replace(u.id::text, '-', ''), 8) AS short_name,
               'deleted_' || left(replace(u.id::text, '-', ''), 22) AS long_name
        FROM users u
        WHERE u.id = ANY(${userIds}::uuid[]) AND u.deleted_at IS NOT NULL
          AND ${options.deletedBefore ? sql`u.deleted_at < ${options.deletedBefore}::timestamptz` : sql`true`}
          AND u.email <> ${anonymisedEmail('u.id')} AND ${nothingLeft}
        FOR UPDATE OF u
      ), named AS (
        SELECT due.id,
               CASE WHEN count(*) OVER (PARTITION BY short_name) = 1
                         AND NOT EXISTS (SELECT 1 FROM users o WHERE lower(o.username) = due.short_name AND o.id <> due.id)
                    THEN short_name
                    WHEN NOT EXISTS (SELECT 1 FROM users o WHERE lower(o.username) = due.long_name AND o.id <> due.id)
                    THEN long_name
                    ELSE 'deleted_' || left(replace(gen_random_uuid()::text, '-', ''), 22) END AS username
        FROM due
      )
      UPDATE users SET
        email = ${anonymisedEmail('users.id')}, username = named.username,
        password_hash = NULL, first_name = NULL, last_name = NULL, display_name = '[Compte supprimé]',
        last_login_ip = NULL, last_login_at = NULL, last_password_change_at = NULL, email_verified_at = NULL,
        is_active = false, is_verified = false,
        data_processing_consent = false, data_processing_consent_at = NULL,
        marketing_consent = false, marketing_consent_at = NULL,
        export_requested_at = NULL, exported_at = NULL, previous_username = NULL, previous_username_held_until = NULL
      FROM named WHERE users.id = named.id
      RETURNING users.id`.execute(tx);
    return rows.map((row) => row.id);
  });
  context.count('users', anonymised.length);
  const skipped = userIds.length - anonymised.length;
  if (skipped > 0)
    context.log(`accounts.anonymise: ${skipped} account(s) not anonymised yet (rows locked or restored)`);

  // Their export archives hold everything about them (ADR 0020).
  if (!context.dryRun) {
    for (const id of anonymised) await rm(userExportDirectory(context.dataDir, id), { recursive: true, force: true });
  }
  return anonymised;
}
