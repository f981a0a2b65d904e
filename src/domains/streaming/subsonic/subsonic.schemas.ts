// The contract of /rest/{call} (issue 13 §6, ADR 0052): the parameters every Subsonic call may carry, in the query
// string or (OpenSubsonic formPost) in an application/x-www-form-urlencoded body. Values are text, as the protocol
// sends them; each call reads and checks its own (subsonic.service.ts). Unknown parameters are tolerated, bounded:
// players send extra ones (`_` cache busters, extensions a server may not know), and refusing them would break them.
import { Type, type Static } from 'typebox';
import { SUBSONIC_CALLS } from './subsonic.service.ts';

/** The most values a repeated parameter (`id`, `songId`…) may carry: a whole play queue (MAX_QUEUE_ITEMS). */
export const MAX_REPEATED = 1000;

const Text = (maxLength: number, description: string) => Type.String({ maxLength, description });
const Repeated = (description: string) =>
  Type.Array(Type.String({ maxLength: 100 }), { maxItems: MAX_REPEATED, description });
const Digits = (description: string) => Type.String({ pattern: '^[0-9]{0,15}$', description });
const Bool = (description: string) => Type.String({ pattern: '^(true|false)?$', description });

/** `ping` and `ping.view`: the protocol's two spellings of every call. */
const CALL_NAMES = SUBSONIC_CALLS.flatMap((call) => [call, `${call}.view`]);

export const SubsonicCallParams = Type.Object(
  {
    call: Type.Union(
      CALL_NAMES.map((name) => Type.Literal(name)),
      { description: 'The Subsonic method, with or without `.view`' },
    ),
  },
  { additionalProperties: false },
);

export const SubsonicParamsSchema = Type.Object(
  {
    // Authentication (ADR 0051): u with p, or with t and s; or apiKey alone.
    u: Type.Optional(Text(100, 'Username')),
    p: Type.Optional(Text(600, 'An app password, clear or `enc:` and its UTF-8 bytes in hex')),
    t: Type.Optional(Text(64, 'md5(app password + s), hex')),
    s: Type.Optional(Text(128, 'The salt of t')),
    apiKey: Type.Optional(Text(2048, 'An OpenSubsonic API key (alone: no u, p, t or s)')),
    v: Type.Optional(Text(20, 'Protocol version of the client')),
    c: Type.Optional(Text(200, 'Name of the client')),
    f: Type.Optional(Text(10, '`xml` (default), `json` or `jsonp`')),
    callback: Type.Optional(Text(200, 'JSONP callback name')),
    // Call parameters.
    id: Type.Optional(Repeated('The object of the call; repeated for star, unstar, scrobble and savePlayQueue')),
    albumId: Type.Optional(Repeated('star/unstar: albums (refused: Veza stars songs)')),
    artistId: Type.Optional(Repeated('star/unstar: artists (refused: Veza stars songs)')),
    songId: Type.Optional(Repeated('createPlaylist: the songs, in order')),
    songIdToAdd: Type.Optional(Repeated('updatePlaylist: songs to append')),
    songIndexToRemove: Type.Optional(Repeated('updatePlaylist: 0-based indexes to remove')),
    time: Type.Optional(Repeated('scrobble: when each song was played (ignored)')),
    query: Type.Optional(Text(200, 'search3: words, each matched as a prefix; `""` for everything')),
    artistCount: Type.Optional(Digits('search3')),
    artistOffset: Type.Optional(Digits('search3')),
    albumCount: Type.Optional(Digits('search3')),
    albumOffset: Type.Optional(Digits('search3')),
    songCount: Type.Optional(Digits('search3')),
    songOffset: Type.Optional(Digits('search3')),
    musicFolderId: Type.Optional(Text(40, 'The one folder, 1 (ignored)')),
    ifModifiedSince: Type.Optional(Text(20, 'getIndexes (ignored)')),
    maxBitRate: Type.Optional(Digits('stream: ≤128 picks the 128k rendition, else 256k')),
    format: Type.Optional(Text(20, 'stream: `raw` for the original, when you may have it')),
    timeOffset: Type.Optional(Text(20, 'stream (ignored: renditions are served as stored)')),
    estimateContentLength: Type.Optional(Bool('stream (ignored)')),
    converted: Type.Optional(Bool('stream (ignored)')),
    size: Type.Optional(Digits('getCoverArt: wanted size in pixels')),
    username: Type.Optional(Text(100, 'getPlaylists: whose (their public playlists)')),
    playlistId: Type.Optional(Text(100, 'createPlaylist (replace its songs), updatePlaylist')),
    name: Type.Optional(Text(255, 'createPlaylist, updatePlaylist')),
    comment: Type.Optional(Text(5000, 'updatePlaylist: the description')),
    public: Type.Optional(Bool('updatePlaylist')),
    current: Type.Optional(Text(100, 'savePlayQueue: the current song')),
    position: Type.Optional(Digits('savePlayQueue: milliseconds into the current song')),
    submission: Type.Optional(Bool('scrobble: true (played) or false (now playing)')),
  },
  {
    additionalProperties: Type.Union([
      Type.String({ maxLength: 1000 }),
      Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 100 }),
    ]),
    maxProperties: 100,
  },
);
export type SubsonicParams = Static<typeof SubsonicParamsSchema> & Record<string, unknown>;

/** The answer of a call: a subsonic-response document, or the bytes of stream, download and getCoverArt. */
export const SubsonicAnswer = {
  description:
    'A `subsonic-response` in XML (default), JSON (`f=json`) or JSONP (`f=jsonp&callback=`), with `status` ok or ' +
    'failed (and an `error` with its Subsonic code: HTTP 200 either way, as players expect); stream, download and ' +
    'getCoverArt answer the bytes (206 for a range).',
  content: {
    'application/xml': { schema: Type.String() },
    'application/json': { schema: Type.Object({}, { additionalProperties: true }) },
    'application/octet-stream': { schema: Type.String({ format: 'binary' }) },
  },
};
export const SubsonicBytes = {
  description: 'stream, download, getCoverArt: the range asked for',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
export const NotModified = { description: 'Not modified (If-None-Match or If-Modified-Since)', type: 'null' };

export const SubsonicHeaders = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
});
