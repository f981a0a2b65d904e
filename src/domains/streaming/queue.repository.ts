// The SQL of the play queue (issue 13 §5, ADR 0050): queues and queue_items rows, and the tracks the rules and the
// answer need. Rows in, rows out. queues.version is never written here: the triggers of migration 0032 move it.
import { sql } from 'kysely';
import { withActor } from '../../platform/db/actor.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import type { TrackSubject } from './tracks.policy.ts';

export interface QueueRow {
  id: string;
  current_track_id: string | null;
  current_position: number;
  is_playing: boolean;
  shuffle: boolean;
  repeat_mode: string;
  volume: number;
  /** BIGINT, as PostgreSQL's text. */
  version: string;
  updated_at: Date;
}

/** A track as the queue shows it and the rules judge it, deleted or not (the policy decides). */
export interface QueueTrackRow extends TrackSubject {
  id: string;
  title: string;
  artist: string | null;
  album: string | null;
  duration: number;
  cover_art_file_id: string | null;
}

export interface QueueItemRow {
  id: string;
  track_id: string;
  added_at: Date;
  track: QueueTrackRow;
}

/** The queue as one statement saw it (state and items from one snapshot); no row until the first write. */
export interface QueueSnapshot {
  queue: QueueRow | undefined;
  /** The current track's row, when there is one. */
  current: QueueTrackRow | undefined;
  items: QueueItemRow[];
}

/** An item as a write reorders it: where it is stored now (positions of old rows may not be compact). */
export interface StoredItem {
  id: string;
  track_id: string;
  position: number;
}

/** One place of the order a write asks for: an item that stays (`id`), or a track to add. */
export type OrderedEntry = { id: string; track_id: string } | { id?: undefined; track_id: string };

export type QueueStateChange = Partial<
  Pick<QueueRow, 'current_track_id' | 'current_position' | 'is_playing' | 'shuffle' | 'repeat_mode' | 'volume'>
>;

const TRACK_COLUMNS = [
  'id',
  'creator_id',
  'visibility',
  'published_at',
  'deleted_at',
  'title',
  'artist',
  'album',
  'duration',
  'cover_art_file_id',
] as const;

const QUEUE_COLUMNS = [
  'queues.id',
  'queues.current_track_id',
  'queues.current_position',
  'queues.is_playing',
  'queues.shuffle',
  'queues.repeat_mode',
  'queues.volume',
  'queues.version',
  'queues.updated_at',
] as const;

/** The whole queue of a user in one statement, so that the version read is the version of the items read. */
async function readSnapshot(db: Database, userId: string): Promise<QueueSnapshot> {
  const rows = await db
    .selectFrom('queues')
    .leftJoin('tracks as current', 'current.id', 'queues.current_track_id')
    .leftJoin('queue_items as item', 'item.queue_id', 'queues.id')
    .leftJoin('tracks as track', 'track.id', 'item.track_id')
    .select(QUEUE_COLUMNS)
    .select(TRACK_COLUMNS.map((column) => `current.${column} as current_${column}` as const))
    .select(['item.id as item_id', 'item.track_id as item_track_id', 'item.added_at as item_added_at'])
    .select(TRACK_COLUMNS.map((column) => `track.${column} as track_${column}` as const))
    .where('queues.user_id', '=', userId)
    .orderBy('item.position')
    .orderBy('item.added_at')
    .orderBy('item.id')
    .execute();
  const first = rows[0];
  if (!first) return { queue: undefined, current: undefined, items: [] };
  const track = (row: Record<string, unknown>, prefix: string): QueueTrackRow | undefined => {
    if (row[`${prefix}id`] === null) return undefined;
    // The columns were selected under these aliases just above, with these types.
    return Object.fromEntries(
      TRACK_COLUMNS.map((column) => [column, row[`${prefix}${column}`]]),
    ) as unknown as QueueTrackRow;
  };
  const items: QueueItemRow[] = [];
  for (const row of rows) {
    const itemTrack = track(row, 'track_');
    if (row.item_id === null || row.item_track_id === null || row.item_added_at === null || !itemTrack) continue;
    items.push({ id: row.item_id, track_id: row.item_track_id, added_at: row.item_added_at, track: itemTrack });
  }
  return {
    queue: {
      id: first.id,
      current_track_id: first.current_track_id,
      current_position: first.current_position,
      is_playing: first.is_playing,
      shuffle: first.shuffle,
      repeat_mode: first.repeat_mode,
      volume: first.volume,
      version: first.version,
      updated_at: first.updated_at,
    },
    current: track(first, 'current_'),
    items,
  };
}

