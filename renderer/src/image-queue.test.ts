import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImageQueue } from './image-queue';

/** A fetch whose answers the test releases one by one. */
function fakeFetch() {
  const calls: Array<{ src: string; signal: AbortSignal; answer(r: Response): void }> = [];
  const fetcher = (src: string, init: { signal: AbortSignal }) =>
    new Promise<Response>((resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      calls.push({ src, signal: init.signal, answer: resolve });
    });
  return { calls, fetcher };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x' }));
});
afterEach(() => vi.useRealTimers());

describe('the image queue', () => {
  it('never sends a request for a tile that left before it settled', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 60, 6);
    const asks = Array.from({ length: 500 }, (_, i) => q.ask(`image/d/${i}`));
    await vi.advanceTimersByTimeAsync(30);
    asks.forEach((a) => a.cancel());
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toHaveLength(0);
  });

  it('runs a few at once, newest first, and aborts the ones whose tile left', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 60, 6);
    const asks = Array.from({ length: 20 }, (_, i) => q.ask(`image/d/${i}`));
    for (const a of asks) a.done.catch(() => {});
    await vi.advanceTimersByTimeAsync(61);
    expect(calls.map((c) => c.src)).toEqual([19, 18, 17, 16, 15, 14].map((i) => `image/d/${i}`));
    expect(q.queued).toBe(14);
    asks[19]!.cancel(); // in flight: aborted
    expect(calls[0]!.signal.aborted).toBe(true);
    asks[5]!.cancel(); // queued: removed, never sent
    expect(q.queued).toBe(13);
    await vi.advanceTimersByTimeAsync(0);
    calls[1]!.answer(new Response(new Blob(['jpeg']), { status: 200 }));
    await expect(asks[18]!.done).resolves.toEqual({ url: 'blob:x' });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.length).toBe(8); // two slots freed (one aborted, one answered), the next newest went
    expect(calls.slice(6).map((c) => c.src)).toEqual(['image/d/13', 'image/d/12']);
    expect(calls.some((c) => c.src === 'image/d/5')).toBe(false);
  });

  it('gives the route\'s refusal as the tile\'s message', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 0, 6);
    const a = q.ask('image/d/1');
    await vi.advanceTimersByTimeAsync(1);
    calls[0]!.answer(new Response('Row 1 claims 20,000 x 20,000 pixels, over the limit of 4,096 x 4,096', { status: 422 }));
    await expect(a.done).resolves.toMatchObject({ error: { tooLarge: true, size: '20,000 x 20,000' } });
  });
});
