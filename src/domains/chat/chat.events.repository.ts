// The SQL of the chat event log (migration 0035, ADR 0054). Rows in, rows out.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { ChatEvent, ChatEventType, ChatScope, StoredChatEvent } from './chat.events.ts';

type Executor = Database | Transaction<DB>;

/** The LISTEN/NOTIFY channel on which every recorded event is announced at commit (ADR 0054). */
export const CHAT_NOTIFY_CHANNEL = 'veza_chat';

/** Events of one scope replayed per query at most; a client further behind pages on (ADR 0055). */
export const REPLAY_PAGE = 500;

export function scopeColumns(scope: ChatScope): { scope_type: 'room' | 'user'; scope_id: string } {
  return scope.kind === 'room'
    ? { scope_type: 'room', scope_id: scope.roomId }
    : { scope_type: 'user', scope_id: scope.userId };
}

/** `room:<uuid>` or `user:<uuid>`: the key of a scope in maps, locks, notices and broker subjects. */
export function scopeKey(scope: ChatScope): string {
  return scope.kind === 'room' ? `room:${scope.roomId}` : `user:${scope.userId}`;
}

interface EventRow {
  seq: string;
  scope_type: string;
  scope_id: string;
  event_type: string;
  payload: unknown;
  created_at: Date;
}

function toStored(row: EventRow): StoredChatEvent {
  return {
    seq: String(row.seq),
    scope: row.scope_type === 'room' ? { kind: 'room', roomId: row.scope_id } : { kind: 'user', userId: row.scope_id },
    type: row.event_type as ChatEventType,
    payload: row.payload as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

/**
 * Inserts the events and announces them. The transaction-level advisory locks on their scopes make the writers of one
 * scope commit in seq order (a later seq never becomes visible before an earlier one of the same scope), which is
 * what makes a per-scope resume cursor gap-free. The locks are taken in one fixed order (sorted scope keys) so that
 * two transactions writing the same two scopes cannot deadlock. pg_notify is delivered only on commit, in commit
 * order.
 */
export async function appendChatEvents(tx: Transaction<DB>, events: readonly ChatEvent[]): Promise<{ seq: string }[]> {
  const keys = [...new Set(events.map((event) => scopeKey(event.scope)))].sort();
  for (const key of keys)
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`veza.chat_events:${key}`}, 0))`.execute(tx);
  const seqs: { seq: string }[] = [];
  for (const event of events) {
    const row = await tx
      .insertInto('chat_events')
      .values({ ...scopeColumns(event.scope), event_type: event.type, payload: JSON.stringify(event.payload) })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const seq = String(row.seq);
    await sql`SELECT pg_notify(${CHAT_NOTIFY_CHANNEL}, ${`${seq} ${scopeKey(event.scope)}`})`.execute(tx);
    seqs.push({ seq });
  }
  return seqs;
}

/** The events of `scope` after `after`, oldest first, at most `limit`. */
export async function eventsAfter(
  db: Executor,
  scope: ChatScope,
  after: string,
  limit: number = REPLAY_PAGE,
): Promise<StoredChatEvent[]> {
  const { scope_type, scope_id } = scopeColumns(scope);
  const rows = await db
    .selectFrom('chat_events')
    .select(['seq', 'scope_type', 'scope_id', 'event_type', 'payload', 'created_at'])
    .where('scope_type', '=', scope_type)
    .where('scope_id', '=', scope_id)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => toStored(row as EventRow));
}

/** The events of the given seqs (announced by the broker), oldest first. */
export async function eventsBySeq(db: Executor, seqs: readonly string[]): Promise<StoredChatEvent[]> {
  if (seqs.length === 0) return [];
  const rows = await db
    .selectFrom('chat_events')
    .select(['seq', 'scope_type', 'scope_id', 'event_type', 'payload', 'created_at'])
    // One array parameter: one prepared statement whatever the batch size.
    .where(sql<boolean>`seq = ANY(${[...seqs]}::bigint[])`)
    .orderBy('seq')
    .execute();
  return rows.map((row) => toStored(row as EventRow));
}

/** The newest seq of a scope, '0' when it has none: the starting cursor of a subscription without `since`. */
export async function lastSeq(db: Executor, scope: ChatScope): Promise<string> {
  const { scope_type, scope_id } = scopeColumns(scope);
  const row = await db
    .selectFrom('chat_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('scope_type', '=', scope_type)
    .where('scope_id', '=', scope_id)
    .executeTakeFirst();
  return row?.seq == null ? '0' : String(row.seq);
}

/** The oldest seq still kept of a scope (null when none): a `since` before it means events were lost to retention. */
export async function oldestSeq(db: Executor, scope: ChatScope): Promise<string | null> {
  const { scope_type, scope_id } = scopeColumns(scope);
  const row = await db
    .selectFrom('chat_events')
    .select((eb) => eb.fn.min('seq').as('seq'))
    .where('scope_type', '=', scope_type)
    .where('scope_id', '=', scope_id)
    .executeTakeFirst();
  return row?.seq == null ? null : String(row.seq);
}

/** Deletes up to `batch` events older than `cutoff`; the retention job calls it until it returns 0. */
export async function deleteEventsBefore(db: Database, cutoff: Date, batch: number): Promise<number> {
  const result = await sql<{ n: number }>`
    WITH doomed AS (
      SELECT seq FROM chat_events WHERE created_at < ${cutoff} ORDER BY seq LIMIT ${batch}
    )
    DELETE FROM chat_events WHERE seq IN (SELECT seq FROM doomed)`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/** Every user-scope event of a user (GDPR export). */
export async function personalEvents(db: Executor, userId: string): Promise<StoredChatEvent[]> {
  return eventsAfter(db, { kind: 'user', userId }, '0', 10_000);
}
