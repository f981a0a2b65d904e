// The seeded year needs a partition for each of its months (messages, plays, login attempts, audit) and days
// (analytics events): the migrations only make the current period and the next three (spec §21, ADR 0003), and a
// row without its partition would land in the default partition, which the partition job then has to rescue.
import type { SeedSql } from './table.ts';
import { PARTITIONED_TABLES, type PartitionPeriod } from '../lifecycle/jobs/partitions.ts';
import type { Timeline } from './timeline.ts';

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The UTC periods [from, to) covering [start, end), as ensure_range_partitions cuts them. */
export function periodsCovering(start: number, end: number, period: PartitionPeriod): { from: Date; to: Date }[] {
  const periods: { from: Date; to: Date }[] = [];
  const first = new Date(start);
  let from =
    period === 'month'
      ? new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1))
      : new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()));
  while (from.getTime() < end) {
    const to =
      period === 'month'
        ? new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1))
        : new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + 1));
    periods.push({ from, to });
    from = to;
  }
  return periods;
}

/** <table>_YYYY_MM or <table>_YYYY_MM_DD, the names ensure_range_partitions (migration 0001) gives. */
export function partitionName(table: string, from: Date, period: PartitionPeriod): string {
  const month = `${from.getUTCFullYear()}_${pad(from.getUTCMonth() + 1)}`;
  return period === 'month' ? `${table}_${month}` : `${table}_${month}_${pad(from.getUTCDate())}`;
}

/** The bound literal: a date key takes the day alone, a timestamptz key the UTC instant (as the partition job). */
function bound(at: Date, isDate: boolean): string {
  const day = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
  return isDate ? day : `${day} 00:00:00+00`;
}

/**
 * Creates the missing partitions of the partitioned tables among `tables` for the seeded year. Returns how many it
 * created. Idempotent.
 */
export async function createSeedPartitions(sql: SeedSql, time: Timeline, tables: readonly string[]): Promise<number> {
  let created = 0;
  for (const [table, period] of Object.entries(PARTITIONED_TABLES)) {
    if (!tables.includes(table)) continue;
    const {
      rows: [key],
    } = await sql.query<{ type: string }>(
      `SELECT format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
       WHERE p.partrelid = $1::regclass`,
      [table],
    );
    const isDate = key?.type === 'date';
    for (const { from, to } of periodsCovering(time.start, time.anchor, period)) {
      const name = partitionName(table, from, period);
      const {
        rows: [exists],
      } = await sql.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [name]);
      if (exists?.found) continue;
      await sql.query(
        `CREATE TABLE "${name}" PARTITION OF "${table}" FOR VALUES FROM ('${bound(from, isDate)}') TO ('${bound(to, isDate)}')`,
      );
      created++;
    }
  }
  return created;
}

/** Rows in the default partition of each partitioned table among `tables` (all zero after a correct seed). */
export async function defaultPartitionRows(sql: SeedSql, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of Object.keys(PARTITIONED_TABLES)) {
    if (!tables.includes(table)) continue;
    const {
      rows: [row],
    } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}_default"`);
    counts[table] = row?.n ?? 0;
  }
  return counts;
}
