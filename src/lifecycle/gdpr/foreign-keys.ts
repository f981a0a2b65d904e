// The foreign-key graph of the public schema, read from the catalog (pg_constraint), which the GDPR export
// (ADR 0020) and the account anonymisation (ADR 0019) walk so that a new table referencing users is never
// forgotten.
import { sql } from 'kysely';
import type { JobDb } from '../../platform/jobs/job.ts';

export type OnDelete = 'cascade' | 'set_null' | 'restrict' | 'no_action' | 'set_default';

export interface ForeignKey {
  constraint: string;
  /** Referencing table and columns. */
  table: string;
  columns: string[];
  /** Referenced table and columns, in the same order. */
  references: string;
  referencedColumns: string[];
  onDelete: OnDelete;
}

/** A single-column foreign key to users(id): the person is named by `table.column`. */
export interface UserColumn {
  table: string;
  column: string;
  constraint: string;
  onDelete: OnDelete;
}

const ON_DELETE: Record<string, OnDelete> = {
  c: 'cascade',
  n: 'set_null',
  r: 'restrict',
  a: 'no_action',
  d: 'set_default',
};

/**
 * Every foreign key between tables of the public schema, declared on a table that is not a partition
 * (a partitioned parent's key is cloned onto each partition with conparentid set: those copies are skipped).
 */
export async function loadForeignKeys(db: JobDb): Promise<ForeignKey[]> {
  const { rows } = await sql<{
    constraint: string;
    table: string;
    columns: string[];
    references: string;
    referenced: string[];
    action: string;
  }>`
    SELECT c.conname AS constraint, source.relname AS table, target.relname AS references,
           c.confdeltype::text AS action,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n) AS referenced
    FROM pg_constraint c
    JOIN pg_class source ON source.oid = c.conrelid
    JOIN pg_class target ON target.oid = c.confrelid
    WHERE c.contype = 'f' AND c.conparentid = 0
      AND source.relnamespace = 'public'::regnamespace AND target.relnamespace = 'public'::regnamespace
      AND NOT source.relispartition
    ORDER BY source.relname, c.conname`.execute(db);
  return rows.map((row) => {
    const onDelete = ON_DELETE[row.action];
    if (!onDelete) throw new Error(`foreign key ${row.constraint}: unknown ON DELETE action "${row.action}"`);
    return {
      constraint: row.constraint,
      table: row.table,
      columns: row.columns,
      references: row.references,
      referencedColumns: row.referenced,
      onDelete,
    };
  });
}

/** The columns naming a person: every foreign key to users(id). Throws on a composite one (there is none). */
export function userColumns(foreignKeys: ForeignKey[]): UserColumn[] {
  return foreignKeys
    .filter((key) => key.references === 'users')
    .map((key) => {
      const [column] = key.columns;
      if (key.columns.length !== 1 || !column || key.referencedColumns[0] !== 'id') {
        throw new Error(`foreign key ${key.constraint} to users is not a single column referencing users(id)`);
      }
      return { table: key.table, column, constraint: key.constraint, onDelete: key.onDelete };
    });
}

/** The primary key columns of each table of the public schema (a partitioned table's include its partition key). */
export async function loadPrimaryKeys(db: JobDb): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ table: string; columns: string[] }>`
    SELECT t.relname AS table,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
    WHERE c.contype = 'p' AND t.relnamespace = 'public'::regnamespace AND NOT t.relispartition`.execute(db);
  return new Map(rows.map((row) => [row.table, row.columns]));
}

/** Double-quotes an identifier for SQL text built from catalog names. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
