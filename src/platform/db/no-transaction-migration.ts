import { basename } from 'node:path';

/**
 * The second kind of migration file: one statement that PostgreSQL refuses inside a transaction block, run on its
 * own (db/README.md, "Building an index on a big table"). Today that is building or dropping an index
 * CONCURRENTLY, the only such statement a schema change of ours needs; anything else is refused so that every
 * file of this kind keeps the two properties the runner relies on: it is safe to run again after an interruption,
 * and a failure leaves at worst an INVALID index that the next run removes.
 */

/** The first line that marks a file of this kind. */
export const NO_TRANSACTION_MARKER = '-- veza:no-transaction';

export interface NoTransactionStatement {
  kind: 'create-index-concurrently' | 'drop-index-concurrently';
  /** The statement as PostgreSQL receives it: comments removed, no trailing semicolon. */
  sql: string;
  /** The index's name, unqualified (an index always lives in its table's schema). */
  index: string;
  /** The table the index is built on, as written (`tracks`, `public.tracks`); undefined for a drop. */
  table?: string;
  /** The schema named in a drop (`public.idx_x`), undefined when the search path decides. */
  schema?: string;
  /** The file's `SET lock_timeout` / `SET statement_timeout`, run before the statement and reset after it. */
  settings: string[];
}

export function isNoTransactionMigration(text: string): boolean {
  return firstLine(text) === NO_TRANSACTION_MARKER;
}

function firstLine(text: string): string {
  return (text.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? '').trim();
}

/**
 * The statements of a SQL text with comments blanked out, split on the semicolons that end statements (not on
 * those inside quotes, quoted identifiers or dollar-quoted bodies). Empty statements are left out.
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const push = () => {
    if (current.trim() !== '') statements.push(current.trim());
    current = '';
  };
  while (i < text.length) {
    const char = text[i] as string;
    const next = text[i + 1];
    if (char === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      current += ' ';
    } else if (char === '/' && next === '*') {
      // Block comments nest in PostgreSQL.
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text.startsWith('/*', i)) [depth, i] = [depth + 1, i + 2];
        else if (text.startsWith('*/', i)) [depth, i] = [depth - 1, i + 2];
        else i += 1;
      }
      current += ' ';
    } else if (char === "'" || char === '"') {
      const escapes = char === "'" && /[eE]$/.test(current) && !/\w[eE]$/.test(current);
      let j = i + 1;
      while (j < text.length) {
        if (escapes && text[j] === '\\') j += 2;
        else if (text[j] === char && text[j + 1] === char) j += 2;
        else if (text[j] === char) break;
        else j += 1;
      }
      current += text.slice(i, j + 1);
      i = j + 1;
    } else if (char === '$' && !/\w$/.test(current)) {
      const tag = /^\$(?:[A-Za-z_]\w*)?\$/.exec(text.slice(i))?.[0];
      if (tag) {
        const end = text.indexOf(tag, i + tag.length);
        const stop = end === -1 ? text.length : end + tag.length;
        current += text.slice(i, stop);
        i = stop;
      } else {
        current += char;
        i += 1;
      }
    } else if (char === ';') {
      push();
      i += 1;
    } else {
      current += char;
      i += 1;
    }
  }
  push();
  return statements;
}

const IDENTIFIER = '[a-z_][a-z0-9_]*';
const TIMEOUT = /^set\s+(?:session\s+)?(?:lock_timeout|statement_timeout)\s*(?:=|to)\s*\S+$/i;
const CREATE = new RegExp(
  `^create\\s+(?:unique\\s+)?index\\s+concurrently\\s+(if\\s+not\\s+exists\\s+)?(${IDENTIFIER})\\s+on\\s+(?:only\\s+)?((?:${IDENTIFIER}\\.)?${IDENTIFIER})[\\s(]`,
  'i',
);
const DROP = new RegExp(
  `^drop\\s+index\\s+concurrently\\s+(if\\s+exists\\s+)?(?:(${IDENTIFIER})\\.)?(${IDENTIFIER})(?:\\s+restrict)?$`,
  'i',
);

/**
 * Reads a file marked {@link NO_TRANSACTION_MARKER}. Throws, naming the file and the rule, when it holds more than
 * one statement or a statement this kind does not allow.
 */
