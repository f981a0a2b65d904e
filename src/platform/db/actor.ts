import { sql, type Transaction } from 'kysely';
import type { DB } from './db.generated.ts';
import type { Database } from './pool.ts';

/**
 * Runs `work` in a transaction that names the acting user, so the audit trail (ADR 0013) records
 * who made each change: `set_config('veza.actor_id', …, true)` is transaction-local, so it lives on the
 * transaction's connection and is gone when the transaction ends.
 */
export function withActor<T>(
  db: Database,
  actorId: string | null,
  work: (tx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (tx) => {
    if (actorId) await sql`SELECT set_config('veza.actor_id', ${actorId}::text, true)`.execute(tx);
    return work(tx);
  });
}
