// One stream of scan events from every input (serial, keyboard wedge, camera/image, manual entry).
// Scans are verified one at a time in arrival order, so events come out in the order scans came in.
//
// Busy gate (decided: refuse, not queue): while a payment is in flight (setBusy(true)) every scan is
// answered with { ok:false, reason:'busy', errorKey:'scan.busy' } and never parsed into a card. A queued
// scan would land on the next sale with a TOTP that may already be stale, and the cashier could not
// tell which sale it joined; a refusal with a clear message asks for one deliberate rescan instead.
// `epoch` increments on every busy change so a consumer can also drop events from an older sale.
import type { ParsedScan, ScanEvent, ScannerStatus, ScanSource, Symbology } from '../contract/scan';
import { normalizeScan, REJECT_ERROR_KEY } from '../barcode/parse';
import { toScannedCard } from '../barcode/card';
import { matchLegacyCard } from '../barcode/legacy';
import { matchProviderToken, type ProviderTokenFormat } from '../barcode/tokens';
import type { TotpVerifier } from '../totp/verifier';
import type { ScannerConfig } from './config';
import type { ImageInput } from './image';
import { createImageDecoderPool, type ImageDecoderPool } from './image-pool';
import { SerialScannerReader } from './serial';
import { stripAim } from './aim';
import type { FragmentReason } from './framer';

export type ScanListener = (event: ScanEvent) => void;
export type StatusListener = (status: ScannerStatus) => void;

export interface ScanHubOptions {
  /** Clock for `receivedAt` (ms since epoch). */
  now?: () => number;
  /** Still-picture decoder (a worker thread); the hub makes its own when not given one. */
  images?: ImageDecoderPool;
  /**
   * The providers' pay-token formats, read per scan (a config edit applies at once): asked before the card
   * templates; a code one of them claims is that provider's token, or a refusal when garbled.
   */
  tokenFormats?: () => readonly ProviderTokenFormat[];
  /** Serial bytes that never became a whole scan (also emitted as 'unterminated' scan events): for the log. */
  onFragment?: (text: string, reason: FragmentReason) => void;
}

export interface ScanHub {
  /** Subscribe to scan events; returns the unsubscribe function. */
  onScan(listener: ScanListener): () => void;
  /** Subscribe to serial scanner status (connected / disconnected / reconnecting…). */
  onStatus(listener: StatusListener): () => void;
  /** Current serial scanner status ('disabled' when serial is off). */
  status(): ScannerStatus;
  /** Opens the serial scanner when configured. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A completed keyboard-wedge burst from the renderer (renderer/scan WedgeDetector). */
  submitWedge(raw: string): Promise<ScanEvent>;
  /** Digits typed by the cashier. */
  submitManual(raw: string): Promise<ScanEvent>;
  /** A PNG file or an RGBA frame (webcam / dropped image decoded by the renderer). */
  submitImage(image: ImageInput): Promise<ScanEvent>;
  /** Text already decoded elsewhere (e.g. the renderer's camera decoder), tagged with its source. */
  submit(raw: string, source: ScanSource, symbology?: Symbology): Promise<ScanEvent>;
  /** true while a payment is in flight: scans are refused with 'scan.busy'. */
  setBusy(busy: boolean): void;
  readonly busy: boolean;
  readonly epoch: number;
}

interface Pending {
  raw: string;
  /** AIM identifier stripped from raw. */
  aim?: string;
  source: ScanSource;
  symbology?: Symbology;
  /** performance.now() when the scan was complete. */
  t0: number;
  /** Pre-decided result (busy, image not decoded). */
  parsed?: ParsedScan;
}

const refusal = (reason: 'busy' | 'not_decoded' | 'verifier_error' | 'unterminated', detail: string): ParsedScan => ({ ok: false, reason, errorKey: REJECT_ERROR_KEY[reason], detail });

