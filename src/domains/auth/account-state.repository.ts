import type { Database } from '../../platform/db/pool.ts';

/** What authentication needs to know of an account, read fresh on every request. */
export function findAccountState(db: Database, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'role', 'token_version', 'is_active', 'is_banned', 'deleted_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
}
