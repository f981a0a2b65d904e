import type postgres from 'postgres';

/**
 * A normalised, ordered description of everything a migration can create in a schema, read from
 * pg_catalog. Two databases with equal snapshots have the same schema. Every entry is a string
 * (PostgreSQL's own deparsed definition where it has one) so that differences read well in a diff.
 */
export interface CatalogSnapshot {
  relations: string[];
  columns: string[];
  constraints: string[];
  indexes: string[];
  triggers: string[];
  functions: string[];
  types: string[];
  views: string[];
  sequences: string[];
  comments: string[];
  extensions: string[];
  policies: string[];
}

async function strings(query: Promise<postgres.RowList<postgres.Row[]>>): Promise<string[]> {
  return (await query).map((row) => String(row.entry));
}

export async function snapshotCatalog(sql: postgres.Sql, schema = 'public'): Promise<CatalogSnapshot> {
  const [
    relations,
    columns,
    constraints,
    indexes,
    triggers,
    functions,
    types,
    views,
    sequences,
    comments,
    extensions,
    policies,
  ] = await Promise.all([
    strings(sql`
        SELECT c.relname || ' ' || c.relkind::text
               || COALESCE(' partitioned by ' || pg_get_partkeydef(c.oid), '')
               || COALESCE(' partition of ' || parent.relname || ' ' || pg_get_expr(c.relpartbound, c.oid), '')
               || CASE WHEN c.relrowsecurity THEN ' rls' ELSE '' END AS entry
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
        LEFT JOIN pg_class parent ON parent.oid = i.inhparent
        WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        ORDER BY 1`),
    strings(sql`
        SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
               || COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
               || CASE a.attgenerated WHEN 's' THEN ' generated' ELSE '' END
               || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
               || ' #' || a.attnum AS entry
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY 1`),
    strings(sql`
        SELECT c.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid) AS entry
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${schema}
        ORDER BY 1`),
    strings(sql`
        SELECT pg_get_indexdef(i.indexrelid) AS entry
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${schema}
        ORDER BY 1`),
    strings(sql`
        SELECT pg_get_triggerdef(t.oid) AS entry
        FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${schema} AND NOT t.tgisinternal
        ORDER BY 1`),
    strings(sql`
        SELECT pg_get_functiondef(p.oid) AS entry
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        LEFT JOIN pg_depend dep ON dep.objid = p.oid AND dep.deptype = 'e'
        WHERE n.nspname = ${schema} AND p.prokind IN ('f', 'p') AND dep.objid IS NULL
        ORDER BY 1`),
    strings(sql`
        SELECT t.typname || ' ' || t.typtype::text || ' ' || COALESCE(
                 (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
                 (SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)
                    FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0),
                 '') AS entry
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_class c ON c.oid = t.typrelid
        LEFT JOIN pg_depend dep ON dep.objid = t.oid AND dep.deptype = 'e'
        WHERE n.nspname = ${schema}
          AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
          AND dep.objid IS NULL
        ORDER BY 1`),
    strings(sql`
        SELECT c.relname || ' ' || pg_get_viewdef(c.oid) AS entry
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${schema} AND c.relkind IN ('v', 'm')
        ORDER BY 1`),
    strings(sql`
        SELECT s.sequencename || ' ' || s.data_type || ' ' || s.increment_by AS entry
        FROM pg_sequences s WHERE s.schemaname = ${schema}
        ORDER BY 1`),
    strings(sql`
        SELECT cl.relname || ':' || d.classoid::regclass::text || ':' || d.objsubid::text || ' ' || d.description AS entry
        FROM pg_description d
        JOIN pg_class cl ON cl.oid = d.objoid AND d.classoid = 'pg_class'::regclass
        JOIN pg_namespace n ON n.oid = cl.relnamespace
        WHERE n.nspname = ${schema}
        UNION ALL
        SELECT t.typname || ':type ' || d.description
        FROM pg_description d
        JOIN pg_type t ON t.oid = d.objoid AND d.classoid = 'pg_type'::regclass
        JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = ${schema}
        UNION ALL
        SELECT p.oid::regprocedure || ':function ' || d.description
        FROM pg_description d
        JOIN pg_proc p ON p.oid = d.objoid AND d.classoid = 'pg_proc'::regclass
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ${schema}
        UNION ALL
        SELECT con.conname || ':constraint ' || d.description
        FROM pg_description d
        JOIN pg_constraint con ON con.oid = d.objoid AND d.classoid = 'pg_constraint'::regclass
        JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE n.nspname = ${schema}
        ORDER BY 1`),
    strings(sql`
        SELECT e.extname || ' ' || e.extversion AS entry
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname <> 'plpgsql'
        ORDER BY 1`),
    strings(sql`
        SELECT p.tablename || ' ' || p.policyname || ' ' || p.cmd || ' ' || COALESCE(p.qual, '') || ' ' || COALESCE(p.with_check, '') AS entry
        FROM pg_policies p WHERE p.schemaname = ${schema}
        ORDER BY 1`),
  ]);
  return {
    relations,
    columns,
    constraints,
    indexes,
    triggers,
    functions,
    types,
    views,
    sequences,
    comments,
    extensions,
    policies,
  };
}

/** True when the snapshot holds no object at all (what "every down" must leave behind). */
export function isEmptySnapshot(snapshot: CatalogSnapshot): boolean {
  return Object.values(snapshot).every((entries: string[]) => entries.length === 0);
}
