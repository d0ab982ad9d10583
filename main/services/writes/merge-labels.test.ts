import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { AppServices } from '../app-services';
import { parseCsv } from './label-files';
import { laionTable, tempDir, openInApp, type Dispatch } from '../../test-support/fixtures';
import type { DatasetInfo, MergePreview, RowPage } from '../../../shared/types';
import type { Result } from '../../../shared/result';

const tmp = tempDir('lx-merge-');
const K = (i: number) => 100_000_000 + i; // the synthetic table's keys
let services: AppServices;
let dispatch: Dispatch;
let p: string;
let info: DatasetInfo;

beforeAll(async () => {
  p = await laionTable(tmp.dir, 'train', 1000, { batchRows: 250, imageSide: 16 });
  ({ services, dispatch, info } = await openInApp(tmp.dir, p));
  expect(await dispatch('evolve:add-label-column', { id: info.id, name: 'quality', type: 'category', categories: ['good', 'blurry', 'watermark'] })).toMatchObject({ ok: true });
}, 60_000);
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

const file = (name: string, text: string) => {
  const f = path.join(tmp.dir, name);
  writeFileSync(f, text);
  return f;
};
const preview = (f: string) => dispatch('labels:merge-preview', { id: info.id, path: f }) as Promise<Result<MergePreview>>;
const merge = (f: string, expectedMatched: number) => dispatch('labels:merge', { id: info.id, path: f, expectedMatched }) as Promise<Result<{ version: number; updated: number; added: string[] }>>;
const byKey = async (keys: number[]) => {
  const v = (await dispatch('view:open', { id: info.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'key', op: 'in', values: keys }] } } })) as { value: { viewId: string; count: number } };
  const rows = ((await dispatch('view:page', { id: info.id, viewId: v.value.viewId, offset: 0, limit: 1000 })) as { value: RowPage }).value.rows;
  return new Map(rows.map((r) => [Number(r.values.key), r.values]));
};

