import type { JobDefinition } from '../jobs/job.ts';
import type { JobRunResult } from '../jobs/run-job.ts';
import type { Metrics } from './metrics.ts';

/**
 * Runs `run` (runJob for `job`) and counts it in the veza_job_* metrics. A run whose bookkeeping itself failed
 * (runJob threw: the database went away) counts as failed too: the job did not do its work.
 */
export async function measuredJobRun(
  metrics: Metrics | undefined,
  job: JobDefinition,
  run: () => Promise<JobRunResult>,
): Promise<JobRunResult> {
  if (!metrics) return run();
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const result = await run();
    metrics.recordJobRun(job.name, result.status, seconds(), new Date());
    return result;
  } catch (error) {
    metrics.recordJobRun(job.name, 'failed', seconds(), new Date());
    throw error;
  }
}
