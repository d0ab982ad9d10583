import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImageQueue } from './image-queue';
import { encodeImageBatch } from '../../shared/image-batch';

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
    const q = new ImageQueue(fetcher, 60, 6, 1);
    const asks = Array.from({ length: 500 }, (_, i) => q.ask(`image/d/${i}`));
    await vi.advanceTimersByTimeAsync(30);
    asks.forEach((a) => a.cancel());
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toHaveLength(0);
  });

  it('runs a few at once in reading order, and aborts the ones whose tile left', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 60, 6, 1);
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
    const q = new ImageQueue(fetcher, 60, 2, 1);
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
    // A move of more than a screen holds the queue for a settle, then the ranking follows the view.
    q.setView(16, 19);
    for (let i = 0; i < 2; i++) await answerNext();
    expect(sent()).toHaveLength(6);
    await vi.advanceTimersByTimeAsync(60);
    expect(sent().slice(6)).toEqual([16, 17]);
  });

  it('sends nothing while the view races a screen per frame, even for tiles mounted past the settle', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 60, 4, 1);
    const screen = 20;
    const live = new Map<number, { cancel(): void }>();
    // Each 25 ms frame moves a screen; the grid mounts the view and two screens of overscan below it,
    // so a tile stays mounted for three frames (75 ms), past the settle.
    for (let frame = 0; frame < 40; frame++) {
      const first = frame * screen;
      q.setView(first, first + screen - 1);
      for (const [index, ask] of live) if (index < first) (ask.cancel(), live.delete(index));
      for (let index = first; index < first + 3 * screen; index++) {
        if (live.has(index)) continue;
        const ask = q.ask(`image/d/${index}`, { index, shownAt: performance.now() });
        ask.done.catch(() => {});
        live.set(index, ask);
      }
      await vi.advanceTimersByTimeAsync(25);
    }
    expect(calls).toHaveLength(0);
    // It stops: once it has stayed a settle, the view goes first.
    await vi.advanceTimersByTimeAsync(60);
    expect(calls.map((c) => Number(c.src.split('/').pop()))).toEqual([780, 781, 782, 783]);
  });

  it('counts the settle from when the tile appeared: a row arriving late does not wait again', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 60, 6, 1);
    const shownAt = performance.now();
    await vi.advanceTimersByTimeAsync(50); // the tile waited 50 ms for its row
    q.ask('image/d/1', { index: 1, shownAt }).done.catch(() => {});
    await vi.advanceTimersByTimeAsync(11);
    expect(calls).toHaveLength(1);
  });

  it('gives the route\'s refusal as the tile\'s message', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 0, 6, 1);
    const a = q.ask('image/d/1');
    await vi.advanceTimersByTimeAsync(1);
    calls[0]!.answer(new Response('Row 1 claims 20,000 x 20,000 pixels, over the limit of 4,096 x 4,096', { status: 422 }));
    await expect(a.done).resolves.toMatchObject({ error: { tooLarge: true, size: '20,000 x 20,000' } });
  });

  it('asks for the tiles nearest the view in a few shared requests, and a tile that left does not cancel the others', async () => {
    const { calls, fetcher } = fakeFetch();
    const q = new ImageQueue(fetcher, 60, 2, 4);
    q.setView(0, 5);
    const asks = Array.from({ length: 10 }, (_, i) => q.ask(`base/image/d1/${i}`, { index: i }));
    for (const a of asks) a.done.catch(() => {});
    await vi.advanceTimersByTimeAsync(61);
    expect(calls.map((c) => c.src)).toEqual(['base/images/d1?rows=0,1,2,3', 'base/images/d1?rows=4,5,6,7']);
    asks[1]!.cancel(); // one tile of the first request left: the request goes on for the others
    expect(calls[0]!.signal.aborted).toBe(false);
    const jpeg = (n: number) => new Uint8Array([0xff, 0xd8, 0xff, n]);
    calls[0]!.answer(new Response(encodeImageBatch([
      { rowId: '0', mime: 'image/jpeg', bytes: jpeg(0) },
      { rowId: '1', mime: 'image/jpeg', bytes: jpeg(1) },
      { rowId: '2', error: { code: 'NOT_AN_IMAGE', message: 'Row 2 claims 20,000 x 20,000 pixels, over the limit' } },
      { rowId: '3', mime: 'image/jpeg', bytes: jpeg(3) },
    ]) as Uint8Array<ArrayBuffer>));
    await expect(asks[0]!.done).resolves.toEqual({ url: 'blob:x' });
    await expect(asks[1]!.done).rejects.toMatchObject({ name: 'AbortError' });
    await expect(asks[2]!.done).resolves.toMatchObject({ error: { tooLarge: true, size: '20,000 x 20,000' } });
    await expect(asks[3]!.done).resolves.toEqual({ url: 'blob:x' });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls[2]!.src).toBe('base/images/d1?rows=8,9'); // the slot went to the rest
    // every tile of a request left: the request itself is aborted
    for (const i of [4, 5, 6, 7]) asks[i]!.cancel();
    expect(calls[1]!.signal.aborted).toBe(true);
  });
});
