// Browsers cap an element's height (Chromium near 33.5M px, Firefox near 17.9M px), and a million rows
// of tiles is taller than that. Above MAX_PHYSICAL the spacer is capped, and the virtualizer is given a
// stand-in scroll element whose scrollTop, scrollHeight and scrollTo speak in virtual pixels, mapped
// linearly onto the real element. TanStack Virtual reads and writes its scroll element directly, so the
// mapping has to live in the element it sees, not in its offset callbacks.
import type { Virtualizer } from '@tanstack/react-virtual';

// A lower cap can be set in localStorage ("lx.maxScrollPx") so tests exercise the scaled path on
// 100k rows instead of needing a multi-gigabyte table.
export const MAX_PHYSICAL = Number(globalThis.localStorage?.getItem('lx.maxScrollPx')) || 8_000_000;

export class ScaledScroller {
  el: HTMLDivElement | null = null;
  virtualTotal = 0;
  private lastWrite: { physical: number; virtual: number } | null = null;

  get physicalTotal(): number {
    return Math.min(this.virtualTotal, MAX_PHYSICAL);
  }

  /** Virtual pixels per physical pixel of scrolling (1 below the cap). */
  get scale(): number {
    const viewport = this.clientHeight;
    const physical = this.physicalTotal;
    if (this.virtualTotal <= physical || physical <= viewport) return 1;
    return (this.virtualTotal - viewport) / (physical - viewport);
  }

  get scrollTop(): number {
    const physical = this.el?.scrollTop ?? 0;
    // Read back exactly what was written: rounding to device pixels times the scale would otherwise
    // keep the virtualizer correcting a position it already reached.
    if (this.lastWrite && Math.abs(this.lastWrite.physical - physical) < 1) return this.lastWrite.virtual;
    return physical * this.scale;
  }

  set scrollTop(virtual: number) {
    this.scrollTo({ top: virtual });
  }

  get scrollHeight(): number {
    const viewport = this.clientHeight;
    return Math.max(viewport, ((this.el?.scrollHeight ?? 0) - viewport) * this.scale + viewport);
  }

  get clientHeight(): number {
    return this.el?.clientHeight ?? 0;
  }

  get clientWidth(): number {
    return this.el?.clientWidth ?? 0;
  }

  get scrollLeft(): number {
    return 0;
  }

  get ownerDocument(): Document {
    return this.el?.ownerDocument ?? document;
  }

  scrollTo(opts: ScrollToOptions): void {
    if (!this.el || opts.top === undefined) return;
    const physical = opts.top / this.scale;
    this.lastWrite = { physical: Math.round(physical), virtual: opts.top };
    this.el.scrollTo({ top: physical, behavior: opts.behavior ?? 'auto' });
  }

  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: AddEventListenerOptions): void {
    if (type === 'scroll' || type === 'scrollend') {
      // A scroll the user made invalidates the exact read-back of our last write.
      const el = this.el;
      const wrapped = listener as EventListener;
      const onScroll = (e: Event) => {
        if (this.lastWrite && el && Math.abs(this.lastWrite.physical - el.scrollTop) >= 1) this.lastWrite = null;
        wrapped(e);
      };
      this.listeners.set(listener, onScroll);
      el?.addEventListener(type, onScroll, options);
    } else this.el?.addEventListener(type, listener, options);
  }

  removeEventListener(type: string, listener: EventListenerOrEventListenerObject): void {
    const wrapped = this.listeners.get(listener);
    this.el?.removeEventListener(type, wrapped ?? listener);
  }

  getBoundingClientRect(): DOMRect {
    return this.el?.getBoundingClientRect() ?? new DOMRect();
  }

  private readonly listeners = new Map<EventListenerOrEventListenerObject, EventListener>();
}

/** observeElementRect for the stand-in: size comes from the real element's ResizeObserver. */
export function observeRealRect(scroller: ScaledScroller) {
  return (_instance: Virtualizer<HTMLDivElement, Element>, cb: (rect: { width: number; height: number }) => void) => {
    const el = scroller.el;
    if (!el) return;
    cb({ width: el.clientWidth, height: el.clientHeight });
    const ro = new ResizeObserver(() => cb({ width: el.clientWidth, height: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  };
}
