import type { Rng } from './random.ts';

/**
 * `k` distinct values of [0, n) that `ok` accepts: each drawn by `draw(j)` (up to 8 tries), else found by probing
 * upwards from the last draw. Unique keys (a user likes a track once) hold without a global set, and the count is
 * exact; the caller caps `k` so that enough acceptable values exist, and a shortfall is a bug, reported as such.
 */
export function distinctPicks(
  k: number,
  n: number,
  rng: Rng,
  draw: (j: number) => number,
  ok: (value: number) => boolean = () => true,
): number[] {
  const chosen = new Set<number>();
  const picks: number[] = [];
  for (let j = 0; j < k; j++) {
    let value = -1;
    let candidate = 0;
    for (let attempt = 0; attempt < 8 && value < 0; attempt++) {
      candidate = draw(j);
      if (!chosen.has(candidate) && ok(candidate)) value = candidate;
    }
    for (let step = 1; step < n && value < 0; step++) {
      const probe = (candidate + step) % n;
      if (!chosen.has(probe) && ok(probe)) value = probe;
    }
    if (value < 0) throw new Error(`seed: cannot draw ${k} distinct values out of ${n} (rng at ${rng.next()})`);
    chosen.add(value);
    picks.push(value);
  }
  return picks;
}
