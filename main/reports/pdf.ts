// PDF output: the text layout set in DejaVu Sans Mono (bundled under assets/fonts: pdfkit's built-in
// fonts have no Cyrillic). Returns the bytes; writing them is the caller's business.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

interface GlyphRun { glyphs: unknown[]; positions: unknown[]; advanceWidth: number }
type Layout = (text: string, features?: unknown, onlyWidth?: boolean) => GlyphRun;
interface LayoutFont { layout?: Layout; layoutRun?: (text: string) => GlyphRun }

/**
 * pdfkit shapes every distinct word through fontkit and caches by word; a report's words (ids, sums)
 * are nearly all distinct, so a 10k-operation PDF spent seconds shaping. A monospaced font without
 * ligatures or kerning lays out a line as its characters side by side, so lines are built from a
 * per-character cache instead (same glyphs, same advances). Calls with explicit features keep pdfkit's path.
 */
function layoutByCharacter(font: LayoutFont): void {
  const layoutRun = font.layoutRun?.bind(font);
  const original = font.layout?.bind(font);
  if (!layoutRun || !original) return;
  const chars = new Map<string, GlyphRun>();
  font.layout = (text: string, features?: unknown, onlyWidth?: boolean): GlyphRun => {
    if (features) return original(text, features, onlyWidth);
    const glyphs: unknown[] = [];
    const positions: unknown[] = [];
    let advanceWidth = 0;
    for (const ch of text) {
      let run = chars.get(ch);
      if (!run) {
        run = layoutRun(ch);
        chars.set(ch, run);
      }
      for (const g of run.glyphs) glyphs.push(g);
      for (const p of run.positions) positions.push(p);
      advanceWidth += run.advanceWidth;
    }
    return { glyphs, positions, advanceWidth };
  };
}

export interface PdfProgress {
  /** Pages finished so far (1, 2, …). */
  pages: number;
  linesDone: number;
  linesTotal: number;
}

export interface PdfOptions {
  /** Called as each page is finished; the thread's loop gets a turn between pages. */
  onPage?: (progress: PdfProgress) => void;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function renderLinesPdf(lines: readonly TextLine[], info: { title: string }, options: PdfOptions = {}): Promise<Buffer> {
  // pdfkit (with fontkit) takes ~0.3 s to load: loaded at the first PDF, never at a shell's start-up.
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 36, info: { Title: info.title, Producer: 'Paydesk', Creator: 'Paydesk' }, compress: true });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('mono', findFont());
    doc.font('mono');
    layoutByCharacter((doc as unknown as { _font: LayoutFont })._font);
    const left = doc.page.margins.left;
    const width = doc.page.width - 72;
    // Lines are placed one by one (no line wrapper: a report line never wraps, and pdfkit builds a
    // wrapper per call); a page is added when the next line would cross the bottom margin.
    // Page by page: progress after each, and a turn of the loop between pages (a 10k-operation report is
    // ~270 pages), so the thread that lays it out can still answer and report progress.
    void (async () => {
      let y = doc.page.margins.top;
      let pages = 1;
      for (let i = 0; i < lines.length; i += 1) {
        const l = lines[i] as TextLine;
        doc.fontSize(l.large ? FONT_SIZE * 1.6 : FONT_SIZE);
        const height = doc.currentLineHeight(true);
        if (y + height > doc.page.maxY()) {
          options.onPage?.({ pages, linesDone: i, linesTotal: lines.length });
          await yieldToLoop();
          doc.addPage();
          pages += 1;
          y = doc.page.margins.top;
        }
        const text = l.text === '' ? ' ' : l.text;
        const x = l.align === 'center' ? left + Math.max(0, (width - doc.widthOfString(text)) / 2) : left;
        if (l.bold) doc.lineWidth(0.25).text(text, x, y, { lineBreak: false, fill: true, stroke: true });
        else doc.text(text, x, y, { lineBreak: false });
        y += height;
      }
      options.onPage?.({ pages, linesDone: lines.length, linesTotal: lines.length });
      doc.end();
    })().catch(reject);
  });
}

export function reportPdf(report: ShiftReport, options: PdfOptions = {}): Promise<Buffer> {
  const title = report.type === 'z' ? `Z-отчёт № ${report.zNumber ?? ''}, смена ${report.shift.id}` : `X-отчёт, смена ${report.shift.id}`;
  return renderLinesPdf(reportLines(report, { width: PDF_COLUMNS }), { title }, options);
}
