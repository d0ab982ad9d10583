// Statistics of a generated table checked against values computed here, independently, from the
// same rows: several fragments and deleted rows, nulls, non-ASCII text, lists, vectors, and images
// measured from their columns or from their bytes; then a filtered view's counts, and the cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { jobFinished, openInApp, tempDir } from '../../test-support/fixtures';
import { arrow, lancedb } from '../dataset/lance';
import type { DatasetStats, StatsFacet, StatsStatus, ViewInfo, ViewStats } from '../../../shared/types';

const t = tempDir('lx-stats-');
const N = 1200;
const NSFW = ['UNLIKELY', 'UNSURE', 'NSFW'];
interface Row {
  key: number;
  NSFW: string | null;
  similarity: number | null;
  caption: string;
  flag: boolean | null;
  tags: number[] | null;
  width: number;
  height: number;
  emb: number[];
}
const rowOf = (i: number): Row => ({
  key: i,
  // Unequal shares: 0, 3, 6… UNLIKELY more often than the others.
  NSFW: i % 17 === 0 ? null : (NSFW[i % 5 === 0 ? 1 : i % 7 === 0 ? 2 : 0] as string),
  similarity: i % 11 === 0 ? null : 0.2 + ((i * 7919) % 1000) / 5000,
  // A few repeated captions (top values), others unique; some with accents and an emoji (characters, not bytes).
  caption: i % 10 === 0 ? 'a repeated caption' : i % 25 === 3 ? `café ☕ number ${i}` : `caption number ${i}`,
  flag: i % 13 === 0 ? null : i % 3 === 0,
  tags: i % 9 === 0 ? null : Array.from({ length: i % 4 }, (_, j) => j),
  width: 100 + (i % 50) * 4,
  height: 100 + (i % 20) * 10,
  emb: [i % 3, 1, 0, (i % 5) / 2],
});
const all: Row[] = Array.from({ length: N }, (_, i) => rowOf(i));
/** Rows deleted after writing: every 31st. */
const kept = all.filter((r) => r.key % 31 !== 5);

let app: Awaited<ReturnType<typeof openInApp>>;
let stats: DatasetStats;

async function writeTable(dir: string): Promise<string> {
  const { Schema, Field, Int64, Utf8, Float64, Bool, List, Int32, FixedSizeList, Float32, LargeBinary } = arrow;
  const schema = new Schema([
    new Field('key', new Int64(), false),
    new Field('image', new LargeBinary(), true),
    new Field('NSFW', new Utf8(), true),
    new Field('similarity', new Float64(), true),
    new Field('caption', new Utf8(), true),
    new Field('flag', new Bool(), true),
    new Field('tags', new List(new Field('item', new Int32(), true)), true),
    new Field('width', new Int64(), false),
    new Field('height', new Int64(), false),
    new Field('emb', new FixedSizeList(4, new Field('item', new Float32(), true)), true),
  ]);
  const jpeg = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 9, g: 9, b: 9 } } }).jpeg().toBuffer());
  const db = await lancedb.connect(dir);
  const data = (rows: Row[]) => rows.map((r) => ({ ...r, key: BigInt(r.key), width: BigInt(r.width), height: BigInt(r.height), image: jpeg }));
  // Three appends: three fragments, so row ids jump between them.
  const tbl = await db.createTable('stats', data(all.slice(0, 400)), { schema });
  await tbl.add(data(all.slice(400, 800)));
  await tbl.add(data(all.slice(800)));
  await tbl.delete('key % 31 = 5');
  tbl.close();
  return path.join(dir, 'stats.lance');
}

