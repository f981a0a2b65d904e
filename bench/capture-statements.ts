// Preloaded into `veza serve` by the HTTP benchmark (node --import) to learn which statements each endpoint sends:
// every query that reaches node-postgres is appended to the file VEZA_BENCH_CAPTURE names, one JSON line each
// (text and parameters as the driver got them). The benchmark sends one request at a time and reads what it added,
// so the pgbench side runs exactly the statements of the route, however the code built them. Never loaded by the
// service itself.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import pg from 'pg';

// The text form node-postgres sends for a parameter (dates in its format, arrays as literals).
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue: (value: unknown) => unknown;
};

export interface CapturedStatement {
  text: string;
  /** As sent: text, or null. */
  values: (string | null)[];
}

const file = process.env.VEZA_BENCH_CAPTURE;
if (file) {
  const original = Reflect.get(pg.Client.prototype, 'query') as (this: pg.Client, ...args: unknown[]) => unknown;
  const encode = (value: unknown): string | null => {
    const prepared = prepareValue(value);
    if (prepared === null || prepared === undefined) return null;
    if (Buffer.isBuffer(prepared)) return `\\x${prepared.toString('hex')}`;
    return typeof prepared === 'string' ? prepared : JSON.stringify(prepared);
  };
  pg.Client.prototype.query = function capture(this: pg.Client, ...args: unknown[]) {
    const [first, second] = args;
    const config = typeof first === 'object' && first !== null ? (first as { text?: unknown; values?: unknown }) : {};
    const text = typeof first === 'string' ? first : config.text;
    const values = Array.isArray(second) ? second : Array.isArray(config.values) ? config.values : [];
    if (typeof text === 'string') {
      const statement: CapturedStatement = { text, values: values.map(encode) };
      appendFileSync(file, `${JSON.stringify(statement)}\n`);
    }
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}
