// Playing and downloading a track (issue 13 §2, ADR 0047): a listener streams a real rendition with ranges, the
// bytes equal to the rendition's; quality, Accept, signed links, the original and downloads; audio that cannot
// be played is a clear 4xx.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { authFactories } from '../../../test/factories/auth.ts';
import { filesFactories } from '../../../test/factories/files.ts';
import { streamingFactories } from '../../../test/factories/streaming.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { testDataDir } from '../files/files.test-support.ts';
import { processedAudio, type ProcessedAudio } from './tracks.test-support.ts';

const { dataDir, storage } = testDataDir();
const testApp = useTestApp({ env: () => ({ VEZA_DATA_DIR: dataDir }) });

async function account() {
  const { database, accessTokens } = testApp.current;
  const user = await authFactories.users(database.sql, { data_processing_consent: true });
  const { token } = await accessTokens.issue({ userId: String(user.id), tokenVersion: 0, role: 'user' });
  return { id: String(user.id), authorization: `Bearer ${token}` };
}
type Account = Awaited<ReturnType<typeof account>>;

function call(method: string, url: string, who?: Account, headers: Record<string, string> = {}, payload?: unknown) {
  return testApp.current.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(who ? { authorization: who.authorization } : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

let creator: Account;
let listener: Account;
let audio: ProcessedAudio;
let trackId: string;

// Inside a suite: a root-level hook could run before useTestApp's has built the app.
const setUp = async () => {
  creator = await account();
  listener = await account();
  audio = await processedAudio(testApp.current, storage, creator.id, 'wav', 5);
  const created = await call(
    'POST',
    '/v1/tracks',
    creator,
    {},
    { file_id: audio.fileId, title: 'Tide / Pool', publish: true },
  );
  assert.equal(created.statusCode, 201, created.body);
  trackId = created.json().id;
};

const rendition = (quality: '128k' | '256k') => {
  const found = audio.renditions.get(quality);
  assert.ok(found, `the ${quality} rendition exists`);
  return found;
};

describe('streaming a published track', () => {
  before(setUp);
  test('an anonymous listener gets the high rendition by default, and any byte range of it exactly', async () => {
    const high = rendition('256k');
    const whole = await call('GET', `/v1/tracks/${trackId}/stream`);
    assert.equal(whole.statusCode, 200, whole.body);
    assert.equal(whole.headers['content-type'], 'audio/mp4');
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    assert.equal(whole.headers.vary, 'Accept');
    assert.match(String(whole.headers['content-disposition']), /^inline; filename="Tide _ Pool\.m4a"/);
    assert.equal(whole.headers['cache-control'], 'public, max-age=300');
    assert.ok(whole.rawPayload.equals(high.bytes), 'the whole rendition');

    const middle = await call('GET', `/v1/tracks/${trackId}/stream`, undefined, { range: 'bytes=1000-4999' });
    assert.equal(middle.statusCode, 206);
    assert.equal(middle.headers['content-range'], `bytes 1000-4999/${high.bytes.length}`);
    assert.ok(middle.rawPayload.equals(high.bytes.subarray(1000, 5000)), 'bytes 1000-4999 of the rendition');

    const tail = await call('GET', `/v1/tracks/${trackId}/stream`, listener, { range: 'bytes=-100' });
    assert.equal(tail.statusCode, 206);
    assert.ok(tail.rawPayload.equals(high.bytes.subarray(high.bytes.length - 100)));

    const past = await call('GET', `/v1/tracks/${trackId}/stream`, undefined, {
      range: `bytes=${high.bytes.length}-`,
    });
    assert.equal(past.statusCode, 416);
    assert.equal(past.headers['content-range'], `bytes */${high.bytes.length}`);

    const head = await call('HEAD', `/v1/tracks/${trackId}/stream?quality=low`);
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], String(rendition('128k').bytes.length));
    assert.equal(head.rawPayload.length, 0);

    const revalidated = await call('GET', `/v1/tracks/${trackId}/stream`, undefined, {
      'if-none-match': String(whole.headers.etag),
    });
    assert.equal(revalidated.statusCode, 304);
  });

  test('quality picks the rendition, Accept narrows it, and the original goes to its creator only', async () => {
    const low = await call('GET', `/v1/tracks/${trackId}/stream?quality=low`, undefined, { range: 'bytes=0-99' });
    assert.ok(low.rawPayload.equals(rendition('128k').bytes.subarray(0, 100)));

    const accepted = await call('GET', `/v1/tracks/${trackId}/stream`, undefined, {
      accept: 'audio/webm,audio/ogg,audio/wav,audio/*;q=0.9,application/ogg;q=0.7,*/*;q=0.5',
      range: 'bytes=0-9',
    });
    assert.equal(accepted.statusCode, 206);
    const refused = await call('GET', `/v1/tracks/${trackId}/stream`, undefined, { accept: 'audio/mpeg, audio/wav' });
    assert.equal(refused.statusCode, 406, refused.body);
    assert.equal(refused.json().code, 'STREAM_NOT_ACCEPTABLE');
    assert.equal(refused.json().errors[0].field, 'headers.accept');

    const original = await call('GET', `/v1/tracks/${trackId}/stream?quality=original`);
    assert.equal(original.statusCode, 403);
    assert.equal(original.json().code, 'TRACK_NOT_DOWNLOADABLE');
    const own = await call('GET', `/v1/tracks/${trackId}/stream?quality=original`, creator);
    assert.equal(own.statusCode, 200);
    assert.equal(own.headers['content-type'], 'audio/wav');
    assert.ok(own.rawPayload.equals(audio.bytes));
    // The creator's WAV is acceptable where the renditions are not: Accept picks it over the AAC.
    const wavOnly = await call('GET', `/v1/tracks/${trackId}/stream`, creator, { accept: 'audio/wav' });
    assert.equal(wavOnly.headers['content-type'], 'audio/wav');
    assert.equal((await call('GET', `/v1/tracks/${trackId}/stream?quality=best`)).statusCode, 400);
  });

  test('a missing rendition falls back to the other one', async () => {
    const other = await processedAudio(testApp.current, storage, creator.id, 'wav', 2);
    const id = (await call('POST', '/v1/tracks', creator, {}, { file_id: other.fileId, publish: true })).json().id;
    const low = other.renditions.get('128k');
    assert.ok(low);
    await testApp.current.database.sql`UPDATE files SET deleted_at = NOW() WHERE id = ${low.fileId}`;
    const answer = await call('GET', `/v1/tracks/${id}/stream?quality=low`);
    assert.equal(answer.statusCode, 200);
    assert.ok(answer.rawPayload.equals(other.renditions.get('256k')?.bytes ?? Buffer.alloc(0)));
  });

  test('who may listen: drafts and private tracks are the creator’s, unlisted ones anyone’s holding the id', async () => {
    await call('PATCH', `/v1/tracks/${trackId}`, creator, {}, { visibility: 'unlisted' });
    assert.equal(
      (await call('GET', `/v1/tracks/${trackId}/stream`, undefined, { range: 'bytes=0-0' })).statusCode,
      206,
    );
    await call('PATCH', `/v1/tracks/${trackId}`, creator, {}, { visibility: 'private' });
    const hidden = await call('GET', `/v1/tracks/${trackId}/stream`, listener);
    assert.equal(hidden.statusCode, 404);
    assert.equal(hidden.json().code, 'TRACK_NOT_FOUND');
    const own = await call('GET', `/v1/tracks/${trackId}/stream`, creator, { range: 'bytes=0-0' });
    assert.equal(own.statusCode, 206);
    assert.equal(own.headers['cache-control'], 'no-store', 'a signed-in answer');

    // A signed link plays the private track without a token, at its quality only, until it expires.
    const signed = await call(
      'POST',
      `/v1/tracks/${trackId}/stream-links`,
      creator,
      {},
      { quality: 'low', ttl_seconds: 600 },
    );
    assert.equal(signed.statusCode, 201, signed.body);
    const { url } = signed.json();
    const played = await call('GET', url, undefined, { range: 'bytes=10-19' });
    assert.equal(played.statusCode, 206, played.body);
    assert.ok(played.rawPayload.equals(rendition('128k').bytes.subarray(10, 20)));
    assert.match(String(played.headers['cache-control']), /^private/);
    const otherQuality = await call('GET', url.replace('quality=low', 'quality=high'));
    assert.equal(otherQuality.statusCode, 403);
    assert.equal(otherQuality.json().code, 'STREAM_LINK_INVALID');
    const forged = await call('GET', url.replace(/signature=[\w-]{5}/, 'signature=AAAAA'));
    assert.equal(forged.statusCode, 403);
    const halfLink = await call('GET', url.replace(/&signature=[\w-]+/, ''));
    assert.equal(halfLink.statusCode, 400);
    assert.equal(halfLink.json().code, 'STREAM_LINK_INCOMPLETE');
    // Listeners who may not play it get no link; the original needs the right to it.
    assert.equal((await call('POST', `/v1/tracks/${trackId}/stream-links`, listener, {}, {})).statusCode, 404);
    await call('PATCH', `/v1/tracks/${trackId}`, creator, {}, { visibility: 'public' });
    const noOriginal = await call('POST', `/v1/tracks/${trackId}/stream-links`, listener, {}, { quality: 'original' });
    assert.equal(noOriginal.statusCode, 403);

    await call('POST', `/v1/tracks/${trackId}/unpublish`, creator);
    assert.equal((await call('GET', `/v1/tracks/${trackId}/stream`)).statusCode, 404);
    assert.equal((await call('GET', url)).statusCode, 200, 'the link still plays the draft for its holder');
    await call('POST', `/v1/tracks/${trackId}/publish`, creator);
  });

  test('audio that cannot be played: 409 while processing, 404 once quarantined or gone', async () => {
    const { sql } = testApp.current.database;
    const pending = await filesFactories.files(sql, {
      user_id: creator.id,
      metadata: { processing: { status: 'processing', steps: {}, attempts: 1 } },
    });
    const quarantined = await filesFactories.files(sql, {
      user_id: creator.id,
      virus_scanned: true,
      virus_scan_result: 'infected:Eicar-Test',
      metadata: { processing: { status: 'quarantined', steps: {}, attempts: 1 } },
    });
    const published = { creator_id: creator.id, published_at: new Date() };
    const processing = await streamingFactories.tracks(sql, { ...published, file_id: pending.id });
    const infected = await streamingFactories.tracks(sql, { ...published, file_id: quarantined.id });
    const stillProcessing = await call('GET', `/v1/tracks/${String(processing.id)}/stream`);
    assert.equal(stillProcessing.statusCode, 409);
    assert.equal(stillProcessing.json().code, 'TRACK_AUDIO_PROCESSING');
    for (const who of [undefined, creator]) {
      const refused = await call('GET', `/v1/tracks/${String(infected.id)}/stream`, who);
      assert.equal(refused.statusCode, 404);
      assert.equal(refused.json().code, 'TRACK_AUDIO_UNAVAILABLE');
    }
    assert.equal((await call('GET', `/v1/tracks/${String(infected.id)}/download`, creator)).statusCode, 404);
  });
});

