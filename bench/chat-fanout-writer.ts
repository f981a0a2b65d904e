// The writer process of the chat fan-out benchmark (bench/chat-fanout.ts starts it; it does not run on its own):
// sends the benchmark messages through the real route, POST /v1/rooms/{id}/messages, on an open loop at a given
// rate, and, for the broker-alone measurement, NOTIFYs or publishes on NATS at the same rate. It records when each
// send started (monotonic time); receipts are recorded by the client processes.
import { connect as connectNats } from 'nats';
import pg from 'pg';
import { CONTENT_PREFIX, monotonicMs, openLoop, serveRequests } from './chat-fanout-ipc.ts';

export interface SendTarget {
  /** The instance the message is sent to. */
  baseUrl: string;
  roomId: string;
  /** `Bearer <token>` of a member of the room. */
  authorization: string;
}

export interface SendResult {
  /** Send start per message, indexed like the targets. */
  sentAt: number[];
  /** When the 201 of each message arrived (monotonic ms), indexed like the targets; NaN when it failed. */
  answeredAt: number[];
  /** Answers by status ("201", …, or "failed" for a transport error). */
  statuses: Record<string, number>;
  /** How far behind its schedule the loop fell at worst, ms. */
  lateMs: number;
}

serveRequests({
  /** Message `first + i` goes to targets[i], at `rate` messages/s. */
  async send(params: { targets: SendTarget[]; first: number; rate: number }): Promise<SendResult> {
    const sentAt: number[] = [];
    const answeredAt: number[] = [];
    const statuses: Record<string, number> = {};
    const { lateMs } = await openLoop(params.targets.length, params.rate, async (i) => {
      const target = params.targets[i]!;
      const at = monotonicMs();
      sentAt[i] = at;
      let status = 'failed';
      try {
        const response = await fetch(`${target.baseUrl}/v1/rooms/${target.roomId}/messages`, {
          method: 'POST',
          headers: { authorization: target.authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ content: `${CONTENT_PREFIX}${params.first + i}` }),
        });
        await response.arrayBuffer();
        status = String(response.status);
        answeredAt[i] = response.status === 201 ? monotonicMs() : Number.NaN;
      } catch {
        answeredAt[i] = Number.NaN;
      } finally {
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    });
    return { sentAt, answeredAt, statuses, lateMs };
  },

  /**
   * The broker alone, PostgreSQL: one `SELECT pg_notify(channel, <number>)` per message, each its own transaction
   * (so its commit is in the time, as the write path's is), from a pool as large as a service's.
   */
  async notify(params: { databaseUrl: string; channel: string; first: number; count: number; rate: number }) {
    const pool = new pg.Pool({ connectionString: params.databaseUrl, max: 10 });
    const sentAt: number[] = [];
    try {
      // Connections are opened before the clock runs, as a service's pool has them open.
      await Promise.all(Array.from({ length: 10 }, () => pool.query('SELECT 1')));
      const { lateMs } = await openLoop(params.count, params.rate, async (i) => {
        sentAt[i] = monotonicMs();
        await pool.query('SELECT pg_notify($1, $2)', [params.channel, String(params.first + i)]);
      });
      return { sentAt, lateMs };
    } finally {
      await pool.end();
    }
  },

  /** The broker alone, NATS: one core publish per message, as the relay publishes a notice (no flush of its own). */
  async publish(params: { natsUrl: string; subject: string; first: number; count: number; rate: number }) {
    const nats = await connectNats({ servers: params.natsUrl });
    const sentAt: number[] = [];
    try {
      const { lateMs } = await openLoop(params.count, params.rate, async (i) => {
        sentAt[i] = monotonicMs();
        nats.publish(params.subject, String(params.first + i));
        await Promise.resolve();
      });
      await nats.flush();
      return { sentAt, lateMs };
    } finally {
      await nats.close();
    }
  },
});
