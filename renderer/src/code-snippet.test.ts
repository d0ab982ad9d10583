// "Copy as code" for a search by several examples is run for real: the TypeScript the dialog shows,
// against a small table, must find the same neighbours the app finds.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { pythonSnippet, typescriptSnippet } from './code-snippet';
import type { DatasetInfo, ViewInfo } from '../../shared/types';
import { dogsAndCatsTable } from '../../main/test-support/fixtures';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'lx-snippet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('copy as code, by examples', () => {
  it('runs: the TypeScript finds what the app finds (more like keys 10 and 20, less like 30)', async () => {
    const { lancedb } = await import('../../main/services/dataset/lance');
    const { Schema, Field, FixedSizeList, Float32, Int64 } = await import('apache-arrow');
    const schema = new Schema([new Field('key', new Int64(), false), new Field('small_emb', new FixedSizeList(4, new Field('item', new Float32(), true)), true)]);
    const db = await lancedb.connect(dir);
    (await db.createTable('t', Array.from({ length: 40 }, (_, i) => ({ key: BigInt(i), small_emb: [i, i % 3, 1, 0] })), { schema })).close();
    const ds = { path: path.join(dir, 't.lance'), table: 't', keyColumn: 'key', captionColumn: null } as unknown as DatasetInfo;
    const view = {
      spec: { kind: 'similar', rowId: '10', key: 10, alsoLike: [{ rowId: '20', key: 20 }], unlike: [{ rowId: '30', key: 30 }], column: 'small_emb', k: 3, metric: 'l2', nprobes: 1, refineFactor: 1 },
      where: null,
      queryKey: 10,
    } as unknown as ViewInfo;
    const code = typescriptSnippet(ds, view);
    expect(pythonSnippet(ds, view)).toMatch(/query = vectors\(like\)\.mean\(0\) - 0\.5 \* vectors\(away\)\.mean\(0\)/);
    // Written beside the project so '@lancedb/lancedb' resolves; removed after.
    mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    const file = path.join(ROOT, 'test-results', `snippet-${process.pid}.mts`);
    writeFileSync(file, `${code}\nconsole.log(JSON.stringify(rows.map((r) => Number(r.key))));\n`);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, LANCEDB_LOG: 'error' } });
      // mean of 10 and 20 less half of 30: [15, 1.5, 1, 0] - [15, 0, 0.5, 0] = [0, 1.5, 0.5, 0]; key i is
      // [i, i % 3, 1, 0], at i² + (i % 3 - 1.5)² + 0.25: 1 (1.5), 0 (2.5), 2 (4.5), 3 (11.5)
      const keys = JSON.parse(stdout.trim().split('\n').at(-1) as string) as number[];
      expect(keys.slice(0, 4)).toEqual([1, 0, 2, 3]);
    } finally {
      rmSync(file, { force: true });
    }
  }, 60_000);

  it('runs: the TypeScript of a search by meaning through captions finds what the app finds', async () => {
    await dogsAndCatsTable(dir, 'm');
    const ds = { path: path.join(dir, 'm.lance'), table: 'm', keyColumn: 'key', captionColumn: 'caption' } as unknown as DatasetInfo;
    const view = { spec: { kind: 'meaning', text: 'dog', via: 'captions', captionColumn: 'caption', hits: 5, column: 'emb', k: 10, metric: 'l2', nprobes: 1, refineFactor: 1 }, where: null } as unknown as ViewInfo;
    expect(pythonSnippet(ds, view)).toMatch(/hits = tbl\.search\("dog", query_type="fts", fts_columns="caption"\)\.select\(\["emb"\]\)\.limit\(5\)/);
    mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    const file = path.join(ROOT, 'test-results', `snippet-m-${process.pid}.mts`);
    writeFileSync(file, `${typescriptSnippet(ds, view)}\nconsole.log(JSON.stringify(rows.map((r) => Number(r.key))));\n`);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, LANCEDB_LOG: 'error' } });
      const keys = JSON.parse(stdout.trim().split('\n').at(-1) as string) as number[];
      expect(keys.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // the puppies too, as in the app
    } finally {
      rmSync(file, { force: true });
    }
  }, 60_000);

  it('runs: the TypeScript of exact duplicates finds the groups the app finds', async () => {
    const { lancedb } = await import('../../main/services/dataset/lance');
    const { Schema, Field, Int64, Utf8 } = await import('apache-arrow');
    const { groupEqual } = await import('../../main/services/views/views');
    const schema = new Schema([new Field('key', new Int64(), false), new Field('md5', new Utf8(), true)]);
    const md5 = (i: number) => (i % 10 === 3 ? 'aaa' : i % 15 === 4 ? 'bbb' : i === 7 ? null : `u${i}`);
    const db = await lancedb.connect(dir);
    const tbl = await db.createTable('d', Array.from({ length: 60 }, (_, i) => ({ key: BigInt(i), md5: md5(i) })), { schema });
    const app = groupEqual((await tbl.query().select(['md5']).toArrow()).getChild('md5') as never).map((g) => g.map((i) => i));
    tbl.close();
    const ds = { path: path.join(dir, 'd.lance'), table: 'd', keyColumn: 'key', captionColumn: null } as unknown as DatasetInfo;
    const view = { spec: { kind: 'duplicates', column: 'md5' }, where: null } as unknown as ViewInfo;
    expect(pythonSnippet(ds, view)).toMatch(/groupby\("md5"\)/);
    mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    const file = path.join(ROOT, 'test-results', `snippet-d-${process.pid}.mts`);
    writeFileSync(file, `${typescriptSnippet(ds, view)}\nconsole.log(JSON.stringify(duplicates.map((g) => g.map((r) => Number(r.key)))));\n`);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, LANCEDB_LOG: 'error' } });
      const groups = JSON.parse(stdout.trim().split('\n').at(-1) as string) as number[][];
      // keys are row positions here (0..59 written in order)
      expect(groups).toEqual(app);
      expect(groups.map((g) => g.length)).toEqual([6, 4]);
    } finally {
      rmSync(file, { force: true });
    }
  }, 60_000);
});
