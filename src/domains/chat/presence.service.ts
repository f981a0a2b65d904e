// Presence and typing (issue 14 §5, ADR 0059). Presence: online/away/busy/offline, last seen and a custom status,
// set by the client over HTTP and by the WebSocket gateway as connections come and go (each instance's
// `InstancePresence`: leases renewed while a user is connected there), shown only to the audience the user chose
// (presence_visibility) and never across a block. A presence nobody renews lapses: read as offline a lease after
// its last sign of life, whichever instance died. Typing: on for 10 seconds unless renewed, members only.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { presenceVisibilityOf, setPresenceVisibility, type PresenceVisibility } from '../profiles/index.ts';
import { blockedAmong } from '../social/index.ts';
import type { ChatGatewayConfig, Config } from '../../platform/config/config.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Pool } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { ChatProblems } from './chat.errors.ts';
import { recordChatEvent, type ChatEvent } from './chat.events.ts';
import { presencePolicy } from './presence.policy.ts';
import {
  createDatabasePresenceStore,
  createPresenceRepository,
  createRedisPresenceStore,
  eventTransaction,
  type PresenceRepository,
  type PresenceState,
  type PresenceStore,
  type Release,
} from './presence.repository.ts';
import { CUSTOM_STATUS_MAX_LENGTH, type OwnPresence, type Presence, type PresenceUpdate } from './presence.schemas.ts';

/** spec §8.7: a typing indicator lapses 10 seconds after it was last renewed. */
export const TYPING_TTL_MS = 10_000;

/**
 * How presence survives instances (ADR 0059): each instance renews its connected users every `renewEveryMs`; a
 * presence not renewed (nor set) for `leaseMs` lapses. VEZA_CHAT_PRESENCE_RENEW_MS, VEZA_CHAT_PRESENCE_LEASE_MS.
 */
export interface PresenceTiming {
  renewEveryMs: number;
  leaseMs: number;
}

export const DEFAULT_PRESENCE_TIMING: PresenceTiming = { renewEveryMs: 10_000, leaseMs: 30_000 };

/** Lapsed presences one sweep ends; more wait for the next renewal period. */
export const SWEEP_LIMIT = 500;

/**
 * The staleness rule (ADR 0059), which every reader applies: a presence other than offline whose last sign of life
 * (a connection, a renewal by an instance holding one, a change over HTTP) is `leaseMs` old reads as offline, last
 * seen when it lapsed. A dead instance thus never leaves a ghost online, swept or not.
 */
export function presenceAt(state: PresenceState, now: Date, leaseMs: number): PresenceState {
  if (state.status === 'offline') return state;
  const lapse = state.last_seen_at.getTime() + leaseMs;
  return lapse <= now.getTime() ? { ...state, status: 'offline', last_seen_at: new Date(lapse) } : state;
}

export interface PresenceServiceDeps {
  store: PresenceStore;
  repository: PresenceRepository;
  /** Profiles domain: each user's chosen audience, and setting the caller's. */
  visibilityOf: (userIds: Iterable<string>) => Promise<Map<string, PresenceVisibility>>;
  setVisibility: (userId: string, value: PresenceVisibility) => Promise<void>;
  /** Social domain: of `others`, those blocked by or blocking `userId`. */
  blockedAmong: (userId: string, others: Iterable<string>) => Promise<Set<string>>;
  /** Opens a transaction for the events (chat.events.ts recordChatEvent). */
  inTransaction: <T>(actorId: string, work: (tx: Transaction<DB>) => Promise<T>) => Promise<T>;
  recordEvent: (tx: Transaction<DB>, event: ChatEvent) => Promise<unknown>;
  now?: () => Date;
  timing?: PresenceTiming;
}

function invalid(field: string, rule: string, message: string): ApiError {
  return new ApiError(CommonProblems.validationFailed, `${field} ${message}`, [{ field, rule, message }]);
}

const representation = (state: PresenceState): Presence => ({
  user_id: state.user_id,
  status: state.status,
  custom_status: state.custom_status,
  last_seen_at: state.last_seen_at.toISOString(),
});

export class PresenceService {
  readonly #deps: PresenceServiceDeps;
  readonly #now: () => Date;
  readonly timing: PresenceTiming;

  constructor(deps: PresenceServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.timing = deps.timing ?? DEFAULT_PRESENCE_TIMING;
  }

