// AIM symbology identifiers (ISO/IEC 15424): many scanners prepend `]` + symbology letter + modifier
// (`]C0` code128, `]Q1` QR, `]d2` DataMatrix, `]L2` PDF417, `]E0` EAN-13, `]A0` Code 39). A card prefix
// never starts with `]`, so a leading identifier can be stripped safely; the symbology is kept for the log.
import type { Symbology } from '../contract/scan';

const AIM = /^\][A-Za-z][0-9A-Za-z]/;

const SYMBOLOGY: Readonly<Record<string, Symbology>> = { A: 'code39', C: 'code128', L: 'pdf417', Q: 'qr', d: 'datamatrix' };

export interface AimSplit {
  text: string;
  aim?: string;
  symbology?: Symbology;
}

/** Removes a leading AIM identifier, if any, and names its symbology. */
export function stripAim(raw: string): AimSplit {
  const match = AIM.exec(raw);
  if (!match) return { text: raw };
  const aim = match[0];
  const letter = aim.charAt(1);
  // ]E0 = EAN-13 / UPC-A; ]E4 = EAN-8 and the other modifiers are add-ons
  const symbology = letter === 'E' ? (aim === ']E0' ? 'ean13' : 'other') : SYMBOLOGY[letter] ?? 'other';
  return { text: raw.slice(aim.length), aim, symbology };
}