describe('merge labels from a file', () => {
  it('previews a CSV (matched, unmatched, new columns typed), then merges it as new versions', async () => {
    const f = file('labels.csv', `key,quality,reviewed,stars,comment\n${K(1)},good,true,5,"fine, really"\n${K(2)},blurry,false,3,"say ""hi"""\n${K(3)},,yes,,\n999,good,true,1,ghost\n`);
    const pv = await preview(f);
    expect(pv).toMatchObject({
      ok: true,
      value: {
        format: 'csv',
        rows: 4,
        matched: 3,
        unmatched: 1,
        unmatchedSample: ['999'],
        problems: [],
        columns: [
          { name: 'quality', isNew: false, values: 3 },
          { name: 'reviewed', isNew: true, spec: { type: 'boolean' }, values: 4 },
          { name: 'stars', isNew: true, spec: { type: 'integer' }, values: 3 },
          { name: 'comment', isNew: true, spec: { type: 'text' }, values: 3 },
        ],
      },
    });
    const version = ((await dispatch('dataset:info', { id: info.id })) as { value: DatasetInfo }).value.version;
    // Nothing is written by a preview.
    expect(((await dispatch('dataset:info', { id: info.id })) as { value: DatasetInfo }).value.version).toBe(version);
    const r = await merge(f, 3);
    expect(r).toMatchObject({ ok: true, value: { updated: 3, added: ['reviewed', 'stars', 'comment'] } });
    expect(r.ok && r.value.version).toBeGreaterThan(version);
    const rows = await byKey([K(1), K(2), K(3), K(4)]);
    expect(rows.get(K(1))).toMatchObject({ quality: 'good', reviewed: true, stars: 5, comment: 'fine, really' });
    expect(rows.get(K(2))).toMatchObject({ quality: 'blurry', reviewed: false, stars: 3, comment: 'say "hi"' });
    expect(rows.get(K(3))).toMatchObject({ quality: null, reviewed: true, stars: null });
    expect(rows.get(K(4))).toMatchObject({ quality: null, reviewed: null });
    // Nothing was inserted, the new columns are label columns, and the row count is unchanged.
    const now = ((await dispatch('dataset:info', { id: info.id })) as { value: DatasetInfo }).value;
    expect(now.rowCount).toBe(1000);
    expect(now.columns.find((c) => c.name === 'reviewed')?.label).toEqual({ type: 'boolean' });
    expect(now.columns.find((c) => c.name === 'quality')?.label).toEqual({ type: 'category', categories: ['good', 'blurry', 'watermark'] });
  });

  it('merges JSON Lines and Parquet into existing label columns', async () => {
    const j = file('more.jsonl', `{"key": ${K(10)}, "quality": "watermark", "stars": 2}\n\n{"key": "${K(11)}", "quality": "good"}\n`);
    expect(await preview(j)).toMatchObject({ ok: true, value: { format: 'jsonl', matched: 2, problems: [] } });
    expect(await merge(j, 2)).toMatchObject({ ok: true, value: { updated: 2, added: [] } });
    const pq = path.join(tmp.dir, 'more.parquet');
    writeFileSync(pq, Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'key', data: [BigInt(K(20)), BigInt(K(21))], type: 'INT64' }, { name: 'quality', data: ['blurry', 'good'], type: 'STRING' }] })));
    expect(await preview(pq)).toMatchObject({ ok: true, value: { format: 'parquet', matched: 2, problems: [] } });
    expect(await merge(pq, 2)).toMatchObject({ ok: true, value: { updated: 2 } });
    const rows = await byKey([K(10), K(11), K(20), K(21)]);
    expect([K(10), K(11), K(20), K(21)].map((k) => rows.get(k)?.quality)).toEqual(['watermark', 'good', 'blurry', 'good']);
    expect(rows.get(K(10))?.stars).toBe(2);
  });

  it('reports type errors, duplicate keys, bad keys and unsafe names by row, and refuses to merge them', async () => {
    const f = file('bad.csv', `key,quality,stars,"x; DROP TABLE t"\n${K(1)},excellent,4,a\n${K(2)},good,many,b\n${K(2)},good,1,c\nabc,good,1,d\n`);
    const pv = await preview(f);
    expect(pv.ok).toBe(true);
    const problems = pv.ok ? pv.value.problems.join('\n') : '';
    expect(problems).toMatch(/x; DROP TABLE t.*cannot be a column name/);
    expect(problems).toMatch(/Row 1, quality: "excellent" is not one of good, blurry, watermark/);
    expect(problems).toMatch(/Row 2, stars: "many" is not a whole number/);
    expect(problems).toMatch(/Row 3: the key 100000002 appears more than once/);
    expect(problems).toMatch(/Row 4: the key "abc" is not a valid whole number/);
    const version = ((await dispatch('dataset:info', { id: info.id })) as { value: DatasetInfo }).value.version;
    expect(await merge(f, 1)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/has problems/) } });
    expect(((await dispatch('dataset:info', { id: info.id })) as { value: DatasetInfo }).value.version).toBe(version);
  });

  it('explains files it cannot use', async () => {
    expect(await preview(file('nokey.csv', 'id,quality\n1,good\n'))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/no "key" column/) } });
    expect(await preview(file('labels.txt', 'key,quality\n'))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/use \.csv, \.jsonl or \.parquet/) } });
    expect(await preview(path.join(tmp.dir, 'missing.csv'))).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await preview(file('broken.jsonl', `{"key": ${K(1)}, "quality": "good"}\n{"key": 2,\n`))).toMatchObject({ ok: false, error: { message: 'Line 2 is not valid JSON.' } });
    expect(await preview(file('nested.jsonl', `{"key": ${K(1)}, "quality": {"a": 1}}\n`))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/only plain values/) } });
    expect(await preview(file('ragged.csv', `key,quality\n${K(1)},good,extra\n`))).toMatchObject({ ok: false, error: { message: 'Row 1 has 3 fields; the header has 2.' } });
    expect(await preview(file('fake.parquet', 'not parquet at all'))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/could not be read as Parquet/) } });
    expect(await preview('relative.csv')).toMatchObject({ ok: false, error: { message: expect.stringMatching(/full path/) } });
    // A merge whose matches changed since the preview is refused.
    const f = file('ok.csv', `key,quality\n${K(30)},good\n`);
    expect(await merge(f, 5)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/1 keys match now, not the 5 previewed/) } });
  });

  it('parses CSV quoting the way spreadsheets write it', () => {
    const f = parseCsv('\ufeffkey,note\r\n1,"a, b"\r\n2,"multi\nline ""quoted"""\r\n3,\r\n');
    // rows are positional (no name from a file becomes an object key)
    expect(f.columns).toEqual(['key', 'note']);
    expect(f.rows).toEqual([
      ['1', 'a, b'],
      ['2', 'multi\nline "quoted"'],
      ['3', null],
    ]);
  });
});

describe('a file whose column names mean something to JavaScript objects', () => {
  it('lists them as problems in the preview, and the merge then changes nothing', async () => {
    const before = (await dispatch('dataset:info', { id: info.id })) as Result<DatasetInfo>;
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      const f = file(`${name}.jsonl`, `{"key": ${K(1)}, "${name}": "x"}\n{"key": ${K(2)}, "${name}": "y"}\n`);
      const pv = await preview(f);
      expect(pv.ok, name).toBe(true);
      if (!pv.ok) continue;
      expect(pv.value.problems.join(' '), name).toMatch(new RegExp(`Column "${name}"`));
      expect(await merge(f, pv.value.matched), name).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
    const after = (await dispatch('dataset:info', { id: info.id })) as Result<DatasetInfo>;
    expect(after.ok && before.ok && after.value.version).toBe(before.ok && before.value.version);
  });
});

