// Degraded barcode pictures for the image-decoder benchmark (bench/scan-images.bench.ts) and tests.
// Codes are drawn by bwip-js (an encoder this project does not otherwise use for decoding), then
// degraded on 8-bit grayscale: rotation, inversion (dark-mode screens), small modules, blur, noise,
// keystone, low contrast, JPEG-like 8×8 DCT quantisation, a phone-screen and a webcam imitation.
// Every random choice comes from a seeded generator, so a run can be repeated exactly.
import bwipjs from 'bwip-js/node';
import { PNG } from 'pngjs';

export interface Gray { w: number; h: number; px: Uint8ClampedArray }

export type BenchSymbology = 'code128' | 'pdf417' | 'datamatrix' | 'qr';
const BCID: Readonly<Record<BenchSymbology, string>> = { code128: 'code128', pdf417: 'pdf417', datamatrix: 'datamatrix', qr: 'qrcode' };

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws `text` (GS as ^029) with `scale` px per module and a quiet zone, as grayscale. */
export async function render(symbology: BenchSymbology, text: string, scale: number): Promise<Gray> {
  const parse = text.includes('\u001d');
  const png = await bwipjs.toBuffer({
    bcid: BCID[symbology], text: parse ? text.replaceAll('\u001d', '^029') : text, parse, scale,
    ...(symbology === 'code128' ? { height: 10 } : {}), paddingwidth: 10, paddingheight: 10, backgroundcolor: 'FFFFFF',
  });
  return fromRgba(PNG.sync.read(png));
}

export function fromRgba(image: { width: number; height: number; data: Uint8Array }): Gray {
  const px = new Uint8ClampedArray(image.width * image.height);
  for (let i = 0; i < px.length; i += 1) px[i] = ((image.data[4 * i] ?? 0) * 306 + (image.data[4 * i + 1] ?? 0) * 601 + (image.data[4 * i + 2] ?? 0) * 117) >> 10;
  return { w: image.width, h: image.height, px };
}

export function toRgba(g: Gray): Uint8ClampedArray {
  const out = new Uint8ClampedArray(g.w * g.h * 4);
  for (let i = 0; i < g.px.length; i += 1) {
    const v = g.px[i] ?? 0;
    out[4 * i] = v; out[4 * i + 1] = v; out[4 * i + 2] = v; out[4 * i + 3] = 255;
  }
  return out;
}

const at = (g: Gray, x: number, y: number, bg: number): number => (x < 0 || y < 0 || x >= g.w || y >= g.h ? bg : g.px[y * g.w + x] ?? bg);

function bilinear(g: Gray, x: number, y: number, bg: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  return (at(g, x0, y0, bg) * (1 - fx) + at(g, x0 + 1, y0, bg) * fx) * (1 - fy) + (at(g, x0, y0 + 1, bg) * (1 - fx) + at(g, x0 + 1, y0 + 1, bg) * fx) * fy;
}

export function map(g: Gray, f: (v: number, x: number, y: number) => number): Gray {
  const px = new Uint8ClampedArray(g.px.length);
  for (let y = 0; y < g.h; y += 1) for (let x = 0; x < g.w; x += 1) px[y * g.w + x] = f(g.px[y * g.w + x] ?? 0, x, y);
  return { w: g.w, h: g.h, px };
}

export function margin(g: Gray, m: number, bg = 255): Gray {
  const w = g.w + 2 * m;
  const h = g.h + 2 * m;
  const px = new Uint8ClampedArray(w * h).fill(bg);
  for (let y = 0; y < g.h; y += 1) px.set(g.px.subarray(y * g.w, (y + 1) * g.w), (y + m) * w + m);
  return { w, h, px };
}

export function rotate90(g: Gray): Gray {
  const px = new Uint8ClampedArray(g.px.length);
  for (let y = 0; y < g.h; y += 1) for (let x = 0; x < g.w; x += 1) px[x * g.h + (g.h - 1 - y)] = g.px[y * g.w + x] ?? 0;
  return { w: g.h, h: g.w, px };
}

export const rotate180 = (g: Gray): Gray => ({ w: g.w, h: g.h, px: g.px.slice().reverse() });

