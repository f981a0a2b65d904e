// The track API end to end (issue 13 §1, ADR 0046): a creator makes a track of a real processed upload, edits it
// under If-Match, publishes, lists and deletes it; bad input and unusable files are clear 4xx, never a 5xx.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { authFactories } from '../../../test/factories/auth.ts';
import { filesFactories } from '../../../test/factories/files.ts';
import { streamingFactories } from '../../../test/factories/streaming.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { testDataDir } from '../files/files.test-support.ts';
import { processedAudio, storedImage } from './tracks.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir }) });

async function account() {
  const { database, accessTokens } = testApp.current;
  const user = await authFactories.users(database.sql, { data_processing_consent: true });
  const { token } = await accessTokens.issue({ userId: String(user.id), tokenVersion: 0, role: 'user' });
  return { id: String(user.id), username: String(user.username), authorization: `Bearer ${token}` };
}

type Account = Awaited<ReturnType<typeof account>>;

function call(method: string, url: string, who?: Account, payload?: unknown, headers: Record<string, string> = {}) {
  return testApp.current.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(who ? { authorization: who.authorization } : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

/** A file row in some state of processing, for the refusals (no bytes needed: creation reads the row only). */
async function fileIn(userId: string, overrides: Record<string, unknown>) {
  const row = await filesFactories.files(testApp.current.database.sql, { user_id: userId, ...overrides });
  return String(row.id);
}

describe('a creator makes a track of a processed upload', () => {
  let creator: Account;
  let listener: Account;
  let mp3: Awaited<ReturnType<typeof processedAudio>>;

  before(async () => {
    creator = await account();
    listener = await account();
    mp3 = await processedAudio(testApp.current, storage, creator.id, 'mp3', 3);
  });

  test('creates a draft whose duration, waveform and defaults come from processing, then publishes it', async () => {
    const created = await call('POST', '/v1/tracks', creator, { file_id: mp3.fileId, genre: 'Ambient', bpm: 92 });
    assert.equal(created.statusCode, 201, created.body);
    const track = created.json();
    assert.equal(track.title, 'Night Tide', 'the title tag');
    assert.equal(track.artist, 'Ana Example');
    assert.equal(track.album, 'Harbour');
    assert.equal(track.genre, 'Ambient');
    assert.equal(track.bpm, 92);
    assert.equal(track.duration_seconds, 3);
    assert.equal(track.published_at, null, 'a draft');
    assert.equal(track.file_id, mp3.fileId, 'the creator sees the file');
    assert.ok(track.cover_art_file_id, 'the embedded cover became the cover art');
    assert.equal(track.cover_url, `/v1/tracks/${track.id}/cover`);
    assert.ok(track.waveform && track.waveform.buckets === 200 && track.waveform.data.length > 0, 'waveform');
    assert.deepEqual(track.counts, { plays: 0, likes: 0, comments: 0, downloads: 0 });
    assert.match(String(created.headers.etag), /^"[\w-]{27}"$/);

    // A draft exists for its creator only.
    assert.equal((await call('GET', `/v1/tracks/${track.id}`)).statusCode, 404);
    assert.equal((await call('GET', `/v1/tracks/${track.id}`, listener)).statusCode, 404);
    assert.equal((await call('GET', `/v1/tracks/${track.id}`, creator)).statusCode, 200);
    assert.deepEqual((await call('GET', `/v1/tracks?creator_id=${creator.id}`)).json().items, []);
    const mine = (await call('GET', '/v1/me/tracks', creator)).json();
    assert.deepEqual(
      mine.items.map((item: { id: string }) => item.id),
      [track.id],
    );

    const published = await call('POST', `/v1/tracks/${track.id}/publish`, creator);
    assert.equal(published.statusCode, 200, published.body);
    const publishedAt = published.json().published_at;
    assert.ok(publishedAt);
    const page = await call('GET', `/v1/tracks/${track.id}`);
    assert.equal(page.statusCode, 200, page.body);
    assert.equal(page.json().creator.username, creator.username);
    assert.equal(page.json().file_id, undefined, 'others never see the file id');
    assert.equal(page.json().download_url, null, 'not downloadable');
    const cover = await call('GET', `/v1/tracks/${track.id}/cover`);
    assert.equal(cover.statusCode, 200, 'anyone who sees the track sees its cover');
    assert.equal(cover.headers['content-type'], 'image/png');
    const listed = (await call('GET', `/v1/tracks?creator_id=${creator.id}`)).json();
    assert.deepEqual(
      listed.items.map((item: { id: string }) => item.id),
      [track.id],
    );
    // Publishing again keeps the first date; unpublishing makes it a draft again.
    assert.equal((await call('POST', `/v1/tracks/${track.id}/publish`, creator)).json().published_at, publishedAt);
    assert.equal((await call('POST', `/v1/tracks/${track.id}/publish`, listener)).statusCode, 403);
    assert.equal((await call('POST', `/v1/tracks/${track.id}/unpublish`, creator)).json().published_at, null);
    assert.equal((await call('GET', `/v1/tracks/${track.id}`)).statusCode, 404);
  });

  test('one file makes one track, even when two creations race', async () => {
    const wav = await processedAudio(testApp.current, storage, creator.id, 'wav', 2);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call('POST', '/v1/tracks', creator, { file_id: wav.fileId, title: 'Twice' })),
    );
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 409, 409, 409]);
    const conflict = answers.find((a) => a.statusCode === 409)?.json();
    assert.equal(conflict.code, 'TRACK_FILE_IN_USE');
    const [count] = await testApp.current.database.sql`
      SELECT count(*)::int AS n FROM tracks WHERE file_id = ${wav.fileId}`;
    assert.equal(count?.n, 1);
    // The title defaults to the file name when the file has no tags.
    const untitled = await processedAudio(testApp.current, storage, creator.id, 'wav', 2);
    const made = await call('POST', '/v1/tracks', creator, { file_id: untitled.fileId });
    assert.equal(made.statusCode, 201, made.body);
    assert.match(made.json().title, /^Demo take \d+$/);
  });

  test('edits apply under If-Match; a stale ETag is a 412 that changes nothing; parallel edits: one wins', async () => {
    const wav = await processedAudio(testApp.current, storage, creator.id, 'wav', 2);
    const created = await call('POST', '/v1/tracks', creator, { file_id: wav.fileId, title: 'First', publish: true });
    const id = created.json().id;
    const etag = String(created.headers.etag);
    assert.equal(String((await call('GET', `/v1/tracks/${id}`, creator)).headers.etag), etag, 'GET agrees');

    // Counts moving (a like) do not change the ETag: it versions what the creator edits.
    await streamingFactories.track_likes(testApp.current.database.sql, { track_id: id, user_id: listener.id });
    assert.equal(String((await call('GET', `/v1/tracks/${id}`, creator)).headers.etag), etag);

    const cover = await storedImage(testApp.current, storage, creator.id);
    const edited = await call(
      'PATCH',
      `/v1/tracks/${id}`,
      creator,
      {
        title: '  مرحبا — Sunrise 🌅 ',
        description: 'Line one\nLine two',
        musical_key: 'F#m',
        bpm: 999,
        cover_art_file_id: cover,
        is_downloadable: true,
        visibility: 'unlisted',
      },
      { 'if-match': etag },
    );
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().title, 'مرحبا — Sunrise 🌅', 'trimmed, any script and emoji');
    assert.equal(edited.json().musical_key, 'F#m');
    assert.equal(edited.json().visibility, 'unlisted');
    assert.equal(edited.json().cover_art_file_id, cover);
    const fresh = String(edited.headers.etag);
    assert.notEqual(fresh, etag);

    const stale = await call('PATCH', `/v1/tracks/${id}`, creator, { title: 'Stale' }, { 'if-match': etag });
    assert.equal(stale.statusCode, 412, stale.body);
    assert.equal(stale.json().code, 'PRECONDITION_FAILED');
    assert.equal((await call('GET', `/v1/tracks/${id}`, creator)).json().title, 'مرحبا — Sunrise 🌅');

    const racing = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        call('PATCH', `/v1/tracks/${id}`, creator, { title: `Racer ${index}` }, { 'if-match': fresh }),
      ),
    );
    assert.deepEqual(racing.map((answer) => answer.statusCode).sort(), [200, 412, 412, 412, 412]);
    const winner = racing.find((answer) => answer.statusCode === 200)?.json().title;
    assert.equal((await call('GET', `/v1/tracks/${id}`, creator)).json().title, winner);

    // Without If-Match the change applies (last write wins); null clears optional fields.
    const cleared = await call('PATCH', `/v1/tracks/${id}`, creator, { cover_art_file_id: null, description: null });
    assert.equal(cleared.statusCode, 200);
    assert.equal(cleared.json().cover_url, null);
    assert.equal(cleared.json().description, null);

    // Only the creator edits: 403 for a listener who sees the (unlisted, published) track, 404 for a private one.
    assert.equal((await call('PATCH', `/v1/tracks/${id}`, listener, { title: 'Mine' })).statusCode, 403);
    await call('PATCH', `/v1/tracks/${id}`, creator, { visibility: 'private' });
    assert.equal((await call('PATCH', `/v1/tracks/${id}`, listener, { title: 'Mine' })).statusCode, 404);
    assert.equal((await call('DELETE', `/v1/tracks/${id}`, listener)).statusCode, 404);
  });

  test('bad input is a 400 naming the field and the rule, and writes nothing', async () => {
    const wav = await processedAudio(testApp.current, storage, creator.id, 'wav', 2);
    const id = (await call('POST', '/v1/tracks', creator, { file_id: wav.fileId, title: 'Stable' })).json().id;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ title: 'x'.repeat(10_000) }, 'body.title', 'maxLength'],
      [{ title: '🎵'.repeat(256) }, 'body.title', 'maxLength'],
      [{ title: '   ' }, 'body.title', 'notBlank'],
      [{ title: 'Evil\u202Eeman' }, 'body.title', 'pattern'],
      [{ title: 'two\nlines' }, 'body.title', 'pattern'],
      [{ description: 'd'.repeat(5001) }, 'body.description', 'maxLength'],
      [{ bpm: 0 }, 'body.bpm', 'minimum'],
      [{ bpm: 1000 }, 'body.bpm', 'maximum'],
      [{ bpm: 120.5 }, 'body.bpm', 'type'],
      [{ musical_key: 'H' }, 'body.musical_key', 'enum'],
      [{ visibility: 'friends' }, 'body.visibility', 'anyOf'],
      [{ genre: 'g'.repeat(101) }, 'body.genre', 'maxLength'],
      [{ duration: 1 }, 'body', 'additionalProperties'],
      [{}, 'body', 'minProperties'],
    ];
    for (const [body, field, rule] of cases) {
      const answer = await call('PATCH', `/v1/tracks/${id}`, creator, body);
      assert.equal(answer.statusCode, 400, `${JSON.stringify(body).slice(0, 60)}: ${answer.body}`);
      const errors = answer.json().errors as { field: string; rule: string }[];
      assert.ok(
        errors.some((error) => error.field.startsWith(field) && error.rule === rule),
        `${JSON.stringify(body).slice(0, 60)}: ${JSON.stringify(errors)}`,
      );
    }
    // 255 emoji are 255 characters: accepted.
    assert.equal((await call('PATCH', `/v1/tracks/${id}`, creator, { title: '🎵'.repeat(255) })).statusCode, 200);
    const bad = await call('POST', '/v1/tracks', creator, { file_id: 'not-a-uuid' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await call('POST', '/v1/tracks', creator, { file_id: wav.fileId, duration: 5 })).statusCode, 400);
  });

  test('files that cannot become tracks: a clear 409 while processing, 422 naming the rule otherwise', async () => {
    const processing = { processing: { status: 'processing', steps: {}, attempts: 1 } };
    const stranger = await account();
    const cases: [string, string, number, string | undefined][] = [
      [await fileIn(creator.id, { metadata: processing }), 'still processing', 409, 'processed'],
      [
        await fileIn(creator.id, {
          virus_scanned: true,
          virus_scan_result: 'infected:Eicar-Test',
          metadata: { processing: { status: 'quarantined', steps: {}, attempts: 1 } },
        }),
        'quarantined',
        422,
        'clean',
      ],
      [
        await fileIn(creator.id, {
          metadata: { processing: { status: 'failed', steps: {}, attempts: 3 } },
          processing_error: 'truncated',
        }),
        'failed',
        422,
        'processed',
      ],
      [
        await fileIn(creator.id, {
          mime_type: 'image/png',
          virus_scanned: true,
          virus_scan_result: 'clean',
          metadata: { processing: { status: 'processed', steps: {}, attempts: 1 } },
        }),
        'not audio',
        422,
        'audio',
      ],
      [(await processedAudio(testApp.current, storage, stranger.id, 'wav', 2)).fileId, 'not yours', 422, 'ownFile'],
      ['00000000-0000-4000-8000-000000000000', 'missing', 422, 'ownFile'],
      [[...mp3.renditions.values()][0]?.fileId ?? '', 'a rendition', 422, 'upload'],
    ];
    for (const [fileId, what, status, rule] of cases) {
      const answer = await call('POST', '/v1/tracks', creator, { file_id: fileId });
      assert.equal(answer.statusCode, status, `${what}: ${answer.body}`);
      assert.deepEqual(
        answer.json().errors.map((error: { field: string; rule: string }) => [error.field, error.rule]),
        [['body.file_id', rule]],
        what,
      );
    }
    assert.equal(
      (await call('POST', '/v1/tracks', creator, { file_id: cases[0]?.[0] })).json().code,
      'TRACK_AUDIO_PROCESSING',
    );
    // A cover that is not one of the caller's clean images.
    const wav = await processedAudio(testApp.current, storage, creator.id, 'wav', 2);
    const foreignCover = await storedImage(testApp.current, storage, stranger.id);
    for (const cover of [foreignCover, wav.fileId]) {
      const answer = await call('POST', '/v1/tracks', creator, { file_id: wav.fileId, cover_art_file_id: cover });
      assert.equal(answer.statusCode, 422, answer.body);
      assert.equal(answer.json().errors[0].field, 'body.cover_art_file_id');
    }
    const [count] = await testApp.current.database
      .sql`SELECT count(*)::int AS n FROM tracks WHERE file_id = ${wav.fileId}`;
    assert.equal(count?.n, 0, 'nothing was written');
  });
});

