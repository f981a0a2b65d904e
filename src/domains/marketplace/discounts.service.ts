// Discount codes (issue 16 §5, ADR 0072): creators make codes for their own products, admins platform-wide codes.
// Redemption happens in the checkout (checkout.service.ts: discountFor, takeUse).
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { decodeCursor, type PageQuery } from '../../platform/http/pagination.ts';
import { MoneyProblems } from './checkout.errors.ts';
import type { DiscountCodeCreate } from './discounts.schemas.ts';
import { codesOf, insertCode, type DiscountCodeRow } from './discounts.repository.ts';
import type { Database } from '../../platform/db/pool.ts';
import { formatMoney, isCurrency, MoneyError, parseMoney, percentToRate } from './money.ts';

function view(row: DiscountCodeRow) {
  return {
    id: row.id,
    code: row.code,
    discount_type: row.discount_type,
    discount_value: row.discount_value,
    currency: row.currency,
    minimum_purchase_amount: row.minimum_purchase_amount,
    maximum_discount_amount: row.maximum_discount_amount,
    usage_limit: row.usage_limit,
    usage_count: row.usage_count,
    valid_from: row.valid_from.toISOString(),
    valid_until: row.valid_until.toISOString(),
    is_active: row.is_active,
    scope: row.creator_id === null ? ('platform' as const) : ('creator' as const),
    created_at: row.created_at.toISOString(),
  };
}

function invalid(field: string, rule: string, message: string): ApiError {
  return new ApiError(MoneyProblems.discountCodeInvalidDefinition, message, [{ field, rule, message }]);
}

function amount(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  try {
    const cents = parseMoney(value);
    if (cents === 0n) throw invalid(field, 'positive', 'must be more than 0');
    return formatMoney(cents);
  } catch (error) {
    if (error instanceof MoneyError) throw invalid(field, error.reason, error.message);
    throw error;
  }
}

export function createDiscountsService(db: Database) {
  return {
    /** `platform`: an admin's code for every product (creator_id NULL); else the caller's own products only. */
    async create(caller: Caller, input: DiscountCodeCreate, platform: boolean) {
      const value = amount(input.discount_value, 'body.discount_value')!;
      if (input.discount_type === 'percentage') {
        try {
          percentToRate(value);
        } catch {
          throw invalid('body.discount_value', 'percentage', 'a percentage is at most 100');
        }
      }
      if (!isCurrency(input.currency)) throw invalid('body.currency', 'currency', 'is not a supported currency');
      const from = new Date(input.valid_from);
      const until = new Date(input.valid_until);
      if (!(until > from)) throw invalid('body.valid_until', 'after', 'must be after valid_from');
      const row = await insertCode(db, {
        code: input.code,
        discount_type: input.discount_type,
        discount_value: value,
        currency: input.currency,
        minimum_purchase_amount: amount(input.minimum_purchase_amount, 'body.minimum_purchase_amount'),
        maximum_discount_amount: amount(input.maximum_discount_amount, 'body.maximum_discount_amount'),
        usage_limit: input.usage_limit ?? null,
        valid_from: from,
        valid_until: until,
        creator_id: platform ? null : caller.userId,
      });
      if (!row) throw new ApiError(MoneyProblems.discountCodeTaken);
      return view(row);
    },

    async list(caller: Caller, query: PageQuery, platform: boolean) {
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await codesOf(db, platform ? null : caller.userId, query.limit, after);
      const kept = rows.slice(0, query.limit);
      const last = kept.at(-1);
      return {
        items: kept.map(view),
        next_cursor:
          rows.length > query.limit && last
            ? Buffer.from(JSON.stringify([last.position_stamp, last.id])).toString('base64url')
            : null,
      };
    },
  };
}

export type DiscountsService = ReturnType<typeof createDiscountsService>;
