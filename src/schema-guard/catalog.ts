import type postgres from 'postgres';

/**
 * The schema as data, read from pg_catalog (never from migration files): what the schema guard
 * checks, what `schema diff` compares and what the schema docs describe. Partitions are left out:
 * their names follow the calendar, and they inherit everything from their parent.
 * Plain JSON, so that it can be committed as db/schema.snapshot.json.
 */
export interface Catalog {
  tables: Table[];
  enums: EnumType[];
  compositeTypes: CompositeType[];
  functions: FunctionDefinition[];
  views: View[];
  extensions: string[];
}

export interface Table {
  name: string;
  partitioned: boolean;
  /** `RANGE (created_at)` for a partitioned table. */
  partitionKey: string | null;
  comment: string | null;
  columns: Column[];
  constraints: Constraint[];
  indexes: Index[];
  triggers: Trigger[];
}

export interface Column {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  generated: boolean;
  comment: string | null;
}

export type ConstraintKind = 'primary key' | 'foreign key' | 'unique' | 'check' | 'exclusion';
export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

export interface Constraint {
  name: string;
  kind: ConstraintKind;
  columns: string[];
  definition: string;
  references: { table: string; columns: string[]; onDelete: ReferentialAction } | null;
}

export interface Index {
  name: string;
  /** Key columns in order; an expression key appears as its SQL text. */
  keys: string[];
  method: string;
  unique: boolean;
  primary: boolean;
  predicate: string | null;
  /** The constraint this index implements, if any. */
  constraint: string | null;
  definition: string;
}

export interface Trigger {
  name: string;
  functionName: string;
  definition: string;
}

export interface EnumType {
  name: string;
  values: string[];
  comment: string | null;
}

export interface CompositeType {
  name: string;
  attributes: string[];
  comment: string | null;
}

export interface FunctionDefinition {
  signature: string;
  definition: string;
  comment: string | null;
}

export interface View {
  name: string;
  materialized: boolean;
  definition: string;
}

const CONSTRAINT_KINDS: Record<string, ConstraintKind> = {
  p: 'primary key',
  f: 'foreign key',
  u: 'unique',
  c: 'check',
  x: 'exclusion',
};
const ACTIONS: Record<string, ReferentialAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

