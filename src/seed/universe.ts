// The seeded world one run generates: its settings, its time line, and the in-memory arrays of the mid-sized
// entities (users, tracks, playlists, posts, products...) that several tables reference. Each array is built once,
// lazily, by the domain module owning the entity, from counter-based randomness only, so it is the same whichever
// table asks first. The big event tables (messages, plays, analytics, audit) are never held in memory: their rows
// are pure functions of their index.
import { Rng, streamOf, unit, uuidFor } from './random.ts';
import { Timeline } from './timeline.ts';

export interface SeedSettings {
  /** PRNG seed: the same seed, scale and anchor give the same rows, byte for byte. */
  seed: number;
  /** 1 is the one-year volume of spec §1.3. */
  scale: number;
  /** End of the seeded year (exclusive). */
  anchor: Date;
}

export class Universe {
  readonly seed: number;
  readonly scale: number;
  readonly time: Timeline;
  private readonly memo = new Map<string, unknown>();

  constructor(settings: SeedSettings) {
    if (!Number.isInteger(settings.seed) || settings.seed < 0 || settings.seed > 0xffffffff) {
      throw new Error(`the seed must be an integer from 0 to ${0xffffffff}`);
    }
    if (!(settings.scale > 0) || settings.scale > 100) throw new Error('the scale must be > 0 and at most 100');
    this.seed = settings.seed;
    this.scale = settings.scale;
    this.time = new Timeline(settings.anchor);
  }

  /** The value built by `build` under `key`, built on first use. */
  cached<T>(key: string, build: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = build();
    this.memo.set(key, value);
    return value;
  }

  /** `rowsAtScaleOne` scaled, rounded, and at least `min`. */
  scaled(rowsAtScaleOne: number, min = 1): number {
    return Math.max(min, Math.round(rowsAtScaleOne * this.scale));
  }

  /** A fresh sequential generator on this seed; reset it per row. */
  rng(): Rng {
    return new Rng(this.seed);
  }

  id(stream: number, index: number): string {
    return uuidFor(this.seed, stream, index);
  }

  unit(stream: number, index: number, salt = 0): number {
    return unit(this.seed, stream, index, salt);
  }
}

/** Stream numbers, computed once per name. */
export function streams<const T extends readonly string[]>(...names: T): { [K in T[number]]: number } {
  const result: Record<string, number> = {};
  for (const name of names) result[name] = streamOf(name);
  return result as { [K in T[number]]: number };
}

/**
 * Entities ordered by creation time: `existing(t)` is how many were created by t, `pick` draws one of them.
 * Built from any creation times; entities created in index order have byTime[i] = i.
 */
export class Timed {
  readonly created: Float64Array;
  /** Entity indexes sorted by creation time. */
  readonly byTime: Int32Array;
  private readonly sorted: Float64Array;

  constructor(created: Float64Array) {
    this.created = created;
    const order = Int32Array.from({ length: created.length }, (_, i) => i);
    let monotonic = true;
    for (let i = 1; i < created.length && monotonic; i++) {
      if ((created[i] as number) < (created[i - 1] as number)) monotonic = false;
    }
    if (!monotonic) order.sort((a, b) => (created[a] as number) - (created[b] as number) || a - b);
    this.byTime = order;
    this.sorted = Float64Array.from(order, (i) => created[i] as number);
  }

  get count(): number {
    return this.created.length;
  }

  /** How many entities were created at or before t. */
  existing(t: number): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.sorted[mid] as number) <= t) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * An entity created by t, `position` in [0, 1) over them from the oldest; the oldest one when none is (callers
   * then move their event after its creation).
   */
  pick(t: number, position: number): number {
    const n = Math.max(1, this.existing(t));
    return this.byTime[Math.min(n - 1, Math.floor(position * n))] as number;
  }

  /** Like pick, biased towards the oldest (long-standing, popular) entities. */
  pickSkewed(t: number, position: number, power: number): number {
    return this.pick(t, position ** power);
  }
}

/** Picks one of `members` (indexes into `created`, in creation order) created by t; the first when none is. */
export function pickMember(members: Int32Array, created: Float64Array, t: number, position: number): number {
  let low = 0;
  let high = members.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((created[members[mid] as number] as number) <= t) low = mid + 1;
    else high = mid;
  }
  const n = Math.max(1, low);
  return members[Math.min(n - 1, Math.floor(position * n))] as number;
}

/** Per-parent child counts with their running offsets: child rows of parent p are [start[p], start[p + 1]). */
export class Fanout {
  readonly counts: Uint32Array;
  readonly start: Float64Array;

  constructor(counts: Uint32Array) {
    this.counts = counts;
    this.start = new Float64Array(counts.length + 1);
    for (let p = 0; p < counts.length; p++) this.start[p + 1] = (this.start[p] as number) + (counts[p] as number);
  }

  get total(): number {
    return this.start[this.counts.length] as number;
  }

  /** Builds the counts with `count(parent, rng)`, the rng reset on (stream, parent). */
  static of(u: Universe, stream: number, parents: number, count: (parent: number, rng: Rng) => number): Fanout {
    const rng = u.rng();
    const counts = new Uint32Array(parents);
    for (let p = 0; p < parents; p++) counts[p] = Math.max(0, Math.floor(count(p, rng.reset(stream, p))));
    return new Fanout(counts);
  }

  /** The parent of child row `child` (binary search over the offsets). */
  parentOf(child: number): number {
    let low = 0;
    let high = this.counts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.start[mid] as number) <= child) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

/** Greatest common divisor, for the strides of the member permutations. */
export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * A stride coprime with n, so that j -> (origin + j * stride) mod n visits n distinct values: the members of a room
 * or group, distinct without a set, and recomputable from (origin, stride, j) alone.
 */
export function coprimeStride(n: number, position: number): number {
  if (n <= 2) return 1;
  let stride = 1 + Math.floor(position * (n - 1));
  while (gcd(stride, n) !== 1) stride = (stride % (n - 1)) + 1;
  return stride;
}
