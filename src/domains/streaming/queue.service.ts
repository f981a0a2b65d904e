// The play queue (issue 13 §5, ADR 0050): one per user, the same on every device, written with optimistic
// concurrency. The rules live here; the HTTP routes (queue.routes.ts) and the OpenSubsonic API (getPlayQueue,
// savePlayQueue) both call them.
import { entityTag } from '../../platform/http/etag.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError, CommonProblems, type ProblemField } from '../../platform/http/problem.ts';
import { createQueueRepository } from './queue.repository.ts';
import type {
  OrderedEntry,
  QueueRepository,
  QueueRow,
  QueueSnapshot,
  QueueStateChange,
  QueueTrackRow,
  QueueWriter,
} from './queue.repository.ts';
import {
  MAX_QUEUE_ITEMS,
  type Queue,
  type QueueAdd,
  type QueueMove,
  type QueueReplace,
  type QueueStatePatch,
} from './queue.schemas.ts';
import { StreamingProblems } from './streaming.errors.ts';
import { tracksPolicy } from './tracks.policy.ts';

/** A precondition of the request (If-Match), handed the queue's version under the lock; throws to refuse. */
export type QueuePrecondition = ((current: unknown) => void) | undefined;

/** The queue as answered, with its ETag. */
export interface TaggedQueue {
  queue: Queue;
  etag: string;
}

/** What the OpenSubsonic savePlayQueue carries: the ids, the current one, the position in it (seconds). */
export interface SavedPlayQueue {
  track_ids: string[];
  current_track_id?: string | null;
  current_position?: number;
}

type RepeatMode = Queue['repeat_mode'];
const REPEAT_MODES: readonly string[] = ['off', 'track', 'queue'] satisfies RepeatMode[];

/** What the ETag is computed from: the version alone (ADR 0050), so that If-Match is checked on the locked row. */
const versionOf = (version: string) => ({ queue_version: version });
/** The version of a queue nobody wrote yet: its row, once created, starts there. */
const UNWRITTEN = '0';

const invalid = (detail: string, errors: ProblemField[]) =>
  new ApiError(CommonProblems.validationFailed, detail, errors);

export class QueueService {
  readonly #repository: QueueRepository;

  constructor(deps: { repository: QueueRepository }) {
    this.#repository = deps.repository;
  }

