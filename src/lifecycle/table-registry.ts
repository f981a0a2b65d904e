// The lifecycle of every table (GUIDE habit 10): db/table-registry.json, read by the schema guard
// (registered personal data, soft delete of user-facing tables), by `schema diff` (no shortened
// retention) and by the retention, anonymisation and GDPR jobs. Spec §17, §18.1, §18.2, §19.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../platform/project-root.ts';

export const TABLE_REGISTRY_FILE = join(projectRoot, 'db', 'table-registry.json');

/**
 * identifying: the row identifies or describes a person by itself (contact data, names, IP, user agent,
 * phone, birthdate, location, credentials, free text the person wrote, embedded file metadata).
 * linked: no such data, but the row belongs to a person, through a user id column or through its parent row.
 * none: about no one (catalogues, settings without an author, platform-wide aggregates, job metadata).
 */
export const PERSONAL_DATA_CLASSES = ['none', 'identifying', 'linked'] as const;
export type PersonalDataClass = (typeof PERSONAL_DATA_CLASSES)[number];

export const RETENTION_POLICIES = [
  /** Account data (§18.1 "Données de compte"): lives with the account, gone 30 days after users.deleted_at. */
  'until_account_deletion',
  /** Deleted or anonymised maxAgeDays after `clock`. */
  'fixed_period',
  /** Kept maxAgeDays (at least the 7 years of §18.1 "Données transactionnelles"), detached from the person on account deletion. */
  'legal_hold',
  /** §18.1 "Messages": soft-deleted by its author, purged maxAgeDays after deleted_at. */
  'until_deleted_by_user',
  /** No personal data about anyone beyond an editor's id; kept while useful. */
  'reference_data',
  /** Lives and dies with the row it belongs to (ON DELETE CASCADE). */
  'follows_parent',
] as const;
export type RetentionPolicy = (typeof RETENTION_POLICIES)[number];

export const RETENTION_ACTIONS = [
  'delete',
  'anonymise',
  'anonymise_then_aggregate',
  'archive_then_delete',
  'soft_delete_then_anonymise',
  'keep',
  'cascade',
] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

/** 7 years (§18.1 "Données transactionnelles"): 5 × 365 + 2 × 366 days. */
export const LEGAL_HOLD_MIN_DAYS = 2557;

export interface RetentionRule {
  policy: RetentionPolicy;
  /** Age limit in days measured from `clock`; null when the policy has no time limit. */
  maxAgeDays: number | null;
  /** Column of the table the age is measured from; null exactly when maxAgeDays is null. */
  clock: string | null;
  action: RetentionAction;
  /** `§18.1 <category>` for the tables the spec names, else a short justification. */
  spec: string;
  /** One sentence: what exactly happens to the rows. */
  note: string;
}

export interface TableLifecycle {
  /** Content people publish or others see: must have a deleted_at column (soft delete, spec rules). */
  userFacing: boolean;
  personalData: PersonalDataClass;
  retention: RetentionRule;
}

export type TableRegistry = Readonly<Record<string, Readonly<TableLifecycle>>>;

interface PolicyShape {
  /** Whether maxAgeDays must be set, must be null, or may be either. */
  limit: 'required' | 'forbidden' | 'optional';
  actions: readonly RetentionAction[];
  /** The only column the age may be measured from, when the policy fixes it. */
  clock?: string;
}

const POLICY_SHAPES: Record<RetentionPolicy, PolicyShape> = {
  // users carries its own 30-day grace after deleted_at; the other account tables go with the account.
  until_account_deletion: {
    limit: 'optional',
    actions: ['soft_delete_then_anonymise', 'delete', 'anonymise'],
    clock: 'deleted_at',
  },
  fixed_period: {
    limit: 'required',
    actions: ['delete', 'anonymise', 'anonymise_then_aggregate', 'archive_then_delete'],
  },
  legal_hold: { limit: 'required', actions: ['keep'] },
  until_deleted_by_user: { limit: 'required', actions: ['delete', 'anonymise'], clock: 'deleted_at' },
  reference_data: { limit: 'forbidden', actions: ['keep'] },
  follows_parent: { limit: 'forbidden', actions: ['cascade'] },
};

const ENTRY_KEYS = ['userFacing', 'personalData', 'retention'] as const;
const RETENTION_KEYS = ['policy', 'maxAgeDays', 'clock', 'action', 'spec', 'note'] as const;
const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/** Throws the registry error naming the table being read and `field`. */
type Fail = (field: string, problem: string) => never;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

function list(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}

