import { sql } from 'kysely';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { deleteInBatches } from '../batches.ts';

/**
 * ADR 0035: an idempotency key answers retries for 24 hours (expires_at); after it the row, with the response it
 * stored, is of no use and is deleted. Hourly, so that stored responses outlive their purpose by an hour at most.
 */
export const retentionIdempotency: JobDefinition = {
  name: 'retention.idempotency',
  description: 'delete idempotency keys and their stored responses once expired (24 hours)',
  defaultSchedule: '7 * * * *',
  async run(context) {
    await deleteInBatches(context, 'idempotency_keys', sql`expires_at < ${context.now}::timestamptz`);
  },
};
