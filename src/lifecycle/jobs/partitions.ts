// Partition maintenance of the range-partitioned tables (spec §21, ADR 0003, ADR 0017): premake the coming
// periods, rescue rows stranded in the default partition into partitions of their own, and detach and drop
// (archiving first where the registry says so) the partitions that are wholly past their retention (§18.1).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'kysely';
import type { JobContext, JobDb, JobDefinition } from '../../platform/jobs/job.ts';
import { loadTableRegistry, type TableRegistry } from '../table-registry.ts';

export type PartitionPeriod = 'month' | 'day';

/** The range-partitioned tables (spec §21.1) and the period their migration gave ensure_range_partitions. */
export const PARTITIONED_TABLES: Readonly<Record<string, PartitionPeriod>> = Object.freeze({
  messages: 'month',
  playback_history: 'month',
  login_attempts: 'month',
  audit_logs: 'month',
  analytics_events: 'day',
});

/** Periods made ahead of the current one (§21.2 `p_premake := 3`, the migrations' ensure_range_partitions(…, 3)). */
export const PREMAKE_PERIODS = 3;

/** Longest wait for a lock before a step gives up; the next run retries it (ADR 0017). */
export const LOCK_TIMEOUT = '3s';

/** Rows fetched per round trip while archiving a partition. */
const ARCHIVE_FETCH_ROWS = 1000;

export interface PartitionRetention {
  maxAgeDays: number;
  /** archive_then_delete: the partition's rows go to a gzip JSON-lines file before it is dropped. */
  archive: boolean;
}

/**
 * What the table registry lets this job do to whole partitions of `table`: drop those whose range is wholly
 * older than maxAgeDays, when the rule deletes (or archives then deletes) rows by the partition key's own age.
 * Null when partitions must be kept: anonymised tables (their rows stay), or an age measured on another column
 * (messages are purged 30 days after deleted_at, row by row, never by creation month).
 */
export function partitionRetention(
  registry: TableRegistry,
  table: string,
  partitionKey: string,
): PartitionRetention | null {
  const entry = registry[table];
  if (!entry) throw new Error(`${table} is missing from the table registry`);
  const { policy, maxAgeDays, clock, action } = entry.retention;
  if (policy !== 'fixed_period' || maxAgeDays === null || clock !== partitionKey) return null;
  if (action === 'delete') return { maxAgeDays, archive: false };
  if (action === 'archive_then_delete') return { maxAgeDays, archive: true };
  return null;
}

/** Where the archive of `partition` of `table` goes: `<dataDir>/archive/<table>/<partition>.jsonl.gz`. */
export function archivePath(dataDir: string, table: string, partition: string): string {
  return join(dataDir, 'archive', table, `${partition}.jsonl.gz`);
}