describe('lists, the track page and soft delete', () => {
  test('public lists hold published public tracks only, newest first, paginated by keyset', async () => {
    const { sql } = testApp.current.database;
    const creator = await account();
    const genre = `Genre ${creator.id.slice(0, 8)}`;
    const at = (minutes: number) => new Date(Date.UTC(2030, 0, 1, 0, minutes));
    const made: Record<string, unknown>[] = [];
    for (let index = 0; index < 5; index += 1)
      made.push(
        await streamingFactories.tracks(sql, {
          creator_id: creator.id,
          file_id: await fileIn(creator.id, {}),
          genre,
          published_at: at(index),
        }),
      );
    await streamingFactories.tracks(sql, { creator_id: creator.id, file_id: await fileIn(creator.id, {}), genre });
    await streamingFactories.tracks(sql, {
      creator_id: creator.id,
      file_id: await fileIn(creator.id, {}),
      genre,
      visibility: 'unlisted',
      published_at: at(10),
    });
    await streamingFactories.tracks(sql, {
      creator_id: creator.id,
      file_id: await fileIn(creator.id, {}),
      genre,
      published_at: at(11),
      deleted_at: at(12),
    });
    const expected = made.map((row) => String(row.id)).reverse();

    for (const query of [`creator_id=${creator.id}`, `genre=${encodeURIComponent(genre)}`]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/v1/tracks?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await call('GET', url);
        assert.equal(page.statusCode, 200, page.body);
        seen.push(...page.json().items.map((item: { id: string }) => item.id));
        cursor = page.json().next_cursor;
      } while (cursor);
      assert.deepEqual(seen, expected, query);
    }
    const newest = (await call('GET', '/v1/tracks?limit=100')).json().items.map((item: { id: string }) => item.id);
    assert.deepEqual(
      newest.filter((id: string) => expected.includes(id)),
      expected,
    );
    const own = (await call('GET', '/v1/me/tracks?limit=100', creator)).json();
    assert.equal(own.items.length, 7, 'drafts and unlisted included, the deleted one not');
    assert.equal((await call('GET', '/v1/tracks?cursor=forged')).statusCode, 400);
  });

  test('trending follows the view’s score, pages by it, and leaves out what is no longer public', async () => {
    const { sql } = testApp.current.database;
    const creator = await account();
    const tracks: Record<string, unknown>[] = [];
    for (let index = 0; index < 3; index += 1)
      tracks.push(
        await streamingFactories.tracks(sql, {
          creator_id: creator.id,
          file_id: await fileIn(creator.id, {}),
          published_at: new Date(Date.UTC(2030, 0, 1)),
        }),
      );
    // Plays now: 3 for the first, 2 for the second, 1 for the third.
    for (const [index, plays] of [3, 2, 1].entries())
      for (let n = 0; n < plays; n += 1)
        await streamingFactories.playback_history(sql, { track_id: tracks[index]?.id });
    await sql`REFRESH MATERIALIZED VIEW trending_tracks`;
    await sql`UPDATE tracks SET visibility = 'private' WHERE id = ${String(tracks[1]?.id)}`;

    const seen: { id: string; score: number }[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/v1/tracks/trending?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.statusCode, 200, page.body);
      seen.push(...page.json().items.map((item: { id: string; trending_score: number }) => item));
      cursor = page.json().next_cursor;
    } while (cursor);
    const ours = seen.filter((item) => tracks.some((track) => track.id === item.id));
    assert.deepEqual(
      ours.map((item) => item.id),
      [tracks[0]?.id, tracks[2]?.id],
    );
    for (let index = 1; index < seen.length; index += 1)
      assert.ok((seen[index - 1]?.score ?? 0) >= (seen[index]?.score ?? 0), 'score descending');
    assert.equal((await call('GET', '/v1/tracks/trending?cursor=WyJ4IiwieSJd')).statusCode, 400);
  });

  test('the page shows the newest top-level comments and the caller’s like; deletion hides everything', async () => {
    const { sql } = testApp.current.database;
    const creator = await account();
    const fan = await account();
    const track = await streamingFactories.tracks(sql, {
      creator_id: creator.id,
      file_id: await fileIn(creator.id, {}),
      published_at: new Date(),
    });
    const id = String(track.id);
    const comments: Record<string, unknown>[] = [];
    for (let index = 0; index < 5; index += 1)
      comments.push(
        await streamingFactories.track_comments(sql, {
          track_id: id,
          user_id: fan.id,
          content: `Comment ${index}`,
          created_at: new Date(Date.UTC(2030, 0, 1, 0, index)),
        }),
      );
    await streamingFactories.track_comments(sql, {
      track_id: id,
      user_id: fan.id,
      parent_comment_id: comments[4]?.id,
      content: 'A reply',
      created_at: new Date(Date.UTC(2030, 0, 2)),
    });
    await sql`UPDATE track_comments SET is_deleted = true WHERE id = ${String(comments[3]?.id)}`;
    await streamingFactories.track_likes(sql, { track_id: id, user_id: fan.id });
    const playlist = await streamingFactories.playlists(sql, { user_id: fan.id });
    await streamingFactories.playlist_tracks(sql, { playlist_id: playlist.id, track_id: id, added_by: fan.id });

    const page = (await call('GET', `/v1/tracks/${id}`, fan)).json();
    assert.deepEqual(
      page.first_comments.map((comment: { content: string }) => comment.content),
      ['Comment 4', 'Comment 2', 'Comment 1'],
    );
    assert.equal(page.first_comments[0].author.username, fan.username);
    assert.equal(page.liked_by_me, true);
    assert.equal((await call('GET', `/v1/tracks/${id}`, creator)).json().liked_by_me, false);
    assert.equal((await call('GET', `/v1/tracks/${id}`)).json().liked_by_me, false);
    assert.equal(page.counts.likes, 1);

    assert.equal((await call('DELETE', `/v1/tracks/${id}`, creator)).statusCode, 204);
    assert.equal((await call('GET', `/v1/tracks/${id}`, creator)).statusCode, 404);
    assert.equal((await call('GET', `/v1/tracks/${id}/stream`)).statusCode, 404);
    assert.equal((await call('DELETE', `/v1/tracks/${id}`, creator)).statusCode, 404);
    assert.deepEqual((await call('GET', `/v1/tracks?creator_id=${creator.id}`)).json().items, []);
    assert.deepEqual((await call('GET', '/v1/me/tracks', creator)).json().items, []);
    // ADR 0046: likes, comments and the playlist entry stay until the purge; the playlist no longer counts it.
    const [state] = await sql`
      SELECT (SELECT count(*)::int FROM track_likes WHERE track_id = ${id}) AS likes,
             (SELECT count(*)::int FROM track_comments WHERE track_id = ${id}) AS comments,
             (SELECT count(*)::int FROM playlist_tracks WHERE track_id = ${id}) AS entries,
             (SELECT track_count FROM playlists WHERE id = ${String(playlist.id)}) AS track_count`;
    assert.deepEqual({ ...state }, { likes: 1, comments: 6, entries: 1, track_count: 0 });
  });
});
