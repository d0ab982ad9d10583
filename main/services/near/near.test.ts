// Near duplicates on a generated table with planted groups: exact copies of a vector, copies moved
// to a cosine similarity of 0.955-0.99 (a re-encoding, a small crop), and decoys moved to 0.90-0.925,
// just outside the default threshold of 0.94, among 8,000 clustered rows (so the job takes its
// cluster path). Groups, recall against an exact search computed here, stop and resume, and the view
// with and without a filter are checked; precision and recall are measured, not assumed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { jobFinished, openInApp, tempDir } from '../../test-support/fixtures';
import { arrow, lancedb } from '../dataset/lance';
import { nearGroups } from './groups';
import { NeighbourLists, K } from './neighbours';
import type { NearCount, NearStatus, RowPage, ViewInfo } from '../../../shared/types';

const DIM = 96;
const t = tempDir('lx-near-');
let app: Awaited<ReturnType<typeof openInApp>>;

let seed = 11;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const unit = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
/** A unit vector at cosine similarity `c` to unit `v`: v plus noise orthogonal to it, of norm sqrt(1/c² - 1). */
function moved(v: Float32Array, c: number): Float32Array {
  const e = Float32Array.from({ length: DIM }, gauss);
  const along = dot(e, v);
  for (let i = 0; i < DIM; i++) e[i] = (e[i] as number) - along * (v[i] as number);
  const r = Math.sqrt(1 / (c * c) - 1) / Math.hypot(...e);
  return unit(v.map((x, i) => x + (e[i] as number) * r));
}

interface Row {
  key: number;
  group: number | null; // planted group, or null
  nsfw: string;
  emb: Float32Array | null;
}
const rows: Row[] = [];
const centres = Array.from({ length: 40 }, () => unit(Float32Array.from({ length: DIM }, gauss)));
const natural = () => moved(centres[Math.floor(rand() * centres.length)] as Float32Array, 0.7);
for (let i = 0; i < 7600; i++) rows.push({ key: 0, group: null, nsfw: 'UNLIKELY', emb: natural() });
const GROUPS = 120;
for (let g = 0; g < GROUPS; g++) {
  const o = natural();
  rows.push({ key: 0, group: g, nsfw: 'UNLIKELY', emb: o });
  const copies = 1 + (g % 4);
  for (let c = 0; c < copies; c++) rows.push({ key: 0, group: g, nsfw: g % 10 === 0 && c === 0 ? 'NSFW' : 'UNLIKELY', emb: c === 0 && g % 3 === 0 ? Float32Array.from(o) : moved(o, 0.955 + rand() * 0.035) });
  if (g % 2 === 0) rows.push({ key: 0, group: null, nsfw: 'UNLIKELY', emb: moved(o, 0.9 + rand() * 0.025) });
}
for (let i = 0; i < 5; i++) rows.push({ key: 0, group: null, nsfw: 'UNLIKELY', emb: null });
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [rows[i], rows[j]] = [rows[j] as Row, rows[i] as Row];
}
rows.forEach((r, i) => (r.key = i));

beforeAll(async () => {
  const { Schema, Field, Int64, Utf8, FixedSizeList, Float32 } = arrow;
  const schema = new Schema([new Field('key', new Int64(), false), new Field('NSFW', new Utf8(), true), new Field('emb', new FixedSizeList(DIM, new Field('item', new Float32(), true)), true)]);
  const db = await lancedb.connect(t.dir);
  const data = rows.map((r) => ({ key: BigInt(r.key), NSFW: r.nsfw, emb: r.emb ? Array.from(r.emb) : null }));
  const tbl = await db.createTable('near', data.slice(0, 3000), { schema });
  await tbl.add(data.slice(3000));
  tbl.close();
  app = await openInApp(t.dir, path.join(t.dir, 'near.lance'));
}, 120_000);
afterAll(() => {
  app?.services.dispose();
  t.cleanup();
});

async function run(column = 'emb'): Promise<void> {
  const s = (await app.dispatch('near:start', { id: app.info.id, column })) as { ok: true; value: { jobId: string } };
  expect(s.ok).toBe(true);
  const f = await jobFinished(app.services.events, s.value.jobId);
  expect(f.error).toBeNull();
}

