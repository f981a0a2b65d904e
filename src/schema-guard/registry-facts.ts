import type { TableRegistry } from '../lifecycle/table-registry.ts';
import type { TableLifecycleFacts } from './rules.ts';

/** What the schema guard reads from the table registry. */
export function lifecycleFacts(registry: TableRegistry): Map<string, TableLifecycleFacts> {
  return new Map(
    Object.entries(registry).map(([table, entry]) => [
      table,
      { userFacing: entry.userFacing, personalData: entry.personalData },
    ]),
  );
}
