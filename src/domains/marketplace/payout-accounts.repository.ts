// Every SQL statement on seller_payout_accounts (migration 0052, ADR 0084). Rows in, rows out. The seller's own
// writes name them as the actor (withActor), so the audit trail says who changed a payout destination.
import { sql, type Selectable } from 'kysely';
import { withActor } from '../../platform/db/actor.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';

export type PayoutAccountRow = Selectable<DB['seller_payout_accounts']>;

const TAKEN = 'uq_seller_payout_accounts_provider_account_id';

export function findPayoutAccount(db: Database, sellerId: string): Promise<PayoutAccountRow | undefined> {
  return db.selectFrom('seller_payout_accounts').selectAll().where('seller_id', '=', sellerId).executeTakeFirst();
}

/**
 * Registers or replaces the seller's Stripe account. The same account id again changes nothing (its verification
 * stays); another one starts unverified, since Stripe has not yet said it can receive payouts. Returns undefined
 * when another seller registered that account id (uq_seller_payout_accounts_provider_account_id).
 */
export async function savePayoutAccount(
  db: Database,
  sellerId: string,
  accountId: string,
): Promise<PayoutAccountRow | undefined> {
  try {
    return await withActor(db, sellerId, async (tx) => {
      const result = await sql<PayoutAccountRow>`
        INSERT INTO seller_payout_accounts (seller_id, provider, account_id)
        VALUES (${sellerId}::uuid, 'stripe_connect', ${accountId})
        ON CONFLICT (seller_id) DO UPDATE
           SET account_id = EXCLUDED.account_id, provider = EXCLUDED.provider, verified_at = NULL
         WHERE seller_payout_accounts.account_id <> EXCLUDED.account_id
            OR seller_payout_accounts.provider <> EXCLUDED.provider
        RETURNING *`.execute(tx);
      return result.rows[0] ?? (await findPayoutAccount(tx, sellerId));
    });
  } catch (error) {
    if ((error as { code?: string; constraint?: string }).constraint === TAKEN) return undefined;
    throw error;
  }
}

/** Removes the seller's account; false when there was none. */
export async function deletePayoutAccount(db: Database, sellerId: string): Promise<boolean> {
  return withActor(db, sellerId, async (tx) => {
    const result = await tx.deleteFrom('seller_payout_accounts').where('seller_id', '=', sellerId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  });
}

/**
 * What Stripe's account.updated said about a connected account: able to receive payouts or not. A verified
 * account keeps its first verification time; `at` is the event's own time, so an event older than the current
 * verification (delivered late) does not withdraw it. Returns whether a row changed.
 */
export async function setPayoutAccountVerified(
  db: Database,
  accountId: string,
  payoutsEnabled: boolean,
  at: Date,
): Promise<'applied' | 'stale' | 'ignored'> {
  const row = await db
    .selectFrom('seller_payout_accounts')
    .select(['id', 'verified_at'])
    .where('provider', '=', 'stripe_connect')
    .where('account_id', '=', accountId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return 'ignored';
  if (payoutsEnabled === (row.verified_at !== null)) return 'ignored';
  if (!payoutsEnabled && row.verified_at && row.verified_at > at) return 'stale';
  await db
    .updateTable('seller_payout_accounts')
    .set({ verified_at: payoutsEnabled ? at : null })
    .where('id', '=', row.id)
    .execute();
  return 'applied';
}

/** The seller's account able to receive payouts (verified), or null. */
export async function verifiedPayoutAccount(db: Database, sellerId: string): Promise<string | null> {
  const row = await db
    .selectFrom('seller_payout_accounts')
    .select('account_id')
    .where('seller_id', '=', sellerId)
    .where('provider', '=', 'stripe_connect')
    .where('verified_at', 'is not', null)
    .executeTakeFirst();
  return row?.account_id ?? null;
}