async function viewGroups(spec: Record<string, unknown>): Promise<{ info: ViewInfo; groups: number[][] }> {
  const v = (await app.dispatch('view:open', { id: app.info.id, spec: { kind: 'duplicates', column: 'emb', ...spec } })) as { ok: true; value: ViewInfo };
  expect(v.ok).toBe(true);
  const p = (await app.dispatch('view:page', { id: app.info.id, viewId: v.value.viewId, offset: 0, limit: Math.max(1, v.value.count) })) as { ok: true; value: RowPage };
  const groups: number[][] = [];
  for (let i = 0; i < p.value.rows.length; ) {
    const size = p.value.rows[i]?.score as number;
    groups.push(p.value.rows.slice(i, i + size).map((r) => Number(r.values.key)));
    i += size;
  }
  return { info: v.value, groups };
}

/** Pair-level precision and recall of found groups against the planted ones. */
function pairScores(found: number[][]): { precision: number; recall: number } {
  const truth = new Map<number, number>();
  for (const r of rows) if (r.group !== null) truth.set(r.key, r.group);
  let truePairs = 0;
  const sizes = new Map<number, number>();
  for (const g of truth.values()) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  for (const n of sizes.values()) truePairs += (n * (n - 1)) / 2;
  let foundPairs = 0;
  let correct = 0;
  for (const g of found)
    for (let i = 0; i < g.length; i++)
      for (let j = i + 1; j < g.length; j++) {
        foundPairs++;
        const a = truth.get(g[i] as number);
        if (a !== undefined && a === truth.get(g[j] as number)) correct++;
      }
  return { precision: foundPairs ? correct / foundPairs : 0, recall: correct / truePairs };
}