const facet = (id: string): StatsFacet => {
  const f = [...stats.columns.flatMap((c) => c.facets), ...(stats.images?.facets ?? [])].find((x) => x.id === id);
  if (!f) throw new Error(`no facet ${id}`);
  return f;
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The bin a histogram facet puts x in: [edge i, edge i+1), the last bin closed. */
function binOf(f: StatsFacet, x: number): number {
  const e = f.edges as number[];
  for (let i = 0; i < e.length - 1; i++) if (x < (e[i + 1] as number)) return i;
  return e.length - 2;
}

beforeAll(async () => {
  app = await openInApp(t.dir, await writeTable(t.dir));
  const started = (await app.dispatch('stats:start', { id: app.info.id })) as { ok: true; value: { jobId: string } };
  const done = await jobFinished(app.services.events, started.value.jobId);
  expect(done.error).toBeNull();
  const st = (await app.dispatch('stats:status', { id: app.info.id })) as { ok: true; value: StatsStatus };
  stats = st.value.stats as DatasetStats;
}, 60_000);
afterAll(() => {
  app?.services.dispose();
  t.cleanup();
});

describe('statistics of the whole dataset', () => {
  it('counts every row of every fragment, deleted rows left out', () => {
    expect(stats.version).toBe(app.info.version);
    expect(stats.rows).toBe(kept.length);
  });

  it('lists every value of a low-cardinality text with its count, and its nulls', () => {
    const f = facet('NSFW:values');
    expect(f.type).toBe('values');
    const want = new Map<string, number>();
    for (const r of kept) if (r.NSFW !== null) want.set(r.NSFW, (want.get(r.NSFW) ?? 0) + 1);
    expect(Object.fromEntries((f.values as string[]).map((v, i) => [v, f.counts[i]]))).toEqual(Object.fromEntries(want));
    expect(f.values?.[0]).toBe('UNLIKELY'); // most frequent first
    expect(f.nulls).toBe(kept.filter((r) => r.NSFW === null).length);
  });

  it('gives numbers min, max, mean, median, nulls and a histogram that sums to the rows', () => {
    const f = facet('similarity:values');
    const xs = kept.map((r) => r.similarity).filter((x): x is number => x !== null);
    expect(f.nulls).toBe(kept.length - xs.length);
    expect(f.min).toBeCloseTo(Math.min(...xs), 12);
    expect(f.max).toBeCloseTo(Math.max(...xs), 12);
    expect(f.mean).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 10);
    expect(f.median).toBeCloseTo(median(xs), 12);
    const bins = new Array<number>(f.counts.length).fill(0);
    for (const x of xs) bins[binOf(f, x)] = (bins[binOf(f, x)] as number) + 1;
    expect(f.counts).toEqual(bins);
    expect((f.edges as number[])[0]).toBeLessThanOrEqual(Math.min(...xs));
  });

  it('bins whole numbers by whole numbers', () => {
    const f = facet('height:values');
    expect(f.integer).toBe(true);
    const hs = kept.map((r) => r.height);
    const bins = new Array<number>(f.counts.length).fill(0);
    for (const h of hs) bins[binOf(f, h)] = (bins[binOf(f, h)] as number) + 1;
    expect(f.counts).toEqual(bins);
    expect((f.edges as number[]).every(Number.isInteger)).toBe(true);
  });

  it('gives other texts their top values and a length histogram in characters', () => {
    const f = facet('caption:values');
    expect(f.type).toBe('top');
    expect(f.values?.[0]).toBe('a repeated caption');
    expect(f.counts[0]).toBe(kept.filter((r) => r.caption === 'a repeated caption').length);
    expect(f.distinct).toBe(new Set(kept.map((r) => r.caption)).size);
    expect((f.other as number) + f.counts.reduce((a, b) => a + b, 0)).toBe(kept.length);
    const len = facet('caption:length');
    const chars = kept.map((r) => [...r.caption].length);
    expect(len.min).toBe(Math.min(...chars));
    expect(len.max).toBe(Math.max(...chars));
    expect(len.mean).toBeCloseTo(chars.reduce((a, b) => a + b, 0) / chars.length, 10);
    expect(len.filter).toEqual({ by: 'sql', expression: 'char_length(`caption`)' });
  });

  it('counts booleans, list lengths and vector norms', () => {
    const b = facet('flag:values');
    expect(Object.fromEntries((b.values as boolean[]).map((v, i) => [String(v), b.counts[i]]))).toEqual({
      true: kept.filter((r) => r.flag === true).length,
      false: kept.filter((r) => r.flag === false).length,
    });
    expect(b.nulls).toBe(kept.filter((r) => r.flag === null).length);
    const l = facet('tags:length');
    const lens = kept.filter((r) => r.tags !== null).map((r) => (r.tags as number[]).length);
    expect(l.nulls).toBe(kept.length - lens.length);
    expect(l.mean).toBeCloseTo(lens.reduce((a, x) => a + x, 0) / lens.length, 10);
    const n = facet('emb:norm');
    const norms = kept.map((r) => Math.hypot(...r.emb));
    expect(n.max).toBeCloseTo(Math.max(...norms), 5);
    expect(n.median).toBeCloseTo(median(norms), 5);
    expect(n.filter.by).toBe('none');
  });

  it('takes image sizes from the width and height columns, with the aspect, without reading the bytes', () => {
    expect(stats.images?.source).toBe('columns');
    const a = facet('image:aspect');
    const ratios = kept.map((r) => r.width / r.height);
    expect(a.min).toBeCloseTo(Math.min(...ratios), 10);
    expect(a.max).toBeCloseTo(Math.max(...ratios), 10);
    expect(a.filter).toEqual({ by: 'sql', expression: 'CAST(`width` AS DOUBLE) / `height`' });
    expect(stats.columns.find((c) => c.column === 'image')?.why).toMatch(/width and height columns/);
  });

  it("counts a filtered view's rows beside the overall ones", async () => {
    const spec = { kind: 'browse', filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNLIKELY' }], sql: 'similarity > 0.3' } } as const;
    const v = (await app.dispatch('view:open', { id: app.info.id, spec })) as { ok: true; value: ViewInfo };
    const vs = ((await app.dispatch('stats:view', { id: app.info.id, viewId: v.value.viewId })) as { ok: true; value: ViewStats }).value;
    const rows = kept.filter((r) => r.NSFW === 'UNLIKELY' && r.similarity !== null && r.similarity > 0.3);
    expect(vs.rows).toBe(rows.length);
    expect(vs.matched).toBe(rows.length);
    const h = facet('height:values');
    const bins = new Array<number>(h.counts.length).fill(0);
    for (const r of rows) bins[binOf(h, r.height)] = (bins[binOf(h, r.height)] as number) + 1;
    expect(vs.facets['height:values']?.counts).toEqual(bins);
    const f = facet('flag:values');
    expect(vs.facets['flag:values']?.counts).toEqual((f.values as boolean[]).map((x) => rows.filter((r) => r.flag === x).length));
    expect(vs.facets['flag:values']?.nulls).toBe(rows.filter((r) => r.flag === null).length);
    expect(vs.facets['NSFW:values']?.counts).toEqual((facet('NSFW:values').values as string[]).map((x) => (x === 'UNLIKELY' ? rows.length : 0)));
    // A view of most of the table (counted by what it leaves out) agrees with a direct count too.
    const broad = (await app.dispatch('view:open', { id: app.info.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'NSFW', op: 'neq', value: 'NSFW' }] } } })) as { ok: true; value: ViewInfo };
    const bs = ((await app.dispatch('stats:view', { id: app.info.id, viewId: broad.value.viewId })) as { ok: true; value: ViewStats }).value;
    const kept2 = kept.filter((r) => r.NSFW !== null && r.NSFW !== 'NSFW');
    expect(kept2.length).toBeGreaterThan(kept.length / 2);
    expect(bs.matched).toBe(kept2.length);
    const bins2 = new Array<number>(h.counts.length).fill(0);
    for (const r of kept2) bins2[binOf(h, r.height)] = (bins2[binOf(h, r.height)] as number) + 1;
    expect(bs.facets['height:values']?.counts).toEqual(bins2);
    expect(bs.facets['flag:values']?.nulls).toBe(kept2.filter((r) => r.flag === null).length);
    expect(bs.facets['caption:values']?.other).toBe(kept2.filter((r) => r.caption !== 'a repeated caption').length);
    // The plain table: the overall counts.
    const whole = ((await app.dispatch('stats:view', { id: app.info.id, viewId: null })) as { ok: true; value: ViewStats }).value;
    expect(whole.facets['height:values']?.counts).toEqual(h.counts);
  });

  it('keeps the statistics per version in the data folder and reads them on reopen without a scan', async () => {
    const dir = path.join(app.services.dataDir, 'stats');
    const [folder] = readdirSync(dir);
    expect(existsSync(path.join(dir, folder as string, `v${stats.version}.json`))).toBe(true);
    // Another process on the same data folder (openInApp's is t.dir/home): nothing in its memory.
    const again = await openInApp(t.dir, path.join(t.dir, 'stats.lance'));
    try {
      const t0 = performance.now();
      const st = (await again.dispatch('stats:status', { id: again.info.id })) as { ok: true; value: StatsStatus };
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(st.value.stale).toBe(false);
      expect(st.value.stats).toEqual(stats);
      const whole = ((await again.dispatch('stats:view', { id: again.info.id, viewId: null })) as { ok: true; value: ViewStats }).value;
      expect(whole.matched).toBe(kept.length);
    } finally {
      again.services.dispose();
    }
  });

  it('says an older version is stale after a write, and a torn cache file is computed again', async () => {
    const base = path.join(app.services.dataDir, 'stats', readdirSync(path.join(app.services.dataDir, 'stats'))[0] as string);
    const r = await app.dispatch('evolve:add-label-column', { id: app.info.id, name: 'quality', type: 'category', categories: ['good', 'bad'] });
    expect(r.ok).toBe(true);
    const st = (await app.dispatch('stats:status', { id: app.info.id })) as { ok: true; value: StatsStatus };
    expect(st.value.stale).toBe(true);
    expect(st.value.stats?.version).toBe(stats.version);
    const vs = await app.dispatch('stats:view', { id: app.info.id, viewId: null });
    expect(vs.ok).toBe(false);
    // A binary cut short (a full disk, a crash mid-write) is not read as statistics.
    writeFileSync(path.join(base, `v${stats.version}.bin`), Buffer.alloc(10));
    const fresh = await openInApp(t.dir, path.join(t.dir, 'stats.lance'));
    try {
      const again = (await fresh.dispatch('stats:status', { id: fresh.info.id })) as { ok: true; value: StatsStatus };
      expect(again.value.stats).toBeNull();
    } finally {
      fresh.services.dispose();
    }
  });
});

