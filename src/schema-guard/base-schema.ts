import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { withFreshDatabase } from '../platform/db/scratch-database.ts';
import { projectRoot } from '../platform/project-root.ts';
import { readCatalog, type Catalog } from './catalog.ts';
import type { RetentionFacts } from './diff.ts';

export const SNAPSHOT_FILE = join(projectRoot, 'db', 'schema.snapshot.json');

function git(args: string[], root: string): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A file's content at a git ref, or undefined when it does not exist there. */
function fileAt(ref: string, path: string, root: string): string | undefined {
  try {
    return git(['show', `${ref}:${path}`], root);
  } catch {
    return undefined;
  }
}

function migrationFilesAt(ref: string, root: string): string[] {
  return git(['ls-tree', '--name-only', `${ref}:db/migrations`], root)
    .split('\n')
    .filter((name) => name.endsWith('.sql'));
}

/**
 * The base of `veza schema diff --base auto`: the newest commit older than any session can be
 * (sessions last at most 3 hours), i.e. the main that was there before the current work.
 */
export function previousMain(root: string = projectRoot): string | undefined {
  const override = process.env.VEZA_SCHEMA_BASE;
  if (override) return override;
  const found = git(['rev-list', '-1', '--before=4 hours ago', 'HEAD'], root).trim();
  return found || undefined;
}

export function retentionFacts(registryJson: string | undefined): Map<string, RetentionFacts> {
  if (!registryJson) return new Map();
  const entries = JSON.parse(registryJson) as Record<string, { retention: RetentionFacts }>;
  return new Map(Object.entries(entries).map(([table, entry]) => [table, entry.retention]));
}

export interface SchemaState {
  catalog: Catalog;
  retention: Map<string, RetentionFacts>;
  /** Migration file names with their SQL. */
  migrations: Map<string, string>;
}

/** The schema at `ref`: its committed snapshot when it has one, else its migrations applied to a scratch database. */
export async function schemaAt(ref: string, serverUrl: string, root: string = projectRoot): Promise<SchemaState> {
  const migrations = new Map(
    migrationFilesAt(ref, root).map((name) => [name, git(['show', `${ref}:db/migrations/${name}`], root)]),
  );
  const retention = retentionFacts(fileAt(ref, 'db/table-registry.json', root));
  const snapshot = fileAt(ref, 'db/schema.snapshot.json', root);
  if (snapshot) return { catalog: JSON.parse(snapshot) as Catalog, retention, migrations };

  const dir = await mkdtemp(join(tmpdir(), 'veza-base-migrations-'));
  try {
    for (const [name, text] of migrations) await writeFile(join(dir, name), text);
    const catalog = await withFreshDatabase(serverUrl, (url) => catalogOf(url), { migrationsDir: dir });
    return { catalog, retention, migrations };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The schema of this checkout: its migrations applied to a scratch database. */
export async function currentSchema(serverUrl: string, root: string = projectRoot): Promise<SchemaState> {
  const migrationsDir = join(root, 'db', 'migrations');
  const catalog = await withFreshDatabase(serverUrl, (url) => catalogOf(url), { migrationsDir });
  const registryFile = join(root, 'db', 'table-registry.json');
  const registry = existsSync(registryFile) ? readFileSync(registryFile, 'utf8') : undefined;
  const migrations = new Map(
    readdirSync(migrationsDir)
      .filter((name) => name.endsWith('.sql'))
      .sort()
      .map((name) => [name, readFileSync(join(migrationsDir, name), 'utf8')]),
  );
  return { catalog, retention: retentionFacts(registry), migrations };
}

export async function catalogOf(url: string): Promise<Catalog> {
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  try {
    return await readCatalog(sql);
  } finally {
    await sql.end();
  }
}

export function snapshotText(catalog: Catalog): string {
  return `${JSON.stringify(catalog, null, 2)}\n`;
}
