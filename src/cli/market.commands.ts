import type { Command } from 'commander';
import { checkBooks } from '../domains/marketplace/index.ts';
import type { Config } from '../platform/config/config.ts';
import { openPool } from '../platform/db/pool.ts';
import { withConfiguredDatabase } from './with-configured-database.ts';

const print = (line: string) => console.log(line);

/** `veza market …`: the marketplace's money, checked by an operator (issue 16 §10, ADRs 0074, 0077). */
export function registerMarketCommands(program: Command, config: () => Config): void {
  const market = program.command('market').description("the marketplace's money: ledger checks");

  market
    .command('books')
    .description(
      'prove the ledger: every order balances (payment = shares + commission + tax, refunds mirror it) and no ' +
        'seller was paid more than they earned; exits 1 on any imbalance',
    )
    .action(async () => {
      const settings = config();
      await withConfiguredDatabase(settings, async (url) => {
        const pool = openPool(url, settings.db);
        try {
          const report = await checkBooks(pool.db);
          print(`orders checked:  ${report.ordersChecked}`);
          print(`sellers checked: ${report.sellersChecked}`);
          if (report.problems.length === 0) {
            print('the books balance');
            return;
          }
          print(`${report.problems.length} discrepancy(ies):`);
          for (const problem of report.problems) print(`  ${problem}`);
          console.error(`veza: the books do not balance (${report.problems.length} discrepancy(ies))`);
          process.exitCode = 1;
        } finally {
          await pool.close();
        }
      });
    });
}
