import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { JobContext, JobDb, JobDefinition } from '../../platform/jobs/job.ts';
import type { Row } from '../batches.ts';
import { loadTableRegistry, type RetentionRule, type TableRegistry } from '../table-registry.ts';
import { ACTIVITY_TABLES, type RetentionJobOptions } from './retention-activity.ts';
import { ANALYTICS_TABLES } from './retention-analytics.ts';
import {
  RETENTION_SESSIONS_TABLES,
  type Fragment,
  nullInBatches,
  olderThan,
  purgeInBatches,
  quoteIdentifier as q,
  timeLimit,
} from './retention-support.ts';

/**
 * Tables whose registry action is `anonymise`, and the columns set to NULL (spec §18.2: the row stays, detached
 * from the person). A table with that action and no entry here is enforced by no job (retention-coverage.test.ts).
 */
export const ANONYMISED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  // Registry: after 12 months the row only counts the download for tracks.download_count.
  track_downloads: ['user_id'],
};

/** Tables other retention jobs enforce; this job leaves them alone even when their rule would fit it. */
const ENFORCED_ELSEWHERE: ReadonlySet<string> = new Set<string>([
  ...RETENTION_SESSIONS_TABLES,
  ...ACTIVITY_TABLES,
  ...ANALYTICS_TABLES,
]);

export type ContentAction = 'delete' | 'anonymise';

export interface ContentRule {
  table: string;
  action: ContentAction;
  rule: RetentionRule;
}

/**
 * The registry entries this job enforces, read from the rule alone (ADR 0018): a legal hold ends with the deletion
 * of the record; `until_deleted_by_user` and `fixed_period` rules delete, or anonymise the columns listed in
 * ANONYMISED_COLUMNS. Tables enforced by another job, and rules without a time limit, are not taken.
 */
export function contentRules(registry: TableRegistry): ContentRule[] {
  const rules: ContentRule[] = [];
  for (const [table, { retention: rule }] of Object.entries(registry)) {
    if (ENFORCED_ELSEWHERE.has(table) || rule.maxAgeDays === null || rule.clock === null) continue;
    if (rule.policy === 'legal_hold') rules.push({ table, action: 'delete', rule });
    else if (rule.policy !== 'until_deleted_by_user' && rule.policy !== 'fixed_period') continue;
    else if (rule.action === 'delete') rules.push({ table, action: 'delete', rule });
    else if (rule.action === 'anonymise' && ANONYMISED_COLUMNS[table]) rules.push({ table, action: 'anonymise', rule });
  }
  return rules;
}

/** The tables this job enforces (read by retention-coverage.ts). */
export function contentTables(registry: TableRegistry): string[] {
  return contentRules(registry).map((entry) => entry.table);
}

type OnDelete = 'CASCADE' | 'RESTRICT' | 'NO ACTION' | 'SET NULL' | 'SET DEFAULT';

interface ForeignKey {
  name: string;
  source: string;
  target: string;
  sourceColumns: string[];
  targetColumns: string[];
  onDelete: OnDelete;
  /** The referencing table is partitioned (large: its rows are deleted in batches before their parent). */
  sourcePartitioned: boolean;
}

async function loadForeignKeys(db: JobDb): Promise<ForeignKey[]> {
  const { rows } = await sql<ForeignKey>`
    SELECT con.conname::text AS name, src.relname::text AS source, tgt.relname::text AS target,
           ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.n)
             AS "sourceColumns",
           ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.n)
             AS "targetColumns",
           CASE con.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION'
                                WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END AS "onDelete",
           src.relkind = 'p' AS "sourcePartitioned"
    FROM pg_constraint con
    JOIN pg_class src ON src.oid = con.conrelid
    JOIN pg_class tgt ON tgt.oid = con.confrelid
    WHERE con.contype = 'f' AND con.conparentid = 0
      AND src.relnamespace = current_schema()::regnamespace AND NOT src.relispartition
    ORDER BY con.conname`.execute(db);
  return rows;
}

/** Why an expired row cannot be deleted: `sql` is true for such a row, named by `alias`. */
interface Blocker {
  reason: string;
  sql: string;
}

function joinCondition(fk: ForeignKey, child: string, parent: string): string {
  return fk.sourceColumns
    .map((column, index) => `${q(child)}.${q(column)} = ${q(parent)}.${q(fk.targetColumns[index] ?? '')}`)
    .join(' AND ');
}

/**
 * The conditions under which deleting a row of `table` (named `alias` in SQL) would fail or destroy what must
 * stay, from the foreign keys (ADR 0018): a RESTRICT or NO ACTION reference to it; a CASCADE child under a legal
 * hold that has not ended; and, recursively, whatever blocks the deletion of a CASCADE child.
 */
