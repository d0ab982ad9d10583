// While the grid scrolls, main hears of it (at most four times a second), so background scans (the
// statistics of a first open) wait instead of taking the cores the page needs to draw: a fling asks
// for no images until it settles, so main would otherwise think nobody is there.
import { useEffect, type RefObject } from 'react';
import { api } from '../api/client';

const EVERY_MS = 250;

export function useScrollActivity(ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let last = 0;
    const onScroll = () => {
      const now = performance.now();
      if (now - last < EVERY_MS) return;
      last = now;
      void api.noteActivity({});
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, [ref]);
}
