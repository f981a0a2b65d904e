import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
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
    // pg-copy-streams finishes the stream once the server has answered the statement, and fails it with an error
    // raised during the data or at its end (foreign keys are checked then): `finished` settles either way.
    const stream = sql.query(copyFrom(statement));
    const failed = finished(stream).then(() => new Promise<never>(() => {}));
    failed.catch(() => {});
    let inStatement = 0;
    let buffer = '';
    const flush = async () => {
      if (buffer.length === 0) return;
      const chunk = buffer;
      buffer = '';
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), failed]);
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
    await finished(stream);
    sent += inStatement;
    options.onProgress?.(sent);
  }
  return sent;
}
