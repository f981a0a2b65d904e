import { Type, type Static, type TSchema } from 'typebox';
import { ApiError, CommonProblems } from './problem.ts';

/**
 * Keyset pagination over `(created_at DESC, id DESC)`, the order of the spec's `(…, created_at DESC)`
 * indexes: a cursor is the last row's position, opaque to clients (base64url JSON).
 */
export const PageQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'next_cursor of the previous page' })),
});
export type PageQuery = Static<typeof PageQuerySchema>;

export function PageSchema<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
  });
}

export interface Position {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string): Position {
  const invalid = () =>
    new ApiError(CommonProblems.validationFailed, 'The cursor is not one this API issued', [
      { field: 'query.cursor', rule: 'cursor', message: 'is not a cursor from a previous page' },
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [stamp, id] = parsed as unknown[];
  const createdAt = new Date(String(stamp));
  if (typeof stamp !== 'string' || Number.isNaN(createdAt.getTime()) || typeof id !== 'string' || !UUID.test(id)) {
    throw invalid();
  }
  return { createdAt, id };
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says whether there is a next page. */
export function toPage<T extends { created_at: Date; id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}
