// Chat fan-out benchmark (issue 14 "Performance", ADR 0054), every part in its own process, as deployed:
// - two `veza serve` instances (children, as bench/http.ts starts them, sessions writable) on one fresh database;
// - the WebSocket clients (1,000 by default, in 50 rooms) in two client processes (bench/chat-fanout-clients.ts);
//   the members of each room alternate between the two instances, so every message crosses instances;
// - a writer process (bench/chat-fanout-writer.ts) sending each message through POST /v1/rooms/{id}/messages to
//   the two instances in turn, on an open loop at the offered rate.
// It reports latency from the start of a send to its receipt by each member and by every member of the room
// (p50/p95/p99), sustained messages/s, the broker alone measured the same way (a NOTIFY, or a NATS publish, from the
// writer process to a listener in each client process) and the ratio of the two, and the memory of the instances
// before and after their idle connections (read by bench/chat-memory-probe.ts, preloaded into them). All times are
// read from CLOCK_MONOTONIC, which the processes share (bench/chat-fanout-ipc.ts).
//
//   npm run bench:chat                                     # LISTEN/NOTIFY; 3 runs of 400 messages at 25, 50, 100/s
//   npm run bench:chat -- --nats nats://127.0.0.1:4222     # fan out through NATS (the relay, ADR 0054)
//   npm run bench:chat -- --rate 100,200,400 --runs 3 --messages 400 --clients 1000 --rooms 50 --json out.json
//   npm run bench:chat -- --cpu-prof-dir /tmp/prof      # a V8 CPU profile of each instance, written when it stops
//   npm run bench:chat -- --service-env VEZA_DB_POOL_SIZE=20   # more environment for both instances
//
// DATABASE_URL names the server (else the embedded PostgreSQL); the database (--database, veza_bench_chat) is
// created fresh, migrated, and dropped at the end. Prints Markdown tables; writes nothing but --json.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { AccessTokens } from '../src/domains/auth/index.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { ensureDatabase, openDatabaseServer, withDatabase } from '../src/platform/db/database-server.ts';
import { Migrator } from '../src/platform/db/migrations.ts';
import { projectRoot } from '../src/platform/project-root.ts';
import { monotonicMs, startWorker, type ClientSpec, type Worker } from './chat-fanout-ipc.ts';
import type { SendResult, SendTarget } from './chat-fanout-writer.ts';
import type { ProbeReading } from './chat-memory-probe.ts';
import { startService, type RunningService } from './http.ts';
import { percentile } from './measurement.ts';

const { values: args } = parseArgs({
  options: {
    database: { type: 'string', default: 'veza_bench_chat' },
    clients: { type: 'string', default: '1000' },
    rooms: { type: 'string', default: '50' },
    'client-processes': { type: 'string', default: '2' },
    messages: { type: 'string', default: '400' },
    rate: { type: 'string', default: '25,50,100' },
    runs: { type: 'string', default: '3' },
    nats: { type: 'string' },
    json: { type: 'string' },
    /** Writes a V8 CPU profile of each instance there when it stops (node --cpu-prof), to see where its time goes. */
    'cpu-prof-dir': { type: 'string' },
    /** Extra environment of both instances, NAME=value, repeatable (VEZA_DB_POOL_SIZE=20, say). */
    'service-env': { type: 'string', multiple: true, default: [] },
  },
});
const positive = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
  return value;
};
if (!/^[a-z_][a-z0-9_]*$/.test(args.database)) throw new Error('--database is a database name, e.g. veza_bench_chat');
const CLIENTS = positive('clients', args.clients);
const ROOMS = positive('rooms', args.rooms);
const CLIENT_PROCESSES = positive('client-processes', args['client-processes']);
const MESSAGES = positive('messages', args.messages);
const RATES = args.rate.split(',').map((rate) => positive('rate', rate.trim()));
const RUNS = positive('runs', args.runs);
const serviceEnv = Object.fromEntries(
  args['service-env'].map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--service-env takes NAME=value, not ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const INSTANCES = 2;
const SECRET = 'bench-secret-of-the-chat-fan-out-benchmark-only';
const BROKER = args.nats ? 'NATS' : 'LISTEN/NOTIFY';
/** After the last answer to a send, how long deliveries may take before the missing ones count as lost. */
const DRAIN_TIMEOUT_MS = 30_000;
const CONNECT_CONCURRENCY = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const grouped = (value: number) => Math.round(value).toLocaleString('en-US');
const load = () => loadavg()[0]!;

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}
function percentilesOf(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
}
const median = (values: readonly number[]) => percentile(Float64Array.from(values).sort(), 0.5);
const medianOf = (rows: readonly Percentiles[]): Percentiles => ({
  p50: median(rows.map((row) => row.p50)),
  p95: median(rows.map((row) => row.p95)),
  p99: median(rows.map((row) => row.p99)),
});
const ms = (p: Percentiles) => `${fixed(p.p50, 2)} | ${fixed(p.p95, 2)} | ${fixed(p.p99, 2)}`;

