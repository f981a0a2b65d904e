// Deterministic randomness for the seed data generator. Two kinds:
// - counter-based: hash32(seed, stream, index, salt) is a pure function, so any table can recompute an attribute of
//   row `index` of another table (its id, its timestamp) without reading it back or keeping it in memory;
// - sequential: Rng (mulberry32), reset per row from the counter-based hash, for the many minor fields of one row.

/** murmur3's 32-bit finaliser: a bijection of 32-bit integers with good avalanche. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a name: turns "users.id" into the stream number its values are drawn from. */
export function streamOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const TWO_POW_32 = 4294967296;

/**
 * A 32-bit value from (seed, stream, index, salt). For fixed seed, stream, salt and index < 2^32 the map from index
 * is a bijection (the last step xors the index into a fixed state and applies fmix32), so ids of one stream never
 * collide.
 */
export function hash32(seed: number, stream: number, index: number, salt: number): number {
  let h = fmix32(seed ^ Math.imul(salt + 1, 0x9e3779b9));
  h = fmix32(h ^ stream);
  if (index >= TWO_POW_32) h = fmix32(h ^ Math.floor(index / TWO_POW_32));
  return fmix32(h ^ (index >>> 0));
}

/** A float in [0, 1) from (seed, stream, index, salt). */
export function unit(seed: number, stream: number, index: number, salt = 0): number {
  return hash32(seed, stream, index, salt) / TWO_POW_32;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The 8 hex digits of a 32-bit value. */
export function hex8(word: number): string {
  return (
    (HEX[word >>> 24] as string) +
    (HEX[(word >>> 16) & 255] as string) +
    (HEX[(word >>> 8) & 255] as string) +
    (HEX[word & 255] as string)
  );
}

/**
 * A UUID of version 4 shape (RFC 9562 version and variant bits) for row `index` of `stream`. Within one stream the
 * first and last words are bijections of the index, so two rows of a stream never share an id.
 */
export function uuidFor(seed: number, stream: number, index: number): string {
  const a = hex8(hash32(seed, stream, index, 1));
  const b = hex8(((hash32(seed, stream, index, 2) & 0xffff0fff) | 0x00004000) >>> 0);
  const c = hex8(((hash32(seed, stream, index, 3) & 0x3fffffff) | 0x80000000) >>> 0);
  const d = hex8(hash32(seed, stream, index, 4));
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

/** `length` hex digits (a multiple of 8) drawn for row `index` of `stream`: tokens, hashes, keys. */
export function hexFor(seed: number, stream: number, index: number, length: number): string {
  let out = '';
  for (let salt = 10; out.length < length; salt++) out += hex8(hash32(seed, stream, index, salt));
  return out.slice(0, length);
}

/** mulberry32: a small, fast sequential generator, reset per row from the counter-based hash. */
export class Rng {
  private state = 0;
  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
  }

  /** Positions the generator on row `index` of `stream`: the draws that follow depend on nothing else. */
  reset(stream: number, index: number): this {
    this.state = hash32(this.seed, stream, index, 0x5eed) | 0;
    return this;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }

  /** An index in [0, n) biased towards 0: the head of the list gets most draws (power > 1). */
  skewed(n: number, power: number): number {
    return Math.floor(n * this.next() ** power);
  }

  /** Picks from `weights` (not necessarily normalised; see `cumulative`) by binary search. */
  weighted(cumulativeWeights: Float64Array): number {
    const total = cumulativeWeights[cumulativeWeights.length - 1] as number;
    const target = this.next() * total;
    let low = 0;
    let high = cumulativeWeights.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulativeWeights[mid] as number) > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  /** A count with the given mean drawn from an exponential distribution: most parents have few, some many. */
  exponentialCount(mean: number, max: number): number {
    const value = Math.floor(-Math.log(1 - this.next()) * mean + this.next());
    return Math.min(value, max);
  }

  /** Hex digits from the sequence: `length` a multiple of 8. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += hex8((this.next() * TWO_POW_32) >>> 0);
    return out;
  }
}

/** Running sums of `weights`, for Rng.weighted. */
export function cumulative(weights: readonly number[]): Float64Array {
  const sums = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((weight, i) => {
    total += weight;
    sums[i] = total;
  });
  return sums;
}
