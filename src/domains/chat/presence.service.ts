// Presence and typing (issue 14 §5, ADR 0059). Presence: online/away/busy/offline, last seen and a custom status,
// set by the client over HTTP and by the WebSocket gateway as connections come and go (`connected`,
// `disconnected`), shown only to the audience the user chose (presence_visibility) and never across a block.
// Typing: on for 10 seconds unless renewed, seen by the room's members only.
import type { Transaction } from 'kysely';
import { presenceVisibilityOf, setPresenceVisibility, type PresenceVisibility } from '../profiles/index.ts';
import { blockedAmong } from '../social/index.ts';
import type { Config } from '../../platform/config/config.ts';
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
} from './presence.repository.ts';
import { CUSTOM_STATUS_MAX_LENGTH, type OwnPresence, type Presence, type PresenceUpdate } from './presence.schemas.ts';

/** spec §8.7: a typing indicator lapses 10 seconds after it was last renewed. */
export const TYPING_TTL_MS = 10_000;

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

  constructor(deps: PresenceServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
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
      this.#deps.store.get([caller.userId]),
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
      );
      await this.#announce(caller.userId, state);
    }
    return this.own(caller);
  }

  /** The presence of those among `userIds` who share it with the caller; the others are left out. */
  async visible(caller: Caller, userIds: readonly string[]): Promise<Presence[]> {
    const wanted = [...new Set(userIds)];
    const others = wanted.filter((id) => id !== caller.userId);
    const [visibilities, sharing, blocked, states] = await Promise.all([
      this.#deps.visibilityOf(wanted),
      this.#deps.repository.sharingARoomWith(caller.userId, others),
      this.#deps.blockedAmong(caller.userId, others),
      this.#deps.store.get(wanted),
    ]);
    const now = this.#now();
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

  /**
   * For the WebSocket gateway: a connection of the user opened. An offline user becomes online; a user who chose
   * away or busy keeps it. last_seen_at is now either way.
   */
  async connected(userId: string): Promise<PresenceState> {
    const current = (await this.#deps.store.get([userId])).get(userId);
    const state = await this.#deps.store.set(
      userId,
      !current || current.status === 'offline' ? { status: 'online' } : {},
      this.#now(),
    );
    await this.#announce(userId, state);
    return state;
  }

  /**
   * For the WebSocket gateway: the user's last connection closed (the gateway counts its own connections; ADR 0059
   * says what happens with several instances). The user is offline, last seen now.
   */
  async disconnected(userId: string): Promise<PresenceState> {
    const state = await this.#deps.store.set(userId, { status: 'offline' }, this.#now());
    await this.#announce(userId, state);
    return state;
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
 * The service on the store the configuration picks (Redis with VEZA_REDIS_URL, else the tables), wired to the
 * profiles and social domains (chat.module.ts). Close its store when the app closes: `service.close()`.
 */
export function createPresenceService(
  pool: Pool,
  config: Pick<Config, 'redis'>,
  options: { now?: () => Date; store?: PresenceStore } = {},
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
  });
}
