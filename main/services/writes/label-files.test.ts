// Files a person picks are parsed off the main thread, in pieces, with limits checked as they go.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteStream, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { LIMITS, MAX_ROWS, scanLabelFile, type FileCell } from './label-files';
import { laionTable, tempDir, openInApp, type Dispatch } from '../../test-support/fixtures';
import type { AppServices } from '../app-services';
import type { DatasetInfo, MergePreview } from '../../../shared/types';
import type { Result } from '../../../shared/result';

type Limits = typeof LIMITS;
interface Parsers {
  createCsvParser(limits: Limits, onHeader: (c: string[]) => void, onRow: (r: FileCell[]) => void): { feed(t: string): void; end(): unknown };
  createJsonlParser(limits: Limits, onRow: (r: FileCell[], c: string[]) => void): { feed(t: string): void; end(): unknown };
}
const parsers = createRequire(import.meta.url)('./label-parse.worker.cjs') as Parsers;

const tmp = tempDir('lx-labelfiles-');
const K = (i: number) => 100_000_000 + i;

function csvInPieces(text: string, cuts: number[], limits: Limits = LIMITS) {
  let columns: string[] = [];
  const rows: FileCell[][] = [];
  const p = parsers.createCsvParser(limits, (c) => (columns = c), (r) => rows.push(r));
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    p.feed(text.slice(at, cut));
    at = cut;
  }
  p.end();
  return { columns, rows };
}
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('the streaming parsers', () => {
  const tricky = '\ufeffkey,note,x\r\n1,"a, b",\r\n2,"multi\nline ""quoted""",z\r\n\r\n3,,"""x"""\n4,plain "inner" quote,\r';
  const whole = csvInPieces(tricky, []);

  it('parse CSV the same wherever the pieces end (inside quotes, between \\r and \\n, in a doubled quote)', () => {
    expect(whole.columns).toEqual(['key', 'note', 'x']);
    expect(whole.rows).toEqual([
      ['1', 'a, b', null],
      ['2', 'multi\nline "quoted"', 'z'],
      ['3', null, '"x"'],
      ['4', 'plain "inner" quote', null],
    ]);
    for (let cut = 0; cut <= tricky.length; cut++) expect(csvInPieces(tricky, [cut]), `cut at ${cut}`).toEqual(whole);
    expect(csvInPieces(tricky, Array.from({ length: tricky.length }, (_, i) => i))).toEqual(whole);
  });

  it('stop at the first limit with the line it is on', () => {
    const small = { ...LIMITS, maxLineBytes: 100, maxCellBytes: 40, maxRows: 3, maxColumns: 4 };
    expect(refusal(() => csvInPieces(`key,a\n1,${'x'.repeat(200)}\n`, [], small))).toMatch(/Line 2: a field is longer than/);
    expect(refusal(() => csvInPieces(`key,a\n1,"${'x,'.repeat(60)}"\n`, [], { ...small, maxCellBytes: 1000 }))).toMatch(/Line 2 is longer than/);
    expect(refusal(() => csvInPieces('key\n1\n2\n3\n4\n', [], small))).toMatch(/more than 3 rows/);
    expect(refusal(() => csvInPieces('a,b,c,d,e\n', [], small))).toMatch(/more than 4 fields/);
    const jsonl = (text: string) => {
      const p = parsers.createJsonlParser(small, () => {});
      p.feed(text);
      p.end();
    };
    expect(refusal(() => jsonl(`{"key":1,"a":"${'x'.repeat(50)}"}\n`))).toMatch(/Line 1, column "a": a value is longer than/);
    expect(refusal(() => jsonl(`{"key":1}\n{"key":2,"a":"${'y'.repeat(120)}"}`))).toMatch(/Line 2 is longer than/);
    expect(refusal(() => jsonl('{"a":1,"b":2,"c":3,"d":4,"e":5}\n'))).toMatch(/more than 4 columns/);
    expect(refusal(() => jsonl('{"k":1}\n{"k":2}\n{"k":3}\n{"k":4}\n'))).toMatch(/more than 3 rows/);
  });

  it('keep names from the file out of object keys: __proto__ is a column like any other', () => {
    const rows: FileCell[][] = [];
    let cols: string[] = [];
    const p = parsers.createJsonlParser(LIMITS, (r, c) => {
      rows.push(r);
      cols = c;
    });
    p.feed('{"key": 1, "__proto__": "x", "constructor": "y"}\n');
    p.end();
    expect(cols).toEqual(['key', '__proto__', 'constructor']);
    expect(rows).toEqual([[1, 'x', 'y']]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('reading files a person picked', () => {
  let services: AppServices;
  let dispatch: Dispatch;
  let info: DatasetInfo;
  beforeAll(async () => {
    const p = await laionTable(tmp.dir, 'train', 500, { batchRows: 250, imageSide: 16 });
    ({ services, dispatch, info } = await openInApp(tmp.dir, p));
  }, 60_000);
  afterAll(() => {
    services.dispose();
    tmp.cleanup();
  });

  it('refuses a small Parquet file that claims millions of rows from its footer, before decoding it', async () => {
    const f = path.join(tmp.dir, 'many.parquet');
    const n = MAX_ROWS + 1_000_000;
    writeFileSync(f, Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'key', data: new Int32Array(n), type: 'INT32' }], rowGroupSize: n } as never)));
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    await expect(scanLabelFile(f, () => {})).rejects.toThrow(/more than 5,000,000 rows \(its footer says 6,000,000\)/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('answers other requests while a large CSV is parsed, stays within +500 MB, and can be stopped', async () => {
    // ~80 MB: a key and a comment per row, 1.5M rows.
    const f = path.join(tmp.dir, 'large.csv');
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(f);
      out.on('error', reject);
      out.write('key,comment\n');
      const comment = 'a fairly ordinary comment about this picture and nothing more';
      let i = 0;
      const more = () => {
        let ok = true;
        while (i < 1_500_000 && ok) ok = out.write(`${K(i++ % 500)}${i % 2 ? '' : '0'},${comment}\n`);
        if (i < 1_500_000) out.once('drain', more);
        else out.end(resolve);
      };
      more();
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    let worstGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const pings: number[] = [];
    const pinger = setInterval(() => {
      const t = performance.now();
      void dispatch('rows:page', { id: info.id, offset: 0, limit: 20 }).then(() => pings.push(performance.now() - t));
    }, 50);
    const r = (await dispatch('labels:merge-preview', { id: info.id, path: f })) as Result<MergePreview>;
    clearInterval(ticker);
    clearInterval(pinger);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expect(r.value.rows).toBe(1_500_000);
    expect(r.ok && r.value.problems.join(' ')).toMatch(/appears more than once/);
    expect(pings.length).toBeGreaterThan(5);
    // Within 100 ms, but tests run beside others on 2 cores: the worst case may meet the scheduler.
    // (A parser on the main thread froze every request for the whole file: 35 s for 100 MB.) The
    // strict figure is measured on a quiet machine by `npm run bench -- hostile`.
    const sorted = [...pings].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.95)]).toBeLessThan(100);
    expect(Math.max(...pings)).toBeLessThan(1000);
    expect(worstGap).toBeLessThan(1000);
    expect(peak - before).toBeLessThan(500 * 1024 * 1024);

    // Stopped through its job id, mid-way: the reply says so and nothing was written.
    const version = info.version;
    const jobId = 'stopMe123456';
    const off = services.events.on('job:progress', (p) => {
      if (p.jobId === jobId && p.done > 0) services.jobs.cancel(jobId);
    });
    const stopped = await dispatch('labels:merge-preview', { id: info.id, path: f, jobId });
    off();
    expect(stopped).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(services.jobs.status(jobId).finished).toMatchObject({ ok: false });
    expect(((await dispatch('dataset:info', { id: info.id })) as Result<DatasetInfo>).ok && services.datasets.get(info.id).info.version).toBe(version);
  }, 120_000);

  it('reports the reading as a job the page named, with progress in words', async () => {
    const f = path.join(tmp.dir, 'few.csv');
    writeFileSync(f, `key,quality\n${K(1)},good\n`);
    const seen: string[] = [];
    const off = services.events.on('job:progress', (p) => p.jobId === 'namedJob1234' && seen.push(p.message));
    expect(await dispatch('labels:merge-preview', { id: info.id, path: f, jobId: 'namedJob1234' })).toMatchObject({ ok: true, value: { matched: 1 } });
    off();
    expect(seen.join('\n')).toMatch(/Reading few\.csv: .* MB of .* MB/);
    // an id already used is refused, not shared
    expect(await dispatch('labels:merge-preview', { id: info.id, path: f, jobId: 'namedJob1234' })).toMatchObject({ ok: false, error: { code: 'BUSY' } });
  });

  it('merges all or nothing: a failure after new columns were added takes them back', async () => {
    const f = path.join(tmp.dir, 'new-columns.csv');
    writeFileSync(f, `key,mood,score\n${K(1)},calm,3\n${K(2)},busy,4\n`);
    const pv = (await dispatch('labels:merge-preview', { id: info.id, path: f })) as Result<MergePreview>;
    expect(pv).toMatchObject({ ok: true, value: { matched: 2, problems: [] } });
    const before = services.datasets.get(info.id).info;
    // The write itself fails (as a full disk or another writer would make it), after the columns went
    // in. Patched on LanceDB's merge builder class: builders are copied at each step.
    const builderClass = Object.getPrototypeOf(services.datasets.get(info.id).table.mergeInsert('key')) as { execute: unknown };
    const real = builderClass.execute;
    builderClass.execute = async () => {
      throw new Error('simulated failure while writing the merged rows');
    };
    let r: unknown;
    try {
      r = await dispatch('labels:merge', { id: info.id, path: f, expectedMatched: 2 });
    } finally {
      builderClass.execute = real;
    }
    expect(r).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Nothing was merged: the columns it had added were taken back/) } });
    const after = services.datasets.get(info.id).info;
    expect(after.columns.map((c) => c.name)).toEqual(before.columns.map((c) => c.name));
    expect(after.rowCount).toBe(before.rowCount);
    // and the merge works once the cause is gone
    expect(await dispatch('labels:merge', { id: info.id, path: f, expectedMatched: 2 })).toMatchObject({ ok: true, value: { updated: 2, added: ['mood', 'score'] } });
  });
});
