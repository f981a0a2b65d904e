// The building blocks every marketplace contract shares (*.schemas.ts): one definition of a timestamp, an id, an
// amount and a currency, so the OpenAPI document describes them the same way on every route (ADR 0071 for amounts).
import { Type, type TSchema } from 'typebox';

export const closed = { additionalProperties: false } as const;
export const Timestamp = Type.String({ format: 'date-time' });
export const Uuid = Type.String({ format: 'uuid' });
export const Nullable = <T extends TSchema>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);

/** An amount in a response: two decimals, never a JSON number (ADR 0071). */
export const Money = Type.String({ pattern: '^\\d{1,8}\\.\\d{2}$', examples: ['19.99'] });
/** An amount in a request: checked by money.ts (negative, NaN, three decimals, too large: 400 AMOUNT_INVALID). */
export const MoneyInput = Type.String({
  minLength: 1,
  maxLength: 20,
  description: 'A decimal amount with at most two decimals, e.g. "12.50" (ADR 0071)',
  examples: ['12.50'],
});
/** A currency in a response (a product's input is the closed list of products.schemas.ts). */
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', examples: ['EUR'], description: 'ISO 4217' });
