// The renderer's frame decode worker: camera frames and dropped stills are decoded here with zxing-cpp
// (frame-decode.ts), off the UI thread, so key presses and the wedge detector never wait for a decode.
// The .wasm comes from the shell that serves the renderer (scripts/build.mjs copies it from the installed
// zxing-wasm package next to this file's bundle): no CDN, and the CSP allows it with 'wasm-unsafe-eval'
// (docs/security.md). Protocol: frame-worker-contract.ts.
import { prepareZXingModule } from 'zxing-wasm/reader';
import { decodeFrame } from './frame-decode';
import { answerFrameMessage, ZXING_WASM_FILE } from './frame-worker-contract';

interface WorkerScope {
  location: { href: string };
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  postMessage(message: unknown): void;
}
const scope = self as unknown as WorkerScope;

let ready: Promise<unknown> | null = null;

function prepare(): Promise<unknown> {
  ready ??= (async () => {
    // no-store: the file name carries no hash, so a cached binary from an older zxing-wasm must never meet newer glue code
    const response = await fetch(new URL(ZXING_WASM_FILE, scope.location.href), { cache: 'no-store' });
    if (!response.ok) throw new Error(`${ZXING_WASM_FILE}: HTTP ${response.status}`);
    const wasmBinary = await response.arrayBuffer();
    return prepareZXingModule({ overrides: { wasmBinary, locateFile: (file: string) => file }, fireImmediately: true });
  })().catch((error: unknown) => {
    ready = null; // the next frame tries again
    throw error;
  });
  return ready;
}

scope.onmessage = (event) => {
  void answerFrameMessage(event.data, async (frame) => {
    await prepare();
    return decodeFrame(frame);
  }).then((reply) => scope.postMessage(reply));
};
