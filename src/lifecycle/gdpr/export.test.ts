import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar';
import { allFactories } from '../../../test/factories/index.ts';
import { useMigratedDatabase } from '../../../test/helpers/database.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { gdprExports } from '../jobs/gdpr-exports.ts';
import { loadTableRegistry } from '../table-registry.ts';
import {
  buildExportPlan,
  EXPORT_ARCHIVE_MAX_AGE_DAYS,
  exportUserData,
  IDENTIFIER_RULES,
  NOT_EXPORTED,
  PART_OF_CONSTRAINTS,
  USER_COLUMN_EXPORTS,
  type ExportPlan,
} from './export.ts';

const database = useMigratedDatabase();
const make = (table: string) => {
  const factory = allFactories[table];
  if (!factory) throw new Error(`no factory for ${table}`);
  return factory;
};
const scratch: string[] = [];
after(async () => {
  for (const directory of scratch) await rm(directory, { recursive: true, force: true });
});
async function newDataDir(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'veza-export-test-'));
  scratch.push(directory);
  return directory;
}

/** RFC 4180 reader: rows of fields, a quoted empty field "" as '' and an empty one as null. */
function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        value += text.slice(i, quote);
        i = quote + 1;
        if (text[i] === '"') {
          value += '"';
          i += 1;
        } else break;
      }
      field = value;
    } else {
      const end = text.slice(i).search(/,|\r\n/);
      const stop = end === -1 ? text.length : i + end;
      field = stop === i ? null : text.slice(i, stop);
      i = stop;
    }
    row.push(field);
    if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else if (text[i] === ',') i += 1;
  }
  return rows;
}

interface Unpacked {
  json: { format: string; user_id: string; generated_at: string; tables: Record<string, Record<string, unknown>[]> };
  csv: Record<string, (string | null)[][]>;
  files: string[];
  /** The whole uncompressed tar stream. */
  bytes: Buffer;
}

async function unpack(archive: string): Promise<Unpacked> {
  const directory = await mkdtemp(join(tmpdir(), 'veza-export-unpacked-'));
  scratch.push(directory);
  await extract({ file: archive, cwd: directory });
  const files = (await readdir(directory)).sort();
  const csv: Unpacked['csv'] = {};
  for (const name of files.filter((f) => f.endsWith('.csv'))) {
    csv[name.slice(0, -4)] = parseCsv(await readFile(join(directory, name), 'utf8'));
  }
  return {
    json: JSON.parse(await readFile(join(directory, 'export.json'), 'utf8')),
    csv,
    files,
    bytes: gunzipSync(await readFile(archive)),
  };
}

/** The catalog's foreign keys to users(id), read here independently of the exporter. */
async function catalogUserColumns(): Promise<{ table: string; column: string }[]> {
  const { sql } = database.current;
  return (await sql`
    SELECT c.conrelid::regclass::text AS table, a.attname AS column
    FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass AND c.conparentid = 0
    ORDER BY 1, 2`) as unknown as { table: string; column: string }[];
}

