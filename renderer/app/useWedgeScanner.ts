// Keyboard-wedge scanner: one global capture-phase listener feeds renderer/scan's WedgeDetector; a
// completed burst goes to the core (scan.wedge) for the same checks as a serial scan. Keys of a burst
// are held back (preventDefault), the terminator of a scan is swallowed (Enter must not press Pay), and
// the focused field gets back exactly the value it had before the burst, whatever the keyboard layout.
import { useEffect, useRef } from 'react';
import type { PaydeskApi, ScanResultView, ScannerStateView } from '../../main/contract/api';
import { removeScanFromValue, WedgeDetector, type WedgeDecision, type WedgeScan } from '../scan';
import { asCashierError } from '../api/client';

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable;
}

type TextField = HTMLInputElement | HTMLTextAreaElement;

function textField(el: Element | null): TextField | null {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? el : null;
}

/** A field's value and caret before a burst's first key landed in it. */
type Snapshot =
  | { kind: 'text'; el: TextField; value: string; start: number | null }
  // a <select> jumps to the option the first key names (type-ahead): put the cashier's choice back
  | { kind: 'select'; el: HTMLSelectElement; value: string };

function snapshotOf(el: Element | null): Snapshot | null {
  const field = textField(el);
  if (field) return { kind: 'text', el: field, value: field.value, start: field.selectionStart };
  return el instanceof HTMLSelectElement ? { kind: 'select', el, value: el.value } : null;
}

/** Sets a (React-controlled) field's value the way typing would, so its onChange sees it. */
function setFieldValue(el: TextField, value: string, caret: number | null): void {
  const proto = el instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
  if (caret !== null) {
    try { el.setSelectionRange(caret, caret); } catch { /* types without a caret */ }
  }
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Held-back characters of a burst that was typing after all: put them where the keys would have gone. */
function insertText(text: string): void {
  const el = textField(document.activeElement);
  if (!el || el.readOnly || el.disabled) return;
  const start = el.selectionStart ?? el.value.length;
  const end = el.selectionEnd ?? start;
  setFieldValue(el, el.value.slice(0, start) + text + el.value.slice(end), start + text.length);
}

/** The scan is complete: the field gets back exactly what it held before the burst. */
function restoreField(snapshot: Snapshot | null, scan: WedgeScan): void {
  if (snapshot?.kind === 'select' && snapshot.el.isConnected) {
    if (snapshot.el.value !== snapshot.value) {
      Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')?.set?.call(snapshot.el, snapshot.value);
      snapshot.el.dispatchEvent(new Event('change', { bubbles: true }));
    }
    return;
  }
  if (snapshot?.kind === 'text' && snapshot.el.isConnected) {
    if (snapshot.el.value !== snapshot.value) setFieldValue(snapshot.el, snapshot.value, snapshot.start);
    return;
  }
  // No copy (focus moved mid-burst): take the scanned text back out where it can be found.
  const el = textField(document.activeElement);
  if (!el) return;
  const next = removeScanFromValue(el.value, scan, el.selectionStart ?? el.value.length);
  if (next !== el.value) setFieldValue(el, next, null);
}

export function useWedgeScanner(api: PaydeskApi, config: ScannerStateView['wedge'] | null, onScan: (result: ScanResultView) => void, onError?: (error: ReturnType<typeof asCashierError>) => void): void {
  const detector = useRef(new WedgeDetector());
  const onScanRef = useRef(onScan);
  onScanRef.current = onScan;
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;

  useEffect(() => {
    if (config) detector.current.configure(config);
  }, [config]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let snapshot: Snapshot | null = null;
    const submit = (scan: WedgeScan): void => {
      if (scan.inEditable) restoreField(snapshot, scan);
      snapshot = null;
      // `suspect`: the core answers a misread of half a scan with "scan again", never "not the store's card".
      api.call('scan.wedge', { code: scan.code, interKeyMs: scan.meanGapMs, suspect: scan.suspect })
        .then((result) => {
          if (result.scan.parsed.ok) detector.current.learn(scan);
          onScanRef.current(result);
        })
        .catch((error: unknown) => onErrorRef.current?.(asCashierError(error)));
    };
    const act = (decision: WedgeDecision): void => {
      if (decision.release) insertText(decision.release);
      if (decision.scan) submit(decision.scan);
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      const deadline = detector.current.nextDeadline();
      if (deadline === null) return;
      timer = setTimeout(() => {
        timer = null;
        act(detector.current.tick(performance.now()));
        arm();
      }, Math.max(0, deadline - performance.now()) + 1);
    };
    const onKey = (event: KeyboardEvent): void => {
      const decision = detector.current.feed({
        type: event.type === 'keyup' ? 'keyup' : 'keydown', code: event.code, key: event.key, shiftKey: event.shiftKey, ctrlKey: event.ctrlKey,
        altKey: event.altKey, metaKey: event.metaKey, capsLock: event.getModifierState('CapsLock'),
        timeStamp: event.timeStamp, editable: isEditable(event.target), repeat: event.repeat,
      });
      if (decision.burstStart) snapshot = snapshotOf(document.activeElement);
      if (decision.preventDefault) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
      act(decision);
      arm();
    };
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('keyup', onKey, true);
    return () => {
      if (timer) clearTimeout(timer);
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('keyup', onKey, true);
    };
  }, [api]);
}
