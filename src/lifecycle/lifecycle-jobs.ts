import { filesProcessingRecover, filesStorageSweep, filesUploadsExpire } from '../domains/files/index.ts';
import { playWindowsExpire } from '../domains/streaming/index.ts';
import { chatEventsExpire } from '../domains/chat/index.ts';
import { notificationsMail } from '../domains/notifications/index.ts';
import { gearWarrantyReminders } from '../domains/gear/index.ts';
import { cloudBackups } from '../domains/cloud/index.ts';
import { marketExpireUnpaidOrders, marketPayouts } from '../domains/marketplace/index.ts';
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
];

export function findJob(name: string): JobDefinition | undefined {
  return lifecycleJobs.find((job) => job.name === name);
}
