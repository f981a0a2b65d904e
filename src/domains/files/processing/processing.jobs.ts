import type { JobDefinition } from '../../../platform/jobs/job.ts';
import { currentProcessingQueue, recoverStalledFiles } from './processing.queue.ts';

/**
 * Queues again the files whose processing request was lost (sent while no worker was bound, or a crash between the
 * upload's commit and the send). It runs with the other maintenance jobs, in the process that also works the queue.
 */
export const filesProcessingRecover: JobDefinition = {
  name: 'files.processing-recover',
  description: 'queue files left unprocessed 30 minutes after their upload for processing again',
  defaultSchedule: '*/10 * * * *',
  async run(context) {
    const queue = currentProcessingQueue();
    if (queue === null) {
      context.log('files.processing-recover: this process runs no processing worker; nothing was queued');
      return;
    }
    const send = context.dryRun ? () => Promise.resolve() : (fileId: string) => queue.send(fileId);
    context.count('files', await recoverStalledFiles(context.db, send, context.now, (line) => context.log(line)));
  },
};
