// A small Veza library for the OpenSubsonic tests: creators with tracks whose audio and renditions are real bytes in
// the test's storage, listeners with app passwords and API keys made through /v1, and the app listening on a real
// port so that the npm `subsonic-api` client talks to it over HTTP, as a player would.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Sql } from 'postgres';
import { SubsonicAPI } from 'subsonic-api';
import { allFactories } from '../../../../test/factories/index.ts';
import type { TestApp } from '../../../../test/helpers/app.ts';
import type { ObjectStorage } from '../../files/storage/object-storage.ts';
import { storedFile } from '../../files/files.test-support.ts';

export interface TestTrack {
  id: string;
  creatorId: string;
  fileId: string;
  original: Buffer;
  renditions: { '128k': Buffer; '256k': Buffer };
  coverId: string | null;
}

export interface Listener {
  id: string;
  username: string;
  authorization: string;
}

/** A user with a bearer token (for /v1) and a known username (for /rest). */
export async function newListener(testApp: TestApp, prefix = 'listener'): Promise<Listener> {
  const username = `${prefix}_${randomBytes(5).toString('hex')}`;
  const user = await allFactories.users!(testApp.database.sql, { username, data_processing_consent: true });
  const { token } = await testApp.accessTokens.issue({ userId: String(user.id), tokenVersion: 0, role: 'user' });
  return { id: String(user.id), username, authorization: `Bearer ${token}` };
}

/** Makes a credential through the API and returns its secret (shown once). */
export async function newCredential(
  testApp: TestApp,
  listener: Listener,
  kind: 'app_password' | 'api_key',
): Promise<{ id: string; secret: string }> {
  const answer = await testApp.app.inject({
    method: 'POST',
    url: '/v1/me/subsonic-credentials',
    headers: { authorization: listener.authorization },
    payload: { name: `Player ${kind}`, kind },
  });
  if (answer.statusCode !== 201) throw new Error(`credential not made: ${answer.statusCode} ${answer.body}`);
  return answer.json<{ id: string; secret: string }>();
}

/**
 * A track of `creatorId` whose original upload and 128k/256k AAC renditions are stored bytes (random: the tests
 * compare bytes, not sound), with a cover image when asked.
 */
export async function newTrack(
  sql: Sql,
  storage: ObjectStorage,
  creatorId: string,
  overrides: Record<string, unknown> = {},
  options: { cover?: boolean; renditions?: boolean } = {},
): Promise<TestTrack> {
  const original = await storedFile(sql, storage, {
    user_id: creatorId,
    mime_type: 'audio/flac',
    original_filename: 'master.flac',
  });
  const renditions = { '128k': randomBytes(64 * 1024 + 17), '256k': randomBytes(128 * 1024 + 5) };
  if (options.renditions !== false) {
    for (const quality of ['128k', '256k'] as const) {
      const rendition = await storedFile(
        sql,
        storage,
        { user_id: creatorId, mime_type: 'audio/mp4', original_filename: `aac-${quality}.m4a` },
        renditions[quality],
      );
      await allFactories.file_conversions!(sql, {
        source_file_id: original.id,
        converted_file_id: rendition.id,
        target_format: 'aac',
        target_quality: quality,
        status: 'completed',
        progress: 100,
      });
    }
  }
  const cover = options.cover
    ? await storedFile(sql, storage, { user_id: creatorId, mime_type: 'image/png', original_filename: 'cover.png' })
    : null;
  const track = await allFactories.tracks!(sql, {
    creator_id: creatorId,
    file_id: original.id,
    visibility: 'public',
    published_at: new Date('2026-01-01T00:00:00Z'),
    cover_art_file_id: cover?.id ?? null,
    ...overrides,
  });
  return {
    id: String(track.id),
    creatorId,
    fileId: original.id,
    original: original.bytes,
    renditions,
    coverId: cover?.id ?? null,
  };
}

/** The app on a free loopback port, for real HTTP clients; `url` is its base. */
export async function listening(testApp: TestApp): Promise<string> {
  const { app } = testApp;
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** The subsonic-api client signed in with an app password (token and salt), or with an API key. */
export function playerWithPassword(url: string, username: string, password: string, post = false): SubsonicAPI {
  return new SubsonicAPI({ url, auth: { username, password }, post });
}

export function playerWithApiKey(url: string, apiKey: string): SubsonicAPI {
  return new SubsonicAPI({ url, auth: { apiKey } });
}

/** The raw response of a /rest call with query parameters, for XML answers and for hand-made credentials. */
export async function rawCall(url: string, call: string, params: Record<string, string | string[]>): Promise<Response> {
  const target = new URL(`${url}/rest/${call}`);
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) target.searchParams.append(name, one);
  }
  return fetch(target);
}
