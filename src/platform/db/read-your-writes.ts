// Read-your-writes (ADR 0099): after a signed-in caller's write request, the primary's WAL position is kept under the
// caller's id; a read of that caller may then go only to a replica that has replayed that far. Several instances (or
// workers) share the marks through Redis; one process alone may keep them in memory.
import { Redis } from 'ioredis';

export interface WriteMarks {
  /** Remembers that `userId` wrote up to `lsn`; a later, smaller mark never replaces a larger one. */
  record(userId: string, lsn: bigint): Promise<void>;
  /** The caller's last write position still remembered, or undefined. */
  lastWrite(userId: string): Promise<bigint | undefined>;
  close(): Promise<void>;
}

/** 16 hex digits: the text order of two marks is their LSN order, which the Redis script compares. */
const encode = (lsn: bigint) => lsn.toString(16).padStart(16, '0');

/** Bound of the in-memory marks: past it the oldest go, and those callers' next reads use the primary's data anyway. */
const MAX_MEMORY_MARKS = 100_000;

export class MemoryWriteMarks implements WriteMarks {
  readonly #marks = new Map<string, { lsn: bigint; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(ttlSeconds: number, now: () => number = Date.now) {
    this.#ttlMs = ttlSeconds * 1000;
    this.#now = now;
  }

  record(userId: string, lsn: bigint): Promise<void> {
    const current = this.#marks.get(userId);
    this.#marks.delete(userId);
    this.#marks.set(userId, {
      lsn: current && current.lsn > lsn ? current.lsn : lsn,
      expiresAt: this.#now() + this.#ttlMs,
    });
    if (this.#marks.size > MAX_MEMORY_MARKS) this.#marks.delete(this.#marks.keys().next().value!);
    return Promise.resolve();
  }

  lastWrite(userId: string): Promise<bigint | undefined> {
    const mark = this.#marks.get(userId);
    if (mark && mark.expiresAt <= this.#now()) this.#marks.delete(userId);
    return Promise.resolve(mark && mark.expiresAt > this.#now() ? mark.lsn : undefined);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

// Keeps the larger of the stored and the new mark, and renews the expiry either way.
const RECORD_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current or current < ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

export class RedisWriteMarks implements WriteMarks {
  readonly #redis: Redis;
  readonly #ttlMs: number;
  readonly #prefix: string;

  constructor(url: string, ttlSeconds: number, prefix = 'veza:last-write:') {
    this.#redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    // Reported by the failing command itself (the read then uses the primary); without a listener ioredis prints it.
    this.#redis.on('error', () => {});
    this.#redis.defineCommand('vezaRecordWrite', { numberOfKeys: 1, lua: RECORD_SCRIPT });
    this.#ttlMs = ttlSeconds * 1000;
    this.#prefix = prefix;
  }

  async record(userId: string, lsn: bigint): Promise<void> {
    const redis = this.#redis as Redis & {
      vezaRecordWrite(key: string, lsn: string, ttlMs: number): Promise<unknown>;
    };
    await redis.vezaRecordWrite(this.#prefix + userId, encode(lsn), this.#ttlMs);
  }

  async lastWrite(userId: string): Promise<bigint | undefined> {
    const value = await this.#redis.get(this.#prefix + userId);
    return value === null ? undefined : BigInt(`0x${value}`);
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
