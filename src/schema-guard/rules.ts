import type { Catalog, Column, Index, Table } from './catalog.ts';
import { EXCLUDED_TABLES, ML_VECTOR_TYPES, namesExcludedThing } from './ethics.ts';

/** What the guard needs to know of each table beyond the catalog (db/table-registry.json). */
export interface TableLifecycleFacts {
  userFacing: boolean;
  personalData: 'none' | 'identifying' | 'linked';
}

export interface Violation {
  rule: RuleId;
  /** `table`, `table.column`, `table.constraint`, or a type name. */
  object: string;
  message: string;
}

export type RuleId =
  | 'table-id'
  | 'table-timestamps'
  | 'updated-at-trigger'
  | 'soft-delete'
  | 'fk-on-delete'
  | 'fk-index'
  | 'snake-case'
  | 'naming'
  | 'timestamptz'
  | 'enum-size'
  | 'status-text'
  | 'jsonb-gin'
  | 'ethics-name'
  | 'ethics-type'
  | 'gdpr-consent'
  | 'gdpr-registry'
  | 'table-comment';

export interface RuleContext {
  catalog: Catalog;
  registry: ReadonlyMap<string, TableLifecycleFacts>;
}

interface Rule {
  id: RuleId;
  /** The spec rule it enforces, shown by `veza schema check --rules`. */
  description: string;
  check(context: RuleContext): Violation[];
}

const SNAKE_CASE = /^[a-z][a-z0-9_]*$/;
const STATUS_LIKE = /(^|_)(status|state|type|mode|kind|role)$/;
const PERSONAL_COLUMNS =
  /^(email|.*_email|first_name|last_name|display_name|phone|.*_phone|birthdate|ip_address|.*_ip|user_agent|location|address|.*_address)$/;
const MAX_ENUM_VALUES = 20;

