// The SQL of discount codes (spec §10.10-10.11, issue 16 §5, ADR 0072). Rows in, rows out.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Executor } from './carts.repository.ts';

export interface DiscountCodeRow {
  id: string;
  code: string;
  discount_type: 'percentage' | 'fixed_amount';
  discount_value: string;
  currency: string;
  minimum_purchase_amount: string | null;
  maximum_discount_amount: string | null;
  usage_limit: number | null;
  usage_count: number;
  valid_from: Date;
  valid_until: Date;
  is_active: boolean;
  creator_id: string | null;
  created_at: Date;
}

const COLUMNS = sql`id, code, discount_type, discount_value::text AS discount_value, currency::text AS currency,
  minimum_purchase_amount::text AS minimum_purchase_amount, maximum_discount_amount::text AS maximum_discount_amount,
  usage_limit, usage_count, valid_from, valid_until, is_active, creator_id, created_at`;

/** A code by its text, whatever the case (idx_discount_codes_code on UPPER(code)). */
export async function codeNamed(executor: Executor, code: string): Promise<DiscountCodeRow | undefined> {
  const result = await sql<DiscountCodeRow>`
    SELECT ${COLUMNS} FROM discount_codes WHERE UPPER(code) = UPPER(${code})`.execute(executor);
  return result.rows[0];
}

/**
 * Holds a use of a code for the checkout's transaction: locks the code row while a use is left. The use itself is
 * the discount_code_usage row recordUse inserts, which the counter trigger of migration 0016 adds to usage_count.
 * Concurrent checkouts queue on the row lock, and the one that waited re-checks `usage_count < usage_limit` against
 * the committed count (READ COMMITTED re-evaluates a locked row), so exactly usage_limit of them get through
 * (chk_discount_codes_usage_within_limit backs it up).
 */
export async function takeUse(tx: Transaction<DB>, codeId: string): Promise<boolean> {
  const result = await sql`
    SELECT id FROM discount_codes
     WHERE id = ${codeId}::uuid AND is_active AND (usage_limit IS NULL OR usage_count < usage_limit)
     FOR UPDATE`.execute(tx);
  return result.rows.length > 0;
}

export async function recordUse(
  tx: Transaction<DB>,
  use: { codeId: string; orderId: string; userId: string; amount: string },
): Promise<void> {
  await tx
    .insertInto('discount_code_usage')
    .values({ discount_code_id: use.codeId, order_id: use.orderId, user_id: use.userId, discount_amount: use.amount })
    .execute();
}

/** Gives back the use of an order that expired unpaid (its row deleted; the trigger decrements usage_count). */
export async function releaseUse(tx: Transaction<DB>, orderId: string): Promise<void> {
  await tx.deleteFrom('discount_code_usage').where('order_id', '=', orderId).execute();
}

export interface NewDiscountCode {
  code: string;
  discount_type: 'percentage' | 'fixed_amount';
  discount_value: string;
  currency: string;
  minimum_purchase_amount: string | null;
  maximum_discount_amount: string | null;
  usage_limit: number | null;
  valid_from: Date;
  valid_until: Date;
  creator_id: string | null;
}

/** Inserts a code; undefined when a code with the same text in any case exists (no error, no aborted tx). */
export async function insertCode(executor: Executor, code: NewDiscountCode): Promise<DiscountCodeRow | undefined> {
  const result = await sql<DiscountCodeRow>`
    INSERT INTO discount_codes (code, discount_type, discount_value, currency, minimum_purchase_amount,
                                maximum_discount_amount, usage_limit, valid_from, valid_until, creator_id)
    VALUES (${code.code}, ${code.discount_type}, ${code.discount_value}, ${code.currency},
            ${code.minimum_purchase_amount}, ${code.maximum_discount_amount}, ${code.usage_limit},
            ${code.valid_from}, ${code.valid_until}, ${code.creator_id})
    ON CONFLICT DO NOTHING
    RETURNING ${COLUMNS}`.execute(executor);
  return result.rows[0];
}

/** The codes a creator made (null: the platform's), newest first, keyset on (created_at, id). */
export async function codesOf(
  executor: Executor,
  creatorId: string | null,
  limit: number,
  after: { createdAt: string; id: string } | undefined,
): Promise<(DiscountCodeRow & { position_stamp: string })[]> {
  const result = await sql<DiscountCodeRow & { position_stamp: string }>`
    SELECT ${COLUMNS}, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_stamp
      FROM discount_codes
     WHERE ${creatorId === null ? sql`creator_id IS NULL` : sql`creator_id = ${creatorId}::uuid`}
       ${after ? sql`AND (created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``}
     ORDER BY created_at DESC, id DESC
     LIMIT ${limit + 1}`.execute(executor);
  return result.rows;
}