export function createScanHub(config: ScannerConfig, verifier: TotpVerifier, options: ScanHubOptions = {}): ScanHub {
  const now = options.now ?? Date.now;
  const scanListeners = new Set<ScanListener>();
  const statusListeners = new Set<StatusListener>();
  let busy = false;
  let epoch = 0;
  let seq = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const images = options.images ?? createImageDecoderPool();
  const ownImages = !options.images;
  const disabled: ScannerStatus = { device: 'serial', state: 'disabled', path: config.serial.path, at: new Date(now()).toISOString(), attempts: 0 };

  const emit = (event: ScanEvent): void => {
    for (const listener of scanListeners) {
      try { listener(event); } catch { /* a listener's fault never stops the stream */ }
    }
  };

  /**
   * A scan no card template knows (wrong prefix / length) may be a legacy store card: loyalty only, no
   * payToken (payReady false), never verified. A TOTP card that failed its check stays refused.
   */
  const legacyFallback = (raw: string, parsed: ParsedScan): ParsedScan => {
    if (parsed.ok || (parsed.reason !== 'wrong_prefix' && parsed.reason !== 'bad_length') || config.legacyCards.length === 0) return parsed;
    const code = normalizeScan(raw);
    const rule = matchLegacyCard(code, config.legacyCards);
    return rule ? toScannedCard({ prefix: '', loyaltyId: code }, { verified: false, legacy: rule.name }) : parsed;
  };

  const process = async (scan: Pending): Promise<ScanEvent> => {
    const receivedAt = new Date(now()).toISOString();
    // The gate is read when the scan is complete, not when its verification ends.
    const atEpoch = epoch;
    let parsed = scan.parsed ?? (busy ? refusal('busy', 'a payment is in flight') : undefined);
    if (!parsed) {
      let formats: readonly ProviderTokenFormat[];
      try {
        formats = options.tokenFormats?.() ?? [];
      } catch {
        formats = []; // the providers could not be read: cards still scan
      }
      parsed = matchProviderToken(scan.raw, formats) ?? undefined;
    }
    if (!parsed) {
      try {
        parsed = await verifier.verifyBarcode(scan.raw);
      } catch (error) {
        parsed = refusal('verifier_error', error instanceof Error ? error.message : String(error));
      }
      parsed = legacyFallback(scan.raw, parsed);
    }
    const event: ScanEvent = {
      seq: seq++, source: scan.source, raw: scan.raw, parsed, receivedAt, epoch: atEpoch,
      ...(scan.symbology ? { symbology: scan.symbology } : {}),
      ...(scan.aim ? { aim: scan.aim } : {}),
      processingMs: Math.max(0, performance.now() - scan.t0),
    };
    emit(event);
    return event;
  };

  const FRAGMENT_DETAIL: Readonly<Record<FragmentReason, string>> = {
    unterminated: `no terminator within ${config.serial.fragmentTimeoutMs} ms (check the scanner's suffix: ${config.serial.suffix} configured)`,
    gap: `bytes followed by more than ${config.serial.gapMs} ms of silence before the next scan (noise or half a scan)`,
    overflow: `longer than ${config.serial.maxFrameBytes} bytes without a terminator`,
    reset: 'the port closed in the middle of a scan',
  };

  /** Serial and wedge text: a leading AIM identifier is stripped (config aimIds) and its symbology kept. */
  const fromScanner = (raw: string, source: ScanSource, t0: number): Pending => {
    if (config.aimIds === 'keep') return { raw, source, t0 };
    const split = stripAim(raw);
    return { raw: split.text, source, t0, ...(split.aim ? { aim: split.aim } : {}), ...(split.symbology ? { symbology: split.symbology } : {}) };
  };

  const enqueue = (scan: Pending): Promise<ScanEvent> => {
    // Busy is decided at arrival: a scan that came during a payment stays refused even if the payment
    // ends while an earlier scan is still being verified.
    const pending: Pending = !scan.parsed && busy ? { ...scan, parsed: refusal('busy', 'a payment is in flight') } : scan;
    const result = chain.then(() => process(pending));
    chain = result.catch(() => undefined);
    return result;
  };

  const reader = config.serial.enabled && config.serial.path !== ''
    ? new SerialScannerReader(config.serial, {
      frame: (frame) => { void enqueue(fromScanner(frame.text, 'serial', frame.completedAt)); },
      status: (status) => { for (const l of statusListeners) { try { l(status); } catch { /* ignore */ } } },
      fragment: (text, reason) => {
        options.onFragment?.(text, reason);
        // Never silently lost: the cashier is asked to scan again, IT sees why.
        void enqueue({ raw: text, source: 'serial', t0: performance.now(), parsed: refusal('unterminated', FRAGMENT_DETAIL[reason]) });
      },
    })
    : null;

  return {
    onScan(listener) { scanListeners.add(listener); return () => { scanListeners.delete(listener); }; },
    onStatus(listener) { statusListeners.add(listener); return () => { statusListeners.delete(listener); }; },
    status: () => reader?.status ?? disabled,
    start: async () => { await reader?.start(); },
    stop: async () => {
      await reader?.stop();
      if (ownImages) await images.close();
    },
    submitWedge: (raw) => enqueue(fromScanner(raw, 'wedge', performance.now())),
    submitManual: (raw) => enqueue({ raw, source: 'manual', t0: performance.now() }),
    submit: (raw, source, symbology) => enqueue({ raw, source, t0: performance.now(), ...(symbology ? { symbology } : {}) }),
    async submitImage(image) {
      const t0 = performance.now();
      // Busy is decided at arrival; a picture that arrives during a payment is not even decoded.
      if (busy) return enqueue({ raw: '', source: 'image', t0, parsed: refusal('busy', 'a payment is in flight') });
      // Decoded off this loop (worker thread); the picture joins the queue when its text is known.
      const decoded = await images.decode(image);
      if (!decoded.ok) return enqueue({ raw: '', source: 'image', t0, parsed: refusal('not_decoded', decoded.detail) });
      // a payment that started while the picture was decoded refuses it too (enqueue reads the gate)
      return enqueue({ raw: decoded.text, source: 'image', t0, symbology: decoded.symbology });
    },
    setBusy(next) {
      if (next === busy) return;
      busy = next;
      epoch += 1;
    },
    get busy() { return busy; },
    get epoch() { return epoch; },
  };
}
