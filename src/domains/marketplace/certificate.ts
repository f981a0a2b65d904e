// The licence certificate of a purchase as a PDF (issue 16 §8, ADR 0076), drawn with pdfkit. One A4 page: who
// licensed what to whom, under which terms and rights, with the key and where to verify it. The document's
// dates are the purchase's, never the time of rendering, so the same purchase renders the same text.
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

/**
 * The standard PDF fonts (Helvetica) carry WinAnsi only: any other character would come out as garbage, so it is
 * replaced by "?" (ADR 0076). Names in other scripts need an embedded font, not done yet.
 */
export function printable(text: string): string {
  const extra = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
  return [...text.normalize('NFC')]
    .map((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      if (ch === '\n' || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || extra.includes(ch))
        return ch;
      return '?';
    })
    .join('');
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

  const width = doc.page.width - 112;
  const heading = (text: string) => {
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).fillColor('#222222').text(printable(text), { width });
    doc.moveDown(0.2).font('Helvetica').fontSize(10.5).fillColor('#000000');
  };
  const field = (label: string, value: string) => {
    doc.font('Helvetica-Bold').text(`${printable(label)}: `, { continued: true, width });
    doc.font('Helvetica').text(printable(value), { width });
  };

  doc.font('Helvetica-Bold').fontSize(22).text('Licence certificate', { align: 'center', width });
  doc.moveDown(0.3).font('Helvetica').fontSize(11).fillColor('#444444');
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
  for (const line of content.usageRights) doc.text(`- ${printable(line)}`, { width });

  heading('Terms');
  doc.text(printable(content.terms), { width });

  heading('Verification');
  doc.text(
    printable(
      `Anyone may check that this key is a valid licence for this product, and what it allows, at ${content.verifyUrl}. ` +
        'The check shows the licence, never the licensee. A refunded purchase verifies as revoked.',
    ),
    { width },
  );
  doc.end();
  return done;
}
