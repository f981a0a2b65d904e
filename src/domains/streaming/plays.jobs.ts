// Lifecycle job of play counting (ADR 0045): a counting window row is only useful while its window lasts.
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { createPlaysRepository } from './plays.repository.ts';
import { MAX_WINDOW_SECONDS, MIN_WINDOW_SECONDS } from './plays.service.ts';

const BATCH = 5_000;

/**
 * Deletes play_count_windows rows whose window is over (db/table-registry.json: at most a day). Hourly, so a row
 * outlives its window by an hour at most. Idempotent: a second run finds nothing. A row deleted a moment early
 * could only let a play count one window too soon; the condition is the service's own window, so none is.
 */
export const playWindowsExpire: JobDefinition = {
  name: 'streaming.play-windows-expire',
  description: 'delete play counting windows that are over (ADR 0045)',
  defaultSchedule: '23 * * * *',
  async run(context) {
    const bounds = { minSeconds: MIN_WINDOW_SECONDS, maxSeconds: MAX_WINDOW_SECONDS };
    for (;;) {
      const deleted = await context.transaction((tx) =>
        createPlaysRepository({ db: tx }).deleteExpiredWindows(context.now, bounds, BATCH),
      );
      context.count('play_count_windows', deleted);
      if (deleted < BATCH) return;
    }
  },
};