// --- The cast: who is in which room, on which instance, in which client process. ---

interface Member {
  userIndex: number;
  room: number;
  instance: number;
  process: number;
}
/** Client i is member k = floor(i / ROOMS) of room i % ROOMS; members alternate instances, pairs of them processes. */
const members: Member[] = Array.from({ length: CLIENTS }, (_, i) => {
  const k = Math.floor(i / ROOMS);
  return { userIndex: i, room: i % ROOMS, instance: k % INSTANCES, process: Math.floor(k / 2) % CLIENT_PROCESSES };
});
const membersOfRoom = Array.from({ length: ROOMS }, (_, r) => members.filter((member) => member.room === r).length);

interface Instance {
  service: RunningService;
  probeFile: string;
}

async function probe(instance: Instance): Promise<ProbeReading> {
  await rm(instance.probeFile, { force: true });
  process.kill(instance.service.pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const text = await readFile(instance.probeFile, 'utf8').catch(() => '');
    if (text) return JSON.parse(text) as ProbeReading;
    await sleep(20);
  }
  throw new Error(`instance ${instance.service.baseUrl} did not answer the memory probe`);
}

/** Clock ticks per second of /proc's CPU times (USER_HZ). */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU time (user + system, every thread) the process has used, ms, read from /proc rather than asked of the
 * process, so that reading it costs the instance nothing (the memory probe collects garbage).
 */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** The writer and client processes read the coordinator's clock: a time read in each must fall inside the call. */
async function checkSharedClock(workers: Worker[]): Promise<void> {
  for (const worker of workers) {
    const before = monotonicMs();
    const theirs = await worker.call<number>('clock');
    const after = monotonicMs();
    if (theirs < before || theirs > after)
      throw new Error(`process ${worker.pid} reads another clock (${theirs} outside ${before}..${after})`);
  }
}

// --- Fixture ---

async function createFixture(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: users } = await client.query<{ id: string }>(
      `INSERT INTO users (email, username, data_processing_consent)
       SELECT 'fanout_' || i || '@example.test', 'fanout_' || i, true FROM generate_series(0, $1 - 1) AS i
       ORDER BY i RETURNING id`,
      [CLIENTS],
    );
    const { rows: rooms } = await client.query<{ id: string }>(
      `INSERT INTO rooms (name, room_type, is_private, creator_id)
       SELECT 'fanout ' || r, 'private', true, (($2::uuid[])[r + 1]) FROM generate_series(0, $1 - 1) AS r
       ORDER BY r RETURNING id`,
      [ROOMS, users.map((user) => user.id)],
    );
    // The room's first member (its creator) owns it and sends its messages.
    await client.query(
      `INSERT INTO room_members (room_id, user_id, role)
       SELECT ($1::uuid[])[m.room + 1], ($2::uuid[])[m.i + 1], CASE WHEN m.i < $3 THEN 'owner' ELSE 'member' END
       FROM (SELECT i, i % $3 AS room FROM generate_series(0, $4 - 1) AS i) AS m`,
      [rooms.map((room) => room.id), users.map((user) => user.id), ROOMS, CLIENTS],
    );
    return { userIds: users.map((user) => user.id), roomIds: rooms.map((room) => room.id) };
  } finally {
    await client.end();
  }
}

