// Sale: amount or basket → card scan (for methods paid with the card's token) → Pay (availability,
// auto-start or the method choice from the registry; a card terminal needs no scan) → live status with
// elapsed time and a cancel while cancellable → result with the slip, or the cashier instruction.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { ApiOutput, ScanResultView } from '../../main/contract/api';
import type { ConnectionState } from '../api/ws-bridge';
import type { AvailabilityResult, CashierErrorView, OperationView, SaleLineInput } from '../../main/contract/checkout';
import { asCashierError, localError } from '../api/client';
import { useApi, useApiEvent } from '../app/context';
import { useTillSetup } from '../app/setup';
import { scanImageFile } from '../app/imageScan';
import { TEXTS, useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';
import { measureLabel, taxLabel } from '../lib/labels';
import { measureOptions, preferredOf, WEIGHED } from '../lib/line-options';
import {
  defaultScanMethod, hasDirectMethod, listsDirectMethod, methodChoices, payRequest, scanProviderTitle, tenderFor, type MethodChoice, type Tender, type TokenState,
} from '../lib/methods';
import {
  amountProblem, formatKilograms, formatKop, formatSeconds, LARGE_AMOUNT_KOP, lineTotalKop, parseKilogramsToGrams, parseQuantity, parseRublesToKop, weighedLine,
} from '../lib/money';
import { forScannedProvider } from '../lib/scanned-provider';
import { availabilityKey, usablePrefetch, type PrefetchEntry } from '../lib/availability-prefetch';
import { cue } from '../lib/sound';
import type { DecodedFrame } from '../scan';
import { CameraView } from './CameraView';
import { ErrorPanel } from './ErrorPanel';
import { EXTRA_BUSY_HINT, ExtraChargePanel } from './ExtraChargePanel';
import { MethodList } from './MethodList';
import { PaymentProgress } from './PaymentProgress';
import { SlipView } from './SlipView';
import { ReceiptLine } from './ReceiptLine';
import { SaleSavedCards } from './SavedCards';
import type { SavedCardView } from '../../main/contract/saved-cards';

interface Card {
  loyaltyId: string;
  /** The one-time payment token the card carries (absent on plain loyalty cards). */
  payToken?: string;
  /** The token is there and the card verified: methods that need a card scan may be offered. */
  payReady: boolean;
  /** The provider whose own code carried the token: only its scan methods are offered (lib/scanned-provider.ts). */
  provider?: string;
}

type Phase =
  | { kind: 'edit' }
  | { kind: 'checking' }
  /** The availability step could not answer (it is optional in the contract): retry, pay without it, or another method. */
  | { kind: 'unchecked'; error: CashierErrorView }
  /** availability null: no token was checked (no card, a plain card): the methods come from the registry alone. */
  | { kind: 'choose'; availability: AvailabilityResult | null }
  | { kind: 'paying'; operation: OperationView | null; tender: Tender; cancelling: boolean }
  | { kind: 'done'; operation: OperationView }
  | { kind: 'failed'; error: CashierErrorView; operation: OperationView | null; tender: Tender | null }
  | { kind: 'other' };

/** How long a refused scan's notice (e.g. scan.busy) stays in the card panel. */
const NOTICE_MS = 8_000;
/** Availability is asked this long after the card and the amount stop changing (typing an amount settles). */
const PREFETCH_SETTLE_MS = 150;

/** The line form's first choices when the config allows them (the contract's defaults). */
const PREFERRED_TAX = 'vat20';
const PREFERRED_MEASURE = 'PIECE';

/** A basket line with what the cashier typed, so the list shows "0,350 кг × 899,90 ₽/кг". */
/** Scanner refusals that may still be a product barcode (EAN-8, UPC-A, EAN-13, GTIN-14). */
const PRODUCT_REASONS: readonly string[] = ['wrong_prefix', 'bad_length', 'bad_characters'];
const PRODUCT_BARCODE = /^(\d{8}|\d{12,14})$/;
type CatalogueItemView = NonNullable<ApiOutput<'catalogue.lookup'>['item']>;

interface BasketLine {
  line: SaleLineInput;
  qtyText: string;
  priceText: string;
  weighed: boolean;
}

function newOrderId(terminalId: string): string {
  const d = new Date();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  const rand = Math.random().toString(36).slice(2, 6);
  return `${terminalId.replace(/[^\w.\-:/]/g, '').slice(0, 12)}-${stamp}-${rand}`;
}

export interface SaleScreenProps {
  terminalId: string;
  /** Reports whether a payment is in flight (the app blocks screen switches meanwhile). */
  onBusy: (busy: boolean) => void;
  onOpenJournal: () => void;
  /** Scans delivered while this screen is shown (serial events and wedge results). */
  scan: ScanResultView | null;
  onScanHandled: () => void;
  /** The link to the core (kiosk WebSocket; always 'open' under Electron). */
  connection?: ConnectionState;
}

export function SaleScreen({ terminalId, onBusy, onOpenJournal, scan, onScanHandled, connection = 'open' }: SaleScreenProps): ReactNode {
  const api = useApi();
  const { t, lang } = useI18n();
  const { methods, taxes, measures, refreshMethods } = useTillSetup();
  const unit = (measure: string): string => measureLabel(measure, lang);
  // Taxes and measures are the config's (sale.catalogue); the 'KG' choice is the weighed line (line-options.ts).
  const measureChoices = measureOptions(measures);
  const [amountText, setAmountText] = useState('');
  const [basketLines, setBasketLines] = useState<BasketLine[]>([]);
  const lines = basketLines.map((b) => b.line);
  const [lineError, setLineError] = useState<string | null>(null);
  /** The amount the cashier confirmed as intended although unusually large (LARGE_AMOUNT_KOP). */
  const [largeOk, setLargeOk] = useState<number | null>(null);
  const [largeAsk, setLargeAsk] = useState(false);
  /** The payment token a payment was started with: a provider takes it once, so the next try needs a new scan. */
  const [usedToken, setUsedToken] = useState<string | null>(null);
  const [adminCalled, setAdminCalled] = useState(false);
  /** Bumped to put the cursor back in the amount field once the field is enabled again. */
  const [focusAmount, setFocusAmount] = useState(0);
  const nameRef = useRef<HTMLInputElement>(null);
  const qtyRef = useRef<HTMLInputElement>(null);
  /** Bumped to put the cursor in the quantity field (a weighed catalogue item waits for its weight). */
  const [focusQty, setFocusQty] = useState(0);
  useEffect(() => {
    if (focusQty > 0) qtyRef.current?.focus();
  }, [focusQty]);
  const linesEnd = useRef<HTMLTableRowElement>(null);
  const [draft, setDraft] = useState({ name: '', price: '', qty: '1', tax: PREFERRED_TAX, measure: PREFERRED_MEASURE });
  // A config edit may drop the tax or measure the form holds: fall back to what the config allows.
  useEffect(() => {
    setDraft((d) => {
      const tax = preferredOf(taxes, d.tax);
      const allowed = measureOptions(measures);
      const measure = allowed.length === 0 || allowed.includes(d.measure) ? d.measure : preferredOf(allowed, PREFERRED_MEASURE);
      return tax === d.tax && measure === d.measure ? d : { ...d, tax, measure };
    });
  }, [taxes, measures]);
  const [card, setCard] = useState<Card | null>(null);
  /**
   * What the provider answered for this card's token: true once availability named at least one
   * available method, false when it named none, null before F9 asks. «<provider> доступен» only on true.
   */
  const [tokenAvailability, setTokenAvailability] = useState<{ token: string; available: boolean } | null>(null);
  const tokenAvailable = card?.payToken && tokenAvailability?.token === card.payToken ? tokenAvailability.available : null;
  const [phase, setPhase] = useState<Phase>({ kind: 'edit' });
  const [manualCode, setManualCode] = useState('');
  const [elapsedMs, setElapsedMs] = useState(0);
  const [cameraOpen, setCameraOpen] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [reading, setReading] = useState(false);
  /** A scan that was refused without touching the sale (a payment is in flight): shown, then cleared. */
  const [notice, setNotice] = useState<CashierErrorView | null>(null);
  const startedAt = useRef(0);
  // One orderId per sale (the cashier's intent), minted once: availability, Pay and a retried Pay share it.
  const orderIdRef = useRef<string | null>(null);
  const saleOrderId = (): string => (orderIdRef.current ??= newOrderId(terminalId));
  const latest = useRef(new Map<string, OperationView>());
  const amountRef = useRef<HTMLInputElement>(null);
  const inFlight = useRef(false);
  /** Availability asked when the card was scanned (renderer/lib/availability-prefetch.ts). */
  const prefetched = useRef<PrefetchEntry | null>(null);
  /** The order of the payment on screen, to find it again after the core restarts. */
  const orderRef = useRef<string | null>(null);
  /** Set while the core is lost with a payment on screen; what recovery found is shown on reconnect. */
  const [lostOrder, setLostOrder] = useState<string | null>(null);
  const [recovery, setRecovery] = useState<string | null>(null);

  const linesTotal = lines.reduce((sum, l) => sum + lineTotalKop(l.priceKop, l.quantity, l.discountKop ?? 0), 0);
  const problem = lines.length > 0 ? null : amountProblem(amountText);
  const amountKop = lines.length > 0 ? linesTotal : problem ? null : parseRublesToKop(amountText);
  /** An extra charge of the paid sale on screen may still take money (ExtraChargePanel reports it). */
  const [extraBusy, setExtraBusy] = useState(false);
  const extraRunning = phase.kind === 'done' && extraBusy;
  const busy = phase.kind === 'checking' || phase.kind === 'paying' || extraRunning;

  useEffect(() => onBusy(busy), [busy, onBusy]);
  // The customer display shows the running total (a no-op when none is configured; a refusal changes nothing here).
  const shownTotal = amountKop !== null && amountKop > 0 ? amountKop : 0;
  useEffect(() => {
    api.call('display.basket', { totalKop: shownTotal }).catch(() => undefined);
  }, [api, shownTotal]);
  const busyRef = useRef(busy);
  busyRef.current = busy;

  // The camera belongs to an empty card panel of a sale being edited: a payment or a card closes it.
  useEffect(() => {
    if (busy || card) setCameraOpen(false);
  }, [busy, card]);
  useEffect(() => {
    if (!notice) return undefined;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  // Live elapsed time while paying.
  useEffect(() => {
    if (phase.kind !== 'paying') return undefined;
    const timer = setInterval(() => setElapsedMs(performance.now() - startedAt.current), 100);
    return () => clearInterval(timer);
  }, [phase.kind]);

  const methodsRef = useRef(methods);
  methodsRef.current = methods;
  /** The tender of an operation found again (recovery, a late event): its registry entry decides the scan. */
  const tenderOf = (operation: OperationView): Tender => {
    const m = methodsRef.current.find((x) => x.provider === operation.provider && x.method === operation.paymentType);
    // Unknown to the list (not read yet): a payment with a loyalty card was a token payment; a terminal has none.
    return { provider: operation.provider, method: operation.paymentType ?? '', needsCardScan: m?.needsCardScan ?? operation.loyaltyId !== null };
  };
  const tenderOfRef = useRef(tenderOf);
  tenderOfRef.current = tenderOf;

  const settle = useCallback((operation: OperationView): void => {
    if (!operation.isFinal) {
      setPhase((p) => (p.kind === 'paying' ? { ...p, operation } : p));
      return;
    }
    setElapsedMs(performance.now() - startedAt.current);
    if (operation.outcome === 'paid') {
      cue('paid');
      setPhase({ kind: 'done', operation });
    } else {
      cue('declined');
      const error: CashierErrorView = operation.error ?? {
        key: `outcome.${operation.outcome ?? 'unknown'}`, ru: operation.phaseText, en: operation.phaseText, action: 'other_method', severity: 'warning',
      };
      setPhase((p) => ({ kind: 'failed', error, operation, tender: p.kind === 'paying' ? p.tender : tenderOfRef.current(operation) }));
    }
  }, []);

  const phaseRef = useRef(phase);
  phaseRef.current = phase;
  /**
   * The payment on screen, set the moment its id is known. The rendered phase lags: an event that comes
   * right after the pay answer, before React re-rendered, found no operation in it and was dropped (the
   * QR never showed while the bank waited for the customer).
   */
  const following = useRef<string | null>(null);
  useApiEvent('operation', (operation) => {
    latest.current.set(operation.id, operation);
    const p = phaseRef.current;
    if (p.kind === 'paying' && (p.operation?.id ?? following.current) === operation.id) settle(operation);
    // The receipt goes out after the payment: its line follows without holding the cashier up.
    else if (p.kind === 'done' && p.operation.id === operation.id) setPhase({ kind: 'done', operation });
  });

  const applyScan = useCallback((result: ScanResultView): void => {
    const parsed = result.scan.parsed;
    // Refused because a payment is in flight (the core's busy gate), or arriving while this screen is
    // checking / paying: never applied to the sale on screen, but the cashier is told so.
    if (!parsed.ok && parsed.reason === 'busy') {
      setNotice(result.error ?? localError('scan.busy', TEXTS.ru['sale.scanBusy'], TEXTS.en['sale.scanBusy'], 'wait'));
      return;
    }
    if (busy) {
      setNotice({ ...localError('scan.busy', TEXTS.ru['sale.scanBusy'], TEXTS.en['sale.scanBusy'], 'wait'), severity: 'warning' });
      return;
    }
    setNotice(null);
    // Not a customer card by the scanner's rules, but shaped like a product barcode: the local
    // catalogue (if configured) may know it; otherwise the scanner's own refusal is shown.
    if (!parsed.ok && PRODUCT_REASONS.includes(parsed.reason) && PRODUCT_BARCODE.test(result.scan.raw)) {
      const refusal = result.error;
      void api.call('catalogue.lookup', { code: result.scan.raw }).then(({ item }) => {
        if (item) addCatalogueItemRef.current(item);
        else if (refusal) setPhase({ kind: 'failed', error: refusal, operation: null, tender: null });
      }, () => {
        if (refusal) setPhase({ kind: 'failed', error: refusal, operation: null, tender: null });
      });
      return;
    }
    if (parsed.ok) {
      cue('scan');
      setCard({ loyaltyId: parsed.loyaltyId, ...(parsed.payToken ? { payToken: parsed.payToken } : {}), payReady: parsed.payReady, ...(parsed.provider ? { provider: parsed.provider } : {}) });
      setPhase((p) => (p.kind === 'failed' || p.kind === 'choose' ? { kind: 'edit' } : p));
    } else if (result.error) {
      setPhase({ kind: 'failed', error: result.error, operation: null, tender: null });
    }
  }, [busy, api]);

  // A scan the screen asked for arrives twice (the call's answer and the hub's event): apply each seq once.
  const lastScanSeq = useRef(-1);
  const applyOnce = useCallback((result: ScanResultView): void => {
    if (result.scan.seq === lastScanSeq.current) return;
    lastScanSeq.current = result.scan.seq;
    applyScan(result);
  }, [applyScan]);
  useEffect(() => {
    if (!scan) return;
    applyOnce(scan);
    onScanHandled();
  }, [scan, applyOnce, onScanHandled]);

  /** A scan this screen submits itself (typed code, camera, dropped image). */
  const submitScan = async (call: () => Promise<ScanResultView>): Promise<boolean> => {
    try {
      applyOnce(await call());
      return true;
    } catch (error) {
      const cashier = asCashierError(error);
      if (busyRef.current) setNotice(cashier);
      else setPhase({ kind: 'failed', error: cashier, operation: null, tender: null });
      return false;
    }
  };

  const onCameraCode = (code: DecodedFrame): void => {
    setCameraOpen(false);
    void submitScan(() => api.call('scan.camera', { code: code.text, symbology: code.symbology }));
  };

  // Drag & drop of an image file anywhere on the Sale screen (App keeps the browser from opening a
  // file dropped elsewhere). Only files are taken; dragged text is left to the fields.
  const readingRef = useRef(false);
  const dropFile = useRef<(file: File) => void>(() => undefined);
  dropFile.current = (file) => {
    if (readingRef.current) return;
    readingRef.current = true;
    setReading(true);
    setCameraOpen(false);
    void submitScan(() => scanImageFile(api, file)).finally(() => {
      readingRef.current = false;
      setReading(false);
    });
  };
  useEffect(() => {
    let depth = 0;
    const hasFiles = (event: DragEvent): boolean => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    const enter = (event: DragEvent): void => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth += 1;
      setDragging(true);
    };
    const over = (event: DragEvent): void => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const leave = (event: DragEvent): void => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (event: DragEvent): void => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      const file = event.dataTransfer?.files[0];
      if (file) dropFile.current(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  const basket = (): { amountKop?: number; lines?: SaleLineInput[] } =>
    (lines.length > 0 ? { lines } : { amountKop: amountKop ?? 0 });

  /** The scanned card's token: none (no card, or a plain loyalty card), fresh, or used by a payment of this sale. */
  const tokenState: TokenState = !card?.payToken || !card.payReady ? 'none' : card.payToken === usedToken ? 'used' : 'fresh';
  /** Some ready method needs no card (a card terminal): F9 works without a scan. */
  const direct = hasDirectMethod(methods);
  const directListed = listsDirectMethod(methods);
  const scanTitle = scanProviderTitle(methods);

  /** The tender of a saved card's Alt+N: its retry repeats `savedCards.pay` with the same card. */
  const savedCardTender = (c: SavedCardView): Tender => ({ provider: c.provider, method: 'saved_card', needsCardScan: false, savedCardId: c.id });

  const pay = async (tender: Tender): Promise<void> => {
    if (inFlight.current) return;
    const orderId = saleOrderId();
    const request = payRequest(tender, orderId, basket(), card);
    if (!request) return;
    inFlight.current = true;
    following.current = null;
    if (request.method === 'sale.pay' && request.input.card) setUsedToken(request.input.card.payToken);
    startedAt.current = performance.now();
    setElapsedMs(0);
    setPhase({ kind: 'paying', operation: null, tender, cancelling: false });
    orderRef.current = orderId;
    try {
      const operation = request.method === 'savedCards.pay' ? await api.call('savedCards.pay', request.input) : await api.call('sale.pay', request.input);
      following.current = operation.id;
      const newest = latest.current.get(operation.id);
      const view = newest && newest.updatedAt >= operation.updatedAt ? newest : operation;
      setPhase({ kind: 'paying', operation: view, tender, cancelling: false });
      settle(view);
    } catch (error) {
      setPhase({ kind: 'failed', error: asCashierError(error), operation: null, tender });
    } finally {
      inFlight.current = false;
    }
  };

  /** The method list (no token check needed, or none possible): readiness is read again first. */
  const chooseMethod = async (): Promise<void> => {
    setPhase({ kind: 'choose', availability: null });
    await refreshMethods();
  };

  const startPayment = async (): Promise<void> => {
    if (phase.kind !== 'edit' || !amountKop || inFlight.current) return;
    if (tokenState !== 'fresh' && !directListed) return;
    if (amountKop >= LARGE_AMOUNT_KOP && largeOk !== amountKop) {
      // The first F9 on an unusual amount only asks; the second (or Enter on the question) confirms it.
      if (!largeAsk) {
        setLargeAsk(true);
        return;
      }
      setLargeOk(amountKop);
    }
    setLargeAsk(false);
    // A provider's own code needs no availability check of another provider: its methods are listed.
    if (tokenState === 'fresh' && !card?.provider) await checkAvailability();
    else await chooseMethod();
  };

  /**
   * Availability for this card, order and basket: the answer asked at the scan when it still fits (same question,
   * recent, not failed), else a new call. The scan's call and Pay's share one request when Pay comes first.
   */
  const askAvailability = (token: string, loyaltyId: string): Promise<AvailabilityResult> => {
    const input = { orderId: saleOrderId(), ...basket(), card: { loyaltyId, payToken: token } };
    const key = availabilityKey(input);
    const now = performance.now();
    if (usablePrefetch(prefetched.current, key, now)) return prefetched.current.answer;
    const entry: PrefetchEntry = { key, askedAt: now, answer: api.call('sale.availability', input), failed: false };
    entry.answer.catch(() => { entry.failed = true; });
    prefetched.current = entry;
    return entry.answer;
  };

  // Asked as soon as the card is scanned and the basket has an amount (a short pause lets typing settle), so
  // Pay finds the answer there instead of waiting for a round trip to the provider. Nothing is journaled.
  // Not for an unusual amount not yet confirmed: it may be a typo the first F9 asks about.
  const prefetchAmount = !!amountKop && amountKop > 0 && (amountKop < LARGE_AMOUNT_KOP || largeOk === amountKop);
  const prefetchToken = tokenState === 'fresh' && !card?.provider && phase.kind === 'edit' && prefetchAmount ? card?.payToken ?? null : null;
  const prefetchBasket = JSON.stringify(basket());
  useEffect(() => {
    if (!prefetchToken || !card) return undefined;
    const loyaltyId = card.loyaltyId;
    const timer = setTimeout(() => { void askAvailability(prefetchToken, loyaltyId).catch(() => undefined); }, PREFETCH_SETTLE_MS);
    return () => clearTimeout(timer);
    // Keyed on what the question is made of: askAvailability reads the same basket and token.
  }, [prefetchToken, prefetchBasket]);

  const checkAvailability = async (): Promise<void> => {
    if (!card?.payToken || inFlight.current) return;
    const token = card.payToken;
    inFlight.current = true;
    setPhase({ kind: 'checking' });
    let availability: AvailabilityResult;
    try {
      availability = await askAvailability(token, card.loyaltyId);
    } catch (error) {
      inFlight.current = false;
      const cashier = asCashierError(error);
      // The check is optional (reference: availability-info "Optional"): no answer is never a dead end.
      setPhase(cashier.key === 'availability.unavailable' ? { kind: 'unchecked', error: cashier } : { kind: 'failed', error: cashier, operation: null, tender: null });
      return;
    }
    inFlight.current = false;
    setTokenAvailability({ token, available: availability.methods.some((m) => m.available) });
    if (availability.autoStart) {
      await pay(tenderFor(methods, availability.autoStart, true));
    } else {
      setPhase({ kind: 'choose', availability });
      void refreshMethods();
    }
  };

  const cancel = async (): Promise<void> => {
    if (phase.kind !== 'paying' || !phase.operation?.cancellable || phase.cancelling) return;
    const id = phase.operation.id;
    setPhase({ ...phase, cancelling: true });
    try {
      const view = await api.call('sale.cancel', { operationId: id });
      // The cancel is its own operation; the payment's final state arrives as an event.
      latest.current.set(view.id, view);
      const payment = await api.call('operation.get', { operationId: id });
      if (payment) settle(payment);
    } catch (error) {
      setPhase({ kind: 'failed', error: asCashierError(error), operation: phase.operation, tender: phase.tender });
    }
  };

  /** Park the unresolved payment (it goes on in the background) and start the next sale. */
  const park = async (): Promise<void> => {
    if (phase.kind !== 'paying' || !phase.operation || phase.operation.isFinal) return;
    try {
      await api.call('sale.park', { operationId: phase.operation.id });
    } catch (error) {
      setNotice(asCashierError(error));
      return;
    }
    resetSale();
  };

  const newSale = (): void => {
    if (busy) return;
    resetSale();
  };

  function resetSale(): void {
    setAmountText('');
    setBasketLines([]);
    setLineError(null);
    setLargeAsk(false);
    setLargeOk(null);
    setCard(null);
    setManualCode('');
    setNotice(null);
    setCameraOpen(false);
    setAdminCalled(false);
    setRecovery(null);
    orderRef.current = null;
    following.current = null;
    setPhase({ kind: 'edit' });
    orderIdRef.current = null;
    latest.current.clear();
    setFocusAmount((n) => n + 1);
  }

  // The amount field is disabled while a result is on screen, so focusing it inside newSale would be
  // lost; focus once the edit phase is rendered (layout effect: before the next keystroke is handled).
  useLayoutEffect(() => {
    if (phase.kind === 'edit' && basketLines.length === 0) amountRef.current?.focus();
  }, [focusAmount, phase.kind, basketLines.length]);

  // A digit typed while nothing has focus (after a click on empty space, after a result) belongs to the
  // amount: move focus there before the browser delivers the character.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.ctrlKey || event.altKey || event.metaKey || !/^[\d,.]$/.test(event.key)) return;
      const active = document.activeElement;
      if (active && active !== document.body && active.tagName !== 'BUTTON') return;
      if (phaseRef.current.kind !== 'edit' || linesCount.current > 0) return;
      amountRef.current?.focus();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  const linesCount = useRef(0);
  linesCount.current = basketLines.length;
  useEffect(() => {
    linesEnd.current?.scrollIntoView({ block: 'nearest' });
  }, [basketLines.length]);

  // Core lost: a payment on screen stops looking live; on reconnect the journal says what became of it.
  const lost = connection !== 'open';
  useEffect(() => {
    if (lost && (phase.kind === 'paying' || phase.kind === 'checking' || (phase.kind === 'failed' && phase.error.key === 'shell.disconnected'))) {
      setLostOrder(orderRef.current ?? '');
    }
  }, [lost, phase]);
  useEffect(() => {
    if (lost || lostOrder === null) return;
    const orderId = lostOrder;
    setLostOrder(null);
    void (async () => {
      const found = orderId ? await api.call('operation.query', { orderId, kind: 'payment', limit: 1 }).catch(() => []) : [];
      const operation = found[0];
      if (!operation) {
        // Never journaled: nothing was sent to the customer's bank; the card code was not used.
        setUsedToken(null);
        setRecovery(t('sale.recovery.none'));
        setPhase({ kind: 'edit' });
        return;
      }
      setRecovery(t('sale.recovery.found'));
      following.current = operation.id;
      startedAt.current = performance.now();
      setPhase({ kind: 'paying', operation, tender: tenderOf(operation), cancelling: false });
      settle(operation);
    })();
  }, [lost, lostOrder, api, settle, t]); // tenderOf reads the methods through a ref

  const onErrorAction = (action: CashierErrorView['action']): void => {
    const tender = phase.kind === 'failed' ? phase.tender : null;
    switch (action) {
      case 'rescan':
        setCard(null);
        setPhase({ kind: 'edit' });
        break;
      case 'retry':
        // A terminal payment is simply started again; a token payment needs the card's token.
        // A saved card is paid by it again (savedCards.pay, the same orderId: one charge at most).
        if (tender && payRequest(tender, saleOrderId(), basket(), card)) void pay(tender);
        else setPhase({ kind: 'edit' });
        break;
      case 'other_method':
        // Another method the till takes itself (a terminal, a fresh token), else one outside the till.
        if (amountKop && (direct || tokenState === 'fresh')) void chooseMethod();
        else setPhase({ kind: 'other' });
        break;
      case 'call_admin':
      case 'fix_config':
        setAdminCalled(true);
        // Recorded by the core with its time (journal screen, status bar), not only shown here.
        void api.call('admin.call', { reason: phase.kind === 'failed' ? phase.error.key : action }).catch(() => undefined);
        setPhase({ kind: 'edit' });
        break;
      case 'check_status':
        onOpenJournal();
        setPhase({ kind: 'edit' });
        break;
      default:
        setPhase({ kind: 'edit' });
    }
  };

  /**
   * A catalogue product joins the basket: piece goods at once (quantity 1); goods sold by the
   * kilogram fill the line form with name and price per kg and wait for the weight (never guessed).
   */
  const addCatalogueItem = (item: CatalogueItemView): void => {
    if (phaseRef.current.kind !== 'edit' && phaseRef.current.kind !== 'failed') return;
    if (phaseRef.current.kind === 'failed') setPhase({ kind: 'edit' });
    cue('scan');
    setLineError(null);
    if (item.measure === 'KILOGRAM') {
      setDraft((d) => ({ ...d, name: item.name, price: formatKop(item.priceKop).replace(/[\s\u00a0₽]/g, ''), qty: '', tax: item.tax, measure: WEIGHED }));
      setFocusQty((n) => n + 1);
      return;
    }
    const line: SaleLineInput = { name: item.name, article: item.code, priceKop: item.priceKop, quantity: 1, tax: item.tax, measure: item.measure };
    setBasketLines((ls) => [...ls, { line, qtyText: '1', priceText: formatKop(item.priceKop), weighed: false }]);
    setDraft((d) => ({ ...d, name: '', price: '', qty: '1' }));
    nameRef.current?.focus();
  };
  const addCatalogueItemRef = useRef(addCatalogueItem);
  addCatalogueItemRef.current = addCatalogueItem;

  const addLine = (event?: FormEvent): void => {
    event?.preventDefault();
    if (phase.kind !== 'edit') return;
    // Digits only in the item name and no price: a PLU (or a typed barcode) for the local catalogue.
    const typed = draft.name.trim();
    if (/^\d{1,14}$/.test(typed) && draft.price.trim() === '') {
      void api.call('catalogue.lookup', { code: typed }).then(({ item, configured }) => {
        if (item) addCatalogueItem(item);
        else setLineError(configured ? `${t('sale.lineErr.plu')} ${typed}` : t('sale.lineErr.name'));
        if (!item) nameRef.current?.focus();
      }, (error: unknown) => setLineError(asCashierError(error)[lang]));
      return;
    }
    // Nothing typed is ever dropped silently: each refusal says what to fix and keeps the field.
    if (!draft.name.trim()) { setLineError(t('sale.lineErr.name')); nameRef.current?.focus(); return; }
    const priceKop = parseRublesToKop(draft.price);
    if (priceKop === null || priceKop === 0) { setLineError(t('sale.lineErr.price')); return; }
    const weighed = draft.measure === WEIGHED;
    const grams = weighed ? parseKilogramsToGrams(draft.qty) : null;
    const quantity = weighed ? grams : parseQuantity(draft.qty);
    if (quantity === null) { setLineError(t(weighed ? 'sale.lineErr.kg' : 'sale.lineErr.qty')); return; }
    const name = draft.name.trim();
    const article = String(basketLines.length + 1).padStart(4, '0');
    const line: SaleLineInput = weighed
      ? (() => { const w = weighedLine(priceKop, quantity); return { name, article, priceKop: w.priceKop, quantity: w.quantity, discountKop: w.discountKop, tax: draft.tax, measure: 'GRAM' }; })()
      : { name, article, priceKop, quantity, tax: draft.tax, measure: draft.measure };
    setBasketLines((ls) => [...ls, { line, qtyText: weighed ? formatKilograms(quantity) : String(quantity), priceText: formatKop(priceKop), weighed }]);
    setLineError(null);
    setDraft((d) => ({ ...d, name: '', price: '', qty: weighed ? '' : '1' }));
    nameRef.current?.focus();
  };

  const submitManual = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!manualCode.trim() || busy) return;
    const code = manualCode.trim();
    if (await submitScan(() => api.call('scan.manual', { code }))) setManualCode('');
  };

  const canPay = phase.kind === 'edit' && (tokenState === 'fresh' || directListed) && !!amountKop && amountKop > 0;
  const next = (() => {
    switch (phase.kind) {
      case 'edit': return !amountKop ? t('sale.next.enterAmount')
        : largeAsk ? `${t('sale.large')} ${formatKop(amountKop)}. ${t('sale.largeConfirm')}`
        : !card ? t(directListed ? 'sale.next.scanOrPay' : 'sale.next.scan')
        : tokenState === 'used' ? t('sale.next.rescan')
        : tokenState === 'fresh' || direct ? t('sale.next.pay') : t('sale.next.other');
      case 'checking': return t('sale.checking');
      case 'unchecked': return t('sale.next.unchecked');
      case 'choose': return t('sale.next.choose');
      case 'paying': return t(phase.operation?.customerAction ? 'sale.next.qr' : phase.tender.needsCardScan ? 'sale.next.wait' : 'sale.next.terminal');
      case 'done': return t('sale.next.done');
      case 'other': return t('sale.next.other');
      case 'failed': return null;
    }
  })();
  const editable = phase.kind === 'edit';
  const choices: MethodChoice[] = phase.kind === 'choose' ? forScannedProvider(methodChoices(methods, tokenState, phase.availability), card?.provider)
    // Without the optional check's answer F9 pays the default token method; the list offers the rest.
    : phase.kind === 'unchecked' ? methodChoices(methods, tokenState, null).filter((c) => !c.needsCardScan)
    : [];
  const uncheckedDefault = defaultScanMethod(methods);
  const titled = (text: string, title: string): string => text.replace('{title}', title);
  const cardLine = ((): string => {
    if (!card) return '';
    if (!card.payReady || !card.payToken) return scanTitle ? titled(t('sale.tokenNo'), scanTitle) : t('sale.tokenNoGeneric');
    if (tokenAvailable === null) return titled(t('sale.tokenCard'), scanTitle ?? t('sale.tokenCustomer'));
    if (tokenAvailable) return scanTitle ? titled(t('sale.tokenYes'), scanTitle) : t('sale.tokenYesGeneric');
    return titled(t('sale.tokenNone'), scanTitle ?? t('sale.tokenTitleGeneric'));
  })();

  return (
    <div className="sale">
      {dragging ? <div className="drop-overlay" data-testid="drop-hint">{t('sale.dropNow')}</div> : null}
      <section className="panel basket" aria-label={t('sale.title')}>
        <label className="field big">
          <span>{t('sale.amount')}</span>
          <input ref={amountRef} autoFocus data-testid="amount" inputMode="decimal" value={lines.length > 0 ? (linesTotal / 100).toFixed(2).replace('.', ',') : amountText}
            disabled={!editable || lines.length > 0} aria-invalid={problem !== null} onChange={(e) => { setAmountText(e.target.value); setLargeAsk(false); }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') { e.preventDefault(); void startPayment(); }
              if (e.key === 'Escape' && largeAsk) { e.preventDefault(); setLargeAsk(false); e.currentTarget.select(); }
            }} />
        </label>
        {problem ? <div className="field-error" role="alert" data-testid="amount-error">{t(`sale.amountErr.${problem}`)}</div> : null}
        <div className="muted">{t('sale.orLines')}</div>
        <form className="line-form" onSubmit={addLine}>
          <input ref={nameRef} data-testid="line-name" placeholder={t('sale.name')} value={draft.name} disabled={!editable} onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            onKeyDown={(e) => {
              // A PLU typed in the name field: Enter looks it up (F5 too, like any line).
              if (e.key === 'Enter' && /^\d{1,14}$/.test(draft.name.trim())) { e.preventDefault(); addLine(); }
            }} />
          <input data-testid="line-price" placeholder={draft.measure === WEIGHED ? t('sale.pricePerKg') : t('sale.price')} inputMode="decimal" value={draft.price} disabled={!editable} onChange={(e) => setDraft({ ...draft, price: e.target.value })} />
          <input ref={qtyRef} data-testid="line-qty" placeholder={draft.measure === WEIGHED ? t('sale.qtyKg') : t('sale.qty')} inputMode="decimal" value={draft.qty} disabled={!editable} onChange={(e) => setDraft({ ...draft, qty: e.target.value })} />
          <select data-testid="line-tax" aria-label={t('sale.vat')} value={draft.tax} disabled={!editable} onChange={(e) => setDraft({ ...draft, tax: e.target.value })}>
            {(taxes.length > 0 ? taxes : [draft.tax]).map((x) => <option key={x} value={x}>{taxLabel(x, lang)}</option>)}
          </select>
          <select data-testid="line-measure" aria-label={t('sale.measure')} value={draft.measure} disabled={!editable} onChange={(e) => setDraft({ ...draft, measure: e.target.value, qty: e.target.value === WEIGHED ? '' : draft.qty || '1' })}>
            {(measureChoices.length > 0 ? measureChoices : [draft.measure]).map((x) => <option key={x} value={x}>{unit(x)}</option>)}
          </select>
          <KeyButton k="F5" onPress={() => addLine()} disabled={!editable} testId="add-line">{t('sale.addLine')}</KeyButton>
        </form>
        {lineError ? <div className="field-error" role="alert" data-testid="line-error">{lineError}</div> : null}
        <div className="lines-scroll" data-testid="lines-scroll">
          <table className="lines" data-testid="lines">
            <tbody>
              {basketLines.length === 0 ? <tr><td className="muted" colSpan={6}>{t('sale.noLines')}</td></tr> : basketLines.map((b, i) => {
                const l = b.line;
                                return (
                  <tr key={`${l.article}-${i}`} data-testid="line-row" ref={i === basketLines.length - 1 ? linesEnd : undefined}>
                    <td className="line-no">{i + 1}</td>
                    <td className="line-name">{l.name}</td>
                    <td className="num">{b.weighed ? `${b.qtyText} ${t('sale.kg')} × ${b.priceText}/${t('sale.kg')}` : `${b.qtyText} ${unit(l.measure ?? 'PIECE')} × ${b.priceText}`}</td>
                    <td className="line-tax">{taxLabel(l.tax, lang)}</td>
                    <td className="num">{formatKop(lineTotalKop(l.priceKop, l.quantity, l.discountKop ?? 0))}</td>
                    <td><button type="button" className="btn btn-plain small" tabIndex={-1} disabled={!editable} onClick={() => setBasketLines((ls) => ls.filter((x) => x !== b))} aria-label={t('sale.removeLine')}>×</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div className="total" data-testid="total">
          {basketLines.length > 0 ? <span className="muted total-count">{t('sale.linesCount')}: {basketLines.length}</span> : null}
          {t('sale.total')}: {formatKop(amountKop ?? 0)}
        </div>
      </section>

      <section className="panel pay-panel">
        <div className={`card-box ${card ? (card.payReady ? 'pay' : 'no-pay') : 'empty'}`} data-testid="card" data-pay-ready={card ? String(card.payReady) : undefined}>
          <div className="label">{t('sale.card')}</div>
          {card ? (
            <>
              <div className="card-id" data-testid="card-loyalty">{card.provider ? (lang === 'en' ? 'Payment code' : 'Код оплаты') : t('sale.loyalty')}: {card.loyaltyId}</div>
              <div className="card-kp" data-testid="card-kp" data-available={tokenAvailable === null ? 'unknown' : String(tokenAvailable)}>
                {cardLine}
              </div>
            </>
          ) : (
            <>
              <div className="scan-prompt">{t('sale.scanPrompt')}</div>
              {/* While a payment runs no scan is taken: the panel keeps its room for the payment (a QR). */}
              {busy ? null : cameraOpen ? <CameraView onCode={onCameraCode} onClose={() => setCameraOpen(false)} /> : (
                <>
                  <form className="manual" onSubmit={(e) => void submitManual(e)}>
                    <input data-testid="manual-code" placeholder={t('sale.manual')} value={manualCode} disabled={busy} onChange={(e) => setManualCode(e.target.value)} />
                    <button type="submit" className="btn btn-plain" disabled={busy}>{t('sale.manualApply')}</button>
                  </form>
                  <div className="scan-alt">
                    <KeyButton k="F12" onPress={() => setCameraOpen(true)} disabled={busy || reading} testId="camera-open">{t('sale.camera')}</KeyButton>
                    <span className="drop-note" data-testid="drop-note">{t('sale.dropHint')}</span>
                  </div>
                </>
              )}
            </>
          )}
          {card && phase.kind === 'edit' ? <SaleSavedCards customerId={card.loyaltyId} canPay={!!amountKop && amountKop > 0} onPay={(c) => void pay(savedCardTender(c))} /> : null}
          {reading ? <div className="scan-reading" data-testid="image-reading">{t('sale.imageReading')}</div> : null}
          {notice ? <div className="scan-notice" role="status" data-testid="scan-notice" data-error-key={notice.key}>{notice[lang]}</div> : null}
        </div>

        <div className={`next${largeAsk && phase.kind === 'edit' ? ' warn' : ''}`} data-testid="next-step">{next}</div>
        {lost && lostOrder !== null ? (
          <div className="core-lost" role="alert" data-testid="core-lost">{t('sale.coreLost')}</div>
        ) : null}
        {recovery ? <div className="recovery" role="status" data-testid="recovery">{recovery}</div> : null}
        {adminCalled ? (
          <div className="admin-called" role="status" data-testid="admin-called">
            {t('sale.adminCalled')}
            <button type="button" className="btn btn-plain small" onClick={() => {
              setAdminCalled(false);
              void api.call('admin.answer', {}).catch(() => undefined);
            }}>{t('sale.adminCame')}</button>
          </div>
        ) : null}

        {phase.kind === 'choose' ? (
          <div className="methods" data-testid="methods">
            <div className="label">{t('sale.choose')}</div>
            <MethodList choices={choices} onPick={(tender) => void pay(tender)} />
            <KeyButton k="F8" onPress={() => setPhase({ kind: 'other' })} testId="method-other">{t('sale.otherMethod')}</KeyButton>
          </div>
        ) : null}

        {phase.kind === 'unchecked' ? (
          <div className="methods" data-testid="unchecked" data-error-key={phase.error.key}>
            <p className="error-text" role="alert">{lang === 'en' ? phase.error.en : phase.error.ru}</p>
            <KeyButton k="Enter" variant="primary" onPress={() => void checkAvailability()} testId="unchecked-retry" autoFocus>{t('sale.unchecked.retry')}</KeyButton>
            {choices.length > 0 ? (
              <>
                <div className="label">{t('sale.unchecked.direct')}</div>
                <MethodList choices={choices} onPick={(tender) => void pay(tender)} />
              </>
            ) : null}
            <KeyButton k="F8" onPress={() => setPhase({ kind: 'other' })} testId="unchecked-other">{t('sale.otherMethod')}</KeyButton>
          </div>
        ) : null}

        {phase.kind === 'paying' && !lost ? (
          <PaymentProgress operation={phase.operation} elapsedMs={elapsedMs} cancelling={phase.cancelling} onCancel={() => void cancel()} onPark={() => void park()} />
        ) : null}

        {phase.kind === 'done' ? (
          <div className="result ok" data-testid="result">
            <div className="result-title" data-testid="result-title">✔ {t('sale.paid')} · {formatSeconds(elapsedMs)} {t('common.sec')}</div>
            <div className="label">{t('sale.slip')}</div>
            <SlipView operation={phase.operation} />
            <ReceiptLine operation={phase.operation} />
            {phase.operation.extraChargeable ? <ExtraChargePanel key={phase.operation.id} sale={phase.operation} onBusy={setExtraBusy} /> : null}
          </div>
        ) : null}

        {phase.kind === 'failed' ? (
          <ErrorPanel error={phase.error} onAction={onErrorAction}
            context={{ operationId: phase.operation?.id, requestId: phase.operation?.requestId, orderId: phase.operation?.orderId, phase: phase.operation?.phase }} />
        ) : null}
        {/* A declined or cancelled payment may still have a slip (a terminal prints one): keep it on screen. */}
        {phase.kind === 'failed' && phase.operation?.slip ? (
          <div className="result" data-testid="failed-slip">
            <div className="label">{t('sale.slip')}</div>
            <SlipView operation={phase.operation} />
          </div>
        ) : null}

        <div className="actions">
          {phase.kind === 'unchecked'
            ? <KeyButton k="F9" variant="primary" disabled={!uncheckedDefault || tokenState !== 'fresh'} testId="pay-unchecked"
              onPress={() => { if (uncheckedDefault) void pay({ provider: uncheckedDefault.provider, method: uncheckedDefault.method, needsCardScan: true }); }}>
              {t('sale.unchecked.payAnyway')}{uncheckedDefault ? ` — ${uncheckedDefault.titleRu}` : ''}
            </KeyButton>
            : <KeyButton k="F9" variant="primary" onPress={() => void startPayment()} disabled={!canPay} testId="pay">{t('sale.pay')}</KeyButton>}
          <KeyButton k="F10" onPress={newSale} disabled={busy} testId="new-sale">{t('sale.new')}</KeyButton>
          {extraRunning ? <span className="muted" role="status" data-testid="new-sale-blocked">{EXTRA_BUSY_HINT[lang === 'en' ? 'en' : 'ru']}</span> : null}
        </div>
      </section>
    </div>
  );
}