function blockersOf(
  table: string,
  alias: string,
  keys: ForeignKey[],
  registry: TableRegistry,
  now: Date,
  path: string[] = [table],
): Blocker[] {
  const blockers: Blocker[] = [];
  for (const fk of keys) {
    // A reference from the table to itself (replies, reposts, threads) follows the same rules as its parent.
    if (fk.target !== table || fk.source === table || path.includes(fk.source)) continue;
    const child = `b${path.length}`;
    const from = `${q(fk.source)} AS ${q(child)} WHERE ${joinCondition(fk, child, alias)}`;
    const columns = `${fk.source}.${fk.sourceColumns.join(', ')}`;
    if (fk.onDelete === 'RESTRICT' || fk.onDelete === 'NO ACTION') {
      blockers.push({
        reason: `still referenced by ${columns} (${fk.name}, ON DELETE ${fk.onDelete})`,
        sql: `EXISTS (SELECT 1 FROM ${from})`,
      });
    } else if (fk.onDelete === 'CASCADE') {
      const hold = registry[fk.source]?.retention;
      if (hold?.policy === 'legal_hold' && hold.clock !== null && hold.maxAgeDays !== null) {
        blockers.push({
          reason: `${columns} rows still under their ${hold.maxAgeDays}-day legal hold would be deleted with it (${fk.name})`,
          sql:
            `EXISTS (SELECT 1 FROM ${from} AND ` +
            `(${q(child)}.${q(hold.clock)} < '${now.toISOString()}'::timestamptz` +
            ` - make_interval(days => ${hold.maxAgeDays})) IS NOT TRUE)`,
        });
      }
      for (const inner of blockersOf(fk.source, child, keys, registry, now, [...path, fk.source])) {
        blockers.push({
          reason: `its ${fk.source} (${fk.name}, CASCADE): ${inner.reason}`,
          sql: `EXISTS (SELECT 1 FROM ${from} AND ${inner.sql})`,
        });
      }
    }
  }
  return blockers;
}

/**
 * Files listed in the download_file_ids of an order line: what a buyer paid to download (an array cannot carry a
 * foreign key). Kept like a RESTRICT reference until the order line leaves its legal hold (ADR 0018).
 */
function fileBlockers(alias: string): Blocker[] {
  return [
    {
      reason: 'still listed in order_items.download_file_ids (files a buyer paid for)',
      sql: `${q(alias)}."id" IN (SELECT purchased FROM "order_items" AS oi, unnest(oi."download_file_ids") AS purchased
                                 WHERE purchased IS NOT NULL)`,
    },
  ];
}

/** Every blocker of a row of `table` named `alias`: the foreign keys', and the explicit ones of files. */
function allBlockers(table: string, alias: string, keys: ForeignKey[], registry: TableRegistry, now: Date): Blocker[] {
  return [...blockersOf(table, alias, keys, registry, now), ...(table === 'files' ? fileBlockers(alias) : [])];
}

/** `(b1 OR b2 …)`, or FALSE when nothing can block. */
function anyBlocker(blockers: Blocker[]): string {
  return blockers.length > 0 ? `(${blockers.map((blocker) => blocker.sql).join(' OR ')})` : 'FALSE';
}

/** Referencing tables first, so that a purge frees the rows the next one needs (tracks before files). */
function purgeOrder(tables: string[], keys: ForeignKey[]): string[] {
  const pending = new Set(tables);
  const order: string[] = [];
  while (pending.size > 0) {
    const free = [...pending]
      .filter((table) => !keys.some((fk) => fk.target === table && fk.source !== table && pending.has(fk.source)))
      .sort();
    const next = free.length > 0 ? free : [[...pending].sort()[0] ?? ''];
    for (const table of next) {
      pending.delete(table);
      order.push(table);
    }
  }
  return order;
}

/** Where the storage objects of purged files are listed for the storage sweeper (JSON lines). */
export const STORAGE_DELETIONS_DIR = 'storage-deletions';

async function listStorageObjects(context: JobContext, rows: Row[]): Promise<void> {
  if (context.dryRun) return;
  const directory = join(context.dataDir, STORAGE_DELETIONS_DIR);
  await mkdir(directory, { recursive: true });
  const lines = rows.map((row) =>
    JSON.stringify({
      file_id: row.id as string,
      storage_provider: row.storage_provider as string,
      bucket_name: row.bucket_name as string | null,
      storage_path: row.storage_path as string,
      thumbnail_url: row.thumbnail_url as string | null,
      purged_at: context.now.toISOString(),
    }),
  );
  await appendFile(join(directory, `files-${context.now.toISOString().slice(0, 10)}.jsonl`), `${lines.join('\n')}\n`);
}

