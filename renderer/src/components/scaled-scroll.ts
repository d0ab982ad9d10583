// Browsers cap an element's height (Chromium near 33.5M px, Firefox near 17.9M px), and a million rows
// of tiles is taller than that. Above MAX_PHYSICAL the scroll spacer is capped and scroll positions are
// mapped linearly between the physical scrollbar and the virtualizer's (virtual) offsets.
import type { Virtualizer } from '@tanstack/react-virtual';

export const MAX_PHYSICAL = 8_000_000;

export function scrollScale(virtualTotal: number, viewport: number): number {
  const physical = Math.min(virtualTotal, MAX_PHYSICAL);
  if (virtualTotal <= physical || physical <= viewport) return 1;
  return (virtualTotal - viewport) / (physical - viewport);
}

/** observeElementOffset for useVirtualizer: reports virtual offsets from the physical scrollTop. */
export function observeScaledOffset(getScale: () => number) {
  return (instance: Virtualizer<HTMLDivElement, Element>, cb: (offset: number, isScrolling: boolean) => void) => {
    const el = instance.scrollElement;
    if (!el) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const report = (scrolling: boolean) => cb(el.scrollTop * getScale(), scrolling);
    const onScroll = () => {
      report(true);
      clearTimeout(timer);
      timer = setTimeout(() => report(false), 150);
    };
    report(false);
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      clearTimeout(timer);
      el.removeEventListener('scroll', onScroll);
    };
  };
}

/** scrollToFn for useVirtualizer: converts a virtual offset back to the physical scrollTop. */
export function scrollToScaled(getScale: () => number) {
  return (offset: number, options: { adjustments?: number; behavior?: ScrollBehavior }, instance: Virtualizer<HTMLDivElement, Element>) => {
    const top = (offset + (options.adjustments ?? 0)) / getScale();
    instance.scrollElement?.scrollTo({ top, behavior: options.behavior ?? 'auto' });
  };
}