export async function readCatalog(sql: postgres.Sql, schema = 'public'): Promise<Catalog> {
  const [tables, columns, constraints, indexes, triggers, enums, composites, functions, views, extensions] =
    await Promise.all([
      sql`
        SELECT c.oid, c.relname AS name, c.relkind = 'p' AS partitioned,
               pg_get_partkeydef(c.oid) AS partition_key, obj_description(c.oid, 'pg_class') AS comment
        FROM pg_class c
        WHERE c.relnamespace = ${schema}::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
      sql`
        SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
               a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default,
               a.attgenerated <> '' AS generated, col_description(c.oid, a.attnum) AS comment
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = ${schema}::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum`,
      sql`
        SELECT c.relname AS table, con.conname AS name, con.contype AS kind, pg_get_constraintdef(con.oid) AS definition,
               ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
               ref.relname AS ref_table, con.confdeltype AS on_delete,
               ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i) AS ref_columns
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        LEFT JOIN pg_class ref ON ref.oid = con.confrelid
        WHERE c.relnamespace = ${schema}::regnamespace AND NOT c.relispartition AND con.conparentid = 0`,
      sql`
        SELECT t.relname AS table, i.relname AS name, am.amname AS method, x.indisunique AS unique,
               x.indisprimary AS primary, pg_get_expr(x.indpred, x.indrelid) AS predicate,
               pg_get_indexdef(x.indexrelid) AS definition,
               (SELECT con.conname FROM pg_constraint con
                WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x')) AS constraint,
               ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k) AS keys
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_am am ON am.oid = i.relam
        WHERE t.relnamespace = ${schema}::regnamespace AND t.relkind IN ('r', 'p') AND NOT t.relispartition`,
      sql`
        SELECT c.relname AS table, tg.tgname AS name, p.proname AS function_name, pg_get_triggerdef(tg.oid) AS definition
        FROM pg_trigger tg
        JOIN pg_class c ON c.oid = tg.tgrelid
        JOIN pg_proc p ON p.oid = tg.tgfoid
        WHERE c.relnamespace = ${schema}::regnamespace AND NOT c.relispartition AND NOT tg.tgisinternal AND tg.tgparentid = 0`,
      sql`
        SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values,
               obj_description(t.oid, 'pg_type') AS comment
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typnamespace = ${schema}::regnamespace
        GROUP BY t.oid, t.typname`,
      sql`
        SELECT t.typname AS name, obj_description(t.oid, 'pg_type') AS comment,
               ARRAY(SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                     WHERE a.attrelid = t.typrelid AND a.attnum > 0 ORDER BY a.attnum) AS attributes
        FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid
        WHERE t.typnamespace = ${schema}::regnamespace AND t.typtype = 'c' AND c.relkind = 'c'`,
      sql`
        SELECT p.oid::regprocedure::text AS signature, pg_get_functiondef(p.oid) AS definition,
               obj_description(p.oid, 'pg_proc') AS comment
        FROM pg_proc p
        WHERE p.pronamespace = ${schema}::regnamespace AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
      sql`
        SELECT c.relname AS name, c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid) AS definition
        FROM pg_class c WHERE c.relnamespace = ${schema}::regnamespace AND c.relkind IN ('v', 'm')`,
      sql`SELECT extname AS name FROM pg_extension WHERE extname <> 'plpgsql'`,
    ]);

  const columnsOf = groupBy(columns, (row) => String(row.table));
  const constraintsOf = groupBy(constraints, (row) => String(row.table));
  const indexesOf = groupBy(indexes, (row) => String(row.table));
  const triggersOf = groupBy(triggers, (row) => String(row.table));

  return {
    tables: tables
      .map((table) => ({
        name: String(table.name),
        partitioned: Boolean(table.partitioned),
        partitionKey: (table.partition_key as string | null) ?? null,
        comment: (table.comment as string | null) ?? null,
        columns: (columnsOf.get(String(table.name)) ?? []).map((row) => ({
          name: String(row.name),
          type: String(row.type),
          notNull: Boolean(row.not_null),
          default: (row.default as string | null) ?? null,
          generated: Boolean(row.generated),
          comment: (row.comment as string | null) ?? null,
        })),
        constraints: (constraintsOf.get(String(table.name)) ?? [])
          .map((row) => ({
            name: String(row.name),
            kind: CONSTRAINT_KINDS[String(row.kind)] ?? 'check',
            columns: (row.columns as string[]) ?? [],
            definition: String(row.definition),
            references: row.ref_table
              ? {
                  table: String(row.ref_table),
                  columns: (row.ref_columns as string[]) ?? [],
                  onDelete: ACTIONS[String(row.on_delete)] ?? 'no action',
                }
              : null,
          }))
          .sort(byName),
        indexes: (indexesOf.get(String(table.name)) ?? [])
          .map((row) => ({
            name: String(row.name),
            keys: (row.keys as string[]) ?? [],
            method: String(row.method),
            unique: Boolean(row.unique),
            primary: Boolean(row.primary),
            predicate: (row.predicate as string | null) ?? null,
            constraint: (row.constraint as string | null) ?? null,
            definition: String(row.definition),
          }))
          .sort(byName),
        triggers: (triggersOf.get(String(table.name)) ?? [])
          .map((row) => ({
            name: String(row.name),
            functionName: String(row.function_name),
            definition: String(row.definition),
          }))
          .sort(byName),
      }))
      .sort(byName),
    enums: enums
      .map((row) => ({
        name: String(row.name),
        values: row.values as string[],
        comment: (row.comment as string | null) ?? null,
      }))
      .sort(byName),
    compositeTypes: composites
      .map((row) => ({
        name: String(row.name),
        attributes: row.attributes as string[],
        comment: (row.comment as string | null) ?? null,
      }))
      .sort(byName),
    functions: functions
      .map((row) => ({
        signature: String(row.signature),
        definition: String(row.definition),
        comment: (row.comment as string | null) ?? null,
      }))
      .sort((a, b) => a.signature.localeCompare(b.signature)),
    views: views
      .map((row) => ({
        name: String(row.name),
        materialized: Boolean(row.materialized),
        definition: String(row.definition),
      }))
      .sort(byName),
    extensions: extensions.map((row) => String(row.name)).sort(),
  };
}

function groupBy<T>(rows: Iterable<T>, key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