function checkKeys(record: Record<string, unknown>, expected: readonly string[], prefix: string, fail: Fail): void {
  for (const key of Object.keys(record)) {
    if (!expected.includes(key)) fail(`${prefix}${key}`, `unknown field (expected ${list(expected)})`);
  }
  for (const key of expected) {
    if (!(key in record)) fail(`${prefix}${key}`, 'is missing');
  }
}

function nonBlank(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '') return fail(field, 'must be a non-empty string');
  return value;
}

function days(value: unknown, fail: Fail): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    return fail('retention.maxAgeDays', 'must be a positive whole number of days or null');
  }
  return value;
}

function column(value: unknown, fail: Fail): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !IDENTIFIER.test(value))
    return fail('retention.clock', 'must be a column name or null');
  return value;
}

function validateRetention(value: unknown, fail: Fail): RetentionRule {
  if (!isRecord(value)) return fail('retention', 'must be an object');
  checkKeys(value, RETENTION_KEYS, 'retention.', fail);
  const { policy, action } = value;
  if (!oneOf(RETENTION_POLICIES, policy)) return fail('retention.policy', `must be one of ${list(RETENTION_POLICIES)}`);
  const shape = POLICY_SHAPES[policy];

  const maxAgeDays = days(value.maxAgeDays, fail);
  if (shape.limit === 'required' && maxAgeDays === null) {
    fail('retention.maxAgeDays', `must be set: policy "${policy}" has a time limit`);
  }
  if (shape.limit === 'forbidden' && maxAgeDays !== null) {
    fail('retention.maxAgeDays', `must be null: policy "${policy}" has no time limit`);
  }
  if (policy === 'legal_hold' && maxAgeDays !== null && maxAgeDays < LEGAL_HOLD_MIN_DAYS) {
    fail('retention.maxAgeDays', `must be at least ${LEGAL_HOLD_MIN_DAYS} (7 years, §18.1) for a legal hold`);
  }

  const clock = column(value.clock, fail);
  if (maxAgeDays === null && clock !== null) fail('retention.clock', 'must be null when maxAgeDays is null');
  if (maxAgeDays !== null && clock === null) fail('retention.clock', 'must name the column the age is measured from');
  if (shape.clock !== undefined && clock !== null && clock !== shape.clock) {
    fail('retention.clock', `must be "${shape.clock}" for policy "${policy}"`);
  }

  if (!oneOf(RETENTION_ACTIONS, action)) return fail('retention.action', `must be one of ${list(RETENTION_ACTIONS)}`);
  if (!shape.actions.includes(action)) {
    fail('retention.action', `must be one of ${list(shape.actions)} for policy "${policy}"`);
  }

  return Object.freeze({
    policy,
    maxAgeDays,
    clock,
    action,
    spec: nonBlank(value.spec, 'retention.spec', fail),
    note: nonBlank(value.note, 'retention.note', fail),
  });
}

function validateEntry(value: unknown, fail: Fail): TableLifecycle {
  if (!isRecord(value)) return fail('(entry)', 'must be an object');
  checkKeys(value, ENTRY_KEYS, '', fail);
  const { userFacing, personalData } = value;
  if (typeof userFacing !== 'boolean') return fail('userFacing', 'must be true or false');
  if (!oneOf(PERSONAL_DATA_CLASSES, personalData)) {
    return fail('personalData', `must be one of ${list(PERSONAL_DATA_CLASSES)}`);
  }
  const retention = validateRetention(value.retention, fail);
  // Never keep identifying data without a bound unless it is account data or a legal hold (§18, §19.2).
  if (retention.policy === 'reference_data' && personalData === 'identifying') {
    fail('personalData', 'reference data (kept without limit) cannot hold identifying personal data');
  }
  return Object.freeze({ userFacing, personalData, retention });
}

/** Validates parsed registry JSON; `source` (the file) starts every error message. */
export function parseTableRegistry(json: unknown, source: string): TableRegistry {
  if (!isRecord(json)) throw new Error(`${source}: must hold an object keyed by table name`);
  const registry: Record<string, TableLifecycle> = {};
  let previous: string | undefined;
  for (const [table, value] of Object.entries(json)) {
    const fail: Fail = (field, problem) => {
      throw new Error(`${source}: table "${table}", field "${field}": ${problem}`);
    };
    if (!IDENTIFIER.test(table)) fail('(name)', 'is not a snake_case table name');
    if (previous !== undefined && table <= previous)
      fail('(name)', `is out of alphabetical order (after "${previous}")`);
    previous = table;
    registry[table] = validateEntry(value, fail);
  }
  return Object.freeze(registry);
}

/**
 * Reads and validates the registry (default db/table-registry.json). Throws on the first problem,
 * naming the table and the field.
 */
export function loadTableRegistry(path: string = TABLE_REGISTRY_FILE): TableRegistry {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the table registry`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  return parseTableRegistry(json, path);
}
