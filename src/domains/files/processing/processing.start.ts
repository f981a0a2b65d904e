// Starting the pipeline from the configuration: the job-running process works the queue, every other process only
// sends to it. A missing ffmpeg is found once here and logged, rather than failing every job.
import type { FilesConfig } from '../../../platform/config/config.ts';
import type { Database } from '../../../platform/db/pool.ts';
import { openObjectStorage } from '../storage/object-storage.ts';
import type { ProcessingTools } from './pipeline.ts';
import { startProcessingSender, startProcessingWorker } from './processing.queue.ts';
import { toolAvailable } from './tools.ts';

/** Default number of min/max pairs of a waveform (ADR 0041): one per pixel column of a wide player. */
export const WAVEFORM_BUCKETS = 1_800;

export async function processingTools(config: FilesConfig, log: (line: string) => void): Promise<ProcessingTools> {
  const { processing } = config;
  const [ffmpeg, ffprobe] = await Promise.all([toolAvailable(processing.ffmpeg), toolAvailable(processing.ffprobe)]);
  if (!ffmpeg) log(`files processing: ${processing.ffmpeg} not found: no renditions, waveforms or thumbnails`);
  if (!ffprobe) log(`files processing: ${processing.ffprobe} not found: image dimensions are not read`);
  if (processing.scanner === null)
    log('files processing: virus scanning is off (VEZA_CLAMSCAN=none): files stay unscanned');
  return {
    scanner: {
      command: processing.scanner,
      databaseDir: processing.clamavDatabaseDir,
      timeoutMs: processing.toolTimeoutSeconds * 1000,
    },
    ffmpeg: ffmpeg ? processing.ffmpeg : null,
    ffprobe: ffprobe ? processing.ffprobe : null,
    ffmpegTimeoutMs: processing.toolTimeoutSeconds * 1000,
    waveformBuckets: WAVEFORM_BUCKETS,
  };
}

/**
 * Binds enqueueProcessing for this process: with `work`, it also runs the worker and the recovery sweep (the
 * process that runs the jobs); without, it only sends (HTTP-only cluster workers).
 */
export async function startFilesProcessing(options: {
  url: string;
  db: Database;
  config: FilesConfig;
  work: boolean;
  log: (line: string) => void;
}): Promise<{ stop(): Promise<void> }> {
  if (!options.work) return startProcessingSender(options.url, options.log);
  return startProcessingWorker({
    url: options.url,
    deps: {
      db: options.db,
      storage: openObjectStorage(options.config),
      tools: await processingTools(options.config, options.log),
      log: options.log,
    },
    log: options.log,
  });
}
