// Presence kept in Redis is personal data outside the tables (ADR 0059): the GDPR export holds it (export.json's
// `redis` and redis.presence.csv), nobody else's; deleting the account erases it at once, and the anonymisation
// 30 days later erases whatever was written back since. The app runs on the Redis store, under a prefix of its own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { extract } from 'tar';
import { allFactories } from '../../../test/factories/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { requestAccountDeletion } from '../../lifecycle/gdpr/account-deletion.ts';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { accountsAnonymise } from '../../lifecycle/jobs/accounts-anonymise.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { newPerson, type Person } from './direct.test-support.ts';
import { createPresenceService } from './presence.service.ts';

const prefix = `veza-test:${randomUUID()}:`;
const redisUrl = (() => {
  const url = new URL(process.env.VEZA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  url.searchParams.set('keyPrefix', prefix);
  return url.toString();
})();
const testApp = useTestApp({ env: () => ({ VEZA_REDIS_URL: redisUrl }) });
const redis = new Redis(process.env.VEZA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const scratch: string[] = [];
after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});

/** Everything Redis holds about the user under this run's prefix (hash, leases, place in the sweep's index). */
async function keptAbout(userId: string) {
  const [hash, leases, lapse] = await Promise.all([
    redis.hgetall(`${prefix}veza:presence:${userId}`),
    redis.zcard(`${prefix}veza:presence-leases:${userId}`),
    redis.zscore(`${prefix}veza:presence-lapses`, userId),
  ]);
  return { hash, leases, indexed: lapse !== null };
}

const setPresence = (who: Person, payload: Record<string, unknown>) =>
  testApp.current.app.inject({
    method: 'PATCH',
    url: '/v1/me/presence',
    headers: { authorization: who.authorization },
    payload,
  });

/** A person without a password who logged in just now: DELETE /v1/me with {} is theirs to send. */
async function deletablePerson(): Promise<Person> {
  const user = await allFactories.users!(testApp.current.database.sql, {
    data_processing_consent: true,
    password_hash: null,
    last_login_at: new Date(),
  });
  const { token } = await testApp.current.accessTokens.issue({
    userId: String(user.id),
    tokenVersion: 0,
    role: 'user',
  });
  return { id: String(user.id), authorization: `Bearer ${token}` };
}

/** What a gateway instance writes: a connection, hence a lease. */
async function connect(userId: string): Promise<void> {
  const service = createPresenceService(testApp.current.pool, { redis: { url: redisUrl } });
  try {
    await service.forInstance().connected(userId);
  } finally {
    await service.close();
  }
}

test('the export holds the presence Redis keeps of the person, and nobody else’s', async () => {
  const [me, other] = [await newPerson(testApp.current), await newPerson(testApp.current)];
  await connect(me.id);
  assert.equal((await setPresence(me, { status: 'busy', custom_status: 'in the studio' })).statusCode, 200);
  assert.equal((await setPresence(other, { custom_status: 'not yours' })).statusCode, 200);
  const rows = await testApp.current.database.sql`SELECT 1 FROM user_presence WHERE user_id = ${me.id}`;
  assert.equal(rows.length, 0, 'on this path presence is not in the tables');

  const dataDir = await mkdtemp(join(tmpdir(), 'veza-presence-export-'));
  scratch.push(dataDir);
  const archive = await exportUserData(testApp.current.pool.db, me.id, dataDir, { redisUrl });
  assert.equal(archive.rowsByTable['redis.presence'], 1);
  const unpacked = await mkdtemp(join(tmpdir(), 'veza-presence-export-unpacked-'));
  scratch.push(unpacked);
  await extract({ file: archive.path, cwd: unpacked });
  const exported = JSON.parse(await readFile(join(unpacked, 'export.json'), 'utf8')) as {
    tables: Record<string, unknown[]>;
    redis: { presence: Record<string, string | null>[] };
  };
  assert.deepEqual(exported.tables.user_presence, []);
  assert.equal(exported.redis.presence.length, 1);
  const [presence] = exported.redis.presence;
  assert.equal(presence?.user_id, me.id);
  assert.equal(presence?.status, 'busy');
  assert.equal(presence?.custom_status, 'in the studio');
  assert.ok(Date.parse(presence?.last_seen_at ?? '') > 0);
  assert.ok(Date.parse(presence?.connected_until ?? '') > Date.parse(presence?.last_seen_at ?? ''), 'the lease');

  const csv = (await readFile(join(unpacked, 'redis.presence.csv'), 'utf8')).trim().split('\r\n');
  assert.equal(csv[0], 'user_id,status,custom_status,last_seen_at,connected_until');
  assert.equal(csv.length, 2);
  assert.ok(csv[1]?.startsWith(`${me.id},busy,in the studio,`));
  assert.ok(!JSON.stringify(exported).includes('not yours'));

  // Without Redis (the table path) the archive is as before: no `redis`, no extra file.
  const plain = await exportUserData(testApp.current.pool.db, me.id, dataDir);
  assert.equal(plain.rowsByTable['redis.presence'], undefined);
});

test('deleting the account erases its presence in Redis at once; the anonymisation erases it again', async () => {
  const [me, other] = [await deletablePerson(), await newPerson(testApp.current)];
  await connect(me.id);
  assert.equal((await setPresence(me, { status: 'away', custom_status: 'back soon' })).statusCode, 200);
  assert.equal((await setPresence(other, { status: 'online' })).statusCode, 200);
  assert.equal((await keptAbout(me.id)).hash.custom_status, 'back soon');
  assert.equal((await keptAbout(me.id)).leases, 1);

  const deleted = await testApp.current.app.inject({
    method: 'DELETE',
    url: '/v1/me',
    headers: { authorization: me.authorization },
    payload: {},
  });
  assert.equal(deleted.statusCode, 202, deleted.body);
  assert.deepEqual(await keptAbout(me.id), { hash: {}, leases: 0, indexed: false });
  assert.equal((await keptAbout(other.id)).hash.status, 'online', 'nobody else’s');

  // Should anything write it back before the anonymisation, the job erases it.
  await connect(me.id);
  assert.equal((await keptAbout(me.id)).hash.status, 'online');
  const { deleted_at: deletedAt } = deleted.json<{ deleted_at: string }>();
  const run = await runJob(accountsAnonymise, {
    db: testApp.current.pool.db,
    dataDir: await mkdtemp(join(tmpdir(), 'veza-presence-anonymise-')),
    redisUrl,
    triggeredBy: 'manual',
    now: new Date(Date.parse(deletedAt) + 31 * 86_400_000),
  });
  assert.equal(run.status, 'succeeded', run.error ?? '');
  assert.deepEqual(await keptAbout(me.id), { hash: {}, leases: 0, indexed: false });
  assert.equal((await keptAbout(other.id)).hash.status, 'online');
});

test('Redis out of reach: the deletion is refused whole (503), nothing deleted', async () => {
  const me = await deletablePerson();
  await assert.rejects(
    requestAccountDeletion(testApp.current.pool.db, me.id, { redisUrl: 'redis://127.0.0.1:1' }),
    (error: unknown) => (error as { status?: number }).status === 503,
  );
  const [row] = await testApp.current.database.sql<{ deleted_at: Date | null }[]>`
    SELECT deleted_at FROM users WHERE id = ${me.id}`;
  assert.equal(row?.deleted_at, null);
});
