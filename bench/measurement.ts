// What every benchmark side (our data layer, pgbench, HTTP) reports, in one shape, so the report can put them side
// by side. Latencies are milliseconds.

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface Measurement {
  /** Completed requests (transactions, for pgbench and multi-statement workloads). */
  requests: number;
  /** Requests that failed; a failed request is not in the latencies. */
  errors: number;
  /** Measured wall time, seconds (warm-up excluded). */
  seconds: number;
  /** requests / seconds. */
  throughput: number;
  latency: LatencySummary;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least q of the values at or below it. */
export function percentile(sorted: Float64Array | readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/** Summarises latencies (ms) of a run of `seconds`. */
export function summarise(latenciesMs: Float64Array, seconds: number, errors: number): Measurement {
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    requests: sorted.length,
    errors,
    seconds,
    throughput: seconds > 0 ? sorted.length / seconds : 0,
    latency: {
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
      max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
    },
  };
}
