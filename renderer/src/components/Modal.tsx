// The shell every dialog shares: a backdrop, a labelled dialog, Escape to close (unless closing is
// not allowed right now, e.g. while a write runs). Keyboard: focus moves into the dialog, Tab and
// Shift+Tab go round inside it (never to the page behind), and when it closes focus goes back to
// what had it before (the button that opened it), unless the closing action put focus somewhere.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

interface Props {
  title: ReactNode;
  testId: string;
  onClose(): void;
  /** False while the dialog must stay open (Escape does nothing). */
  canClose?: boolean;
  wide?: boolean;
  children: ReactNode;
}

const TABBABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** What Tab can reach inside the box, in order: enabled, shown, not taken out of the tab order. */
export function tabbables(box: HTMLElement): HTMLElement[] {
  return [...box.querySelectorAll<HTMLElement>(TABBABLE)].filter((el) => el.tabIndex >= 0 && el.getClientRects().length > 0 && !el.closest('[inert]'));
}

export function Modal({ title, testId, onClose, canClose = true, wide = false, children }: Props) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  // Who had focus before the dialog: read while first rendering, before a field inside it (autoFocus)
  // takes focus as the dialog mounts.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  // Keys reach the dialog from the start: focus moves into it unless a field there took it already
  // (without this, Escape did nothing in dialogs that have no field to focus).
  useEffect(() => {
    if (box.current && !box.current.contains(document.activeElement)) box.current.focus();
    return () => {
      // The dialog's nodes are gone: focus fell to the page body unless the close moved it on purpose.
      const lost = !document.activeElement || document.activeElement === document.body;
      if (lost && opener?.isConnected) opener.focus();
    };
  }, [opener]);
  // A focused control that goes away (a button replaced when a job finishes) drops focus to the
  // page body, where the dialog's keys no longer arrive: Escape still closes it, and focus that
  // lands outside the dialog comes back in.
  const closeRef = useRef({ canClose, onClose });
  closeRef.current = { canClose, onClose };
  useEffect(() => {
    const onDocKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && document.activeElement === document.body && closeRef.current.canClose && !e.defaultPrevented) {
        e.preventDefault();
        closeRef.current.onClose();
      }
    };
    const onFocusIn = (e: FocusEvent) => {
      const el = box.current;
      if (el && e.target instanceof Node && !el.contains(e.target) && !(e.target instanceof Element && e.target.closest('[role=dialog]'))) el.focus();
    };
    document.addEventListener('keydown', onDocKey);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      document.removeEventListener('keydown', onDocKey);
      document.removeEventListener('focusin', onFocusIn);
    };
  }, []);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.defaultPrevented) return; // a dialog inside this one (or a field) handled it
    if (e.key === 'Escape' && canClose) {
      e.preventDefault();
      return onClose();
    }
    if (e.key !== 'Tab' || !box.current) return;
    const stops = tabbables(box.current);
    if (!stops.length) return e.preventDefault();
    const first = stops[0] as HTMLElement;
    const last = stops[stops.length - 1] as HTMLElement;
    const at = document.activeElement;
    if (e.shiftKey && (at === first || at === box.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && at === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <div className="modal-backdrop" onKeyDown={onKeyDown}>
      <div ref={box} tabIndex={-1} className={wide ? 'modal wide' : 'modal'} role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testId}>
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}