/** The comment a partition detached for retention carries until it is dropped, so an interrupted run resumes. */
export function detachedComment(table: string): string {
  return `partitions.maintain: detached from ${table} past its retention, to be archived if required and dropped`;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the catalog
// ---------------------------------------------------------------------------------------------------------

type KeyType = 'timestamptz' | 'date';

interface Partition {
  name: string;
  /** Range bounds; null for MINVALUE / MAXVALUE. */
  from: Date | null;
  to: Date | null;
}

/** A period some rows of the default partition belong to, whose partition does not exist. */
interface StrandedPeriod {
  name: string;
  /** Bound literals for FOR VALUES FROM (…) TO (…), in the format ensure_range_partitions writes. */
  fromLiteral: string;
  toLiteral: string;
  from: Date;
  to: Date;
  rows: number;
}

interface TableState {
  table: string;
  period: PartitionPeriod;
  key: string;
  keyType: KeyType;
  primaryKey: string[];
  defaultPartition: string | null;
  partitions: Partition[];
  stranded: StrandedPeriod[];
  /** Partitions of the current and next PREMAKE_PERIODS periods that do not exist yet. */
  missingPremade: string[];
  /** Tables a previous run detached for retention and did not drop (interrupted). */
  detached: string[];
  cutoff: Date | null;
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function identList(names: readonly string[]): string {
  return names.map(ident).join(', ');
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The text regclass input accepts for a table of the search path. */
function regclass(name: string): string {
  return ident(name);
}

async function setLockTimeout(tx: JobDb): Promise<void> {
  await sql`SELECT set_config('lock_timeout', ${LOCK_TIMEOUT}, true)`.execute(tx);
}

async function primaryKey(db: JobDb, table: string): Promise<string[]> {
  const {
    rows: [row],
  } = await sql<{ columns: string[] }>`
    SELECT array(
      SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.position) AS columns
    FROM pg_index i WHERE i.indrelid = ${regclass(table)}::regclass AND i.indisprimary`.execute(db);
  if (!row || row.columns.length === 0) throw new Error(`${table} has no primary key`);
  return row.columns;
}

/** Columns an INSERT … SELECT copies: every live, non-generated column, in order. */
async function insertableColumns(db: JobDb, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT attname::text AS name FROM pg_attribute
    WHERE attrelid = ${regclass(table)}::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
    ORDER BY attnum`.execute(db);
  return rows.map((row) => row.name);
}

function periodFormats(period: PartitionPeriod, keyType: KeyType) {
  return {
    step: period === 'month' ? '1 month' : '1 day',
    suffix: period === 'month' ? 'YYYY_MM' : 'YYYY_MM_DD',
    // as ensure_range_partitions (migration 0001) writes them; a date key takes the day alone
    bound: keyType === 'date' ? 'YYYY-MM-DD' : 'YYYY-MM-DD HH24:MI:SS"+00"',
  };
}

/** The UTC wall-clock timestamp of the partition key, which periods are cut from (ADR 0003). */
function keyUtc(key: string, keyType: KeyType): string {
  return keyType === 'date' ? `${ident(key)}::timestamp` : `(${ident(key)} AT TIME ZONE 'UTC')`;
}

function castBound(keyType: KeyType): string {
  return keyType === 'date' ? 'date' : 'timestamptz';
}

interface PartitionKey {
  key: string;
  keyType: KeyType;
}

/** The single column `table` is range-partitioned on, which must be a timestamptz or a date. */
async function partitionKey(db: JobDb, table: string): Promise<PartitionKey> {
  const {
    rows: [parent],
  } = await sql<{ key: string; key_type: string; strategy: string; key_count: number }>`
    SELECT a.attname::text AS key, format_type(a.atttypid, a.atttypmod) AS key_type,
           p.partstrat::text AS strategy, p.partnatts::int AS key_count
    FROM pg_partitioned_table p
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = ${regclass(table)}::regclass`.execute(db);
  if (!parent) throw new Error(`${table} is not a partitioned table`);
  if (parent.strategy !== 'r' || parent.key_count !== 1) {
    throw new Error(`${table} is not range-partitioned on one column`);
  }
  if (parent.key_type === 'timestamp with time zone') return { key: parent.key, keyType: 'timestamptz' };
  if (parent.key_type === 'date') return { key: parent.key, keyType: 'date' };
  throw new Error(`${table} is partitioned on ${parent.key} of type ${parent.key_type}`);
}

async function inspect(
  db: JobDb,
  table: string,
  period: PartitionPeriod,
  retention: PartitionRetention | null,
  now: Date,
): Promise<TableState> {
  const { key, keyType } = await partitionKey(db, table);
  const formats = periodFormats(period, keyType);
  const isDate = keyType === 'date';

  const { rows: bounds } = await sql<{ name: string; is_default: boolean; from: Date | null; to: Date | null }>`
    WITH p AS (
      SELECT c.relname::text AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = ${regclass(table)}::regclass),
    b AS (
      SELECT name, bound = 'DEFAULT' AS is_default,
             substring(bound FROM 'FROM [(]''([^'']+)''[)]') AS from_text,
             substring(bound FROM 'TO [(]''([^'']+)''[)]') AS to_text
      FROM p)
    SELECT name, is_default,
           CASE WHEN ${isDate} THEN from_text::date::timestamp AT TIME ZONE 'UTC' ELSE from_text::timestamptz END AS from,
           CASE WHEN ${isDate} THEN to_text::date::timestamp AT TIME ZONE 'UTC' ELSE to_text::timestamptz END AS to
    FROM b ORDER BY name`.execute(db);
  const defaultPartition = bounds.find((row) => row.is_default)?.name ?? null;
  const partitions = bounds
    .filter((row) => !row.is_default)
    .map((row) => ({ name: row.name, from: row.from, to: row.to }));

  const stranded: StrandedPeriod[] = [];
  if (defaultPartition) {
    const { rows } = await sql<{
      suffix: string;
      from_literal: string;
      to_literal: string;
      from: Date;
      to: Date;
      rows: number;
    }>`
      SELECT to_char(s, ${formats.suffix}) AS suffix, to_char(s, ${formats.bound}) AS from_literal,
             to_char(s + ${formats.step}::interval, ${formats.bound}) AS to_literal,
             s AT TIME ZONE 'UTC' AS "from", (s + ${formats.step}::interval) AT TIME ZONE 'UTC' AS "to", n AS rows
      FROM (SELECT date_trunc(${period}, ${sql.raw(keyUtc(key, keyType))}) AS s, count(*)::int AS n
            FROM ${sql.raw(ident(defaultPartition))} GROUP BY 1) AS periods
      ORDER BY s`.execute(db);
    for (const row of rows) {
      stranded.push({
        name: `${table}_${row.suffix}`,
        fromLiteral: row.from_literal,
        toLiteral: row.to_literal,
        from: row.from,
        to: row.to,
        rows: row.rows,
      });
    }
  }

  // The names ensure_range_partitions(table, period, PREMAKE_PERIODS) would create, as it computes them: from the
  // server's NOW(), like the function itself (the partitions a row needs follow the database's clock, which also
  // stamps created_at), not from the run's clock that retention cutoffs use.
  const { rows: premade } = await sql<{ name: string }>`
    SELECT ${table}::text || '_' || to_char(date_trunc(${period}, NOW() AT TIME ZONE 'UTC') + i * ${formats.step}::interval,
                                      ${formats.suffix}) AS name
    FROM generate_series(0, ${PREMAKE_PERIODS}) AS i ORDER BY i`.execute(db);
  const missingPremade = premade.map((row) => row.name).filter((name) => !partitions.some((p) => p.name === name));

  const { rows: detached } = await sql<{ name: string }>`
    SELECT c.relname::text AS name FROM pg_class c
    WHERE c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = ${regclass(table)}::regclass)
      AND c.relkind = 'r' AND NOT c.relispartition
      AND obj_description(c.oid, 'pg_class') = ${detachedComment(table)}
    ORDER BY 1`.execute(db);

  let cutoff: Date | null = null;
  if (retention) {
    const {
      rows: [row],
    } = await sql<{
      cutoff: Date;
    }>`SELECT ${now}::timestamptz - make_interval(days => ${retention.maxAgeDays}) AS cutoff`.execute(db);
    cutoff = row?.cutoff ?? null;
  }

  return {
    table,
    period,
    key,
    keyType,
    primaryKey: await primaryKey(db, table),
    defaultPartition,
    partitions,
    stranded,
    missingPremade,
    detached: detached.map((row) => row.name),
    cutoff,
  };
}

/** A partition is past retention when its whole range is: its upper bound is at or before the cutoff. */
function expired(partition: { to: Date | null }, cutoff: Date | null): boolean {
  return cutoff !== null && partition.to !== null && partition.to.getTime() <= cutoff.getTime();
}

// ---------------------------------------------------------------------------------------------------------
// Triggers: moving a row between partitions is not a change of the row
// ---------------------------------------------------------------------------------------------------------

interface DisabledTrigger {
  relation: string;
  trigger: string;
  mode: 'O' | 'A';
}

/**
 * Disables the enabled user triggers of `relation` (counters, updated_at, audit) for the rest of the
 * transaction; `restore` re-enables them in their former mode. ALTER TABLE … DISABLE TRIGGER takes a
 * SHARE ROW EXCLUSIVE lock on that one relation, so nobody else writes it until commit, and nobody ever
 * sees the triggers disabled. Foreign-key triggers are internal and stay on.
 */
class TriggerSwitch {
  private readonly disabled: DisabledTrigger[] = [];
  private readonly done = new Set<string>();

  async disable(tx: JobDb, relation: string): Promise<void> {
    if (this.done.has(relation)) return;
    this.done.add(relation);
    const { rows: triggers } = await sql<{ name: string; mode: 'O' | 'A' }>`
      SELECT tgname::text AS name, tgenabled::text AS mode FROM pg_trigger
      WHERE tgrelid = ${regclass(relation)}::regclass AND NOT tgisinternal AND tgenabled IN ('O', 'A')
      ORDER BY tgname`.execute(tx);
    for (const trigger of triggers) {
      await sql.raw(`ALTER TABLE ${ident(relation)} DISABLE TRIGGER ${ident(trigger.name)}`).execute(tx);
      this.disabled.push({ relation, trigger: trigger.name, mode: trigger.mode });
    }
  }

  async restore(tx: JobDb): Promise<void> {
    for (const { relation, trigger, mode } of this.disabled.reverse()) {
      await sql
        .raw(`ALTER TABLE ${ident(relation)} ENABLE ${mode === 'A' ? 'ALWAYS ' : ''}TRIGGER ${ident(trigger)}`)
        .execute(tx);
    }
    this.disabled.length = 0;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rescuing the default partition
// ---------------------------------------------------------------------------------------------------------

interface IncomingForeignKey {
  name: string;
  /** The referencing table and its columns, and the referenced columns of our table. */
  table: string;
  columns: string[];
  referenced: string[];
  nullable: boolean;
  partitioned: boolean;
  /** Whether some foreign key references the referencing table in turn. */
  referencedByOthers: boolean;
}

async function incomingForeignKeys(db: JobDb, table: string): Promise<IncomingForeignKey[]> {
  return (
    await sql<IncomingForeignKey>`
    SELECT c.conname::text AS name, r.relname::text AS table,
           array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, position)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.position) AS columns,
           array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, position)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.position) AS referenced,
           NOT EXISTS (SELECT 1 FROM unnest(c.conkey) AS k(attnum)
                       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum WHERE a.attnotnull) AS nullable,
           r.relkind = 'p' AS partitioned,
           EXISTS (SELECT 1 FROM pg_constraint o WHERE o.contype = 'f' AND o.confrelid = c.conrelid
                   AND o.conparentid = 0) AS "referencedByOthers"
    FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
    WHERE c.contype = 'f' AND c.confrelid = ${regclass(table)}::regclass AND c.conparentid = 0
    ORDER BY c.conname`.execute(db)
  ).rows;
}

/** The leaf relations holding the rows of `table` whose key is in the temporary table `keys`. */
async function relationsHolding(tx: JobDb, table: string, key: string[], keys: string): Promise<string[]> {
  const { rows } = await sql
    .raw<{ name: string }>(
      `SELECT DISTINCT c.relname::text AS name FROM ${ident(table)} t JOIN pg_class c ON c.oid = t.tableoid
     WHERE (${key.map((column) => `t.${ident(column)}`).join(', ')}) IN (SELECT ${identList(key)} FROM ${ident(keys)})
     ORDER BY 1`,
    )
    .execute(tx);
  return rows.map((row) => row.name);
}

/**
 * Moves the rows of one period out of the default partition into a new partition of their own, in one
 * short transaction (ADR 0017). The default cannot be detached (rows in it are referenced) and a partition
 * cannot be created while the default holds rows of its range, so:
 *   1. lock the default partition, copy the period's rows aside;
 *   2. unlink the rows that reference them (nullable keys are set NULL, other referencing rows are set aside
 *      and deleted), so that no ON DELETE action fires;
 *   3. create the partition as a plain table shaped like the parent, move the rows into it
 *      (DELETE … RETURNING → INSERT), ATTACH it (which clones indexes, constraints, triggers and keys);
 *   4. relink and reinsert the referencing rows exactly as they were.
 * User triggers of the relations touched are disabled meanwhile: the rows do not change, so no counter,
 * updated_at or audit row must. A check at the end proves the default holds none of the period's rows.
 */
async function rescuePeriod(context: JobContext, state: TableState, period: StrandedPeriod): Promise<number> {
  const { table, key, keyType } = state;
  const defaultPartition = state.defaultPartition;
  if (!defaultPartition) return 0;
  const cast = castBound(keyType);
  const inRange = `${ident(key)} >= ${literal(period.fromLiteral)}::${cast} AND ${ident(key)} < ${literal(period.toLiteral)}::${cast}`;

  return context.transaction(async (tx) => {
    await setLockTimeout(tx);
    // The strongest lock first (ATTACH needs it on the default), so it is never upgraded while others wait.
    await sql.raw(`LOCK TABLE ${ident(defaultPartition)} IN ACCESS EXCLUSIVE MODE`).execute(tx);
    const {
      rows: [stranded],
    } = await sql
      .raw<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(defaultPartition)} WHERE ${inRange}`)
      .execute(tx);
    if (stranded?.n === 0) return 0; // moved meanwhile by another run
    const {
      rows: [existing],
    } = await sql<{ name: string | null }>`SELECT to_regclass(${regclass(period.name)})::text AS name`.execute(tx);
    if (existing?.name) throw new Error(`${table}: ${period.name} exists but is not the partition of its period`);

    const columns = await insertableColumns(tx, table);
    await sql
      .raw(
        `CREATE TEMP TABLE partitions_moving ON COMMIT DROP AS SELECT * FROM ${ident(defaultPartition)} WHERE ${inRange}`,
      )
      .execute(tx);
    const triggers = new TriggerSwitch();
    const unlinked: { fk: IncomingForeignKey; saved: string; key: string[] }[] = [];
    const removed: { fk: IncomingForeignKey; saved: string; columns: string[] }[] = [];
    const incoming = await incomingForeignKeys(tx, table);
    for (const [index, fk] of incoming.entries()) {
      const referencing = `(${identList(fk.columns)}) IN (SELECT ${identList(fk.referenced)} FROM partitions_moving)`;
      if (fk.nullable) {
        const saved = `partitions_unlinked_${index}`;
        const fkKey = await primaryKey(tx, fk.table);
        const kept = [...fkKey, ...fk.columns.filter((column) => !fkKey.includes(column))];
        await sql
          .raw(
            `CREATE TEMP TABLE ${ident(saved)} ON COMMIT DROP AS SELECT ${identList(kept)} FROM ${ident(fk.table)} WHERE ${referencing}`,
          )
          .execute(tx);
        for (const relation of await relationsHolding(tx, fk.table, fkKey, saved)) {
          await triggers.disable(tx, relation);
        }
        await sql
          .raw(
            `UPDATE ${ident(fk.table)} SET ${fk.columns.map((column) => `${ident(column)} = NULL`).join(', ')}
           WHERE (${identList(fkKey)}) IN (SELECT ${identList(fkKey)} FROM ${ident(saved)})`,
          )
          .execute(tx);
        unlinked.push({ fk, saved, key: fkKey });
      } else {
        // Deleting and reinserting the referencing rows is exact only for a plain table nothing references.
        if (fk.partitioned || fk.referencedByOthers) {
          throw new Error(
            `${table}: cannot move rows referenced through ${fk.name} (${fk.table} is ${
              fk.partitioned ? 'partitioned' : 'referenced by other tables'
            }); see ADR 0017`,
          );
        }
        const saved = `partitions_removed_${index}`;
        const fkKey = await primaryKey(tx, fk.table);
        await sql
          .raw(
            `CREATE TEMP TABLE ${ident(saved)} ON COMMIT DROP AS SELECT * FROM ${ident(fk.table)} WHERE ${referencing}`,
          )
          .execute(tx);
        await triggers.disable(tx, fk.table);
        await sql
          .raw(
            `DELETE FROM ${ident(fk.table)} WHERE (${identList(fkKey)}) IN (SELECT ${identList(fkKey)} FROM ${ident(saved)})`,
          )
          .execute(tx);
        removed.push({ fk, saved, columns: await insertableColumns(tx, fk.table) });
      }
    }

    await triggers.disable(tx, defaultPartition);
    // Shaped like the parent; ATTACH adds the indexes, foreign keys and triggers, and marks columns and
    // constraints inherited, so the partition ends up as CREATE TABLE … PARTITION OF would have made it.
    await sql
      .raw(
        `CREATE TABLE ${ident(period.name)} (LIKE ${ident(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS
         INCLUDING GENERATED INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMPRESSION)`,
      )
      .execute(tx);
    const moved = await sql
      .raw(
        `WITH moved AS (DELETE FROM ${ident(defaultPartition)} WHERE ${inRange} RETURNING *)
       INSERT INTO ${ident(period.name)} (${identList(columns)}) SELECT ${identList(columns)} FROM moved`,
      )
      .execute(tx);
    await sql
      .raw(
        `ALTER TABLE ${ident(table)} ATTACH PARTITION ${ident(period.name)}
       FOR VALUES FROM (${literal(period.fromLiteral)}) TO (${literal(period.toLiteral)})`,
      )
      .execute(tx);

    for (const { fk, saved, key: fkKey } of unlinked) {
      for (const relation of await relationsHolding(tx, fk.table, fkKey, saved)) {
        await triggers.disable(tx, relation);
      }
      await sql
        .raw(
          `UPDATE ${ident(fk.table)} AS t SET ${fk.columns.map((column) => `${ident(column)} = s.${ident(column)}`).join(', ')}
         FROM ${ident(saved)} AS s WHERE ${fkKey.map((column) => `t.${ident(column)} = s.${ident(column)}`).join(' AND ')}`,
        )
        .execute(tx);
    }
    for (const { fk, saved, columns: fkColumns } of removed) {
      await sql
        .raw(
          `INSERT INTO ${ident(fk.table)} (${identList(fkColumns)}) SELECT ${identList(fkColumns)} FROM ${ident(saved)}`,
        )
        .execute(tx);
    }
    await triggers.restore(tx);

    const {
      rows: [left],
    } = await sql
      .raw<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(defaultPartition)} WHERE ${inRange}`)
      .execute(tx);
    const {
      rows: [copied],
    } = await sql.raw<{ n: number }>(`SELECT count(*)::int AS n FROM partitions_moving`).execute(tx);
    const movedRows = Number(moved.numAffectedRows ?? 0);
    if (left?.n !== 0 || copied?.n !== movedRows) {
      throw new Error(`${table}: moving ${period.name} out of ${defaultPartition} did not add up; rolled back`);
    }
    return movedRows;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Archiving (audit_logs: archive_then_delete)
// ---------------------------------------------------------------------------------------------------------

interface ArchiveContent {
  rows: number;
  sha256: string;
}

/** Line count and digest of the decompressed content of a gzip file; gunzip checks its CRC on the way. */
async function readArchive(path: string): Promise<ArchiveContent> {
  const hash = createHash('sha256');
  let rows = 0;
  await pipeline(
    createReadStream(path),
    createGunzip(),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        for (const byte of chunk) if (byte === 10) rows += 1;
        done();
      },
    }),
  );
  return { rows, sha256: hash.digest('hex') };
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes every row of the (detached) partition to `<dataDir>/archive/<table>/<partition>.jsonl.gz`, one
 * row_to_json line per row in primary-key order, read through a cursor and compressed as it streams.
 * The file is written under a temporary name, synced, read back and renamed only when its row count equals
 * the partition's and its content is what was read. An archive of the same content already there (a run
 * interrupted before the drop) is reused; a different one (an earlier partition of the same period, archived
 * before late rows made the period again) is kept, and this one takes the next free name (`<partition>.2…`).
 */
async function archivePartition(
  context: JobContext,
  table: string,
  partition: string,
  key: string[],
  rows: number,
): Promise<string> {
  const directory = join(context.dataDir, 'archive', table);
  await mkdir(directory, { recursive: true });
  const partial = join(directory, `${partition}.jsonl.gz.partial`);

  const written = await context.transaction(async (tx) => {
    // row_to_json writes timestamps in the session's time zone: UTC, whatever the connection's.
    await sql`SELECT set_config('TimeZone', 'UTC', true)`.execute(tx);
    const hash = createHash('sha256');
    let count = 0;
    // A cursor of the transaction, read ARCHIVE_FETCH_ROWS rows per round trip: the partition never sits in memory.
    await sql
      .raw(
        `DECLARE partitions_archive NO SCROLL CURSOR FOR SELECT row_to_json(p)::text AS line FROM ${ident(partition)} AS p ORDER BY ${key.map((c) => `p.${ident(c)}`).join(', ')}`,
      )
      .execute(tx);
    async function* lines() {
      for (;;) {
        const { rows: batch } = await sql<{ line: string }>`
          FETCH ${sql.raw(String(ARCHIVE_FETCH_ROWS))} FROM partitions_archive`.execute(tx);
        if (batch.length === 0) return;
        let text = '';
        for (const row of batch) text += `${row.line}\n`;
        hash.update(text);
        count += batch.length;
        yield text;
      }
    }
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(partial));
    return { rows: count, sha256: hash.digest('hex') };
  });
  await syncPath(partial);
  const check = await readArchive(partial);
  if (written.rows !== rows || check.rows !== rows || check.sha256 !== written.sha256) {
    await rm(partial, { force: true });
    throw new Error(
      `${table}: the archive of ${partition} holds ${check.rows} row(s), the partition ${rows}; not dropped`,
    );
  }

  const pattern = new RegExp(`^${partition}(\\.(\\d+))?\\.jsonl\\.gz$`);
  const taken = (await readdir(directory)).filter((name) => pattern.test(name)).sort();
  for (const name of taken) {
    const other = await readArchive(join(directory, name));
    if (other.rows === check.rows && other.sha256 === check.sha256) {
      await rm(partial);
      return join(directory, name);
    }
  }
  let name = `${partition}.jsonl.gz`;
  for (let n = 2; taken.includes(name); n += 1) name = `${partition}.${n}.jsonl.gz`;
  const final = join(directory, name);
  await rename(partial, final);
  await syncPath(directory);
  return final;
}

// ---------------------------------------------------------------------------------------------------------
// The job
// ---------------------------------------------------------------------------------------------------------

async function countRows(db: JobDb, relation: string): Promise<number> {
  const {
    rows: [row],
  } = await sql.raw<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(relation)}`).execute(db);
  return row?.n ?? 0;
}

