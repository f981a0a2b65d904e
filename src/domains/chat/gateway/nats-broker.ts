// The NATS broker (VEZA_NATS_URL, ADR 0054). The commit signal stays PostgreSQL's NOTIFY (the outbox row and its
// notice commit together), but only one instance listens to it: the relay, whoever holds a session advisory lock,
// republishes each notice on the scope's subject `veza.chat.room.<uuid>` / `veza.chat.user.<uuid>`. Every instance
// subscribes to the subjects of the scopes it has local subscribers for, so it receives only those. When the relay
// dies, another instance takes the lock within RELAY_RETRY_MS and tells everyone to resync (notices of the gap were
// not relayed; the log still has the events).
import { connect, Events, StringCodec, type NatsConnection, type Subscription } from 'nats';
import type pg from 'pg';
import type { Pool } from '../../../platform/db/pool.ts';
import { CHAT_NOTIFY_CHANNEL } from '../chat.events.repository.ts';
import { parseNotice, type BrokerHandlers, type ChatBroker } from './broker.ts';

const RELAY_RETRY_MS = 2_000;
const RESYNC_SUBJECT = 'veza.chat.resync';
/** The relay's lock: one relay per database. */
const RELAY_LOCK_KEY = 'veza.chat.relay';
const codec = StringCodec();

export const subjectOf = (scopeKey: string): string => `veza.chat.${scopeKey.replace(':', '.')}`;

export function createNatsBroker(url: string, pool: Pool): ChatBroker {
  let nc: NatsConnection | undefined;
  let handlers: BrokerHandlers | undefined;
  let closed = false;
  let relay: pg.PoolClient | undefined;
  let relayTimer: NodeJS.Timeout | undefined;
  const subscriptions = new Map<string, Subscription>();

  const subscribe = (scopeKey: string) => {
    if (!nc || subscriptions.has(scopeKey)) return;
    const subject = subjectOf(scopeKey);
    subscriptions.set(
      scopeKey,
      nc.subscribe(subject, {
        callback: (error, message) => {
          if (error) return handlers?.onError(error);
          const seq = codec.decode(message.data);
          if (/^[0-9]{1,19}$/.test(seq)) handlers?.onNotices([{ seq, scopeKey }]);
        },
      }),
    );
  };

  /** Tries to become the relay: take the lock on a dedicated connection, LISTEN, republish. */
  const tryRelay = async () => {
    if (closed || relay || !nc) return;
    const client = await pool.pg.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [RELAY_LOCK_KEY],
      );
      if (!rows[0]?.locked || closed) {
        client.release();
        return;
      }
      client.on('notification', (message) => {
        if (message.channel !== CHAT_NOTIFY_CHANNEL || !message.payload) return;
        const notice = parseNotice(message.payload);
        if (notice) nc?.publish(subjectOf(notice.scopeKey), codec.encode(notice.seq));
      });
      client.on('error', (error) => {
        handlers?.onError(error);
        if (relay === client) relay = undefined;
        client.release(error);
      });
      await client.query(`LISTEN ${CHAT_NOTIFY_CHANNEL}`);
      relay = client;
      // Notices committed while nobody relayed were lost: everyone reads their scopes again.
      nc.publish(RESYNC_SUBJECT);
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  };

  return {
    name: 'nats',
    async start(given) {
      handlers = given;
      nc = await connect({ servers: url, name: 'veza-chat', reconnect: true, maxReconnectAttempts: -1 });
      nc.subscribe(RESYNC_SUBJECT, { callback: () => handlers?.onResync() });
      void (async () => {
        for await (const status of nc.status()) {
          if (status.type === Events.Reconnect) handlers?.onResync();
        }
      })().catch(() => {});
      const relayOrReport = () =>
        tryRelay().catch((error: unknown) =>
          handlers?.onError(error instanceof Error ? error : new Error(String(error))),
        );
      // A database down at start does not stop the instance: the relay is tried again every RELAY_RETRY_MS.
      await relayOrReport();
      relayTimer = setInterval(() => void relayOrReport(), RELAY_RETRY_MS);
      relayTimer.unref();
    },
    follow(scopeKey) {
      subscribe(scopeKey);
    },
    unfollow(scopeKey) {
      subscriptions.get(scopeKey)?.unsubscribe();
      subscriptions.delete(scopeKey);
    },
    async close() {
      closed = true;
      if (relayTimer) clearInterval(relayTimer);
      const current = relay;
      relay = undefined;
      if (current) {
        // Ending the session releases the lock; the connection is not reused.
        current.release(true);
      }
      subscriptions.clear();
      const connection = nc;
      nc = undefined;
      if (connection) await connection.drain().catch(() => {});
    },
  };
}
