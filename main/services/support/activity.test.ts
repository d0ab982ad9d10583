// A background scan waits while the person is asking for things, and goes on once they stop.
import { describe, expect, it } from 'vitest';
import { Activity } from './activity';

describe('Activity', () => {
  it('is quiet at once when nothing was asked for, and waits out a burst of requests', async () => {
    const a = new Activity();
    let t = performance.now();
    await a.quiet(200);
    expect(performance.now() - t).toBeLessThan(50);
    a.touch();
    expect(a.busy(200)).toBe(true);
    const burst = setInterval(() => a.touch(), 30);
    setTimeout(() => clearInterval(burst), 300);
    t = performance.now();
    await a.quiet(100);

    expect(performance.now() - t).toBeGreaterThanOrEqual(330); // the last touch at 270 ms or later, then 100 ms of quiet
    expect(a.busy(100)).toBe(false);
  });

  it('stops waiting when the job is cancelled', async () => {
    const a = new Activity();
    const c = new AbortController();
    const burst = setInterval(() => a.touch(), 20);
    setTimeout(() => c.abort(), 100);
    const t = performance.now();
    await a.quiet(200, c.signal);
    clearInterval(burst);
    expect(performance.now() - t).toBeLessThan(400);
  });
});
