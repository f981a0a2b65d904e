import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import postgres from 'postgres';
import { allFactories } from '../../../test/factories/index.ts';
import { dropDatabase, migratedDatabase, useMigratedDatabase } from '../../../test/helpers/database.ts';
import { freePort } from '../../../test/helpers/free-port.ts';
import { ensureDatabase } from '../../platform/db/database-server.ts';
import { startEmbeddedServer } from '../../platform/db/embedded-server.ts';
import { Migrator } from '../../platform/db/migrations.ts';
import { openPool, type Database } from '../../platform/db/pool.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { loadTableRegistry } from '../table-registry.ts';
import {
  archivePath,
  detachedComment,
  maintainPartitions,
  PARTITIONED_TABLES,
  partitionRetention,
  PREMAKE_PERIODS,
} from './partitions.ts';

const database = useMigratedDatabase();
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
const make = (table: string) => {
  const factory = allFactories[table];
  if (!factory) throw new Error(table);
  return factory;
};

/** The partition key of each table (ADR 0003). */
const KEYS: Record<string, string> = {
  messages: 'created_at',
  playback_history: 'played_at',
  login_attempts: 'attempted_at',
  audit_logs: 'created_at',
  analytics_events: 'event_date',
};

const scratch: string[] = [];
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'veza-partitions-'));
  scratch.push(dir);
  return dir;
}

function run(db: Database, dataDir: string, dryRun = false) {
  return runJob(maintainPartitions, { db, dataDir, dryRun, triggeredBy: 'manual' });
}

/** UTC end of the month holding `at`: the upper bound of its monthly partition. */
function monthEnd(at: Date): number {
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
}

/** Partitions of each table and their bounds, plus tables left detached: what DDL the job did shows here. */
async function catalog(sql: postgres.Sql) {
  return sql<{ parent: string | null; name: string; bound: string | null; comment: string | null }[]>`
    SELECT parent.relname AS parent, c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
           obj_description(c.oid, 'pg_class') AS comment
    FROM pg_class c
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid LEFT JOIN pg_class parent ON parent.oid = i.inhparent
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
      AND (c.relispartition OR c.relname ~ '^(messages|playback_history|login_attempts|audit_logs|analytics_events)_')
    ORDER BY c.relname`;
}

/** Every row of the tables the job may touch, as JSON in UTC, with the partition holding it. */
async function rows(sql: postgres.Sql) {
  return sql.begin(async (tx) => {
    await tx`SET LOCAL TimeZone = 'UTC'`;
    const result: Record<string, string[]> = {};
    for (const table of [...Object.keys(PARTITIONED_TABLES), 'message_reactions', 'rooms', 'tracks']) {
      const found = await tx<{ line: string }[]>`SELECT row_to_json(t)::text AS line FROM ${tx(table)} t`;
      result[table] = found.map((row) => row.line).sort();
    }
    return result;
  });
}

async function rowsByPartition(sql: postgres.Sql, table: string) {
  return sql<{ id: string; partition: string; key: string }[]>`
    SELECT t.id::text AS id, c.relname AS partition, t.${sql(KEYS[table] ?? '')}::text AS key
    FROM ${sql(table)} t JOIN pg_class c ON c.oid = t.tableoid ORDER BY 1`;
}

function filesUnder(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else found[full] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return found;
}

