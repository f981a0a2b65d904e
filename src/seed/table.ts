import type pg from 'pg';
import type { Row } from './copy-text.ts';
import type { Universe } from './universe.ts';

/** A table filled by COPY from generated rows. */
export interface CopyTable {
  kind: 'copy';
  name: string;
  /** Tables of the plan this one references: they are loaded first. */
  dependsOn: readonly string[];
  columns: readonly string[];
  /** Exactly how many rows `rows` yields. */
  count(u: Universe): number;
  rows(u: Universe): Iterable<Row>;
}

/** A table computed in SQL from tables already loaded (aggregates): INSERT … SELECT. */
export interface DerivedTable {
  kind: 'derived';
  name: string;
  dependsOn: readonly string[];
  /** Runs the INSERT; returns the rows inserted (for a `migrated` table: the rows found). */
  derive(sql: SeedSql, u: Universe): Promise<number>;
  /**
   * Reference rows a migration inserts (equipment categories, 0049): the table is not empty before the seed, and
   * `derive` checks the rows the generated data refers to are there instead of inserting them.
   */
  migrated?: true;
}

export type SeedTable = CopyTable | DerivedTable;

/** A COPY table. */
export function copyTable(table: Omit<CopyTable, 'kind'>): CopyTable {
  return { kind: 'copy', ...table };
}

/**
 * The seed's one node-postgres connection (a client, not a pool: the whole seed is one transaction on it, and COPY
 * streams through it with pg-copy-streams).
 */
export type SeedSql = pg.ClientBase;
