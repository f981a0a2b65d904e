// Each instance's copy of the settings and feature flags (issue 18 §13-14; ADR 0096). Reads are served from memory;
// the copy is dropped when any instance changes a setting (a NOTIFY on SETTINGS_CHANNEL, delivered at commit), when
// the listening connection (re)connects (notices may have been missed), and in any case after `ttlMs`, so that an
// instance whose listener is down, or behind a pooler that cannot LISTEN, is at most that late.
import pg from 'pg';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { loadStoredConfigs, SETTINGS_CHANNEL, type StoredConfig } from './configs.repository.ts';
import { loadStoredFlags, type StoredFlag } from './flags.repository.ts';

/** How stale a copy may get when no notice arrives (the listener is down): ADR 0096. */
export const DEFAULT_SETTINGS_TTL_MS = 30_000;

export interface SettingsSnapshot {
  configs: ReadonlyMap<string, StoredConfig>;
  flags: ReadonlyMap<string, StoredFlag>;
}

export interface SettingsCacheOptions {
  ttlMs?: number;
  /** The clock the TTL is measured with (tests pin it). */
  now?: () => number;
}

export class SettingsCache {
  readonly #db: Database;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #current: { snapshot: SettingsSnapshot; loadedAt: number; generation: number } | undefined;
  #loading: { promise: Promise<SettingsSnapshot>; generation: number } | undefined;
  // Bumped by every invalidation: a load that began before it may have read the old rows, so its result is kept
  // for the readers already waiting on it but is not taken as fresh.
  #generation = 0;
  /** Loads from the database, for the tests' "one query per change, not per read". */
  loads = 0;

  constructor(db: Database, options: SettingsCacheOptions = {}) {
    this.#db = db;
    this.#ttlMs = options.ttlMs ?? DEFAULT_SETTINGS_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  async snapshot(): Promise<SettingsSnapshot> {
    const current = this.#current;
    if (current && current.generation === this.#generation && this.#now() - current.loadedAt < this.#ttlMs) {
      return current.snapshot;
    }
    try {
      return await this.#load();
    } catch (error) {
      // The database could not answer: the last copy, however old, beats failing every request that reads a flag.
      if (current) return current.snapshot;
      throw error;
    }
  }

  invalidate(): void {
    this.#generation += 1;
  }

  #load(): Promise<SettingsSnapshot> {
    const generation = this.#generation;
    if (this.#loading && this.#loading.generation === generation) return this.#loading.promise;
    const startedAt = this.#now();
    const promise = (async () => {
      this.loads += 1;
      // In a transaction: a request whose reads go to a replica (ADR 0099) must not cache a lagging copy as fresh
      // right after a notice; transactions always run on the primary. One snapshot for both tables, too.
      const [configs, flags] = await this.#db
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute(async (tx) => [await loadStoredConfigs(tx), await loadStoredFlags(tx)] as const);
      const snapshot: SettingsSnapshot = {
        configs: new Map(configs.map((row) => [row.key, row])),
        flags: new Map(flags.map((row) => [row.key, row])),
      };
      if (!this.#current || this.#current.loadedAt <= startedAt)
        this.#current = { snapshot, loadedAt: startedAt, generation };
      return snapshot;
    })();
    this.#loading = { promise, generation };
    void promise.then(
      () => this.#clearLoading(promise),
      () => this.#clearLoading(promise),
    );
    return promise;
  }

  #clearLoading(promise: Promise<SettingsSnapshot>): void {
    if (this.#loading?.promise === promise) this.#loading = undefined;
  }
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * One LISTEN connection per instance (LISTEN needs a session of its own, not a pooled connection). It reconnects
 * with backoff and invalidates the cache on every (re)connection, since changes made meanwhile were not announced.
 */
export class SettingsListener {
  readonly #connection: pg.ClientConfig;
  readonly #cache: SettingsCache;
  readonly #onError: (error: Error) => void;
  #client: pg.Client | undefined;
  #closed = false;
  #retryMs = RECONNECT_MIN_MS;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(connection: pg.ClientConfig, cache: SettingsCache, onError: (error: Error) => void) {
    this.#connection = connection;
    this.#cache = cache;
    this.#onError = onError;
  }

  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** Never throws: a database down at start only delays the listening (the TTL covers the gap). */
  async start(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      this.#report(error);
      this.#scheduleReconnect();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const current = this.#client;
    this.#client = undefined;
    if (current) await current.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    const next = new pg.Client(this.#connection);
    next.on('notification', (message) => {
      if (message.channel === SETTINGS_CHANNEL) this.#cache.invalidate();
    });
    const lost = (error?: Error) => {
      if (this.#client !== next) return;
      this.#client = undefined;
      next.removeAllListeners('notification');
      void next.end().catch(() => {});
      if (error) this.#report(error);
      this.#scheduleReconnect();
    };
    next.on('error', lost);
    next.on('end', () => lost());
    try {
      await next.connect();
      await next.query(`LISTEN ${SETTINGS_CHANNEL}`);
    } catch (error) {
      next.removeAllListeners();
      next.on('error', () => {});
      void next.end().catch(() => {});
      throw error;
    }
    if (this.#closed) {
      await next.end();
      return;
    }
    this.#client = next;
    this.#retryMs = RECONNECT_MIN_MS;
    this.#cache.invalidate();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect().catch((error: unknown) => {
        this.#report(error);
        this.#retryMs = Math.min(this.#retryMs * 2, RECONNECT_MAX_MS);
        this.#scheduleReconnect();
      });
    }, this.#retryMs);
    this.#retryTimer.unref();
  }

  #report(error: unknown): void {
    this.#onError(error instanceof Error ? error : new Error(String(error)));
  }
}

// One cache per pool, that is per running instance: the auth domain reads the registration switch from the same copy
// the admin routes invalidate, without the composition root carrying it.
const caches = new WeakMap<Pool, SettingsCache>();

export function settingsCacheOf(pool: Pool): SettingsCache {
  let cache = caches.get(pool);
  if (!cache) {
    cache = new SettingsCache(pool.db);
    caches.set(pool, cache);
  }
  return cache;
}
