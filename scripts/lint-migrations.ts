// `npm run lint:migrations`: squawk over every up migration, with db/squawk.toml. The files marked
// `-- veza:no-transaction` are linted in a second pass with --no-assume-in-transaction, because the runner does
// not wrap them in a transaction (db/README.md): there squawk's transaction rules would be wrong, while
// require-concurrent-index-creation and the timeout rules still hold everywhere.
// Usage: node scripts/lint-migrations.ts [directory]   (default db/migrations)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isNoTransactionMigration } from '../src/platform/db/no-transaction-migration.ts';
import { projectRoot } from '../src/platform/project-root.ts';

const dir = resolve(process.argv[2] ?? join(projectRoot, 'db', 'migrations'));
const ups = readdirSync(dir)
  .filter((file) => file.endsWith('.up.sql'))
  .sort()
  .map((file) => join(dir, file));
const outside = ups.filter((file) => isNoTransactionMigration(readFileSync(file, 'utf8')));
const inside = ups.filter((file) => !outside.includes(file));

const squawk = join(projectRoot, 'node_modules', '.bin', 'squawk');
const config = join(projectRoot, 'db', 'squawk.toml');
let failed = false;
for (const [files, extra] of [
  [inside, []],
  [outside, ['--no-assume-in-transaction']],
] as const) {
  if (files.length === 0) continue;
  const run = spawnSync(squawk, ['--config', config, ...extra, ...files], { stdio: 'inherit' });
  if (run.error) throw run.error;
  if (run.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
