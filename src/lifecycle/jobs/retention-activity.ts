import { sql } from 'kysely';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { loadTableRegistry, type TableRegistry } from '../table-registry.ts';
import { olderThan, purgeInBatches, timeLimit } from './retention-support.ts';

/** The tables of spec §18.1 "Journaux d'activité" this job enforces (read by retention-coverage.ts). */
export const ACTIVITY_TABLES = ['login_attempts', 'typing_indicators', 'user_presence'] as const;

export interface RetentionJobOptions {
  /** Defaults to db/table-registry.json. */
  registry?: TableRegistry;
  /** Rows per batch (default 10,000). */
  batchSize?: number;
}

/**
 * Spec §18.1 "Journaux d'activité" (90 days, "suppression définitive"), periods from the registry (ADR 0018):
 * - login_attempts older than the limit (attempted_at). The partition job drops a monthly partition only once all
 *   of it is past the limit; this deletes the rows of the partition that straddles the limit, and rows stranded in
 *   the default partition. Batches go by partition and physical address (retention-support.ts).
 * - typing_indicators once expired (they are ignored after expires_at), and any whose typing started longer ago
 *   than the limit, whatever its expires_at says.
 * - user_presence of users not seen for the limit (last_seen_at): the whole row goes (status, custom status,
 *   activity), as the registry says; the application creates it again at the next connection.
 */
export function createRetentionActivity(options: RetentionJobOptions = {}): JobDefinition {
  return {
    name: 'retention.activity',
    description: 'delete login attempts, typing indicators and presence rows past the 90 days of spec §18.1',
    defaultSchedule: '30 3 * * *',
    async run(context) {
      const registry = options.registry ?? loadTableRegistry();
      const batch = { batchSize: options.batchSize };

      const attempts = timeLimit(registry, 'login_attempts');
      await purgeInBatches(context, 'login_attempts', olderThan('login_attempts', attempts, context.now), batch);

      // The registry's clock is expires_at: anything expired goes, which covers "expired 90 days ago".
      const typing = timeLimit(registry, 'typing_indicators');
      await purgeInBatches(
        context,
        'typing_indicators',
        sql`
          typing_indicators.expires_at < ${context.now}::timestamptz
          OR typing_indicators.started_at < ${context.now}::timestamptz - make_interval(days => ${typing.days}::int)`,
        batch,
      );

      const presence = timeLimit(registry, 'user_presence');
      await purgeInBatches(context, 'user_presence', olderThan('user_presence', presence, context.now), batch);
    },
  };
}

export const retentionActivity = createRetentionActivity();
