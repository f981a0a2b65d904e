// Who an account is to others (issue 15 §1, ADR 0060): whether it can be followed at all (a live account: not
// deleted, banned or deactivated, the same rule as profilesPolicy.viewProfile) and how private its profile is.
// The social domain asks here instead of reading users and user_profiles itself (GUIDE, domain isolation).
import type { Database } from '../../platform/db/pool.ts';

export type ProfileVisibility = 'public' | 'unlisted' | 'private';

/**
 * The profile visibility of a live account, or undefined when there is none (never existed, deleted, banned or
 * deactivated). An account without a profile row is public (the column's default).
 */
export async function profileVisibilityOf(db: Database, userId: string): Promise<ProfileVisibility | undefined> {
  const row = await db
    .selectFrom('users')
    .leftJoin('user_profiles', 'user_profiles.user_id', 'users.id')
    .select('user_profiles.profile_visibility')
    .where('users.id', '=', userId)
    .where('users.deleted_at', 'is', null)
    .where('users.is_banned', '=', false)
    .where('users.is_active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  return row.profile_visibility ?? 'public';
}
