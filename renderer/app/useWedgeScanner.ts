// Keyboard-wedge scanner: one global capture listener feeds renderer/scan's WedgeDetector; a
// completed burst goes to the core (scan.wedge) for the same checks as a serial scan. The terminator
// of a scan is swallowed (Enter must not press Pay); text a burst left in a focused field is removed.
import { useEffect, useRef } from 'react';
import type { PaydeskApi, ScanResultView, ScannerStateView } from '../../main/contract/api';
import { removeScanFromValue, WedgeDetector, type WedgeScan } from '../scan';
import { asCashierError } from '../api/client';

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable;
}

/** Take the scanned characters back out of the field they were typed into (React-controlled inputs too). */
function cleanField(scan: WedgeScan): void {
  const el = document.activeElement;
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return;
  const next = removeScanFromValue(el.value, scan, el.selectionStart ?? el.value.length);
  if (next === el.value) return;
  const proto = el instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, next);
  el.dispatchEvent(new Event('input', { bubbles: true }));
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
    const submit = (scan: WedgeScan): void => {
      if (scan.inEditable) cleanField(scan);
      api.call('scan.wedge', { code: scan.code, interKeyMs: scan.meanGapMs })
        .then((result) => onScanRef.current(result))
        .catch((error: unknown) => onErrorRef.current?.(asCashierError(error)));
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      const deadline = detector.current.nextDeadline();
      if (deadline === null) return;
      timer = setTimeout(() => {
        const scan = detector.current.tick(performance.now());
        if (scan) submit(scan);
      }, Math.max(0, deadline - performance.now()) + 1);
    };
    const onKey = (event: KeyboardEvent): void => {
      const decision = detector.current.feed({
        type: event.type === 'keyup' ? 'keyup' : 'keydown', code: event.code, shiftKey: event.shiftKey, ctrlKey: event.ctrlKey,
        altKey: event.altKey, metaKey: event.metaKey, capsLock: event.getModifierState('CapsLock'),
        timeStamp: event.timeStamp, editable: isEditable(event.target), repeat: event.repeat,
      });
      if (decision.preventDefault) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
      if (decision.scan) submit(decision.scan);
      else arm();
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
