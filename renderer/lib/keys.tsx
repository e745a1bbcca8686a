// Keyboard first: every action has a key, shown on its button. F-keys are global (they work while a
// field has focus); the browser's own meaning of F1–F12 (help, find, reload…) is suppressed.
import { useEffect, useRef, type ReactNode } from 'react';

function editable(el: HTMLElement): boolean {
  if (el.isContentEditable) return true;
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return !el.disabled && !el.readOnly;
  return el instanceof HTMLSelectElement && !el.disabled;
}

export function useKey(key: string | null, handler: () => void, enabled = true): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!key || !enabled) return undefined;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== key || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target as HTMLElement | null;
      // Enter on a focused button is the button's own click; Enter in a field belongs to the field's form.
      if (key === 'Enter' && target && (target.tagName === 'BUTTON' || target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'SUMMARY')) return;
      // A character key (a method's number) typed into a field is the field's text, never a command.
      // (A field disabled while it had focus keeps it in Chromium: it takes no text, so the key is a command.)
      if (key.length === 1 && target && editable(target)) return;
      event.preventDefault();
      ref.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [key, enabled]);
}

/** Suppress browser defaults for F-keys nobody handles (F5 would reload the till). */
export function useSuppressBrowserKeys(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (/^F\d{1,2}$/.test(event.key) || (event.ctrlKey && ['r', 'R', 'p', 'P', 'f', 'F', 's', 'S'].includes(event.key))) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

const KEY_LABEL: Record<string, string> = { Escape: 'Esc', Enter: 'Enter', PageUp: 'PgUp', PageDown: 'PgDn' };

export interface KeyButtonProps {
  k: string | null;
  /** A second key for the same press (shown after the first), e.g. F6 besides a method's number. */
  also?: string | null;
  onPress: () => void;
  disabled?: boolean;
  variant?: 'primary' | 'danger' | 'plain' | 'nav';
  active?: boolean;
  testId?: string;
  autoFocus?: boolean;
  children: ReactNode;
}

export function KeyButton({ k, also = null, onPress, disabled = false, variant = 'plain', active = false, testId, autoFocus = false, children }: KeyButtonProps): ReactNode {
  useKey(k, onPress, !disabled);
  useKey(also, onPress, !disabled);
  return (
    <button type="button" className={`btn btn-${variant}${active ? ' active' : ''}`} disabled={disabled} onClick={onPress} data-testid={testId} data-key={k ?? undefined} autoFocus={autoFocus}>
      {k ? <kbd>{KEY_LABEL[k] ?? k}</kbd> : null}
      {also ? <kbd>{KEY_LABEL[also] ?? also}</kbd> : null}
      <span>{children}</span>
    </button>
  );
}
