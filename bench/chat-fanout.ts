// Chat fan-out benchmark (issue 14 "Performance", ADR 0054): WebSocket clients spread over two app instances on one
// database, in rooms; messages recorded through the outbox (recordChatEvent, as the write path does) from either
// instance; latency from commit to receipt by every member (p50/p95/p99), sustained messages/s, the broker's own
// commit-to-receipt latency beside it (NOTIFY alone), and memory per idle connection.
//
//   node bench/chat-fanout.ts --database postgres://postgres@127.0.0.1:5432/<migrated db> [--clients 1000 --rooms 50]
//   add --nats nats://127.0.0.1:4222 to fan out through NATS instead of LISTEN/NOTIFY
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import WebSocket from 'ws';
import { buildApp } from '../src/app/build-app.ts';
import { AccessTokens, createAuthenticator } from '../src/domains/auth/index.ts';
import { recordChatEvent } from '../src/domains/chat/chat.events.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { loadConstraintColumns } from '../src/platform/db/constraint-columns.ts';
import { listMigrationFiles } from '../src/platform/db/migrations.ts';
import { openPool, type Pool } from '../src/platform/db/pool.ts';

const { values: args } = parseArgs({
  options: {
    database: { type: 'string' },
    clients: { type: 'string', default: '1000' },
    rooms: { type: 'string', default: '50' },
    messages: { type: 'string', default: '400' },
    rate: { type: 'string', default: '100' },
    nats: { type: 'string' },
  },
});
if (!args.database) throw new Error('--database <url of a migrated database> is required');
const CLIENTS = Number(args.clients);
const ROOMS = Number(args.rooms);
const MESSAGES = Number(args.messages);
const RATE = Number(args.rate);
const SECRET = 'bench-secret-of-the-chat-fan-out-benchmark-only';

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50).toFixed(2), p95: at(95).toFixed(2), p99: at(99).toFixed(2) };
}

async function instance(accessTokens: AccessTokens) {
  const pool: Pool = openPool(args.database!, {
    poolSize: 10,
    connectTimeoutMs: 10_000,
    statementTimeoutMs: 30_000,
    lockTimeoutMs: 10_000,
    prepareStatements: true,
  });
  const app = await buildApp({
    pool,
    config: loadConfig({
      DATABASE_URL: args.database,
      VEZA_JWT_SECRET: SECRET,
      VEZA_LOG_LEVEL: 'silent',
      VEZA_JOBS_ENABLED: 'false',
      VEZA_DATA_DIR: tmpdir(),
      VEZA_RATE_LIMIT_PER_MINUTE: '0',
      ...(args.nats ? { VEZA_NATS_URL: args.nats } : {}),
    }),
    accessTokens,
    authenticate: createAuthenticator(accessTokens, pool.db),
    latestMigrationVersion: listMigrationFiles().at(-1)?.version ?? 0,
    constraintColumns: await loadConstraintColumns(pool.db),
    logLevel: 'silent',
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, pool, url: `${address.replace('http', 'ws')}/v1/chat/socket` };
}

const accessTokens = new AccessTokens(SECRET, 3600);
const instances = [await instance(accessTokens), await instance(accessTokens)];
const db = instances[0]!.pool.db;
const tag = randomUUID().slice(0, 8);

// Fixture: users, rooms, memberships (clients spread round-robin over rooms and instances).
const { rows: users } = await instances[0]!.pool.pg.query<{ id: string }>(
  `INSERT INTO users (email, username, data_processing_consent)
   SELECT 'fanout_' || $1 || '_' || i || '@example.test', 'fanout_' || $1 || '_' || i, true
   FROM generate_series(1, $2) AS i RETURNING id`,
  [tag, CLIENTS],
);
const rooms: string[] = [];
for (let r = 0; r < ROOMS; r += 1) {
  const room = await db
    .insertInto('rooms')
    .values({
      name: `fanout ${tag} ${r}`,
      room_type: 'private',
      is_private: true,
      creator_id: users[r % users.length]!.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  rooms.push(room.id);
}
await db
  .insertInto('room_members')
  .values(users.map((user, i) => ({ room_id: rooms[i % ROOMS]!, user_id: user.id })))
  .execute();

const rss0 = process.memoryUsage().rss;
const received = new Map<string, number[]>(); // message id → receipt latencies
const sentAt = new Map<string, number>();
let receipts = 0;
const sockets: WebSocket[] = [];
await Promise.all(
  users.map(async (user, i) => {
    const { token } = await accessTokens.issue({ userId: user.id, tokenVersion: 0, role: 'user' });
    const ws = new WebSocket(instances[i % 2]!.url);
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
      ws.on('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8')) as {
          type: string;
          scope?: string;
          event?: string;
          payload?: { message?: { id: string } };
        };
        if (frame.type === 'subscribed' && frame.scope === 'personal')
          ws.send(JSON.stringify({ type: 'subscribe', room_id: rooms[i % ROOMS] }));
        else if (frame.type === 'subscribed') resolve();
        else if (frame.type === 'event' && frame.event === 'message.created') {
          const id = frame.payload!.message!.id;
          const at = sentAt.get(id);
          if (at !== undefined) received.get(id)!.push(performance.now() - at);
          receipts += 1;
        }
      });
    });
  }),
);
const perConnection = (process.memoryUsage().rss - rss0) / CLIENTS;

