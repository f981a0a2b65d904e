import type { Catalog, Column, Table } from './catalog.ts';
import { EXCLUDED_TABLES, ML_VECTOR_TYPES, namesExcludedThing } from './ethics.ts';

/**
 * The three classes of the spec's final "AVERTISSEMENT": what may change freely, what needs an RFC,
 * and what may never happen to this controlled schema.
 */
export type ChangeClass = 'allowed' | 'needs-rfc' | 'forbidden';

export interface SchemaChange {
  class: ChangeClass;
  object: string;
  description: string;
}

/** Retention facts of one table, as db/table-registry.json states them. */
export interface RetentionFacts {
  policy: string;
  maxAgeDays: number | null;
}

const byName = <T extends { name: string }>(items: T[]) => new Map(items.map((item) => [item.name, item]));

function isConstantDefault(expression: string | null): boolean {
  if (expression === null) return true;
  // Literals, possibly cast (`'x'::character varying`, `0`, `false`, `'{}'::jsonb`): no function call.
  return !/\w\s*\(/.test(expression.replace(/::[\w\s]+(\([\d,\s]+\))?(\[\])?/g, ''));
}

/** A type change PostgreSQL can make without losing data: wider strings, wider numbers. */
function isCompatibleTypeChange(from: string, to: string): boolean {
  const varchar = /^character varying\((\d+)\)$/;
  const numeric = /^numeric\((\d+),(\d+)\)$/;
  const widerInteger: Record<string, string[]> = { smallint: ['integer', 'bigint'], integer: ['bigint'] };
  const fromVarchar = varchar.exec(from);
  const toVarchar = varchar.exec(to);
  if (fromVarchar && to === 'text') return true;
  if (fromVarchar && toVarchar) return Number(toVarchar[1]) >= Number(fromVarchar[1]);
  const fromNumeric = numeric.exec(from);
  const toNumeric = numeric.exec(to);
  if (fromNumeric && toNumeric) {
    return fromNumeric[2] === toNumeric[2] && Number(toNumeric[1]) >= Number(fromNumeric[1]);
  }
  return widerInteger[from]?.includes(to) ?? false;
}

function excludedByEthics(name: string): boolean {
  return EXCLUDED_TABLES.includes(name) || namesExcludedThing(name);
}

function diffColumns(base: Table, head: Table, changes: SchemaChange[]): void {
  const baseColumns = byName(base.columns);
  const headColumns = byName(head.columns);
  for (const [name, column] of baseColumns) {
    const where = `${base.name}.${name}`;
    const after = headColumns.get(name);
    if (!after) {
      changes.push({ class: 'forbidden', object: where, description: 'column dropped (deprecate it first)' });
      continue;
    }
    if (after.type !== column.type) {
      changes.push(
        isCompatibleTypeChange(column.type, after.type)
          ? { class: 'needs-rfc', object: where, description: `type widened from ${column.type} to ${after.type}` }
          : {
              class: 'forbidden',
              object: where,
              description: `incompatible type change ${column.type} → ${after.type}`,
            },
      );
    }
    if (after.notNull !== column.notNull) {
      changes.push({
        class: 'needs-rfc',
        object: where,
        description: after.notNull ? 'became NOT NULL' : 'became nullable',
      });
    }
    if (after.default !== column.default) {
      changes.push({
        class: 'needs-rfc',
        object: where,
        description: `default ${column.default ?? 'none'} → ${after.default ?? 'none'}`,
      });
    }
    if (after.generated !== column.generated) {
      changes.push({ class: 'needs-rfc', object: where, description: 'generated expression changed' });
    }
    if (after.comment !== column.comment) {
      changes.push({ class: 'allowed', object: where, description: 'comment changed' });
    }
  }
  for (const [name, column] of headColumns) {
    if (baseColumns.has(name)) continue;
    changes.push(classifyNewColumn(head.name, column));
  }
}

function classifyNewColumn(table: string, column: Column): SchemaChange {
  const where = `${table}.${column.name}`;
  if (namesExcludedThing(column.name) || ML_VECTOR_TYPES.test(column.type)) {
    return { class: 'forbidden', object: where, description: 'new column stores data excluded by spec §17' };
  }
  if (!column.notNull && !column.generated && isConstantDefault(column.default)) {
    return { class: 'allowed', object: where, description: `new nullable column ${column.type}` };
  }
  return {
    class: 'needs-rfc',
    object: where,
    description: `new column ${column.type}${column.notNull ? ' NOT NULL' : ''} with a computed default or constraint`,
  };
}

function diffTable(base: Table, head: Table, changes: SchemaChange[]): void {
  if (base.partitioned !== head.partitioned || base.partitionKey !== head.partitionKey) {
    changes.push({
      class: 'forbidden',
      object: base.name,
      description: `partitioning changed from ${base.partitionKey ?? 'none'} to ${head.partitionKey ?? 'none'}`,
    });
  }
  if (base.comment !== head.comment)
    changes.push({ class: 'allowed', object: base.name, description: 'comment changed' });
  diffColumns(base, head, changes);

  const baseConstraints = byName(base.constraints);
  const headConstraints = byName(head.constraints);
  for (const [name, constraint] of baseConstraints) {
    const after = headConstraints.get(name);
    const where = `${base.name}.${name}`;
    if (!after) {
      changes.push(
        constraint.kind === 'foreign key'
          ? { class: 'forbidden', object: where, description: 'foreign key dropped (referential integrity)' }
          : { class: 'needs-rfc', object: where, description: `${constraint.kind} dropped` },
      );
    } else if (after.definition !== constraint.definition) {
      changes.push({
        class: 'needs-rfc',
        object: where,
        description: `${constraint.kind} changed to ${after.definition}`,
      });
    }
  }
  for (const [name, constraint] of headConstraints) {
    if (!baseConstraints.has(name)) {
      changes.push({
        class: 'needs-rfc',
        object: `${head.name}.${name}`,
        description: `new ${constraint.kind} ${constraint.definition}`,
      });
    }
  }

  const baseIndexes = byName(base.indexes.filter((index) => index.constraint === null));
  const headIndexes = byName(head.indexes.filter((index) => index.constraint === null));
  for (const [name, index] of baseIndexes) {
    const after = headIndexes.get(name);
    const where = `${base.name}.${name}`;
    if (!after) changes.push({ class: 'needs-rfc', object: where, description: 'index dropped' });
    else if (after.definition !== index.definition)
      changes.push({ class: 'needs-rfc', object: where, description: 'index changed' });
  }
  for (const [name, index] of headIndexes) {
    if (baseIndexes.has(name)) continue;
    changes.push(
      index.unique
        ? { class: 'needs-rfc', object: `${head.name}.${name}`, description: 'new unique index' }
        : { class: 'allowed', object: `${head.name}.${name}`, description: 'new non-unique index' },
    );
  }

  const baseTriggers = byName(base.triggers);
  const headTriggers = byName(head.triggers);
  for (const name of new Set([...baseTriggers.keys(), ...headTriggers.keys()])) {
    const before = baseTriggers.get(name);
    const after = headTriggers.get(name);
    if (before?.definition === after?.definition) continue;
    const what = !before ? 'new trigger' : !after ? 'trigger dropped' : 'trigger changed';
    changes.push({ class: 'needs-rfc', object: `${head.name}.${name}`, description: what });
  }
}

/** Objects compared by definition only: enums, composite types, functions, views. */
function diffDefinitions<T>(
  kind: string,
  base: T[],
  head: T[],
  key: (item: T) => string,
  definition: (item: T) => string,
  comment: (item: T) => string | null,
  changes: SchemaChange[],
): void {
  const before = new Map(base.map((item) => [key(item), item]));
  const after = new Map(head.map((item) => [key(item), item]));
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(name);
    const a = after.get(name);
    if (!b) changes.push({ class: 'needs-rfc', object: name, description: `new ${kind}` });
    else if (!a) changes.push({ class: 'needs-rfc', object: name, description: `${kind} dropped` });
    else if (definition(a) !== definition(b))
      changes.push({ class: 'needs-rfc', object: name, description: `${kind} changed` });
    else if (comment(a) !== comment(b))
      changes.push({ class: 'allowed', object: name, description: 'comment changed' });
  }
}

