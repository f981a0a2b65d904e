// The default broker (ADR 0054): PostgreSQL LISTEN/NOTIFY on the channel appendChatEvent notifies in the writing
// transaction. Zero setup, works on the embedded server; a notice is delivered only once its transaction committed,
// to every instance listening. One dedicated connection per instance (LISTEN needs a session, not a pooled one).
import pg from 'pg';
import { CHAT_NOTIFY_CHANNEL } from '../chat.events.repository.ts';
import { parseNotice, type BrokerHandlers, type ChatBroker, type ChatNotice } from './broker.ts';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

export function createPostgresBroker(connection: pg.ClientConfig): ChatBroker {
  let client: pg.Client | undefined;
  let handlers: BrokerHandlers | undefined;
  let closed = false;
  let retryMs = RECONNECT_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  // Notices of one tick are handed over together, so the hub reads their rows in one query.
  let batch: ChatNotice[] = [];

  const flush = () => {
    const notices = batch;
    batch = [];
    if (notices.length > 0) handlers?.onNotices(notices);
  };

  const connect = async (resync: boolean): Promise<void> => {
    const next = new pg.Client(connection);
    next.on('notification', (message) => {
      if (message.channel !== CHAT_NOTIFY_CHANNEL || !message.payload) return;
      const notice = parseNotice(message.payload);
      if (!notice) return;
      if (batch.length === 0) setImmediate(flush);
      batch.push(notice);
    });
    const lost = (error?: Error) => {
      if (client !== next) return;
      client = undefined;
      next.removeAllListeners('notification');
      void next.end().catch(() => {});
      if (error) handlers?.onError(error);
      scheduleReconnect();
    };
    next.on('error', lost);
    next.on('end', () => lost());
    try {
      await next.connect();
      await next.query(`LISTEN ${CHAT_NOTIFY_CHANNEL}`);
    } catch (error) {
      next.removeAllListeners();
      next.on('error', () => {});
      void next.end().catch(() => {});
      throw error;
    }
    if (closed) {
      await next.end();
      return;
    }
    client = next;
    retryMs = RECONNECT_MIN_MS;
    // Anything committed while no connection listened is read back from the log.
    if (resync) handlers?.onResync();
  };

  const scheduleReconnect = () => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect(true).catch((error: unknown) => {
        handlers?.onError(error instanceof Error ? error : new Error(String(error)));
        retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
        scheduleReconnect();
      });
    }, retryMs);
    retryTimer.unref();
  };

  return {
    name: 'postgres',
    // A database down when the instance starts does not stop it (its HTTP routes answer 503 meanwhile): the
    // listener keeps trying, and reads back what it missed once it is up.
    async start(given) {
      handlers = given;
      try {
        await connect(false);
      } catch (error) {
        handlers.onError(error instanceof Error ? error : new Error(String(error)));
        scheduleReconnect();
      }
    },
    // Every instance hears every notice of the one channel; it ignores those of scopes it does not follow.
    follow() {},
    unfollow() {},
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      if (current) await current.end().catch(() => {});
    },
  };
}