/** Drops a partition a previous step detached, archiving it first when the registry says so. */
async function dropDetached(
  context: JobContext,
  state: TableState,
  retention: PartitionRetention,
  partition: string,
): Promise<void> {
  const rows = await countRows(context.db, partition);
  let archived = '';
  if (retention.archive) {
    const file = await archivePartition(context, state.table, partition, state.primaryKey, rows);
    archived = `, archived to ${file}`;
  }
  await context.transaction(async (tx) => {
    await setLockTimeout(tx);
    await sql.raw(`DROP TABLE ${ident(partition)}`).execute(tx);
  });
  context.count(state.table, rows);
  context.log(`partitions.maintain: ${state.table}: dropped ${partition} (${rows} row(s)${archived})`);
}

/**
 * Detaches a partition past retention in a short transaction of its own (plain DETACH: CONCURRENTLY is
 * refused while a default partition exists, ADR 0017), marks it, then archives and drops it.
 */
async function expirePartition(
  context: JobContext,
  state: TableState,
  retention: PartitionRetention,
  partition: string,
): Promise<void> {
  await context.transaction(async (tx) => {
    await setLockTimeout(tx);
    await sql.raw(`ALTER TABLE ${ident(state.table)} DETACH PARTITION ${ident(partition)}`).execute(tx);
    await sql.raw(`COMMENT ON TABLE ${ident(partition)} IS ${literal(detachedComment(state.table))}`).execute(tx);
  });
  context.log(`partitions.maintain: ${state.table}: detached ${partition}`);
  await dropDetached(context, state, retention, partition);
}

