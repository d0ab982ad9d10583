// Keys that work anywhere in the window: Ctrl/Cmd+O opens a dataset, Alt+Left/Right walk the view
// history (the desktop window has no browser chrome), / focuses caption search, ? lists the keys.
import { useEffect, useRef } from 'react';

export function useShortcuts(actions: { open(): void; keys(): void }): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        ref.current.open();
      } else if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
        e.preventDefault();
        if (e.key === 'ArrowLeft') history.back();
        else history.forward();
      } else if (e.key === '?' && !isTextField(e.target)) {
        e.preventDefault();
        ref.current.keys();
      } else if (e.key === '/' && !(e.target instanceof HTMLInputElement) && !(e.target instanceof HTMLSelectElement)) {
        const search = document.querySelector<HTMLInputElement>('[data-testid="search-input"]');
        if (search) {
          e.preventDefault();
          search.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

const isTextField = (t: EventTarget | null) => t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;
