// The hot reads of notifications as query builders, shared by the repository and the benchmark (bench/workloads.ts)
// and its EXPLAIN test, so the benchmark measures the SQL the service issues.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { beforePosition, POSITION_STAMP, positionStamp, type Position } from '../../platform/http/pagination.ts';

// `is_read = false` is written as SQL, not bound: a prepared statement's generic plan can use the partial unread
// indexes only when their predicate is in the query's text (ADR 0027).
const UNREAD = sql<boolean>`notifications.is_read = false`;

export const notificationColumns = [
  'id',
  'type',
  'actor_id',
  'entity_type',
  'entity_id',
  'title',
  'body',
  'data',
  'is_read',
  'read_at',
  'created_at',
] as const;

/** The unread badge: an index-only count over idx_notifications_user_id_unread. */
export function unreadCountQuery(db: Kysely<DB>, userId: string) {
  return db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', userId)
    .where(UNREAD);
}

/** A page of the list, newest activity first (idx_notifications_user_id_created_at / _unread); `limit + 1` rows. */
export function notificationPageQuery(
  db: Kysely<DB>,
  userId: string,
  options: { limit: number; after?: Position | undefined; unreadOnly: boolean },
) {
  let query = db
    .selectFrom('notifications')
    .select([...notificationColumns, positionStamp().as(POSITION_STAMP)])
    .where('user_id', '=', userId);
  if (options.unreadOnly) query = query.where(UNREAD);
  if (options.after) query = query.where(beforePosition(options.after));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
}
