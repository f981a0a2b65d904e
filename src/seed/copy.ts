import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { SeedSql } from './table.ts';
import { copyLine, type Row } from './copy-text.ts';

export interface CopyOptions {
  /**
   * Rows per COPY statement. Foreign keys are checked by AFTER ROW triggers whose events PostgreSQL queues in memory
   * until the end of the statement (~20 bytes a row and a key): one COPY of 500M rows would need gigabytes.
   */
  rowsPerStatement?: number;
  /** Characters buffered before a write to the socket. */
  chunkChars?: number;
  /** Called after every chunk with the rows sent so far. */
  onProgress?: (rows: number) => void;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Streams `rows` into `table` with COPY … FROM STDIN (text format), in statements of `rowsPerStatement` rows.
 * Returns the number of rows sent. An error of the server, during the data or at the end of a statement (a foreign
 * key), rejects.
 */
export async function copyRows(
  sql: SeedSql,
  table: string,
  columns: readonly string[],
  rows: Iterable<Row>,
  options: CopyOptions = {},
): Promise<number> {
  const rowsPerStatement = options.rowsPerStatement ?? 1_000_000;
  const chunkChars = options.chunkChars ?? 1 << 20;
  const statement = `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`;
  const iterator = rows[Symbol.iterator]();
  let sent = 0;
  let exhausted = false;
  while (!exhausted) {
    const query = sql.unsafe(statement);
    let fail: (error: unknown) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failed.catch(() => {});
    const stream: Writable = await query.writable();
    // postgres.js resolves the query with the stream, then reports an error raised after the data (foreign keys are
    // checked at the end of the statement) only through query.reject, which no longer settles anything, and never
    // finishes the stream: the error is caught here instead of waiting forever.
    (query as unknown as { reject: (error: unknown) => void }).reject = fail;
    stream.on('error', fail);
    let inStatement = 0;
    let buffer = '';
    const flush = async () => {
      if (buffer.length === 0) return;
      const chunk = buffer;
      buffer = '';
      if (!stream.write(chunk)) {
        await Promise.race([new Promise<void>((resolve) => stream.once('drain', () => resolve())), failed]);
      }
      options.onProgress?.(sent + inStatement);
    };
    while (inStatement < rowsPerStatement) {
      const next = iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      buffer += copyLine(next.value);
      inStatement++;
      if (buffer.length >= chunkChars) await flush();
    }
    await flush();
    stream.end();
    await Promise.race([finished(stream), failed]);
    sent += inStatement;
    options.onProgress?.(sent);
  }
  return sent;
}
