// Reading one item ahead: the next read starts before the consumer is done with this one, a failure
// is thrown where it is awaited (never an unhandled rejection), and stopping early closes the source.
import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead';

function source(n: number, failAt = -1) {
  const log: string[] = [];
  let i = 0;
  let closed = false;
  const it: AsyncIterator<number> = {
    next: async () => {
      const k = i++;
      log.push(`ask ${k}`);
      await new Promise((r) => setTimeout(r, 5));
      if (k === failAt) throw new Error(`read ${k} failed`);
      return k < n ? { value: k, done: false } : { value: undefined, done: true };
    },
    return: async () => {
      closed = true;
      return { value: undefined, done: true };
    },
  };
  return { it, log, closed: () => closed };
}

describe('readAhead', () => {
  it('asks for the next item before the consumer handles this one', async () => {
    const s = source(3);
    const seen: string[] = [];
    for await (const v of readAhead(s.it)) seen.push(`got ${v} after ${s.log.at(-1)}`);
    expect(seen).toEqual(['got 0 after ask 1', 'got 1 after ask 2', 'got 2 after ask 3']);
  });

  it('throws a read that failed while the consumer was busy, where it is awaited, without an unhandled rejection', async () => {
    const s = source(5, 1);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(
        (async () => {
          for await (const _ of readAhead(s.it)) await new Promise((r) => setTimeout(r, 30)); // busy while read 1 fails
        })(),
      ).rejects.toThrow('read 1 failed');
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('closes the source when the consumer stops early', async () => {
    const s = source(10);
    for await (const v of readAhead(s.it)) if (v === 2) break;
    expect(s.closed()).toBe(true);
  });
});
