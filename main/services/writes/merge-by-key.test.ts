// A merge by key is one version when LanceDB's memory pool holds the join, and chunks when it runs
// out, on a real table: the pool's refusal is played by a table whose first whole merge fails the way
// LanceDB's does ("Resources exhausted"), everything else goes to LanceDB.
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/fixtures';
import { arrow, lancedb } from '../dataset/lance';
import { keyVector, mergeByKey } from './merge-by-key';
import type { OpenDataset } from '../dataset/dataset-service';

const t = tempDir('lx-merge-');
afterAll(() => t.cleanup());

const N = 250_000;
async function table(name: string) {
  const db = await lancedb.connect(t.dir);
  const keys = Array.from({ length: N }, (_, i) => BigInt(i));
  const tbl = await db.createTable(name, new arrow.Table({ key: arrow.vectorFromArray(keys, new arrow.Int64()), v: arrow.vectorFromArray(new Float32Array(N)) }));
  await tbl.createIndex('key', { config: lancedb.Index.btree() });
  return tbl;
}
const batch = (from: number, to: number) =>
  new arrow.Table({
    key: keyVector(Array.from({ length: to - from }, (_, i) => from + i), new arrow.Int64()),
    v: arrow.vectorFromArray(Float32Array.from({ length: to - from }, (_, i) => from + i + 0.5)),
  });
const sum = async (tbl: import('@lancedb/lancedb').Table) => (await tbl.query().select(['v']).toArray()).reduce((s, r) => s + (r.v as number), 0);
const expected = Array.from({ length: N }, (_, i) => i + 0.5).reduce((s, x) => s + x, 0);

describe('mergeByKey', () => {
  it('writes every row in one new version', async () => {
    const tbl = await table('one');
    const v0 = await tbl.version();
    expect(await mergeByKey({ table: tbl, info: { keyColumn: 'key' } } as unknown as OpenDataset, N, batch)).toBe(1);
    expect(await tbl.version()).toBe(v0 + 1);
    expect(await sum(tbl)).toBeCloseTo(expected, -3);
  });

  it('falls back to chunks when the memory pool runs out, and still writes every row', async () => {
    const tbl = await table('chunks');
    let refused = false;
    const pooled = new Proxy(tbl, {
      get(target, prop) {
        if (prop !== 'mergeInsert') return Reflect.get(target, prop, target);
        return (on: string) => {
          const b = target.mergeInsert(on).whenMatchedUpdateAll();
          return {
            whenMatchedUpdateAll: () => ({
              execute: async (data: import('apache-arrow').Table) => {
                if (data.numRows > 100_000) {
                  refused = true;
                  throw new Error('Failed to execute merge insert: lance error: LanceError(IO): Resources exhausted: Additional allocation failed for MapIndexExecCandidates');
                }
                return b.execute(data);
              },
            }),
          };
        };
      },
    });
    expect(await mergeByKey({ table: pooled, info: { keyColumn: 'key' } } as unknown as OpenDataset, N, batch)).toBe(3);
    expect(refused).toBe(true);
    expect(await sum(tbl)).toBeCloseTo(expected, -3);
  });

  it('passes on any other failure without retrying', async () => {
    const tbl = await table('other');
    const v0 = await tbl.version();
    const bad = () => new arrow.Table({ key: arrow.vectorFromArray(['x']), v: arrow.vectorFromArray(new Float32Array(1)) });
    await expect(mergeByKey({ table: tbl, info: { keyColumn: 'key' } } as unknown as OpenDataset, 200_000, bad)).rejects.toThrow();
    expect(await tbl.version()).toBe(v0);
  });
});
