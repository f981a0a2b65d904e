// Building blocks of the TypeBox contracts (*.schemas.ts) that every domain describes the same way in the OpenAPI
// document: ids, timestamps, nullable fields, one-line and multi-line text, closed lists of strings.
import { Type, type TSchema } from 'typebox';

export const closed = { additionalProperties: false } as const;
export const Timestamp = Type.String({ format: 'date-time' });
export const Uuid = Type.String({ format: 'uuid' });
export const Nullable = <T extends TSchema>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description ? { description } : {});

/** Control characters (PostgreSQL text refuses NUL) and bidirectional overrides; newlines and tabs are fine. */
export const CONTROL = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';
/** The same, line breaks and tabs included: what a one-line field refuses. */
export const LINE_CONTROL = '\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';

/** One line, at least one visible character. */
export const Line = (maxLength: number, description?: string) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: `^[^${LINE_CONTROL}]*[^\\s${LINE_CONTROL}][^${LINE_CONTROL}]*$`,
    ...(description ? { description } : {}),
  });

/** A closed list of strings, typed as its union. */
export const literals = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
