import { sql } from 'kysely';
import type { Database } from './pool.ts';

/** Constraint name → its columns, read once at start: lets the API name the field a database rule concerns. */
export async function loadConstraintColumns(db: Database): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ name: string; columns: string[] }>`
    SELECT con.conname AS name,
           array_agg(a.attname::text ORDER BY k.ordinality) AS columns
    FROM pg_constraint con
    CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ordinality)
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
    WHERE con.connamespace = 'public'::regnamespace AND con.conparentid = 0
    GROUP BY con.conname`.execute(db);
  return new Map(rows.map((row) => [row.name, row.columns]));
}
