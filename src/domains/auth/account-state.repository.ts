import { sql } from 'kysely';
import { compileOnce } from '../../platform/db/compile-once.ts';
import type { Database } from '../../platform/db/pool.ts';

// Runs on every authenticated request: compiled once (ADR 0030).
const accountState = compileOnce((db: Database, userId: string) =>
  db
    .selectFrom('users')
    .select(['id', 'role', 'token_version', 'is_active', 'is_banned', 'suspended_until', 'deleted_at'])
    .where('id', '=', userId),
);

/** What authentication needs to know of an account, read fresh on every request. */
export async function findAccountState(db: Database, userId: string) {
  return (await accountState(db, userId))[0];
}

/**
 * The same, for the account a username names in any case (uq_users_lower_username): for surfaces that sign in by
 * username without our token (the OpenSubsonic API, ADR 0051).
 */
export async function findAccountStateByUsername(db: Database, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'role', 'token_version', 'is_active', 'is_banned', 'suspended_until', 'deleted_at'])
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
}

/**
 * Where to mail a person about their own account's activity (notification emails, issue 15 §7): the address of a
 * live, active, unbanned account whose address was verified; undefined otherwise (nothing is sent).
 */
export async function mailAddressOf(db: Database, userId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('users')
    .select('email')
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('is_active', '=', true)
    .where('is_banned', '=', false)
    .where('email_verified_at', 'is not', null)
    .executeTakeFirst();
  return row?.email;
}
