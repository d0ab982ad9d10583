import { afterAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SizedLru } from './support/lru';
import { AppEvents, JobRegistry } from './jobs/jobs';
import { RecentStore } from './dataset/recent';
import { toCell } from './dataset/cells';
import { sniffImage } from './dataset/image-sniff';
import { tempDir } from '../test-support/fixtures';
import { commandLineLocation, remoteLocation } from './dataset/dataset-locate';
import { settleWithin } from './support/deadline';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('JobRegistry', () => {
  it('keeps a finished job\'s outcome and last message for a listener that comes late', async () => {
    const jobs = new JobRegistry(new AppEvents());
    const { jobId, done } = jobs.start('quick', async (report) => {
      report(1, 2, 'half');
      report(2, 2, 'all done in no time');
      return { path: '/tmp/x' };
    });
    await done;
    expect(jobs.status(jobId)).toEqual({
      running: false,
      progress: { jobId, kind: 'quick', done: 2, total: 2, message: 'all done in no time' },
      finished: { jobId, kind: 'quick', ok: true, error: null, path: '/tmp/x' },
    });
    expect(jobs.cancel(jobId)).toBe(false);
  });
});

describe('SizedLru', () => {
  it('evicts least recently used entries beyond its byte budget', () => {
    const lru = new SizedLru<string, Uint8Array>(10, (b) => b.length);
    lru.set('a', new Uint8Array(4));
    lru.set('b', new Uint8Array(4));
    lru.get('a');
    lru.set('c', new Uint8Array(4));
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBeDefined();
    expect(lru.size).toBe(8);
    lru.set('huge', new Uint8Array(11));
    expect(lru.get('huge')).toBeUndefined();
  });
});

describe('RecentStore', () => {
  const entry = (p: string) => ({ path: p, table: 't', name: p, openedAt: '2026-11-24T00:00:00Z', rowCount: 1 });

  it('keeps the newest first without duplicates and survives a corrupt file', async () => {
    const file = path.join(tmp.dir, 'recent.json');
    const store = new RecentStore(file);
    await store.add(entry('/a'));
    await store.add(entry('/b'));
    await store.add(entry('/a'));
    expect((await store.list()).map((e) => e.path)).toEqual(['/a', '/b']);
    await fs.writeFile(file, '{"truncated');
    expect(await store.list()).toEqual([]);
    await store.add(entry('/c'));
    expect((await store.list()).map((e) => e.path)).toEqual(['/c']);
  });

  it('caps the list', async () => {
    const store = new RecentStore(path.join(tmp.dir, 'cap.json'));
    for (let i = 0; i < 30; i++) await store.add(entry(`/d${i}`));
    expect(await store.list()).toHaveLength(20);
  });
});

describe('cells', () => {
  it('keeps int64 keys exact: numbers when safe, decimal strings beyond', () => {
    expect(toCell(185120556n, 'int')).toBe(185120556);
    expect(toCell(2n ** 60n, 'int')).toBe('1152921504606846976');
  });
  it('carries NaN and infinities as text (JSON has no NaN)', () => {
    expect(toCell(Number.NaN, 'float')).toBe('NaN');
    expect(toCell(0.292647, 'float')).toBe(0.292647);
  });
  it('summarises vectors and binaries instead of shipping them', () => {
    expect(toCell(new Float32Array([3, 4]), 'vector')).toEqual({ $vector: { dim: 2, head: [3, 4], norm: 5 } });
    expect(toCell(new Uint8Array(10), 'binary')).toEqual({ $binary: { bytes: 10 } });
  });
});

describe('sniffImage', () => {
  it('recognises raster formats and refuses anything else, SVG and HTML included', () => {
    expect(sniffImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]))).toBe('image/png');
    expect(sniffImage(Buffer.from('<svg onload="alert(1)"></svg>'))).toBeNull();
    expect(sniffImage(Buffer.from('<html>'))).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
  });
});

describe('remap (rows followed to their new ids)', () => {
  it('replaces exactly the moved ids, in any fragment, leaving the rest', async () => {
    const { remap } = await import('./dataset/row-ids');
    const id = (fragment: number, offset: number) => (BigInt(fragment) << 32n) | BigInt(offset);
    const ids = BigUint64Array.from([id(0, 0), id(0, 5), id(3, 5), id(7, 1), id(3, 6), id(0, 5)]);
    remap(ids, new Map([[id(0, 5), id(9, 0)], [id(3, 6), id(9, 1)], [id(8, 0), id(9, 2)]]));
    expect(Array.from(ids)).toEqual([id(0, 0), id(9, 0), id(3, 5), id(7, 1), id(9, 1), id(9, 0)]);
  });
});

describe('addresses named on the command line and for LanceDB Cloud', () => {
  it('keeps s3://, gs://, az://, db:// and hf:// as given and makes folders absolute', () => {
    for (const a of ['s3://bucket/x/laion.lance', 'gs://b/t.lance', 'az://c/t.lance', 'db://team/laion', 'hf://datasets/o/n/data/train.lance']) expect(commandLineLocation(a)).toBe(a);
    expect(commandLineLocation('data/train.lance')).toBe(path.resolve('data/train.lance'));
  });
  it('reads db://<database>[/<table>] and refuses anything else', () => {
    expect(remoteLocation('db://team')).toEqual({ dbUri: 'db://team', table: null });
    expect(remoteLocation('db://team/laion/')).toEqual({ dbUri: 'db://team', table: 'laion' });
    for (const bad of ['db://', 'db://team/a/b', 'db://te am/x', 'db://team/../x']) expect(() => remoteLocation(bad)).toThrow(/not a LanceDB Cloud address/);
  });
});

describe('settleWithin', () => {
  it('answers with the failure once the time is up, and hands what finishes later to be released', async () => {
    let finish: (v: string) => void = () => {};
    const work = new Promise<string>((r) => (finish = r));
    const released: string[] = [];
    const answer = settleWithin(work, 20, () => new Error('no answer in time'), (v) => released.push(v));
    await expect(answer).rejects.toThrow('no answer in time');
    finish('a table opened too late');
    await work;
    expect(released).toEqual(['a table opened too late']);
    // In time: the value itself, nothing released.
    await expect(settleWithin(Promise.resolve(7), 1000, () => new Error('late'), () => released.push('x'))).resolves.toBe(7);
    await expect(settleWithin(Promise.reject(new Error('refused')), 1000, () => new Error('late'), () => {})).rejects.toThrow('refused');
    expect(released).toHaveLength(1);
  });
});
