// Shared by the playlist tests: accounts with tokens, published tracks, playlists, and requests as someone.
import type { LightMyRequestResponse } from 'fastify';
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';

export interface Person {
  id: string;
  authorization: string;
}

export async function person(testApp: TestApp): Promise<Person> {
  const user = await allFactories.users!(testApp.database.sql, { data_processing_consent: true });
  const { token } = await testApp.accessTokens.issue({
    userId: String(user.id),
    tokenVersion: Number(user.token_version),
    role: 'user',
  });
  return { id: String(user.id), authorization: `Bearer ${token}` };
}

/** A published public track of `creatorId` unless overridden (the factory alone makes a draft). */
export async function track(testApp: TestApp, creatorId: string, overrides: Record<string, unknown> = {}) {
  const row = await allFactories.tracks!(testApp.database.sql, {
    creator_id: creatorId,
    published_at: new Date('2025-01-01T00:00:00Z'),
    ...overrides,
  });
  return { id: String(row.id), duration: Number(row.duration) };
}

export type Call = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD',
  url: string,
  payload?: unknown,
  headers?: Record<string, string>,
) => Promise<LightMyRequestResponse>;

/** Requests as `who` (anonymous when null). */
export function as(testApp: TestApp, who: Person | null): Call {
  return (method, url, payload, headers = {}) =>
    testApp.app.inject({
      method,
      url,
      headers: { ...(who ? { authorization: who.authorization } : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
}

/** Creates a playlist through the API and answers its id. */
export async function newPlaylist(call: Call, body: Record<string, unknown> = {}): Promise<string> {
  const created = await call('POST', '/v1/playlists', { name: 'Road trip', ...body });
  if (created.statusCode !== 201) throw new Error(`playlist not created: ${created.statusCode} ${created.body}`);
  return String(created.json<{ id: string }>().id);
}

/** The entries of a playlist as the database holds them, in order, and its counters. */
export async function stored(testApp: TestApp, playlistId: string) {
  const { sql } = testApp.database;
  const entries = await sql`
    SELECT id, track_id, position FROM playlist_tracks WHERE playlist_id = ${playlistId} ORDER BY position`;
  const [playlist] = await sql`
    SELECT track_count, duration_seconds, follower_count FROM playlists WHERE id = ${playlistId}`;
  return {
    positions: entries.map((row) => Number(row.position)),
    trackIds: entries.map((row) => String(row.track_id)),
    entryIds: entries.map((row) => String(row.id)),
    trackCount: Number(playlist?.track_count),
    durationSeconds: Number(playlist?.duration_seconds),
    followerCount: Number(playlist?.follower_count),
  };
}