/** Rotation by any angle about the centre, on a canvas big enough for the result. */
export function rotate(g: Gray, degrees: number, bg = 255): Gray {
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const w = Math.ceil(Math.abs(g.w * cos) + Math.abs(g.h * sin));
  const h = Math.ceil(Math.abs(g.w * sin) + Math.abs(g.h * cos));
  const px = new Uint8ClampedArray(w * h);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const dx = x - w / 2;
      const dy = y - h / 2;
      px[y * w + x] = bilinear(g, dx * cos + dy * sin + g.w / 2, -dx * sin + dy * cos + g.h / 2, bg);
    }
  }
  return { w, h, px };
}

/** Resample by `factor` (area average when shrinking, so thin modules blur the way a camera sees them). */
export function scale(g: Gray, factor: number): Gray {
  const w = Math.max(1, Math.round(g.w * factor));
  const h = Math.max(1, Math.round(g.h * factor));
  const px = new Uint8ClampedArray(w * h);
  const step = 1 / factor;
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      if (factor >= 1) { px[y * w + x] = bilinear(g, (x + 0.5) * step - 0.5, (y + 0.5) * step - 0.5, 255); continue; }
      let sum = 0;
      let n = 0;
      for (let sy = Math.floor(y * step); sy < Math.min(g.h, Math.ceil((y + 1) * step)); sy += 1) {
        for (let sx = Math.floor(x * step); sx < Math.min(g.w, Math.ceil((x + 1) * step)); sx += 1) { sum += g.px[sy * g.w + sx] ?? 0; n += 1; }
      }
      px[y * w + x] = n ? sum / n : 255;
    }
  }
  return { w, h, px };
}

export function blur(g: Gray, radius: number): Gray {
  let cur = g;
  for (let pass = 0; pass < 2; pass += 1) {
    cur = map(cur, (_v, x, y) => {
      let s = 0;
      let n = 0;
      for (let dy = -radius; dy <= radius; dy += 1) for (let dx = -radius; dx <= radius; dx += 1) { s += at(cur, x + dx, y + dy, 255); n += 1; }
      return s / n;
    });
  }
  return cur;
}

export function noise(g: Gray, sigma: number, random: () => number): Gray {
  return map(g, (v) => {
    const u = Math.max(random(), 1e-9);
    return v + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  });
}

/** The top edge narrower by `amount` (0.25 = 25 %): a card held tilted away from the camera. */
export function keystone(g: Gray, amount: number): Gray {
  const cx = g.w / 2;
  return map(g, (_v, x, y) => {
    const s = 1 - amount * (1 - y / g.h);
    return bilinear(g, cx + (x - cx) / s, y, 255);
  });
}

export const contrast = (g: Gray, lo: number, hi: number): Gray => map(g, (v) => lo + (v * (hi - lo)) / 255);
export const invert = (g: Gray): Gray => map(g, (v) => 255 - v);

const JPEG_LUMA = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99];

/** JPEG's lossy step: 8×8 DCT, quantisation with the standard luminance table at `quality`, inverse DCT. */
export function jpeg(g: Gray, quality: number): Gray {
  const q = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  const table = JPEG_LUMA.map((t) => Math.max(1, Math.floor((t * q + 50) / 100)));
  const c = (k: number): number => (k === 0 ? Math.SQRT1_2 : 1);
  const cos = Array.from({ length: 64 }, (_, i) => Math.cos(((2 * (i >> 3) + 1) * (i & 7) * Math.PI) / 16));
  const out = new Uint8ClampedArray(g.px.length);
  const block = new Float64Array(64);
  const coef = new Float64Array(64);
  for (let by = 0; by < g.h; by += 8) {
    for (let bx = 0; bx < g.w; bx += 8) {
      for (let i = 0; i < 64; i += 1) block[i] = at(g, Math.min(g.w - 1, bx + (i & 7)), Math.min(g.h - 1, by + (i >> 3)), 255) - 128;
      for (let v = 0; v < 8; v += 1) {
        for (let u = 0; u < 8; u += 1) {
          let s = 0;
          for (let y = 0; y < 8; y += 1) for (let x = 0; x < 8; x += 1) s += (block[y * 8 + x] ?? 0) * (cos[x * 8 + u] ?? 0) * (cos[y * 8 + v] ?? 0);
          const t = table[v * 8 + u] ?? 1;
          coef[v * 8 + u] = Math.round((0.25 * c(u) * c(v) * s) / t) * t;
        }
      }
      for (let y = 0; y < 8; y += 1) {
        for (let x = 0; x < 8; x += 1) {
          if (bx + x >= g.w || by + y >= g.h) continue;
          let s = 0;
          for (let v = 0; v < 8; v += 1) for (let u = 0; u < 8; u += 1) s += c(u) * c(v) * (coef[v * 8 + u] ?? 0) * (cos[x * 8 + u] ?? 0) * (cos[y * 8 + v] ?? 0);
          out[(by + y) * g.w + bx + x] = 0.25 * s + 128;
        }
      }
    }
  }
  return { w: g.w, h: g.h, px: out };
}