async function rescueAll(context: JobContext, state: TableState): Promise<void> {
  for (const period of state.stranded) {
    const started = performance.now();
    const moved = await rescuePeriod(context, state, period);
    const took = Math.round(performance.now() - started);
    context.count(state.table, moved);
    if (moved > 0)
      context.log(
        `partitions.maintain: ${state.table}: created ${period.name} and moved ${moved} row(s) into it from ${state.defaultPartition} (one transaction, ${took} ms)`,
      );
  }
}

async function premake(context: JobContext, table: string, period: PartitionPeriod): Promise<number> {
  return context.transaction(async (tx) => {
    await setLockTimeout(tx);
    const {
      rows: [row],
    } = await sql<{ created: number }>`
      SELECT ensure_range_partitions(${regclass(table)}::regclass, ${period}, ${PREMAKE_PERIODS}) AS created`.execute(
      tx,
    );
    return row?.created ?? 0;
  });
}

function isCheckViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23514';
}

/** The drops a dry run announces; `stranded` periods past retention are created then dropped by the run. */
async function reportDrops(
  context: JobContext,
  state: TableState,
  retention: PartitionRetention,
  stranded: readonly StrandedPeriod[],
): Promise<void> {
  const { table } = state;
  const doomed = [
    ...state.detached.map((name) => ({ name, detached: true, rows: null as number | null })),
    ...state.partitions
      .filter((partition) => expired(partition, state.cutoff))
      .map((partition) => ({ name: partition.name, detached: false, rows: null as number | null })),
    ...stranded
      .filter((period) => expired(period, state.cutoff))
      .map((period) => ({ name: period.name, detached: false, rows: period.rows })),
  ];
  for (const partition of doomed) {
    const rows = partition.rows ?? (await countRows(context.db, partition.name));
    context.count(table, rows);
    const archive = retention.archive
      ? ` archive ${rows} row(s) to ${archivePath(context.dataDir, table, partition.name)} and`
      : '';
    context.log(
      `partitions.maintain: ${table}: would ${partition.detached ? '' : 'detach,'}${archive} drop ${partition.name} (${rows} row(s))`,
    );
  }
}

