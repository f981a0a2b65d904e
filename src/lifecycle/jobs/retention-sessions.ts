import { sql } from 'kysely';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { deleteInBatches } from '../batches.ts';

/**
 * Spec §18.1 "Sessions expirées": revoked or expired refresh tokens, and used or expired reset and
 * verification tokens, are deleted 30 days after they stopped being usable (§18.3).
 */
export const retentionSessions: JobDefinition = {
  name: 'retention.sessions',
  description: 'delete refresh, password-reset and email-verification tokens 30 days after expiry, revocation or use',
  defaultSchedule: '15 3 * * *',
  async run(context) {
    const { now } = context;
    await deleteInBatches(
      context,
      'refresh_tokens',
      sql`
        expires_at < ${now}::timestamptz - INTERVAL '30 days'
        OR (is_revoked AND revoked_at < ${now}::timestamptz - INTERVAL '30 days')`,
    );
    await deleteInBatches(
      context,
      'password_reset_tokens',
      sql`
        expires_at < ${now}::timestamptz - INTERVAL '30 days'
        OR (used AND used_at < ${now}::timestamptz - INTERVAL '30 days')`,
    );
    await deleteInBatches(
      context,
      'email_verification_tokens',
      sql`
        expires_at < ${now}::timestamptz - INTERVAL '30 days'
        OR (verified AND verified_at < ${now}::timestamptz - INTERVAL '30 days')`,
    );
  },
};