test('rows stranded in the default partitions get partitions of their own, with their references intact; expired login_attempts and audit_logs partitions are dropped, audit_logs archived first; a dry run and a second run change nothing', async () => {
  const { sql, db } = database.current;
  const dataDir = await tempDir();

  // --- messages: stranded in the past and beyond the premade months, referenced by reactions and replies
  const room = await make('rooms')(sql);
  const inRoom = { room_id: room.id };
  const past = await make('messages')(sql, { ...inRoom, created_at: daysAgo(420) });
  const samePeriodReply = await make('messages')(sql, {
    ...inRoom,
    created_at: new Date((past.created_at as Date).getTime() + 3_600_000),
    reply_to_id: past.id,
  });
  const olderReply = await make('messages')(sql, { ...inRoom, created_at: daysAgo(800), reply_to_id: past.id });
  const current = await make('messages')(sql, inRoom);
  const currentReply = await make('messages')(sql, { ...inRoom, reply_to_id: past.id });
  const future = await make('messages')(sql, { ...inRoom, created_at: daysAgo(-250), reply_to_id: current.id });
  for (const message of [past, past, future, current]) {
    await make('message_reactions')(sql, { message_id: message.id, emoji: `${Math.random()}`.slice(2, 8) });
  }

  // --- playback_history (anonymised, never dropped) and analytics_events (daily)
  const track = await make('tracks')(sql);
  for (const days of [500, -200, 0])
    await make('playback_history')(sql, { track_id: track.id, played_at: daysAgo(days) });
  for (const days of [400, 30, -20, 0]) await make('analytics_events')(sql, { created_at: daysAgo(days) });

  // --- login_attempts: 90 days. One old month made as a partition beforehand, the rest lands in the default.
  const oldMonth = daysAgo(300);
  const oldMonthStart = new Date(Date.UTC(oldMonth.getUTCFullYear(), oldMonth.getUTCMonth(), 1));
  const oldMonthName = `login_attempts_${oldMonthStart.toISOString().slice(0, 7).replace('-', '_')}`;
  await sql.unsafe(
    `CREATE TABLE ${oldMonthName} PARTITION OF login_attempts FOR VALUES FROM ('${oldMonthStart.toISOString()}') TO ('${new Date(monthEnd(oldMonth)).toISOString()}')`,
  );
  for (const days of [300, 300, 200, 150, 91, 89, 10, 0]) {
    await make('login_attempts')(sql, { attempted_at: daysAgo(days) });
  }

  // --- audit_logs: 730 days, archive then delete; one expired month made as a partition beforehand.
  const auditMonth = daysAgo(900);
  const auditMonthStart = new Date(Date.UTC(auditMonth.getUTCFullYear(), auditMonth.getUTCMonth(), 1));
  const auditMonthName = `audit_logs_${auditMonthStart.toISOString().slice(0, 7).replace('-', '_')}`;
  await sql.unsafe(
    `CREATE TABLE ${auditMonthName} PARTITION OF audit_logs FOR VALUES FROM ('${auditMonthStart.toISOString()}') TO ('${new Date(monthEnd(auditMonth)).toISOString()}')`,
  );
  for (const days of [1000, 900, 900, 800, 800, 700, 0]) {
    await make('audit_logs')(sql, { created_at: daysAgo(days), new_data: { days, note: 'time travel' } });
  }

  const before = await rows(sql);
  const catalogBefore = await catalog(sql);
  const strandedBefore: Record<string, number> = {};
  for (const table of Object.keys(PARTITIONED_TABLES)) {
    strandedBefore[table] = (await rowsByPartition(sql, table)).filter((row) =>
      row.partition.endsWith('_default'),
    ).length;
  }
  assert.ok(strandedBefore.messages! >= 4 && strandedBefore.login_attempts! >= 4 && strandedBefore.audit_logs! >= 4);

  // What must go: whole months past the cutoff (the month holding the cutoff stays).
  const registry = loadTableRegistry();
  const loginDays = registry.login_attempts!.retention.maxAgeDays!;
  const auditDays = registry.audit_logs!.retention.maxAgeDays!;
  const expiredLogins = (await sql<{ id: string; at: Date }[]>`SELECT id::text, attempted_at AS at FROM login_attempts`)
    .filter((row) => monthEnd(row.at) <= Date.now() - loginDays * DAY)
    .map((row) => row.id);
  const auditRows = await sql.begin(async (tx) => {
    await tx`SET LOCAL TimeZone = 'UTC'`;
    return tx<{ id: string; at: Date; line: string }[]>`
      SELECT id::text, created_at AS at, row_to_json(a)::text AS line FROM audit_logs a`;
  });
  const expiredAudit = auditRows.filter((row) => monthEnd(row.at) <= Date.now() - auditDays * DAY);
  assert.ok(
    expiredLogins.length >= 4,
    '300, 300, 200 and 150 days old (and 91 when its month ends less than a day after it)',
  );
  assert.equal(expiredAudit.length, 5, '1000, 900, 900, 800 and 800 days old');
  const boundaryMonth = `login_attempts_${daysAgo(loginDays).toISOString().slice(0, 7).replace('-', '_')}`;

  // (e) a dry run reports, changes nothing and writes no file
  const dry = await run(db, dataDir, true);
  assert.equal(dry.status, 'succeeded', dry.error ?? '');
  assert.deepEqual(await catalog(sql), catalogBefore, 'no partition created, detached or dropped');
  assert.deepEqual(await rows(sql), before, 'no row moved or deleted');
  assert.deepEqual(filesUnder(dataDir), {}, 'no file written');

  // the real run
  const first = await run(db, dataDir);
  assert.equal(first.status, 'succeeded', first.error ?? '');
  assert.deepEqual(first.rowsByTable, {
    messages: strandedBefore.messages,
    playback_history: strandedBefore.playback_history,
    login_attempts: strandedBefore.login_attempts! + expiredLogins.length,
    audit_logs: strandedBefore.audit_logs! + expiredAudit.length,
    analytics_events: strandedBefore.analytics_events,
  });
  assert.deepEqual(dry.rowsByTable, first.rowsByTable, 'the dry run announced exactly what the run did');

  // (a) every row sits in the partition named for its period; the defaults are empty; premade periods exist
  for (const [table, period] of Object.entries(PARTITIONED_TABLES)) {
    const [misplaced] = await sql<{ n: number; defaults: number }[]>`
      SELECT count(*) FILTER (WHERE c.relname <> ${table}::text || '_' || to_char(
               date_trunc(${period}, ${sql(KEYS[table] ?? '')}::timestamptz AT TIME ZONE 'UTC'),
               ${period === 'month' ? 'YYYY_MM' : 'YYYY_MM_DD'}))::int AS n,
             count(*) FILTER (WHERE c.relname = ${`${table}_default`})::int AS defaults
      FROM ${sql(table)} t JOIN pg_class c ON c.oid = t.tableoid`;
    assert.deepEqual(misplaced, { n: 0, defaults: 0 }, table);
    const premade = await sql<{ missing: string }[]>`
      SELECT ${table}::text || '_' || to_char(date_trunc(${period}, NOW() AT TIME ZONE 'UTC')
               + i * ${`1 ${period}`}::interval, ${period === 'month' ? 'YYYY_MM' : 'YYYY_MM_DD'}) AS missing
      FROM generate_series(0, ${PREMAKE_PERIODS}) AS i
      WHERE to_regclass(${table}::text || '_' || to_char(date_trunc(${period}, NOW() AT TIME ZONE 'UTC')
               + i * ${`1 ${period}`}::interval, ${period === 'month' ? 'YYYY_MM' : 'YYYY_MM_DD'})) IS NULL`;
    assert.deepEqual([...premade], [], `${table}: current and next ${PREMAKE_PERIODS} periods`);
  }

  // (a) no row lost, duplicated or changed (references, updated_at, counters included), except the expired ones
  const afterRun = await rows(sql);
  const expiredLoginLines = before.login_attempts!.filter((line) =>
    expiredLogins.includes((JSON.parse(line) as { id: string }).id),
  );
  assert.deepEqual(afterRun, {
    ...before,
    login_attempts: before.login_attempts!.filter((line) => !expiredLoginLines.includes(line)),
    audit_logs: before.audit_logs!.filter((line) => !expiredAudit.some((row) => row.line === line)),
  });
  const replies = await sql<{ id: string; reply_to_id: string | null }[]>`
    SELECT id::text, reply_to_id::text FROM messages WHERE id IN ${sql([samePeriodReply.id, olderReply.id, currentReply.id, future.id] as string[])}`;
  assert.deepEqual(
    Object.fromEntries(replies.map((row) => [row.id, row.reply_to_id])),
    {
      [samePeriodReply.id as string]: past.id,
      [olderReply.id as string]: past.id,
      [currentReply.id as string]: past.id,
      [future.id as string]: current.id,
    },
    'replies still point at the moved messages',
  );
  const [reactions] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM message_reactions r JOIN messages m
      ON m.id = r.message_id AND m.created_at = r.message_created_at
    WHERE m.id IN ${sql([past.id, future.id] as string[])}`;
  assert.equal(reactions?.n, 3, 'reactions of moved messages still join them');
  // the foreign keys act on the new partitions: deleting a moved message still takes its reactions along
  const cascaded = await sql
    .begin(async (tx) => {
      await tx`DELETE FROM messages WHERE id = ${future.id as string}`;
      const [left] = await tx<{ n: number }[]>`
        SELECT count(*)::int AS n FROM message_reactions WHERE message_id = ${future.id as string}`;
      throw Object.assign(new Error('roll back'), { left: left?.n });
    })
    .catch((error: { left?: number }) => error.left);
  assert.equal(cascaded, 0);

  // a rescued partition is what CREATE TABLE … PARTITION OF makes: same columns, indexes, constraints, triggers
  const shape = async (partition: string) => {
    const [found] = await sql<{ shape: unknown }[]>`
      SELECT json_build_object(
        'columns', (SELECT json_agg(json_build_array(attname, attnotnull, attislocal, attinhcount,
                      pg_get_expr(d.adbin, d.adrelid)) ORDER BY attnum)
                    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
        'indexes', (SELECT json_agg(replace(pg_get_indexdef(indexrelid), c.relname, 'P') ORDER BY 1)
                    FROM pg_index WHERE indrelid = c.oid),
        'constraints', (SELECT json_agg(json_build_array(replace(conname, c.relname, 'P'), contype, conislocal, coninhcount,
                          replace(pg_get_constraintdef(oid), c.relname, 'P')) ORDER BY conname)
                        FROM pg_constraint WHERE conrelid = c.oid),
        'referenced_by', (SELECT json_agg(p.conname ORDER BY p.conname) FROM pg_constraint r
                          JOIN pg_constraint p ON p.oid = r.conparentid WHERE r.confrelid = c.oid),
        'triggers', (SELECT json_agg(json_build_array(tgname ~ '^RI_', CASE WHEN tgname ~ '^RI_' THEN '' ELSE tgname END,
                       tgenabled, tgfoid::regproc::text) ORDER BY tgname ~ '^RI_', tgfoid::regproc::text, tgname)
                     FROM pg_trigger WHERE tgrelid = c.oid),
        'owner', c.relowner, 'options', c.reloptions, 'persistence', c.relpersistence) AS shape
      FROM pg_class c WHERE c.oid = ${partition}::regclass`;
    return found?.shape;
  };
  const rescued = `messages_${(future.created_at as Date).toISOString().slice(0, 7).replace('-', '_')}`;
  const [premadeMessages] = await sql<{ name: string }[]>`
    SELECT 'messages_' || to_char(date_trunc('month', NOW() AT TIME ZONE 'UTC') + interval '3 months', 'YYYY_MM') AS name`;
  assert.deepEqual(await shape(rescued), await shape(premadeMessages!.name));

  // (b) login_attempts: months wholly older than 90 days are gone; the month holding the boundary stays
  const logins = await catalog(sql);
  assert.ok(!logins.some((row) => row.name === oldMonthName), `${oldMonthName} dropped`);
  assert.ok(
    logins.some((row) => row.name === boundaryMonth && row.parent === 'login_attempts'),
    `${boundaryMonth} kept`,
  );
  const loginBounds = await sql<{ name: string; upper: Date }[]>`
    SELECT c.relname AS name, substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO [(]''([^'']+)''[)]')::timestamptz AS upper
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'login_attempts'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'`;
  assert.deepEqual(
    [...loginBounds].filter((row) => row.upper.getTime() <= Date.now() - loginDays * DAY).map((row) => row.name),
    [],
  );
  assert.ok(
    !logins.some((row) => row.name.startsWith('playback_history_') && row.parent === null),
    'nothing of playback_history detached',
  );

  // (c) audit_logs: each expired month was archived (the file holds exactly its rows), then dropped
  const expiredMonths = [
    ...new Set(expiredAudit.map((row) => `audit_logs_${row.at.toISOString().slice(0, 7).replace('-', '_')}`)),
  ];
  assert.ok(expiredMonths.includes(auditMonthName) && expiredMonths.length >= 3);
  for (const month of expiredMonths) {
    assert.ok(!(await catalog(sql)).some((row) => row.name === month), `${month} dropped`);
    const file = archivePath(dataDir, 'audit_logs', month);
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
    assert.equal(lines.pop(), '', 'one line per row, newline-terminated');
    assert.deepEqual(
      lines.sort(),
      expiredAudit
        .filter((row) => row.at.toISOString().slice(0, 7).replace('-', '_') === month.slice(-7))
        .map((row) => row.line)
        .sort(),
      `${month}: the archive holds exactly the partition's rows`,
    );
  }
  assert.deepEqual(
    Object.keys(filesUnder(dataDir)).sort(),
    expiredMonths.map((month) => archivePath(dataDir, 'audit_logs', month)).sort(),
  );

  // (d) a second run changes nothing
  const catalogAfter = await catalog(sql);
  const filesAfter = filesUnder(dataDir);
  const second = await run(db, dataDir);
  assert.equal(second.status, 'succeeded', second.error ?? '');
  assert.deepEqual(second.rowsByTable, {
    messages: 0,
    playback_history: 0,
    login_attempts: 0,
    audit_logs: 0,
    analytics_events: 0,
  });
  assert.deepEqual(await catalog(sql), catalogAfter);
  assert.deepEqual(await rows(sql), afterRun);
  assert.deepEqual(filesUnder(dataDir), filesAfter);
});

test('a run interrupted after detaching is finished by the next one; an archive of other rows for the same month is kept', async () => {
  const { sql, db } = database.current;
  const dataDir = await tempDir();
  const at = daysAgo(1200);
  const month = `audit_logs_${at.toISOString().slice(0, 7).replace('-', '_')}`;
  for (let i = 0; i < 3; i += 1) await make('audit_logs')(sql, { created_at: at, new_data: { i } });
  assert.equal((await run(db, dataDir)).status, 'succeeded');
  const firstArchive = readFileSync(archivePath(dataDir, 'audit_logs', month));
  assert.equal(gunzipSync(firstArchive).toString().trim().split('\n').length, 3);

  // Late rows for the same month: a new partition, detached by a run that stopped before archiving.
  await make('audit_logs')(sql, { created_at: at, new_data: { late: true } });
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)).toISOString();
  await sql.begin(async (tx) => {
    // what rescuing then detaching leaves: a plain table with the rows and the job's mark
    await tx.unsafe(`CREATE TABLE ${month} (LIKE audit_logs INCLUDING ALL)`);
    const inMonth = `created_at >= '${start}' AND created_at < '${start}'::timestamptz + interval '1 month'`;
    await tx.unsafe(`INSERT INTO ${month} SELECT * FROM audit_logs_default WHERE ${inMonth}`);
    await tx.unsafe(`DELETE FROM audit_logs_default WHERE ${inMonth}`);
    await tx.unsafe(`COMMENT ON TABLE ${month} IS '${detachedComment('audit_logs')}'`);
  });
  // and a partial file left by the interrupted archiving
  mkdirSync(join(dataDir, 'archive', 'audit_logs'), { recursive: true });
  writeFileSync(join(dataDir, 'archive', 'audit_logs', `${month}.jsonl.gz.partial`), gzipSync('{"half'));

  const resumed = await run(db, dataDir);
  assert.equal(resumed.status, 'succeeded', resumed.error ?? '');
  assert.equal(resumed.rowsByTable.audit_logs, 1);
  assert.equal((await sql`SELECT to_regclass(${month}) AS found`)[0]?.found, null, 'the detached table is dropped');
  assert.deepEqual(readFileSync(archivePath(dataDir, 'audit_logs', month)), firstArchive, 'first archive untouched');
  const second = gunzipSync(readFileSync(join(dataDir, 'archive', 'audit_logs', `${month}.2.jsonl.gz`)))
    .toString()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { new_data: unknown });
  assert.deepEqual(
    second.map((row) => row.new_data),
    [{ late: true }],
  );
  assert.deepEqual(
    readdirSync(join(dataDir, 'archive', 'audit_logs'))
      .filter((name) => name.startsWith(month))
      .sort(),
    [`${month}.2.jsonl.gz`, `${month}.jsonl.gz`],
    'the partial file is replaced',
  );
});