  /** The caller's queue; a user who never wrote one has an empty queue with default settings. */
  async get(caller: Caller): Promise<TaggedQueue> {
    return present(caller, await this.#repository.read(caller.userId));
  }

  /** Changes the playback state: current track and position, playing, shuffle, repeat mode, volume. */
  async updateState(caller: Caller, patch: QueueStatePatch, precondition: QueuePrecondition): Promise<TaggedQueue> {
    return this.#write(caller, precondition, async (queue, writer) => {
      const change: QueueStateChange = {};
      const changesTrack = patch.current_track_id !== undefined && patch.current_track_id !== queue.current_track_id;
      const currentId = patch.current_track_id === undefined ? queue.current_track_id : patch.current_track_id;
      const current = await playableCurrent(caller, writer, currentId, changesTrack);
      if (changesTrack) {
        change.current_track_id = currentId;
        change.current_position = 0;
      }
      if (patch.current_position !== undefined) {
        checkPosition(patch.current_position, current);
        change.current_position = patch.current_position;
      }
      if (patch.is_playing !== undefined) change.is_playing = patch.is_playing;
      if (patch.shuffle !== undefined) change.shuffle = patch.shuffle;
      if (patch.repeat_mode !== undefined) change.repeat_mode = patch.repeat_mode;
      if (patch.volume !== undefined) change.volume = patch.volume;
      await writer.updateState(changed(queue, change));
    });
  }

  /** Replaces everything at once: the items, the current track, the position, and the settings given. */
  async replace(caller: Caller, body: QueueReplace, precondition: QueuePrecondition): Promise<TaggedQueue> {
    return this.#write(caller, precondition, async (queue, writer) => {
      const tracks = await playableTracks(caller, writer, body.track_ids);
      const currentId = body.current_track_id ?? null;
      const current = await playableCurrent(caller, writer, currentId, currentId !== queue.current_track_id, tracks);
      const position = body.current_position ?? 0;
      checkPosition(position, current);
      await writer.applyOrder(
        await writer.items(),
        body.track_ids.map((trackId) => ({ track_id: trackId })),
      );
      const change: QueueStateChange = { current_track_id: currentId, current_position: position };
      if (body.is_playing !== undefined) change.is_playing = body.is_playing;
      if (body.shuffle !== undefined) change.shuffle = body.shuffle;
      if (body.repeat_mode !== undefined) change.repeat_mode = body.repeat_mode;
      if (body.volume !== undefined) change.volume = body.volume;
      await writer.updateState(changed(queue, change));
    });
  }

  /** Adds tracks at the end, right after the current track, or at a position. */
  async addItems(caller: Caller, body: QueueAdd, precondition: QueuePrecondition): Promise<TaggedQueue> {
    const mode = body.mode ?? 'append';
    if (mode === 'at' && body.position === undefined)
      throw invalid('`mode: at` needs a position', [
        { field: 'body.position', rule: 'required', message: 'is required with mode "at"' },
      ]);
    if (mode !== 'at' && body.position !== undefined)
      throw invalid('A position is only taken with `mode: at`', [
        { field: 'body.position', rule: 'mode', message: 'is only allowed with mode "at"' },
      ]);
    return this.#write(caller, precondition, async (queue, writer) => {
      const stored = await writer.items();
      if (stored.length + body.track_ids.length > MAX_QUEUE_ITEMS)
        throw new ApiError(
          StreamingProblems.queueFull,
          `The queue holds ${stored.length} items; it may hold at most ${MAX_QUEUE_ITEMS}`,
          [
            {
              field: 'body.track_ids',
              rule: 'maxItems',
              message: `would take the queue past ${MAX_QUEUE_ITEMS} items`,
            },
          ],
        );
      let at = stored.length;
      if (mode === 'next') {
        const current = stored.findIndex((item) => item.track_id === queue.current_track_id);
        at = current === -1 ? 0 : current + 1;
      } else if (mode === 'at') {
        at = body.position ?? stored.length;
        if (at > stored.length) throw pastTheEnd('body.position', stored.length);
      }
      await playableTracks(caller, writer, body.track_ids);
      const order: OrderedEntry[] = stored.map(({ id, track_id }) => ({ id, track_id }));
      order.splice(at, 0, ...body.track_ids.map((trackId) => ({ track_id: trackId })));
      await writer.applyOrder(stored, order);
    });
  }

  /** Moves one item to a position; the items between move by one. */
  async moveItem(caller: Caller, itemId: string, body: QueueMove, precondition: QueuePrecondition) {
    return this.#write(caller, precondition, async (_queue, writer) => {
      const stored = await writer.items();
      const from = stored.findIndex((item) => item.id === itemId);
      if (from === -1) throw new ApiError(StreamingProblems.queueItemNotFound);
      if (body.position > stored.length - 1) throw pastTheEnd('body.position', stored.length - 1);
      const order: OrderedEntry[] = stored.map(({ id, track_id }) => ({ id, track_id }));
      const [item] = order.splice(from, 1);
      if (item) order.splice(body.position, 0, item);
      await writer.applyOrder(stored, order);
    });
  }

  /** Removes one item; the items after it move up by one. */
  async removeItem(caller: Caller, itemId: string, precondition: QueuePrecondition): Promise<TaggedQueue> {
    return this.#write(caller, precondition, async (_queue, writer) => {
      const stored = await writer.items();
      if (!stored.some((item) => item.id === itemId)) throw new ApiError(StreamingProblems.queueItemNotFound);
      await writer.applyOrder(
        stored,
        stored.filter((item) => item.id !== itemId),
      );
    });
  }

  /** Removes every item; the current track and the settings stay (what plays now keeps playing). */
  async clear(caller: Caller, precondition: QueuePrecondition): Promise<TaggedQueue> {
    return this.#write(caller, precondition, async (_queue, writer) => {
      await writer.applyOrder(await writer.items(), []);
    });
  }

  /** For the OpenSubsonic getPlayQueue: the caller's queue. */
  getPlayQueue(caller: Caller): Promise<TaggedQueue> {
    return this.get(caller);
  }

  /**
   * For the OpenSubsonic savePlayQueue: the items, the current track and the position replace what was there, the
   * settings stay; no precondition (the protocol has none: the last save wins). An empty list clears the queue.
   */
  savePlayQueue(caller: Caller, saved: SavedPlayQueue): Promise<TaggedQueue> {
    return this.replace(
      caller,
      {
        track_ids: saved.track_ids,
        ...(saved.current_track_id !== undefined ? { current_track_id: saved.current_track_id } : {}),
        ...(saved.current_position !== undefined ? { current_position: saved.current_position } : {}),
      },
      undefined,
    );
  }

  async #write(
    caller: Caller,
    precondition: QueuePrecondition,
    work: (queue: QueueRow, writer: QueueWriter) => Promise<void>,
  ): Promise<TaggedQueue> {
    const snapshot = await this.#repository.write(caller.userId, async (queue, writer) => {
      precondition?.(versionOf(queue.version));
      await work(queue, writer);
    });
    return present(caller, snapshot);
  }
}

