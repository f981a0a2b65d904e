// GDPR export (spec §19.2, Art. 20; ADR 0020, 0037): everything about one person, found from the foreign-key graph
// in the catalog and, for rows no key leads to, by the identifiers they carry; written as a .tar.gz holding
// export.json (every table) and one CSV per table.
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CompiledQuery, sql } from 'kysely';
import { create as createTar } from 'tar';
import { presenceKeptInRedis } from '../../domains/chat/index.ts';
import { storageForDataDir, writeOwnFiles } from '../../domains/files/index.ts';
import type { JobDb } from '../../platform/jobs/job.ts';
import { inSavepoint } from '../../platform/jobs/run-job.ts';
import type { ForeignKey, UserColumn } from './foreign-keys.ts';
import { loadForeignKeys, loadPrimaryKeys, quoteIdentifier, userColumns } from './foreign-keys.ts';

export const EXPORT_FORMAT = 'veza-gdpr-export/1';

/**
 * Secret columns are left out of the export (ADR 0020), by the rule the audit trail uses (ADR 0013): a listed
 * name, or a name ending like a credential. Nested secrets in JSONB values are replaced by audit_redact().
 */
export const SECRET_COLUMNS: readonly string[] = [
  'password_hash',
  'totp_secret',
  'backup_codes',
  'access_token',
  'refresh_token',
  'token',
  'token_hash',
  'license_key',
  'encrypted_credentials',
];
const SECRET_NAME =
  /(password|passwd|secret|token|hash|salt|credentials?|(api|private|secret|signing|encryption|license)_?key|(backup|recovery)_?codes)$/i;

export function isSecretColumn(name: string): boolean {
  return SECRET_COLUMNS.includes(name) || SECRET_NAME.test(name);
}

/**
 * How a foreign key to users is exported. `owner`: the row is the person's own (their playlist, order, like):
 * exported whole, and the rows that are parts of it (PART_OF_CONSTRAINTS) with it. `mention`: the row belongs to
 * someone else and names the person (a follower's follow, a report against them, a moderator's case): exported,
 * but the columns in `omit` are blank when the row is there only through this column (Art. 20(4): the rights of
 * others), and its parts are not followed. A column not listed here is `owner` with nothing omitted.
 */
export interface UserColumnExport {
  role: 'owner' | 'mention';
  omit: readonly string[];
  why: string;
}

export const USER_COLUMN_EXPORTS: Readonly<Record<string, UserColumnExport>> = {
  'audit_logs.user_id': {
    role: 'owner',
    omit: ['old_data', 'new_data'],
    why: 'what the person changed and when; the row copies may describe other people (a moderator, an admin)',
  },
  'blocks.blocked_id': {
    role: 'mention',
    omit: ['blocker_id', 'reason'],
    why: 'the person was blocked: who blocked them, and why, stays private to the blocker',
  },
  'direct_messages.recipient_id': { role: 'mention', omit: [], why: 'messages received are part of their mailbox' },
  'feature_flags.updated_by': {
    role: 'mention',
    omit: ['conditions'],
    why: 'flags the admin edited; conditions list testers’ user ids',
  },
  'follow_requests.target_id': {
    role: 'mention',
    omit: [],
    why: 'who asked to follow them: the requests they are shown to accept or decline',
  },
  'follows.following_id': { role: 'mention', omit: [], why: 'their followers, already public on their profile' },
  'moderation_actions.moderator_id': {
    role: 'mention',
    omit: ['target_user_id', 'entity_id', 'report_id', 'reason'],
    why: 'sanctions the moderator took, without the sanctioned person',
  },
  'moderation_actions.target_user_id': {
    role: 'mention',
    omit: ['moderator_id'],
    why: 'sanctions against the person, without the moderator’s identity',
  },
  'moderation_reports.assigned_moderator_id': {
    role: 'mention',
    omit: ['reporter_id', 'reported_user_id', 'entity_id', 'details'],
    why: 'cases handled by the moderator, without the people involved',
  },
  'moderation_reports.reported_user_id': {
    role: 'mention',
    omit: ['reporter_id', 'assigned_moderator_id', 'details'],
    why: 'reports against the person, without the reporter (whose free text may identify them) or the moderator',
  },
  'moderation_reports.reporter_id': {
    role: 'owner',
    omit: ['assigned_moderator_id'],
    why: 'reports the person filed, without the moderator’s identity',
  },
  'notifications.actor_id': {
    role: 'mention',
    omit: ['user_id', 'title', 'body', 'data', 'entity_id'],
    why: 'notifications the person caused others to receive: only their type and date',
  },
  'notification_actors.actor_id': {
    role: 'mention',
    omit: ['notification_id'],
    why: 'that the person is counted in others’ grouped notifications: only when, not whose (ADR 0066)',
  },
  'order_items.seller_id': { role: 'mention', omit: [], why: 'their sales: the order lines of their products' },
  'system_configs.updated_by': { role: 'mention', omit: [], why: 'settings the admin edited' },
  'user_roles.verified_by': { role: 'mention', omit: ['user_id'], why: 'roles the person verified, not whose' },
};

