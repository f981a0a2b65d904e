// The raw side of the benchmark: the same SQL text our data layer sends, run by pgbench in prepared mode, as the
// machine's physical limit. The script is generated from the workload's compiled statements: a sampled parameter
// becomes a scalar subquery reading row :n of the workload's pool (one index probe inside the same round trip), a
// constant becomes a pgbench variable bound as a parameter.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../src/platform/db/db.generated.ts';
import { summarise, type Measurement } from './measurement.ts';
import type { ParameterPool } from './params.ts';
import type { Params, Workload } from './workloads.ts';

export interface PgbenchScript {
  text: string;
  /** pgbench variables (-D name=value) for the constants. */
  defines: Record<string, string>;
}

const SENTINEL = '\u0000bench-param:';

function sqlText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
  ) {
    return String(value);
  }
  throw new Error(`a constant of type ${typeof value} cannot be a pgbench variable`);
}

type SqlPiece = { kind: 'literal' | 'identifier' | 'comment' | 'code'; text: string };

/** The pieces of an SQL text: string literals, quoted identifiers, comments and the code between them. */
function sqlPieces(sqlText: string): SqlPiece[] {
  const pieces: SqlPiece[] = [];
  const token = /[eE]?'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g;
  let at = 0;
  for (const match of sqlText.matchAll(token)) {
    if (match.index > at) pieces.push({ kind: 'code', text: sqlText.slice(at, match.index) });
    const text = match[0];
    const kind = text.startsWith('"')
      ? 'identifier'
      : text.startsWith('--') || text.startsWith('/*')
        ? 'comment'
        : 'literal';
    pieces.push({ kind, text });
    at = match.index + text.length;
  }
  if (at < sqlText.length) pieces.push({ kind: 'code', text: sqlText.slice(at) });
  return pieces;
}

/** The SQL without its comments (a block comment becomes a space), literals and quoted identifiers untouched. */
export function withoutComments(sqlText: string): string {
  return sqlPieces(sqlText)
    .map((piece) => (piece.kind === 'comment' ? (piece.text.startsWith('/*') ? ' ' : '') : piece.text))
    .join('');
}

/** `:` before a name, not part of a `::` cast: what pgbench takes for a variable. */
const COLON_NAME = /(?<!:):(?!:)(?=[A-Za-z_])/;

/**
 * An SQL statement as a pgbench script command. pgbench reads an SQL command up to its `;` over as many lines as it
 * takes (only a backslash meta-command ends at the line's end), so line breaks stay. In prepared and extended mode it
 * replaces every `:name` with a parameter, even inside a string literal or a comment. That, not the line breaks, is
 * what broke the home feed's script once it was joined on one line: the `HH24:MI:SS` of the `to_char` spelling a
 * keyset position became `$1` and `$2` inside the literal, the statement's real parameters started at `$3`, PREPARE
 * failed with "could not determine data type of parameter $1" (printed once per client, far above the tail of stderr
 * the error shows) and each execution then failed with "prepared statement "P_0" does not exist". So comments are
 * dropped, a literal's colon before a name is spelt with chr(58) (a constant expression the planner folds), and a
 * `:name` in the code itself is refused.
 */
export function pgbenchCommand(sqlText: string): string {
  return sqlPieces(sqlText)
    .map(({ kind, text }) => {
      if (kind === 'comment') return text.startsWith('/*') ? ' ' : '';
      if (!COLON_NAME.test(text)) return text;
      if (kind === 'literal' && !/^[eE]/.test(text)) return `(${text.split(':').join("' || chr(58) || '")})`;
      throw new Error(
        `pgbench would take a :name in ${kind === 'code' ? 'the SQL' : `the ${kind}`} ${text.slice(0, 60)} for a variable`,
      );
    })
    .join('');
}

