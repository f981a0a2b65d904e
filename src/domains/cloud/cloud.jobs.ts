// Scheduled backups (issue 17 §10-11, ADR 0085): every few minutes, the backups that are due — on their cron
// schedule, or on the retry time a failing account's backoff set — are run one after the other. A run already held
// by someone (an on-demand run through the API) is left alone; an abandoned one is taken over after STALE_RUN_MS.
import { loadConfig } from '../../platform/config/config.ts';
import { createSecretBox } from '../../platform/crypto/index.ts';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { storageForDataDir } from '../files/index.ts';
import { runBackup, type BackupDeps } from './cloud.backup.ts';
import { dueBackupJobs } from './cloud.repository.ts';

/** Backups started per run; the rest are due still and go next time. */
export const BACKUPS_PER_RUN = 20;

export interface CloudJobOptions {
  /** VEZA_CLOUD_ALLOW_PRIVATE_HOSTS unless given (the tests' loopback server). */
  allowPrivateHosts?: boolean;
  afterTransfer?: BackupDeps['afterTransfer'];
}

export function createCloudBackups(options: CloudJobOptions = {}): JobDefinition {
  return {
    name: 'cloud.backups',
    description: 'run the cloud backups that are due, and retry failing accounts with backoff (ADR 0085)',
    defaultSchedule: '*/5 * * * *',
    async run(context) {
      const due = await dueBackupJobs(context.db, context.now, BACKUPS_PER_RUN);
      if (context.dryRun || due.length === 0) {
        context.log(`cloud.backups: ${due.length} backup(s) due${context.dryRun ? ' (dry run: none started)' : ''}`);
        return;
      }
      const config = loadConfig();
      const deps: BackupDeps = {
        db: context.db,
        // The keys of the data directory the run is given, like the rest of what it reads.
        box: await createSecretBox({ ...config, dataDir: context.dataDir }),
        storage: storageForDataDir(context.dataDir),
        dataDir: context.dataDir,
        allowPrivateHosts: options.allowPrivateHosts ?? config.cloud.allowPrivateHosts,
        ...(options.afterTransfer ? { afterTransfer: options.afterTransfer } : {}),
      };
      for (const id of due) {
        const summary = await runBackup(deps, id, context.now);
        if (!summary || summary.status === 'busy') continue;
        context.count('sync_operations', summary.uploaded + summary.failed);
        context.log(
          `cloud.backups: ${id} ${summary.status}: ${summary.uploaded} sent, ${summary.skipped} unchanged, ` +
            `${summary.failed} failed${summary.error ? ` (${summary.error})` : ''}`,
        );
      }
    },
  };
}

export const cloudBackups = createCloudBackups();
