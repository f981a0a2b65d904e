// The PDF of a certificate (issue 17 §4, ADR 0083), rendered with PDFKit, the library the marketplace's licence
// certificates use. Rendered on request from the certificate row, never stored: the row holds everything printed
// (recipient and course title as they were at issue time), so the same certificate always renders the same text.
import PDFDocument from 'pdfkit';

export interface PrintedCertificate {
  certificate_number: string;
  recipient_name: string;
  course_title: string;
  issued_at: Date;
  verification_code: string;
}

/** The certificate as a one-page A4 landscape PDF; `verifyUrl` is printed so a reader can check it. */
export function renderCertificatePdf(certificate: PrintedCertificate, verifyUrl: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: 56,
      info: {
        Title: `Certificate ${certificate.certificate_number}`,
        Producer: 'Veza',
        // A fixed date keeps the bytes a function of the certificate, not of the clock.
        CreationDate: certificate.issued_at,
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const width = doc.page.width - 112;
    doc.font('Helvetica-Bold').fontSize(30).text('Certificate of completion', 56, 110, { width, align: 'center' });
    doc.moveDown(1.5).font('Helvetica').fontSize(14).text('This certifies that', { width, align: 'center' });
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(24).text(certificate.recipient_name, { width, align: 'center' });
    doc.moveDown(0.6).font('Helvetica').fontSize(14).text('completed the course', { width, align: 'center' });
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(20).text(certificate.course_title, { width, align: 'center' });
    doc
      .moveDown(1.5)
      .font('Helvetica')
      .fontSize(12)
      .text(`Issued on ${certificate.issued_at.toISOString().slice(0, 10)}`, { width, align: 'center' });
    doc
      .fontSize(10)
      .text(`Certificate ${certificate.certificate_number}`, 56, doc.page.height - 110, { width, align: 'center' })
      .text(`Verify at ${verifyUrl}`, { width, align: 'center' });
    doc.end();
  });
}