/**
 * Cascading foreign keys from a table into a table whose rows are the person's: `true` when the child row is a
 * part of the person's row (their playlist's entries, their order's lines), `false` when it is someone else's
 * row about it (a like on their track, a message in a room they created), which is exported only if it names
 * the person itself. Every such key must be listed: a test fails on a new one, so that someone decides.
 * Non-cascading keys (SET NULL, RESTRICT) are references, never parts, and are not followed.
 */
export const PART_OF_CONSTRAINTS: Readonly<Record<string, boolean>> = {
  fk_backup_jobs_cloud_accounts: true,
  fk_cart_items_carts: true,
  fk_cart_items_products: false,
  fk_certificates_course_enrollments: true,
  fk_discount_code_usage_discount_codes: false,
  fk_discount_code_usage_orders: true,
  fk_entity_analytics_breakdowns_courses: true,
  fk_entity_analytics_breakdowns_products: true,
  fk_entity_analytics_breakdowns_tracks: true,
  fk_equipment_maintenance_equipment: true,
  fk_equipment_warranties_equipment: true,
  // Which warranty reminders were sent (ADR 0079): part of the owner's warranty record.
  fk_equipment_warranty_reminders_equipment_warranties: true,
  // Someone's feed entry for the person's post is the reader's row, not part of the post (ADR 0064).
  fk_feed_entries_posts: false,
  fk_file_conversions_files_source: true,
  fk_file_metadata_files: true,
  fk_group_members_groups: false,
  fk_group_posts_groups: false,
  fk_group_posts_posts: true,
  fk_lesson_progress_course_enrollments: true,
  fk_lesson_progress_lessons: false,
  fk_lessons_courses: true,
  fk_message_reactions_messages: false,
  fk_messages_rooms: false,
  // The people counted in the person's grouped notification are others' rows (ADR 0066); data.actor_ids names them.
  fk_notification_actors_notifications: false,
  fk_order_items_orders: true,
  fk_play_count_windows_tracks: false,
  fk_playback_history_tracks: false,
  // A playlist's collaborators are part of it, as the entries they add are (issue 13 §4, ADR 0049).
  fk_playlist_collaborators_playlists: true,
  fk_playlist_followers_playlists: false,
  fk_playlist_tracks_playlists: true,
  fk_playlist_tracks_tracks: false,
  fk_post_comments_post_comments: false,
  fk_post_comments_posts: false,
  fk_post_hashtags_posts: true,
  fk_post_likes_posts: false,
  fk_posts_posts: false,
  fk_product_favorites_products: false,
  fk_product_licenses_products: true,
  fk_product_reviews_order_items: false,
  fk_product_reviews_products: false,
  fk_queue_items_queues: true,
  fk_queue_items_tracks: false,
  fk_quiz_attempts_course_enrollments: true,
  fk_quiz_attempts_quizzes: false,
  fk_quizzes_courses: true,
  fk_quizzes_lessons: true,
  fk_room_members_rooms: false,
  fk_sync_operations_cloud_accounts: true,
  fk_track_analytics_tracks: true,
  fk_track_comments_track_comments: false,
  fk_track_comments_tracks: false,
  fk_track_downloads_tracks: false,
  fk_track_likes_tracks: false,
  fk_typing_indicators_rooms: false,
};

