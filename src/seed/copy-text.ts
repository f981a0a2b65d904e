// PostgreSQL COPY text format (https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.2): one line per row,
// columns separated by tabs, NULL written \N, and backslash, newline, carriage return and tab escaped with a
// backslash. JSON, arrays and bytea are passed as their text input form and escaped like any other string.

/** A value of one column: strings are written as they are (escaped), numbers with String(), booleans as t/f. */
export type CopyValue = string | number | boolean | null;

export type Row = readonly CopyValue[];

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES = /[\\\n\r\t]/g;
const REPLACEMENTS: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeCopyText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPES, (char) => REPLACEMENTS[char] as string) : text;
}

/** One COPY text line, newline included. */
export function copyLine(row: Row): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (i > 0) line += '\t';
    if (value === null || value === undefined) line += '\\N';
    else if (typeof value === 'string') line += escapeCopyText(value);
    else if (typeof value === 'boolean') line += value ? 't' : 'f';
    else line += String(value);
  }
  return line + '\n';
}

/** A PostgreSQL array literal of simple elements (ids, words without commas, quotes, braces or spaces). */
export function pgArray(elements: readonly string[]): string {
  return `{${elements.join(',')}}`;
}

/** A PostgreSQL array literal whose elements are quoted (they may contain spaces or commas). */
export function pgQuotedArray(elements: readonly string[]): string {
  return `{${elements.map((element) => `"${element.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

/** bytea hex input form (\x...), escaped by copyLine like any other backslash. */
export function byteaHex(hex: string): string {
  return `\\x${hex}`;
}

/** A decimal with two places, as DECIMAL(10,2) columns take it. */
export function money(value: number): string {
  return value.toFixed(2);
}
