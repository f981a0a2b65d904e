// With VEZA_WORKERS > 1 (ADR 0030) the primary serves the metrics of every process (ADR 0089): at each scrape it
// asks each worker for its registry over the cluster's IPC channel and writes them out with its own. Every series
// carries its process's `worker` label, so nothing is summed here: a worker that dies and is replaced restarts its
// counters from zero under the same label, which Prometheus reads as the counter reset it is, where a sum across
// workers would drop suddenly and look like one.
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { Metrics } from './metrics.ts';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

interface MetricsRequest {
  veza: 'metrics-request';
  id: number;
}

interface MetricsReply {
  veza: 'metrics-reply';
  id: number;
  metrics: MetricsJson;
}

/** How long a scrape waits for the workers; one that has not answered by then is left out of that scrape. */
export const WORKER_REPLY_TIMEOUT_MS = 2_000;

/** In a worker: answers the primary's requests with this process's metrics. Returns the function that stops it. */
export function answerMetricsRequests(metrics: Metrics): () => void {
  const onMessage = (message: Partial<MetricsRequest> | null) => {
    if (message?.veza !== 'metrics-request' || typeof message.id !== 'number') return;
    const id = message.id;
    void metrics.registry.getMetricsAsJSON().then(
      (json) => process.send?.({ veza: 'metrics-reply', id, metrics: json as MetricsJson } satisfies MetricsReply),
      () => process.send?.({ veza: 'metrics-reply', id, metrics: [] } satisfies MetricsReply),
    );
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}

let nextRequestId = 0;

/** In the primary: its own metrics and those of every worker that answers in time, as one exposition text. */
export async function gatherClusterMetrics(
  own: Metrics,
  workers: Iterable<Worker>,
  timeoutMs = WORKER_REPLY_TIMEOUT_MS,
): Promise<string> {
  const id = (nextRequestId += 1);
  const asked = [...workers].filter((worker) => worker.isConnected());
  const replies = await Promise.all(asked.map((worker) => askWorker(worker, id, timeoutMs)));
  const families = [(await own.registry.getMetricsAsJSON()) as MetricsJson, ...replies.filter((r) => r !== undefined)];
  for (const family of families.flat()) {
    // Label sets differ by `worker`, so summing merges without adding anything up; prom-client's own choices
    // ('omit' for process_start_time_seconds, 'average' for event-loop lag) would drop or blend per-process series.
    family.aggregator = 'sum';
  }
  return AggregatorRegistry.aggregate(families).metrics();
}

function askWorker(worker: Worker, id: number, timeoutMs: number): Promise<MetricsJson | undefined> {
  return new Promise((resolve) => {
    const finish = (result: MetricsJson | undefined) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(result);
    };
    const onMessage = (message: Partial<MetricsReply> | null) => {
      if (message?.veza === 'metrics-reply' && message.id === id && Array.isArray(message.metrics)) {
        finish(message.metrics);
      }
    };
    const onExit = () => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    try {
      worker.send({ veza: 'metrics-request', id } satisfies MetricsRequest);
    } catch {
      finish(undefined);
    }
  });
}
