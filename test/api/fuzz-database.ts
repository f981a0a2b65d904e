// "Never a changed database", measured two ways:
// - a write log: a row trigger on every table of the fuzzed database records each committed INSERT, UPDATE and
//   DELETE (and TRUNCATE) with its row images, so that the writes of one request are read back exactly and cheaply;
// - a fingerprint: row count and md5 of the rows of every table, compared before and after each route's fuzzing,
//   which must show no change the write log did not record (the log misses nothing).
import type { Sql } from 'postgres';

export interface Write {
  id: string;
  /** The table written (a partitioned table's name, not its partition's). */
  table: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';
  old: Record<string, unknown> | null;
  new: Record<string, unknown> | null;
}

/**
 * Writes a refused request (4xx) makes by design. Anything else a refused request writes is a bug: a partial
 * write, or a write before a check.
 */
export const LEGITIMATE_WRITES_ON_REFUSAL: readonly { table: string; why: string; allows(write: Write): boolean }[] = [
  {
    table: 'login_attempts',
    why:
      'every attempt to prove a password or a second factor is recorded, failed ones included (issue 5 item 4, ' +
      'ADR 0022): a request that checks one inserts an attempt (in_progress, or account_locked when locked out) ' +
      'and finishes it with its outcome, whatever the answer: a refused login or MFA step, or a password ' +
      'change or TOTP disable whose current password was right but whose new password or code is refused ' +
      '(then the proof itself is recorded as a success). Attempts already finished never change.',
    allows: (write) =>
      (write.op === 'INSERT' && write.new?.success === false) ||
      (write.op === 'UPDATE' && write.old?.success === false && write.old.failure_reason === 'in_progress'),
  },
  {
    table: 'refresh_tokens',
    why:
      'a refresh token presented again after its rotation is taken as stolen: its whole family is revoked ' +
      '(reuse_detected) and committed before the 401 (issue 5 item 5)',
    allows: (write) =>
      write.op === 'UPDATE' &&
      write.old?.is_revoked === false &&
      write.new?.is_revoked === true &&
      write.new.revoked_reason === 'reuse_detected',
  },
  {
    table: 'refresh_tokens',
    why:
      'with the family revoked, the sealed pairs its rotations kept for the grace window of concurrent refreshes ' +
      'are erased (issue 10, ADR 0034 / RFC 0025): nothing may answer them again',
    allows: (write) =>
      write.op === 'UPDATE' &&
      write.old?.is_revoked === true &&
      write.new?.is_revoked === true &&
      write.old.rotation_sealed_token !== null &&
      write.new.rotation_sealed_token === null,
  },
];

export function illegitimate(writes: readonly Write[]): Write[] {
  return writes.filter(
    (write) => !LEGITIMATE_WRITES_ON_REFUSAL.some((rule) => rule.table === write.table && rule.allows(write)),
  );
}

/** Every base table of the public schema; a partitioned table stands for its partitions. */
async function publicTables(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    SELECT c.relname AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    ORDER BY c.relname`;
  return rows.map((row) => row.name);
}

const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The write log: installed once in the fuzzed database (schema `fuzz`, triggers named zz_fuzz_*). */
export class WriteLog {
  readonly #sql: Sql;

  private constructor(sql: Sql) {
    this.#sql = sql;
  }

  static async install(sql: Sql): Promise<WriteLog> {
    await sql.unsafe(`
      CREATE SCHEMA fuzz;
      CREATE TABLE fuzz.writes (
        id bigserial PRIMARY KEY,
        table_name text NOT NULL,
        op text NOT NULL,
        old_row jsonb,
        new_row jsonb
      );
      CREATE FUNCTION fuzz.record_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO fuzz.writes (table_name, op, old_row, new_row)
        VALUES (
          TG_ARGV[0],
          TG_OP,
          CASE WHEN TG_LEVEL = 'ROW' AND TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
          CASE WHEN TG_LEVEL = 'ROW' AND TG_OP <> 'DELETE' THEN to_jsonb(NEW) END
        );
        RETURN NULL;
      END $$;`);
    for (const table of await publicTables(sql)) {
      await sql.unsafe(`
        CREATE TRIGGER zz_fuzz_row_write AFTER INSERT OR UPDATE OR DELETE ON ${identifier(table)}
          FOR EACH ROW EXECUTE FUNCTION fuzz.record_write(${literal(table)});
        CREATE TRIGGER zz_fuzz_truncate AFTER TRUNCATE ON ${identifier(table)}
          FOR EACH STATEMENT EXECUTE FUNCTION fuzz.record_write(${literal(table)});`);
    }
    return new WriteLog(sql);
  }

  /** Where the log stands now: pass it to `since` to read what was written after. */
  async mark(): Promise<string> {
    const [row] = await this.#sql<{ id: string }[]>`SELECT coalesce(max(id), 0)::text AS id FROM fuzz.writes`;
    return row?.id ?? '0';
  }

  async since(mark: string): Promise<Write[]> {
    const rows = await this.#sql<
      { id: string; table_name: string; op: Write['op']; old_row: Write['old']; new_row: Write['new'] }[]
    >`SELECT id::text, table_name, op, old_row, new_row FROM fuzz.writes WHERE id > ${mark}::bigint ORDER BY id`;
    return rows.map((row) => ({ id: row.id, table: row.table_name, op: row.op, old: row.old_row, new: row.new_row }));
  }
}

export interface TableFingerprint {
  table: string;
  rows: number;
  checksum: string;
}

/** Row count and md5 of the rows (in a fixed order) of every table of the public schema, in one query. */
export class DatabaseFingerprint {
  readonly #sql: Sql;
  readonly #query: string;

  private constructor(sql: Sql, tables: string[]) {
    this.#sql = sql;
    this.#query = tables
      .map(
        (table) =>
          `SELECT ${literal(table)} AS "table", count(*)::int AS rows, ` +
          `md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS checksum FROM ${identifier(table)} t`,
      )
      .join('\nUNION ALL\n');
  }

  static async of(sql: Sql): Promise<DatabaseFingerprint> {
    return new DatabaseFingerprint(sql, await publicTables(sql));
  }

  async take(): Promise<Map<string, TableFingerprint>> {
    const rows = await this.#sql.unsafe<TableFingerprint[]>(this.#query, [], { prepare: true });
    return new Map(rows.map((row) => [row.table, row]));
  }

  /** The tables whose rows differ between two fingerprints. */
  static changedTables(before: Map<string, TableFingerprint>, after: Map<string, TableFingerprint>): string[] {
    return [...before]
      .filter(([table, then]) => {
        const now = after.get(table);
        return !now || now.rows !== then.rows || now.checksum !== then.checksum;
      })
      .map(([table]) => table);
  }
}
