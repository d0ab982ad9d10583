// The embedding map on a generated table with four known clusters: the job writes map_x, map_y and
// map_cluster by key; rows of one cluster land together; a region drawn on the map gives exactly the
// rows inside it (checked against a winding-number test written here, not the app's even-odd rule);
// the map survives reopening and later versions, and rows added later are placed by extending it
// without moving the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { jobFinished, openInApp, tempDir } from '../../test-support/fixtures';
import { arrow, lancedb } from '../dataset/lance';
import { insidePolygon } from '../support/polygon';
import { topEigen } from './pca';
import type { MapStatus, ViewInfo, RowPage } from '../../../shared/types';

const DIM = 64;
const t = tempDir('lx-map-');
let app: Awaited<ReturnType<typeof openInApp>>;
let seed = 21;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const centres = Array.from({ length: 4 }, () => Float32Array.from({ length: DIM }, gauss));
// Each cluster holds 10 tighter groups: a row's nearest neighbours are mostly its group's, so a layout
// that keeps neighbourhoods keeps the groups together.
const groups = centres.map((c) => Array.from({ length: 10 }, () => Float32Array.from(c, (x) => x + gauss() * 0.3)));
const ROWS = 2000;
const truth: number[] = [];
const WORDS = ['harbour', 'violin', 'glacier', 'orchard'];
function row(i: number) {
  const c = i % 4;
  truth[i] = c;
  // Each cluster's captions share one distinctive word among words every cluster uses.
  return { key: BigInt(i), caption: `a photo of the ${WORDS[c]} in the morning, number ${i}`, emb: Array.from(groups[c]![Math.floor(i / 4) % 10] as Float32Array, (x) => x + gauss() * 0.08) };
}
const schema = () => new arrow.Schema([new arrow.Field('key', new arrow.Int64(), false), new arrow.Field('caption', new arrow.Utf8(), true), new arrow.Field('emb', new arrow.FixedSizeList(DIM, new arrow.Field('item', new arrow.Float32(), true)), true)]);

beforeAll(async () => {
  const db = await lancedb.connect(t.dir);
  const tbl = await db.createTable('pts', Array.from({ length: ROWS }, (_, i) => row(i)), { schema: schema() });
  await tbl.createIndex('key', { config: lancedb.Index.btree() });
  tbl.close();
  app = await openInApp(t.dir, path.join(t.dir, 'pts.lance'));
}, 60_000);
afterAll(() => {
  app?.services.dispose();
  t.cleanup();
});

async function make(mode: 'make' | 'extend' = 'make'): Promise<void> {
  const s = (await app.dispatch('map:start', { id: app.info.id, column: 'emb', mode })) as { ok: true; value: { jobId: string } };
  expect(s.ok).toBe(true);
  const f = await jobFinished(app.services.events, s.value.jobId);
  expect(f.error).toBeNull();
}

async function coordinates(): Promise<Map<number, { x: number; y: number; c: number }>> {
  const tbl = await (await lancedb.connect(t.dir)).openTable('pts');
  const rows = await tbl.query().select(['key', 'map_x', 'map_y', 'map_cluster']).toArray();
  tbl.close();
  return new Map(rows.map((r) => [Number(r.key), { x: r.map_x, y: r.map_y, c: r.map_cluster }]));
}

/** The winding number of a closed polygon around a point: non-zero inside (a second, independent rule). */
function winding(x: number, y: number, poly: Array<[number, number]>): number {
  let w = 0;
  for (let i = 0; i < poly.length; i++) {
    const [x1, y1] = poly[i]!;
    const [x2, y2] = poly[(i + 1) % poly.length]!;
    const side = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1);
    if (y1 <= y && y2 > y && side > 0) w++;
    else if (y1 > y && y2 <= y && side < 0) w--;
  }
  return w;
}

