// Every SQL statement on feature_flags (issue 18 §14; ADR 0096). Writes run in the caller's transaction, which names
// the admin (withActor) for the audit trigger of migration 0017, and announce themselves with notifySettingsChanged.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';

export interface StoredFlag {
  key: string;
  description: string | null;
  is_enabled: boolean;
  rollout_percentage: number;
  conditions: unknown;
  updated_at: Date;
  updated_by: string | null;
}

const columns = [
  'key',
  'description',
  'is_enabled',
  'rollout_percentage',
  'conditions',
  'updated_at',
  'updated_by',
] as const;

export async function loadStoredFlags(db: Database): Promise<StoredFlag[]> {
  return db.selectFrom('feature_flags').select(columns).orderBy('key').execute();
}

export interface FlagWrite {
  key: string;
  description: string | null;
  isEnabled: boolean;
  rolloutPercentage: number;
  conditions: object;
  updatedBy: string;
}

/** Creates or replaces the flag; `created` tells which (xmax is 0 only on a row this statement inserted). */
export async function upsertStoredFlag(
  tx: Transaction<DB>,
  flag: FlagWrite,
): Promise<{ flag: StoredFlag; created: boolean }> {
  const conditions = sql<string>`${JSON.stringify(flag.conditions)}::jsonb`;
  const changes = {
    description: flag.description,
    is_enabled: flag.isEnabled,
    rollout_percentage: flag.rolloutPercentage,
    conditions,
    updated_by: flag.updatedBy,
  };
  const row = await tx
    .insertInto('feature_flags')
    .values({ key: flag.key, ...changes })
    .onConflict((conflict) => conflict.column('key').doUpdateSet(changes))
    .returning([...columns, sql<boolean>`xmax = 0`.as('created')])
    .executeTakeFirstOrThrow();
  const { created, ...stored } = row;
  return { flag: stored, created };
}

export async function deleteStoredFlag(tx: Transaction<DB>, key: string): Promise<boolean> {
  const result = await tx.deleteFrom('feature_flags').where('key', '=', key).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