describe('downloading the original', () => {
  test('only when downloadable (or by the creator); counted once per download from the first byte', async () => {
    const { sql } = testApp.current.database;
    const downloads = async () =>
      (
        await sql`SELECT count(*)::int AS n, count(user_id)::int AS named FROM track_downloads WHERE track_id = ${trackId}`
      )[0];

    const refused = await call('GET', `/v1/tracks/${trackId}/download`, listener);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'TRACK_NOT_DOWNLOADABLE');
    const own = await call('GET', `/v1/tracks/${trackId}/download`, creator);
    assert.equal(own.statusCode, 200);
    assert.match(String(own.headers['content-disposition']), /^attachment; filename="Tide _ Pool\.wav"/);
    assert.deepEqual({ ...(await downloads()) }, { n: 0, named: 0 }, 'the creator’s own downloads are not counted');

    await call('PATCH', `/v1/tracks/${trackId}`, creator, {}, { is_downloadable: true });
    const got = await call('GET', `/v1/tracks/${trackId}/download`, listener);
    assert.equal(got.statusCode, 200);
    assert.ok(got.rawPayload.equals(audio.bytes), 'the original bytes');
    assert.equal((await call('GET', `/v1/tracks/${trackId}/download`)).statusCode, 200, 'anonymous too');
    // Resuming, HEAD and revalidation are not new downloads.
    await call('GET', `/v1/tracks/${trackId}/download`, listener, { range: 'bytes=500-' });
    await call('HEAD', `/v1/tracks/${trackId}/download`, listener);
    await call('GET', `/v1/tracks/${trackId}/download`, listener, { 'if-none-match': String(got.headers.etag) });
    assert.deepEqual({ ...(await downloads()) }, { n: 2, named: 1 });
    const page = (await call('GET', `/v1/tracks/${trackId}`)).json();
    assert.equal(page.counts.downloads, 2, 'the trigger counted them');
    assert.equal(page.download_url, `/v1/tracks/${trackId}/download`);
    // The original now streams to listeners as well.
    assert.equal((await call('GET', `/v1/tracks/${trackId}/stream?quality=original`)).statusCode, 200);
  });

  test('the cover goes to whoever may see the track; none is a 404', async () => {
    assert.equal((await call('GET', `/v1/tracks/${trackId}/cover`)).statusCode, 404);
  });
});
