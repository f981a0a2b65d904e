// The local side of fan-out (ADR 0054): which connections of this instance follow which scope, and the delivery of
// each committed event to them, in seq order, without gap or duplicate.
//
// - A notice from the broker names a committed event; the hub reads the rows of a batch of notices in one query
//   and dispatches them one by one, in seq order, on a single chain (so one scope's events never overtake).
// - A subscription starts "replaying": live events are buffered while the log is read after its cursor; then the
//   replayed rows are sent, the buffer is flushed (dropping what the replay already sent) and it goes live. Each
//   subscription sends only seqs above its cursor, so an event read twice (replay and notice, or a resync) is sent
//   once.
// - Notices that arrive while a read is under way wait and go into the next read together (one query per read,
//   however fast they come).
// - A read that fails (the database stalled, the pool was exhausted) loses nothing: the hub turns "stale", and from
//   then on it reads every followed scope after its lowest cursor instead of trusting notices, retrying on a timer
//   until one such resync completes. Delivering a later notice first would move cursors past the lost events.
// - An event that ends a reader's access to a room (left, kicked, banned, room deleted) ends that reader's
//   subscription before anything else is sent to it, and is not sent to it.
import type { Database } from '../../../platform/db/pool.ts';
import { accessEndingEventTypes, type ChatScope, type StoredChatEvent } from '../chat.events.ts';
import { eventsAfter, eventsBySeq, lastSeq, REPLAY_PAGE, scopeKey } from '../chat.events.repository.ts';
import type { ChatBroker, ChatNotice } from './broker.ts';

/** What the hub needs of a connection. */
export interface HubPeer {
  readonly userId: string;
  /** Sends one event frame; false when the connection is gone or was just closed for a full buffer. */
  sendEvent(event: StoredChatEvent): boolean;
  /** The hub ended a subscription (access lost): tell the client. */
  subscriptionEnded(scope: ChatScope, reason: string): void;
}

export class Subscription {
  readonly key: string;
  cursor: bigint = 0n;
  live = false;
  ended = false;
  #buffer: StoredChatEvent[] = [];

  readonly peer: HubPeer;
  readonly scope: ChatScope;

  constructor(peer: HubPeer, scope: ChatScope) {
    this.peer = peer;
    this.scope = scope;
    this.key = scopeKey(scope);
  }

  /** Sends `event` if it is newer than the cursor (or buffers it while replaying). */
  offer(event: StoredChatEvent): void {
    if (this.ended) return;
    if (!this.live) {
      this.#buffer.push(event);
      return;
    }
    const seq = BigInt(event.seq);
    if (seq <= this.cursor) return;
    this.cursor = seq;
    this.peer.sendEvent(event);
  }

  /** Ends the replay: sends the buffered events above the cursor, in seq order, and goes live. */
  goLive(): void {
    const buffered = this.#buffer.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
    this.#buffer = [];
    this.live = true;
    for (const event of buffered) this.offer(event);
  }
}

/** Whether `event` ends `userId`'s access to the room it belongs to. */
export function endsAccessOf(event: StoredChatEvent, userId: string): boolean {
  if (event.scope.kind !== 'room' || !accessEndingEventTypes.has(event.type)) return false;
  return event.type === 'room.deleted' || event.payload.user_id === userId;
}

export interface HubOptions {
  db: Database;
  broker: ChatBroker;
  onError: (error: unknown) => void;
  /** After a failed read, the first resync is tried after about this long (with jitter); default 1 s. */
  resyncRetryMs?: number;
}

/** The most seqs read in one query. */
const NOTICE_READ_LIMIT = 1_000;

