// PDF output: the text layout set in DejaVu Sans Mono (bundled under assets/fonts: pdfkit's built-in
// fonts have no Cyrillic). Returns the bytes; writing them is the caller's business.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import type { ShiftReport } from './model';
import { reportLines, type TextLine } from './text';

const FONT_FILE = 'DejaVuSansMono.ttf';
const SYSTEM_FALLBACK = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';

/** assets/fonts/DejaVuSansMono.ttf from sources or a bundle; $PAYDESK_ASSETS overrides; the OS copy is the last resort. */
export function findFont(): string {
  const candidates: string[] = [];
  if (process.env.PAYDESK_ASSETS) candidates.push(path.join(process.env.PAYDESK_ASSETS, 'fonts', FONT_FILE));
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    candidates.push(path.join(dir, 'assets', 'fonts', FONT_FILE));
    dir = path.dirname(dir);
  }
  candidates.push(SYSTEM_FALLBACK);
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`font ${FONT_FILE} not found (looked in: ${candidates.join(', ')})`);
  return found;
}

const FONT_SIZE = 7.5;
/** Columns that fit A4 portrait with 36 pt margins at 7.5 pt mono (advance 0.6 em). */
export const PDF_COLUMNS = 115;

export function renderLinesPdf(lines: readonly TextLine[], info: { title: string }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 36, info: { Title: info.title, Producer: 'Paydesk', Creator: 'Paydesk' }, compress: true });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('mono', findFont());
    doc.font('mono');
    const width = doc.page.width - 72;
    for (const l of lines) {
      doc.fontSize(l.large ? FONT_SIZE * 1.6 : FONT_SIZE);
      const options = { width, align: l.align === 'center' ? ('center' as const) : ('left' as const), lineBreak: false };
      if (l.bold) doc.lineWidth(0.25).text(l.text === '' ? ' ' : l.text, { ...options, fill: true, stroke: true });
      else doc.text(l.text === '' ? ' ' : l.text, options);
    }
    doc.end();
  });
}

export function reportPdf(report: ShiftReport): Promise<Buffer> {
  const title = report.type === 'z' ? `Z-отчёт № ${report.zNumber ?? ''}, смена ${report.shift.id}` : `X-отчёт, смена ${report.shift.id}`;
  return renderLinesPdf(reportLines(report, { width: PDF_COLUMNS }), { title });
}
