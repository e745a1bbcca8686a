// ESC/POS bytes for a receipt printer: text lines in a Cyrillic code page (CP866 by default) with
// bold, centring, double height, feed and cut. Written here on iconv-lite rather than with an
// ESC/POS package: the candidates on npm (@node-escpos/core: '*'-pinned image/QR dependencies and
// its own adapter layer) bring more risk than the dozen commands a text report needs.
import iconv from 'iconv-lite';
import type { TextLine } from '../reports/text';

export const ESC = 0x1b;
export const GS = 0x1d;
export const LF = 0x0a;

export const CMD = {
  init: [ESC, 0x40],
  codePage: (n: number) => [ESC, 0x74, n],
  align: (center: boolean) => [ESC, 0x61, center ? 1 : 0],
  bold: (on: boolean) => [ESC, 0x45, on ? 1 : 0],
  /** GS ! n: 0x01 = double height, normal width (keeps the column count). */
  size: (large: boolean) => [GS, 0x21, large ? 0x01 : 0x00],
  feed: (lines: number) => [ESC, 0x64, lines],
  /** GS V 66 n: feed n and partial cut. */
  cut: [GS, 0x56, 0x42, 0x00],
} as const;

export interface EscposOptions {
  codePage: number;
  encoding: string;
  cut: boolean;
  feedLines: number;
  /** Columns: a line that grew past it in printable() (₽ → р.) gives the excess back from its padding. */
  width?: number;
}

/** Shrinks the widest run of padding so `text` fits `width` again; unchanged when it already fits. */
export function fitLine(text: string, width: number): string {
  const excess = text.length - width;
  if (excess <= 0) return text;
  let best: RegExpExecArray | null = null;
  for (const m of text.matchAll(/ {2,}/g)) if (!best || m[0].length > best[0].length) best = m as RegExpExecArray;
  if (!best || best[0].length - 1 < excess) return text;
  return text.slice(0, best.index) + ' '.repeat(best[0].length - excess) + text.slice(best.index + best[0].length);
}

/** Characters the code page lacks, replaced by ones it has (₽, ₸, typographic dashes and spaces, quotes). */
export function printable(text: string): string {
  return text
    .replace(/\u00a0₽/g, 'р.') // same length: "1 234,56р." keeps the layout's columns
    .replace(/₽/g, 'р')
    .replace(/\u00a0₸/g, 'тг') // tenge: same length, as above
    .replace(/₸/g, 'т')
    .replace(/[\u00a0\u2007\u202f]/g, ' ')
    .replace(/[\u2212\u2013\u2014]/g, '-')
    .replace(/[«»\u201c\u201d\u201e]/g, '"')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\u2026/g, '...')
    .replace(/№/g, 'N');
}

export function encodeEscpos(lines: readonly TextLine[], options: EscposOptions): Buffer {
  if (!iconv.encodingExists(options.encoding)) throw new Error(`unknown printer encoding '${options.encoding}'`);
  const parts: Buffer[] = [Buffer.from([...CMD.init, ...CMD.codePage(options.codePage)])];
  let center = false;
  let bold = false;
  let large = false;
  for (const l of lines) {
    const wantCenter = l.align === 'center';
    const wantBold = l.bold === true;
    const wantLarge = l.large === true;
    const codes: number[] = [];
    if (wantCenter !== center) codes.push(...CMD.align(wantCenter));
    if (wantBold !== bold) codes.push(...CMD.bold(wantBold));
    if (wantLarge !== large) codes.push(...CMD.size(wantLarge));
    center = wantCenter;
    bold = wantBold;
    large = wantLarge;
    if (codes.length > 0) parts.push(Buffer.from(codes));
    const text = printable(l.text);
    parts.push(iconv.encode(options.width === undefined ? text : fitLine(text, options.width), options.encoding), Buffer.from([LF]));
  }
  const tail: number[] = [...CMD.align(false), ...CMD.bold(false), ...CMD.size(false), ...CMD.feed(options.feedLines)];
  if (options.cut) tail.push(...CMD.cut);
  parts.push(Buffer.from(tail));
  return Buffer.concat(parts);
}
