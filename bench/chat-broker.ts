// The measurements behind ADR 0054 (chat fan-out broker): PostgreSQL NOTIFY's payload limit and single-channel
// throughput, the full outbox write (recordChatEvent: advisory lock, insert, notify) and NATS publish-to-receive,
// each as events/s and latency percentiles from commit (or publish) to receipt by a listener.
//
//   node bench/chat-broker.ts --database postgres://postgres@127.0.0.1:5432/veza_bench_chat [--nats nats://127.0.0.1:4222]
//
// The database must be migrated (0035); the script creates a room-less scope of its own and deletes its events.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { connect, StringCodec } from 'nats';
import pg from 'pg';
import { recordChatEvent } from '../src/domains/chat/chat.events.ts';
import { openPool } from '../src/platform/db/pool.ts';

const { values: args } = parseArgs({
  options: {
    database: { type: 'string' },
    nats: { type: 'string', default: 'nats://127.0.0.1:4222' },
    events: { type: 'string', default: '5000' },
    writers: { type: 'string', default: '8' },
  },
});
if (!args.database) throw new Error('--database <url> is required');
const total = Number(args.events);
const writers = Number(args.writers);

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { p50: at(50).toFixed(2), p95: at(95).toFixed(2), p99: at(99).toFixed(2) };
}

/** Runs `count` jobs with `concurrency` at a time. */
async function inParallel(count: number, concurrency: number, job: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

async function notifyLimit(): Promise<string> {
  const client = new pg.Client({ connectionString: args.database });
  await client.connect();
  try {
    await client.query(`SELECT pg_notify('veza_bench', repeat('x', 7999))`);
    try {
      await client.query(`SELECT pg_notify('veza_bench', repeat('x', 8000))`);
      return 'no limit at 8000 bytes';
    } catch (error) {
      return `7999 bytes accepted; 8000 bytes: ${(error as Error).message}`;
    }
  } finally {
    await client.end();
  }
}

/** NOTIFY alone: `total` transactions of one notify each, from `writers` connections, to one listener. */
async function notifyThroughput() {
  const listener = new pg.Client({ connectionString: args.database });
  await listener.connect();
  await listener.query('LISTEN veza_bench_tp');
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const done = new Promise<void>((resolve) =>
    listener.on('notification', (message) => {
      const at = sent.get(message.payload!);
      if (at !== undefined) latencies.push(performance.now() - at);
      if (latencies.length === total) resolve();
    }),
  );
  const pool = new pg.Pool({ connectionString: args.database, max: writers });
  const start = performance.now();
  await inParallel(total, writers, async (i) => {
    sent.set(String(i), performance.now());
    await pool.query(`SELECT pg_notify('veza_bench_tp', $1)`, [String(i)]);
  });
  await done;
  const seconds = (performance.now() - start) / 1000;
  await pool.end();
  await listener.end();
  return { perSecond: Math.round(total / seconds), ...percentiles(latencies) };
}

/** The outbox write of the gateway: recordChatEvent in its own transaction, one scope per writer or one for all. */
async function outboxThroughput(scopes: number) {
  const pool = openPool(args.database!, {
    poolSize: writers,
    connectTimeoutMs: 10_000,
    statementTimeoutMs: 30_000,
    lockTimeoutMs: 30_000,
    prepareStatements: true,
  });
  const listener = new pg.Client({ connectionString: args.database });
  await listener.connect();
  await listener.query('LISTEN veza_chat');
  const rooms = Array.from({ length: scopes }, () => randomUUID());
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  const done = new Promise<void>((resolve) =>
    listener.on('notification', (message) => {
      const seq = message.payload!.split(' ')[0]!;
      const at = sent.get(seq);
      if (at !== undefined) latencies.push(performance.now() - at);
      received += 1;
      if (received === total) resolve();
    }),
  );
  const start = performance.now();
  await inParallel(total, writers, async (i) => {
    const roomId = rooms[i % scopes]!;
    let committedAt = 0;
    const { seq } = await pool.db.transaction().execute(async (tx) => {
      const result = await recordChatEvent(tx, {
        type: 'typing',
        scope: { kind: 'room', roomId },
        payload: { room_id: roomId, user_id: roomId, until: new Date().toISOString() },
      });
      committedAt = performance.now();
      return result;
    });
    sent.set(seq, committedAt);
  });
  await done;
  const seconds = (performance.now() - start) / 1000;
  await pool.db.deleteFrom('chat_events').where('scope_id', 'in', rooms).execute();
  await listener.end();
  await pool.close();
  return { perSecond: Math.round(total / seconds), ...percentiles(latencies) };
}

/** NATS core publish to one subscriber on a per-room subject. */
async function natsThroughput() {
  const codec = StringCodec();
  const publisher = await connect({ servers: args.nats });
  const subscriber = await connect({ servers: args.nats });
  const subject = `veza.bench.room.${randomUUID()}`;
  const latencies: number[] = [];
  const done = new Promise<void>((resolve) => {
    subscriber.subscribe(subject, {
      callback: (_error, message) => {
        latencies.push(performance.now() - Number(codec.decode(message.data)));
        if (latencies.length === total) resolve();
      },
    });
  });
  await subscriber.flush();
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    publisher.publish(subject, codec.encode(String(performance.now())));
    if (i % 100 === 99) await publisher.flush();
  }
  await publisher.flush();
  await done;
  const seconds = (performance.now() - start) / 1000;
  await publisher.close();
  await subscriber.close();
  return { perSecond: Math.round(total / seconds), ...percentiles(latencies) };
}

console.log(`NOTIFY payload: ${await notifyLimit()}`);
console.log(`events per run: ${total}, writers: ${writers}; latencies in ms (commit or publish → receipt)`);
console.table({
  'NOTIFY alone (one channel)': await notifyThroughput(),
  'recordChatEvent, one room': await outboxThroughput(1),
  [`recordChatEvent, ${writers * 4} rooms`]: await outboxThroughput(writers * 4),
  'NATS publish → subscriber': await natsThroughput(),
});
