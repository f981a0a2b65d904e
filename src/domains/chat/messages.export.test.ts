// Room messages, memberships and reactions are personal data (issue 14, db/table-registry.json): the person's GDPR
// export holds their memberships, their messages — a deleted one without its words — and their reactions, and not
// what others wrote in the same rooms, nor a room's password hash.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extract } from 'tar';
import { useTestApp } from '../../../test/helpers/app.ts';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { loadTableRegistry } from '../../lifecycle/table-registry.ts';
import { addMember, as, newRoom, person, say } from './rooms.test-support.ts';

const testApp = useTestApp();
const scratch: string[] = [];
after(async () => {
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});

test('the registry declares rooms, memberships, messages and reactions as personal data', () => {
  const registry = loadTableRegistry();
  assert.equal(registry.messages?.personalData, 'identifying');
  assert.equal(registry.messages?.retention.clock, 'deleted_at');
  assert.equal(registry.room_members?.personalData, 'linked');
  assert.equal(registry.message_reactions?.personalData, 'linked');
  assert.equal(registry.rooms?.personalData, 'identifying');
});

test('the GDPR export holds the person’s memberships, messages and reactions, and nothing of others', async () => {
  const subject = await person(testApp.current);
  const other = await person(testApp.current);
  const id = await newRoom(testApp.current, subject, { password: 'band secret' });
  await addMember(testApp.current, id, other);
  const kept = await say(testApp.current, subject, id, 'Rehearsal at eight');
  const erased = await say(testApp.current, subject, id, 'words I took back');
  const theirs = await say(testApp.current, other, id, 'someone else’s words');
  const call = as(testApp.current, subject);
  assert.equal((await call('DELETE', `/v1/rooms/${id}/messages/${erased}`)).statusCode, 204);
  const like = encodeURIComponent('👍');
  assert.equal((await call('PUT', `/v1/rooms/${id}/messages/${theirs}/reactions/${like}`)).statusCode, 200);
  assert.equal(
    (await as(testApp.current, other)('PUT', `/v1/rooms/${id}/messages/${kept}/reactions/${like}`)).statusCode,
    200,
  );

  const dataDir = await mkdtemp(join(tmpdir(), 'veza-chat-export-'));
  scratch.push(dataDir);
  const result = await exportUserData(testApp.current.pool.db, subject.id, dataDir);
  const unpacked = join(dataDir, 'unpacked');
  await mkdir(unpacked);
  await extract({ file: result.path, cwd: unpacked });
  const text = await readFile(join(unpacked, 'export.json'), 'utf8');
  const archive = JSON.parse(text) as { tables: Record<string, Record<string, unknown>[]> };

  const messages = archive.tables.messages ?? [];
  assert.deepEqual(messages.map((m) => m.id).sort(), [kept, erased].sort());
  assert.equal(messages.find((m) => m.id === kept)?.content, 'Rehearsal at eight');
  assert.ok(!text.includes('words I took back'), 'a deleted message is exported without its words');
  assert.ok(!text.includes('someone else’s words'), 'others’ messages are theirs');
  const memberships = archive.tables.room_members ?? [];
  assert.deepEqual(
    memberships.map((m) => [m.room_id, m.user_id, m.role]),
    [[id, subject.id, 'owner']],
  );
  const reactions = archive.tables.message_reactions ?? [];
  assert.deepEqual(
    reactions.map((r) => [r.message_id, r.user_id]),
    [[theirs, subject.id]],
  );
  assert.ok(!text.includes('$2b$'), 'no password hash leaves');
});
