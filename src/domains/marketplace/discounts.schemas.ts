// The contract of discount codes (issue 16 §5, ADR 0072).
import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { Money, MoneyInput, Nullable, Timestamp, Uuid } from './common.schemas.ts';

export const DiscountCodeCreateSchema = Type.Object(
  {
    code: Type.String({ minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9_-]+$', description: 'Case-insensitive' }),
    discount_type: Type.Union([Type.Literal('percentage'), Type.Literal('fixed_amount')]),
    discount_value: { ...MoneyInput, description: 'Percent off (0.01-100) or an amount off in `currency`' },
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'The currency of the carts the code applies to' }),
    minimum_purchase_amount: Type.Optional(MoneyInput),
    maximum_discount_amount: Type.Optional(MoneyInput),
    usage_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    valid_from: Timestamp,
    valid_until: Timestamp,
  },
  { additionalProperties: false },
);
export type DiscountCodeCreate = Static<typeof DiscountCodeCreateSchema>;

export const DiscountCodeSchema = Type.Object({
  id: Uuid,
  code: Type.String(),
  discount_type: Type.Union([Type.Literal('percentage'), Type.Literal('fixed_amount')]),
  discount_value: Money,
  currency: Type.String(),
  minimum_purchase_amount: Nullable(Money),
  maximum_discount_amount: Nullable(Money),
  usage_limit: Nullable(Type.Integer()),
  usage_count: Type.Integer(),
  valid_from: Timestamp,
  valid_until: Timestamp,
  is_active: Type.Boolean(),
  scope: Type.Union([Type.Literal('creator'), Type.Literal('platform')], {
    description: "creator: applies to the creator's own products only; platform: to every product",
  }),
  created_at: Timestamp,
});

export const DiscountCodePageSchema = PageSchema(DiscountCodeSchema);
