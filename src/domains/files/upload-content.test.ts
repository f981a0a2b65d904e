import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { judgeContent, sanitiseFilename, sniffFile } from './upload-content.ts';
import { png, wav } from './uploads.test-support.ts';

test('original names keep only a displayable last segment', () => {
  const cases: Array<[string, string]> = [
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\evil.dll', 'evil.dll'],
    ['C:\\Users\\me\\Song.flac', 'Song.flac'],
    ['  .hidden.wav ', 'hidden.wav'],
    ['..', 'file'],
    ['', 'file'],
    ['bad\u0000name\u0007.mp3', 'badname.mp3'],
    // A right-to-left override would display "song.exe" as "song.3pm"-like text.
    ['song\u202eexe.mp3', 'songexe.mp3'],
    ['Café Noir – live.wav', 'Café Noir – live.wav'],
  ];
  for (const [raw, expected] of cases) assert.equal(sanitiseFilename(raw), expected, JSON.stringify(raw));
  const long = sanitiseFilename(`${'é'.repeat(400)}.flac`);
  assert.equal(Array.from(long).length, 255);
  assert.ok(long.endsWith('.flac'));
  // Decomposed and composed forms of the same name come out the same.
  assert.equal(sanitiseFilename('Cafe\u0301.wav'), sanitiseFilename('Caf\u00e9.wav'));
});

test('the allow-list of each purpose, decided on the sniffed type and the name together', () => {
  const cases: Array<[string | null, Parameters<typeof judgeContent>[1], string, string]> = [
    ['audio/wav', 'track', 'a.wav', 'ok'],
    ['audio/mpeg', 'track', 'no-extension', 'ok'],
    ['audio/x-flac', 'product', 'a.flac', 'ok'],
    ['application/zip', 'product', 'presets.zip', 'ok'],
    ['image/png', 'cover', 'a.png', 'ok'],
    ['image/png', 'cover', 'a.mp3', 'mismatch'],
    ['audio/wav', 'attachment', 'a.png', 'mismatch'],
    ['image/png', 'track', 'a.png', 'not-allowed'],
    ['application/zip', 'track', 'a.zip', 'not-allowed'],
    ['application/pdf', 'avatar', 'a.pdf', 'not-allowed'],
    ['application/x-msdownload', 'attachment', 'a.exe', 'not-allowed'],
    [null, 'track', 'a.mp3', 'not-allowed'],
    // Unknown extensions say nothing either way.
    ['image/jpeg', 'avatar', 'me.photo', 'ok'],
  ];
  for (const [sniffed, purpose, name, expected] of cases) {
    const verdict = judgeContent(sniffed, purpose, name);
    assert.equal(verdict.ok ? 'ok' : verdict.reason, expected, `${sniffed} as ${purpose} named ${name}`);
  }
  const verdict = judgeContent('image/jpeg', 'cover', 'x.jpeg');
  assert.deepEqual(verdict, { ok: true, mimeType: 'image/jpeg', ext: 'jpg' });
});

test('the type comes from the bytes', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'veza-sniff-'));
  try {
    const cases: Array<[Buffer, string | null]> = [
      [wav(1000), 'audio/wav'],
      [png(), 'image/png'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), null],
      [Buffer.from('plain words, named anything\n'.repeat(20)), null],
    ];
    for (const [index, [bytes, expected]] of cases.entries()) {
      const path = join(directory, `sample-${index}.mp3`);
      await writeFile(path, bytes);
      const sniffed = await sniffFile(path);
      // file-type may call SVG application/xml or nothing; neither is on any allow-list.
      if (expected === null)
        assert.ok(sniffed === null || !judgeContent(sniffed, 'attachment', 'x').ok, String(sniffed));
      else assert.equal(sniffed, expected);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