/** What a dry run reports: the same plan, from the same reading of the catalog, with nothing done. */
async function reportPlan(context: JobContext, state: TableState, retention: PartitionRetention | null) {
  const { table } = state;
  for (const period of state.stranded) {
    context.count(table, period.rows);
    context.log(
      `partitions.maintain: ${table}: would create ${period.name} and move ${period.rows} row(s) into it from ${state.defaultPartition}`,
    );
  }
  const premade = state.missingPremade.filter((name) => !state.stranded.some((period) => period.name === name));
  if (premade.length > 0) context.log(`partitions.maintain: ${table}: would premake ${premade.join(', ')}`);
  if (retention) await reportDrops(context, state, retention, state.stranded);
}

/**
 * Detaches and drops the partitions of `table` wholly older than `retention.maxAgeDays`, archiving each first
 * when `retention.archive`, and finishes those an interrupted run left detached. The job calls it for the
 * tables whose registry rule allows it; a job that must do something first (the analytics aggregation, before
 * analytics_events day partitions may go) can call it once that is done (ADR 0017). Dry run: reports only.
 */
export async function dropExpiredPartitions(
  context: JobContext,
  table: string,
  retention: PartitionRetention,
): Promise<void> {
  const period = PARTITIONED_TABLES[table];
  if (!period) throw new Error(`${table} is not one of the partitioned tables`);
  const state = await inspect(context.db, table, period, retention, context.now);
  if (context.dryRun) {
    await reportDrops(context, state, retention, []);
    return;
  }
  for (const partition of state.detached) await dropDetached(context, state, retention, partition);
  for (const partition of state.partitions.filter((p) => expired(p, state.cutoff))) {
    await expirePartition(context, state, retention, partition.name);
  }
}

