// Every table the seed fills, in an order where each table comes after the tables it references.
import { adminTables, auditLogsTable } from './domains/admin.ts';
import { analyticsTables } from './domains/analytics.ts';
import { authTables } from './domains/auth.ts';
import { chatTables } from './domains/chat.ts';
import { cloudTables } from './domains/cloud.ts';
import { educationTables } from './domains/education.ts';
import { fileTables } from './domains/files.ts';
import { hardwareTables } from './domains/hardware.ts';
import { marketplaceTables } from './domains/marketplace.ts';
import { notificationTables } from './domains/notifications.ts';
import { profileTables } from './domains/profiles.ts';
import { searchTables } from './domains/search.ts';
import { socialTables } from './domains/social.ts';
import { streamingTables } from './domains/streaming.ts';
import type { SeedTable } from './table.ts';
import type { Universe } from './universe.ts';

function rowsOf(u: Universe, table: string): number {
  const found = byName.get(table);
  if (!found || found.kind !== 'copy') throw new Error(`seed: ${table} is not a generated table`);
  return found.count(u);
}

const declared: SeedTable[] = [
  ...authTables,
  ...profileTables,
  ...fileTables,
  ...streamingTables,
  ...chatTables,
  ...socialTables,
  ...marketplaceTables,
  ...educationTables,
  ...hardwareTables,
  ...cloudTables,
  ...searchTables,
  ...analyticsTables,
  ...adminTables,
  auditLogsTable(rowsOf),
  ...notificationTables,
];

const byName = new Map(declared.map((table) => [table.name, table]));

/** Orders `tables` parents first (depth-first over dependsOn, keeping the declared order otherwise). */
function parentsFirst(tables: readonly SeedTable[]): SeedTable[] {
  const ordered: SeedTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: SeedTable) => {
    const seen = state.get(table.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`seed: dependency cycle through ${table.name}`);
    state.set(table.name, 'visiting');
    for (const parent of table.dependsOn) {
      const parentTable = byName.get(parent);
      if (!parentTable) throw new Error(`seed: ${table.name} depends on ${parent}, which is not in the plan`);
      visit(parentTable);
    }
    state.set(table.name, 'done');
    ordered.push(table);
  };
  tables.forEach(visit);
  return ordered;
}

/** All tables of the plan, parents first. */
export const SEED_PLAN: readonly SeedTable[] = parentsFirst(declared);

/**
 * The tables to fill for `--tables`: the ones named plus every table they depend on, parents first. Unknown
 * names are an error listing the valid ones.
 */
export function selectTables(names: readonly string[] | undefined): SeedTable[] {
  if (!names || names.length === 0) return [...SEED_PLAN];
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new Error(`unknown table(s) ${unknown.join(', ')}; the seed knows ${[...byName.keys()].sort().join(', ')}`);
  }
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const parent of (byName.get(name) as SeedTable).dependsOn) add(parent);
  };
  names.forEach(add);
  return SEED_PLAN.filter((table) => wanted.has(table.name));
}