// --- Rounds ---

interface FanOutRound {
  rate: number;
  run: number;
  load: number;
  messages: number;
  delivered: number;
  expected: number;
  /** Send start → receipt, each delivery. */
  perDelivery: Percentiles;
  /** Send start → receipt by the last member, each message every member received. */
  everyMember: Percentiles;
  /** Send start → HTTP 201. */
  answered: Percentiles;
  /**
   * HTTP 201 → receipt, each delivery (negative: the event arrived before the answer). The answer leaves after
   * the commit, so this is about the fan-out leg alone: the broker, the instance's read of the event and its send.
   */
  afterAnswer: Percentiles;
  statuses: Record<string, number>;
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  /** CPU of both instances per message sent, ms. */
  instanceCpuMsPerMessage: number;
  lateMs: number;
}

interface BrokerRound {
  broker: 'NOTIFY' | 'NATS';
  rate: number;
  run: number;
  load: number;
  delivered: number;
  expected: number;
  perDelivery: Percentiles;
}

let nextNumber = 0;

/** Collects receipts from the client processes until `expected` arrived or nothing came for DRAIN_TIMEOUT_MS. */
async function collect(
  clientProcesses: Worker[],
  method: 'receipts' | 'brokerReceipts',
  expected: number,
): Promise<number[]> {
  const all: number[] = [];
  let lastProgress = monotonicMs();
  while (all.length / 2 < expected && monotonicMs() - lastProgress < DRAIN_TIMEOUT_MS) {
    await sleep(100);
    for (const worker of clientProcesses) {
      const answer = await worker.call<{ receipts: number[] } | number[]>(method);
      const pairs = Array.isArray(answer) ? answer : answer.receipts;
      if (pairs.length > 0) lastProgress = monotonicMs();
      for (const value of pairs) all.push(value);
    }
  }
  return all;
}

async function fanOutRound(
  rate: number,
  run: number,
  context: { instances: Instance[]; writer: Worker; clientProcesses: Worker[]; targetsFor: (m: number) => SendTarget },
  count = MESSAGES,
): Promise<FanOutRound> {
  const first = nextNumber;
  nextNumber += count;
  const targets = Array.from({ length: count }, (_, m) => context.targetsFor(m));
  const expectedOf = (m: number) => membersOfRoom[m % ROOMS]!;
  const expected = targets.reduce((sum, _, m) => sum + expectedOf(m), 0);
  const startLoad = load();
  const cpuBefore = await Promise.all(context.instances.map((instance) => cpuMs(instance.service.pid)));
  const sent = await context.writer.call<SendResult>('send', { targets, first, rate });
  const pairs = await collect(context.clientProcesses, 'receipts', expected);
  const cpuAfter = await Promise.all(context.instances.map((instance) => cpuMs(instance.service.pid)));

  const receivedAt = Array.from({ length: count }, () => [] as number[]);
  for (let i = 0; i < pairs.length; i += 2) {
    const m = pairs[i]! - first;
    if (m >= 0 && m < count) receivedAt[m]!.push(pairs[i + 1]!);
  }
  const perDelivery: number[] = [];
  const everyMember: number[] = [];
  const answered: number[] = [];
  const afterAnswer: number[] = [];
  let lastReceipt = -Infinity;
  for (let m = 0; m < count; m += 1) {
    const at = sent.sentAt[m]!;
    // NaN, which arrives as null over IPC: the send failed.
    const answeredAt = sent.answeredAt[m] ?? Number.NaN;
    if (Number.isFinite(answeredAt)) answered.push(answeredAt - at);
    for (const receipt of receivedAt[m]!) {
      perDelivery.push(receipt - at);
      if (Number.isFinite(answeredAt)) afterAnswer.push(receipt - answeredAt);
      lastReceipt = Math.max(lastReceipt, receipt);
    }
    if (receivedAt[m]!.length === expectedOf(m)) everyMember.push(Math.max(...receivedAt[m]!) - at);
  }
  const seconds = (lastReceipt - Math.min(...sent.sentAt)) / 1000;
  const cpu = cpuAfter.reduce((sum, after, i) => sum + after - cpuBefore[i]!, 0);
  return {
    rate,
    run,
    load: startLoad,
    messages: count,
    delivered: perDelivery.length,
    expected,
    perDelivery: percentilesOf(perDelivery),
    everyMember: percentilesOf(everyMember),
    answered: percentilesOf(answered),
    afterAnswer: percentilesOf(afterAnswer),
    statuses: sent.statuses,
    messagesPerSecond: everyMember.length / seconds,
    deliveriesPerSecond: perDelivery.length / seconds,
    instanceCpuMsPerMessage: cpu / count,
    lateMs: sent.lateMs,
  };
}

