// CSV import and export of one's gear (issue 17 §8, ADR 0079) with csv-parse and csv-stringify. Pure: bytes in,
// records or problems out; the service validates rows against the API's own schema and stores them.
//
// Rules: UTF-8 only (a UTF-8 byte order mark is dropped; UTF-16 marks, bytes that are not UTF-8 and a declared
// charset other than UTF-8 are refused, never guessed); a header row naming known columns; at most
// GEAR_CSV_MAX_ROWS data rows, counted while parsing so a huge file stops early. On export, a cell that a
// spreadsheet would run as a formula (= + - @ tab CR first) is prefixed with ', and import takes that ' off again
// so a file round-trips exactly.
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ApiError, type ProblemField } from '../../platform/http/problem.ts';
import { GearProblems } from './gear.errors.ts';

/** The columns of a gear CSV, in export order. `name` and `category` (a category slug) are required. */
export const GEAR_CSV_COLUMNS = [
  'name',
  'category',
  'brand',
  'model',
  'serial_number',
  'purchase_date',
  'purchase_price',
  'currency',
  'purchased_from',
  'condition',
  'status',
  'notes',
  'is_public',
] as const;
export type GearCsvColumn = (typeof GEAR_CSV_COLUMNS)[number];
const REQUIRED: GearCsvColumn[] = ['name', 'category'];

/** A data row: its record number in the file (the header is record 1) and its non-empty cells. */
export interface GearCsvRecord {
  record: number;
  cells: Partial<Record<GearCsvColumn, string>>;
  /** The row has more cells than the header has columns. */
  extraCells: boolean;
}

/** Cells a spreadsheet would evaluate: a formula, or a tab/CR that some programs strip before evaluating. */
const FORMULA = /^'*[=+\-@\t\r]/;

/** Export side: prefix ' to any cell that would start a formula (also to one that already starts with ' + such). */
export function neutralise(cell: string): string {
  return FORMULA.test(cell) ? `'${cell}` : cell;
}

/** Import side: the inverse of `neutralise`. */
export function unneutralise(cell: string): string {
  return cell.startsWith("'") && FORMULA.test(cell) ? cell.slice(1) : cell;
}

/** The file as one CSV string: header row, then one row per item, every cell neutralised. */
export function writeGearCsv(rows: Record<GearCsvColumn, string>[]): string {
  return stringify(
    rows.map((row) => GEAR_CSV_COLUMNS.map((column) => neutralise(row[column]))),
    { header: true, columns: [...GEAR_CSV_COLUMNS], record_delimiter: '\r\n', quoted_match: /^\s|\s$/ },
  );
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Refuses a declared charset other than UTF-8 (`text/csv; charset=latin1`). */
export function checkDeclaredCharset(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii')
    throw encodingError(`The declared charset ${charset} is not accepted: send UTF-8`, 'charset');
}

function encodingError(detail: string, rule: string): ApiError {
  return new ApiError(GearProblems.csvEncoding, detail, [{ field: 'body', rule, message: detail }]);
}

/** UTF-8 text of the body, without its byte order mark. */
export function decodeCsv(body: Buffer): string {
  if (body.length >= 2 && ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff)))
    throw encodingError('The file is UTF-16: save it as UTF-8', 'utf-16');
  const bytes = body.subarray(0, 3).equals(UTF8_BOM) ? body.subarray(3) : body;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw encodingError('The file is not valid UTF-8 (Latin-1 or Windows-1252?): save it as UTF-8', 'utf-8');
  }
}

function csvInvalid(detail: string, errors: ProblemField[]): ApiError {
  return new ApiError(GearProblems.csvInvalid, detail, errors);
}

/**
 * Parses the text into records. Too many rows: 422 GEAR_CSV_TOO_MANY_ROWS (parsing stops one row past the cap).
 * A broken file (an unclosed quote…) or a bad header: 422 GEAR_CSV_INVALID naming the line or column.
 */
export function readGearCsv(text: string, maxRows: number): GearCsvRecord[] {
  let rows: string[][];
  try {
    // Without `columns`, csv-parse answers arrays of cells.
    const parsed: unknown = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      // The header plus one row past the cap: enough to know the file is too long, without reading the rest.
      to: maxRows + 2,
    });
    rows = parsed as string[][];
  } catch (error) {
    if (error instanceof CsvError)
      throw csvInvalid(`The file is not valid CSV: ${error.message}`, [
        { field: 'body', rule: error.code, message: error.message },
      ]);
    throw error;
  }
  const [header, ...data] = rows;
  if (!header) throw csvInvalid('The file is empty', [{ field: 'body', rule: 'header', message: 'has no header row' }]);
  if (data.length > maxRows)
    throw new ApiError(GearProblems.csvTooManyRows, `At most ${maxRows} rows per import`, [
      { field: 'body', rule: 'maxRows', message: `has more than ${maxRows} data rows` },
    ]);
  const columns = header.map((name) => name.trim().toLowerCase());
  const headerErrors: ProblemField[] = [];
  columns.forEach((name, i) => {
    if (!(GEAR_CSV_COLUMNS as readonly string[]).includes(name))
      headerErrors.push({ field: `header[${i + 1}]`, rule: 'column', message: `"${name}" is not a gear column` });
    else if (columns.indexOf(name) !== i)
      headerErrors.push({ field: `header[${i + 1}]`, rule: 'unique', message: `"${name}" appears twice` });
  });
  for (const required of REQUIRED)
    if (!columns.includes(required))
      headerErrors.push({ field: 'header', rule: 'required', message: `the column "${required}" is missing` });
  if (headerErrors.length > 0) throw csvInvalid('The header row is not a gear CSV header', headerErrors);

  return data.map((row, i) => {
    const cells: Partial<Record<GearCsvColumn, string>> = {};
    columns.forEach((name, c) => {
      const value = unneutralise(row[c] ?? '');
      if (value.trim() !== '') cells[name as GearCsvColumn] = value;
    });
    return { record: i + 2, cells, extraCells: row.length > columns.length };
  });
}
