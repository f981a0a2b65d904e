// The chat event log (migration 0035, ADR 0054): an outbox written in the change's transaction, per-scope order,
// no deadlock between writers of the same scopes, bounded payloads, 7-day retention.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { useTestApp } from '../../../test/helpers/app.ts';
import { extract } from 'tar';
import { exportUserData } from '../../lifecycle/gdpr/export.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { chatEventsExpire } from './chat.events.jobs.ts';
import { eventsAfter } from './chat.events.repository.ts';
import { recordChatEvent, recordChatEvents, type ChatEvent } from './chat.events.ts';

const testApp = useTestApp();

const typing = (roomId: string): ChatEvent => ({
  type: 'typing',
  scope: { kind: 'room', roomId },
  payload: { room_id: roomId, user_id: randomUUID(), until: new Date().toISOString() },
});

const dmTo = (userId: string, content: string): ChatEvent => ({
  type: 'dm.created',
  scope: { kind: 'user', userId },
  payload: {
    message: {
      id: randomUUID(),
      sender_id: randomUUID(),
      recipient_id: userId,
      content,
      created_at: '2026-01-01T00:00:00Z',
    },
  },
});

test('an event exists exactly when its transaction commits', async () => {
  const { db } = testApp.current.pool;
  const room = randomUUID();
  await assert.rejects(
    db.transaction().execute(async (tx) => {
      await recordChatEvent(tx, typing(room));
      throw new Error('the change failed');
    }),
    /the change failed/,
  );
  assert.deepEqual(await eventsAfter(db, { kind: 'room', roomId: room }, '0'), []);
  const { seq } = await db.transaction().execute((tx) => recordChatEvent(tx, typing(room)));
  assert.deepEqual(
    (await eventsAfter(db, { kind: 'room', roomId: room }, '0')).map((event) => event.seq),
    [seq],
  );
});

test('parallel writers of one scope commit in seq order: a reader after any seq misses none', async () => {
  const { db } = testApp.current.pool;
  const room = randomUUID();
  const scope = { kind: 'room', roomId: room } as const;
  // A reader polls with a cursor while 60 transactions write; whatever it saw must be a prefix, never skip.
  let cursor = '0';
  const seen: string[] = [];
  let writing = true;
  // Its own connections, so that its reads do not queue behind the writers in the application's pool.
  const { sql: reads } = testApp.current.database;
  const reader = (async () => {
    while (writing) {
      const rows = await reads<{ seq: string }[]>`
        SELECT seq::text FROM chat_events WHERE scope_type = 'room' AND scope_id = ${room} AND seq > ${cursor}
        ORDER BY seq`;
      for (const { seq } of rows) {
        seen.push(seq);
        cursor = seq;
      }
    }
  })();
  await Promise.all(
    Array.from({ length: 60 }, () =>
      db.transaction().execute(async (tx) => {
        await recordChatEvent(tx, typing(room));
        // Work between the event and the commit: without the scope lock, a later seq would often commit first.
        await sql`SELECT pg_sleep(random() * 0.02)`.execute(tx);
      }),
    ),
  );
  writing = false;
  await reader;
  for (const event of await eventsAfter(db, scope, cursor)) seen.push(event.seq);
  const all = (await eventsAfter(db, scope, '0')).map((event) => event.seq);
  assert.equal(all.length, 60);
  assert.deepEqual(seen, all);
});

test('transactions writing the same two scopes in opposite orders do not deadlock (recordChatEvents)', async () => {
  const { db } = testApp.current.pool;
  const [alice, bob] = [randomUUID(), randomUUID()];
  const results = await Promise.allSettled(
    Array.from({ length: 30 }, (_, i) =>
      db
        .transaction()
        .execute((tx) =>
          recordChatEvents(
            tx,
            i % 2 === 0 ? [dmTo(alice, `${i}`), dmTo(bob, `${i}`)] : [dmTo(bob, `${i}`), dmTo(alice, `${i}`)],
          ),
        ),
    ),
  );
  assert.deepEqual(
    results.filter((result) => result.status === 'rejected'),
    [],
  );
  assert.equal((await eventsAfter(db, { kind: 'user', userId: alice }, '0')).length, 30);
});

test('a payload over 64 KiB is refused by the database, with nothing written', async () => {
  const { db } = testApp.current.pool;
  const room = randomUUID();
  const huge: ChatEvent = {
    type: 'room.updated',
    scope: { kind: 'room', roomId: room },
    payload: { room_id: room, changes: { description: Array.from({ length: 3000 }, () => randomUUID()).join('') } },
  };
  await assert.rejects(
    db.transaction().execute((tx) => recordChatEvent(tx, huge)),
    /chk_chat_events_payload_size/,
  );
  assert.deepEqual(await eventsAfter(db, { kind: 'room', roomId: room }, '0'), []);
});

test('chat.events-expire deletes events older than 7 days, and only those; a second run deletes nothing', async () => {
  const { pool, database } = testApp.current;
  const room = randomUUID();
  for (const days of [8, 7.5, 6.9, 0]) {
    await database.sql`
      INSERT INTO chat_events (scope_type, scope_id, event_type, payload, created_at)
      VALUES ('room', ${room}, 'typing', '{}'::jsonb, now() - make_interval(secs => ${days * 86400}))`;
  }
  const first = await runJob(chatEventsExpire, { db: pool.db, dataDir: tmpdir(), triggeredBy: 'manual' });
  assert.equal(first.rowsByTable.chat_events, 2);
  const left = await database.sql`SELECT count(*)::int AS n FROM chat_events WHERE scope_id = ${room}`;
  assert.equal(left[0]!.n, 2);
  const second = await runJob(chatEventsExpire, { db: pool.db, dataDir: tmpdir(), triggeredBy: 'manual' });
  assert.equal(second.rowsByTable.chat_events ?? 0, 0);
});

test('the GDPR export holds the person’s own events, not other people’s nor rooms’', async () => {
  const { pool, database } = testApp.current;
  const [me] = await database.sql<{ id: string }[]>`
    INSERT INTO users (email, username, data_processing_consent)
    VALUES (${`ev_${randomUUID()}@example.test`}, ${`ev_${randomUUID().slice(0, 8)}`}, true) RETURNING id`;
  const other = randomUUID();
  await pool.db
    .transaction()
    .execute((tx) => recordChatEvents(tx, [dmTo(me!.id, 'mine'), dmTo(other, 'theirs'), typing(randomUUID())]));
  const dataDir = await mkdtemp(join(tmpdir(), 'veza-chat-events-export-'));
  try {
    const archive = await exportUserData(pool.db, me!.id, dataDir);
    await extract({ file: archive.path, cwd: dataDir });
    const exported = JSON.parse(await readFile(join(dataDir, 'export.json'), 'utf8')) as {
      tables: Record<string, Record<string, unknown>[]>;
    };
    const events = exported.tables.chat_events ?? [];
    assert.deepEqual(
      events.map((row) => [row.scope_id, (row.payload as { message: { content: string } }).message.content]),
      [[me!.id, 'mine']],
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
