// One WebSocket connection of GET /v1/chat/socket (ADR 0055): authentication, subscriptions, limits, heartbeats.
import type { WebSocket } from 'ws';
import { isTransientDatabaseError } from '../../../platform/db/pool.ts';
import type { Caller } from '../../../platform/http/caller.ts';
import type { ChatScope, StoredChatEvent } from '../chat.events.ts';
import { scopeKey } from '../chat.events.repository.ts';
import { endsAccessOf, type HubPeer, type Subscription } from './hub.ts';
import { CloseCodes, ErrorCodes, parseClientFrame, type ClientFrame, type ErrorCode } from './protocol.ts';
import type { ChatGateway } from './gateway.ts';

/** A scope as frames show it. */
function scopeView(scope: ChatScope): { scope: 'room' | 'personal'; room_id: string | null } {
  return scope.kind === 'room' ? { scope: 'room', room_id: scope.roomId } : { scope: 'personal', room_id: null };
}

/** `exp` of a token that authenticated (its payload is ours), in milliseconds; undefined if it has none. */
function tokenExpiryMs(token: string): number | undefined {
  try {
    const payload = token.split('.')[1];
    if (payload === undefined) return undefined;
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class GatewayConnection implements HubPeer {
  #caller: Caller | undefined;
  #token: string | undefined;
  #closed = false;
  #alive = true;
  #frames: Promise<void> = Promise.resolve();
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #timers: NodeJS.Timeout[] = [];
  #expiryTimer: NodeJS.Timeout | undefined;
  #recheckTimer: NodeJS.Timeout | undefined;
  #strikes = 0;

  readonly socket: WebSocket;
  readonly gateway: ChatGateway;

  constructor(socket: WebSocket, gateway: ChatGateway, bearerToken: string | undefined) {
    this.socket = socket;
    this.gateway = gateway;
    const { limits } = gateway;
    socket.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
    socket.on('close', () => this.#teardown());
    socket.on('error', () => this.#teardown());
    socket.on('pong', () => (this.#alive = true));
    const heartbeat = setInterval(() => {
      if (!this.#alive) {
        // Not answered since the last ping: the peer is gone (or hopelessly behind).
        this.#teardown();
        socket.terminate();
        return;
      }
      this.#alive = false;
      socket.ping();
    }, limits.heartbeatMs);
    this.#timers.push(heartbeat);
    const authTimeout = setTimeout(() => {
      if (!this.#caller) this.close(CloseCodes.unauthenticated, 'authentication timed out');
    }, limits.authTimeoutMs);
    this.#timers.push(authTimeout);
    if (bearerToken !== undefined) this.#serially(() => this.#authenticate(bearerToken, undefined));
  }

  get userId(): string {
    return this.#caller?.userId ?? '';
  }

  // ---- sending ----------------------------------------------------------------------------------------------

  /** Sends a frame unless the client is too far behind, in which case the connection is closed (4008). */
  #send(frame: object): boolean {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return false;
    const text = JSON.stringify(frame);
    if (this.socket.bufferedAmount + Buffer.byteLength(text) > this.gateway.limits.maxBufferedBytes) {
      this.close(CloseCodes.slowConsumer, 'slow consumer: send buffer full');
      return false;
    }
    this.socket.send(text);
    return true;
  }

  sendEvent(event: StoredChatEvent): boolean {
    if (event.type === 'account.revoked') {
      this.recheckNow();
      return true;
    }
    return this.#send({
      type: 'event',
      seq: event.seq,
      ...scopeView(event.scope),
      event: event.type,
      payload: event.payload,
      created_at: event.createdAt.toISOString(),
    });
  }

  subscriptionEnded(scope: ChatScope, reason: string): void {
    this.#subscriptions.delete(scopeKey(scope));
    this.#send({ type: 'unsubscribed', ...scopeView(scope), reason });
  }

  #error(code: ErrorCode, message: string, field?: string): void {
    this.#send({ type: 'error', code, message, ...(field ? { field } : {}) });
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#teardown();
    this.socket.close(code, reason);
  }

  #teardown(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    if (this.#recheckTimer) clearTimeout(this.#recheckTimer);
    for (const subscription of this.#subscriptions.values()) this.gateway.hub.unsubscribe(subscription);
    this.#subscriptions.clear();
    this.gateway.forget(this);
  }

  // ---- receiving --------------------------------------------------------------------------------------------

  /**
   * Frames are handled one after the other, in the order received. A database that does not answer in time
   * costs the frame, not the connection: the client is told to send it again (or, before it is signed in, to
   * reconnect in a moment).
   */
  #serially(work: () => Promise<void>): void {
    this.#frames = this.#frames.then(work).catch((error: unknown) => {
      if (isTransientDatabaseError(error)) {
        this.gateway.log.warn({ err: error }, 'chat socket frame: database unavailable');
        if (this.#caller) this.#error(ErrorCodes.unavailable, 'The database did not answer in time; send it again');
        else this.close(CloseCodes.tryAgainLater, 'the database did not answer in time; reconnect');
        return;
      }
      this.gateway.log.error({ err: error }, 'chat socket frame failed');
      this.close(CloseCodes.internalError, 'internal error');
    });
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    if (!this.gateway.allowFrame(this.#caller?.userId ?? this)) {
      this.#strikes += 1;
      if (this.#strikes >= this.gateway.limits.rateLimitStrikes) {
        this.close(CloseCodes.rateLimited, 'rate limit exceeded');
        return;
      }
      this.#error(ErrorCodes.rateLimited, 'Too many frames; this one was ignored. Slow down.');
      return;
    }
    this.#strikes = 0;
    if (isBinary) {
      this.#error(ErrorCodes.binaryFrame, 'Only JSON text frames are accepted');
      return;
    }
    const parsed = parseClientFrame(data.toString('utf8'));
    if (!parsed.ok) {
      this.#error(parsed.code, parsed.message, parsed.field);
      return;
    }
    const frame = parsed.frame;
    this.#serially(() => this.#handle(frame));
  }

  async #handle(frame: ClientFrame): Promise<void> {
    if (this.#closed) return;
    if (frame.type === 'ping') {
      this.#send({ type: 'pong' });
      return;
    }
    if (frame.type === 'auth') {
      await this.#authenticate(frame.token, frame.since);
      return;
    }
    if (!this.#caller) {
      this.#error(ErrorCodes.notAuthenticated, 'Send {"type":"auth","token":…} first');
      return;
    }
    if (frame.type === 'subscribe') {
      if (frame.room_id === undefined) await this.#subscribePersonal(frame.since);
      else await this.#subscribeRoom(frame.room_id, frame.since);
      return;
    }
    const key = scopeKey({ kind: 'room', roomId: frame.room_id });
    const subscription = this.#subscriptions.get(key);
    if (subscription) {
      this.gateway.hub.unsubscribe(subscription);
      this.#subscriptions.delete(key);
    }
    this.#send({ type: 'unsubscribed', scope: 'room', room_id: frame.room_id, reason: 'requested' });
  }

  // ---- authentication ---------------------------------------------------------------------------------------

  async #authenticate(token: string, since: string | undefined): Promise<void> {
    const caller = await this.gateway.authenticate(token);
    if (this.#closed) return;
    if (!caller) {
      this.close(CloseCodes.unauthenticated, 'the access token is invalid, expired or revoked');
      return;
    }
    if (this.#caller) {
      // A renewed token: it must be the same account's.
      if (caller.userId !== this.#caller.userId) {
        this.close(CloseCodes.unauthenticated, 'the new token is another account’s');
        return;
      }
      this.#token = token;
      this.#armExpiry(token);
      this.#send({ type: 'reauthenticated', expires_at: this.#expiresAt(token) });
      return;
    }
    this.#caller = caller;
    this.#token = token;
    this.#armExpiry(token);
    this.gateway.adopt(this);
    this.#scheduleRecheck();
    this.#send({
      type: 'ready',
      user_id: caller.userId,
      expires_at: this.#expiresAt(token),
      heartbeat_ms: this.gateway.limits.heartbeatMs,
      max_frame_bytes: this.gateway.limits.maxFrameBytes,
    });
    await this.#subscribePersonal(since);
  }

  #expiresAt(token: string): string | null {
    const ms = tokenExpiryMs(token);
    return ms === undefined ? null : new Date(ms).toISOString();
  }

  /** Closes the connection when the token expires, unless the client sent a new one by then. */
  #armExpiry(token: string): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    const ms = tokenExpiryMs(token);
    if (ms === undefined) return;
    // setTimeout's bound: a token living longer than ~24 days is re-armed by the periodic check instead.
    const delay = Math.min(Math.max(ms - Date.now(), 0), 2 ** 31 - 1);
    this.#expiryTimer = setTimeout(() => this.close(CloseCodes.unauthenticated, 'the access token expired'), delay);
  }

  /**
   * The next periodic check, 75–125 % of the period away: connections opened together (a reconnect wave after a
   * deploy) spread their checks instead of asking the database all at once every period.
   */
  #scheduleRecheck(): void {
    if (this.#closed) return;
    const delay = this.gateway.limits.accountCheckMs * (0.75 + Math.random() / 2);
    // The next one is armed when this one is done: checks slowed down by the database never pile up.
    this.#recheckTimer = setTimeout(
      () => this.#serially(() => this.#recheck().finally(() => this.#scheduleRecheck())),
      delay,
    );
  }

  /**
   * The periodic check: the account is still usable with this token (not logged out everywhere, banned or
   * deleted), and every followed room is still readable (a membership change the events did not announce).
   * A database that does not answer skips this check; the next one runs as scheduled.
   */
  async #recheck(): Promise<void> {
    try {
      await this.#checkAccess();
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      this.gateway.log.warn({ err: error }, 'chat socket re-check skipped: database unavailable');
    }
  }

  async #checkAccess(): Promise<void> {
    if (this.#closed || !this.#token) return;
    const caller = await this.gateway.authenticate(this.#token);
    if (!caller) {
      this.close(CloseCodes.unauthenticated, 'the session was revoked');
      return;
    }
    for (const [key, subscription] of [...this.#subscriptions]) {
      if (subscription.scope.kind !== 'room') continue;
      if (!(await this.gateway.mayFollowRoom(caller, subscription.scope.roomId))) {
        this.gateway.hub.unsubscribe(subscription);
        this.#subscriptions.delete(key);
        this.#send({ type: 'unsubscribed', ...scopeView(subscription.scope), reason: 'access_lost' });
      }
    }
  }

  /** Re-checks the account at once (a personal `account.revoked` event). */
  recheckNow(): void {
    this.#serially(() => this.#recheck());
  }

  // ---- subscriptions ----------------------------------------------------------------------------------------

  async #subscribePersonal(since: string | undefined): Promise<void> {
    const caller = this.#caller!;
    await this.#subscribe({ kind: 'user', userId: caller.userId }, since, () => true);
  }

  async #subscribeRoom(roomId: string, since: string | undefined): Promise<void> {
    const caller = this.#caller!;
    const key = scopeKey({ kind: 'room', roomId });
    if (!this.#subscriptions.has(key) && this.#subscriptions.size > this.gateway.limits.maxSubscriptions) {
      this.#error(ErrorCodes.tooManySubscriptions, `At most ${this.gateway.limits.maxSubscriptions} rooms at once`);
      return;
    }
    if (!(await this.gateway.mayFollowRoom(caller, roomId))) {
      // The same answer for a room that does not exist and one the caller may not read.
      this.#error(ErrorCodes.roomNotFound, 'No such room', 'room_id');
      return;
    }
    // Replay skips what happened while the caller was out of the room (left or kicked, then back).
    let inRoom = true;
    const visible = (event: StoredChatEvent) => {
      if (endsAccessOf(event, caller.userId)) inRoom = false;
      else if (event.type === 'member.joined' && event.payload.user_id === caller.userId) inRoom = true;
      return inRoom && !endsAccessOf(event, caller.userId);
    };
    await this.#subscribe({ kind: 'room', roomId }, since, visible);
  }

  async #subscribe(scope: ChatScope, since: string | undefined, visible: (e: StoredChatEvent) => boolean) {
    const key = scopeKey(scope);
    const previous = this.#subscriptions.get(key);
    if (previous) {
      // Subscribing again (e.g. with an older `since`) replaces the subscription.
      this.gateway.hub.unsubscribe(previous);
      this.#subscriptions.delete(key);
    }
    const { subscription, replayed } = await this.gateway.hub.subscribe(this, scope, since, visible);
    if (this.#closed || subscription.ended) {
      this.gateway.hub.unsubscribe(subscription);
      return;
    }
    this.#subscriptions.set(key, subscription);
    this.#send({
      type: 'subscribed',
      ...scopeView(scope),
      replayed,
      cursor: subscription.cursor.toString(),
    });
  }
}