describe('statistics of images without width and height columns', () => {
  it('reads each image header for width, height and aspect', async () => {
    const dir = path.join(t.dir, 'bytes');
    const { Schema, Field, Int64, LargeBinary } = arrow;
    const sizes = [
      [40, 20],
      [30, 30],
      [12, 48],
      [40, 20],
    ] as const;
    const images = await Promise.all(sizes.map(async ([w, h], i) => new Uint8Array(await sharp({ create: { width: w, height: h, channels: 3, background: { r: i * 40, g: 0, b: 0 } } }).png().toBuffer())));
    const db = await lancedb.connect(dir);
    const schema = new Schema([new Field('key', new Int64(), false), new Field('image', new LargeBinary(), true)]);
    (await db.createTable('imgs', images.map((image, i) => ({ key: BigInt(i), image })), { schema })).close();
    const a = await openInApp(dir, path.join(dir, 'imgs.lance'));
    try {
      const s = (await a.dispatch('stats:start', { id: a.info.id })) as { ok: true; value: { jobId: string } };
      expect((await jobFinished(a.services.events, s.value.jobId)).error).toBeNull();
      const st = ((await a.dispatch('stats:status', { id: a.info.id })) as { ok: true; value: StatsStatus }).value.stats as DatasetStats;
      expect(st.images?.source).toBe('bytes');
      const w = st.images?.facets.find((f) => f.id === 'image:width') as StatsFacet;
      expect([w.min, w.max, w.median]).toEqual([12, 40, 35]);
      const asp = st.images?.facets.find((f) => f.id === 'image:aspect') as StatsFacet;
      expect([asp.min, asp.max]).toEqual([0.25, 2]);
      expect(st.columns.find((c) => c.column === 'image')?.facets[0]?.label).toBe('size in bytes');
      // One fragment, no deletions: positions are read straight off the row ids.
      const v = (await a.dispatch('view:open', { id: a.info.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'key', op: 'gte', value: 2 }] } } })) as { ok: true; value: ViewInfo };
      const vs = ((await a.dispatch('stats:view', { id: a.info.id, viewId: v.value.viewId })) as { ok: true; value: ViewStats }).value;
      expect(vs.matched).toBe(2);
      const bins = new Array<number>(w.counts.length).fill(0);
      for (const [x] of sizes.slice(2)) bins[binOf(w, x)] = (bins[binOf(w, x)] as number) + 1;
      expect(vs.facets['image:width']?.counts).toEqual(bins);
    } finally {
      a.services.dispose();
    }
  }, 30_000);
});
