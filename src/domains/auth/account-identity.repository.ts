import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from './auth.repository.ts';

/** The SQL of changing an account's username (ADR 0031) and email address (ADR 0032). */

/** What a username or email change needs to know of the account, locked until the transaction ends. */
export function findIdentityForUpdate(trx: Transaction<DB>, userId: string) {
  return trx
    .selectFrom('users')
    .select([
      'id',
      'email',
      'username',
      'previous_username',
      'previous_username_held_until',
      'password_hash',
      'last_login_at',
    ])
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export function findIdentity(db: Executor, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'username', 'password_hash', 'last_login_at'])
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export function setUsername(
  trx: Executor,
  userId: string,
  change: { username: string; previousUsername: string | null; heldUntil: Date | null },
) {
  return trx
    .updateTable('users')
    .set({
      username: change.username,
      previous_username: change.previousUsername,
      previous_username_held_until: change.heldUntil,
    })
    .where('id', '=', userId)
    .returning(['username', 'previous_username', 'previous_username_held_until'])
    .executeTakeFirstOrThrow();
}

/** Whether another account, live or deleted, has this (lower-case) address. */
export async function emailTakenByOther(db: Executor, email: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .where('id', '<>', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The new address replaces the old one, verified since the link reached it; the account's sessions go on
 * (the person proved both their session and the new mailbox).
 */
export async function replaceEmail(trx: Executor, userId: string, email: string): Promise<void> {
  await trx
    .updateTable('users')
    .set({ email, email_verified_at: sql<Date>`NOW()` })
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .execute();
}

/**
 * Spends the account's outstanding verification links (marks them used), all of them or those mailed to another
 * address than `keepEmail`: a link to an address that is no longer wanted must not move the account there later.
 */
export async function spendEmailVerificationTokens(trx: Executor, userId: string, keepEmail?: string): Promise<void> {
  let query = trx
    .updateTable('email_verification_tokens')
    .set({ verified: true, verified_at: sql<Date>`NOW()` })
    .where('user_id', '=', userId)
    .where('verified', '=', false);
  if (keepEmail !== undefined) query = query.where('email', '<>', keepEmail);
  await query.execute();
}