/**
 * Rows about the person that no foreign key leads to, found by an identifier they carry (ADR 0037). `where` is an
 * SQL condition on the row named `alias`, $1 being the person's id; `omit` as in USER_COLUMN_EXPORTS: blank when the
 * row is there only through this rule.
 */
export interface IdentifierRule {
  where: (alias: string) => string;
  omit: readonly string[];
  why: string;
}

/** The person's own identifiers as login_attempts records them: trimmed, lower case (ADR 0022's lockoutKey). */
const OWN_LOGIN_IDENTIFIERS = `(SELECT lower(u.email) FROM users u WHERE u.id = $1
                                UNION ALL SELECT lower(u.username) FROM users u WHERE u.id = $1)`;

export const IDENTIFIER_RULES: Readonly<Record<string, readonly IdentifierRule[]>> = {
  login_attempts: [
    {
      where: (alias) => `${alias}."identifier" IN ${OWN_LOGIN_IDENTIFIERS}`,
      omit: [],
      why:
        'attempts to log in as the person under their current email or username, with address and user agent; ' +
        'they cannot be told apart from their own, and who tried to get into their account is theirs to know',
    },
  ],
  audit_logs: [
    {
      where: (alias) => `${alias}."table_name" = 'users' AND ${alias}."record_id" = $1 AND ${alias}."user_id" IS NULL`,
      omit: [],
      why: 'changes to their account with no acting user: their own registration, the jobs',
    },
    {
      where: (alias) => `${alias}."table_name" = 'users' AND ${alias}."record_id" = $1 AND ${alias}."user_id" <> $1`,
      omit: ['user_id'],
      why: 'changes someone else (an admin) made to their account, without who made them',
    },
  ],
  chat_events: [
    {
      where: (alias) => `${alias}."scope_type" = 'user' AND ${alias}."scope_id" = $1`,
      omit: [],
      why:
        'the real-time events delivered to the person alone (their direct messages, read receipts, presence) in ' +
        'the last 7 days (ADR 0054); room events are copies of the rooms’ messages, exported with those',
    },
  ],
};

/**
 * Registry tables holding personal data (personalData not `none`) that the export leaves out on purpose; every
 * other one must be reached through a foreign key or an identifier rule (a test fails otherwise).
 */
export const NOT_EXPORTED: Readonly<Record<string, string>> = {};

/** One way a row of a table is about the person. */
export type ExportSource =
  | { kind: 'self' }
  | { kind: 'user_column'; column: string; role: 'owner' | 'mention'; omit: readonly string[] }
  | { kind: 'part_of'; key: ForeignKey }
  | { kind: 'identifier'; rule: IdentifierRule };

export interface TableExportPlan {
  table: string;
  /** Columns written, in table order: every column but the secret ones. */
  columns: string[];
  /** Secret columns left out. */
  secretColumns: string[];
  jsonColumns: string[];
  primaryKey: string[];
  sources: ExportSource[];
}

export interface ExportPlan {
  tables: TableExportPlan[];
  /** Every foreign key to users in the catalog, each one a source of the plan. */
  userColumns: UserColumn[];
  /** Cascading keys into an exported table that PART_OF_CONSTRAINTS does not classify (followed: false). */
  unclassifiedPartKeys: string[];
}

