import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_ARCHIVE_LIMITS, inspectZipArchive, type ArchiveLimits } from './archive-inspection.ts';
import { makeZip, markEncrypted, overlapEntries, renameEntry, understateSize } from './archives.test-support.ts';
import { wav } from './uploads.test-support.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veza-archive-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function inspect(zip: Buffer, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS) {
  const path = join(dir, `${randomBytes(6).toString('hex')}.zip`);
  await writeFile(path, zip);
  return inspectZipArchive(path, limits);
}

/** A pack as a seller would send it: sounds, MIDI, presets, a project, a readme, and macOS clutter. */
const samplePack = () =>
  makeZip([
    { name: 'Kicks/kick-01.wav', content: wav(40_000) },
    { name: 'Loops/loop-120bpm.aif', content: randomBytes(20_000) },
    { name: 'MIDI/chords.mid', content: randomBytes(300) },
    { name: 'Presets/Serum/bass.fxp', content: randomBytes(4_000) },
    { name: 'Presets/Vital/pad.vital', content: Buffer.from('{"settings":{}}') },
    { name: 'Presets/Diva/lead.h2p', content: Buffer.from('#AM=Diva\n') },
    { name: 'Presets/Massive X/keys.nmsv', content: randomBytes(2_000) },
    { name: 'Racks/drums.adg', content: randomBytes(1_000) },
    { name: 'Project/demo.als', content: randomBytes(3_000) },
    { name: 'README.txt', content: Buffer.from('Royalty free for your own releases.\n') },
    // A megabyte of silence in a WAV compresses far past 100:1 but stays under the ratio rule's floor.
    { name: 'Textures/silence.wav', content: Buffer.alloc(1_000_000) },
    { name: '__MACOSX/Kicks/._kick-01.wav', content: randomBytes(100) },
    { name: '.DS_Store', content: randomBytes(100) },
  ]);

test('a sample pack of audio, MIDI, presets and a project passes, every entry inflated', async () => {
  const verdict = await inspect(await samplePack());
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  if (verdict.ok) {
    assert.equal(verdict.entries, 13);
    assert.ok(verdict.totalBytes > 1_070_000);
  }
});

test('a real bomb, 1 GiB of zeros in a few megabytes, is refused from the central directory alone', async () => {
  const zip = await makeZip([{ name: 'silence.wav', content: { zeros: 1024 ** 3 } }]);
  assert.ok(zip.length < 8 * 1024 ** 2, `the bomb is ${zip.length} bytes`);
  const started = performance.now();
  const verdict = await inspect(zip);
  assert.deepEqual(verdict.ok ? verdict : { ok: verdict.ok, rule: verdict.rule }, { ok: false, rule: 'ratio' });
  assert.match(verdict.ok ? '' : verdict.detail, /"silence\.wav" would grow \d+ times when unpacked/);
  // Nothing was inflated: judged on declared figures, so this is a matter of milliseconds, not of a gigabyte.
  assert.ok(performance.now() - started < 2_000);
});

test('the total declared size is bounded even when every entry compresses modestly', async () => {
  const zip = await makeZip([
    { name: 'a.wav', content: randomBytes(300_000) },
    { name: 'b.wav', content: randomBytes(300_000) },
  ]);
  const verdict = await inspect(zip, { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 500_000 });
  assert.equal(verdict.ok ? 'ok' : verdict.rule, 'total-size');
  assert.equal((await inspect(zip, { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 600_000 })).ok, true);
});

test('too many entries are refused before any is read', async () => {
  const zip = await makeZip(Array.from({ length: 51 }, (_, i) => ({ name: `one-shots/${i}.wav`, content: wav(100) })));
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 50 };
  const verdict = await inspect(zip, limits);
  assert.equal(verdict.ok ? 'ok' : verdict.rule, 'entries');
  assert.match(verdict.ok ? '' : verdict.detail, /holds 51 entries; at most 50/);
  assert.equal((await inspect(zip, { ...limits, maxEntries: 51 })).ok, true);
});

test('zip-slip names, absolute or climbing out with .., are refused', async () => {
  const honest = await makeZip([{ name: 'xx/xx/etc/cron.wav', content: wav(500) }]);
  const climbing = await inspect(renameEntry(honest, 'xx/xx/etc/cron.wav', '../../etc/cron.wav'));
  assert.equal(climbing.ok ? 'ok' : climbing.rule, 'path');
  assert.match(climbing.ok ? '' : climbing.detail, /outside the archive's folder/);
  const absolute = await inspect(renameEntry(honest, 'xx/xx/etc/cron.wav', '/xx/xx/etc/cron.wa'.padEnd(18, 'v')));
  assert.equal(absolute.ok ? 'ok' : absolute.rule, 'path');
});

test('a header that understates its entry is caught while inflating, within the declared budget', async () => {
  const honest = await makeZip([{ name: 'quiet.wav', content: Buffer.alloc(600_000) }]);
  assert.equal((await inspect(honest)).ok, true);
  const verdict = await inspect(understateSize(honest, 1_000));
  assert.equal(verdict.ok ? 'ok' : verdict.rule, 'declared-size');
  assert.match(verdict.ok ? '' : verdict.detail, /does not inflate to the size it declares/);
});

test('entries sharing the same compressed bytes (the overlapping bomb) are refused', async () => {
  const honest = await makeZip([{ name: 'quiet-loop.wav', content: Buffer.alloc(900_000) }]);
  const verdict = await inspect(overlapEntries(honest, 3));
  assert.equal(verdict.ok ? 'ok' : verdict.rule, 'overlap');
});

test('encrypted entries cannot be inspected, so they are refused', async () => {
  const verdict = await inspect(markEncrypted(await makeZip([{ name: 'secret.wav', content: wav(2_000) }])));
  assert.equal(verdict.ok ? 'ok' : verdict.rule, 'encrypted');
});

test('nested archives, executables and nameless types are not on the allow-list', async () => {
  const inner = await makeZip([{ name: 'a.wav', content: wav(500) }]);
  for (const name of ['pack/inner.zip', 'tools/setup.exe', 'install.sh', 'Presets/LICENSE']) {
    const verdict = await inspect(await makeZip([{ name, content: inner }]));
    assert.equal(verdict.ok ? 'ok' : verdict.rule, 'extension', name);
  }
});

test('something that is not a ZIP at all gets a readable refusal, not an exception', async () => {
  const verdict = await inspect(Buffer.concat([Buffer.from('PK\u0003\u0004'), randomBytes(200)]));
  assert.equal(verdict.ok ? 'ok' : verdict.rule, 'readable');
});
