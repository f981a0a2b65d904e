import { filesProcessingRecover, filesStorageSweep, filesUploadsExpire } from '../domains/files/index.ts';
import { playWindowsExpire } from '../domains/streaming/index.ts';
import { chatEventsExpire } from '../domains/chat/index.ts';
import { notificationsMail } from '../domains/notifications/index.ts';
import { gearWarrantyReminders } from '../domains/gear/index.ts';
import { cloudBackups } from '../domains/cloud/index.ts';
import { searchVocabulary, searchVocabularyPrune } from '../domains/search/index.ts';
import { marketExpireUnpaidOrders, marketPayouts } from '../domains/marketplace/index.ts';
import { analyticsReportsExpire, analyticsReportsGenerate } from '../domains/analytics/index.ts';
import { backupJobs, backupScheduleEnabled } from '../platform/backup/backup-jobs.ts';
import type { JobDefinition } from '../platform/jobs/job.ts';
import { accountsAnonymise } from './jobs/accounts-anonymise.ts';
import { gdprExports } from './jobs/gdpr-exports.ts';
import { maintainPartitions } from './jobs/partitions.ts';
import { refreshTrendingTracks, refreshUserStatistics } from './jobs/refresh-views.ts';
import { retentionActivity } from './jobs/retention-activity.ts';
import { retentionAnalytics } from './jobs/retention-analytics.ts';
import { retentionContent } from './jobs/retention-content.ts';
import { retentionIdempotency } from './jobs/retention-idempotency.ts';
import { retentionSessions } from './jobs/retention-sessions.ts';

/** Every maintenance job, run on schedule by `veza serve` and by hand with `veza jobs run`. */
export const lifecycleJobs: JobDefinition[] = [
  maintainPartitions,
  retentionSessions,
  retentionActivity,
  retentionAnalytics,
  retentionContent,
  retentionIdempotency,
  refreshTrendingTracks,
  refreshUserStatistics,
  accountsAnonymise,
  gdprExports,
  filesUploadsExpire,
  filesStorageSweep,
  filesProcessingRecover,
  playWindowsExpire,
  chatEventsExpire,
  notificationsMail,
  gearWarrantyReminders,
  cloudBackups,
  marketExpireUnpaidOrders,
  marketPayouts,
  analyticsReportsGenerate,
  analyticsReportsExpire,
  searchVocabulary,
  searchVocabularyPrune,
];

/** What `veza serve` schedules: every maintenance job, and the backup jobs when VEZA_BACKUP_SCHEDULE=on (ADR 0097). */
export function scheduledJobs(env: Record<string, string | undefined> = process.env): JobDefinition[] {
  return backupScheduleEnabled(env) ? [...lifecycleJobs, ...backupJobs(env)] : lifecycleJobs;
}

/** A job `veza jobs run` can run: the backup jobs too, scheduled or not. */
export function findJob(name: string): JobDefinition | undefined {
  return [...lifecycleJobs, ...backupJobs()].find((job) => job.name === name);
}