/** The pgbench script of `workload`: its statements with $n replaced as described above. */
export function pgbenchScript(db: Kysely<DB>, workload: Workload, pool: ParameterPool): PgbenchScript {
  const sentinels: Params = Object.fromEntries(pool.columns.map((column) => [column, `${SENTINEL}${column}`]));
  const statements = workload.statements(db, sentinels).map((statement) => statement.compile());
  const defines: Record<string, string> = {};
  // Fresh-row writes take the sample's rows in turn: client c's k-th request takes row c + clients × k (the
  // variables of a pgbench client live across its transactions; `i` starts at 0 by --define).
  const lines = workload.fresh
    ? ['\\set n 1 + (:client_id + :clients * :i) % ' + String(pool.rows.length), '\\set i :i + 1']
    : [`\\set n random(1, ${pool.rows.length})`];
  if (statements.length > 1) lines.push('BEGIN;');
  statements.forEach((statement, index) => {
    const text = pgbenchCommand(statement.sql).replace(/\$(\d+)/g, (_, position: string) => {
      const value = statement.parameters[Number(position) - 1];
      if (typeof value === 'string' && value.startsWith(SENTINEL)) {
        const column = value.slice(SENTINEL.length);
        return `(SELECT "${column}" FROM ${pool.table} WHERE n = :n)`;
      }
      const name = `s${index}p${position}`;
      defines[name] = sqlText(value);
      return `:${name}`;
    });
    lines.push(`${text};`);
  });
  if (statements.length > 1) lines.push('COMMIT;');
  return { text: `${lines.join('\n')}\n`, defines };
}

export interface PgbenchOptions {
  url: string;
  clients: number;
  threads: number;
  durationSeconds: number;
  warmupSeconds: number;
  /**
   * Named prepared statements (the default, as our pool uses them), or unnamed ones (extended), as through PgBouncer
   * in transaction mode with VEZA_DB_PREPARE=false.
   */
  protocol?: 'prepared' | 'extended';
  /** Settings of every pgbench session (PGOPTIONS), e.g. the pool's plan_cache_mode; not through PgBouncer. */
  sessionOptions?: string;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('pgbench not found: install PostgreSQL 15 client tools') : error),
    );
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the script for warm-up + duration seconds and measures the transactions that started after the warm-up,
 * from pgbench's per-transaction log (latency in µs, start = end − latency). Several scripts: each transaction
 * runs one of them, drawn uniformly (their defines must not clash).
 */
export async function runPgbench(
  script: PgbenchScript | readonly PgbenchScript[],
  options: PgbenchOptions,
): Promise<Measurement> {
  const scripts = Array.isArray(script) ? script : [script as PgbenchScript];
  const dir = await mkdtemp(join(tmpdir(), 'veza-pgbench-'));
  try {
    const files: string[] = [];
    for (const [index, each] of scripts.entries()) {
      const file = join(dir, `workload-${index}.sql`);
      await writeFile(file, each.text);
      files.push(scripts.length > 1 ? `--file=${file}@1` : `--file=${file}`);
    }
    const defines = Object.assign({}, ...scripts.map((each) => each.defines)) as Record<string, string>;
    const args = [
      '--no-vacuum',
      `--protocol=${options.protocol ?? 'prepared'}`,
      `--client=${options.clients}`,
      `--jobs=${Math.min(options.threads, options.clients)}`,
      `--time=${options.warmupSeconds + options.durationSeconds}`,
      ...files,
      '--log',
      `--log-prefix=${join(dir, 'tx')}`,
      ...Object.entries({ ...defines, clients: String(options.clients), i: '0' }).map(
        ([name, value]) => `--define=${name}=${value}`,
      ),
      options.url,
    ];
    const startedAt = Date.now();
    const env = options.sessionOptions ? { ...process.env, PGOPTIONS: options.sessionOptions } : process.env;
    const result = await run('pgbench', args, env);
    if (result.code !== 0) {
      throw new Error(`pgbench exited with ${result.code}: ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`);
    }
    const measureFromUs = (startedAt + options.warmupSeconds * 1000) * 1000;
    const measureToUs = measureFromUs + options.durationSeconds * 1_000_000;
    const latencies: number[] = [];
    for (const file of await readdir(dir)) {
      if (!file.startsWith('tx')) continue;
      for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
        // client_id transaction_no time script_no time_epoch time_us [schedule_lag]
        const fields = line.split(' ');
        if (fields.length < 6) continue;
        const latencyUs = Number(fields[2]);
        const endUs = Number(fields[4]) * 1_000_000 + Number(fields[5]);
        const startUs = endUs - latencyUs;
        if (startUs >= measureFromUs && startUs < measureToUs) latencies.push(latencyUs / 1000);
      }
    }
    const failed = /number of failed transactions: (\d+)/.exec(result.stdout);
    return summarise(Float64Array.from(latencies), options.durationSeconds, failed ? Number(failed[1]) : 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
