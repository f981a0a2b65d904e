// Subsonic ids of Veza things (ADR 0052). A song is a track and a playlist is a playlist: their UUIDs as they are.
// Artists and albums do not exist in Veza: an artist is a creator's account (`ar-<user id>`), an album is what a
// creator's tracks name in `album`, compared without case or surrounding spaces (`al-<user id>-<key>`, the key the
// first 16 hex digits of md5 of the lower-cased, trimmed name; tracks without one form the creator's "Singles").
import { createHash } from 'node:crypto';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID_ONLY = new RegExp(`^${UUID}$`, 'i');
const ARTIST = new RegExp(`^ar-(${UUID})$`, 'i');
const ALBUM = new RegExp(`^al-(${UUID})-([0-9a-f]{16})$`, 'i');

/** The album shown for tracks that name none. */
export const SINGLES_ALBUM = 'Singles';

/** The key of an album name, as SQL computes it too (subsonic.repository.ts `albumKey`). */
export function albumKeyOf(album: string | null): string {
  return createHash('md5')
    .update((album ?? '').trim().toLowerCase(), 'utf8')
    .digest('hex')
    .slice(0, 16);
}

export const artistId = (creatorId: string) => `ar-${creatorId}`;
export const albumId = (creatorId: string, key: string) => `al-${creatorId}-${key}`;

export type ParsedId =
  | { kind: 'uuid'; id: string }
  | { kind: 'artist'; creatorId: string }
  | { kind: 'album'; creatorId: string; key: string }
  | { kind: 'unknown' };

export function parseId(id: string): ParsedId {
  if (UUID_ONLY.test(id)) return { kind: 'uuid', id: id.toLowerCase() };
  const artist = ARTIST.exec(id);
  if (artist?.[1]) return { kind: 'artist', creatorId: artist[1].toLowerCase() };
  const album = ALBUM.exec(id);
  if (album?.[1] && album[2]) return { kind: 'album', creatorId: album[1].toLowerCase(), key: album[2].toLowerCase() };
  return { kind: 'unknown' };
}
