// Money in the marketplace (ADR 0071): never a binary float. Amounts are integer minor units (cents) held as BigInt in
// code, decimal strings with exactly two decimals in the API ("12.50"), DECIMAL(10,2) in the database. One currency
// per cart/order. Rates (commission, tax, percentage discounts) are decimal strings with up to 6 decimals and are
// applied with half-up rounding to the cent.

/** Cents, always a non-negative integer unless a function says otherwise. */
export type Cents = bigint;

/** Largest amount a DECIMAL(10,2) column holds: 99 999 999.99. */
export const MAX_CENTS: Cents = 9_999_999_999n;

/** ISO 4217 codes the marketplace accepts (every one has two minor digits). */
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD'] as const;
export type Currency = (typeof CURRENCIES)[number];

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

/** Why a value is not an amount; routes map it to a 400/422 with a stable code. */
export type MoneyErrorReason =
  'malformed' | 'negative' | 'too_precise' | 'too_large' | 'currency_mismatch' | 'bad_rate';

export class MoneyError extends Error {
  readonly reason: MoneyErrorReason;

  constructor(reason: MoneyErrorReason, message: string) {
    super(message);
    this.name = 'MoneyError';
    this.reason = reason;
  }
}

const AMOUNT = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/**
 * Parses an API or database amount ("12", "12.5", "12.50") into cents. Refuses anything that is not a plain
 * non-negative decimal with at most two decimals within the column's range: NaN, "1e3", "-1", "1.005", " 1", numbers.
 * Database values (DECIMAL(10,2), returned by pg as strings) always pass.
 */
export function parseMoney(value: unknown): Cents {
  if (typeof value !== 'string') throw new MoneyError('malformed', 'an amount is a decimal string such as "12.50"');
  if (value.startsWith('-')) throw new MoneyError('negative', 'an amount cannot be negative');
  if (/^\d+\.\d{3,}$/.test(value)) throw new MoneyError('too_precise', 'an amount has at most two decimals');
  const match = AMOUNT.exec(value);
  if (!match) throw new MoneyError('malformed', 'an amount is a decimal string such as "12.50"');
  const cents = BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0') || '0');
  assertInRange(cents);
  return cents;
}

/** Formats cents for the API and the database: "12.50", "0.00". */
export function formatMoney(cents: Cents): string {
  assertInRange(cents);
  const whole = cents / 100n;
  const fraction = (cents % 100n).toString().padStart(2, '0');
  return `${whole}.${fraction}`;
}

export function assertInRange(cents: Cents): void {
  if (cents < 0n) throw new MoneyError('negative', 'an amount cannot be negative');
  if (cents > MAX_CENTS) throw new MoneyError('too_large', 'an amount cannot exceed 99999999.99');
}

export function addMoney(...amounts: Cents[]): Cents {
  let total = 0n;
  for (const amount of amounts) total += amount;
  assertInRange(total);
  return total;
}

/** a - b; refuses a negative result (money never goes below zero by subtraction in this domain). */
export function subtractMoney(a: Cents, b: Cents): Cents {
  const result = a - b;
  assertInRange(result);
  return result;
}

export function minMoney(a: Cents, b: Cents): Cents {
  return a < b ? a : b;
}

/** A rate as parts per million: "0.2" -> 200000, "0.075" -> 75000. Between 0 and 1 inclusive, at most 6 decimals. */
export type Rate = bigint;
const RATE_SCALE = 1_000_000n;

export function parseRate(value: string | number): Rate {
  const text = typeof value === 'number' ? String(value) : value;
  const match = /^(0|1)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new MoneyError('bad_rate', `a rate is a decimal between 0 and 1 with at most 6 decimals: ${text}`);
  const ppm = BigInt(match[1]!) * RATE_SCALE + BigInt((match[2] ?? '').padEnd(6, '0') || '0');
  if (ppm > RATE_SCALE) throw new MoneyError('bad_rate', `a rate cannot exceed 1: ${text}`);
  return ppm;
}

/** A percentage (0 < p <= 100, at most 2 decimals, e.g. "15" or "12.5") as a rate. */
export function percentToRate(percent: string): Rate {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(percent);
  if (!match) throw new MoneyError('bad_rate', 'a percentage is a decimal between 0 and 100 with at most 2 decimals');
  const hundredths = BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0') || '0');
  if (hundredths > 10_000n) throw new MoneyError('bad_rate', 'a percentage cannot exceed 100');
  return hundredths * 100n;
}

/** cents × rate, rounded half-up to the cent (0.005 -> 0.01): the one rounding rule of the domain (ADR 0071). */
export function applyRate(cents: Cents, rate: Rate): Cents {
  if (cents < 0n) throw new MoneyError('negative', 'an amount cannot be negative');
  return (cents * rate + RATE_SCALE / 2n) / RATE_SCALE;
}

/**
 * Splits an amount into [part at rate, rest] so the two always add up to the amount exactly (commission and seller
 * share; ADR 0074): the rounded part is computed once and the rest is the difference.
 */
export function splitByRate(cents: Cents, rate: Rate): [Cents, Cents] {
  const part = applyRate(cents, rate);
  return [part, cents - part];
}

/**
 * Distributes `amount` over `weights` in proportion, largest-remainder method, so the parts add up exactly to the
 * amount (an order-level discount spread over its lines). Weights are non-negative; all-zero weights give all zeros
 * except the first part, which takes the amount.
 */
export function allocate(amount: Cents, weights: readonly Cents[]): Cents[] {
  if (weights.length === 0) return [];
  const total = weights.reduce((a, b) => a + b, 0n);
  if (total === 0n) return weights.map((_, i) => (i === 0 ? amount : 0n));
  const parts = weights.map((w) => (amount * w) / total);
  let rest = amount - parts.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, remainder: (amount * w) % total }))
    .sort((x, y) => (y.remainder > x.remainder ? 1 : y.remainder < x.remainder ? -1 : x.i - y.i));
  for (const { i } of order) {
    if (rest === 0n) break;
    parts[i]! += 1n;
    rest -= 1n;
  }
  return parts;
}

/** Refuses mixing currencies in one cart/order. */
export function assertSameCurrency(expected: string, actual: string): void {
  if (expected !== actual) {
    throw new MoneyError('currency_mismatch', `one currency per cart: ${expected} expected, ${actual} given`);
  }
}
