import type { Command } from 'commander';
import type { Config } from '../platform/config/config.ts';
import { openPool } from '../platform/db/pool.ts';
import { runJob } from '../platform/jobs/run-job.ts';
import { anonymiseAccounts, loadAccountPlan, requestAccountDeletion } from '../lifecycle/gdpr/account-deletion.ts';
import { assertUuid, exportUserData } from '../lifecycle/gdpr/export.ts';
import { accountRetention, accountsAnonymise } from '../lifecycle/jobs/accounts-anonymise.ts';
import { withConfiguredDatabase } from './with-configured-database.ts';

const print = (line: string) => console.log(line);

const counts = (rows: Record<string, number>) =>
  Object.entries(rows)
    .filter(([, n]) => n > 0)
    .map(([table, n]) => `${table}=${n}`)
    .join(' ') || 'none';

/** `veza gdpr export|delete USER_ID`: the data subject's rights (spec §19, ADR 0019, ADR 0020) run by an operator. */
export function registerGdprCommands(program: Command, config: () => Config): void {
  const gdpr = program.command('gdpr').description('GDPR requests: export (Art. 20) and account deletion (Art. 17)');

  gdpr
    .command('export <userId>')
    .description('write the user’s export archive (JSON + one CSV per table) now and print its path')
    .action(async (userId: string) => {
      assertUuid(userId);
      const settings = config();
      await withConfiguredDatabase(settings, async (url) => {
        const pool = openPool(url, settings.db);
        try {
          const result = await exportUserData(pool.db, userId, settings.dataDir, { redisUrl: settings.redis.url });
          const total = Object.values(result.rowsByTable).reduce((sum, n) => sum + n, 0);
          print(`exported ${total} row(s) of user ${userId}: ${counts(result.rowsByTable)}`);
          print(result.path);
        } finally {
          await pool.close();
        }
      });
    });

  gdpr
    .command('delete <userId>')
    .description('delete the account now (soft delete: no login, content hidden); anonymised after 30 days')
    .option('--now', 'anonymise at once instead of after the grace period (irreversible)')
    .action(async (userId: string, options: { now?: boolean }) => {
      assertUuid(userId);
      const settings = config();
      const { maxAgeDays } = accountRetention();
      await withConfiguredDatabase(settings, async (url) => {
        const pool = openPool(url, settings.db);
        try {
          const request = await requestAccountDeletion(pool.db, userId, {
            dataDir: settings.dataDir,
            redisUrl: settings.redis.url,
          });
          const when = request.deletedAt.toISOString();
          print(
            request.alreadyDeleted
              ? `user ${userId} was already deleted at ${when}; nothing changed`
              : `user ${userId} deleted at ${when}: logged out (${request.revokedRefreshTokens} refresh token(s) revoked), ` +
                  `content hidden: ${counts(request.hidden)}`,
          );
          if (!options.now) {
            const due = new Date(request.deletedAt.getTime() + maxAgeDays * 86_400_000).toISOString();
            print(
              `its personal data is anonymised by the accounts.anonymise job after ${maxAgeDays} days (from ${due})`,
            );
            return;
          }
          let anonymised: string[] = [];
          const result = await runJob(
            {
              ...accountsAnonymise,
              async run(context) {
                anonymised = await anonymiseAccounts(context, await loadAccountPlan(context.db), [userId]);
              },
            },
            { db: pool.db, dataDir: settings.dataDir, redisUrl: settings.redis.url, triggeredBy: 'manual' },
          );
          if (result.status === 'failed') throw new Error(`anonymisation failed: ${result.error ?? 'unknown error'}`);
          const row = await pool.db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst();
          if (anonymised.length === 0 && row?.email !== `deleted_${userId}@anonymized.local`) {
            throw new Error('anonymisation left rows it could not reach (locked); run it again');
          }
          print(
            anonymised.length > 0
              ? `user ${userId} anonymised now: ${counts(result.rowsByTable)}`
              : `user ${userId} was already anonymised`,
          );
        } finally {
          await pool.close();
        }
      });
    });
}
