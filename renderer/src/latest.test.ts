import { describe, expect, it } from 'vitest';
import { latest, latestByKey } from './latest';

describe('stale-reply guard', () => {
  it('lets only the newest request apply its reply, whatever order replies arrive in', () => {
    const g = latest();
    const a = g.next();
    const b = g.next();
    expect(a()).toBe(false);
    expect(b()).toBe(true);
    g.reset();
    expect(b()).toBe(false);
  });

  it('per key: pages do not supersede each other, a newer fetch of the same page does', () => {
    const g = latestByKey<number>();
    const p1 = g.next(1);
    const p2 = g.next(2);
    expect(p1()).toBe(true);
    expect(p2()).toBe(true);
    const p1again = g.next(1);
    expect(p1()).toBe(false);
    expect(p1again()).toBe(true);
    g.reset();
    expect(p2()).toBe(false);
    expect(p1again()).toBe(false);
    expect(g.next(1)()).toBe(true);
  });
});