async function maintainTable(
  context: JobContext,
  registry: TableRegistry,
  table: string,
  period: PartitionPeriod,
): Promise<void> {
  const retention = partitionRetention(registry, table, (await partitionKey(context.db, table)).key);
  const state = await inspect(context.db, table, period, retention, context.now);
  context.count(table, 0);
  if (context.dryRun) {
    await reportPlan(context, state, retention);
    return;
  }

  // An interrupted run's detached partitions first: a rescued period may need the name back.
  if (retention) for (const partition of state.detached) await dropDetached(context, state, retention, partition);
  await rescueAll(context, state);
  let created: number;
  try {
    created = await premake(context, table, period);
  } catch (error) {
    // A row of a premade period landed in the default since it was read: rescue it, then premake again.
    if (!isCheckViolation(error)) throw error;
    await rescueAll(context, await inspect(context.db, table, period, retention, context.now));
    created = await premake(context, table, period);
  }
  if (created > 0) context.log(`partitions.maintain: ${table}: premade ${created} partition(s)`);
  if (retention) await dropExpiredPartitions(context, table, retention);
}

/**
 * Spec §21 and §18.1 on the five range-partitioned tables, daily: the current and next 3 periods exist, the
 * default partition is left empty (rows that landed there get a partition of their own, moved with their
 * references intact), and login_attempts and audit_logs partitions wholly past the registry's retention are
 * detached and dropped, audit_logs' archived first (ADR 0017).
 */
export const maintainPartitions: JobDefinition = {
  name: 'partitions.maintain',
  description:
    'premake the next 3 partitions, move rows out of the default partitions, drop (audit_logs: archive then drop) partitions past retention',
  defaultSchedule: '30 2 * * *',
  async run(context) {
    const registry = loadTableRegistry();
    const failures: string[] = [];
    for (const [table, period] of Object.entries(PARTITIONED_TABLES)) {
      try {
        await maintainTable(context, registry, table, period);
      } catch (error) {
        // One table's lock timeout must not stop the others; the run still fails, and the next one retries.
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`${table}: ${message}`);
        context.log(`partitions.maintain: ${table} failed: ${message}`);
        if (context.dryRun) throw error;
      }
    }
    if (failures.length > 0) throw new Error(`partitions.maintain failed for ${failures.join('; ')}`);
  },
};