/** Builds the export plan from the catalog: which rows of which tables are about a person, and which columns. */
export async function buildExportPlan(db: JobDb): Promise<ExportPlan> {
  const foreignKeys = await loadForeignKeys(db);
  const primaryKeys = await loadPrimaryKeys(db);
  const people = userColumns(foreignKeys);

  const sources = new Map<string, ExportSource[]>([['users', [{ kind: 'self' }]]]);
  const add = (table: string, source: ExportSource) => sources.set(table, [...(sources.get(table) ?? []), source]);
  for (const person of people) {
    const decided = USER_COLUMN_EXPORTS[`${person.table}.${person.column}`];
    add(person.table, {
      kind: 'user_column',
      column: person.column,
      role: decided?.role ?? 'owner',
      omit: decided?.omit ?? [],
    });
  }

  for (const [table, rules] of Object.entries(IDENTIFIER_RULES)) {
    for (const rule of rules) add(table, { kind: 'identifier', rule });
  }

  // Tables whose rows can be the person's own (not mere mentions), grown by following part-of keys to a fixpoint.
  const owned = new Set(
    [...sources].filter(([, list]) => list.some((s) => s.kind !== 'user_column' || s.role === 'owner')).map(([t]) => t),
  );
  const unclassified = new Set<string>();
  const followed = new Set<string>();
  for (let grown = true; grown;) {
    grown = false;
    for (const key of foreignKeys) {
      if (key.onDelete !== 'cascade' || !owned.has(key.references) || key.references === 'users') continue;
      const part = PART_OF_CONSTRAINTS[key.constraint];
      if (part === undefined) unclassified.add(key.constraint);
      if (part !== true || followed.has(key.constraint)) continue;
      followed.add(key.constraint);
      add(key.table, { kind: 'part_of', key });
      if (!owned.has(key.table)) {
        owned.add(key.table);
        grown = true;
      }
    }
  }

  const tableNames = [...sources.keys()].sort();
  const { rows: columns } = await sql<{ table: string; column: string; type: string }>`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, NULL) AS type
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(${tableNames}::name[]) AND NOT c.relispartition
      AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY c.relname, a.attnum`.execute(db);

  const tables = tableNames.map((table): TableExportPlan => {
    const own = columns.filter((c) => c.table === table);
    const primaryKey = primaryKeys.get(table);
    if (own.length === 0 || !primaryKey) throw new Error(`export plan: table ${table} not found in the catalog`);
    return {
      table,
      columns: own.filter((c) => !isSecretColumn(c.column)).map((c) => c.column),
      secretColumns: own.filter((c) => isSecretColumn(c.column)).map((c) => c.column),
      jsonColumns: own.filter((c) => c.type === 'jsonb' || c.type === 'json').map((c) => c.column),
      primaryKey,
      sources: sources.get(table) ?? [],
    };
  });
  return { tables, userColumns: people, unclassifiedPartKeys: [...unclassified].sort() };
}

/** SQL condition (parameter $1: the user id) selecting the rows of `table`, aliased `alias`, that are the person's own. */
function ownedCondition(plan: Map<string, TableExportPlan>, table: string, alias: string, depth: number): string {
  if (depth > 10) throw new Error(`export plan: part-of keys nest deeper than 10 levels at ${table}`);
  const entry = plan.get(table);
  if (!entry) throw new Error(`export plan: no entry for ${table}`);
  const conditions = entry.sources.flatMap((source) => {
    switch (source.kind) {
      case 'self':
        return [`${alias}.id = $1`];
      case 'user_column':
        return source.role === 'owner' ? [`${alias}.${quoteIdentifier(source.column)} = $1`] : [];
      case 'part_of':
        return [partCondition(plan, source.key, alias, depth)];
      case 'identifier':
        return [`(${source.rule.where(alias)})`];
    }
  });
  return conditions.length > 0 ? `(${conditions.join(' OR ')})` : 'false';
}