async function purgeTable(
  context: JobContext,
  entry: ContentRule,
  keys: ForeignKey[],
  registry: TableRegistry,
  batchSize: number | undefined,
): Promise<void> {
  const { table } = entry;
  const limit = timeLimit(registry, table);
  const blockers = allBlockers(table, table, keys, registry, context.now);
  const blocked = anyBlocker(blockers);
  // The blockers' SQL is built from catalog names (quoted) and the run's clock, never from input.
  const expired = (alias = table): Fragment => olderThan(alias, limit, context.now);
  const deletable = sql`${expired()} AND NOT ${sql.raw(blocked)}`;

  if (blockers.length > 0) {
    const counts = await sql<Record<string, number>>`
      SELECT ${sql.raw(
        blockers.map((blocker, index) => `count(*) FILTER (WHERE ${blocker.sql})::int AS b${index}`).join(', '),
      )}, count(*) FILTER (WHERE ${sql.raw(blocked)})::int AS total
      FROM ${sql.table(table)} WHERE ${expired()}`.execute(context.db);
    const [row = {}] = counts.rows;
    blockers.forEach((blocker, index) => {
      const rows = row[`b${index}`] ?? 0;
      if (rows > 0) context.log(`retention.content: ${table}: ${rows} row(s) past the limit kept: ${blocker.reason}`);
    });
    context.count(`${table}:kept`, row.total ?? 0);
  }

  // Large children (partitioned tables: a room's messages, a track's plays) go in batches of their own first,
  // so that the parent's delete does not cascade through millions of rows in one transaction.
  for (const fk of keys) {
    if (fk.target !== table || fk.onDelete !== 'CASCADE' || !fk.sourcePartitioned || fk.source === table) continue;
    const parent = `${table}_purged`;
    await purgeInBatches(
      context,
      fk.source,
      sql`EXISTS (
        SELECT 1 FROM ${sql.table(table)} AS ${sql.id(parent)}
        WHERE ${sql.raw(joinCondition(fk, fk.source, parent))} AND ${expired(parent)}
          AND NOT ${sql.raw(anyBlocker(allBlockers(table, parent, keys, registry, context.now)))})`,
      { batchSize, countAs: fk.source },
    );
  }

  await purgeInBatches(context, table, deletable, {
    batchSize,
    ...(table === 'files'
      ? {
          returning: ['id', 'storage_provider', 'bucket_name', 'storage_path', 'thumbnail_url'],
          onDeleted: (rows: Row[]) => listStorageObjects(context, rows),
        }
      : {}),
  });
}

/**
 * Spec §18.1 "Messages" (purge 30 days after deleted_at) and every other registry rule with a time limit that no
 * other job enforces (ADR 0018):
 * - `until_deleted_by_user`: rows soft-deleted longer ago than the limit are deleted (messages, direct_messages
 *   once both sides deleted them, tracks, posts, products, files, courses, …), with what cascades from them;
 * - `fixed_period` with action delete: rows whose clock is past the limit (notifications, search_queries,
 *   moderation records, reports, file_uploads, sync_operations, job_runs);
 * - `legal_hold`: orders, order lines, transactions, payouts, discount codes and redemptions once their 7 years
 *   are over — never a row whose deletion would cascade into a record still under hold;
 * - `fixed_period` with action anonymise: the ANONYMISED_COLUMNS of rows past the limit become NULL.
 * A row that a foreign key forbids deleting (RESTRICT: a sold product, a file a track plays, a course with
 * learners) is skipped, counted under `<table>:kept` and logged with the reason; the job does not fail.
 * Tables are purged referencing tables first, so that a row freed by an earlier purge goes in the same run.
 * Deleted files' storage objects are listed under $VEZA_DATA_DIR/storage-deletions/ for the storage sweeper.
 */
export function createRetentionContent(options: RetentionJobOptions = {}): JobDefinition {
  return {
    name: 'retention.content',
    description:
      'purge soft-deleted content 30 days on, delete or anonymise rows past their registry period, end legal holds',
    defaultSchedule: '0 4 * * *',
    async run(context) {
      const registry = options.registry ?? loadTableRegistry();
      const rules = contentRules(registry);
      const keys = await loadForeignKeys(context.db);
      const byTable = new Map(rules.map((entry) => [entry.table, entry]));

      const deletions = rules.filter((entry) => entry.action === 'delete').map((entry) => entry.table);
      for (const table of purgeOrder(deletions, keys)) {
        const entry = byTable.get(table);
        if (entry) await purgeTable(context, entry, keys, registry, options.batchSize);
      }

      for (const { table } of rules.filter((entry) => entry.action === 'anonymise')) {
        const columns = ANONYMISED_COLUMNS[table] ?? [];
        const limit = timeLimit(registry, table);
        await nullInBatches(
          context,
          table,
          columns,
          sql`${olderThan(table, limit, context.now)} AND (${sql.raw(
            columns.map((column) => `${q(table)}.${q(column)} IS NOT NULL`).join(' OR '),
          )})`,
          { batchSize: options.batchSize },
        );
      }
    },
  };
}

export const retentionContent = createRetentionContent();