/** The service on a pool: what the OpenSubsonic API (or any other caller without HTTP) uses. */
export function createQueueService(pool: Parameters<typeof createQueueRepository>[0]): QueueService {
  return new QueueService({ repository: createQueueRepository(pool) });
}

/** Only the columns whose value changes: a write that changes nothing leaves the version (and the ETag) alone. */
function changed(queue: QueueRow, change: QueueStateChange): QueueStateChange {
  return Object.fromEntries(
    Object.entries(change).filter(([column, value]) => queue[column as keyof QueueStateChange] !== value),
  );
}

function pastTheEnd(field: string, maximum: number): ApiError {
  return invalid(`The position is past the end of the queue (at most ${maximum})`, [
    { field, rule: 'maximum', message: `must be at most ${maximum}, the queue's end` },
  ]);
}

/** The rows of the tracks to add, each one playable by the caller; else a 404 naming every refused index. */
async function playableTracks(
  caller: Caller,
  writer: QueueWriter,
  trackIds: readonly string[],
): Promise<Map<string, QueueTrackRow>> {
  const rows = new Map((await writer.tracks(trackIds)).map((row) => [row.id, row]));
  const refused: ProblemField[] = [];
  trackIds.forEach((trackId, index) => {
    if (!tracksPolicy.mayListen(caller, rows.get(trackId)).allowed)
      refused.push({ field: `body.track_ids.${index}`, rule: 'playable', message: 'is not a track you may play' });
  });
  if (refused.length > 0)
    throw new ApiError(
      StreamingProblems.trackNotFound,
      `${refused.length} of the tracks do not exist or are not yours to play; nothing was changed`,
      refused.slice(0, 20),
    );
  return rows;
}

/**
 * The current track's row. A track becoming current must be one the caller may play (in the queue or not); one
 * that stays current is kept even if it became unplayable since (the answer says so), so that a device can still
 * report its position or pause.
 */
async function playableCurrent(
  caller: Caller,
  writer: QueueWriter,
  trackId: string | null,
  becomesCurrent: boolean,
  known?: Map<string, QueueTrackRow>,
): Promise<QueueTrackRow | undefined> {
  if (trackId === null) return undefined;
  const row = known?.get(trackId) ?? (await writer.tracks([trackId]))[0];
  if (becomesCurrent && !tracksPolicy.mayListen(caller, row).allowed)
    throw new ApiError(StreamingProblems.trackNotFound, 'The current track does not exist or is not yours to play', [
      { field: 'body.current_track_id', rule: 'playable', message: 'is not a track you may play' },
    ]);
  return row;
}

/** A position within the current track (0 when there is none). */
function checkPosition(position: number, current: QueueTrackRow | undefined): void {
  const maximum = current?.duration ?? 0;
  if (position > maximum)
    throw invalid(
      current ? `The position is past the end of the current track (${maximum} s)` : 'There is no current track',
      [
        {
          field: 'body.current_position',
          rule: 'maximum',
          message: current ? `must be at most ${maximum}, the track's duration` : 'must be 0 without a current track',
        },
      ],
    );
}

function present(caller: Caller, snapshot: QueueSnapshot): TaggedQueue {
  const { queue, current, items } = snapshot;
  const version = queue?.version ?? UNWRITTEN;
  const repeat = queue?.repeat_mode ?? 'off';
  const answer: Queue = {
    current_track_id: queue?.current_track_id ?? null,
    current_track_available: current !== undefined && tracksPolicy.mayListen(caller, current).allowed,
    current_position: queue?.current_position ?? 0,
    is_playing: queue?.is_playing ?? false,
    shuffle: queue?.shuffle ?? false,
    repeat_mode: (REPEAT_MODES.includes(repeat) ? repeat : 'off') as RepeatMode,
    volume: queue?.volume ?? 100,
    updated_at: queue ? queue.updated_at.toISOString() : null,
    item_count: items.length,
    max_items: MAX_QUEUE_ITEMS,
    items: items.map((item, position) => {
      const available = tracksPolicy.mayListen(caller, item.track).allowed;
      return {
        id: item.id,
        position,
        track_id: item.track_id,
        added_at: item.added_at.toISOString(),
        available,
        track: available
          ? {
              id: item.track.id,
              title: item.track.title,
              artist: item.track.artist,
              album: item.track.album,
              duration_seconds: item.track.duration,
              cover_art_file_id: item.track.cover_art_file_id,
              creator_id: item.track.creator_id,
            }
          : null,
      };
    }),
  };
  return { queue: answer, etag: entityTag(versionOf(version)) };
}

/** The ETag a queue answer carries, from its version (exported for tests and the OpenSubsonic API). */
export const queueEntityTag = (version: string): string => entityTag(versionOf(version));
