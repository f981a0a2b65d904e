// GET /embed/tracks/{id} without a browser (issue 13 §7, ADR 0048): what it shows of which tracks, escaped, under
// its own CSP, framable; the browser test (test/browser/embed-player.test.ts) plays it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { escapeHtml, jsonForHtml } from './embed.page.ts';
import { newTrack } from './plays.test-support.ts';

const testApp = useTestApp();
const page = (id: string) => testApp.current.app.inject({ method: 'GET', url: `/embed/tracks/${id}` });
const HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)> & "quotes" \u2028';

/** The CSP header as a map of directive → sources. */
function csp(header: unknown): Record<string, string> {
  return Object.fromEntries(
    String(header)
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name, ...sources] = part.split(/\s+/);
        return [name, sources.join(' ')];
      }),
  );
}

test('a public track’s page: title, creator, waveform data, comment markers, the stream, all escaped', async () => {
  const { sql } = testApp.current.database;
  const creator = await allFactories.users!(sql, { display_name: 'Zoë <b>Ångström</b>' });
  const commenter = await allFactories.users!(sql);
  const track = await newTrack(testApp.current, {
    creator_id: creator.id,
    title: HOSTILE,
    artist: 'مرحبا — RTL artist',
    duration: 120,
    waveform_data: {
      version: 1,
      buckets: 2,
      encoding: 'int8-minmax-base64',
      data: Buffer.from([-10, 20, -100, 90]).toString('base64'),
    },
  });
  await allFactories.track_comments!(sql, {
    track_id: track.id,
    user_id: commenter.id,
    timestamp_seconds: 30,
    content: `Drop ${HOSTILE}`,
  });
  await allFactories.track_comments!(sql, {
    track_id: track.id,
    user_id: commenter.id,
    timestamp_seconds: 90,
    content: 'Second',
  });
  await allFactories.track_comments!(sql, {
    track_id: track.id,
    user_id: commenter.id,
    timestamp_seconds: null,
    content: 'No moment',
  });
  await allFactories.track_comments!(sql, {
    track_id: track.id,
    user_id: commenter.id,
    timestamp_seconds: 60,
    content: 'Gone',
    deleted_at: new Date(),
  });

  const answer = await page(track.id);
  assert.equal(answer.statusCode, 200, answer.body);
  assert.match(String(answer.headers['content-type']), /^text\/html; charset=utf-8/);
  const body = answer.body;
  assert.ok(!body.includes('<script>alert'), 'no injected script');
  assert.ok(!body.includes('<img src=x'), 'no injected element');
  assert.equal(body.match(/<script/g)?.length, 2, 'only the page’s script file and its JSON data block');
  assert.ok(body.includes(`<title>${escapeHtml(HOSTILE)} · Veza</title>`));
  assert.ok(body.includes(`<h1 class="title">${escapeHtml(HOSTILE)}</h1>`));
  assert.ok(body.includes('مرحبا — RTL artist · Zoë &lt;b&gt;Ångström&lt;/b&gt;'), 'artist and creator’s name');
  assert.ok(body.includes(`src="/v1/tracks/${track.id}/stream"`), 'the audio streams through the stream route');
  assert.ok(body.includes('<script src="/embed/player.js" defer></script>'));
  assert.ok(body.includes('2 timestamped comments'));
  assert.ok(body.includes(`Drop ${escapeHtml(HOSTILE)}`));
  assert.ok(!body.includes('No moment') && !body.includes('Gone'), 'only live comments pinned to a moment');

  const json = /<script type="application\/json" id="embed-data">(.*)<\/script>/.exec(body)?.[1] ?? '';
  assert.ok(!/[<>&]/.test(json));
  assert.deepEqual(JSON.parse(json), {
    duration: 120,
    waveform: { buckets: 2, data: Buffer.from([-10, 20, -100, 90]).toString('base64') },
    markers: [{ at: 30 }, { at: 90 }],
  });
});

test('the page has its own strict CSP, may be framed by any site, and the API still may not', async () => {
  const track = await newTrack(testApp.current);
  const answer = await page(track.id);
  assert.deepEqual(csp(answer.headers['content-security-policy']), {
    'default-src': "'none'",
    'script-src': "'self'",
    'style-src': "'self'",
    'img-src': "'self'",
    'media-src': "'self'",
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-ancestors': '*',
  });
  assert.equal(answer.headers['x-frame-options'], undefined);
  assert.equal(answer.headers['cache-control'], 'public, max-age=60');

  const api = await testApp.current.app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(api.headers['x-frame-options'], 'DENY');
  assert.equal(csp(api.headers['content-security-policy'])['frame-ancestors'], "'none'");

  const script = await testApp.current.app.inject({ method: 'GET', url: '/embed/player.js' });
  assert.equal(script.statusCode, 200);
  assert.match(String(script.headers['content-type']), /^text\/javascript/);
  assert.match(script.body, /getContext\('2d'\)/);
  const style = await testApp.current.app.inject({ method: 'GET', url: '/embed/player.css' });
  assert.equal(style.statusCode, 200);
  assert.match(String(style.headers['content-type']), /^text\/css/);
});

test('anything but a public, published, live track is a 404 TRACK_NOT_FOUND that names nothing', async () => {
  const cases: [string, Record<string, unknown>][] = [
    ['private', { visibility: 'private' }],
    ['unlisted', { visibility: 'unlisted' }],
    ['draft', { published_at: null }],
    ['deleted', { deleted_at: new Date() }],
  ];
  for (const [what, state] of cases) {
    const track = await newTrack(testApp.current, { ...state, title: `Secret ${what}` });
    const answer = await page(track.id);
    assert.equal(answer.statusCode, 404, what);
    assert.match(String(answer.headers['content-type']), /^application\/problem\+json/, what);
    assert.equal(answer.json().code, 'TRACK_NOT_FOUND', what);
    assert.ok(!answer.body.includes('Secret'), `${what}: the title does not leak`);
  }
  assert.equal((await page(randomUUID())).statusCode, 404);
  const bad = await page('not-a-uuid');
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().errors[0].field, 'params.id');
});

test('a track without a usable waveform still renders (the script draws a flat line)', async () => {
  for (const waveform_data of [null, { buckets: 'x', data: 1 }, { buckets: 2, data: 'not base64!' }]) {
    const track = await newTrack(testApp.current, { waveform_data });
    const answer = await page(track.id);
    assert.equal(answer.statusCode, 200);
    assert.match(answer.body, /"waveform":null/);
  }
});

test('escaping helpers', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(jsonForHtml({ t: '</script>&\u2028' }), '{"t":"\\u003c/script\\u003e\\u0026\\u2028"}');
  assert.deepEqual(JSON.parse(jsonForHtml({ t: '</script>&\u2028' })), { t: '</script>&\u2028' });
});
