// Image decoder benchmark (docs/scanning.md "Decoder choice"): @zxing/library with Paydesk's former strategies (main/scanner/image.ts)
// versus zxing-cpp as WebAssembly (zxing-wasm) as it comes, versus the core's pipeline now
// (main/scanner/still.ts: zxing-wasm plus retries; timed in-process, without the worker hop), on pictures this benchmark makes itself
// (bench/scan-degrade.ts): 4 symbologies × 14 degradation classes × PAYLOADS payloads each. A fourth decoder,
// 'camera-frame', is the renderer's frame decoder (renderer/scan/frame-decode.ts decodeFrame — the function
// its decode worker runs for every webcam frame and dropped JPEG); phone_camera_frame and webcam_frame put the
// phone-screen and webcam pictures inside a 640×480 camera frame, as the camera view hands them over.
// Writes bench/results/scan-images.json: per decoder × class (and × symbology) n, decoded, wrong,
// rate, p50/p99/max ms per still frame. A wrong decode (text ≠ payload) is counted separately.
import { performance } from 'node:perf_hooks';
import { decodeImage } from '../main/scanner/image';
import { decodeStill } from '../main/scanner/still';
import { decodeRgbaWasm, loadZxingWasm } from '../main/scanner/zxing-wasm';
import { decodeFrame } from '../renderer/scan/frame-decode';
import { summarize, writeResults, type VariantResult } from './lib/results';
import { DEGRADATIONS, degraded, rng, toRgba, type BenchSymbology, type Degradation } from './scan-degrade';

const PAYLOADS = Number(process.env.SCAN_BENCH_PAYLOADS ?? 10);
const SYMBOLOGIES: readonly BenchSymbology[] = ['code128', 'pdf417', 'datamatrix', 'qr'];
const GS = '\u001d';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function payload(symbology: BenchSymbology, i: number): string {
  const r = rng(1_000 + i * 7 + symbology.length);
  const pick = (chars: string, n: number): string => Array.from({ length: n }, () => chars.charAt(Math.floor(r() * chars.length))).join('');
  // 1-D: the fixed 24-character card; 2-D: GS-separated with a 32-character cardSession
  return symbology === 'code128'
    ? `KP${pick('0123456789', 13)}${pick(ALNUM, 6)}${pick('0123456789', 3)}`
    : `KP${pick('0123456789', 13)}${GS}${pick(ALNUM, 32)}${GS}${pick('0123456789', 3)}`;
}

type Decoder = 'zxing-js' | 'zxing-wasm' | 'paydesk' | 'camera-frame';
const decoders: Record<Decoder, (rgba: Uint8ClampedArray, w: number, h: number) => Promise<string | null>> = {
  'zxing-js': async (rgba, width, height) => {
    const r = decodeImage({ rgba, width, height });
    return r.ok ? r.text : null;
  },
  // zxing-cpp as it comes (the reference the issue measured against)
  'zxing-wasm': async (rgba, width, height) => (await decodeRgbaWasm(rgba, width, height))?.text ?? null,
  // what the core's decode worker runs: zxing-wasm plus Paydesk's retries (main/scanner/still.ts)
  'paydesk': async (rgba, width, height) => {
    const r = await decodeStill({ rgba, width, height });
    return r.ok ? r.text : null;
  },
  // what the renderer's decode worker runs on each camera frame (timed without the postMessage hop: the
  // pixels are transferred, not copied)
  'camera-frame': async (rgba, width, height) => (await decodeFrame({ data: rgba, width, height }))?.text ?? null,
};

interface Tally { times: number[]; decoded: number; wrong: number }

async function main(): Promise<void> {
  await loadZxingWasm();
  const tallies = new Map<string, Tally>();
  const tally = (key: string): Tally => {
    let t = tallies.get(key);
    if (!t) { t = { times: [], decoded: 0, wrong: 0 }; tallies.set(key, t); }
    return t;
  };
  for (const kind of DEGRADATIONS) {
    for (const symbology of SYMBOLOGIES) {
      for (let i = 0; i < PAYLOADS; i += 1) {
        const text = payload(symbology, i);
        const img = await degraded(symbology, text, kind, 17 * i + 3);
        const rgba = toRgba(img);
        for (const name of Object.keys(decoders) as Decoder[]) {
          const t0 = performance.now();
          const got = await decoders[name](rgba, img.w, img.h);
          const ms = performance.now() - t0;
          for (const key of [`${name}|${kind}|${symbology}`, `${name}|${kind}|all`, `${name}|all|${symbology}`, `${name}|all|all`]) {
            const t = tally(key);
            t.times.push(ms);
            if (got === text) t.decoded += 1;
            else if (got !== null) t.wrong += 1;
          }
        }
      }
    }
    process.stdout.write(`${kind} `);
  }
  const variants: VariantResult[] = [];
  for (const [key, t] of tallies) {
    const [decoder, kind, symbology] = key.split('|') as [Decoder, Degradation | 'all', BenchSymbology | 'all'];
    variants.push(summarize(key.replace(/\|/g, ' / '), t.times, {
      decoder, degradation: kind, symbology, decoded: t.decoded, wrong: t.wrong, rate_pct: Math.round((1000 * t.decoded) / t.times.length) / 10,
    }));
  }
  variants.sort((a, b) => String(a.variant).localeCompare(String(b.variant)));
  writeResults('scan-images', variants, {
    payloads_per_class_and_symbology: PAYLOADS,
    note: 'rate_pct = decoded exactly; wrong = a different text came out (must be 0). Times are per still frame, in this process, one at a time.',
  });
}

await main();