function partCondition(plan: Map<string, TableExportPlan>, key: ForeignKey, alias: string, depth: number): string {
  const parent = `p${depth + 1}`;
  const own = key.columns.map((c) => `${alias}.${quoteIdentifier(c)}`).join(', ');
  const referenced = key.referencedColumns.map((c) => `${parent}.${quoteIdentifier(c)}`).join(', ');
  return `(${own}) IN (SELECT ${referenced} FROM ${quoteIdentifier(key.references)} ${parent}
    WHERE ${ownedCondition(plan, key.references, parent, depth + 1)})`;
}

/**
 * The SELECT returning, for the person ($1), each row of the table as JSON text, and its CSV cells as a JSON array
 * of strings (a JSON string value unquoted, NULL as null, anything else as its JSON text).
 */
export function tableExportQuery(plan: ExportPlan, table: string): string {
  const byTable = new Map(plan.tables.map((entry) => [entry.table, entry]));
  const entry = byTable.get(table);
  if (!entry) throw new Error(`export plan: no entry for ${table}`);
  const alias = 't';
  const conditions = entry.sources.map((source) => ({
    sql:
      source.kind === 'user_column'
        ? `${alias}.${quoteIdentifier(source.column)} = $1`
        : source.kind === 'self'
          ? `${alias}.id = $1`
          : source.kind === 'identifier'
            ? `(${source.rule.where(alias)})`
            : partCondition(byTable, source.key, alias, 0),
    omit: source.kind === 'user_column' ? source.omit : source.kind === 'identifier' ? source.rule.omit : [],
  }));
  const projections = entry.columns.map((column) => {
    const quoted = `${alias}.${quoteIdentifier(column)}`;
    const value = entry.jsonColumns.includes(column) ? `audit_redact(to_jsonb(${quoted}))` : quoted;
    if (conditions.every((condition) => !condition.omit.includes(column))) {
      return `${value} AS ${quoteIdentifier(column)}`;
    }
    const visible = conditions.filter((condition) => !condition.omit.includes(column)).map((c) => c.sql);
    return `CASE WHEN ${visible.length > 0 ? visible.join(' OR ') : 'false'} THEN ${value} END AS ${quoteIdentifier(column)}`;
  });
  return `
    SELECT row_to_json(x)::text AS json,
           (SELECT json_agg(CASE json_typeof(e.value) WHEN 'string' THEN e.value #>> '{}' WHEN 'null' THEN NULL
                                 ELSE e.value::text END)
            FROM json_each(row_to_json(x)) AS e)::text AS cells
    FROM (SELECT ${projections.join(', ')}
          FROM ${quoteIdentifier(table)} ${alias}
          WHERE ${conditions.map((c) => c.sql).join(' OR ')}
          ORDER BY ${entry.primaryKey.map((c) => `${alias}.${quoteIdentifier(c)}`).join(', ')}) x`;
}

