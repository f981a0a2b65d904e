// Every SQL statement on system_configs and the change notice (issue 18 §13; ADR 0096). Writes run in the caller's
// transaction, which names the admin (withActor) for the audit trigger of migration 0017.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';

/** The LISTEN/NOTIFY channel every instance listens on for settings and flag changes (ADR 0096). */
export const SETTINGS_CHANNEL = 'veza_admin_settings';

export interface StoredConfig {
  key: string;
  value: unknown;
  updated_at: Date;
  updated_by: string | null;
}

export async function loadStoredConfigs(db: Database): Promise<StoredConfig[]> {
  return db.selectFrom('system_configs').select(['key', 'value', 'updated_at', 'updated_by']).execute();
}

export async function upsertStoredConfig(
  tx: Transaction<DB>,
  entry: { key: string; value: unknown; description: string; isPublic: boolean; updatedBy: string },
): Promise<StoredConfig> {
  // The value travels as JSON text: a bare string parameter would not be valid jsonb.
  const value = sql<string>`${JSON.stringify(entry.value)}::jsonb`;
  return tx
    .insertInto('system_configs')
    .values({
      key: entry.key,
      value,
      description: entry.description,
      is_public: entry.isPublic,
      updated_by: entry.updatedBy,
    })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({
        value,
        description: entry.description,
        is_public: entry.isPublic,
        updated_by: entry.updatedBy,
      }),
    )
    .returning(['key', 'value', 'updated_at', 'updated_by'])
    .executeTakeFirstOrThrow();
}

export async function deleteStoredConfig(tx: Transaction<DB>, key: string): Promise<boolean> {
  const result = await tx.deleteFrom('system_configs').where('key', '=', key).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Tells every instance that settings changed. Sent in the writing transaction, PostgreSQL delivers it at commit and
 * only then: an instance that reloads on the notice reads the new row, and a rolled-back change is never announced.
 */
export async function notifySettingsChanged(tx: Transaction<DB>, what: string): Promise<void> {
  await sql`SELECT pg_notify(${SETTINGS_CHANNEL}, ${what})`.execute(tx);
}