test('an audit_logs partition whose archive cannot be written is not dropped', async () => {
  const { sql, db } = database.current;
  const at = daysAgo(1500);
  const month = `audit_logs_${at.toISOString().slice(0, 7).replace('-', '_')}`;
  await make('audit_logs')(sql, { created_at: at, new_data: { unarchivable: true } });
  const broken = await tempDir();
  writeFileSync(join(broken, 'archive'), 'a file where the archive directory should be');

  const failed = await run(db, broken);
  assert.equal(failed.status, 'failed');
  assert.match(failed.error ?? '', /audit_logs: .*(ENOTDIR|EEXIST)/);
  const [kept] = await sql<{ n: number; comment: string }[]>`
    SELECT count(*)::int AS n, obj_description(${month}::regclass, 'pg_class') AS comment FROM ${sql(month)}`;
  assert.deepEqual(kept, { n: 1, comment: detachedComment('audit_logs') }, 'detached, rows kept, marked');

  const dataDir = await tempDir();
  const retried = await run(db, dataDir);
  assert.equal(retried.status, 'succeeded', retried.error ?? '');
  assert.equal((await sql`SELECT to_regclass(${month}) AS found`)[0]?.found, null);
  const archived = JSON.parse(gunzipSync(readFileSync(archivePath(dataDir, 'audit_logs', month))).toString()) as {
    new_data: unknown;
  };
  assert.deepEqual(archived.new_data, { unarchivable: true });
});

