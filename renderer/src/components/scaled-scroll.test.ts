import { describe, expect, it } from 'vitest';
import { MAX_PHYSICAL, ScaledScroller } from './scaled-scroll';

/** A scroll element as the browser presents it: a capped height and a clamped scrollTop. */
function fakeElement(height: number, viewport: number) {
  const el = {
    scrollTop: 0,
    scrollHeight: height,
    clientHeight: viewport,
    clientWidth: 1000,
    scrollTo({ top }: { top: number }) {
      el.scrollTop = Math.max(0, Math.min(Math.round(top), height - viewport));
    },
    addEventListener() {},
    removeEventListener() {},
  };
  return el;
}

describe('scaled scrolling past the browser height cap', () => {
  it('maps the whole virtual height onto the capped element, both ends exact', () => {
    const s = new ScaledScroller();
    const viewport = 900;
    s.virtualTotal = 200_000_000; // a million rows of tiles is far taller than any browser allows
    const el = fakeElement(s.physicalTotal, viewport);
    s.el = el as unknown as HTMLDivElement;
    expect(s.physicalTotal).toBe(MAX_PHYSICAL);
    expect(s.scale).toBeCloseTo((200_000_000 - viewport) / (MAX_PHYSICAL - viewport), 6);
    expect(s.scrollHeight).toBeCloseTo(200_000_000, -1);
    el.scrollTop = el.scrollHeight - viewport; // the person drags to the very bottom
    expect(s.scrollTop).toBeCloseTo(200_000_000 - viewport, -1);
    el.scrollTop = 0;
    expect(s.scrollTop).toBe(0);
  });

  it('reads back exactly the virtual position it was told to go to (no drift from rounding)', () => {
    const s = new ScaledScroller();
    s.virtualTotal = 200_000_000;
    const el = fakeElement(s.physicalTotal, 900);
    s.el = el as unknown as HTMLDivElement;
    for (const target of [123_456_789, 7, 199_000_001]) {
      s.scrollTo({ top: target });
      expect(s.scrollTop).toBe(target);
    }
    // A scroll the person makes afterwards is read through the scale again.
    el.scrollTop += 500;
    expect(Math.abs(s.scrollTop - (el.scrollTop * s.scale))).toBeLessThan(1);
  });

  it('is the identity below the cap', () => {
    const s = new ScaledScroller();
    s.virtualTotal = 50_000;
    const el = fakeElement(50_000, 900);
    s.el = el as unknown as HTMLDivElement;
    expect(s.scale).toBe(1);
    s.scrollTo({ top: 1234 });
    expect(el.scrollTop).toBe(1234);
    expect(s.scrollTop).toBe(1234);
  });
});
