// The seller's side of the marketplace (issue 16 §10, ADR 0077): what they sold, what they are owed and what was paid
// to them. TypeBox schemas = OpenAPI document; amounts are decimal strings with two decimals (ADR 0071).
import { Type } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { Currency, Money, Timestamp, Uuid } from './common.schemas.ts';

export const SaleSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The order line sold' }),
    order_number: Type.String({ description: 'The order’s reference, as on the buyer’s receipt; no buyer identity' }),
    product_id: Uuid,
    product_name: Type.String({ description: 'As sold (snapshot)' }),
    license_id: Type.Union([Uuid, Type.Null()]),
    license_name: Type.Union([Type.String(), Type.Null()], { description: 'As sold (snapshot at payment)' }),
    price: Money,
    currency: Currency,
    status: Type.Union([Type.Literal('paid'), Type.Literal('refunded')], {
      description: 'paid (also processing or completed orders) or refunded',
    }),
    paid_at: Type.Union([Timestamp, Type.Null()]),
    refunded_at: Type.Union([Timestamp, Type.Null()]),
    download_count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const SalePageSchema = PageSchema(SaleSchema);

export const BalanceSchema = Type.Object(
  {
    currency: Currency,
    earned: Type.String({ description: 'Your shares of every sale, minus refunds' }),
    held: Type.String({ description: 'Earned but still in the refund window (not yet payable)' }),
    paid_out: Type.String({ description: 'Payouts made or under way (failed ones are back in the balance)' }),
    payable: Type.String({ description: 'What the next payout run pays, once it reaches the minimum' }),
    payout_minimum: Money,
    hold_days: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const BalancesSchema = Type.Object(
  { items: Type.Array(BalanceSchema, { description: 'One per currency you sold in' }) },
  { additionalProperties: false },
);

export const PayoutSchema = Type.Object(
  {
    id: Uuid,
    payout_number: Type.String(),
    amount: Money,
    currency: Currency,
    method: Type.String({ description: 'bank_transfer (by staff) or stripe_connect' }),
    status: Type.Union([
      Type.Literal('pending'),
      Type.Literal('processing'),
      Type.Literal('completed'),
      Type.Literal('failed'),
    ]),
    failure_reason: Type.Union([Type.String(), Type.Null()]),
    created_at: Timestamp,
    completed_at: Type.Union([Timestamp, Type.Null()]),
    failed_at: Type.Union([Timestamp, Type.Null()]),
  },
  { additionalProperties: false },
);

export const PayoutPageSchema = PageSchema(PayoutSchema);
