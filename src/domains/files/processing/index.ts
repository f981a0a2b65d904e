// The processing pipeline's public surface (issue 12 §4). The upload service calls enqueueProcessing once a
// finished upload has become a `files` row; everything else here is wired by the composition root.
import { currentProcessingQueue } from './processing.queue.ts';

/**
 * Asks the pipeline to scan, describe, convert and draw the waveform of a stored file. Returns at once; the work
 * runs in the job worker. Sending twice for one file while a run is waiting is harmless (one queued job per file).
 * With no worker bound (a process that does not run jobs, or a test), the request is dropped and the file stays
 * `pending`: the recovery sweep (`files.processing-recover`) queues unprocessed files again.
 */
export async function enqueueProcessing(fileId: string): Promise<void> {
  try {
    await currentProcessingQueue()?.send(fileId);
  } catch {
    // The upload itself succeeded and must not fail for this: the recovery sweep queues the file again later.
  }
}

export { processFile, type ProcessingDeps, type ProcessingOutcome } from './pipeline.ts';
export { processingState, type ProcessingState, type ScanVerdict } from './processing.state.ts';
export {
  startProcessingWorker,
  startProcessingSender,
  bindProcessingQueue,
  type ProcessingWorker,
} from './processing.queue.ts';
export { startFilesProcessing } from './processing.start.ts';
export { filesProcessingRecover } from './processing.jobs.ts';
