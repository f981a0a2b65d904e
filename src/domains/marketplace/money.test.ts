// ADR 0071: the money rules, as a table of cases (pure functions: no database).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addMoney,
  allocate,
  applyRate,
  assertSameCurrency,
  formatMoney,
  MAX_CENTS,
  MoneyError,
  parseMoney,
  parseRate,
  percentToRate,
  splitByRate,
  subtractMoney,
} from './money.ts';

describe('money (ADR 0071)', () => {
  it('parses plain decimals into cents and formats them back with two decimals', () => {
    const cases: [string, bigint, string][] = [
      ['0', 0n, '0.00'],
      ['12', 1200n, '12.00'],
      ['12.5', 1250n, '12.50'],
      ['12.50', 1250n, '12.50'],
      ['0.01', 1n, '0.01'],
      ['99999999.99', MAX_CENTS, '99999999.99'],
    ];
    for (const [text, cents, formatted] of cases) {
      assert.equal(parseMoney(text), cents, text);
      assert.equal(formatMoney(cents), formatted, text);
    }
  });

  it('refuses NaN, negatives, three decimals, exponents, spaces, numbers and amounts over the column', () => {
    const cases: [unknown, MoneyError['reason']][] = [
      ['NaN', 'malformed'],
      ['-1', 'negative'],
      ['-0.01', 'negative'],
      ['1.005', 'too_precise'],
      ['1.000', 'too_precise'],
      ['1e3', 'malformed'],
      [' 1', 'malformed'],
      ['1.', 'malformed'],
      ['.5', 'malformed'],
      ['Infinity', 'malformed'],
      [12.5, 'malformed'],
      [null, 'malformed'],
      ['100000000.00', 'too_large'],
    ];
    for (const [value, reason] of cases) {
      assert.throws(
        () => parseMoney(value),
        (error: unknown) => error instanceof MoneyError && error.reason === reason,
        String(value),
      );
    }
  });

  it('rounds rates half-up to the cent', () => {
    assert.equal(applyRate(1n, parseRate('0.5')), 1n); // 0.005 -> 0.01
    assert.equal(applyRate(1n, parseRate('0.49')), 0n); // 0.0049 -> 0.00
    assert.equal(applyRate(999n, parseRate('0.2')), 200n); // 1.998 -> 2.00
    assert.equal(applyRate(1005n, parseRate('0.1')), 101n); // 1.005 -> 1.01 (no binary-float 1.00)
    assert.equal(applyRate(1999n, percentToRate('15')), 300n); // 2.9985 -> 3.00
    assert.equal(applyRate(1000n, percentToRate('12.5')), 125n);
    assert.equal(applyRate(1000n, parseRate('1')), 1000n);
    assert.throws(() => parseRate('1.1'), MoneyError);
    assert.throws(() => parseRate('-0.1'), MoneyError);
    assert.throws(() => parseRate('0.1234567'), MoneyError);
    assert.throws(() => percentToRate('100.01'), MoneyError);
  });

  it('splits an amount into a rate part and a rest that always add up exactly', () => {
    for (let cents = 0n; cents < 2000n; cents += 7n) {
      for (const rate of ['0', '0.1', '0.15', '0.333333', '1']) {
        const [part, rest] = splitByRate(cents, parseRate(rate));
        assert.equal(part + rest, cents);
        assert.ok(part >= 0n && rest >= 0n);
      }
    }
  });

  it('allocates an amount over weights exactly (largest remainder)', () => {
    assert.deepEqual(allocate(100n, [1n, 1n, 1n]), [34n, 33n, 33n]);
    assert.deepEqual(allocate(0n, [5n, 5n]), [0n, 0n]);
    assert.deepEqual(allocate(10n, [0n, 0n]), [10n, 0n]);
    assert.deepEqual(allocate(500n, [1000n, 3000n]), [125n, 375n]);
    for (let amount = 0n; amount < 300n; amount += 13n) {
      const parts = allocate(amount, [999n, 1n, 500n, 250n]);
      assert.equal(
        parts.reduce((a, b) => a + b, 0n),
        amount,
      );
    }
  });

  it('refuses a negative difference, an overflowing sum and a currency mismatch', () => {
    assert.equal(addMoney(1n, 2n, 3n), 6n);
    assert.equal(subtractMoney(5n, 5n), 0n);
    assert.throws(() => subtractMoney(1n, 2n), MoneyError);
    assert.throws(() => addMoney(MAX_CENTS, 1n), MoneyError);
    assert.throws(() => assertSameCurrency('EUR', 'USD'), MoneyError);
    assertSameCurrency('EUR', 'EUR');
  });
});
