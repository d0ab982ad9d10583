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

  it('runs a few at once in reading order, and aborts the ones whose tile left', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 60, 6);
    const asks = Array.from({ length: 20 }, (_, i) => q.ask(`image/d/${i}`));
    for (const a of asks) a.done.catch(() => {});
    await vi.advanceTimersByTimeAsync(61);
    expect(calls.map((c) => c.src)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `image/d/${i}`));
    expect(q.queued).toBe(14);
    asks[0]!.cancel(); // in flight: aborted
    expect(calls[0]!.signal.aborted).toBe(true);
    asks[6]!.cancel(); // queued: removed, never sent
    expect(q.queued).toBe(13);
    await vi.advanceTimersByTimeAsync(0);
    calls[1]!.answer(new Response(new Blob(['jpeg']), { status: 200 }));
    await expect(asks[1]!.done).resolves.toEqual({ url: 'blob:x' });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.length).toBe(8); // two slots freed (one aborted, one answered), the next in order went
    expect(calls.slice(6).map((c) => c.src)).toEqual(['image/d/7', 'image/d/8']);
    expect(calls.some((c) => c.src === 'image/d/6')).toBe(false);
  });

  it('serves the tiles in view first, in reading order, then the overscan nearest first, against the view as it is now', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 60, 2);
    q.setView(10, 13); // tiles 10-13 in view, 6-9 above and 14-17 below are overscan
    const asks = [17, 6, 14, 11, 9, 13, 10, 12, 15, 7, 16, 8].map((index) => q.ask(`image/d/${index}`, { index }));
    for (const a of asks) a.done.catch(() => {});
    await vi.advanceTimersByTimeAsync(61);
    let answered = 0;
    const answerNext = async () => {
      calls[answered++]!.answer(new Response(new Blob(['jpeg']), { status: 200 })); // a slot frees, the next goes
      await vi.advanceTimersByTimeAsync(0);
    };
    for (let i = 0; i < 4; i++) await answerNext();
    const sent = () => calls.map((c) => Number(c.src.split('/').pop()));
    expect(sent()).toEqual([10, 11, 12, 13, 9, 14]); // in view in order; then the rows next to it
    // The person scrolled on: the view is now 16-19; the waiting tiles are ranked against it.
    q.setView(16, 19);
    for (let i = 0; i < 2; i++) await answerNext();
    expect(sent().slice(6)).toEqual([16, 17]);
  });

  it('counts the settle from when the tile appeared: a row arriving late does not wait again', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 60, 6);
    const shownAt = performance.now();
    await vi.advanceTimersByTimeAsync(50); // the tile waited 50 ms for its row
    q.ask('image/d/1', { index: 1, shownAt }).done.catch(() => {});
    await vi.advanceTimersByTimeAsync(11);
    expect(calls).toHaveLength(1);
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
