// The SQL of processed provider webhooks (migration 0047, ADR 0073). Rows in, rows out.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/db.generated.ts';

/**
 * Records an event as seen, in the transaction of its effect. Returns the new row's id, or undefined when the
 * (provider, event id) was recorded before: a replay, or a concurrent duplicate that waited on the unique index for
 * the first one to commit.
 */
export async function insertWebhookEvent(
  tx: Transaction<DB>,
  event: { provider: string; eventId: string; eventType: string; orderId: string | undefined },
): Promise<string | undefined> {
  const result = await sql<{ id: string }>`
    INSERT INTO payment_webhook_events (provider, event_id, event_type, order_id, outcome)
    VALUES (${event.provider}, ${event.eventId}, ${/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(event.eventType) ? event.eventType.slice(0, 100) : 'unrecognised'}, ${event.orderId ?? null}::uuid, 'ignored')
    ON CONFLICT (provider, event_id) DO NOTHING
    RETURNING id`.execute(tx);
  return result.rows[0]?.id;
}

export async function setWebhookOutcome(
  tx: Transaction<DB>,
  id: string,
  outcome: 'applied' | 'ignored' | 'stale',
): Promise<void> {
  await tx.updateTable('payment_webhook_events').set({ outcome }).where('id', '=', id).execute();
}