/** The statements a write runs on the caller's queue, inside its transaction, the queue row locked. */
export interface QueueWriter {
  /** The items as stored, in order. */
  items(): Promise<StoredItem[]>;
  /** The rows of these tracks that exist, deleted or not. */
  tracks(trackIds: readonly string[]): Promise<QueueTrackRow[]>;
  /** Makes the items exactly `order`: the others deleted, the rest at positions 0..n-1, new ones inserted. */
  applyOrder(stored: readonly StoredItem[], order: readonly OrderedEntry[]): Promise<void>;
  /** Sets these state columns (nothing when empty). */
  updateState(change: QueueStateChange): Promise<void>;
}

function queueWriter(tx: Database, queueId: string): QueueWriter {
  return {
    items: () =>
      tx
        .selectFrom('queue_items')
        .select(['id', 'track_id', 'position'])
        .where('queue_id', '=', queueId)
        .orderBy('position')
        .orderBy('added_at')
        .orderBy('id')
        .execute(),

    async tracks(trackIds) {
      if (trackIds.length === 0) return [];
      return tx
        .selectFrom('tracks')
        .select(TRACK_COLUMNS)
        .where(sql<boolean>`id = any(${[...new Set(trackIds)]}::uuid[])`)
        .execute();
    },

    async applyOrder(stored, order) {
      const kept = new Set(order.flatMap((entry) => (entry.id === undefined ? [] : [entry.id])));
      const removed = stored.filter((item) => !kept.has(item.id)).map((item) => item.id);
      if (removed.length > 0)
        await tx
          .deleteFrom('queue_items')
          .where('queue_id', '=', queueId)
          .where(sql<boolean>`id = any(${removed}::uuid[])`)
          .execute();
      const storedAt = new Map(stored.map((item) => [item.id, item.position]));
      const moved: { id: string; position: number }[] = [];
      const added: { track_id: string; position: number }[] = [];
      order.forEach((entry, position) => {
        if (entry.id === undefined) added.push({ track_id: entry.track_id, position });
        else if (storedAt.get(entry.id) !== position) moved.push({ id: entry.id, position });
      });
      // One statement: uq_queue_items_queue_id_position is checked at its end, so items may swap places.
      if (moved.length > 0)
        await sql`
          UPDATE queue_items AS item SET position = moved.position
          FROM unnest(${moved.map((m) => m.id)}::uuid[], ${moved.map((m) => m.position)}::integer[])
            AS moved(id, position)
          WHERE item.id = moved.id AND item.queue_id = ${queueId}`.execute(tx);
      if (added.length > 0)
        await sql`
          INSERT INTO queue_items (queue_id, track_id, position)
          SELECT ${queueId}, added.track_id, added.position
          FROM unnest(${added.map((a) => a.track_id)}::uuid[], ${added.map((a) => a.position)}::integer[])
            AS added(track_id, position)`.execute(tx);
    },

    async updateState(change) {
      if (Object.keys(change).length === 0) return;
      await tx.updateTable('queues').set(change).where('id', '=', queueId).execute();
    },
  };
}

/** The queue row of the user, locked for the rest of the transaction; created when the user has none yet. */
async function lockQueue(tx: Database, userId: string): Promise<QueueRow> {
  const locked = () =>
    tx.selectFrom('queues').select(QUEUE_COLUMNS).where('user_id', '=', userId).forUpdate().executeTakeFirst();
  const existing = await locked();
  if (existing) return existing;
  // Two devices writing a new queue at once: one inserts, the other waits for it, inserts nothing, then locks the
  // row the first committed (uq_queues_user_id).
  await tx
    .insertInto('queues')
    .values({ user_id: userId })
    .onConflict((conflict) => conflict.column('user_id').doNothing())
    .execute();
  const created = await locked();
  if (!created) throw new Error(`the queue of user ${userId} could not be created`);
  return created;
}

export function createQueueRepository(pool: Pool | { db: Database }) {
  const { db } = pool;
  return {
    read: (userId: string) => readSnapshot(db, userId),

    /**
     * Runs `work` on the user's queue in one transaction (the caller as actor), the queue row locked FOR UPDATE
     * from the start, so that writes of one queue happen one after the other; `work` sees the row as it is under
     * the lock and throws to refuse (nothing is then written, the queue row included). Answers the queue as the
     * transaction leaves it.
     */
    write(userId: string, work: (queue: QueueRow, writer: QueueWriter) => Promise<void>): Promise<QueueSnapshot> {
      return withActor(db, userId, async (tx) => {
        const queue = await lockQueue(tx, userId);
        await work(queue, queueWriter(tx, queue.id));
        return readSnapshot(tx, userId);
      });
    },
  };
}

export type QueueRepository = ReturnType<typeof createQueueRepository>;