// Messages at RATE/s, spread over rooms and both instances' pools.
const expected = MESSAGES * (CLIENTS / ROOMS);
const start = performance.now();
await Promise.all(
  Array.from({ length: MESSAGES }, async (_, m) => {
    await new Promise((resolve) => setTimeout(resolve, (m * 1000) / RATE));
    const roomId = rooms[m % ROOMS]!;
    const id = randomUUID();
    received.set(id, []);
    // "From a send": the write's transaction is part of the latency.
    sentAt.set(id, performance.now());
    await instances[m % 2]!.pool.db.transaction().execute((tx) =>
      recordChatEvent(tx, {
        type: 'message.created',
        scope: { kind: 'room', roomId },
        payload: {
          message: {
            id,
            room_id: roomId,
            sender_id: users[m % ROOMS]!.id,
            content: 'bench',
            message_type: 'text',
            attachment_file_id: null,
            reply_to_id: null,
            created_at: new Date().toISOString(),
          },
        },
      }),
    );
  }),
);
const deadline = performance.now() + 30_000;
while (receipts < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
const seconds = (performance.now() - start) / 1000;
const latencies = [...received.values()].flat();

// The broker alone: NOTIFY from one connection to one listener, same rate.
const listener = new pg.Client({ connectionString: args.database });
await listener.connect();
await listener.query('LISTEN veza_bench_fanout');
const notifyLatencies: number[] = [];
const notifier = new pg.Client({ connectionString: args.database });
await notifier.connect();
listener.on('notification', (message) => notifyLatencies.push(performance.now() - Number(message.payload)));
for (let m = 0; m < Math.min(MESSAGES, 400); m += 1) {
  await notifier.query(`SELECT pg_notify('veza_bench_fanout', $1)`, [String(performance.now())]);
}
while (notifyLatencies.length < Math.min(MESSAGES, 400)) await new Promise((resolve) => setTimeout(resolve, 20));

const fanout = percentiles(latencies);
const broker = percentiles(notifyLatencies);
console.log(
  `${CLIENTS} clients on 2 instances in ${ROOMS} rooms (${args.nats ? 'NATS' : 'LISTEN/NOTIFY'}); ${MESSAGES} messages offered at ${RATE}/s`,
);
console.table({
  'send → every member (ms)': { ...fanout, receipts: `${latencies.length}/${expected}` },
  'NOTIFY alone (ms)': { ...broker, receipts: notifyLatencies.length },
  ratio: {
    p50: (Number(fanout.p50) / Number(broker.p50)).toFixed(1),
    p95: (Number(fanout.p95) / Number(broker.p95)).toFixed(1),
    p99: (Number(fanout.p99) / Number(broker.p99)).toFixed(1),
    receipts: '',
  },
});
console.log(
  `sustained: ${(MESSAGES / seconds).toFixed(0)} messages/s, ${(receipts / seconds).toFixed(0)} deliveries/s`,
);
console.log(`memory per idle connection (both instances in this process): ${(perConnection / 1024).toFixed(1)} KiB`);

for (const ws of sockets) ws.close();
await listener.end();
await notifier.end();
await db.deleteFrom('rooms').where('id', 'in', rooms).execute();
await instances[0]!.pool.pg.query(`DELETE FROM users WHERE username LIKE $1`, [`fanout\\_${tag}\\_%`]);
for (const { app, pool } of instances) {
  await app.close();
  await pool.close();
}