describe('GDPR export (§19.2, Art. 20, ADR 0020)', () => {
  test('the plan covers every foreign key to users in the catalog, and every cascading key into it is decided', async () => {
    const { sql, db } = database.current;
    const plan = await buildExportPlan(db);
    const columns = await catalogUserColumns();
    assert.ok(columns.length >= 60, `expected the whole schema, found ${columns.length} user columns`);
    for (const { table, column } of columns) {
      const entry = plan.tables.find((t) => t.table === table);
      assert.ok(
        entry?.sources.some((s) => s.kind === 'user_column' && s.column === column),
        `${table}.${column} references users but the export plan does not read it`,
      );
    }
    assert.deepEqual(plan.unclassifiedPartKeys, [], 'decide in PART_OF_CONSTRAINTS whether these rows are parts');

    // No stale decision: each names a real column or key.
    const keys = (await sql`SELECT conname FROM pg_constraint WHERE contype = 'f'`).map((r) => r.conname as string);
    for (const name of Object.keys(PART_OF_CONSTRAINTS)) assert.ok(keys.includes(name), `${name} does not exist`);
    for (const name of Object.keys(USER_COLUMN_EXPORTS)) {
      assert.ok(
        columns.some((c) => `${c.table}.${c.column}` === name),
        `${name} is not a foreign key to users`,
      );
    }
  });

  test('every table the registry marks personal is reached, by a foreign key or an identifier rule', async () => {
    const plan = await buildExportPlan(database.current.db);
    const registry = loadTableRegistry();
    const personal = Object.keys(registry).filter((table) => registry[table]?.personalData !== 'none');
    assert.ok(personal.includes('login_attempts') && personal.includes('audit_logs'));
    for (const table of personal) {
      const reached = plan.tables.some((entry) => entry.table === table && entry.sources.length > 0);
      assert.ok(
        reached || table in NOT_EXPORTED,
        `${table} holds ${registry[table]?.personalData} personal data (db/table-registry.json) but the export ` +
          'reaches none of its rows: add an identifier rule (IDENTIFIER_RULES) or say why in NOT_EXPORTED',
      );
    }
    for (const table of [...Object.keys(IDENTIFIER_RULES), ...Object.keys(NOT_EXPORTED)]) {
      assert.ok(table in registry, `${table} is not a table of the registry`);
    }
  });

  test('rows found by identifier: login attempts under their email or username, their registration, an admin’s change without the admin', async () => {
    const { sql, db } = database.current;
    const person = await make('users')(sql, { email: 'Ada.Export@Example.test', username: 'Ada_Export' });
    const admin = await make('users')(sql);
    const attempt = (identifier: string, ip: string) =>
      sql`INSERT INTO login_attempts (identifier, success, ip_address, user_agent)
          VALUES (${identifier}, false, ${ip}, 'probe-agent') RETURNING id`.then(([row]) => row?.id as string);
    const byEmail = await attempt('ada.export@example.test', '192.0.2.10');
    const byUsername = await attempt('ada_export', '192.0.2.11');
    const someoneElse = await attempt('not.ada@example.test', '192.0.2.12');
    await sql.begin(async (tx) => {
      await tx`SELECT set_config('veza.actor_id', ${admin.id as string}, true)`;
      await tx`UPDATE users SET is_verified = true WHERE id = ${person.id as string}`;
    });

    const { json } = await unpack((await exportUserData(db, person.id as string, await newDataDir())).path);
    const attempts = json.tables.login_attempts ?? [];
    assert.deepEqual(attempts.map((row) => row.id).sort(), [byEmail, byUsername].sort());
    assert.ok(!attempts.some((row) => row.id === someoneElse));
    assert.deepEqual(attempts.map((row) => [row.ip_address, row.user_agent]).sort(), [
      ['192.0.2.10', 'probe-agent'],
      ['192.0.2.11', 'probe-agent'],
    ]);

    const audit = (json.tables.audit_logs ?? []).filter((row) => row.record_id === person.id);
    const registration = audit.find((row) => row.operation === 'INSERT');
    assert.ok(registration, 'the audit row of their registration (no actor) is in the archive');
    assert.equal((registration.new_data as Record<string, unknown> | null)?.email, 'Ada.Export@Example.test');
    const byAdmin = audit.find((row) => row.operation === 'UPDATE');
    assert.ok(byAdmin, 'the change an admin made to their account is in the archive');
    assert.equal(byAdmin.user_id, null, 'without the admin who made it');
    assert.ok(byAdmin.new_data, 'with what changed');
    const [stored] = await sql`
      SELECT user_id FROM audit_logs WHERE table_name = 'users' AND record_id = ${person.id as string}
        AND operation = 'UPDATE'`;
    assert.equal(stored?.user_id, admin.id, 'the database does record the admin');
  });

  test('a row naming the person through ANY user column of the catalog is in the archive', async () => {
    const { sql, db } = database.current;
    const subject = await make('users')(sql);
    const expected: { table: string; column: string; id: unknown }[] = [];
    for (const { table, column } of await catalogUserColumns()) {
      const row = await make(table)(sql, { [column]: subject.id });
      expected.push({ table, column, id: row.id });
    }
    const result = await exportUserData(db, subject.id as string, await newDataDir());
    const { json } = await unpack(result.path);
    for (const { table, column, id } of expected) {
      assert.ok(
        json.tables[table]?.some((row) => row.id === id),
        `${table} row ${String(id)} naming the person in ${column} is missing from the export`,
      );
    }
  });

  test('a user with rows in many tables: archive contents match the database, parts are followed, others’ rows are not, no secret leaks', async () => {
    const { sql, db } = database.current;
    const secret = (name: string) => `SECRET-${name}-${Math.random().toString(36).slice(2)}`;
    const secrets = {
      password: secret('password'),
      refreshToken: secret('refresh'),
      refreshHash: secret('refresh-hash'),
      resetToken: secret('reset'),
      totp: secret('totp'),
      backupCode: secret('backup'),
      accessToken: secret('oauth-access'),
      oauthRefresh: secret('oauth-refresh'),
      nested: secret('nested'),
      cloud: secret('cloud'),
      licenseKey: secret('license'),
      roomPassword: secret('room'),
    };
    const subject = await make('users')(sql, {
      email: 'export.subject@example.test',
      password_hash: secrets.password,
      first_name: 'Ada',
    });
    const other = await make('users')(sql, { email: 'someone.else@example.test' });
    const me = { user_id: subject.id };

    await make('user_profiles')(sql, { ...me, bio: 'Bass player, Lyon' });
    await make('refresh_tokens')(sql, { ...me, token: secrets.refreshToken, token_hash: secrets.refreshHash });
    await make('password_reset_tokens')(sql, { ...me, token: secrets.resetToken });
    await make('two_factor_configs')(sql, { ...me, totp_secret: secrets.totp, backup_codes: [secrets.backupCode] });
    await make('federated_identities')(sql, {
      ...me,
      access_token: secrets.accessToken,
      refresh_token: secrets.oauthRefresh,
      provider_profile_data: { login: 'ada', nested: { client_secret: secrets.nested } },
    });
    await make('cloud_accounts')(sql, { ...me, encrypted_credentials: Buffer.from(secrets.cloud) });
    const room = await make('rooms')(sql, { creator_id: subject.id, password_hash: secrets.roomPassword });
    await make('messages')(sql, { room_id: room.id, sender_id: subject.id, content: 'hello, it is me' });
    const othersMessage = await make('messages')(sql, { room_id: room.id, sender_id: other.id });

    // Their playlist, with an entry another user added: a part of it, exported.
    const playlist = await make('playlists')(sql, me);
    const othersEntry = await make('playlist_tracks')(sql, { playlist_id: playlist.id, added_by: other.id });
    // Their track, liked by someone else: that like is the other user's, not exported.
    const track = await make('tracks')(sql, { creator_id: subject.id, title: 'Night drive' });
    const othersLike = await make('track_likes')(sql, { user_id: other.id, track_id: track.id });
    // An order with its line (part), and a licence key that is a bearer secret.
    const order = await make('orders')(sql, { ...me, billing_name: 'Ada Lovelace' });
    await make('order_items')(sql, { order_id: order.id, license_key: secrets.licenseKey });
    // Follows both ways; a block by someone else (who blocked them stays private), a report against them.
    await make('follows')(sql, { follower_id: subject.id, following_id: other.id });
    await make('follows')(sql, { follower_id: other.id, following_id: subject.id });
    await make('blocks')(sql, { blocker_id: other.id, blocked_id: subject.id, reason: 'spam in my DMs' });
    await make('moderation_reports')(sql, {
      reporter_id: other.id,
      reported_user_id: subject.id,
      details: 'keeps posting links',
    });
    // Somebody else's data, not about the subject at all.
    const bystanderPlaylist = await make('playlists')(sql, { user_id: other.id });

    const dataDir = await newDataDir();
    const result = await exportUserData(db, subject.id as string, dataDir);
    assert.match(result.path, new RegExp(`^${dataDir}/exports/${subject.id}/\\d{8}T\\d{9}Z\\.tar\\.gz$`));
    assert.equal((await stat(result.path)).mode & 0o777, 0o600, 'the archive is readable by its owner only');
    const archive = await unpack(result.path);
    const plan: ExportPlan = await buildExportPlan(db);

    assert.deepEqual(archive.files, ['export.json', ...plan.tables.map((t) => `${t.table}.csv`)].sort());
    assert.equal(archive.json.format, 'veza-gdpr-export/1');
    assert.equal(archive.json.user_id, subject.id);

    // Every exported row equals the database row, minus secret columns, with omitted columns blank.
    await sql.begin(async (tx) => {
      await tx`SET LOCAL TimeZone = 'UTC'`;
      for (const entry of plan.tables) {
        const rows = archive.json.tables[entry.table];
        assert.ok(rows, `export.json has no ${entry.table}`);
        assert.equal(rows.length, result.rowsByTable[entry.table], entry.table);
        for (const row of rows) {
          assert.deepEqual(Object.keys(row), entry.columns, `${entry.table}: columns in table order, no secret`);
          const key = row.id as string;
          const [stored] = await tx`
            SELECT to_jsonb(t) AS row, audit_redact(to_jsonb(t)) AS redacted FROM ${tx(entry.table)} t WHERE id = ${key}`;
          assert.ok(stored, `${entry.table} ${key} not in the database`);
          const value = stored.row as Record<string, unknown>;
          // Blank: the columns every user column through which the row names the person omits.
          const naming = entry.sources.filter((s) => s.kind === 'user_column' && value[s.column] === subject.id);
          const omitted = naming
            .map((s) => new Set(s.kind === 'user_column' ? s.omit : []))
            .reduce((all, next) => new Set([...all].filter((c) => next.has(c))), new Set(entry.columns));
          if (naming.length === 0) omitted.clear();
          const expected = Object.fromEntries(
            entry.columns.map((c) => [
              c,
              omitted.has(c) ? null : entry.jsonColumns.includes(c) ? stored.redacted[c] : value[c],
            ]),
          );
          assert.deepEqual(row, expected, `${entry.table} ${key}`);
        }
        // The CSV holds the same rows: header, count, ids.
        const csv = archive.csv[entry.table];
        assert.ok(csv);
        assert.deepEqual(csv[0], entry.columns, `${entry.table}.csv header`);
        assert.equal(csv.length - 1, rows.length, `${entry.table}.csv rows`);
        const idColumn = entry.columns.indexOf('id');
        assert.deepEqual(
          csv.slice(1).map((cells) => cells[idColumn]),
          rows.map((row) => row.id),
        );
      }
    });

    const ids = (table: string) => (archive.json.tables[table] ?? []).map((row) => row.id);
    assert.deepEqual(ids('users'), [subject.id]);
    assert.equal(archive.json.tables.users?.[0]?.first_name, 'Ada');
    assert.ok(ids('playlist_tracks').includes(othersEntry.id), 'an entry of their playlist is a part of it');
    assert.ok(!ids('track_likes').includes(othersLike.id), 'a like by someone else on their track is not theirs');
    assert.ok(!ids('messages').includes(othersMessage.id), 'others’ messages in a room they created are not theirs');
    assert.ok(!ids('playlists').includes(bystanderPlaylist.id));
    assert.equal(ids('order_items').length, 1, 'their order’s line is a part of it');
    assert.equal(ids('follows').length, 2);
    const block = archive.json.tables.blocks?.[0];
    assert.deepEqual([block?.blocked_id, block?.blocker_id, block?.reason], [subject.id, null, null]);
    const report = archive.json.tables.moderation_reports?.[0];
    assert.deepEqual([report?.reported_user_id, report?.reporter_id, report?.details], [subject.id, null, null]);
    const identity = archive.json.tables.federated_identities?.[0];
    assert.deepEqual(identity?.provider_profile_data, { login: 'ada', nested: { client_secret: '[redacted]' } });
    assert.equal(archive.csv.users?.[1]?.[archive.csv.users[0]?.indexOf('email') ?? -1], 'export.subject@example.test');

    // No secret value anywhere in the archive's bytes; its personal data is there (the search works).
    const text = archive.bytes.toString('latin1');
    assert.ok(text.includes('export.subject@example.test') && text.includes('Bass player, Lyon'));
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(!text.includes(value), `secret ${name} leaked into the archive`);
    }
    assert.ok(!text.includes('someone.else@example.test'), 'another user’s email is not exported');
  });

  test('an unknown or malformed user id is refused', async () => {
    const { db } = database.current;
    const dataDir = await newDataDir();
    await assert.rejects(exportUserData(db, 'not-a-uuid', dataDir), /"not-a-uuid" is not a user id/);
    await assert.rejects(
      exportUserData(db, '00000000-0000-4000-8000-000000000000', dataDir),
      /no user with id 00000000-0000-4000-8000-000000000000/,
    );
    assert.deepEqual(await readdir(join(dataDir, 'exports')).catch(() => []), [], 'nothing is left behind');
  });

  test('gdpr.exports writes each pending request, sets exported_at, skips deleted accounts; a second run does nothing', async () => {
    const { sql, db } = database.current;
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const users = make('users');
    const first = await users(sql, { export_requested_at: ago(10) });
    const again = await users(sql, { export_requested_at: ago(5), exported_at: ago(60) });
    const done = await users(sql, { export_requested_at: ago(60), exported_at: ago(50) });
    const deleted = await users(sql, { export_requested_at: ago(10), deleted_at: ago(1) });
    const never = await users(sql);
    const dataDir = await newDataDir();
    // An archive past its download window, and a fresh one.
    const oldArchive = join(dataDir, 'exports', done.id as string, '20000101T000000000Z.tar.gz');
    const freshArchive = join(dataDir, 'exports', done.id as string, '20990101T000000000Z.tar.gz');
    await mkdir(join(dataDir, 'exports', done.id as string), { recursive: true });
    await writeFile(oldArchive, 'old');
    await writeFile(freshArchive, 'fresh');
    const past = new Date(Date.now() - (EXPORT_ARCHIVE_MAX_AGE_DAYS + 1) * 86_400_000);
    await utimes(oldArchive, past, past);

    const dry = await runJob(gdprExports, { db, dataDir, dryRun: true, triggeredBy: 'manual' });
    assert.deepEqual(dry.rowsByTable, { users: 2 });
    assert.deepEqual(await readdir(join(dataDir, 'exports')), [done.id], 'a dry run writes and removes nothing');

    const run = await runJob(gdprExports, { db, dataDir, triggeredBy: 'manual' });
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual(run.rowsByTable, { users: 2 });
    for (const user of [first, again]) {
      const files = await readdir(join(dataDir, 'exports', user.id as string));
      assert.equal(files.length, 1);
      assert.match(files[0] ?? '', /^\d{8}T\d{9}Z\.tar\.gz$/);
      const { json } = await unpack(join(dataDir, 'exports', user.id as string, files[0] ?? ''));
      assert.equal(json.user_id, user.id);
      const [row] = await sql`SELECT export_requested_at, exported_at FROM users WHERE id = ${user.id as string}`;
      assert.ok(row?.exported_at >= row?.export_requested_at, 'exported_at is set after the request');
      assert.equal((row?.exported_at as Date).toISOString(), json.generated_at, 'exported_at is the snapshot time');
    }
    for (const user of [done, deleted, never]) {
      const [row] = await sql`SELECT exported_at FROM users WHERE id = ${user.id as string}`;
      assert.deepEqual(row?.exported_at, user.exported_at ?? null, 'not exported again');
    }
    assert.deepEqual(await readdir(join(dataDir, 'exports', done.id as string)), ['20990101T000000000Z.tar.gz']);
    assert.ok(!(await readdir(join(dataDir, 'exports'))).includes(deleted.id as string));

    const second = await runJob(gdprExports, { db, dataDir, triggeredBy: 'manual' });
    assert.deepEqual(second.rowsByTable, {});
    assert.equal((await readdir(join(dataDir, 'exports', first.id as string))).length, 1);
  });
});
