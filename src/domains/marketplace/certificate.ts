// The licence certificate of a purchase as a PDF (issue 16 §8, ADR 0076), drawn with pdfkit. One A4 page: who
// licensed what to whom, under which terms and rights, with the key and where to verify it. The document's
// dates are the purchase's, never the time of rendering, so the same purchase renders the same text.
// Names and titles come in any script: the text is set in DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew…),
// embedded, with IPA Gothic for Japanese and Chinese characters, which DejaVu lacks (ADR 0084). Both are Debian
// packages (scripts/system-packages.sh): fonts-dejavu-core and fonts-ipafont-gothic.
import PDFDocument from 'pdfkit';

export interface CertificateContent {
  productName: string;
  productId: string;
  licenseName: string;
  terms: string;
  /** Readable lines, e.g. "Streams: up to 100,000" (usageRightLines). */
  usageRights: string[];
  licenseKey: string;
  orderNumber: string;
  issuedAt: Date;
  sellerName: string;
  buyerName: string;
  /** Where anyone checks the key, e.g. https://api.example/v1/licenses/verify?key=… (path only when unknown). */
  verifyUrl: string;
}

export const CERTIFICATE_FONTS = {
  regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  /** Japanese (kana, kanji) and Chinese characters; it has no bold face, so headings use it as it is. */
  cjk: '/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf',
} as const;

/** Characters DejaVu Sans does not draw and IPA Gothic does: Han, kana, CJK punctuation and full-width forms. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\u30fc\uff00-\uffef]+/gu;

/** Text as the certificate sets it: NFC, without control characters (a name cannot move the layout). */
export function printable(text: string): string {
  return text.normalize('NFC').replace(/[^\P{Cc}\n]/gu, '');
}

/** The text cut into runs each set in one font: CJK runs in IPA Gothic, the rest in DejaVu. */
export function fontRuns(text: string): { text: string; cjk: boolean }[] {
  const runs: { text: string; cjk: boolean }[] = [];
  let at = 0;
  for (const match of text.matchAll(CJK)) {
    if (match.index > at) runs.push({ text: text.slice(at, match.index), cjk: false });
    runs.push({ text: match[0], cjk: true });
    at = match.index + match[0].length;
  }
  if (at < text.length || runs.length === 0) runs.push({ text: text.slice(at), cjk: false });
  return runs;
}

const RIGHT_LABELS: Record<string, string> = {
  commercial_use: 'Commercial use',
  streams_limit: 'Streams',
  copies_limit: 'Copies sold or distributed',
  music_videos_limit: 'Music videos',
  broadcast: 'Broadcast (radio, TV)',
  live_performances: 'Live performances',
  credit_required: 'Credit to the seller required',
  territory: 'Territory',
  term_months: 'Term',
};

/** The usage rights (ADR 0069's UsageRights) as lines a person reads; unknown keys are shown as they are. */
export function usageRightLines(rights: unknown): string[] {
  if (typeof rights !== 'object' || rights === null || Array.isArray(rights)) return [];
  const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const limit = (value: unknown) =>
    value === null ? 'unlimited' : typeof value === 'number' ? `up to ${value.toLocaleString('en-US')}` : shown(value);
  return Object.entries(rights as Record<string, unknown>).map(([key, value]) => {
    const label = RIGHT_LABELS[key] ?? key;
    if (typeof value === 'boolean') return `${label}: ${value ? 'yes' : 'no'}`;
    if (key === 'territory') return `${label}: ${Array.isArray(value) ? value.map(shown).join(', ') : shown(value)}`;
    if (key === 'term_months') return `${label}: ${value === null ? 'perpetual' : `${shown(value)} months`}`;
    if (key.endsWith('_limit')) return `${label}: ${limit(value)}`;
    return `${label}: ${shown(value)}`;
  });
}

/** Renders the certificate; resolves with the whole PDF. */
export function renderCertificate(content: CertificateContent): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: {
      Title: printable(`Licence certificate ${content.licenseKey}`),
      Author: 'Veza',
      Subject: printable(`${content.licenseName} licence of ${content.productName}`),
      CreationDate: content.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.registerFont('body', CERTIFICATE_FONTS.regular);
  doc.registerFont('bold', CERTIFICATE_FONTS.bold);
  doc.registerFont('cjk', CERTIFICATE_FONTS.cjk);
  const width = doc.page.width - 112;
  /** Writes `text` run by run in its font; `more`: the line goes on with the next call. */
  const write = (text: string, face: 'body' | 'bold', options: { more?: boolean; align?: 'center' } = {}) => {
    const runs = fontRuns(printable(text));
    runs.forEach((run, index) => {
      const continued = options.more === true || index < runs.length - 1;
      doc.font(run.cjk ? 'cjk' : face).text(run.text, { continued, width, align: options.align });
    });
  };
  const heading = (text: string) => {
    doc.moveDown(0.8).fontSize(12).fillColor('#222222');
    write(text, 'bold');
    doc.moveDown(0.2).font('body').fontSize(10.5).fillColor('#000000');
  };
  const field = (label: string, value: string) => {
    write(`${label}: `, 'bold', { more: true });
    write(value, 'body');
  };

  doc.font('bold').fontSize(22).text('Licence certificate', { align: 'center', width });
  doc.moveDown(0.3).font('body').fontSize(11).fillColor('#444444');
  doc.text('Issued through the Veza marketplace', { align: 'center', width }).fillColor('#000000');

  heading('Licence');
  field('Product', content.productName);
  field('Product id', content.productId);
  field('Licence', content.licenseName);
  field('Licence key', content.licenseKey);
  field('Issued on', `${content.issuedAt.toISOString().slice(0, 10)} (UTC)`);
  field('Order', content.orderNumber);

  heading('Parties');
  field('Licensor (seller)', content.sellerName);
  field('Licensee (buyer)', content.buyerName);

  heading('Usage rights');
  if (content.usageRights.length === 0) doc.text('As stated in the terms below.', { width });
  for (const line of content.usageRights) write(`- ${line}`, 'body');

  heading('Terms');
  write(content.terms, 'body');

  heading('Verification');
  write(
    `Anyone may check that this key is a valid licence for this product, and what it allows, at ${content.verifyUrl}. ` +
      'The check shows the licence, never the licensee. A refunded purchase verifies as revoked.',
    'body',
  );
  doc.end();
  return done;
}
