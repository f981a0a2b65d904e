// Settings of the marketplace's money side (ADRs 0071-0074), read from the environment with safe defaults so the
// whole flow runs on a fresh clone (manual payments, no tax). Invalid values stop the start-up with a clear message.
import { MAX_CENTS, parseMoney, parseRate, type Cents, type Rate } from './money.ts';

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
}

type Env = Record<string, string | undefined>;

function whole(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number between ${min} and ${max}`);
  }
  return value;
}

export function marketMoneyConfig(env: Env = process.env): MarketMoneyConfig {
  const taxRates = new Map<string, Rate>();
  for (const entry of (env.VEZA_MARKET_TAX_RATES ?? '').split(',').filter((e) => e.trim() !== '')) {
    const [country, rate] = entry.trim().split(':');
    if (!country || !/^[A-Z]{2}$/.test(country) || rate === undefined) {
      throw new Error('VEZA_MARKET_TAX_RATES must look like FR:0.2,DE:0.19');
    }
    taxRates.set(country, parseRate(rate));
  }
  const payoutMinimum = parseMoney(env.VEZA_MARKET_PAYOUT_MINIMUM ?? '20.00');
  if (payoutMinimum === 0n || payoutMinimum > MAX_CENTS) throw new Error('VEZA_MARKET_PAYOUT_MINIMUM must be positive');
  return {
    commissionRate: parseRate(env.VEZA_MARKET_COMMISSION_RATE ?? '0.15'),
    taxRates,
    orderTtlMinutes: whole(env, 'VEZA_MARKET_ORDER_TTL_MINUTES', 30, 1, 7 * 24 * 60),
    holdDays: whole(env, 'VEZA_MARKET_HOLD_DAYS', 14, 0, 365),
    payoutMinimum,
    stripeSecretKey: env.VEZA_STRIPE_SECRET_KEY || undefined,
    stripeWebhookSecret: env.VEZA_STRIPE_WEBHOOK_SECRET || undefined,
  };
}