function column(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

function perTable(check: (table: Table, context: RuleContext) => Violation[]) {
  return (context: RuleContext) => context.catalog.tables.flatMap((table) => check(table, context));
}

function isTimestamptzNowNotNull(c: Column | undefined): boolean {
  return c?.type === 'timestamp with time zone' && c.notNull && c.default === 'now()';
}

/** The index keys cover `columns` when its first keys are exactly those columns, in any order. */
function leadingKeysCover(index: Index, columns: string[]): boolean {
  const leading = index.keys.slice(0, columns.length);
  return leading.length === columns.length && columns.every((name) => leading.includes(name));
}

function referencesUsers(table: Table): boolean {
  return table.constraints.some((c) => c.kind === 'foreign key' && c.references?.table === 'users');
}

export const RULES: Rule[] = [
  {
    id: 'table-id',
    description: 'every table has a UUID `id` primary key (first key column) with a default',
    check: perTable((table) => {
      const id = column(table, 'id');
      const primaryKey = table.constraints.find((c) => c.kind === 'primary key');
      if (id?.type === 'uuid' && id.default !== null && primaryKey?.columns[0] === 'id') return [];
      return [
        { rule: 'table-id', object: table.name, message: 'needs `id UUID PRIMARY KEY DEFAULT gen_random_uuid()`' },
      ];
    }),
  },
  {
    id: 'table-timestamps',
    description: 'every table has created_at and updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()',
    check: perTable((table) =>
      ['created_at', 'updated_at']
        .filter((name) => !isTimestamptzNowNotNull(column(table, name)))
        .map((name) => ({
          rule: 'table-timestamps' as const,
          object: `${table.name}.${name}`,
          message: 'must be TIMESTAMPTZ NOT NULL DEFAULT NOW()',
        })),
    ),
  },
  {
    id: 'updated-at-trigger',
    description: 'every table with updated_at has a trigger calling update_updated_at_column()',
    check: perTable((table) =>
      column(table, 'updated_at') && !table.triggers.some((t) => t.functionName === 'update_updated_at_column')
        ? [{ rule: 'updated-at-trigger', object: table.name, message: 'updated_at is not maintained by a trigger' }]
        : [],
    ),
  },
  {
    id: 'soft-delete',
    description: 'user-facing tables (per the table registry) have a nullable deleted_at TIMESTAMPTZ',
    check: perTable((table, { registry }) => {
      if (!registry.get(table.name)?.userFacing) return [];
      const deletedAt = column(table, 'deleted_at');
      if (deletedAt?.type === 'timestamp with time zone' && !deletedAt.notNull) return [];
      return [{ rule: 'soft-delete', object: table.name, message: 'user-facing table without a nullable deleted_at' }];
    }),
  },
  {
    id: 'fk-on-delete',
    description: 'every foreign key states its ON DELETE (not the implicit NO ACTION)',
    check: perTable((table) =>
      table.constraints
        .filter((c) => c.kind === 'foreign key' && c.references?.onDelete === 'no action')
        .map((c) => ({
          rule: 'fk-on-delete' as const,
          object: `${table.name}.${c.name}`,
          message: 'ON DELETE is implicit (NO ACTION): say CASCADE, RESTRICT or SET NULL',
        })),
    ),
  },
  {
    id: 'fk-index',
    description: "every foreign key's columns are the leading columns of an index",
    check: perTable((table) =>
      table.constraints
        .filter((c) => c.kind === 'foreign key' && !table.indexes.some((index) => leadingKeysCover(index, c.columns)))
        .map((c) => ({
          rule: 'fk-index' as const,
          object: `${table.name}.${c.name}`,
          message: `no index leads with (${c.columns.join(', ')})`,
        })),
    ),
  },
  {
    id: 'snake-case',
    description: 'tables, columns, indexes, constraints and triggers are snake_case',
    check: perTable((table) => {
      const names = [
        table.name,
        ...table.columns.map((c) => `${table.name}.${c.name}`),
        ...table.indexes.map((i) => `${table.name}.${i.name}`),
        ...table.constraints.map((c) => `${table.name}.${c.name}`),
        ...table.triggers.map((t) => `${table.name}.${t.name}`),
      ];
      return names
        .filter((name) => !name.split('.').every((part) => SNAKE_CASE.test(part)))
        .map((name) => ({ rule: 'snake-case' as const, object: name, message: 'is not snake_case' }));
    }),
  },
  {
    id: 'naming',
    description:
      'idx_/uq_ indexes, fk_<table>_ foreign keys, chk_ checks, uq_ uniques, <table>_pkey, trg_<table>_ triggers (§2)',
    check: perTable((table) => {
      const violations: Violation[] = [];
      const expect = (ok: boolean, object: string, message: string) => {
        if (!ok) violations.push({ rule: 'naming', object: `${table.name}.${object}`, message });
      };
      for (const c of table.constraints) {
        if (c.kind === 'primary key')
          expect(c.name === `${table.name}_pkey`, c.name, `primary key must be ${table.name}_pkey`);
        if (c.kind === 'foreign key')
          expect(c.name.startsWith(`fk_${table.name}_`), c.name, `must be fk_${table.name}_<target>`);
        if (c.kind === 'check') expect(c.name.startsWith('chk_'), c.name, 'must start with chk_');
        if (c.kind === 'unique' || c.kind === 'exclusion')
          expect(c.name.startsWith('uq_'), c.name, 'must start with uq_');
      }
      for (const index of table.indexes.filter((i) => i.constraint === null)) {
        expect(/^(idx|uq)_/.test(index.name), index.name, 'index must start with idx_ (or uq_ when unique)');
      }
      for (const trigger of table.triggers) {
        expect(trigger.name.startsWith(`trg_${table.name}_`), trigger.name, `must be trg_${table.name}_<what>`);
      }
      return violations;
    }),
  },
  {
    id: 'timestamptz',
    // A time of day (quiet hours) is TIME beside a named time zone; TIMETZ carries a fixed offset that daylight
    // saving makes wrong half of the year, so it is refused like TIMESTAMP.
    description: 'timestamps are TIMESTAMPTZ, never timestamp without time zone; times of day are TIME, never TIMETZ',
    check: perTable((table) =>
      table.columns
        .filter((c) => c.type.startsWith('timestamp without time zone') || c.type.startsWith('time with time zone'))
        .map((c) => ({ rule: 'timestamptz' as const, object: `${table.name}.${c.name}`, message: `is ${c.type}` })),
    ),
  },
  {
    id: 'enum-size',
    description: `enums have at most ${MAX_ENUM_VALUES} values`,
    check: ({ catalog }) =>
      catalog.enums
        .filter((e) => e.values.length > MAX_ENUM_VALUES)
        .map((e) => ({ rule: 'enum-size', object: e.name, message: `has ${e.values.length} values` })),
  },
  {
    id: 'status-text',
    description: 'status-like text columns (…status, …type, …mode, …role, …state, …kind) are constrained by a CHECK',
    check: perTable((table) =>
      table.columns
        .filter((c) => STATUS_LIKE.test(c.name) && /^(character varying|text|character)\b/.test(c.type))
        .filter((c) => !table.constraints.some((k) => k.kind === 'check' && k.columns.includes(c.name)))
        .map((c) => ({
          rule: 'status-text' as const,
          object: `${table.name}.${c.name}`,
          message: 'accepts arbitrary text: use an enum or a CHECK of its values',
        })),
    ),
  },
  {
    id: 'jsonb-gin',
    description: 'JSONB columns used in an index, or commented as queried, have a GIN index',
    check: perTable((table) =>
      table.columns
        .filter((c) => c.type === 'jsonb')
        .filter((c) => {
          const mentions = (text: string | null) => text !== null && new RegExp(`\\b${c.name}\\b`).test(text);
          const usedByIndex = table.indexes.some(
            (i) => i.method !== 'gin' && (i.keys.some((key) => mentions(key)) || mentions(i.predicate)),
          );
          const markedQueried = /\bqueried\b/i.test(c.comment ?? '');
          const hasGin = table.indexes.some((i) => i.method === 'gin' && i.keys.some((key) => mentions(key)));
          return (usedByIndex || markedQueried) && !hasGin;
        })
        .map((c) => ({
          rule: 'jsonb-gin' as const,
          object: `${table.name}.${c.name}`,
          message: 'JSONB queried in WHERE without a GIN index',
        })),
    ),
  },
  {
    id: 'ethics-name',
    description: 'no table or column storing ML artefacts, crypto/NFT/wallet data or addictive gamification (§17)',
    check: perTable((table) => {
      const violations: Violation[] = [];
      if (EXCLUDED_TABLES.includes(table.name) || namesExcludedThing(table.name)) {
        violations.push({ rule: 'ethics-name', object: table.name, message: 'is a structure excluded by spec §17' });
      }
      for (const c of table.columns.filter((c) => namesExcludedThing(c.name))) {
        violations.push({
          rule: 'ethics-name',
          object: `${table.name}.${c.name}`,
          message: 'stores data excluded by spec §17',
        });
      }
      return violations;
    }),
  },
  {
    id: 'ethics-type',
    description: 'no vector or embedding types and no vector extension (§17.1)',
    check: ({ catalog }) => [
      ...catalog.tables.flatMap((table) =>
        table.columns
          .filter((c) => ML_VECTOR_TYPES.test(c.type))
          .map((c) => ({
            rule: 'ethics-type' as const,
            object: `${table.name}.${c.name}`,
            message: `has type ${c.type}, which stores embeddings (spec §17.1)`,
          })),
      ),
      ...catalog.extensions
        .filter((name) => ['vector', 'pgvector', 'cube'].includes(name))
        .map((name) => ({
          rule: 'ethics-type' as const,
          object: name,
          message: 'extension for feature vectors (spec §17.1)',
        })),
    ],
  },
  {
    id: 'gdpr-consent',
    description: 'account tables carry separate processing and marketing consents, each with its timestamp (§19.1)',
    check: perTable((table) => {
      const isAccountTable = table.name === 'users' || (column(table, 'email') && column(table, 'password_hash'));
      if (!isAccountTable) return [];
      const wanted: Array<[string, string]> = [
        ['data_processing_consent', 'boolean'],
        ['data_processing_consent_at', 'timestamp with time zone'],
        ['marketing_consent', 'boolean'],
        ['marketing_consent_at', 'timestamp with time zone'],
      ];
      return wanted
        .filter(([name, type]) => column(table, name)?.type !== type)
        .map(([name, type]) => ({
          rule: 'gdpr-consent' as const,
          object: `${table.name}.${name}`,
          message: `account table needs ${name} ${type}`,
        }));
    }),
  },
  {
    id: 'gdpr-registry',
    description: 'every table holding personal data is in the retention registry, classified as such',
    check: perTable((table, { registry }) => {
      const personal = referencesUsers(table) || table.columns.some((c) => PERSONAL_COLUMNS.test(c.name));
      if (!personal) return [];
      const entry = registry.get(table.name);
      if (!entry) {
        return [
          {
            rule: 'gdpr-registry',
            object: table.name,
            message: 'holds personal data but has no retention registry entry',
          },
        ];
      }
      if (entry.personalData === 'none') {
        return [
          {
            rule: 'gdpr-registry',
            object: table.name,
            message: 'holds personal data but is registered as personalData "none"',
          },
        ];
      }
      return [];
    }),
  },
  {
    id: 'table-comment',
    description: 'every table has a COMMENT saying what it holds',
    check: perTable((table) =>
      table.comment?.trim() ? [] : [{ rule: 'table-comment', object: table.name, message: 'has no COMMENT ON TABLE' }],
    ),
  },
];
