// What the queue tests share: listeners, tracks in every state, and a small client of /v1/me/queue.
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import { signedInCaller } from '../../../test/helpers/callers.ts';
import type { Queue } from './queue.schemas.ts';

export interface Listener {
  id: string;
  authorization: string;
}

export const newListener = (testApp: TestApp): Promise<Listener> => signedInCaller(testApp);

export interface TrackState {
  creator_id?: string;
  visibility?: 'public' | 'unlisted' | 'private';
  published?: boolean;
  deleted?: boolean;
  duration?: number;
}

/** A track row (public and published unless told otherwise); returns its id. */
export async function newTrack(testApp: TestApp, state: TrackState = {}): Promise<string> {
  const row = await allFactories.tracks!(testApp.database.sql, {
    ...(state.creator_id ? { creator_id: state.creator_id } : {}),
    visibility: state.visibility ?? 'public',
    published_at: state.published === false ? null : new Date('2024-05-01T10:00:00Z'),
    deleted_at: state.deleted ? new Date('2024-06-01T10:00:00Z') : null,
    duration: state.duration ?? 215,
  });
  return String(row.id);
}

type Ids<N extends number, Acc extends string[] = []> = Acc['length'] extends N ? Acc : Ids<N, [...Acc, string]>;

/** `count` public tracks, as a tuple of ids (destructured in tests). */
export async function newTracks<N extends number>(testApp: TestApp, count: N): Promise<Ids<N>> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) ids.push(await newTrack(testApp));
  return ids as Ids<N>;
}

export interface Answer {
  statusCode: number;
  etag: string | undefined;
  queue: Queue;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- problem bodies are read field by field
  body: any;
}

/** The queue routes as one listener calls them; `ifMatch` adds the header. */
export function queueClient(testApp: TestApp, listener: Listener) {
  const send = async (
    method: 'GET' | 'PATCH' | 'PUT' | 'POST' | 'DELETE',
    url: string,
    payload?: unknown,
    ifMatch?: string,
  ): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: listener.authorization };
    if (ifMatch !== undefined) headers['if-match'] = ifMatch;
    const response = await testApp.app.inject({
      method,
      url,
      headers,
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    const body: unknown = response.body ? response.json() : undefined;
    const etag = response.headers.etag;
    return {
      statusCode: response.statusCode,
      etag: typeof etag === 'string' ? etag : undefined,
      queue: body as Queue,
      body,
    };
  };
  return {
    get: () => send('GET', '/v1/me/queue'),
    patch: (body: unknown, ifMatch?: string) => send('PATCH', '/v1/me/queue', body, ifMatch),
    put: (body: unknown, ifMatch?: string) => send('PUT', '/v1/me/queue', body, ifMatch),
    add: (body: unknown, ifMatch?: string) => send('POST', '/v1/me/queue/items', body, ifMatch),
    move: (itemId: string, position: unknown, ifMatch?: string) =>
      send('PATCH', `/v1/me/queue/items/${itemId}`, { position }, ifMatch),
    remove: (itemId: string, ifMatch?: string) => send('DELETE', `/v1/me/queue/items/${itemId}`, undefined, ifMatch),
    clear: (ifMatch?: string) => send('DELETE', '/v1/me/queue/items', undefined, ifMatch),
  };
}

/** The track ids of the items, in order. */
export const trackOrder = (queue: Queue): string[] => queue.items.map((item) => item.track_id);
/** The positions the answer gives, which must be 0..n-1. */
export const positions = (queue: Queue): number[] => queue.items.map((item) => item.position);
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The queue as stored, straight from the tables: positions, versions, row counts. */
export async function storedQueue(testApp: TestApp, userId: string) {
  const { sql } = testApp.database;
  const [queue] = await sql<{ id: string; version: string; current_track_id: string | null }[]>`
    SELECT id, version::text AS version, current_track_id FROM queues WHERE user_id = ${userId}`;
  const items = queue
    ? await sql<{ id: string; track_id: string; position: number }[]>`
        SELECT id, track_id, position FROM queue_items WHERE queue_id = ${queue.id} ORDER BY position`
    : [];
  const [{ queues } = { queues: 0 }] = await sql<{ queues: number }[]>`
    SELECT count(*)::int AS queues FROM queues WHERE user_id = ${userId}`;
  return { queue, items: [...items], queues };
}
