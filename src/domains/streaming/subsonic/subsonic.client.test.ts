// The OpenSubsonic API as an existing player uses it (issue 13 §6): the npm `subsonic-api` client, written by others
// against the OpenSubsonic specification, over real HTTP. Pings, browses, searches, streams a track byte-exact
// against its rendition, stars, scrobbles, saves its play queue and manages playlists; XML answers are parsed too.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { useTestApp } from '../../../../test/helpers/app.ts';
import { testDataDir } from '../../files/files.test-support.ts';
import {
  listening,
  newCredential,
  newListener,
  newTrack,
  playerWithApiKey,
  playerWithPassword,
  rawCall,
  type Listener,
  type TestTrack,
} from './subsonic.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({
  env: () => ({
    VEZA_DATA_DIR: dataDir,
    VEZA_ENCRYPTION_KEYS: JSON.stringify({ subsonic1: randomBytes(32).toString('base64') }),
  }),
});

interface World {
  url: string;
  creator: Listener;
  listener: Listener;
  password: string;
  apiKey: string;
  album: TestTrack[];
  single: TestTrack;
  hidden: TestTrack;
}

let world: Promise<World> | undefined;
const prepare = () => (world ??= build());

async function build(): Promise<World> {
  const current = testApp.current;
  const { sql } = current.database;
  const creator = await newListener(current, 'Zed_creator');
  await sql`UPDATE users SET display_name = 'Zed Nightly' WHERE id = ${creator.id}`;
  const listener = await newListener(current);
  const album = [
    await newTrack(
      sql,
      storage,
      creator.id,
      { title: 'Harbour Lights', album: 'Night Ferry', genre: 'Ambient' },
      { cover: true },
    ),
    await newTrack(sql, storage, creator.id, { title: 'Tide Tables', album: ' night ferry ', genre: 'Ambient' }),
  ];
  const single = await newTrack(sql, storage, creator.id, { title: 'Lone Gull', album: null });
  const hidden = await newTrack(sql, storage, creator.id, { title: 'Harbour Secret', visibility: 'private' });
  return {
    url: await listening(current),
    creator,
    listener,
    password: (await newCredential(current, listener, 'app_password')).secret,
    apiKey: (await newCredential(current, listener, 'api_key')).secret,
    album,
    single,
    hidden,
  };
}

/** The error code of a failed answer (the client's types describe successes). */
const codeOf = (answer: unknown) => (answer as { error?: { code: number } }).error?.code;

const sha = (bytes: Buffer | ArrayBuffer) =>
  createHash('sha256')
    .update(Buffer.from(bytes as ArrayBuffer))
    .digest('hex');

test('ping, license, extensions and folders, with a token and salt, with an API key and with a form POST', async () => {
  const w = await prepare();
  for (const player of [
    playerWithPassword(w.url, w.listener.username, w.password),
    playerWithPassword(w.url, w.listener.username.toUpperCase(), w.password, true),
    playerWithApiKey(w.url, w.apiKey),
  ]) {
    const ping = await player.ping();
    assert.equal(ping.status, 'ok', JSON.stringify(ping));
    assert.equal(ping.openSubsonic, true);
    assert.equal(ping.type, 'veza');
    assert.equal((await player.getLicense()).license.valid, true);
    const folders = await player.getMusicFolders();
    assert.deepEqual(folders.musicFolders.musicFolder, [{ id: 1, name: 'Veza' }]);
  }
  // The extensions are readable before signing in (OpenSubsonic).
  const extensions = await rawCall(w.url, 'getOpenSubsonicExtensions', { f: 'json' });
  const body = (await extensions.json()) as { 'subsonic-response': { openSubsonicExtensions: { name: string }[] } };
  assert.deepEqual(body['subsonic-response'].openSubsonicExtensions.map((e) => e.name).sort(), [
    'apiKeyAuthentication',
    'formPost',
  ]);
});