export class ChatHub {
  readonly #db: Database;
  readonly #broker: ChatBroker;
  readonly #onError: (error: unknown) => void;
  readonly #scopes = new Map<string, Set<Subscription>>();
  readonly #resyncRetryMs: number;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  /** Notices not read yet, and whether a read of them is queued on the chain. */
  #pending: ChatNotice[] = [];
  #readQueued = false;
  /** A read failed: events may be missing until a resync completes. */
  #stale = false;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: HubOptions) {
    this.#db = options.db;
    this.#broker = options.broker;
    this.#onError = options.onError;
    this.#resyncRetryMs = options.resyncRetryMs ?? 1_000;
  }

  async start(): Promise<void> {
    await this.#broker.start({
      onNotices: (notices) => this.#receive(notices),
      onResync: () => this.#enqueue(() => this.#resync()),
      onError: (error) => this.#onError(error),
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    await this.#broker.close();
    await this.#chain;
    this.#scopes.clear();
  }

  /** Whether events may be missing until the next resync completes (operations, tests). */
  get stale(): boolean {
    return this.#stale;
  }

  /** The number of subscriptions on this instance (operations, tests). */
  get subscriptionCount(): number {
    let count = 0;
    for (const set of this.#scopes.values()) count += set.size;
    return count;
  }

  /**
   * Subscribes `peer` to `scope` from `since` (exclusive; the scope's newest seq when absent), replays the
   * missed events, then delivers live ones. `visible` filters replayed events (a room's reader does not get the
   * events of a time they were not a member). Returns the subscription, live, and the number of events replayed.
   */
  async subscribe(
    peer: HubPeer,
    scope: ChatScope,
    since: string | undefined,
    visible: (event: StoredChatEvent) => boolean = () => true,
  ): Promise<{ subscription: Subscription; replayed: number }> {
    const subscription = new Subscription(peer, scope);
    this.#add(subscription);
    try {
      // Registered before reading, so an event committed meanwhile is either read here or buffered.
      subscription.cursor = BigInt(since ?? (await lastSeq(this.#db, scope)));
      let replayed = 0;
      if (since !== undefined) {
        for (;;) {
          const page = await eventsAfter(this.#db, scope, subscription.cursor.toString(), REPLAY_PAGE);
          if (subscription.ended) break;
          for (const event of page) {
            subscription.cursor = BigInt(event.seq);
            if (!visible(event)) continue;
            if (!peer.sendEvent(event)) {
              subscription.ended = true;
              break;
            }
            replayed += 1;
          }
          if (page.length < REPLAY_PAGE || subscription.ended) break;
        }
      }
      subscription.goLive();
      return { subscription, replayed };
    } catch (error) {
      this.unsubscribe(subscription);
      throw error;
    }
  }

  unsubscribe(subscription: Subscription): void {
    subscription.ended = true;
    const set = this.#scopes.get(subscription.key);
    if (!set) return;
    set.delete(subscription);
    if (set.size === 0) {
      this.#scopes.delete(subscription.key);
      this.#broker.unfollow(subscription.key);
    }
  }

  #add(subscription: Subscription): void {
    let set = this.#scopes.get(subscription.key);
    if (!set) {
      set = new Set();
      this.#scopes.set(subscription.key, set);
      this.#broker.follow(subscription.key);
    }
    set.add(subscription);
  }

  #enqueue(work: () => Promise<void>): void {
    this.#chain = this.#chain.then(work).catch((error: unknown) => {
      if (this.#closed) return;
      this.#onError(error);
      this.#markStale();
    });
  }

  #receive(notices: ChatNotice[]): void {
    for (const notice of notices) this.#pending.push(notice);
    if (this.#readQueued) return;
    this.#readQueued = true;
    this.#enqueue(async () => {
      this.#readQueued = false;
      const batch = this.#pending;
      this.#pending = [];
      if (this.#stale) await this.#resync();
      else await this.#deliverNotices(batch);
    });
  }

  #markStale(): void {
    this.#stale = true;
    if (this.#retryTimer || this.#closed) return;
    const delay = this.#resyncRetryMs * (0.5 + Math.random());
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#stale && !this.#closed) this.#enqueue(() => this.#resync());
    }, delay);
    this.#retryTimer.unref();
  }

  async #deliverNotices(notices: ChatNotice[]): Promise<void> {
    if (this.#closed) return;
    const wanted = notices.filter((notice) => this.#scopes.has(notice.scopeKey)).map((notice) => notice.seq);
    for (let start = 0; start < wanted.length; start += NOTICE_READ_LIMIT) {
      const events = await eventsBySeq(this.#db, wanted.slice(start, start + NOTICE_READ_LIMIT));
      for (const event of events) this.dispatch(event);
    }
  }

  /**
   * Reads every followed scope after the lowest cursor of its subscriptions (notices may have been lost), and
   * clears the stale mark once every scope was read.
   */
  async #resync(): Promise<void> {
    if (this.#closed) return;
    // Notices waiting now are covered by this read.
    this.#pending = [];
    for (const [key, set] of [...this.#scopes]) {
      if (this.#closed) return;
      const first = set.values().next();
      if (first.done) continue;
      let cursor = [...set].reduce((low, s) => (s.cursor < low ? s.cursor : low), first.value.cursor);
      const scope = first.value.scope;
      for (;;) {
        const page = await eventsAfter(this.#db, scope, cursor.toString(), REPLAY_PAGE);
        for (const event of page) this.dispatch(event);
        if (page.length < REPLAY_PAGE || !this.#scopes.has(key)) break;
        cursor = BigInt(page.at(-1)!.seq);
      }
    }
    this.#stale = false;
  }

  /** Delivers one committed event to the local subscribers of its scope. */
  dispatch(event: StoredChatEvent): void {
    const set = this.#scopes.get(scopeKey(event.scope));
    if (!set) return;
    for (const subscription of [...set]) {
      if (endsAccessOf(event, subscription.peer.userId)) {
        this.unsubscribe(subscription);
        subscription.peer.subscriptionEnded(subscription.scope, event.type);
        continue;
      }
      subscription.offer(event);
    }
  }
}
