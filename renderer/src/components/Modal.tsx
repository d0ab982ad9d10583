// The shell every dialog shares: a backdrop, a labelled dialog, Escape to close (unless closing is
// not allowed right now, e.g. while a write runs).
import { useEffect, useId, useRef, type ReactNode } from 'react';

interface Props {
  title: ReactNode;
  testId: string;
  onClose(): void;
  /** False while the dialog must stay open (Escape does nothing). */
  canClose?: boolean;
  wide?: boolean;
  children: ReactNode;
}

export function Modal({ title, testId, onClose, canClose = true, wide = false, children }: Props) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  // Keys reach the dialog from the start: focus moves into it unless a field there took it already
  // (without this, Escape did nothing in dialogs that have no field to focus).
  useEffect(() => {
    if (box.current && !box.current.contains(document.activeElement)) box.current.focus();
  }, []);
  return (
    <div className="modal-backdrop" onKeyDown={(e) => e.key === 'Escape' && canClose && onClose()}>
      <div ref={box} tabIndex={-1} className={wide ? 'modal wide' : 'modal'} role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testId}>
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  );
}