async function brokerRound(
  broker: 'NOTIFY' | 'NATS',
  rate: number,
  run: number,
  context: { url: string; writer: Worker; clientProcesses: Worker[] },
): Promise<BrokerRound> {
  const first = nextNumber;
  nextNumber += MESSAGES;
  const channel = 'veza_bench_fanout';
  const subject = 'veza.bench.fanout';
  const listen = broker === 'NOTIFY' ? { databaseUrl: context.url, channel } : { natsUrl: args.nats, subject };
  await Promise.all(context.clientProcesses.map((worker) => worker.call('listen', listen)));
  const startLoad = load();
  const common = { first, count: MESSAGES, rate };
  const { sentAt } =
    broker === 'NOTIFY'
      ? await context.writer.call<{ sentAt: number[] }>('notify', { ...common, databaseUrl: context.url, channel })
      : await context.writer.call<{ sentAt: number[] }>('publish', { ...common, natsUrl: args.nats, subject });
  const expected = MESSAGES * context.clientProcesses.length;
  const pairs = await collect(context.clientProcesses, 'brokerReceipts', expected);
  await Promise.all(context.clientProcesses.map((worker) => worker.call('unlisten')));
  const latencies: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const m = pairs[i]! - first;
    if (m >= 0 && m < MESSAGES) latencies.push(pairs[i + 1]! - sentAt[m]!);
  }
  return {
    broker,
    rate,
    run,
    load: startLoad,
    delivered: latencies.length,
    expected,
    perDelivery: percentilesOf(latencies),
  };
}

// --- Report ---

interface MemoryStep {
  connections: number[];
  readings: ProbeReading[];
}