describe('the embedding map', () => {
  it('writes every row\u2019s place and cluster, with rows of one cluster together', async () => {
    const before = (await app.dispatch('map:status', { id: app.info.id })) as { ok: true; value: MapStatus };
    expect(before.value.map).toBeNull();
    const version = async () => {
      const tbl = await (await lancedb.connect(t.dir)).openTable('pts');
      const v = await tbl.version();
      tbl.close();
      return v;
    };
    const v0 = await version();
    await make();
    // Each layout is one merge of every row: the PCA map adds the columns and fills them (2 versions),
    // the UMAP map describes itself, brings the key's index up to date and replaces them (3 more): no
    // version holds a half-written map.
    expect(await version()).toBe(v0 + 5);
    const st = (await app.dispatch('map:status', { id: app.info.id })) as { ok: true; value: MapStatus };
    expect(st.value.map).toMatchObject({ column: 'emb', method: 'umap', rows: ROWS, sample: ROWS });
    expect(st.value.missing).toBe(0);
    const info = (await app.dispatch('dataset:info', { id: app.info.id })) as { ok: true; value: { columns: Array<{ name: string }> } };
    expect(info.value.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['map_x', 'map_y', 'map_cluster']));
    const at = await coordinates();
    // Each row's 30 nearest on the map: the share from its own cluster.
    let same = 0;
    const keys = [...at.keys()].filter((_, i) => i % 10 === 0);
    for (const k of keys) {
      const p = at.get(k)!;
      const near = [...at.entries()].filter(([o]) => o !== k).map(([o, q]) => ({ o, d: (q.x - p.x) ** 2 + (q.y - p.y) ** 2 })).sort((a, b) => a.d - b.d).slice(0, 30);
      same += near.filter((n) => truth[n.o] === truth[k]).length / 30;
    }
    expect(same / keys.length).toBeGreaterThan(0.9);
    // The clusters found follow the true ones: each found cluster is mostly one true cluster.
    const byFound = new Map<number, number[]>();
    for (const [k, p] of at) byFound.set(p.c, [...(byFound.get(p.c) ?? []), truth[k] as number]);
    let pure = 0;
    for (const ts of byFound.values()) pure += Math.max(...[0, 1, 2, 3].map((c) => ts.filter((x) => x === c).length));
    expect(pure / ROWS).toBeGreaterThan(0.95);
    // Each found cluster is named by its captions' distinctive word, never by the words all share.
    const names = st.value.map!.names;
    for (const [c, ts] of byFound) {
      const major = [0, 1, 2, 3].sort((p, q) => ts.filter((x) => x === q).length - ts.filter((x) => x === p).length)[0]!;
      expect(names[c]![0]).toBe(WORDS[major]);
      expect(names[c]).not.toContain('morning');
    }
  }, 60_000);

  it('keeps neighbours: most of each row\u2019s 10 nearest in the vector space are among its 30 nearest on the map', async () => {
    const at = await coordinates();
    const tbl = await (await lancedb.connect(t.dir)).openTable('pts');
    const vec = new Map((await tbl.query().select(['key', 'emb']).toArray()).map((r) => [Number(r.key), Float32Array.from(r.emb.toArray())]));
    tbl.close();
    const keys = [...vec.keys()].filter((k) => at.has(k));
    const sampled = keys.filter((_, i) => i % 20 === 0);
    let kept = 0;
    for (const k of sampled) {
      const v = vec.get(k)!;
      const nv = Math.hypot(...v);
      const inSpace = keys.filter((o) => o !== k).map((o) => { const w = vec.get(o)!; return { o, s: w.reduce((a, x, i) => a + x * v[i]!, 0) / (Math.hypot(...w) * nv) }; }).sort((a, b) => b.s - a.s).slice(0, 10).map((x) => x.o);
      const p = at.get(k)!;
      const onMap = new Set(keys.filter((o) => o !== k).map((o) => ({ o, d: (at.get(o)!.x - p.x) ** 2 + (at.get(o)!.y - p.y) ** 2 })).sort((a, b) => a.d - b.d).slice(0, 30).map((x) => x.o));
      kept += inSpace.filter((o) => onMap.has(o)).length / 10;
    }
    expect(kept / sampled.length).toBeGreaterThan(0.65);
  }, 60_000);

  it('a region drawn on the map gives exactly the rows inside it', async () => {
    const at = await coordinates();
    const xs = [...at.values()].map((p) => p.x);
    const ys = [...at.values()].map((p) => p.y);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    // A concave lasso (a star) around one row, so it holds part of a cluster.
    const anchor = at.get(5)!;
    const cx = anchor.x;
    const cy = anchor.y;
    const poly: Array<[number, number]> = Array.from({ length: 14 }, (_, i) => {
      const r = (i % 2 ? 0.04 : 0.1) * Math.min(x1 - x0, y1 - y0);
      const a = (i / 14) * 2 * Math.PI;
      return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    });
    const expected = [...at.entries()].filter(([, p]) => winding(p.x, p.y, poly) !== 0).map(([k]) => k).sort((a, b) => a - b);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.length).toBeLessThan(ROWS / 2);
    const v = (await app.dispatch('view:open', { id: app.info.id, spec: { kind: 'region', polygon: poly } })) as { ok: true; value: ViewInfo };
    expect(v.ok).toBe(true);
    expect(v.value.count).toBe(expected.length);
    const p = (await app.dispatch('view:page', { id: app.info.id, viewId: v.value.viewId, offset: 0, limit: v.value.count })) as { ok: true; value: RowPage };
    expect(p.value.rows.map((r) => Number(r.values.key)).sort((a, b) => a - b)).toEqual(expected);
    // With a filter, the rows inside that the filter keeps.
    const f = (await app.dispatch('view:open', { id: app.info.id, spec: { kind: 'region', polygon: poly, filter: { conditions: [], sql: 'key < 1000' } } })) as { ok: true; value: ViewInfo };
    expect(f.value.count).toBe(expected.filter((k) => k < 1000).length);
  });

  it('keeps the map through reopening and later versions, and extends it to new rows without moving the others', async () => {
    const first = await coordinates();
    await app.dispatch('evolve:add-label-column', { id: app.info.id, name: 'ok', type: 'boolean' });
    const db = await lancedb.connect(t.dir);
    const tbl = await db.openTable('pts');
    await tbl.add(Array.from({ length: 200 }, (_, i) => row(ROWS + i)));
    tbl.close();
    app.services.dispose();
    app = await openInApp(t.dir, path.join(t.dir, 'pts.lance'));
    const st = (await app.dispatch('map:status', { id: app.info.id })) as { ok: true; value: MapStatus };
    expect(st.value.map?.rows).toBe(ROWS);
    expect(st.value.missing).toBe(200);
    await make('extend');
    const after = (await app.dispatch('map:status', { id: app.info.id })) as { ok: true; value: MapStatus };
    expect(after.value.missing).toBe(0);
    expect(after.value.map?.rows).toBe(ROWS + 200);
    const now = await coordinates();
    for (const [k, p] of first) expect(now.get(k)).toEqual(p);
    // The new rows land with their own cluster's rows.
    let ok = 0;
    for (let i = ROWS; i < ROWS + 200; i++) {
      const p = now.get(i)!;
      const nearest = [...first.entries()].map(([o, q]) => ({ o, d: (q.x - p.x) ** 2 + (q.y - p.y) ** 2 })).sort((a, b) => a.d - b.d)[0]!;
      if (truth[nearest.o] === truth[i]) ok++;
    }
    expect(ok / 200).toBeGreaterThan(0.9);
  }, 60_000);

  it('a stopped UMAP fit keeps the PCA map and its layout so far, and the next start goes on from it', async () => {
    const s = (await app.dispatch('map:start', { id: app.info.id, column: 'emb', mode: 'make' })) as { ok: true; value: { jobId: string } };
    const finished = jobFinished(app.services.events, s.value.jobId);
    let pcaVersion = 0;
    await new Promise<void>((resolve) => {
      const off = app.services.events.on('job:progress', (p) => {
        if (p.jobId !== s.value.jobId) return;
        if (p.committedVersion) pcaVersion = p.committedVersion;
        const epoch = Number(/epoch (\d+) of/.exec(p.message)?.[1] ?? 0);
        if (epoch >= 10) {
          off();
          void app.dispatch('job:cancel', { jobId: s.value.jobId });
          resolve();
        }
      });
    });
    const f = await finished;
    expect(f.ok).toBe(false);
    expect(f.error).toMatch(/Stopped\. Make the map again to go on/);
    const mid = (await app.dispatch('map:status', { id: app.info.id })) as { ok: true; value: MapStatus };
    expect(mid.value.map?.method).toBe('pca');
    expect(pcaVersion).toBeGreaterThan(0);
    expect(mid.value.resumable?.epoch).toBeGreaterThanOrEqual(10);
    await make();
    const done = (await app.dispatch('map:status', { id: app.info.id })) as { ok: true; value: MapStatus };
    expect(done.value.map?.method).toBe('umap');
    expect(done.value.map?.resumedFromEpoch).toBe(mid.value.resumable?.epoch);
    expect(done.value.resumable).toBeNull();
  }, 60_000);

  it('refuses a column that is not a vector, and a region with too few points', async () => {
    const a = await app.dispatch('map:start', { id: app.info.id, column: 'caption', mode: 'make' });
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.message).toMatch(/not a vector column; choose one of emb/);
    const b = await app.dispatch('view:open', { id: app.info.id, spec: { kind: 'region', polygon: [[0, 0], [1, 1]] } });
    expect(b.ok).toBe(false);
  });
});

