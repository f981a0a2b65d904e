// The chat WebSocket gateway of one instance (issue 14 §4, ADRs 0054, 0055): its connections, its hub, its broker,
// the per-user frame budget, and the questions connections ask (who is this token, may they follow this room).
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { Database } from '../../../platform/db/pool.ts';
import type { Authenticator, Caller } from '../../../platform/http/caller.ts';
import { mayRead } from '../rooms.policy.ts';
import type { ChatBroker } from './broker.ts';
import { GatewayConnection } from './connection.ts';
import { roomAccess } from './gateway.repository.ts';
import { ChatHub } from './hub.ts';
import { CloseCodes, type GatewayLimits } from './protocol.ts';

/**
 * Presence as this instance sees it (ADR 0059; chat's InstancePresence): told when a user's first connection here
 * authenticates and when their last one closes, and every `renewEveryMs` which users are connected here, so that
 * their leases run on while other instances, and this one's death, are accounted for elsewhere.
 */
export interface PresenceHooks {
  connected(userId: string): Promise<unknown>;
  disconnected(userId: string): Promise<unknown>;
  renew(connectedUserIds: readonly string[]): Promise<unknown>;
  readonly renewEveryMs: number;
}

export interface GatewayOptions {
  presence?: PresenceHooks;
  db: Database;
  broker: ChatBroker;
  authenticate: Authenticator;
  limits: GatewayLimits;
  log: FastifyBaseLogger;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class ChatGateway {
  readonly hub: ChatHub;
  readonly limits: GatewayLimits;
  readonly log: FastifyBaseLogger;
  readonly authenticate: Authenticator;
  readonly #db: Database;
  readonly #connections = new Set<GatewayConnection>();
  // Keyed by user id once authenticated; before that, by the connection itself.
  readonly #buckets = new Map<string | GatewayConnection, Bucket>();
  readonly #sweep: NodeJS.Timeout;
  readonly #presence: PresenceHooks | undefined;
  /** Authenticated connections per user on this instance. */
  readonly #perUser = new Map<string, number>();
  readonly #presenceRenewal: NodeJS.Timeout | undefined;
  #renewing = false;
  /** Presence calls under way, awaited by close() so none outlives the stores it writes to. */
  readonly #presenceWork = new Set<Promise<unknown>>();
  #closing = false;

  constructor(options: GatewayOptions) {
    this.#db = options.db;
    this.limits = options.limits;
    this.log = options.log;
    this.authenticate = options.authenticate;
    this.#presence = options.presence;
    this.hub = new ChatHub({
      db: options.db,
      broker: options.broker,
      onError: (error) => this.log.error({ err: error }, 'chat fan-out failed'),
    });
    // Full buckets carry no information: drop them now and then so the map holds only active senders.
    this.#sweep = setInterval(() => this.#sweepBuckets(), 60_000);
    this.#sweep.unref();
    if (this.#presence) {
      this.#presenceRenewal = setInterval(() => this.#renewPresence(), this.#presence.renewEveryMs);
      this.#presenceRenewal.unref();
    }
  }

  start(): Promise<void> {
    return this.hub.start();
  }

  /**
   * Closes every connection (1001: reconnect elsewhere and resume) and stops fan-out. Presence is not told: the
   * users are not leaving, their clients reconnect elsewhere; their leases here lapse unless renewed there first.
   */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweep);
    clearInterval(this.#presenceRenewal);
    for (const connection of [...this.#connections]) connection.close(CloseCodes.goingAway, 'server shutting down');
    await Promise.allSettled([...this.#presenceWork]);
    await this.hub.close();
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  accept(socket: WebSocket, bearerToken: string | undefined): void {
    const connection = new GatewayConnection(socket, this, bearerToken);
    this.#connections.add(connection);
  }

  /** The connection authenticated: its frame budget is now its user's, shared by all their connections. */
  adopt(connection: GatewayConnection): void {
    this.#buckets.delete(connection);
    const count = (this.#perUser.get(connection.userId) ?? 0) + 1;
    this.#perUser.set(connection.userId, count);
    if (count === 1) this.#tellPresence('connected', connection.userId);
  }

  forget(connection: GatewayConnection): void {
    if (!this.#connections.delete(connection)) return;
    this.#buckets.delete(connection);
    const userId = connection.userId;
    if (!userId) return;
    const count = (this.#perUser.get(userId) ?? 1) - 1;
    if (count > 0) {
      this.#perUser.set(userId, count);
      return;
    }
    this.#perUser.delete(userId);
    this.#tellPresence('disconnected', userId);
  }

  #tellPresence(what: 'connected' | 'disconnected', userId: string): void {
    if (!this.#presence || this.#closing) return;
    this.#presenceUnderWay(this.#presence[what](userId), `presence ${what} failed`);
  }

  #renewPresence(): void {
    // A renewal slower than the period is not doubled up: the next tick finds it done.
    if (!this.#presence || this.#closing || this.#renewing) return;
    this.#renewing = true;
    this.#presenceUnderWay(this.#presence.renew([...this.#perUser.keys()]), 'presence renewal failed', () => {
      this.#renewing = false;
    });
  }

  #presenceUnderWay(work: Promise<unknown>, failure: string, then?: () => void): void {
    const tracked = work
      .catch((error: unknown) => this.log.warn({ err: error }, failure))
      .finally(() => {
        this.#presenceWork.delete(tracked);
        then?.();
      });
    this.#presenceWork.add(tracked);
  }

  /** Token bucket: framesPerSecond refill, frameBurst capacity, per user (per connection before auth). */
  allowFrame(key: string | GatewayConnection): boolean {
    const now = Date.now();
    const { framesPerSecond, frameBurst } = this.limits;
    const bucket = this.#buckets.get(key) ?? { tokens: frameBurst, at: now };
    bucket.tokens = Math.min(frameBurst, bucket.tokens + ((now - bucket.at) / 1000) * framesPerSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  #sweepBuckets(): void {
    const now = Date.now();
    const { framesPerSecond, frameBurst } = this.limits;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * framesPerSecond >= frameBurst) this.#buckets.delete(key);
    }
  }

  /** rooms.policy.ts decides: members in good standing of a live room only. */
  async mayFollowRoom(caller: Caller, roomId: string): Promise<boolean> {
    const { room, membership } = await roomAccess(this.#db, roomId, caller.userId);
    return mayRead(caller, room, membership).allowed;
  }
}