function diffRetention(
  base: ReadonlyMap<string, RetentionFacts>,
  head: ReadonlyMap<string, RetentionFacts>,
  changes: SchemaChange[],
): void {
  for (const [table, before] of base) {
    const after = head.get(table);
    if (!after) continue;
    const shorter =
      (before.maxAgeDays === null && after.maxAgeDays !== null) ||
      (before.maxAgeDays !== null && after.maxAgeDays !== null && after.maxAgeDays < before.maxAgeDays);
    if (shorter) {
      changes.push({
        class: 'forbidden',
        object: table,
        description: `retention shortened from ${before.maxAgeDays ?? 'unbounded'} to ${after.maxAgeDays} days`,
      });
    } else if (before.maxAgeDays !== after.maxAgeDays || before.policy !== after.policy) {
      changes.push({
        class: 'needs-rfc',
        object: table,
        description: `retention changed from ${before.policy}/${before.maxAgeDays ?? '∞'} to ${after.policy}/${after.maxAgeDays ?? '∞'}`,
      });
    }
  }
}

export function diffSchemas(
  base: Catalog,
  head: Catalog,
  retention: { base: ReadonlyMap<string, RetentionFacts>; head: ReadonlyMap<string, RetentionFacts> } = {
    base: new Map(),
    head: new Map(),
  },
): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const baseTables = byName(base.tables);
  const headTables = byName(head.tables);
  for (const [name, table] of baseTables) {
    const after = headTables.get(name);
    if (after) diffTable(table, after, changes);
    else changes.push({ class: 'forbidden', object: name, description: 'table dropped' });
  }
  for (const [name, table] of headTables) {
    if (baseTables.has(name)) continue;
    if (
      excludedByEthics(name) ||
      table.columns.some((c) => namesExcludedThing(c.name) || ML_VECTOR_TYPES.test(c.type))
    ) {
      changes.push({ class: 'forbidden', object: name, description: 'new table of a kind excluded by spec §17' });
    } else {
      changes.push({ class: 'needs-rfc', object: name, description: 'new table' });
    }
  }
  diffDefinitions(
    'enum',
    base.enums,
    head.enums,
    (e) => e.name,
    (e) => e.values.join(','),
    (e) => e.comment,
    changes,
  );
  diffDefinitions(
    'composite type',
    base.compositeTypes,
    head.compositeTypes,
    (t) => t.name,
    (t) => t.attributes.join(','),
    (t) => t.comment,
    changes,
  );
  diffDefinitions(
    'function',
    base.functions,
    head.functions,
    (f) => f.signature,
    (f) => f.definition,
    (f) => f.comment,
    changes,
  );
  diffDefinitions(
    'view',
    base.views,
    head.views,
    (v) => v.name,
    (v) => `${v.materialized}:${v.definition}`,
    () => null,
    changes,
  );
  diffDefinitions(
    'extension',
    base.extensions,
    head.extensions,
    (e) => e,
    (e) => e,
    () => null,
    changes,
  );
  diffRetention(retention.base, retention.head, changes);
  return changes;
}

/** The RFC files that new migrations cite with a `-- RFC: docs/rfc/<file>.md` line. */
export function citedRfcs(migrationSql: string): string[] {
  return [...migrationSql.matchAll(/^--\s*RFC:\s*(docs\/rfc\/[\w.-]+\.md)\s*$/gm)].map((match) => match[1] ?? '');
}