describe('map geometry', () => {
  it('the even-odd rule agrees with the winding number on a concave polygon, NaN points outside', () => {
    const poly: Array<[number, number]> = [[0, 0], [4, 0], [4, 4], [2, 1], [0, 4]];
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 400; i++) (xs.push(-0.5 + (i % 20) * 0.25), ys.push(-0.5 + Math.floor(i / 20) * 0.25));
    xs.push(NaN);
    ys.push(1);
    const got = insidePolygon(xs, ys, poly);
    for (let i = 0; i < 400; i++) expect(got[i], `(${xs[i]}, ${ys[i]})`).toBe(winding(xs[i]!, ys[i]!, poly) !== 0 ? 1 : 0);
    expect(got[400]).toBe(0);
  });

  it('finds the top eigenvectors of a known matrix', () => {
    // diag(5, 3, 1) rotated: the top two eigenvectors span the first two rotated axes.
    const d = 3;
    const a = new Float32Array([5, 0, 0, 0, 3, 0, 0, 0, 1]);
    const { vectors, values } = topEigen(a, d, 2);
    expect(values[0]).toBeCloseTo(5, 4);
    expect(values[1]).toBeCloseTo(3, 4);
    expect(Math.abs(vectors[0]!)).toBeCloseTo(1, 4);
    expect(Math.abs(vectors[d + 1]!)).toBeCloseTo(1, 4);
  });
});
