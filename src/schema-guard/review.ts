import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../platform/project-root.ts';
import { citedRfcs, type SchemaChange } from './diff.ts';

export interface Review {
  changes: SchemaChange[];
  /** RFC files cited by the migrations added since the base. */
  rfcs: string[];
  problems: string[];
}

/**
 * Forbidden changes always fail. Changes that need an RFC pass only when every migration added
 * since the base cites an RFC (`-- RFC: docs/rfc/NNNN-title.md`) and the cited files exist.
 */
export function reviewChanges(
  changes: SchemaChange[],
  newMigrations: ReadonlyMap<string, string>,
  root: string = projectRoot,
): Review {
  const problems: string[] = [];
  const rfcs = new Set<string>();
  const uncited: string[] = [];
  for (const [file, text] of newMigrations) {
    if (!file.endsWith('.up.sql')) continue;
    const cited = citedRfcs(text);
    if (cited.length === 0) uncited.push(file);
    for (const rfc of cited) {
      if (existsSync(join(root, rfc))) rfcs.add(rfc);
      else problems.push(`${file} cites ${rfc}, which does not exist`);
    }
  }
  for (const change of changes.filter((c) => c.class === 'forbidden')) {
    problems.push(`forbidden: ${change.object}: ${change.description}`);
  }
  const needRfc = changes.filter((c) => c.class === 'needs-rfc');
  if (needRfc.length > 0 && (rfcs.size === 0 || uncited.length > 0)) {
    const why = rfcs.size === 0 ? 'no new migration cites an RFC' : `${uncited.join(', ')} cite no RFC`;
    problems.push(`${needRfc.length} change(s) need an RFC in docs/rfc/, and ${why}`);
  }
  return { changes, rfcs: [...rfcs], problems };
}
