import type postgres from 'postgres';

/**
 * Runs `work` in a transaction that names the acting user, so the audit trail (ADR 0013) records
 * who made each change: `SET LOCAL veza.actor_id`, gone when the transaction ends.
 */
export function withActor<T>(
  sql: postgres.Sql,
  actorId: string | null,
  work: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return sql.begin(async (tx) => {
    if (actorId) await tx`SELECT set_config('veza.actor_id', ${actorId}, true)`;
    return work(tx);
  }) as Promise<T>;
}
