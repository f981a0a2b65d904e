import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { Type, type Static, type TSchema } from 'typebox';
import { ApiError, CommonProblems } from './problem.ts';

/**
 * Keyset pagination over `(created_at DESC, id DESC)`, the order of the spec's `(…, created_at DESC)`
 * indexes: a cursor is the last row's position, opaque to clients (base64url JSON).
 *
 * The position's timestamp travels as text with PostgreSQL's full microsecond precision and is compared in SQL.
 * A JavaScript Date keeps milliseconds only: a cursor built from one would point *after* its own row's
 * microseconds, and a row a few microseconds older than the cursor row, in the same millisecond, would be
 * skipped (src/platform/http/pagination.test.ts shows it with rows 1 µs apart).
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
  /** UTC, ISO 8601, up to microseconds: `2026-01-01T10:00:00.123456Z`. */
  createdAt: string;
  id: string;
}

/** The name under which a keyset query selects its rows' position stamp (see `positionStamp`). */
export const POSITION_STAMP = 'position_stamp';

/**
 * Selects a timestamp column as the exact text a cursor carries: UTC whatever the session's TimeZone, with all
 * six fractional digits. Add it to a page query's selection; `toPage` takes it off the items.
 */
export function positionStamp(column = 'created_at'): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** `(created_at, id) < (position)`: the rows after `position` in a newest-first page, compared by PostgreSQL. */
export function beforePosition(
  position: Position,
  columns = { createdAt: 'created_at', id: 'id' },
): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.ref(columns.createdAt)}, ${sql.ref(columns.id)}) < (${position.createdAt}::timestamptz, ${position.id}::uuid)`;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Cursors issued before the stamps carried microseconds (Date#toISOString, 3 digits) stay valid.
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;

/** February 31st matches the pattern but PostgreSQL refuses it: only stamps that name a real instant. */
function isCalendarTime(stamp: string): boolean {
  const time = Date.parse(stamp);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === stamp.slice(0, 19);
}

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
  if (
    typeof stamp !== 'string' ||
    !STAMP.test(stamp) ||
    !isCalendarTime(stamp) ||
    typeof id !== 'string' ||
    !UUID.test(id)
  ) {
    throw invalid();
  }
  return { createdAt: stamp, id };
}

type Stamped = { [POSITION_STAMP]: string; id: string };

/**
 * Builds a page from `limit + 1` fetched rows (each selected with `positionStamp()` as POSITION_STAMP): the extra
 * row only says whether there is a next page.
 */
export function toPage<T extends Stamped>(
  rows: T[],
  limit: number,
): { items: Omit<T, typeof POSITION_STAMP>[]; next_cursor: string | null } {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    items: kept.map(({ [POSITION_STAMP]: _stamp, ...item }) => item),
    next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last[POSITION_STAMP], id: last.id }) : null,
  };
}