test('a table whose default partition is locked is skipped after the lock timeout, the others are done, and the run fails', async () => {
  const own = await migratedDatabase();
  try {
    const { sql, db } = own;
    await make('login_attempts')(sql, { attempted_at: daysAgo(-400) });
    await make('analytics_events')(sql, { created_at: daysAgo(-30) });
    const holder = postgres(own.url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = holder.begin(async (tx) => {
      await tx`LOCK TABLE login_attempts_default IN ACCESS SHARE MODE`;
      locked();
      await released;
    });
    await isLocked;
    // a dry run only reads: it takes no lock that waits for the reader
    const dry = await run(db, await tempDir(), true);
    assert.equal(dry.status, 'succeeded', dry.error ?? '');
    assert.equal(dry.rowsByTable.login_attempts, 1);
    const started = Date.now();
    const result = await run(db, await tempDir());
    const waited = Date.now() - started;
    release();
    await holding;
    await holder.end();

    assert.equal(result.status, 'failed');
    assert.match(result.error ?? '', /login_attempts: .*lock timeout/);
    assert.ok(waited < 10_000, `gave up after ${waited} ms`);
    assert.equal(result.rowsByTable.analytics_events, 1, 'the other tables were maintained');
    const [stranded] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM login_attempts_default`;
    assert.equal(stranded?.n, 1, 'the locked table is untouched');

    const retried = await run(db, await tempDir());
    assert.equal(retried.status, 'succeeded', retried.error ?? '');
    assert.equal(retried.rowsByTable.login_attempts, 1);
  } finally {
    await dropDatabase(own);
  }
});

test('the registry decides which partitions may be dropped, and every partitioned table is maintained', async () => {
  const { sql, db } = database.current;
  const registry = loadTableRegistry();
  const partitioned = await sql<{ table: string; key: string }[]>`
    SELECT c.relname AS table, a.attname AS key FROM pg_partitioned_table p
    JOIN pg_class c ON c.oid = p.partrelid JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1`;
  assert.deepEqual(
    [...partitioned].map((row) => row.table),
    Object.keys(PARTITIONED_TABLES).sort(),
    'the job lists every partitioned table',
  );

  // Every time limit on a partitioned table, measured on its partition key and ending in deletion, is
  // enforced here by dropping partitions: the row below (one month past the limit) must be gone after a run.
  const enforced = [];
  for (const { table, key } of partitioned) {
    const rule = registry[table]!.retention;
    const retention = partitionRetention(registry, table, key);
    const deletes = rule.action === 'delete' || rule.action === 'archive_then_delete';
    if (rule.policy === 'fixed_period' && rule.clock === key && deletes) {
      assert.deepEqual(retention, { maxAgeDays: rule.maxAgeDays, archive: rule.action === 'archive_then_delete' });
      const row = await make(table)(sql, { [key]: daysAgo(rule.maxAgeDays! + 62) });
      enforced.push({ table, id: row.id as string });
    } else {
      assert.equal(retention, null, `${table}: partitions are kept (${rule.action} on ${rule.clock ?? 'nothing'})`);
    }
  }
  assert.deepEqual(enforced.map((row) => row.table).sort(), ['audit_logs', 'login_attempts']);
  const result = await run(db, await tempDir());
  assert.equal(result.status, 'succeeded', result.error ?? '');
  for (const { table, id } of enforced) {
    const found = await sql`SELECT 1 FROM ${sql(table)} WHERE id = ${id}`;
    assert.equal(found.length, 0, `${table}: expired row gone`);
  }
});

test(
  'on the embedded PostgreSQL: premade periods, rescued default rows, expired partitions dropped',
  { timeout: 180_000 },
  async () => {
    const dataDir = await tempDir();
    const server = await startEmbeddedServer({ dataDir, port: await freePort() });
    try {
      const url = await ensureDatabase(server.adminUrl, 'veza');
      await new Migrator(url).migrate();
      const sql = postgres(url, { max: 2, onnotice: () => {} });
      const pool = openPool(url, {
        poolSize: 2,
        connectTimeoutMs: 2_000,
        statementTimeoutMs: 30_000,
        lockTimeoutMs: 3_000,
        prepareStatements: true,
      });
      const { db } = pool;
      try {
        const message = await make('messages')(sql, { created_at: daysAgo(-200) });
        await make('message_reactions')(sql, { message_id: message.id });
        const reply = await make('messages')(sql, { reply_to_id: message.id });
        await make('analytics_events')(sql, { created_at: daysAgo(-10) });
        await make('login_attempts')(sql, { attempted_at: daysAgo(150) });
        await sql`DROP TABLE ${sql(`playback_history_${new Date().toISOString().slice(0, 7).replace('-', '_')}`)}`;
        await make('playback_history')(sql);

        const result = await run(db, join(dataDir, 'jobs'));
        assert.equal(result.status, 'succeeded', result.error ?? '');
        assert.deepEqual(result.rowsByTable, {
          messages: 1,
          playback_history: 1,
          login_attempts: 2,
          audit_logs: 0,
          analytics_events: 1,
        });
        for (const table of Object.keys(PARTITIONED_TABLES)) {
          const [left] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ${sql(`${table}_default`)}`;
          assert.equal(left?.n, 0, `${table}_default is empty`);
        }
        // The 150-day-old attempt was moved into its month's partition, which lies wholly past the
        // 90-day limit, so the partition was detached and dropped (login_attempts: 1 moved + 1 dropped).
        const expiredMonth = daysAgo(150).toISOString().slice(0, 7).replace('-', '_');
        const [expired] = await sql<{ partition: string | null; rows: number }[]>`
        SELECT to_regclass(${`login_attempts_${expiredMonth}`})::text AS partition,
               (SELECT count(*)::int FROM login_attempts WHERE attempted_at < NOW() - INTERVAL '90 days') AS rows`;
        assert.deepEqual(expired, { partition: null, rows: 0 });
        const [kept] = await sql<{ reactions: number; reply_to: string }[]>`
        SELECT (SELECT count(*)::int FROM message_reactions WHERE message_id = ${message.id as string}) AS reactions,
               (SELECT reply_to_id::text FROM messages WHERE id = ${reply.id as string}) AS reply_to`;
        assert.deepEqual(kept, { reactions: 1, reply_to: message.id });
        assert.equal((await run(db, join(dataDir, 'jobs'))).rowsByTable.messages, 0);
      } finally {
        await sql.end();
        await pool.close();
      }
    } finally {
      await server.stop();
    }
  },
);