describe('near duplicates', () => {
  it('says what is missing before the job, then finds the planted groups with precision and recall >= 0.95', async () => {
    const before = (await app.dispatch('near:status', { id: app.info.id, column: 'emb' })) as { ok: true; value: NearStatus };
    expect(before.value.result).toBeNull();
    expect(before.value.defaultThreshold).toBe(0.94);
    const early = await app.dispatch('view:open', { id: app.info.id, spec: { kind: 'duplicates', column: 'emb', near: 0.94 } });
    expect(early.ok).toBe(false);
    if (!early.ok) expect(early.error.message).toMatch(/not computed yet/);

    await run();
    const st = (await app.dispatch('near:status', { id: app.info.id, column: 'emb' })) as { ok: true; value: NearStatus };
    const r = st.value.result!;
    expect(r.rows).toBe(rows.length);
    expect(r.unusable).toBe(5);
    expect(r.clusters).toBeGreaterThan(1); // the cluster path, not every pair
    // The histogram holds every usable row once; the planted copies sit at the top.
    const h = r.histogram;
    expect(h.counts.reduce((a, b) => a + b, 0) + h.below + h.none).toBe(rows.length);
    expect(h.none).toBe(5);
    const atOrAbove = (x: number) => h.counts.slice(Math.round((x - h.from) / h.width)).reduce((a, b) => a + b, 0);
    const planted = rows.filter((x) => x.group !== null).length;
    expect(atOrAbove(0.95)).toBeGreaterThanOrEqual(planted * 0.95);
    expect(atOrAbove(0.95)).toBeLessThanOrEqual(planted * 1.05);

    const { info, groups } = await viewGroups({ near: 0.94 });
    const { precision, recall } = pairScores(groups);
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(groups.length).toBeGreaterThanOrEqual(GROUPS * 0.95);
    expect(info.notes.join(' ')).toMatch(/groups of near duplicates by emb at cosine similarity 0\.94/);
    // No decoy (0.90-0.925 from its original) is in any group at 0.94.
    const decoyKeys = new Set(rows.filter((x) => x.group === null).map((x) => x.key));
    expect(groups.flat().filter((k) => decoyKeys.has(k))).toEqual([]);
    // The count for the panel agrees with the view.
    const c = (await app.dispatch('near:count', { id: app.info.id, column: 'emb', threshold: 0.94 })) as { ok: true; value: NearCount };
    expect(c.value.groups).toBe(groups.length);
    expect(c.value.rows).toBe(info.count);
    expect(c.value.redundant).toBe(info.count - groups.length);
  }, 120_000);

  it('a lower threshold takes the decoys in, a threshold of 1 only the exact copies', async () => {
    const low = (await app.dispatch('near:count', { id: app.info.id, column: 'emb', threshold: 0.89 })) as { ok: true; value: NearCount };
    const normal = (await app.dispatch('near:count', { id: app.info.id, column: 'emb', threshold: 0.94 })) as { ok: true; value: NearCount };
    expect(low.value.rows - normal.value.rows).toBeGreaterThanOrEqual((GROUPS / 2) * 0.9);
    const { groups } = await viewGroups({ near: 0.9999 });
    const exactPairs = new Set<string>();
    for (let g = 0; g < GROUPS; g += 3) exactPairs.add(String(g));
    expect(groups.length).toBe(exactPairs.size);
    for (const g of groups) expect(g).toHaveLength(2);
  });

  it('keeps each row\u2019s nearest neighbours as an exact search does (recall@10 on a sample)', async () => {
    const sample = rows.filter((r) => r.emb).filter((_, i) => i % 160 === 0);
    const page = (await app.dispatch('rows:page', { id: app.info.id, offset: 0, limit: 1 })) as { ok: true; value: RowPage };
    expect(page.ok).toBe(true);
    // Row ids: the table was written in key order, so a key's row id is its position in its fragment.
    const tbl = await (await lancedb.connect(t.dir)).openTable('near');
    const ids = (await tbl.query().withRowId().select(['key']).toArray()).map((x) => ({ key: Number(x.key), rowId: BigInt(x._rowid) }));
    tbl.close();
    const idOf = new Map(ids.map((x) => [x.key, x.rowId]));
    const keyOf = new Map(ids.map((x) => [x.rowId, x.key]));
    const kept = await app.services.near.neighboursOf(app.info.id, 'emb', sample.map((r) => idOf.get(r.key) as bigint));
    let hits = 0;
    for (const [i, r] of sample.entries()) {
      const exact = rows
        .filter((o) => o.emb && o.key !== r.key)
        .map((o) => ({ key: o.key, s: dot(o.emb!, r.emb!) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, 10)
        .map((x) => x.key);
      const got = new Set((kept[i] ?? []).map((n) => keyOf.get(n.rowId)));
      hits += exact.filter((k) => got.has(k)).length;
    }
    const recall = hits / (sample.length * 10);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('exports like any view: each row once, in the view\'s order, with its group\'s size', async () => {
    const { info, groups } = await viewGroups({ near: 0.94 });
    const target = path.join(t.dir, 'near.csv');
    const r = (await app.dispatch('export:start', { id: app.info.id, viewId: info.viewId, format: 'csv', columns: ['NSFW'], path: target })) as { ok: true; value: { jobId: string } };
    expect(r.ok).toBe(true);
    const event = jobFinished(app.services.events, r.value.jobId);
    const status = (await app.dispatch('job:status', { jobId: r.value.jobId })) as { ok: true; value: { finished: { error: string | null } | null } };
    expect((status.value.finished ?? (await event)).error).toBeNull();
    const lines = (await (await import('node:fs')).promises.readFile(target, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('key,NSFW,score');
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(groups.flat());
    expect(Number(lines[1]!.split(',')[2])).toBe(groups[0]!.length);
  });

  it('a filter keeps only the rows it matches, groups of one dropped', async () => {
    const all = await viewGroups({ near: 0.94 });
    const f = await viewGroups({ near: 0.94, filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNLIKELY' }] } });
    const nsfw = new Set(rows.filter((r) => r.nsfw === 'NSFW').map((r) => r.key));
    expect(f.groups.flat().some((k) => nsfw.has(k))).toBe(false);
    expect(f.groups.every((g) => g.length >= 2)).toBe(true);
    expect(f.info.count).toBeLessThan(all.info.count);
    expect(f.info.notes.join(' ')).toMatch(/among the filtered rows/);
  });

  it('a stopped job keeps its work and the next start goes on from there, with the same groups', async () => {
    const reference = await viewGroups({ near: 0.94 });
    // A new version (a label column) with the same rows: the result stays usable, marked as older.
    const added = await app.dispatch('evolve:add-label-column', { id: app.info.id, name: 'checked', type: 'boolean' });
    expect(added.ok).toBe(true);
    const st = (await app.dispatch('near:status', { id: app.info.id, column: 'emb' })) as { ok: true; value: NearStatus };
    expect(st.value.stale).toBe(true);
    expect(st.value.usable).toBe(true);
    expect((await viewGroups({ near: 0.94 })).groups).toEqual(reference.groups);

    const s = (await app.dispatch('near:start', { id: app.info.id, column: 'emb' })) as { ok: true; value: { jobId: string } };
    const finished = jobFinished(app.services.events, s.value.jobId);
    // Stop once it has compared some clusters.
    await new Promise<void>((resolve) => {
      const off = app.services.events.on('job:progress', (p) => {
        if (p.jobId === s.value.jobId && /^Compared/.test(p.message) && p.done > rows.length * 2 + 1000) {
          off();
          void app.dispatch('job:cancel', { jobId: s.value.jobId });
          resolve();
        }
      });
    });
    const f = await finished;
    expect(f.ok).toBe(false);
    expect(f.error).toMatch(/Stopped\. Find them again to go on/);
    const mid = (await app.dispatch('near:status', { id: app.info.id, column: 'emb' })) as { ok: true; value: NearStatus };
    expect(mid.value.resumable?.done).toBeGreaterThan(1000);
    expect(mid.value.resumable?.total).toBe(rows.length);

    const again = (await app.dispatch('near:start', { id: app.info.id, column: 'emb' })) as { ok: true; value: { jobId: string } };
    const f2 = await jobFinished(app.services.events, again.value.jobId);
    expect(f2.error).toBeNull();
    const after = (await app.dispatch('near:status', { id: app.info.id, column: 'emb' })) as { ok: true; value: NearStatus };
    expect(after.value.result?.resumedFrom).toBe(mid.value.resumable?.done);
    expect(after.value.stale).toBe(false);
    expect(after.value.resumable).toBeNull();
    expect((await viewGroups({ near: 0.94 })).groups).toEqual(reference.groups);
  }, 120_000);

  it('refuses what is not a vector column, and an out-of-range threshold, with a reason', async () => {
    const a = await app.dispatch('near:start', { id: app.info.id, column: 'NSFW' });
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.message).toMatch(/not a vector column; choose one of emb/);
    const b = await app.dispatch('near:count', { id: app.info.id, column: 'emb', threshold: 0.2 });
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error.message).toMatch(/below 0\.5/);
  });
});

describe('groups from neighbour lists', () => {
  it('joins chains (connected components), keeps the threshold, and leaves out rows a filter drops', () => {
    const lists = new NeighbourLists(6);
    // 0~1 at 0.97, 1~2 at 0.95 (a chain), 3~4 at 0.93, 5 alone.
    const edge = (a: number, b: number, s: number) => (lists.offer(a, b, s), lists.offer(b, a, s));
    edge(0, 1, 0.97);
    edge(1, 2, 0.95);
    edge(3, 4, 0.93);
    expect(nearGroups(lists, 0.94)).toEqual([[0, 1, 2]]);
    expect(nearGroups(lists, 0.92)).toEqual([[0, 1, 2], [3, 4]]);
    expect(nearGroups(lists, 0.96)).toEqual([[0, 1]]);
    expect(nearGroups(lists, 0.94, Uint8Array.from([1, 0, 1, 1, 1, 1]))).toEqual([]);
    // An offer below a full list's tenth best, or a repeat, changes nothing.
    for (let j = 1; j <= K + 2; j++) lists.offer(5, j % 6 === 5 ? 0 : j % 6, 0.5 + j / 100);
    const before = Array.from(lists.idx.subarray(5 * K, 6 * K));
    lists.offer(5, 2, 0.4);
    lists.offer(5, 1, 0.99);
    expect(Array.from(lists.idx.subarray(5 * K, 6 * K))).toEqual(before);
  });
});

describe('re-encoded JPEGs', () => {
  const r = tempDir('lx-near-jpeg-');
  afterAll(() => r.cleanup());

  it('a re-encoded or shrunk copy of an image is found as its near duplicate, and distinct images are not', async () => {
    const sharp = (await import('sharp')).default;
    const { imageFeature } = await import('../demo/features');
    const { createHash } = await import('node:crypto');
    let s = 5;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const side = 64;
    /** An image of three random rectangles on a random background. */
    const picture = async () => {
      const px = Buffer.alloc(side * side * 3);
      const colour = () => [rnd() * 255, rnd() * 255, rnd() * 255].map(Math.floor);
      const bg = colour();
      for (let i = 0; i < side * side; i++) px.set(bg, i * 3);
      for (let k = 0; k < 3; k++) {
        const c = colour();
        const [x0, y0] = [Math.floor(rnd() * side), Math.floor(rnd() * side)];
        const [w, h] = [8 + Math.floor(rnd() * 40), 8 + Math.floor(rnd() * 40)];
        for (let y = y0; y < Math.min(side, y0 + h); y++) for (let x = x0; x < Math.min(side, x0 + w); x++) px.set(c, (y * side + x) * 3);
      }
      return new Uint8Array(await sharp(px, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
    };
    const images: Array<{ bytes: Uint8Array; of: number | null }> = [];
    for (let i = 0; i < 200; i++) images.push({ bytes: await picture(), of: null });
    for (let i = 0; i < 30; i++) {
      const o = images[i * 5]!.bytes;
      // A re-encoding at low quality, or a copy shrunk by a fifth: different bytes, the same picture.
      const copy = i % 2 ? await sharp(o).jpeg({ quality: 35 }).toBuffer() : await sharp(o).resize(51, 51).jpeg({ quality: 80 }).toBuffer();
      images.push({ bytes: new Uint8Array(copy), of: i * 5 });
    }
    const { Schema, Field, Int64, Utf8, Binary, FixedSizeList, Float32 } = arrow;
    const schema = new Schema([new Field('key', new Int64(), false), new Field('md5', new Utf8(), true), new Field('image', new Binary(), true), new Field('img_emb', new FixedSizeList(768, new Field('item', new Float32(), true)), true)]);
    const data = [];
    for (const [i, im] of images.entries()) data.push({ key: BigInt(i), md5: createHash('md5').update(im.bytes).digest('hex'), image: im.bytes, img_emb: Array.from(await imageFeature(im.bytes)) });
    const db = await lancedb.connect(r.dir);
    (await db.createTable('pictures', data, { schema })).close();
    const a = await openInApp(r.dir, path.join(r.dir, 'pictures.lance'));
    try {
      // Exact duplicates by md5 find none of the copies.
      const exact = (await a.dispatch('view:open', { id: a.info.id, spec: { kind: 'duplicates', column: 'md5' } })) as { ok: true; value: ViewInfo };
      expect(exact.value.count).toBe(0);
      const s1 = (await a.dispatch('near:start', { id: a.info.id, column: 'img_emb' })) as { ok: true; value: { jobId: string } };
      expect((await jobFinished(a.services.events, s1.value.jobId)).error).toBeNull();
      const v = (await a.dispatch('view:open', { id: a.info.id, spec: { kind: 'duplicates', column: 'img_emb', near: 0.94 } })) as { ok: true; value: ViewInfo };
      const p = (await a.dispatch('view:page', { id: a.info.id, viewId: v.value.viewId, offset: 0, limit: Math.max(1, v.value.count) })) as { ok: true; value: RowPage };
      const found = new Set<string>();
      for (let i = 0; i < p.value.rows.length; ) {
        const size = p.value.rows[i]!.score as number;
        const keys = p.value.rows.slice(i, i + size).map((x) => Number(x.values.key)).sort((x, y) => x - y);
        for (let x = 0; x < keys.length; x++) for (let y = x + 1; y < keys.length; y++) found.add(`${keys[x]}-${keys[y]}`);
        i += size;
      }
      const truth = new Set(images.flatMap((im, i) => (im.of === null ? [] : [`${im.of}-${i}`])));
      const correct = [...found].filter((x) => truth.has(x)).length;
      expect(correct / truth.size).toBeGreaterThanOrEqual(0.95); // recall
      expect(correct / Math.max(1, found.size)).toBeGreaterThanOrEqual(0.95); // precision
    } finally {
      a.services.dispose();
    }
  }, 120_000);
});