export type Degradation = 'clean' | 'rot90' | 'rot180' | 'invert' | 'small' | 'blur' | 'noise' | 'keystone' | 'low_contrast' | 'jpeg' | 'phone_screen' | 'webcam'
  | 'phone_camera_frame' | 'webcam_frame';
export const DEGRADATIONS: readonly Degradation[] = ['clean', 'rot90', 'rot180', 'invert', 'small', 'blur', 'noise', 'keystone', 'low_contrast', 'jpeg', 'phone_screen', 'webcam', 'phone_camera_frame', 'webcam_frame'];

/**
 * `g` somewhere in a camera picture of at least 640×480 (what the till's webcam hands the decoder: the
 * code is a part of the frame, not all of it), shrunk like the camera view does to ≤ 960 px wide.
 */
export function inCameraFrame(g: Gray, bg: number, random: () => number): Gray {
  const w = Math.max(640, g.w + 40);
  const h = Math.max(480, g.h + 40);
  const x0 = Math.floor(random() * (w - g.w));
  const y0 = Math.floor(random() * (h - g.h));
  const px = new Uint8ClampedArray(w * h).fill(bg);
  for (let y = 0; y < g.h; y += 1) px.set(g.px.subarray(y * g.w, (y + 1) * g.w), (y + y0) * w + x0);
  const frame = { w, h, px };
  return w > 960 ? scale(frame, 960 / w) : frame;
}

/** One degraded picture of `text`. `seed` drives the random parts. */
export async function degraded(symbology: BenchSymbology, text: string, kind: Degradation, seed: number): Promise<Gray> {
  const random = rng(seed);
  const base = async (s: number): Promise<Gray> => margin(await render(symbology, text, s), 16);
  switch (kind) {
    case 'clean': return base(3);
    case 'rot90': return rotate90(await base(3));
    case 'rot180': return rotate180(await base(3));
    case 'invert': return invert(await base(3));
    // 1.5 px per module
    case 'small': return scale(await base(3), 0.5);
    case 'blur': return blur(await base(3), 1);
    case 'noise': return noise(await base(3), 40, random);
    case 'keystone': return keystone(margin(await base(3), 24), 0.25);
    case 'low_contrast': return contrast(await base(3), 105, 165);
    case 'jpeg': return jpeg(scale(await base(3), 0.75), 25);
    case 'phone_screen': {
      // dark mode card on a phone held close: inverted, a few degrees off, the screen's pixel grid, glare, bezel
      const code = rotate(invert(scale(await base(3), 0.9)), 4 + random() * 4, 0);
      const grid = map(code, (v, x, y) => v * (x % 3 === 2 ? 0.7 : 1) * (y % 3 === 2 ? 0.85 : 1) + 40 * (x / code.w));
      return noise(blur(margin(grid, 30, 15), 1), 8, random);
    }
    case 'webcam': {
      // a card on the counter seen by a webcam: small, tilted, soft, noisy, dull, JPEG-compressed
      const code = rotate(scale(await base(3), 0.7), -(5 + random() * 6), 235);
      return jpeg(contrast(noise(blur(margin(code, 40, 235), 1), 12, random), 40, 210), 50);
    }
    // the same two, as whole camera frames: a dark-mode phone held up in a dim room, a card on a grey counter
    case 'phone_camera_frame': return inCameraFrame(await degraded(symbology, text, 'phone_screen', seed), 30, random);
    case 'webcam_frame': return inCameraFrame(await degraded(symbology, text, 'webcam', seed), 120, random);
  }
}
