// Settings of the marketplace's money side (ADRs 0071-0074). They are read and validated with every other setting by
// the platform configuration (src/platform/config/config.ts, `market`; README "Configuration"), as exact integers;
// this file only turns them into the domain's Rate and Cents.
import { marketConfig, type MarketConfig } from '../../platform/config/config.ts';
import type { Cents, Rate } from './money.ts';

export interface MarketMoneyConfig {
  /** Platform commission on every sold line, half-up to the cent (ADR 0074). VEZA_MARKET_COMMISSION_RATE, 0.15. */
  commissionRate: Rate;
  /**
   * Tax rate per ISO 3166 country of the billing address, e.g. `FR:0.2,DE:0.19` (VEZA_MARKET_TAX_RATES); other
   * countries 0. A per-country flat rate, not a tax engine (issue 16 §6: out of scope).
   */
  taxRates: ReadonlyMap<string, Rate>;
  /** How long an unpaid order holds its licence units and discount use (VEZA_MARKET_ORDER_TTL_MINUTES, 30). */
  orderTtlMinutes: number;
  /** Refund window, and how long a seller's share is held before it is payable (VEZA_MARKET_HOLD_DAYS, 14). */
  holdDays: number;
  /** Smallest payout (VEZA_MARKET_PAYOUT_MINIMUM, 20.00). */
  payoutMinimum: Cents;
  /** Stripe: VEZA_STRIPE_SECRET_KEY enables the stripe payment method; VEZA_STRIPE_WEBHOOK_SECRET its webhooks. */
  stripeSecretKey: string | undefined;
  stripeWebhookSecret: string | undefined;
  /** VEZA_STRIPE_CONNECT_WEBHOOK_SECRET: the Connect webhook marking sellers' accounts verified (ADR 0084). */
  stripeConnectWebhookSecret: string | undefined;
}

/** The platform configuration's `market` settings in the domain's units (a rate is parts per million, ADR 0071). */
export function moneyConfigOf(market: MarketConfig): MarketMoneyConfig {
  return {
    commissionRate: BigInt(market.commissionRatePpm),
    taxRates: new Map(Object.entries(market.taxRatesPpm).map(([country, ppm]) => [country, BigInt(ppm)])),
    orderTtlMinutes: market.orderTtlMinutes,
    holdDays: market.holdDays,
    payoutMinimum: BigInt(market.payoutMinimumCents),
    stripeSecretKey: market.stripeSecretKey,
    stripeWebhookSecret: market.stripeWebhookSecret,
    stripeConnectWebhookSecret: market.stripeConnectWebhookSecret,
  };
}

/** The settings an environment gives (tests and scripts; the service takes them from its loaded Config). */
export function marketMoneyConfig(env: Record<string, string | undefined> = process.env): MarketMoneyConfig {
  return moneyConfigOf(marketConfig(env));
}
