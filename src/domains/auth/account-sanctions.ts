// Moderation sanctions on an account (issue 18 §12, ADR 0095): a ban (users.is_banned) or a suspension until a
// date (users.suspended_until). users belongs to this domain, so the admin domain applies sanctions through these
// functions, inside its own transaction (the one that writes the moderation log and resolves the report).
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';

/** Whether a suspension holds at `nowMs`: authentication checks it on every request, so expiry needs no job. */
export function isSuspended(account: { suspended_until: Date | null }, nowMs: number = Date.now()): boolean {
  return account.suspended_until !== null && account.suspended_until.getTime() > nowMs;
}

/**
 * Locks every administrator's row, in id order. A ban or suspension takes these locks BEFORE the target's own row:
 * two admins banning each other at once would otherwise each hold their target and wait for the other's (a
 * deadlock), where in this order the second simply waits for the first and then sees its result.
 */
export async function lockAdministrators(tx: Transaction<DB>): Promise<void> {
  await tx.selectFrom('users').select('id').where('role', '=', 'admin').orderBy('id').forUpdate().execute();
}

/** A live account as a sanction needs it, locked until the transaction ends; undefined when gone. */
export async function lockAccountForSanction(tx: Transaction<DB>, userId: string) {
  return tx
    .selectFrom('users')
    .select(['id', 'role', 'is_active', 'is_banned', 'suspended_until'])
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * How many administrators other than `userId` can still act at `now` (active; not banned, suspended or deleted). Locks every admin
 * row first, so two moderators banning the last two admins at once cannot both see "one other left".
 */
export async function otherUsableAdmins(tx: Transaction<DB>, userId: string, now: Date): Promise<number> {
  await lockAdministrators(tx);
  const row = await tx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('role', '=', 'admin')
    .where('id', '<>', userId)
    .where('deleted_at', 'is', null)
    .where('is_active', '=', true)
    .where('is_banned', '=', false)
    .where((eb) => eb.or([eb('suspended_until', 'is', null), eb('suspended_until', '<=', now)]))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Sets the ban and/or the suspension of an account (the audit trigger on users records who did it). */
export async function sanctionAccount(
  tx: Transaction<DB>,
  userId: string,
  change: { is_banned?: boolean; suspended_until?: Date | null },
): Promise<void> {
  await tx.updateTable('users').set(change).where('id', '=', userId).execute();
}

/** A live account anyone can see, hence report (active, not banned, not deleted); undefined otherwise. */
export async function reportableAccount(db: Kysely<DB>, userId: string) {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('is_active', '=', true)
    .where('is_banned', '=', false)
    .executeTakeFirst();
  return row && { ownerId: row.id };
}
