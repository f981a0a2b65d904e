import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';

export type Row = Record<string, unknown>;

/** Inserts one valid row of its table (creating the parent rows it needs) and returns it as stored. */
export type Factory = (sql: Sql, overrides?: Row) => Promise<Row>;

let sequence = 0;

/** A short token unique within the test process, for columns that must be unique. */
export function uniqueToken(): string {
  sequence += 1;
  return `${randomUUID().slice(0, 8)}${sequence}`;
}

export async function insertRow(sql: Sql, table: string, values: Row): Promise<Row> {
  const [row] = await sql`INSERT INTO ${sql(table)} ${sql(values as Record<string, never>)} RETURNING *`;
  if (!row) throw new Error(`INSERT INTO ${table} returned no row`);
  return row;
}

/** Uses the override when the caller gave one, otherwise creates the parent row with `make`. */
export async function parentId(overrides: Row, column: string, make: () => Promise<Row>): Promise<unknown> {
  if (column in overrides) return overrides[column];
  return (await make()).id;
}
