import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildDemo, stableKey } from './build-demo';
import { demoSources } from './sources';
import { lancedb } from '../dataset/lance';
import { laionSchema } from '../dataset/laion-schema';
import { tempDir } from '../../test-support/fixtures';

const tmp = tempDir('lx-demo-');
afterAll(() => tmp.cleanup());

async function open(p: string) {
  const db = await lancedb.connect(path.dirname(p));
  return db.openTable(path.basename(p, '.lance'));
}

describe('demo dataset', () => {
  it('draws on more than 1,000 real images with real descriptions', async () => {
    const sources = await demoSources();
    expect(sources.length).toBeGreaterThan(2000);
    const captions = new Set(sources.map((s) => s.caption));
    expect(captions.size).toBeGreaterThan(2000);
    expect(sources.find((s) => s.caption === 'The national flag of Japan')).toBeTruthy();
    expect(sources.some((s) => /^Grinning face emoji/.test(s.caption))).toBe(true);
    for (const s of sources.slice(0, 50)) expect(existsSync(s.file)).toBe(true);
  });

  it('builds the exact LAION schema with real JPEGs, an IVF_PQ index, deterministically', async () => {
    const a = path.join(tmp.dir, 'a', 'laion-demo.lance');
    const b = path.join(tmp.dir, 'b', 'laion-demo.lance');
    const progress: number[] = [];
    const ra = await buildDemo(a, { rows: 300, report: (d) => progress.push(d) });
    await buildDemo(b, { rows: 300 });
    expect(ra.rows).toBe(300);
    expect(progress.length).toBeGreaterThan(10);

    const ta = await open(a);
    const tb = await open(b);
    const schema = await ta.schema();
    expect(schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(laionSchema().fields.map((f) => `${f.name}:${String(f.type)}`));
    const indices = await ta.listIndices();
    expect(indices.map((i) => i.indexType).sort()).toEqual(['BTree', 'IvfPq']);

    const rowsA = await ta.query().select(['key', 'image', 'caption', 'width', 'height', 'md5', 'similarity']).limit(300).toArray();
    const rowsB = await tb.query().select(['key', 'md5']).limit(300).toArray();
    expect(rowsA.map((r) => String(r.key))).toEqual(rowsB.map((r) => String(r.key)));
    for (const r of rowsA.slice(0, 20)) {
      const img = r.image as Uint8Array;
      expect([img[0], img[1], img[2]]).toEqual([0xff, 0xd8, 0xff]);
      expect(Number(r.width)).toBeGreaterThan(0);
      expect(r.similarity).toBeGreaterThanOrEqual(0.28);
      expect(r.similarity).toBeLessThanOrEqual(0.4);
    }

    // Same neighbour lists on both builds: exactly, and through the index with refinement (k-means
    // training is randomised, so raw PQ orderings may differ; refined ones must not).
    const probe = await ta.query().select(['img_emb']).limit(5).toArray();
    const keys = (rows: Array<Record<string, unknown>>) => rows.map((r) => String(r.key));
    for (const p of probe) {
      const v = Array.from(p.img_emb as Iterable<number>);
      const exactA = await ta.vectorSearch(v).column('img_emb').bypassVectorIndex().limit(5).select(['key']).toArray();
      const exactB = await tb.vectorSearch(v).column('img_emb').bypassVectorIndex().limit(5).select(['key']).toArray();
      expect(keys(exactA)).toEqual(keys(exactB));
      const annA = await ta.vectorSearch(v).column('img_emb').nprobes(64).refineFactor(20).limit(5).select(['key']).toArray();
      const annB = await tb.vectorSearch(v).column('img_emb').nprobes(64).refineFactor(20).limit(5).select(['key']).toArray();
      expect(keys(annA)).toEqual(keys(exactA));
      expect(keys(annB)).toEqual(keys(exactA));
    }
    ta.close();
    tb.close();
  });

  it('keys rows by provenance, so a key never changes between builds', () => {
    expect(stableKey('npm:svg-country-flags@1.2.10/svg/jp.svg')).toBe(stableKey('npm:svg-country-flags@1.2.10/svg/jp.svg'));
    expect(Number.isSafeInteger(stableKey('x'))).toBe(true);
  });

  it('leaves nothing that opens when cancelled', async () => {
    const target = path.join(tmp.dir, 'c', 'laion-demo.lance');
    const controller = new AbortController();
    const p = buildDemo(target, { rows: 300, signal: controller.signal, report: (d) => d > 20 && controller.abort() });
    await expect(p).rejects.toThrow(/cancelled/);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(path.dirname(target))).toEqual([]);
  });
});
