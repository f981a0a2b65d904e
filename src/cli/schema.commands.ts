import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../platform/config/config.ts';
import { withFreshDatabase } from '../platform/db/scratch-database.ts';
import { projectRoot } from '../platform/project-root.ts';
import { loadTableRegistry } from '../lifecycle/table-registry.ts';
import { tablesByDomain } from '../domains/table-ownership.ts';
import {
  catalogOf,
  currentSchema,
  previousMain,
  schemaAt,
  SNAPSHOT_FILE,
  snapshotText,
} from '../schema-guard/base-schema.ts';
import { checkSchema, formatViolation, loadExceptions } from '../schema-guard/check.ts';
import { diffSchemas } from '../schema-guard/diff.ts';
import { lifecycleFacts } from '../schema-guard/registry-facts.ts';
import { reviewChanges } from '../schema-guard/review.ts';
import { RULES } from '../schema-guard/rules.ts';
import { renderSchemaDocs, writeSchemaDocs } from '../schema-guard/schema-docs.ts';
import { withConfiguredDatabase } from './with-configured-database.ts';

const print = (line: string) => console.log(line);
const DOCS_DIR = join(projectRoot, 'docs', 'schema');

export function registerSchemaCommands(program: Command, config: () => Config): void {
  const schema = program.command('schema').description('check, compare and document the schema');

  schema
    .command('check')
    .description("check the schema against the spec's immutable rules, ethics and GDPR (non-zero exit on violations)")
    .option(
      '--current',
      'check the configured database as it is, instead of a fresh database migrated from this checkout',
    )
    .option('--rules', 'list the rules and exit')
    .action(async (options: { current?: boolean; rules?: boolean }) => {
      if (options.rules) {
        for (const rule of RULES) print(`${rule.id.padEnd(18)} ${rule.description}`);
        return;
      }
      const registry = lifecycleFacts(loadTableRegistry());
      const exceptions = loadExceptions();
      const catalog = await withConfiguredDatabase(config(), (url) =>
        options.current ? catalogOf(url) : withFreshDatabase(url, catalogOf),
      );
      const result = checkSchema(catalog, registry, exceptions);
      for (const violation of result.violations) print(formatViolation(violation));
      for (const stale of result.staleExceptions) {
        print(
          `${'stale-exception'.padEnd(18)} ${stale.object}: the ${stale.rule} exception in db/schema-exceptions.json matches nothing`,
        );
      }
      const failures = result.violations.length + result.staleExceptions.length;
      print(
        failures === 0
          ? `schema check: ${catalog.tables.length} tables pass ${RULES.length} rules (${exceptions.length} declared exceptions)`
          : `schema check: ${failures} problem(s)`,
      );
      if (failures > 0) process.exitCode = 1;
    });

  schema
    .command('diff')
    .description('classify every schema change since a git ref: allowed, needs an RFC, or forbidden')
    .requiredOption('--base <ref>', 'git ref to compare with, or "auto" for the main before the current work')
    .action(async (options: { base: string }) => {
      const base = options.base === 'auto' ? previousMain() : options.base;
      if (!base) {
        print('schema diff: no earlier main to compare with (first commits of the project)');
        return;
      }
      const { before, after } = await withConfiguredDatabase(config(), async (url) => ({
        before: await schemaAt(base, url),
        after: await currentSchema(url),
      }));
      const changes = diffSchemas(before.catalog, after.catalog, { base: before.retention, head: after.retention });
      const newMigrations = new Map([...after.migrations].filter(([file]) => !before.migrations.has(file)));
      const review = reviewChanges(changes, newMigrations);
      for (const change of changes) print(`${change.class.padEnd(10)} ${change.object}: ${change.description}`);
      if (review.rfcs.length > 0) print(`RFCs cited: ${review.rfcs.join(', ')}`);
      for (const problem of review.problems) print(`✖ ${problem}`);
      print(`schema diff against ${base}: ${changes.length} change(s), ${review.problems.length} problem(s)`);
      if (review.problems.length > 0) process.exitCode = 1;
    });

  schema
    .command('snapshot')
    .description('write db/schema.snapshot.json from a database migrated from this checkout')
    .option('--check', 'fail when the committed snapshot differs instead of writing it')
    .action(async (options: { check?: boolean }) => {
      const catalog = await withConfiguredDatabase(config(), (url) => withFreshDatabase(url, catalogOf));
      const text = snapshotText(catalog);
      if (options.check) {
        const committed = await readFile(SNAPSHOT_FILE, 'utf8').catch(() => '');
        if (committed !== text) {
          print('db/schema.snapshot.json is stale: run `npm run veza -- schema snapshot`');
          process.exitCode = 1;
        }
        return;
      }
      await writeFile(SNAPSHOT_FILE, text);
      print(`wrote ${SNAPSHOT_FILE}`);
    });

  schema
    .command('docs')
    .description('write docs/schema/ (per-module pages with ER diagrams) from a database migrated from this checkout')
    .action(async () => {
      const catalog = await withConfiguredDatabase(config(), (url) => withFreshDatabase(url, catalogOf));
      await writeSchemaDocs(renderSchemaDocs(catalog, tablesByDomain), DOCS_DIR);
      print(`wrote ${DOCS_DIR}`);
    });
}
