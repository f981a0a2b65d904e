// A report's table as CSV (csv-stringify: RFC 4180, UTF-8, a header row) or as a PDF (PDFKit, as certificates
// are). Pure: a table in, bytes out; the same table always renders the same bytes.
import { stringify } from 'csv-stringify/sync';
import PDFDocument from 'pdfkit';

/** A cell: a figure, a label, or null where the figure is suppressed (k-anonymity) or does not apply. */
export type Cell = string | number | null;

export interface ReportTable {
  title: string;
  /** Lines printed under the title in the PDF (period, generation time, the suppression rule). */
  notes: string[];
  columns: string[];
  rows: Cell[][];
}

/** What a suppressed cell reads as in both formats: never a number that could be mistaken for a count. */
export const SUPPRESSED = 'suppressed';

const text = (cell: Cell) => (cell === null ? SUPPRESSED : String(cell));

export function renderCsv(table: ReportTable): Buffer {
  // Values a spreadsheet would run as a formula (=, +, -, @ first) are quoted with a leading apostrophe: titles
  // come from users. Numbers are written as numbers.
  const safe = (cell: Cell) => {
    if (typeof cell !== 'string') return text(cell);
    return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  };
  return Buffer.from(
    stringify([table.columns, ...table.rows.map((row) => row.map(safe))], { record_delimiter: '\r\n' }),
  );
}

/** A4 landscape, one line per row, the header repeated on every page. */
export function renderPdf(table: ReportTable, createdAt: Date): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: 36,
      info: { Title: table.title, Producer: 'Veza', CreationDate: createdAt },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const left = 36;
    const width = doc.page.width - 72;
    // Columns as wide as their longest text (ids whole), within the page; a longer title is cut with an ellipsis.
    const weights = table.columns.map(
      (column, index) =>
        Math.min(40, Math.max(column.length, ...table.rows.map((row) => text(row[index] ?? null).length))) + 2,
    );
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const offsets = weights.map(
      (_, index) => left + (width * weights.slice(0, index).reduce((a, b) => a + b, 0)) / total,
    );
    const widths = weights.map((weight) => (width * weight) / total);
    const bottom = doc.page.height - 48;
    const line = (cells: string[], bold: boolean) => {
      if (doc.y + 14 > bottom) {
        doc.addPage();
        header();
      }
      const y = doc.y;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(7);
      cells.forEach((cell, index) =>
        doc.text(cell, offsets[index] ?? left, y, { width: (widths[index] ?? width) - 3, height: 9, ellipsis: true }),
      );
      doc.x = left;
      doc.y = y + 11;
    };
    const header = () => line(table.columns, true);
    doc.font('Helvetica-Bold').fontSize(16).text(table.title, left, 36, { width });
    doc.font('Helvetica').fontSize(9);
    for (const note of table.notes) doc.text(note, { width });
    doc.moveDown();
    header();
    if (table.rows.length === 0) line(['No data for this period.'], false);
    for (const row of table.rows) line(row.map(text), false);
    doc.end();
  });
}