test('getArtists, getArtist, getAlbum and getSong: a creator is an artist, an album groups names without case', async () => {
  const w = await prepare();
  const player = playerWithPassword(w.url, w.listener.username, w.password);
  const artists = await player.getArtists();
  const all = artists.artists.index?.flatMap((index) => index.artist) ?? [];
  const zed = all.find((artist) => artist?.name === 'Zed Nightly');
  assert.ok(zed, JSON.stringify(artists));
  assert.equal(zed.id, `ar-${w.creator.id}`);
  assert.equal(zed.albumCount, 2, 'Night Ferry and Singles; the private track is not counted');
  assert.equal(artists.artists.index?.find((index) => index.artist?.includes(zed))?.name, 'Z');

  const artist = await player.getArtist({ id: zed.id });
  const albums = artist.artist.album ?? [];
  assert.deepEqual(albums.map((album) => album.name).sort(), ['Night Ferry', 'Singles']);
  const ferry = albums.find((album) => album.name === 'Night Ferry')!;
  assert.equal(ferry.songCount, 2);
  assert.equal(ferry.coverArt, ferry.id);

  const album = await player.getAlbum({ id: ferry.id });
  assert.deepEqual(
    album.album.song?.map((song) => song.title),
    ['Harbour Lights', 'Tide Tables'],
  );
  assert.ok(!JSON.stringify(album).includes('Harbour Secret'));

  const song = await player.getSong({ id: w.album[0]!.id });
  assert.equal(song.song.title, 'Harbour Lights');
  assert.equal(song.song.artistId, zed.id);
  assert.equal(song.song.albumId, ferry.id);
  assert.equal(song.song.duration, 215);
});

test('search3 finds by prefix, and never another user’s private track', async () => {
  const w = await prepare();
  const player = playerWithApiKey(w.url, w.apiKey);
  const found = await player.search3({ query: 'harb' });
  assert.deepEqual(
    found.searchResult3.song?.map((song) => song.title),
    ['Harbour Lights'],
  );
  assert.equal(found.searchResult3.album?.[0]?.name, 'Night Ferry');
  assert.equal(found.searchResult3.artist?.[0]?.name, 'Zed Nightly');
  const none = await player.search3({ query: 'secret' });
  assert.deepEqual(none.searchResult3.song ?? [], []);
  // An empty query lists the library (OpenSubsonic), paged by offset.
  const first = await player.search3({ query: '""', songCount: 2, songOffset: 0 });
  const second = await player.search3({ query: '""', songCount: 2, songOffset: 2 });
  const titles = [...(first.searchResult3.song ?? []), ...(second.searchResult3.song ?? [])].map((s) => s.title);
  assert.ok(titles.includes('Lone Gull') && !titles.includes('Harbour Secret'), titles.join());
  // The creator sees their own private track.
  const creatorKey = (await newCredential(testApp.current, w.creator, 'api_key')).secret;
  const own = await playerWithApiKey(w.url, creatorKey).search3({ query: 'secret' });
  assert.deepEqual(
    own.searchResult3.song?.map((song) => song.title),
    ['Harbour Secret'],
  );
});

test('stream serves the rendition maxBitRate asks for, byte for byte, with ranges; raw only when allowed', async () => {
  const w = await prepare();
  const player = playerWithPassword(w.url, w.listener.username, w.password);
  const track = w.album[0]!;

  const best = await player.stream({ id: track.id });
  assert.equal(best.status, 200);
  assert.equal(best.headers.get('content-type'), 'audio/mp4');
  assert.equal(sha(await best.arrayBuffer()), sha(track.renditions['256k']));

  const small = await player.stream({ id: track.id, maxBitRate: 128 });
  assert.equal(sha(await small.arrayBuffer()), sha(track.renditions['128k']));
  const large = await player.stream({ id: track.id, maxBitRate: 320 });
  assert.equal(sha(await large.arrayBuffer()), sha(track.renditions['256k']));

  // Not downloadable: format=raw falls back to the best rendition; the original never leaves.
  const raw = await player.stream({ id: track.id, format: 'raw' });
  assert.equal(sha(await raw.arrayBuffer()), sha(track.renditions['256k']));

  // A ranged request (a player seeking), through the same URL the client builds.
  const target = new URL(`${w.url}/rest/stream.view`);
  for (const [name, value] of Object.entries({
    id: track.id,
    u: w.listener.username,
    p: w.password,
    v: '1.16.1',
    c: 'test',
  }))
    target.searchParams.set(name, value);
  const ranged = await fetch(target, { headers: { range: 'bytes=1000-1999' } });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get('content-range'), `bytes 1000-1999/${track.renditions['256k'].length}`);
  assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), track.renditions['256k'].subarray(1000, 2000));
  const past = await fetch(target, { headers: { range: `bytes=${10 ** 7}-` } });
  assert.equal(past.status, 416);
  await past.body?.cancel();

  // A downloadable track: raw and download give the original.
  const { sql } = testApp.current.database;
  const open = await newTrack(sql, storage, w.creator.id, { title: 'Open Water', is_downloadable: true });
  const original = await player.stream({ id: open.id, format: 'raw' });
  assert.equal(sha(await original.arrayBuffer()), sha(open.original));
  const download = await player.download({ id: open.id });
  assert.equal(sha(await download.arrayBuffer()), sha(open.original));
  assert.match(String(download.headers.get('content-disposition')), /^attachment; filename="Open Water\.flac"/);
  const [counted] = await sql`SELECT download_count FROM tracks WHERE id = ${open.id}`;
  assert.equal(counted!.download_count, 1);
  // Not downloadable: error 50, in the format asked for.
  const refused = await player.download({ id: track.id });
  const refusal = (await refused.json()) as { 'subsonic-response': { status: string; error: { code: number } } };
  assert.equal(refusal['subsonic-response'].status, 'failed');
  assert.equal(refusal['subsonic-response'].error.code, 50);
});