export function parseNoTransactionMigration(file: string, text: string): NoTransactionStatement {
  const name = basename(file);
  if (!isNoTransactionMigration(text)) throw new Error(`${name} does not start with "${NO_TRANSACTION_MARKER}"`);
  const all = splitStatements(text);
  const settings: string[] = [];
  while (all.length > 1 && TIMEOUT.test(all[0] as string)) settings.push((all.shift() as string).replace(/\s+/g, ' '));
  const local = all.find((statement) => /^set\s+local\s/i.test(statement));
  if (local) {
    throw new Error(
      `${name}: "${local}" has no effect outside a transaction; write SET lock_timeout / SET statement_timeout ` +
        '(the runner resets them after the statement)',
    );
  }
  const statements = all;
  if (statements.length !== 1) {
    // A multi-statement query string is one implicit transaction, which CONCURRENTLY refuses; and a second
    // statement would not be re-runnable after the first one succeeded.
    throw new Error(
      `${name} is marked "${NO_TRANSACTION_MARKER}" and must hold exactly one statement ` +
        `(after an optional SET lock_timeout and SET statement_timeout); it holds ${statements.length}. ` +
        'Put each statement in its own migration.',
    );
  }
  const sql = (statements[0] as string).replace(/\s+/g, ' ');
  const create = CREATE.exec(sql);
  if (create) {
    if (!create[1]) {
      throw new Error(
        `${name}: write CREATE INDEX CONCURRENTLY IF NOT EXISTS, so that a run interrupted after the build ` +
          'and before its bookkeeping can run again',
      );
    }
    return {
      kind: 'create-index-concurrently',
      sql,
      index: (create[2] as string).toLowerCase(),
      table: create[3],
      settings,
    };
  }
  const drop = DROP.exec(sql);
  if (drop) {
    if (!drop[1]) throw new Error(`${name}: write DROP INDEX CONCURRENTLY IF EXISTS, so that it can run again`);
    return {
      kind: 'drop-index-concurrently',
      sql,
      index: (drop[3] as string).toLowerCase(),
      schema: drop[2]?.toLowerCase(),
      settings,
    };
  }
  throw new Error(
    `${name} is marked "${NO_TRANSACTION_MARKER}", which allows only CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS ` +
      `<name> ON <table> … or DROP INDEX CONCURRENTLY IF EXISTS <name> (unquoted lower-case names); found: ${sql.slice(0, 80)}`,
  );
}

/** The catalog query that finds the index a CREATE statement names, on its table's schema. */
export function indexStateQuery(statement: NoTransactionStatement): { text: string; values: string[] } {
  return {
    text: `SELECT format('%I.%I', n.nspname, c.relname) AS name, i.indisvalid AS valid
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_index i ON i.indexrelid = c.oid
            WHERE c.relname = $1
              AND n.oid = (SELECT relnamespace FROM pg_class WHERE oid = to_regclass($2))`,
    values: [statement.index, statement.table ?? ''],
  };
}

/** The migration action of a file of this kind: outside any transaction, re-runnable after an interruption. */
export function noTransactionAction(file: string, statement: NoTransactionStatement) {
  return async (pgm: MigrationBuilderLike): Promise<void> => {
    pgm.noTransaction();
    // Session settings (SET LOCAL means nothing here); reset so that they do not outlive this file.
    for (const setting of statement.settings) pgm.sql(setting);
    if (statement.kind === 'create-index-concurrently') {
      // An interrupted CONCURRENTLY build (cancelled, timed out, connection lost, a duplicate for a UNIQUE index)
      // leaves an INVALID index under the name; IF NOT EXISTS would then keep the broken one. Remove it first.
      const query = indexStateQuery(statement);
      const [existing] = await pgm.db.select(query.text, query.values);
      if (existing && existing.valid !== true) pgm.sql(`DROP INDEX CONCURRENTLY IF EXISTS ${String(existing.name)}`);
    }
    pgm.sql(statement.sql);
    pgm.sql('RESET lock_timeout');
    pgm.sql('RESET statement_timeout');
    // IF NOT EXISTS also skips a same-named index on another table, or one made invalid by a concurrent
    // session: the migration is recorded only when the index it names is there, on its table, and valid.
    if (statement.kind === 'create-index-concurrently') pgm.sql(validityCheck(file, statement));
  };
}

function validityCheck(file: string, statement: NoTransactionStatement): string {
  const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
  const name = literal(statement.index);
  const table = literal(statement.table ?? '');
  const message = literal(`${basename(file)}: index ${statement.index} on ${statement.table} is missing or not valid`);
  return `DO $veza$ BEGIN
  IF NOT EXISTS (
    SELECT FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relname = ${name} AND i.indrelid = to_regclass(${table}) AND i.indisvalid
  ) THEN RAISE EXCEPTION USING MESSAGE = ${message}; END IF;
END $veza$`;
}

/** The part of node-pg-migrate's MigrationBuilder this kind uses. */
export interface MigrationBuilderLike {
  noTransaction(): unknown;
  sql(text: string): void;
  db: { select(text: string, values?: unknown[]): Promise<Record<string, unknown>[]> };
}
