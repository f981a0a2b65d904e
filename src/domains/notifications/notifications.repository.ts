// Every SQL statement of the notifications domain (migrations 0015, 0043). Rows in, rows out.
import { sql, type Selectable, type Transaction } from 'kysely';
import type { DB, NotificationPreferences } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Position } from '../../platform/http/pagination.ts';
import type { NotificationCause } from './notifications.catalogue.ts';
import type { Preferences } from './notifications.preferences.ts';
import { notificationColumns, notificationPageQuery, unreadCountQuery } from './notifications.queries.ts';

type Executor = Database | Transaction<DB>;

/** How many of a group's newest actors are named in its data (and its title). */
export const NAMED_ACTORS = 3;

/** A saved row: the columns the rules read and the digest's and the row's bookkeeping. */
export type PreferencesRow = Preferences & Pick<Selectable<NotificationPreferences>, 'digest_sent_at' | 'updated_at'>;

export async function preferencesRow(db: Executor, userId: string): Promise<PreferencesRow | undefined> {
  return db
    .selectFrom('notification_preferences')
    .select([
      'follow_channel',
      'like_channel',
      'comment_channel',
      'mention_channel',
      'message_channel',
      sql<string | null>`to_char(quiet_hours_start, 'HH24:MI')`.as('quiet_hours_start'),
      sql<string | null>`to_char(quiet_hours_end, 'HH24:MI')`.as('quiet_hours_end'),
      'time_zone',
      'digest',
      'digest_sent_at',
      'updated_at',
    ])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function savePreferences(db: Executor, userId: string, values: Preferences): Promise<void> {
  await db
    .insertInto('notification_preferences')
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
    .execute();
}

/**
 * Opens the cause's unread group or joins it: INSERT … ON CONFLICT on uq_notifications_user_id_type_entity_unread.
 * Concurrent causes of one group queue on the row lock here, so each one then sees the others' actors (read
 * committed: every statement takes a fresh snapshot). The group's activity time (created_at) moves to now.
 */
export async function openGroup(tx: Executor, cause: NotificationCause, title: string): Promise<string> {
  const row = await sql<{ id: string }>`
    INSERT INTO notifications AS n (user_id, actor_id, type, entity_type, entity_id, title, data)
    VALUES (${cause.recipientId}, ${cause.actorId}, ${cause.type}, ${cause.entityType}, ${cause.entityId}, ${title},
            jsonb_build_object('events', 1))
    ON CONFLICT (user_id, type, entity_type, entity_id) WHERE is_read = false
    DO UPDATE SET actor_id = COALESCE(EXCLUDED.actor_id, n.actor_id), created_at = NOW(),
                  data = n.data || jsonb_build_object('events', COALESCE((n.data->>'events')::int, 1) + 1)
    RETURNING id`.execute(tx);
  return row.rows[0]!.id;
}

export async function addActor(tx: Executor, notificationId: string, actorId: string): Promise<void> {
  await tx
    .insertInto('notification_actors')
    .values({ notification_id: notificationId, actor_id: actorId })
    .onConflict((oc) => oc.columns(['notification_id', 'actor_id']).doUpdateSet({ created_at: sql`NOW()` }))
    .execute();
}

/** The group's actor count and its newest actors. */
export async function groupActors(tx: Executor, notificationId: string): Promise<{ count: number; newest: string[] }> {
  const row = await sql<{ count: number; newest: string[] | null }>`
    SELECT (SELECT count(*)::int FROM notification_actors WHERE notification_id = ${notificationId}) AS count,
           (SELECT array_agg(actor_id ORDER BY created_at DESC, actor_id) FROM (
               SELECT actor_id, created_at FROM notification_actors WHERE notification_id = ${notificationId}
               ORDER BY created_at DESC, actor_id LIMIT ${NAMED_ACTORS}) newest) AS newest`.execute(tx);
  const first = row.rows[0];
  return { count: first?.count ?? 0, newest: first?.newest ?? [] };
}

export async function renderGroup(
  tx: Executor,
  notificationId: string,
  values: { title: string; actorId: string | null; actorCount: number; actorIds: string[]; snippet?: string },
): Promise<void> {
  const extra: Record<string, unknown> = { actor_count: values.actorCount, actor_ids: values.actorIds };
  if (values.snippet !== undefined) extra.snippet = values.snippet;
  await sql`
    UPDATE notifications
    SET title = ${values.title}, actor_id = ${values.actorId}, data = data || ${JSON.stringify(extra)}::jsonb
    WHERE id = ${notificationId}`.execute(tx);
}

/** The unread group of a cause, locked (retraction). */
export async function unreadGroupForUpdate(
  tx: Executor,
  cause: Pick<NotificationCause, 'recipientId' | 'type' | 'entityType' | 'entityId'>,
): Promise<{ id: string; data: unknown } | undefined> {
  return tx
    .selectFrom('notifications')
    .select(['id', 'data'])
    .where('user_id', '=', cause.recipientId)
    .where('type', '=', cause.type)
    .where('entity_type', '=', cause.entityType)
    .where('entity_id', '=', cause.entityId)
    .where('is_read', '=', false)
    .forUpdate()
    .executeTakeFirst();
}

export async function removeActor(tx: Executor, notificationId: string, actorId: string): Promise<boolean> {
  const result = await tx
    .deleteFrom('notification_actors')
    .where('notification_id', '=', notificationId)
    .where('actor_id', '=', actorId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteNotification(tx: Executor, notificationId: string): Promise<void> {
  await tx.deleteFrom('notifications').where('id', '=', notificationId).execute();
}

/**
 * Groups of `recipientId` that `actorId` is part of (as actor row or as the notification's actor), locked, with
 * what is left once that actor is out: forgetNotificationsBetween re-renders or deletes them.
 */
export async function groupsWithActor(tx: Executor, recipientId: string, actorId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT n.id FROM notifications n
    WHERE n.user_id = ${recipientId}
      AND (n.actor_id = ${actorId}
           OR EXISTS (SELECT 1 FROM notification_actors a WHERE a.notification_id = n.id AND a.actor_id = ${actorId}))
    ORDER BY n.id
    FOR UPDATE`.execute(tx);
  return rows.rows.map((row) => row.id);
}

export async function notificationMeta(
  tx: Executor,
  id: string,
): Promise<{ type: string; entity_type: string | null; data: unknown } | undefined> {
  return tx.selectFrom('notifications').select(['type', 'entity_type', 'data']).where('id', '=', id).executeTakeFirst();
}

// ---- reads and the recipient's own changes ----------------------------------------------------------------------

export { notificationColumns };

export async function listPage(
  db: Executor,
  userId: string,
  options: { limit: number; after?: Position; unreadOnly: boolean },
) {
  return notificationPageQuery(db, userId, options).execute();
}

export async function findOwn(db: Executor, userId: string, id: string) {
  return db
    .selectFrom('notifications')
    .select([...notificationColumns])
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Served by idx_notifications_user_id_unread (an index-only count of the partial index). */
export async function unreadCount(db: Executor, userId: string): Promise<number> {
  const row = await unreadCountQuery(db, userId).executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function markRead(db: Executor, userId: string, id: string): Promise<boolean> {
  const found = await db
    .updateTable('notifications')
    .set({ is_read: true, read_at: sql`COALESCE(read_at, NOW())` })
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(found.numUpdatedRows) > 0;
}

/** Marks read the unread notifications whose latest activity is at or before `upTo`; returns how many. */
export async function markAllRead(db: Executor, userId: string, upTo: string | undefined): Promise<number> {
  let query = db
    .updateTable('notifications')
    .set({ is_read: true, read_at: sql`NOW()` })
    .where('user_id', '=', userId)
    .where('is_read', '=', false);
  // The API shows milliseconds; the column keeps microseconds: compare at the precision the client saw.
  if (upTo !== undefined)
    query = query.where(sql<boolean>`date_trunc('milliseconds', created_at) <= ${upTo}::timestamptz`);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteOwn(db: Executor, userId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('notifications')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// ---- email -------------------------------------------------------------------------------------------------------

/** Unread notifications of a user created after `since` (digest), newest first, at most `limit`. */
export async function unreadSince(db: Executor, userId: string, since: Date | null, limit: number) {
  let query = db
    .selectFrom('notifications')
    .select(['id', 'title', 'created_at'])
    .where('user_id', '=', userId)
    .where('is_read', '=', false);
  if (since) query = query.where('created_at', '>', since);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