test('getCoverArt serves the cover of a song and of its album', async () => {
  const w = await prepare();
  const player = playerWithApiKey(w.url, w.apiKey);
  const track = w.album[0]!;
  const song = await player.getSong({ id: track.id });
  for (const id of [song.song.coverArt!, song.song.albumId!]) {
    const cover = await player.getCoverArt({ id });
    assert.equal(cover.status, 200, id);
    assert.equal(cover.headers.get('content-type'), 'image/png');
    await cover.arrayBuffer();
  }
  const missing = await player.getCoverArt({ id: w.single.id });
  const body = (await missing.json()) as { 'subsonic-response': { error: { code: number } } };
  assert.equal(body['subsonic-response'].error.code, 70);
});

test('star, getStarred2 and unstar are the listener’s likes; the like count follows', async () => {
  const w = await prepare();
  const player = playerWithPassword(w.url, w.listener.username, w.password);
  const ids = [w.album[1]!.id, w.single.id];
  assert.equal((await player.star({ id: ids })).status, 'ok');
  assert.equal((await player.star({ id: ids[0]! })).status, 'ok', 'starring again changes nothing');
  const starred = await player.getStarred2();
  assert.deepEqual(starred.starred2.song?.map((song) => song.id).sort(), [...ids].sort());
  assert.ok(starred.starred2.song?.every((song) => song.starred instanceof Date));
  const { sql } = testApp.current.database;
  const [row] = await sql`SELECT like_count FROM tracks WHERE id = ${ids[0]!}`;
  assert.equal(row!.like_count, 1);
  // Starring an unknown or hidden song stars nothing at all.
  const refused = await player.star({ id: [w.album[0]!.id, w.hidden.id] });
  assert.equal(refused.status, 'failed');
  assert.equal(codeOf(refused), 70);
  const [untouched] = await sql`SELECT count(*)::int AS n FROM track_likes WHERE track_id = ${w.album[0]!.id}`;
  assert.equal(untouched!.n, 0);
  assert.equal((await player.unstar({ id: ids[0]! })).status, 'ok');
  const after = await player.getStarred2();
  assert.deepEqual(
    after.starred2.song?.map((song) => song.id),
    [ids[1]],
  );
});

test('scrobble with submission records a play (counted once per window); "now playing" records nothing', async () => {
  const w = await prepare();
  const player = playerWithApiKey(w.url, w.apiKey);
  const { sql } = testApp.current.database;
  const track = w.album[1]!;
  assert.equal((await player.scrobble({ id: track.id, submission: false })).status, 'ok');
  const count = async () =>
    (
      await sql`SELECT count(*)::int AS n FROM playback_history WHERE track_id = ${track.id} AND user_id = ${w.listener.id}`
    )[0]!.n;
  assert.equal(await count(), 0);
  assert.equal((await player.scrobble({ id: track.id })).status, 'ok');
  assert.equal((await player.scrobble({ id: track.id, submission: true })).status, 'ok');
  assert.equal(await count(), 1, 'a second scrobble inside the counting window is not a second play');
  const [row] = await sql`SELECT play_count FROM tracks WHERE id = ${track.id}`;
  assert.equal(row!.play_count, 1);
  const hidden = await player.scrobble({ id: w.hidden.id });
  assert.equal(codeOf(hidden), 70);
});

test('savePlayQueue then getPlayQueue: the same songs, current song and position, on every device', async () => {
  const w = await prepare();
  const phone = playerWithPassword(w.url, w.listener.username, w.password);
  const desktop = playerWithApiKey(w.url, w.apiKey);
  const ids = [w.single.id, w.album[0]!.id, w.album[1]!.id];
  const saved = await phone.savePlayQueue({ id: ids, current: ids[1]!, position: 42_500 });
  assert.equal(saved.status, 'ok', JSON.stringify(saved));
  const queue = await desktop.getPlayQueue();
  assert.deepEqual(
    queue.playQueue?.entry?.map((entry) => entry.id),
    ids,
  );
  assert.equal(queue.playQueue?.current, ids[1]);
  assert.equal(queue.playQueue?.position, 42_000, 'kept in whole seconds');
  // Someone else's private track cannot go into a queue: nothing changes.
  const refused = await phone.savePlayQueue({ id: [w.hidden.id], position: 0 });
  assert.equal(refused.status, 'failed');
  assert.equal(codeOf(refused), 70);
  assert.deepEqual(
    (await desktop.getPlayQueue()).playQueue?.entry?.map((entry) => entry.id),
    ids,
  );
});

