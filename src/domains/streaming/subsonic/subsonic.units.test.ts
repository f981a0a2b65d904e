// The pure pieces of the OpenSubsonic API (issue 13 §6): the envelope in XML and JSON, ids, `p` decoding, the
// full-text prefix query, form bodies, and the credentials policy as a table of cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { decodedPassword } from './subsonic.auth.ts';
import { formatOf, render, renderError, SubsonicCode, SubsonicError } from './subsonic.format.ts';
import { albumId, albumKeyOf, artistId, parseId } from './subsonic.ids.ts';
import { subsonicPolicy } from './subsonic.policy.ts';
import { prefixQuery } from './subsonic.repository.ts';
import { parseForm } from './subsonic.routes.ts';

const USER = '3f0c7a0e-8a83-4e43-9a53-2f7e0b1f5c2d';

test('one tree, two formats: attributes and repeated elements in XML, objects and arrays in JSON', () => {
  const content = {
    openSubsonicExtensions: [{ name: 'formPost', versions: [1, 2] }],
    song: { id: 'x', title: 'Tom & "Jerry" <3', starred: undefined, isDir: false },
  };
  const json = JSON.parse(render('json', 'ok', content).body) as { 'subsonic-response': Record<string, unknown> };
  assert.deepEqual(json['subsonic-response'], {
    status: 'ok',
    version: '1.16.1',
    type: 'veza',
    serverVersion: '0.1.0',
    openSubsonic: true,
    openSubsonicExtensions: [{ name: 'formPost', versions: [1, 2] }],
    song: { id: 'x', title: 'Tom & "Jerry" <3', isDir: false },
  });
  const xml = render('xml', 'ok', content);
  assert.match(xml.contentType, /^application\/xml/);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'versions',
  }).parse(xml.body) as { 'subsonic-response': Record<string, unknown> & { song: Record<string, string> } };
  assert.equal(parsed['subsonic-response'].song.title, 'Tom & "Jerry" <3');
  assert.deepEqual(parsed['subsonic-response'].openSubsonicExtensions, { name: 'formPost', versions: [1, 2] });
  assert.equal(parsed['subsonic-response'].status, 'ok');
});

test('text XML cannot carry is replaced, so the document stays readable', () => {
  const xml = render('xml', 'ok', { song: { title: 'a\u0000b\u001fc\ud800d' } }).body;
  assert.ok(!xml.includes('\u0000') && !xml.includes('\u001f'));
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
    'subsonic-response': { song: { title: string } };
  };
  assert.equal(parsed['subsonic-response'].song.title, 'a\ufffdb\ufffdc\ufffdd');
});

test('errors, JSONP and the format asked for', () => {
  const failed = JSON.parse(renderError('json', new SubsonicError(SubsonicCode.notFound, 'Song not found')).body);
  assert.deepEqual(failed['subsonic-response'].error, { code: 70, message: 'Song not found' });
  assert.equal(failed['subsonic-response'].status, 'failed');
  assert.equal(formatOf('json', undefined), 'json');
  assert.equal(formatOf('jsonp', 'cb'), 'jsonp');
  assert.equal(formatOf('jsonp', 'alert(1)//'), 'json', 'a callback that is not a name is never echoed');
  assert.equal(formatOf(undefined, undefined), 'xml');
  assert.equal(formatOf('yaml', undefined), 'xml');
  const jsonp = render('jsonp', 'ok', {}, 'player.cb');
  assert.match(jsonp.body, /^player\.cb\(\{"subsonic-response":.*\}\);$/);
  assert.match(jsonp.contentType, /^application\/javascript/);
});

test('ids: songs and playlists are UUIDs, artists and albums are derived and parsed back', () => {
  assert.deepEqual(parseId(USER.toUpperCase()), { kind: 'uuid', id: USER });
  assert.deepEqual(parseId(artistId(USER)), { kind: 'artist', creatorId: USER });
  const key = albumKeyOf('  Night Ferry ');
  assert.equal(key, albumKeyOf('night ferry'));
  assert.notEqual(key, albumKeyOf(null));
  assert.deepEqual(parseId(albumId(USER, key)), { kind: 'album', creatorId: USER, key });
  for (const bad of ['', 'ar-', `al-${USER}`, `al-${USER}-xyz`, `pl-${USER}`, '../../etc', `ar-${USER}x`])
    assert.deepEqual(parseId(bad), { kind: 'unknown' }, bad);
});

test('p is clear text or enc: and hex; a malformed hex is no password at all', () => {
  assert.equal(decodedPassword('sesame'), 'sesame');
  assert.equal(decodedPassword(`enc:${Buffer.from('sésame').toString('hex')}`), 'sésame');
  assert.equal(decodedPassword('enc:7'), undefined);
  assert.equal(decodedPassword('enc:zz'), undefined);
});

test('search words become prefix terms; punctuation and operators are dropped', () => {
  assert.equal(prefixQuery('harb'), "'harb':*");
  assert.equal(prefixQuery("Night  ferry's!"), "'Night':* & 'ferry':* & 's':*");
  assert.equal(prefixQuery("'; DROP TABLE & | !"), "'DROP':* & 'TABLE':*");
  assert.equal(prefixQuery('  !!! '), null);
  assert.equal(prefixQuery('Ελληνικά 日本'), "'Ελληνικά':* & '日本':*");
});

test('form bodies: repeated names are lists, and the repeatable ones always are', () => {
  assert.deepEqual(parseForm('u=a&id=1&id=2&songId=3&name=x%20y&f=json'), {
    u: 'a',
    id: ['1', '2'],
    songId: ['3'],
    name: 'x y',
    f: 'json',
  });
  assert.deepEqual(parseForm('u=a&u=b'), { u: ['a', 'b'] }, 'a repeated single parameter is refused by the schema');
});

test('credentials policy: the owner only; to anyone else it does not exist', () => {
  const credential = { user_id: USER };
  const cases = [
    { caller: null, expected: 'unauthenticated' },
    { caller: { userId: USER, role: 'user' as const }, expected: 'allowed' },
    { caller: { userId: '00000000-0000-4000-8000-000000000001', role: 'admin' as const }, expected: 'hidden' },
  ];
  for (const { caller, expected } of cases) {
    const decision = subsonicPolicy.mayManageCredential(caller, credential);
    assert.equal(decision.allowed ? 'allowed' : decision.denial, expected);
  }
  assert.equal(subsonicPolicy.mayManageCredential({ userId: USER, role: 'user' }, undefined).allowed, false);
});
