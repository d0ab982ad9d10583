// Rows of a fixed height over a scroll element, virtualized by TanStack Virtual through the scaled
// scroller (scaled-scroll.ts: a million rows are taller than a browser lets an element be), and the
// element's size as it is resized. The grid (rows of tiles) and the table (rows of cells) both use it.
import { useEffect, useLayoutEffect, useState, type RefObject } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ScaledScroller, observeRealRect } from '../components/scaled-scroll';

export function useElementSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

export function useScaledRows(ref: RefObject<HTMLDivElement | null>, count: number, rowHeight: number, opts: { overscan: number; paddingStart?: number }) {
  const [scroller] = useState(() => new ScaledScroller());
  scroller.el = ref.current;
  scroller.virtualTotal = count * rowHeight;
  const virtualizer = useVirtualizer({
    count,
    // The virtualizer sees a stand-in that maps virtual pixels onto the capped real element.
    getScrollElement: () => {
      scroller.el = ref.current;
      return scroller.el ? (scroller as unknown as HTMLDivElement) : null;
    },
    estimateSize: () => rowHeight,
    overscan: opts.overscan,
    observeElementRect: observeRealRect(scroller),
    ...(opts.paddingStart ? { scrollPaddingStart: opts.paddingStart } : {}),
  });
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);
  // The virtualizer's offsets are virtual; rendered rows are shifted back into the real (capped) spacer.
  const shift = scroller.scrollTop - (ref.current?.scrollTop ?? 0);
  return { virtualizer, scroller, shift };
}
