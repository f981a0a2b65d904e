import type { Command } from 'commander';
import { createSearchRepository } from '../domains/search/index.ts';
import type { Config } from '../platform/config/config.ts';
import { openPool } from '../platform/db/pool.ts';
import { withConfiguredDatabase } from './with-configured-database.ts';

const print = (line: string) => console.log(line);

/** `veza search …`: the search index (issue 18 §3, ADR 0087). */
export function registerSearchCommands(program: Command, config: () => Config): void {
  const search = program.command('search').description('the search index');

  search
    .command('rebuild')
    .description(
      'rewrite every search document from its source row and drop those whose source is gone (the triggers keep ' +
        'the index in step; this repairs it after a restore or a bulk load with triggers off)',
    )
    .action(async () => {
      const settings = config();
      await withConfiguredDatabase(settings, async (url) => {
        const pool = openPool(url, settings.db);
        try {
          const counts = await createSearchRepository(pool.db).rebuild();
          for (const [type, count] of Object.entries(counts)) print(`${type.padEnd(9)} ${count}`);
          print('search index rebuilt');
        } finally {
          await pool.close();
        }
      });
    });
}
