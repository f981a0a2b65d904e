// A client process of the chat fan-out benchmark (bench/chat-fanout.ts starts it; it does not run on its own): many
// WebSocket clients of the gateway, each signed in and following one room, recording when each benchmark message
// arrives; and, for the broker-alone measurement, one LISTEN connection or NATS subscription recording the same.
// It only records (monotonic time, message number); the coordinator computes the latencies.
import { connect as connectNats, type NatsConnection } from 'nats';
import pg from 'pg';
import WebSocket from 'ws';
import { CONTENT_PREFIX, monotonicMs, serveRequests, type ClientSpec } from './chat-fanout-ipc.ts';

interface EventFrame {
  type: string;
  scope?: string;
  event?: string;
  code?: string;
  payload?: { message?: { content?: string | null } };
}

const sockets: WebSocket[] = [];
/** Pairs of (message number, receipt time) since the last `receipts` call, flat. */
let receipts: number[] = [];
let brokerReceipts: number[] = [];
const problems = { errorFrames: 0, unexpectedCloses: 0, closeCodes: {} as Record<string, number> };
let closing = false;
let listener: pg.Client | undefined;
let nats: NatsConnection | undefined;

function numberOf(content: string | null | undefined): number | undefined {
  if (!content?.startsWith(CONTENT_PREFIX)) return undefined;
  return Number(content.slice(CONTENT_PREFIX.length));
}

/** Opens one client: connect, auth, follow its room; resolves once the room subscription is confirmed. */
function open(spec: ClientSpec): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(spec.socketUrl);
    sockets.push(ws);
    let ready = false;
    ws.on('error', (error) => {
      if (!ready) reject(error);
    });
    ws.on('close', (code) => {
      if (!ready) reject(new Error(`closed ${code} before subscribing`));
      if (closing) return;
      problems.unexpectedCloses += 1;
      problems.closeCodes[code] = (problems.closeCodes[code] ?? 0) + 1;
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: spec.token })));
    ws.on('message', (data) => {
      const receivedAt = monotonicMs();
      const frame = JSON.parse((data as Buffer).toString('utf8')) as EventFrame;
      if (frame.type === 'event' && frame.event === 'message.created') {
        const number = numberOf(frame.payload?.message?.content);
        if (number !== undefined) receipts.push(number, receivedAt);
      } else if (frame.type === 'subscribed' && frame.scope === 'personal') {
        ws.send(JSON.stringify({ type: 'subscribe', room_id: spec.roomId }));
      } else if (frame.type === 'subscribed' && !ready) {
        ready = true;
        resolve();
      } else if (frame.type === 'error') {
        problems.errorFrames += 1;
        if (!ready) reject(new Error(`error frame ${frame.code ?? ''} before subscribing`));
      }
    });
  });
}

serveRequests({
  /** Opens the clients, `concurrency` handshakes at a time (a thousand at once would time out the auth step). */
  async connect(params: { clients: ClientSpec[]; concurrency: number }) {
    const started = monotonicMs();
    let next = 0;
    await Promise.all(
      Array.from({ length: params.concurrency }, async () => {
        while (next < params.clients.length) await open(params.clients[next++]!);
      }),
    );
    return { connected: params.clients.length, ms: monotonicMs() - started };
  },

  receipts() {
    const taken = receipts;
    receipts = [];
    return { receipts: taken, problems };
  },

  /** The broker alone: a LISTEN connection on `channel`, or a subscription to `subject` on NATS. */
  async listen(params: { databaseUrl?: string; channel?: string; natsUrl?: string; subject?: string }) {
    if (params.databaseUrl && params.channel) {
      listener = new pg.Client({ connectionString: params.databaseUrl });
      await listener.connect();
      listener.on('notification', (message) => brokerReceipts.push(Number(message.payload), monotonicMs()));
      await listener.query(`LISTEN ${pg.escapeIdentifier(params.channel)}`);
    }
    if (params.natsUrl && params.subject) {
      nats = await connectNats({ servers: params.natsUrl });
      nats.subscribe(params.subject, {
        callback: (_error, message) => brokerReceipts.push(Number(message.string()), monotonicMs()),
      });
      await nats.flush();
    }
  },

  async unlisten() {
    await listener?.end();
    await nats?.close();
    listener = undefined;
    nats = undefined;
  },

  brokerReceipts() {
    const taken = brokerReceipts;
    brokerReceipts = [];
    return taken;
  },

  async close() {
    closing = true;
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close();
            setTimeout(() => {
              ws.terminate();
              resolve();
            }, 5_000).unref();
          }),
      ),
    );
    await listener?.end();
    await nats?.close();
  },
});