/** RFC 4180 field: NULL is an empty field, an empty string is "". */
function csvField(value: string | null): string {
  if (value === null) return '';
  if (value === '' || /[",\r\n]/.test(value) || value.trim() !== value) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

export class UnknownUserError extends Error {
  constructor(userId: string) {
    super(`no user with id ${userId}`);
    this.name = 'UnknownUserError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Throws a clear error unless `value` is a UUID (before it reaches PostgreSQL's cast error). */
export function assertUuid(value: string): void {
  if (!UUID.test(value))
    throw new Error(`"${value}" is not a user id (a UUID such as 8a5c3e0e-1f0b-4c4e-9d8a-2b7c1e6f4a10)`);
}

export interface UserExport {
  userId: string;
  /** The archive: <dataDir>/exports/<user id>/<timestamp>.tar.gz */
  path: string;
  /** Time of the database snapshot the archive reflects. */
  generatedAt: Date;
  rowsByTable: Record<string, number>;
}

/** Directory holding a user's archives. */
export function userExportDirectory(dataDir: string, userId: string): string {
  return join(dataDir, 'exports', userId);
}

function fileStamp(at: Date): string {
  return at.toISOString().replaceAll('-', '').replaceAll(':', '').replace('.', '');
}

const FILE_STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z\.tar\.gz$/;

/**
 * When an archive was generated, from its name (the database clock of its snapshot), or undefined for any other
 * file. Ages are taken from the name, not the file's mtime, so that the API and the pruning job share the clock the
 * rest of the lifecycle uses (ADR 0037) rather than the file system's.
 */
export function exportArchiveTime(fileName: string): Date | undefined {
  const parts = FILE_STAMP.exec(fileName);
  if (!parts) return undefined;
  const [year = 0, month = 1, day, hour, minute, second, millisecond] = parts.slice(1).map(Number);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond));
}

type Rows = { json: string; cells: string }[];

/**
 * Writes the person's archive (export.json and one CSV per table of the plan, from one consistent snapshot)
 * to <dataDir>/exports/<user id>/<timestamp>.tar.gz, readable by the owner of the process only, and returns it.
 * Does not touch users.exported_at (the gdpr.exports job does, see markExported). With `redisUrl`, what Redis
 * keeps of them (chat presence, ADR 0059) is in it too: export.json's `redis` and `redis.<name>.csv`.
 */
export async function exportUserData(
  db: JobDb,
  userId: string,
  dataDir: string,
  options: { redisUrl?: string | undefined } = {},
): Promise<UserExport> {
  assertUuid(userId);
  // Read first: an unreachable Redis fails the export (retried by the job) rather than leaving it out silently.
  const kept: Record<string, { columns: readonly string[]; rows: Record<string, string | null>[] }> = options.redisUrl
    ? { presence: await presenceKeptInRedis(options.redisUrl, userId) }
    : {};
  const directory = userExportDirectory(dataDir, userId);
  const inSnapshot = <T>(work: (tx: JobDb) => Promise<T>): Promise<T> =>
    db.isTransaction
      ? inSavepoint(db, work)
      : db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);

  const work: { staging?: string } = {};
  try {
    const { generatedAt, rowsByTable, files, staging } = await inSnapshot(async (tx) => {
      await sql`SET LOCAL TimeZone = 'UTC'`.execute(tx);
      const {
        rows: [user],
      } = await sql<{ now: Date }>`SELECT NOW() AS now FROM users WHERE id = ${userId}`.execute(tx);
      if (!user) throw new UnknownUserError(userId);
      const plan = await buildExportPlan(tx);

      await mkdir(directory, { recursive: true, mode: 0o700 });
      const staging = join(directory, `.staging-${fileStamp(user.now)}-${process.pid}`);
      await mkdir(staging, { recursive: true, mode: 0o700 });
      work.staging = staging;
      const counts: Record<string, number> = {};
      const names: string[] = ['export.json'];
      const json = await open(join(staging, 'export.json'), 'wx', 0o600);
      try {
        await json.write(
          `{"format":${JSON.stringify(EXPORT_FORMAT)},"user_id":${JSON.stringify(userId)},` +
            `"generated_at":${JSON.stringify(user.now.toISOString())},"tables":{`,
        );
        for (const [index, entry] of plan.tables.entries()) {
          const csvName = `${entry.table}.csv`;
          names.push(csvName);
          const csv = await open(join(staging, csvName), 'wx', 0o600);
          try {
            await csv.write(`${entry.columns.map(csvField).join(',')}\r\n`);
            await json.write(`${index === 0 ? '' : ','}\n${JSON.stringify(entry.table)}:[`);
            let count = 0;
            // A cursor of the snapshot's transaction, 1,000 rows per round trip: a table never sits in memory.
            await tx.executeQuery(
              CompiledQuery.raw(`DECLARE gdpr_export NO SCROLL CURSOR FOR ${tableExportQuery(plan, entry.table)}`, [
                userId,
              ]),
            );
            for (;;) {
              const { rows } = await sql<Rows[number]>`FETCH 1000 FROM gdpr_export`.execute(tx);
              if (rows.length === 0) break;
              await json.write(rows.map((row, i) => `${count + i === 0 ? '' : ','}\n${row.json}`).join(''));
              await csv.write(
                rows
                  .map((row) => `${(JSON.parse(row.cells) as (string | null)[]).map(csvField).join(',')}\r\n`)
                  .join(''),
              );
              count += rows.length;
            }
            await sql`CLOSE gdpr_export`.execute(tx);
            await json.write(count === 0 ? ']' : '\n]');
            counts[entry.table] = count;
          } finally {
            await csv.close();
          }
        }
        await json.write('\n}');
        if (options.redisUrl) {
          const rowsByName = Object.fromEntries(Object.entries(kept).map(([name, { rows }]) => [name, rows]));
          await json.write(`,\n"redis":${JSON.stringify(rowsByName)}`);
        }
        await json.write('}\n');
      } finally {
        await json.close();
      }
      for (const [name, { columns, rows }] of Object.entries(kept)) {
        const csvName = `redis.${name}.csv`;
        names.push(csvName);
        const csv = await open(join(staging, csvName), 'wx', 0o600);
        try {
          await csv.write(`${columns.map(csvField).join(',')}\r\n`);
          for (const row of rows) {
            await csv.write(`${columns.map((column) => csvField(row[column] ?? null)).join(',')}\r\n`);
          }
        } finally {
          await csv.close();
        }
        counts[`redis.${name}`] = rows.length;
      }
      // The person's uploaded files themselves, read in the same snapshot (ADR 0043: inside the archive).
      names.push(...(await writeOwnFiles(tx, userId, staging, storageForDataDir(dataDir))));
      return { generatedAt: user.now, rowsByTable: counts, files: names, staging };
    });

    const path = join(directory, `${fileStamp(generatedAt)}.tar.gz`);
    const partial = `${path}.partial`;
    await createTar({ gzip: true, file: partial, cwd: staging, portable: true, mode: 0o600 }, files);
    await rename(partial, path);
    return { userId, path, generatedAt, rowsByTable };
  } finally {
    if (work.staging) await rm(work.staging, { recursive: true, force: true });
  }
}

/** Records that the export requested before `generatedAt` is done (a later request stays pending). */
export async function markExported(db: JobDb, userId: string, generatedAt: Date): Promise<void> {
  await db.updateTable('users').set({ exported_at: generatedAt }).where('id', '=', userId).execute();
}

/** Archives (and left-over staging directories) are removed after this many days: the download window. */
export const EXPORT_ARCHIVE_MAX_AGE_DAYS = 30;
const STAGING_MAX_AGE_MS = 86_400_000;

/** Removes archives older than EXPORT_ARCHIVE_MAX_AGE_DAYS and stale staging directories; returns how many. */
export async function pruneExportArchives(dataDir: string, now: Date = new Date()): Promise<number> {
  const root = join(dataDir, 'exports');
  let removed = 0;
  const users = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const user of users) {
    const directory = join(root, user);
    const entries = await readdir(directory).catch(() => []);
    for (const name of entries) {
      const path = join(directory, name);
      const generated = exportArchiveTime(name)?.getTime();
      const madeAt = generated ?? (await stat(path)).mtimeMs;
      const maxAge = generated === undefined ? STAGING_MAX_AGE_MS : EXPORT_ARCHIVE_MAX_AGE_DAYS * 86_400_000;
      if (now.getTime() - madeAt > maxAge) {
        await rm(path, { recursive: true, force: true });
        removed += 1;
      }
    }
    if ((await readdir(directory).catch(() => [null])).length === 0) await rm(directory, { recursive: true });
  }
  return removed;
}