test('playlists: create, list, read, update (add, remove, rename) and delete', async () => {
  const w = await prepare();
  const player = playerWithPassword(w.url, w.listener.username, w.password);
  const created = await player.createPlaylist({ name: 'Ferry 🌊 mix', songId: [w.album[0]!.id, w.single.id] });
  assert.equal(created.status, 'ok', JSON.stringify(created));
  const id = created.playlist.id;
  assert.deepEqual(
    created.playlist.entry?.map((song) => song.id),
    [w.album[0]!.id, w.single.id],
  );
  assert.equal(created.playlist.public, false);

  const listed = await player.getPlaylists();
  assert.ok(listed.playlists.playlist?.some((playlist) => playlist.id === id && playlist.songCount === 2));

  const updated = await player.updatePlaylist({
    playlistId: id,
    name: 'Ferry mix',
    comment: 'For the crossing',
    public: true,
    songIndexToRemove: [0],
    songIdToAdd: [w.album[1]!.id, w.single.id],
  });
  assert.equal(updated.status, 'ok', JSON.stringify(updated));
  const read = await player.getPlaylist({ id });
  assert.equal(read.playlist.name, 'Ferry mix');
  assert.equal(read.playlist.comment, 'For the crossing');
  assert.equal(read.playlist.public, true);
  assert.deepEqual(
    read.playlist.entry?.map((song) => song.id),
    [w.single.id, w.album[1]!.id],
  );

  // Another user's private track cannot be added; the playlist stays as it was.
  const refused = await player.updatePlaylist({ playlistId: id, songIdToAdd: [w.hidden.id], name: 'Renamed' });
  assert.equal(codeOf(refused), 70);
  assert.equal((await player.getPlaylist({ id })).playlist.name, 'Ferry mix');

  assert.equal((await player.deletePlaylist({ id })).status, 'ok');
  assert.equal(codeOf(await player.getPlaylist({ id })), 70);
});

test('updatePlaylist is all or nothing: a collaborator’s rename is refused, and the song sent with it is not added', async () => {
  const w = await prepare();
  const owner = playerWithPassword(w.url, w.listener.username, w.password);
  const created = await owner.createPlaylist({ name: 'Shared crossing', songId: [w.single.id] });
  const id = created.playlist.id;
  const { sql } = testApp.current.database;
  const collaborator = await newListener(testApp.current, 'crew');
  await sql`UPDATE playlists SET is_collaborative = true WHERE id = ${id}`;
  await sql`INSERT INTO playlist_collaborators (playlist_id, user_id, added_by)
            VALUES (${id}, ${collaborator.id}, ${w.listener.id})`;
  const crew = playerWithPassword(
    w.url,
    collaborator.username,
    (await newCredential(testApp.current, collaborator, 'app_password')).secret,
  );

  // A collaborator may add songs alone…
  assert.equal((await crew.updatePlaylist({ playlistId: id, songIdToAdd: [w.album[0]!.id] })).status, 'ok');
  // …but not rename: the whole call is refused, the song sent with the rename included.
  const refused = await crew.updatePlaylist({ playlistId: id, name: 'Hijacked', songIdToAdd: [w.album[1]!.id] });
  assert.equal(codeOf(refused), 50, JSON.stringify(refused));
  const read = await owner.getPlaylist({ id });
  assert.equal(read.playlist.name, 'Shared crossing');
  assert.deepEqual(
    read.playlist.entry?.map((song) => song.id),
    [w.single.id, w.album[0]!.id],
  );
});

