import { sql } from 'kysely';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import {
  anonymiseAccounts,
  anonymisedEmail,
  hidePublicContent,
  jobTransactor,
  loadAccountPlan,
} from '../gdpr/account-deletion.ts';
import { loadTableRegistry } from '../table-registry.ts';

/** Accounts handled per round: their personal data is then removed table by table in 10k-row batches. */
export const ACCOUNTS_PER_ROUND = 500;

/** The registry rule this job enforces: users.retention (maxAgeDays after clock). */
export function accountRetention(): { maxAgeDays: number; clock: string } {
  const { maxAgeDays, clock } = loadTableRegistry().users?.retention ?? {};
  if (!maxAgeDays || !clock) throw new Error('db/table-registry.json: users has no retention period');
  return { maxAgeDays, clock };
}

/**
 * Spec §19.3 steps 2-3, ADR 0019: accounts soft-deleted more than 30 days ago (registry: users, clock
 * deleted_at) and not yet anonymised lose their personal data (deleted or detached per table, see
 * loadAccountPlan) and their users row is anonymised; legal records stay, pointing at the anonymous row.
 * First, content that an interrupted deletion request left visible is hidden, for every deleted account.
 */
export const accountsAnonymise: JobDefinition = {
  name: 'accounts.anonymise',
  description: 'anonymise accounts deleted more than 30 days ago and remove their personal data (§19.3)',
  defaultSchedule: '30 3 * * *',
  async run(context) {
    const { maxAgeDays, clock } = accountRetention();
    const { db } = context;
    const plan = await loadAccountPlan(db);
    const {
      rows: [{ cutoff } = { cutoff: new Date(0) }],
    } = await sql<{ cutoff: Date }>`
      SELECT ${context.now}::timestamptz - make_interval(days => ${maxAgeDays}::int) AS cutoff`.execute(db);
    const first = '00000000-0000-0000-0000-000000000000';
    // Content an interrupted deletion request left visible is hidden now (ADR 0019); normally none.
    for (let after = first; ;) {
      const { rows: deleted } = await sql<{ id: string }>`
        SELECT id FROM users
        WHERE deleted_at IS NOT NULL AND email <> ${anonymisedEmail('id')} AND id > ${after}::uuid
        ORDER BY id LIMIT ${ACCOUNTS_PER_ROUND}`.execute(db);
      const last = deleted.at(-1);
      if (!last) break;
      const ids = deleted.map((row) => row.id);
      for (const [table, count] of Object.entries(await hidePublicContent(jobTransactor(context), plan, ids))) {
        context.count(table, count);
      }
      after = last.id;
    }
    for (let after = first; ;) {
      const { rows: due } = await sql<{ id: string }>`
        SELECT id FROM users
        WHERE ${sql.id(clock)} < ${cutoff} AND email <> ${anonymisedEmail('id')} AND id > ${after}::uuid
        ORDER BY id LIMIT ${ACCOUNTS_PER_ROUND}`.execute(db);
      const last = due.at(-1);
      if (!last) return;
      await anonymiseAccounts(
        context,
        plan,
        due.map((row) => row.id),
        { deletedBefore: cutoff },
      );
      after = last.id;
    }
  },
};