function memoryReport(steps: MemoryStep[]): string[] {
  const mib = (bytes: number) => fixed(bytes / 1024 / 1024, 1);
  const kib = (bytes: number) => fixed(bytes / 1024, 1);
  const lines = [
    '| instance | idle connections | RSS MiB | heap used MiB | external + buffers MiB |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (let i = 0; i < INSTANCES; i += 1) {
    for (const step of steps) {
      const memory = step.readings[i]!.memory;
      lines.push(
        `| ${i + 1} | ${step.connections[i]} | ${mib(memory.rss)} | ${mib(memory.heapUsed)} | ${mib(memory.external + memory.arrayBuffers)} |`,
      );
    }
  }
  lines.push('', '| per idle connection | RSS KiB | heap used KiB |', '| --- | ---: | ---: |');
  const perConnection = (from: MemoryStep, to: MemoryStep, what: (m: NodeJS.MemoryUsage) => number) =>
    median(
      Array.from(
        { length: INSTANCES },
        (_, i) =>
          (what(to.readings[i]!.memory) - what(from.readings[i]!.memory)) / (to.connections[i]! - from.connections[i]!),
      ),
    );
  const first = steps[0]!;
  const last = steps.at(-1)!;
  const label = (step: MemoryStep) => `${step.connections[0]}`;
  lines.push(
    `| ${label(first)} → ${label(last)} per instance (median of the ${INSTANCES}) | ` +
      `${kib(perConnection(first, last, (m) => m.rss))} | ${kib(perConnection(first, last, (m) => m.heapUsed))} |`,
  );
  if (steps.length > 2) {
    const middle = steps.at(-2)!;
    lines.push(
      `| ${label(middle)} → ${label(last)}, the marginal cost | ` +
        `${kib(perConnection(middle, last, (m) => m.rss))} | ${kib(perConnection(middle, last, (m) => m.heapUsed))} |`,
    );
  }
  return lines;
}

function fanOutReport(rounds: FanOutRound[], brokers: BrokerRound[]): string[] {
  const lines = [
    `Fan-out (${BROKER}), each row a run; latencies in ms from the start of the POST:`,
    '',
    '| offered msg/s | run | load | delivered | each delivery p50 / p95 / p99 | every member p50 / p95 / p99 | ' +
      'HTTP 201 p50 / p95 / p99 | 201 → receipt p50 / p95 / p99 | sustained msg/s | deliveries/s | ' +
      'instance CPU ms/msg |',
    '| ---: | ---: | ---: | ---: | --- | --- | --- | --- | ---: | ---: | ---: |',
  ];
  const row = (p: Percentiles) => ms(p).replaceAll(' | ', ' / ');
  for (const round of rounds) {
    const failed = Object.entries(round.statuses).filter(([status]) => status !== '201');
    lines.push(
      `| ${round.rate} | ${round.run} | ${fixed(round.load)} | ${grouped(round.delivered)}/${grouped(round.expected)}` +
        `${failed.length > 0 ? ` (${failed.map(([status, count]) => `${count}× ${status}`).join(', ')})` : ''} | ` +
        `${row(round.perDelivery)} | ${row(round.everyMember)} | ${row(round.answered)} | ${row(round.afterAnswer)} | ` +
        `${grouped(round.messagesPerSecond)} | ${grouped(round.deliveriesPerSecond)} | ` +
        `${fixed(round.instanceCpuMsPerMessage, 2)} |`,
    );
  }
  lines.push(
    '',
    `Broker alone (the writer process → a listener in each client process, same rate and clock), and the ratio ` +
      `of the fan-out (each delivery) to it, medians of the runs:`,
    '',
    '| offered msg/s | path | delivered | p50 | p95 | p99 |',
    '| ---: | --- | ---: | ---: | ---: | ---: |',
  );
  for (const rate of RATES) {
    const fanOut = rounds.filter((round) => round.rate === rate);
    const fanOutMedian = medianOf(fanOut.map((round) => round.perDelivery));
    const delivered = (rows: { delivered: number; expected: number }[]) =>
      `${grouped(rows.reduce((sum, r) => sum + r.delivered, 0))}/${grouped(rows.reduce((sum, r) => sum + r.expected, 0))}`;
    lines.push(`| ${rate} | fan-out through ${BROKER} (each delivery) | ${delivered(fanOut)} | ${ms(fanOutMedian)} |`);
    lines.push(
      `| ${rate} | fan-out, every member of the room | | ${ms(medianOf(fanOut.map((round) => round.everyMember)))} |`,
    );
    for (const broker of ['NOTIFY', 'NATS'] as const) {
      const alone = brokers.filter((round) => round.rate === rate && round.broker === broker);
      if (alone.length === 0) continue;
      const aloneMedian = medianOf(alone.map((round) => round.perDelivery));
      lines.push(`| ${rate} | ${broker} alone | ${delivered(alone)} | ${ms(aloneMedian)} |`);
      lines.push(
        `| ${rate} | ratio fan-out ÷ ${broker} alone | | ${fixed(fanOutMedian.p50 / aloneMedian.p50)} | ` +
          `${fixed(fanOutMedian.p95 / aloneMedian.p95)} | ${fixed(fanOutMedian.p99 / aloneMedian.p99)} |`,
      );
    }
  }
  return lines;
}