test('XML answers (the default format) carry the same data, and errors in XML', async () => {
  const w = await prepare();
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
  const auth = { u: w.listener.username, p: `enc:${Buffer.from(w.password).toString('hex')}`, v: '1.16.1', c: 'test' };
  const ping = await rawCall(w.url, 'ping.view', auth);
  assert.match(String(ping.headers.get('content-type')), /^application\/xml/);
  const pong = parser.parse(await ping.text()) as { 'subsonic-response': Record<string, string> };
  assert.equal(pong['subsonic-response'].status, 'ok');
  assert.equal(pong['subsonic-response'].xmlns, 'http://subsonic.org/restapi');

  const song = await rawCall(w.url, 'getSong', { ...auth, id: w.album[0]!.id });
  const parsed = parser.parse(await song.text()) as { 'subsonic-response': { song: Record<string, string> } };
  assert.equal(parsed['subsonic-response'].song.title, 'Harbour Lights');
  assert.equal(parsed['subsonic-response'].song.artistId, `ar-${w.creator.id}`);

  const missing = await rawCall(w.url, 'getSong', auth);
  const error = parser.parse(await missing.text()) as {
    'subsonic-response': { status: string; error: { code: string } };
  };
  assert.equal(error['subsonic-response'].status, 'failed');
  assert.equal(error['subsonic-response'].error.code, '10');
});

test('wrong credentials and missing parameters get the Subsonic error codes, with HTTP 200', async () => {
  const w = await prepare();
  const call = async (name: string, params: Record<string, string>) => {
    const answer = await rawCall(w.url, name, { v: '1.16.1', c: 'test', f: 'json', ...params });
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as { 'subsonic-response': { status: string; error?: { code: number } } };
    return body['subsonic-response'];
  };
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  const salt = 'c19b2d';
  const u = w.listener.username;
  assert.equal((await call('ping', { u, t: md5(w.password + salt), s: salt })).status, 'ok');
  assert.equal(codeOf(await call('ping', { u, t: md5(w.password + salt), s: 'other-salt' })), 40, 'wrong salt');
  assert.equal(codeOf(await call('ping', { u, t: md5(`${w.password}x${salt}`), s: salt })), 40, 'wrong token');
  assert.equal(codeOf(await call('ping', { u, t: 'not-hex', s: salt })), 40, 'malformed token');
  assert.equal(codeOf(await call('ping', { u: 'nobody_at_all', t: md5(w.password + salt), s: salt })), 40);
  assert.equal(codeOf(await call('ping', { u: w.creator.username, p: w.password })), 40, 'another user');
  assert.equal(codeOf(await call('ping', { u, p: 'the-account-password' })), 40);
  assert.equal(codeOf(await call('ping', { u })), 10, 'no password');
  assert.equal(codeOf(await call('ping', {})), 10, 'nothing');
  assert.equal(codeOf(await call('ping', { u, p: w.password, t: md5(w.password + salt), s: salt })), 43);
  assert.equal(codeOf(await call('ping', { apiKey: w.apiKey, u })), 43, 'apiKey with u');
  assert.equal(codeOf(await call('ping', { apiKey: `${w.apiKey}x` })), 44);
  assert.equal(codeOf(await call('getSong', { apiKey: w.apiKey })), 10);
  assert.equal(codeOf(await call('getSong', { apiKey: w.apiKey, id: 'not-an-id' })), 70);
  assert.equal(codeOf(await call('getSong', { apiKey: w.apiKey, id: w.hidden.id })), 70, 'private');
  assert.equal(codeOf(await call('search3', { apiKey: w.apiKey, query: 'x', songCount: '99999' })), 0);
  assert.equal(codeOf(await call('getVideos', { apiKey: w.apiKey })), 0, 'not implemented');
});

test('a revoked credential is refused from the next request (40 for an app password, 44 for an API key)', async () => {
  const w = await prepare();
  const current = testApp.current;
  const user = await newListener(current, 'revoker');
  const password = await newCredential(current, user, 'app_password');
  const key = await newCredential(current, user, 'api_key');
  assert.equal((await playerWithPassword(w.url, user.username, password.secret).ping()).status, 'ok');
  assert.equal((await playerWithApiKey(w.url, key.secret).ping()).status, 'ok');
  for (const { id } of [password, key]) {
    const revoked = await current.app.inject({
      method: 'DELETE',
      url: `/v1/me/subsonic-credentials/${id}`,
      headers: { authorization: user.authorization },
    });
    assert.equal(revoked.statusCode, 204);
  }
  assert.equal(codeOf(await playerWithPassword(w.url, user.username, password.secret).ping()), 40);
  assert.equal(codeOf(await playerWithApiKey(w.url, key.secret).ping()), 44);
  // A banned account's credentials stop working too.
  const other = await newListener(current, 'banned');
  const otherKey = await newCredential(current, other, 'api_key');
  await current.database.sql`UPDATE users SET is_banned = true WHERE id = ${other.id}`;
  assert.equal(codeOf(await playerWithApiKey(w.url, otherKey.secret).ping()), 44);
});
