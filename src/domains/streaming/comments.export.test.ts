// Likes and comments are personal data (issue 13 §3, db/table-registry.json): the person's GDPR export holds their
// likes and their comments — a deleted one without its words — and not what others wrote under them.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extract } from 'tar';
import { useTestApp } from '../../../test/helpers/app.ts';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { loadTableRegistry } from '../../lifecycle/table-registry.ts';
import { PLACEHOLDERS } from './comments.service.ts';
import { as, person, track } from './comments.test-support.ts';

const testApp = useTestApp();
const scratch: string[] = [];
after(async () => {
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});

test('the registry declares likes and comments as personal data with a retention rule', () => {
  const registry = loadTableRegistry();
  assert.equal(registry.track_likes?.personalData, 'linked');
  assert.equal(registry.track_comments?.personalData, 'identifying', 'free text the person wrote');
  assert.equal(registry.track_comments?.retention.policy, 'until_deleted_by_user');
  assert.equal(registry.track_comments?.retention.clock, 'deleted_at');
});

test('the GDPR export holds the person’s likes and comments, and not others’ replies to them', async () => {
  const creator = await person(testApp.current);
  const subject = await person(testApp.current);
  const other = await person(testApp.current);
  const song = await track(testApp.current, creator.id);
  const call = as(testApp.current, subject);
  assert.equal((await call('PUT', `/v1/tracks/${song.id}/like`)).statusCode, 201);
  assert.equal((await as(testApp.current, other)('PUT', `/v1/tracks/${song.id}/like`)).statusCode, 201);
  const kept = (
    await call('POST', `/v1/tracks/${song.id}/comments`, { content: 'Mine, at 0:42', timestamp_seconds: 42 })
  ).json();
  const reply = (
    await as(testApp.current, other)('POST', `/v1/tracks/${song.id}/comments`, {
      content: 'someone else’s reply',
      parent_comment_id: kept.id,
    })
  ).json();
  const erased = (await call('POST', `/v1/tracks/${song.id}/comments`, { content: 'words I took back' })).json();
  assert.equal((await call('DELETE', `/v1/comments/${erased.id}`)).statusCode, 204);

  const dataDir = await mkdtemp(join(tmpdir(), 'veza-engagement-export-'));
  scratch.push(dataDir);
  const result = await exportUserData(testApp.current.pool.db, subject.id, dataDir);
  const unpacked = join(dataDir, 'unpacked');
  await mkdir(unpacked);
  await extract({ file: result.path, cwd: unpacked });
  const archive = JSON.parse(await readFile(join(unpacked, 'export.json'), 'utf8')) as {
    tables: Record<string, Record<string, unknown>[]>;
  };

  const likes = archive.tables.track_likes ?? [];
  assert.deepEqual(
    likes.map((row) => [row.user_id, row.track_id]),
    [[subject.id, song.id]],
    'their like, not the other listener’s',
  );
  const comments = new Map((archive.tables.track_comments ?? []).map((row) => [row.id, row]));
  assert.equal(comments.get(kept.id)?.content, 'Mine, at 0:42');
  assert.equal(comments.get(kept.id)?.timestamp_seconds, 42);
  assert.equal(comments.get(erased.id)?.content, PLACEHOLDERS.author, 'a deleted comment’s words are gone');
  assert.ok(!comments.has(reply.id), 'a reply by someone else is theirs, not the subject’s');
  assert.equal(comments.size, 2);
});