/** The errors an instance logged (pino JSON lines at level error or above), counted by message. */
async function loggedErrors(instance: Instance): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const text = await readFile(instance.service.logFile, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: number; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if ((entry.level ?? 0) < 50) continue;
    const key = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message.slice(0, 160)}` : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

// --- Main ---

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg();
  const config = loadConfig();
  const server = await openDatabaseServer(config);
  const adminUrl = withDatabase(server.url, 'postgres');
  const dropDatabase = async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(args.database)} WITH (FORCE)`);
    await admin.end();
  };
  const probeDir = await mkdtemp(join(tmpdir(), 'veza-bench-chat-'));
  const instances: Instance[] = [];
  const workers: Worker[] = [];
  try {
    await dropDatabase();
    const url = await ensureDatabase(adminUrl, args.database);
    await new Migrator(url).migrate();
    const { userIds, roomIds } = await createFixture(url);
    const tokens = new AccessTokens(SECRET, 6 * 3600);
    const tokenOf = await Promise.all(
      userIds.map(async (userId) => (await tokens.issue({ userId, tokenVersion: 0, role: 'user' })).token),
    );

    for (let i = 0; i < INSTANCES; i += 1) {
      const probeFile = join(probeDir, `instance-${i}.json`);
      const env: Record<string, string> = {
        NODE_OPTIONS:
          `--expose-gc --import=${join(projectRoot, 'bench', 'chat-memory-probe.ts')}` +
          (args['cpu-prof-dir'] ? ` --cpu-prof --cpu-prof-dir=${resolve(args['cpu-prof-dir'])}` : ''),
        VEZA_BENCH_PROBE: probeFile,
        ...(args.nats ? { VEZA_NATS_URL: args.nats } : {}),
        ...serviceEnv,
      };
      instances.push({ service: await startService(url, SECRET, env, { writable: true }), probeFile });
    }
    const writer = startWorker(join(projectRoot, 'bench', 'chat-fanout-writer.ts'));
    workers.push(writer);
    const clientProcesses = Array.from({ length: CLIENT_PROCESSES }, () =>
      startWorker(join(projectRoot, 'bench', 'chat-fanout-clients.ts')),
    );
    workers.push(...clientProcesses);
    await checkSharedClock(workers);

    // Memory: before any client, then after each client process has connected its share.
    const socketUrls = instances.map((instance) => `${instance.service.baseUrl.replace('http', 'ws')}/v1/chat/socket`);
    const connected = Array.from({ length: INSTANCES }, () => 0);
    const memory: MemoryStep[] = [{ connections: [...connected], readings: await Promise.all(instances.map(probe)) }];
    for (const [p, worker] of clientProcesses.entries()) {
      const mine = members.filter((member) => member.process === p);
      const clients: ClientSpec[] = mine.map((member) => ({
        socketUrl: socketUrls[member.instance]!,
        token: tokenOf[member.userIndex]!,
        roomId: roomIds[member.room]!,
      }));
      const { ms: took } = await worker.call<{ ms: number }>('connect', {
        clients,
        concurrency: CONNECT_CONCURRENCY,
      });
      console.error(
        `chat-fanout: client process ${p + 1}: ${clients.length} clients signed in in ${fixed(took / 1000)} s`,
      );
      for (const member of mine) connected[member.instance]! += 1;
      // Let the connections' first timers and buffers settle before reading.
      await sleep(1_000);
      memory.push({ connections: [...connected], readings: await Promise.all(instances.map(probe)) });
    }

    // Message m goes to room m % ROOMS, sent by its owner, to the instances in turn, round after round of rooms.
    const targetsFor = (m: number): SendTarget => ({
      baseUrl: instances[Math.floor(m / ROOMS) % INSTANCES]!.service.baseUrl,
      roomId: roomIds[m % ROOMS]!,
      authorization: `Bearer ${tokenOf[m % ROOMS]!}`,
    });
    const rounds: FanOutRound[] = [];
    const brokers: BrokerRound[] = [];
    const context = { instances, writer, clientProcesses, targetsFor, url };
    // Warm-up, not reported: a message to every room through each instance (pool connections, prepared
    // statements, JIT).
    await fanOutRound(RATES[0]!, 0, context, ROOMS * INSTANCES);
    for (const rate of RATES) {
      for (let run = 1; run <= RUNS; run += 1) {
        const round = await fanOutRound(rate, run, context);
        rounds.push(round);
        console.error(
          `chat-fanout ${BROKER} @${rate}/s run ${run}: ${round.delivered}/${round.expected} delivered, ` +
            `each ${ms(round.perDelivery)} ms, every member ${ms(round.everyMember)} ms, ` +
            `201 ${ms(round.answered)} ms, 201 → receipt ${ms(round.afterAnswer)} ms, ` +
            `${fixed(round.messagesPerSecond)} msg/s, load ${fixed(round.load)}`,
        );
        for (const broker of args.nats ? (['NOTIFY', 'NATS'] as const) : (['NOTIFY'] as const)) {
          const alone = await brokerRound(broker, rate, run, context);
          brokers.push(alone);
          console.error(`  ${broker} alone: ${alone.delivered}/${alone.expected}, ${ms(alone.perDelivery)} ms`);
        }
      }
    }
    const problems = await Promise.all(
      clientProcesses.map((worker) =>
        worker.call<{ problems: { errorFrames: number; unexpectedCloses: number; closeCodes: object } }>('receipts'),
      ),
    );

    const errors = await Promise.all(instances.map(loggedErrors));

    const loadAtEnd = loadavg();
    const lines = [
      `${CLIENTS} WebSocket clients in ${CLIENT_PROCESSES} processes, ${INSTANCES} \`veza serve\` instances, ` +
        `${ROOMS} rooms of ${membersOfRoom[0]} (members alternating instances), ${BROKER}` +
        `${args['service-env'].length > 0 ? ` (${args['service-env'].join(' ')})` : ''}; ${MESSAGES} messages per ` +
        `run through POST /v1/rooms/{id}/messages; ${cpus().length} cores; load average ` +
        `${loadAtStart.map((value) => fixed(value, 2)).join(' ')} at start, ` +
        `${loadAtEnd.map((value) => fixed(value, 2)).join(' ')} at end (${startedAt}).`,
      '',
      ...fanOutReport(rounds, brokers),
      '',
      'Memory of the instances (after two garbage collections), idle clients authenticated and following one room:',
      '',
      ...memoryReport(memory),
      '',
      `Client-side problems: ${JSON.stringify(problems.map((answer) => answer.problems))}`,
      `Errors the instances logged: ${JSON.stringify(errors)}`,
    ];
    console.log(lines.join('\n'));
    if (args.json) {
      await writeFile(
        args.json,
        `${JSON.stringify({ startedAt, broker: BROKER, loadAtStart, loadAtEnd, rounds, brokers, memory, errors }, null, 2)}\n`,
      );
    }
  } finally {
    for (const worker of workers) await worker.stop();
    for (const instance of instances) await instance.service.stop();
    await dropDatabase().catch((error: unknown) => console.error(`chat-fanout: could not drop the database: ${error}`));
    await rm(probeDir, { recursive: true, force: true });
    await server.stop();
  }
}

await main();
