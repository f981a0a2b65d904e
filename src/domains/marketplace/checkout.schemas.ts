// The contract of the marketplace's money routes (issue 16 §4-7, 10; ADR 0071): cart, checkout, orders, payments.
// Amounts are decimal strings with two decimals (ADR 0071); requests may omit trailing zeros.
import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { ONE_LINE_PATTERN } from '../../platform/http/text-patterns.ts';
import { closed, Currency, Money, MoneyInput, Nullable, Timestamp, Uuid } from './common.schemas.ts';

export const IdParams = Type.Object({ id: Uuid }, closed);

export const CartItemCreateSchema = Type.Object(
  {
    product_id: Uuid,
    license_id: Type.String({ format: 'uuid', description: 'The licence of the product being bought' }),
    amount: Type.Optional({
      ...MoneyInput,
      description: 'Pay-what-you-want products: your amount, at least the minimum',
    }),
  },
  closed,
);
export type CartItemCreate = Static<typeof CartItemCreateSchema>;

export const CartSchema = Type.Object({
  currency: Nullable(Currency),
  item_count: Type.Integer({ minimum: 0 }),
  subtotal: Money,
  items: Type.Array(
    Type.Object({
      id: Uuid,
      product_id: Uuid,
      license_id: Nullable(Uuid),
      product_name: Type.String(),
      license_name: Nullable(Type.String()),
      seller_id: Uuid,
      price: {
        ...Money,
        description: 'Price snapshot taken when added; checkout reports any change (409 CART_CHANGED)',
      },
      currency: Currency,
      on_sale: Type.Boolean(),
      added_at: Timestamp,
    }),
  ),
});

const Line = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: ONE_LINE_PATTERN });

export const BillingAddressSchema = Type.Object(
  {
    line1: Type.Optional(Line(200)),
    line2: Type.Optional(Line(200)),
    city: Type.Optional(Line(100)),
    postal_code: Type.Optional(Line(20)),
    region: Type.Optional(Line(100)),
    country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2: sets the tax rate' }),
  },
  closed,
);

export const CheckoutSchema = Type.Object(
  {
    billing_email: Type.String({ format: 'email', maxLength: 255 }),
    billing_name: Type.Optional(Line(255)),
    billing_address: Type.Optional(BillingAddressSchema),
    discount_code: Type.Optional(Type.String({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_-]+$' })),
    payment_method: Type.Optional(Type.Union([Type.Literal('manual'), Type.Literal('stripe')], { default: 'manual' })),
  },
  closed,
);

const OrderStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('paid'),
  Type.Literal('processing'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
  Type.Literal('refunded'),
]);

export const OrderSchema = Type.Object({
  id: Uuid,
  order_number: Type.String({ examples: ['VZ-20261207-7KQ4M2XD9P'] }),
  status: OrderStatus,
  currency: Currency,
  subtotal: Money,
  discount_total: Money,
  tax_total: Money,
  total: { ...Money, description: 'subtotal − discount_total + tax_total' },
  payment_method: Nullable(Type.String()),
  billing_email: Type.String(),
  billing_name: Nullable(Type.String()),
  billing_address: Nullable(Type.Record(Type.String(), Type.String())),
  created_at: Timestamp,
  expires_at: Nullable({ ...Timestamp, description: 'An unpaid order is cancelled then, its licences released' }),
  paid_at: Nullable(Timestamp),
  cancelled_at: Nullable(Timestamp),
  refunded_at: Nullable(Timestamp),
  items: Type.Array(
    Type.Object({
      id: Uuid,
      product_id: Uuid,
      license_id: Nullable(Uuid),
      product_name: Type.String(),
      seller_id: Uuid,
      price: { ...Money, description: 'What this line costs after the discount code' },
      license_terms: Nullable(Type.String()),
    }),
  ),
});

export const CheckoutResultSchema = Type.Object({
  ...OrderSchema.properties,
  client_secret: Nullable(Type.String({ description: 'Stripe: what the client confirms the PaymentIntent with' })),
});

export const OrderPageSchema = PageSchema(OrderSchema);

export const WebhookResultSchema = Type.Object({
  received: Type.Literal(true),
  outcome: Type.String({ description: 'applied, ignored, stale or duplicate (a replay: nothing changed)' }),
});
