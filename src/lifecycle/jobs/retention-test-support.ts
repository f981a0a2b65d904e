// Test support for the retention jobs' time-travel tests (ADR 0018): a snapshot of every table, and the
// difference between two snapshots, so that a test can assert that nothing but the expected rows changed.
import type postgres from 'postgres';
import { allFactories } from '../../../test/factories/index.ts';
import type { Factory } from '../../../test/factories/insert-row.ts';

type Row = Record<string, unknown>;
/** table → row id → row as JSON. */
export type Snapshot = Map<string, Map<string, Row>>;

export interface TableDiff {
  removed: string[];
  added: string[];
  /** row id → names of the columns whose value changed */
  changed: Record<string, string[]>;
}

export const DAY_MS = 86_400_000;
/** The instant `days` days before `from`; a test that pins a job's clock (RunOptions.now) passes the same one. */
export const daysBefore = (days: number, from: Date): Date => new Date(from.getTime() - days * DAY_MS);
/** The UTC calendar day `days` days before `from`'s, as YYYY-MM-DD. */
export const utcDayBefore = (days: number, from: Date): string => daysBefore(days, from).toISOString().slice(0, 10);
export const daysAgo = (days: number): Date => daysBefore(days, new Date());
/** The UTC calendar day `days` days before today, as YYYY-MM-DD. */
export const utcDayAgo = (days: number): string => utcDayBefore(days, new Date());

export function factory(table: string): Factory {
  const make = allFactories[table];
  if (!make) throw new Error(`no factory for ${table}`);
  return make;
}

/** Every row of every table of the schema (partitioned tables through their parent). */
export async function snapshot(sql: postgres.Sql): Promise<Snapshot> {
  const tables = await sql<{ name: string }[]>`
    SELECT relname AS name FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
    ORDER BY relname`;
  const result: Snapshot = new Map();
  for (const { name } of tables) {
    const rows = await sql<{ id: string; row: Row }[]>`SELECT id::text AS id, to_jsonb(t) AS row FROM ${sql(name)} t`;
    result.set(name, new Map(rows.map((row) => [row.id, row.row])));
  }
  return result;
}

/** What changed between two snapshots, for the tables where anything did. */
export function difference(before: Snapshot, after: Snapshot): Record<string, TableDiff> {
  const result: Record<string, TableDiff> = {};
  for (const [table, afterRows] of after) {
    const beforeRows = before.get(table) ?? new Map<string, Row>();
    const diff: TableDiff = { removed: [], added: [], changed: {} };
    for (const [id, row] of beforeRows) {
      const now = afterRows.get(id);
      if (!now) {
        diff.removed.push(id);
        continue;
      }
      const columns = Object.keys(row).filter((column) => JSON.stringify(row[column]) !== JSON.stringify(now[column]));
      if (columns.length > 0) diff.changed[id] = columns.sort();
    }
    for (const id of afterRows.keys()) if (!beforeRows.has(id)) diff.added.push(id);
    diff.removed.sort();
    diff.added.sort();
    if (diff.removed.length + diff.added.length + Object.keys(diff.changed).length > 0) result[table] = diff;
  }
  return result;
}

/** The rows of one table in a snapshot. */
export function rowsOf(snap: Snapshot, table: string): Row[] {
  return [...(snap.get(table)?.values() ?? [])];
}

/** Progress lines of a run, e.g. `retention.activity: login_attempts 4 row(s)`, as the cumulative counts per table. */
export function progress(lines: string[]): Record<string, number[]> {
  const result: Record<string, number[]> = {};
  for (const line of lines) {
    const match = /^[a-z.]+: (\S+) (\d+) row\(s\)$/.exec(line);
    if (!match) continue;
    const [, table = '', count = '0'] = match;
    (result[table] ??= []).push(Number(count));
  }
  return result;
}
