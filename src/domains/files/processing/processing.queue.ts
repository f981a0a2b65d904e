// The pipeline as pg-boss jobs (issue 12 §4): one `files.process` job per file, retried with exponential
// backoff a bounded number of times, and a recovery sweep for files whose request was lost (no worker bound when
// the upload finished, or a crash between the commit and the send).
import { PgBoss } from 'pg-boss';
import { processFile, recordGiveUp, type ProcessingDeps } from './pipeline.ts';
import { ProcessingRepository } from './processing.repository.ts';

export const PROCESS_QUEUE = 'files.process';

/** Attempts after the first; with backoff from 30 s they span about a quarter of an hour before giving up. */
export const RETRY_LIMIT = 4;
export const RETRY_DELAY_SECONDS = 30;
/** A file still unprocessed this long after its upload has lost its job; the sweep sends it again. */
export const STALLED_AFTER_MS = 30 * 60 * 1000;

export interface ProcessingQueue {
  send(fileId: string): Promise<void>;
}

let bound: ProcessingQueue | null = null;

/** Makes enqueueProcessing send to `queue` (null unbinds); the worker binds itself, tests may bind their own. */
export function bindProcessingQueue(queue: ProcessingQueue | null): void {
  bound = queue;
}

export function currentProcessingQueue(): ProcessingQueue | null {
  return bound;
}

/** Sends every file that should have been processed by `now` but was not, and says how many. */
export async function recoverStalledFiles(
  db: ProcessingDeps['db'],
  send: (fileId: string) => Promise<void>,
  now: Date,
  log: (line: string) => void,
): Promise<number> {
  const stalled = await new ProcessingRepository(db).findStalledFiles(new Date(now.getTime() - STALLED_AFTER_MS), 500);
  for (const fileId of stalled) await send(fileId);
  if (stalled.length > 0) log(`files.processing-recover: queued ${stalled.length} stalled file(s) again`);
  return stalled.length;
}

export interface ProcessingWorker {
  /** Sends straight to this worker's queue (the same as enqueueProcessing while it is bound). */
  send(fileId: string): Promise<void>;
  /** Queues every stalled file again, as the `files.processing-recover` job does on its schedule. */
  recover(now?: Date): Promise<number>;
  stop(): Promise<void>;
}

/**
 * For a process that serves HTTP but runs no jobs (a `veza serve` cluster worker): enqueueProcessing sends to the
 * queue that the job-running process works. Supervision, scheduling and migration stay with that process.
 */
export async function startProcessingSender(
  url: string,
  log: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss',
    application_name: 'veza-files',
    max: 2,
    supervise: false,
    schedule: false,
    migrate: false,
  });
  boss.on('error', (error: Error) => log(`files processing queue: ${error.message}`));
  try {
    await boss.start();
  } catch (error) {
    // pg-boss's tables are made by the process that runs jobs; serving HTTP must not depend on them existing yet.
    log(
      `files processing queue: not connected (${error instanceof Error ? error.message : String(error)}); new files wait for the recovery sweep`,
    );
    return { stop: () => Promise.resolve() };
  }
  const queue: ProcessingQueue = {
    send: async (fileId) => {
      // The job-running process creates the queue; until it has, the recovery sweep catches the file later.
      if (!(await boss.getQueue(PROCESS_QUEUE))) return;
      await boss.send(PROCESS_QUEUE, { fileId }, { singletonKey: fileId });
    },
  };
  bindProcessingQueue(queue);
  return {
    stop: async () => {
      if (bound === queue) bindProcessingQueue(null);
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

export interface ProcessingWorkerOptions {
  url: string;
  deps: ProcessingDeps;
  /** How many files one process works on at once: ffmpeg is CPU-bound, so few. */
  concurrency?: number;
  /** Base retry delay and number of retries; tests shorten them. */
  retryDelaySeconds?: number;
  retryLimit?: number;
  pollingIntervalSeconds?: number;
  log?: (line: string) => void;
}

export async function startProcessingWorker(options: ProcessingWorkerOptions): Promise<ProcessingWorker> {
  const log = options.log ?? (() => {});
  const boss = new PgBoss({ connectionString: options.url, schema: 'pgboss', application_name: 'veza-files', max: 3 });
  // Without a listener pg-boss's first 'error' event (a lost database) would end the process (ADR 0029).
  boss.on('error', (error: Error) => log(`files processing queue: ${error.message}`));
  await boss.start();
  const retryDelay = options.retryDelaySeconds ?? RETRY_DELAY_SECONDS;
  const retryLimit = options.retryLimit ?? RETRY_LIMIT;
  // Stately with one key per file: at most one waiting and one running job per file, however often it is sent.
  if (!(await boss.getQueue(PROCESS_QUEUE))) {
    await boss.createQueue(PROCESS_QUEUE, {
      policy: 'stately',
      retryLimit,
      retryDelay,
      retryBackoff: true,
      retryDelayMax: 15 * 60,
      expireInSeconds: 60 * 60,
    });
  }

  const send = async (fileId: string): Promise<void> => {
    await boss.send(PROCESS_QUEUE, { fileId }, { singletonKey: fileId, retryLimit, retryDelay, retryBackoff: true });
  };
  const recover = (now = new Date()): Promise<number> => recoverStalledFiles(options.deps.db, send, now, log);

  await boss.work<{ fileId?: unknown }>(
    PROCESS_QUEUE,
    { localConcurrency: options.concurrency ?? 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
    async ([job]) => {
      if (!job) return;
      const fileId = job.data.fileId;
      // A payload that is not a file id can never succeed: completing it is better than retrying it.
      if (typeof fileId !== 'string' || !/^[0-9a-f-]{36}$/i.test(fileId)) {
        log(`files.process: ignored a job without a valid file id (${job.id})`);
        return;
      }
      try {
        const outcome = await processFile(options.deps, fileId);
        log(`files.process ${fileId}: ${outcome}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (job.retryCount >= retryLimit) {
          await recordGiveUp(options.deps.db, fileId, job.retryCount + 1, reason);
          log(`files.process ${fileId}: gave up after ${job.retryCount + 1} attempts: ${reason}`);
          return;
        }
        log(`files.process ${fileId}: attempt ${job.retryCount + 1} failed, will retry: ${reason}`);
        throw error;
      }
    },
  );

  const queue = { send };
  bindProcessingQueue(queue);
  return {
    send,
    recover,
    stop: async () => {
      if (bound === queue) bindProcessingQueue(null);
      await boss.stop({ graceful: true, timeout: 30_000 });
    },
  };
}