  /** The stored states, as readers must see them (the staleness rule applied). */
  async #current(userIds: readonly string[], now: Date): Promise<Map<string, PresenceState>> {
    const stored = await this.#deps.store.get(userIds);
    for (const [id, state] of stored) stored.set(id, presenceAt(state, now, this.timing.leaseMs));
    return stored;
  }

  /** Someone who never connected (or not for 90 days) reads as offline, last seen now-unknown: their first sign. */
  #orOffline(userId: string, state: PresenceState | undefined, now: Date): PresenceState {
    return state ?? { user_id: userId, status: 'offline', custom_status: null, last_seen_at: now };
  }

  async #announce(userId: string, state: PresenceState): Promise<void> {
    await this.#deps.inTransaction(userId, (tx) =>
      this.#deps.recordEvent(tx, {
        type: 'presence',
        scope: { kind: 'user', userId },
        payload: {
          user_id: userId,
          status: state.status,
          custom_status: state.custom_status,
          last_seen_at: state.last_seen_at.toISOString(),
        },
      }),
    );
  }

  async own(caller: Caller): Promise<OwnPresence> {
    const now = this.#now();
    const [states, visibilities] = await Promise.all([
      this.#current([caller.userId], now),
      this.#deps.visibilityOf([caller.userId]),
    ]);
    const state = this.#orOffline(caller.userId, states.get(caller.userId), now);
    return { ...representation(state), visibility: visibilities.get(caller.userId) ?? 'shared_rooms' };
  }

  /** Releases the store's connection (Redis). */
  close(): Promise<void> {
    return this.#deps.store.close();
  }

  /** The client sets its status, custom status and who sees them. */
  async update(caller: Caller, input: PresenceUpdate): Promise<OwnPresence> {
    let custom: string | null | undefined = input.custom_status;
    if (typeof custom === 'string') {
      custom = custom.normalize('NFC').trim();
      if (custom === '')
        throw invalid('body.custom_status', 'notBlank', 'must have more than white space (or be null)');
      if (custom.length > CUSTOM_STATUS_MAX_LENGTH)
        throw invalid('body.custom_status', 'maxLength', `must be ${CUSTOM_STATUS_MAX_LENGTH} characters at most`);
    }
    if (input.visibility !== undefined) await this.#deps.setVisibility(caller.userId, input.visibility);
    if (input.status !== undefined || custom !== undefined) {
      const state = await this.#deps.store.set(
        caller.userId,
        {
          ...(input.status !== undefined ? { status: input.status } : {}),
          ...(custom !== undefined ? { custom_status: custom } : {}),
        },
        this.#now(),
        this.timing.leaseMs,
      );
      await this.#announce(caller.userId, state);
    }
    return this.own(caller);
  }

  /** The presence of those among `userIds` who share it with the caller; the others are left out. */
  async visible(caller: Caller, userIds: readonly string[]): Promise<Presence[]> {
    const wanted = [...new Set(userIds)];
    const others = wanted.filter((id) => id !== caller.userId);
    const now = this.#now();
    const [visibilities, sharing, blocked, states] = await Promise.all([
      this.#deps.visibilityOf(wanted),
      this.#deps.repository.sharingARoomWith(caller.userId, others),
      this.#deps.blockedAmong(caller.userId, others),
      this.#current(wanted, now),
    ]);
    const shown: Presence[] = [];
    for (const id of wanted) {
      const decision = presencePolicy.maySeePresence(caller, {
        user_id: id,
        visibility: visibilities.get(id) ?? 'shared_rooms',
        shares_room: sharing.has(id),
        blocked: blocked.has(id),
      });
      // An id without an account has no presence row and reads like anyone offline who shares with everyone.
      const state = states.get(id);
      if (decision.allowed && (state || id === caller.userId))
        shown.push(representation(this.#orOffline(id, state, now)));
    }
    return shown;
  }

  /**
   * For the WebSocket gateway, before forwarding a `presence` event of `subjectId` to other connected people: those
   * of `viewerIds` allowed to see it (the same rule as `visible`, asked from the subject's side).
   */
  async viewersAllowed(subjectId: string, viewerIds: readonly string[]): Promise<string[]> {
    const viewers = [...new Set(viewerIds)];
    const others = viewers.filter((id) => id !== subjectId);
    const [visibilities, sharing, blocked] = await Promise.all([
      this.#deps.visibilityOf([subjectId]),
      // Sharing a room and blocking are both symmetric: asked once from the subject's side.
      this.#deps.repository.sharingARoomWith(subjectId, others),
      this.#deps.blockedAmong(subjectId, others),
    ]);
    const visibility = visibilities.get(subjectId) ?? 'shared_rooms';
    return viewers.filter(
      (viewerId) =>
        presencePolicy.maySeePresence(
          { userId: viewerId, role: 'user' },
          { user_id: subjectId, visibility, shares_room: sharing.has(viewerId), blocked: blocked.has(viewerId) },
        ).allowed,
    );
  }

  /** The presence of one gateway instance: its leases, renewed while its users are connected (ADR 0059). */
  forInstance(instanceId: string = randomUUID()): InstancePresence {
    return new InstancePresence(this, instanceId, this.#now);
  }

  /**
   * A first connection of the user opened on `instanceId`, which now holds a lease on them. An offline (or lapsed)
   * user becomes online and that is announced; a live away or busy stays, unannounced. last_seen_at is now.
   */
  async connected(userId: string, instanceId: string): Promise<PresenceState> {
    const { state, cameOnline } = await this.#deps.store.connect(userId, instanceId, this.#now(), this.timing.leaseMs);
    if (cameOnline) await this.#announce(userId, state);
    return state;
  }

  /** `instanceId` still holds these users: their leases run on (and their last_seen_at moves to now). */
  async renew(instanceId: string, userIds: readonly string[]): Promise<void> {
    await this.#deps.store.renew(instanceId, userIds, this.#now(), this.timing.leaseMs);
  }

  /**
   * The user's last connection on `instanceId` closed. Offline, announced, unless another instance still holds
   * them; on the tables, which cannot tell yet, `unsure` (the instance confirms a renewal period later).
   */
  async disconnected(userId: string, instanceId: string): Promise<Release> {
    const release = await this.#deps.store.release(userId, instanceId, this.#now());
    if (release.outcome === 'offline') await this.#announce(userId, release.state);
    return release;
  }

  /** After an `unsure` release: offline and announced unless some instance (or the user) stamped since. */
  async confirmRelease(userId: string, stamp: Date): Promise<PresenceState | undefined> {
    const state = await this.#deps.store.confirmRelease(userId, stamp);
    if (state) await this.#announce(userId, state);
    return state;
  }

  /**
   * Ends the presences that lapsed (their instance died without letting go, or an HTTP status was never renewed):
   * offline, last seen at the lapse, announced once whichever instances sweep at the same time.
   */
  async sweep(): Promise<PresenceState[]> {
    const lapsed = await this.#deps.store.sweep(this.#now(), this.timing.leaseMs, SWEEP_LIMIT);
    for (const state of lapsed) await this.#announce(state.user_id, state);
    return lapsed;
  }

  async #membership(caller: Caller, roomId: string) {
    return this.#deps.repository.membership(roomId, caller.userId);
  }

  async #typingEvent(caller: Caller, roomId: string, until: Date): Promise<void> {
    await this.#deps.inTransaction(caller.userId, (tx) =>
      this.#deps.recordEvent(tx, {
        type: 'typing',
        scope: { kind: 'room', roomId },
        payload: { room_id: roomId, user_id: caller.userId, until: until.toISOString() },
      }),
    );
  }

  /**
   * The caller types in a room: on for 10 seconds, renewed by every call. Only a new indicator (not a renewal) is
   * announced, so a client renewing every few seconds adds no events.
   */
  async startTyping(caller: Caller, roomId: string): Promise<{ expires_at: string }> {
    authorize(presencePolicy.mayType(caller, await this.#membership(caller, roomId)), ChatProblems.roomNotFound);
    const now = this.#now();
    const expiresAt = new Date(now.getTime() + TYPING_TTL_MS);
    const started = await this.#deps.store.startTyping(roomId, caller.userId, expiresAt, now);
    if (started) await this.#typingEvent(caller, roomId, expiresAt);
    return { expires_at: expiresAt.toISOString() };
  }

  /** The caller stopped typing (sent, or erased the draft): announced with `until` = now. */
  async stopTyping(caller: Caller, roomId: string): Promise<void> {
    authorize(presencePolicy.maySeeTyping(caller, await this.#membership(caller, roomId)), ChatProblems.roomNotFound);
    const now = this.#now();
    if (await this.#deps.store.stopTyping(roomId, caller.userId, now)) await this.#typingEvent(caller, roomId, now);
  }

  /** Who types in the room now (members only). */
  async typing(caller: Caller, roomId: string): Promise<{ items: { user_id: string; expires_at: string }[] }> {
    authorize(presencePolicy.maySeeTyping(caller, await this.#membership(caller, roomId)), ChatProblems.roomNotFound);
    const entries = await this.#deps.store.typing(roomId, this.#now());
    return { items: entries.map((entry) => ({ user_id: entry.user_id, expires_at: entry.expires_at.toISOString() })) };
  }
}

/**
 * The presence of one gateway instance (one `veza serve` process): the gateway tells it when a user's first
 * connection here authenticates and when their last one closes, and calls `renew` every renewal period with the
 * users connected here. It remembers until when its own lease of each user runs: a renewal coming after that
 * (the process stalled, the store was out of reach) takes the lease again as a new connection would, so a user the
 * others swept meanwhile comes back online. A shutdown tells it nothing: its leases lapse unless the clients,
 * told to reconnect elsewhere, are back first (no offline-online flicker for a deploy).
 */
export class InstancePresence {
  readonly instanceId: string;
  readonly renewEveryMs: number;
  readonly #service: PresenceService;
  readonly #now: () => Date;
  /** Until when (ms) this instance's lease of each user it holds runs. */
  readonly #leases = new Map<string, number>();
  /** Table path: users released here, confirmed offline once every other instance has had a renewal to say no. */
  readonly #unconfirmed = new Map<string, { stamp: Date; due: number }>();
  /** Per user, the tail of their presence work: connect, release and confirmation happen in the order told. */
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(service: PresenceService, instanceId: string, now: () => Date) {
    this.#service = service;
    this.instanceId = instanceId;
    this.#now = now;
    this.renewEveryMs = service.timing.renewEveryMs;
  }

  #serially<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(userId);
    const done = previous ? previous.then(work) : work();
    this.#track(userId, done);
    return done;
  }

  #track(userId: string, work: Promise<unknown>): void {
    const tail = work.catch(() => undefined);
    this.#chains.set(userId, tail);
    void tail.then(() => {
      if (this.#chains.get(userId) === tail) this.#chains.delete(userId);
    });
  }

  connected(userId: string): Promise<PresenceState> {
    return this.#serially(userId, async () => {
      this.#unconfirmed.delete(userId);
      const from = this.#now().getTime();
      const state = await this.#service.connected(userId, this.instanceId);
      this.#leases.set(userId, from + this.#service.timing.leaseMs);
      return state;
    });
  }

  disconnected(userId: string): Promise<Release> {
    return this.#serially(userId, async () => {
      this.#leases.delete(userId);
      const release = await this.#service.disconnected(userId, this.instanceId);
      if (release.outcome === 'unsure') {
        // Every instance holding the user renews within a period; half a period more for a late timer.
        const due = this.#now().getTime() + Math.ceil(this.renewEveryMs * 1.5);
        this.#unconfirmed.set(userId, { stamp: release.stamp, due });
      }
      return release;
    });
  }

  /**
   * Every renewal period, with the users connected here: renews the leases still running, takes again those that
   * ran out, confirms the table path's releases that are due, and sweeps the presences that lapsed anywhere.
   */
  async renew(connectedUserIds: readonly string[]): Promise<void> {
    const now = this.#now().getTime();
    // A user with work under way is left to it (a connection stamps as much as a renewal).
    const idle = connectedUserIds.filter((id) => !this.#chains.has(id));
    const running = idle.filter((id) => (this.#leases.get(id) ?? 0) > now);
    const ranOut = idle.filter((id) => (this.#leases.get(id) ?? 0) <= now);
    // Each step runs whatever befell the one before; the first failure is reported once all have run.
    const failures: unknown[] = [];
    const attempt = (work: Promise<unknown>) => work.catch((error: unknown) => void failures.push(error));
    if (running.length > 0) {
      const renewal = this.#service.renew(this.instanceId, running).then(() => {
        for (const id of running) if (this.#leases.has(id)) this.#leases.set(id, now + this.#service.timing.leaseMs);
      });
      // A release told meanwhile waits for the renewal, or the renewal could take back a lease just given up.
      for (const id of running) this.#track(id, renewal);
      await attempt(renewal);
    }
    await Promise.all(ranOut.map((id) => attempt(this.connected(id))));
    for (const [userId, pending] of this.#unconfirmed) {
      if (pending.due > now) continue;
      this.#unconfirmed.delete(userId);
      await attempt(this.#serially(userId, () => this.#service.confirmRelease(userId, pending.stamp)));
    }
    await attempt(this.#service.sweep());
    if (failures.length > 0) throw failures[0];
  }
}

/**
 * The service on the store the configuration picks (Redis with VEZA_REDIS_URL, else the tables), wired to the
 * profiles and social domains (chat.module.ts). Close its store when the app closes: `service.close()`.
 */
export function createPresenceService(
  pool: Pool,
  config: Pick<Config, 'redis'> & { chat?: Pick<ChatGatewayConfig, 'presenceRenewMs' | 'presenceLeaseMs'> },
  options: { now?: () => Date; store?: PresenceStore; timing?: PresenceTiming } = {},
): PresenceService {
  const store =
    options.store ??
    (config.redis.url ? createRedisPresenceStore(config.redis.url) : createDatabasePresenceStore(pool.db));
  return new PresenceService({
    store,
    repository: createPresenceRepository(pool),
    visibilityOf: (ids) => presenceVisibilityOf(pool.db, ids),
    setVisibility: (userId, value) => setPresenceVisibility(pool.db, userId, value),
    blockedAmong: (userId, others) => blockedAmong(pool.db, userId, others),
    inTransaction: eventTransaction(pool),
    recordEvent: recordChatEvent,
    ...(options.now ? { now: options.now } : {}),
    timing:
      options.timing ??
      (config.chat
        ? { renewEveryMs: config.chat.presenceRenewMs, leaseMs: config.chat.presenceLeaseMs }
        : DEFAULT_PRESENCE_TIMING),
  });
}
