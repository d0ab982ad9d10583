// The embedding map of a vector column, computed as a job and kept in the dataset itself: `map_x` and
// `map_y` and `map_cluster` (spherical k-means on the vectors, named from the captions), written by
// key, so the map is versioned, filterable and exported with the rows and instant on reopen. A PCA
// layout is written first (seconds), then a UMAP layout fitted on a sample and extended to every row;
// a stopped UMAP fit saves its layout and goes on from it, also after a restart. Rows added later are
// placed among the rows already on the map ("extend") without moving them. map_x's field metadata
// describes the map (column, method, clusters and their names).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { arrow } from '../dataset/lance';
import { assign, fitCentroids, type Assignment } from '../near/clusters';
import { Products } from '../near/matmul';
import { seeded, VectorStore, type ListVector } from '../near/vectors';
import { nearestAnchors } from './anchors';
import { ClusterWords } from './cluster-names';
import { fitPca, project } from './pca';
import { umapLayout, UMAP_NEIGHBOURS } from './umap-layout';
import { committed, rollBack, writeFailure } from '../writes/commit';
import { keyVector, mergeByKey } from '../writes/merge-by-key';
import { AppFailure, classifyReadError, failure, isDiskFull } from '../support/errors';
import { readAhead } from '../support/read-ahead';
import { positionIndex } from '../support/row-positions';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { JobRegistry, ReportProgress } from '../jobs/jobs';
import type { Committed } from '../../../shared/contract';
import type { MapColours, MapInfo, MapPoints, MapStatus } from '../../../shared/types';

export const MAP_X = 'map_x';
export const MAP_Y = 'map_y';
export const MAP_CLUSTER = 'map_cluster';
const META_KEY = 'lance-explorer:map';
const QUIET_MS = 400;
const KMEANS_ITERATIONS = 10;
/** Rows per merge of the map's columns. */
/** Rows the UMAP layout is fitted on; the others are placed among them. */
export const UMAP_SAMPLE = 10_000;
/** Sample rows each other row is placed among. */
const PLACE_NEIGHBOURS = 6;
/** A running UMAP fit saves its layout this often, so a quit loses at most this much. */
const CHECKPOINT_MS = 15_000;

/** What map_x's metadata says of the map. */
interface MapMeta extends MapInfo {
  /** Each cluster's centre on the map (where its name is drawn). */
  centres: Array<[number, number]>;
}

export function clusterCountFor(rows: number): number {
  return Math.max(2, Math.min(48, Math.round(Math.sqrt(rows / 20))));
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export class MapService {
  private readonly jobsByDataset = new Map<string, string>();
  /** Each open version's points, read once from its columns. */
  private readonly points = new Map<string, { out: MapPoints; ids: Float64Array; at: (id: number) => number }>();

  constructor(
    private readonly datasets: DatasetService,
    private readonly jobs: JobRegistry,
    private readonly dataDir: string,
  ) {}

  private async meta(ds: OpenDataset): Promise<MapMeta | null> {
    if (!ds.info.columns.some((c) => c.name === MAP_X) || !ds.info.columns.some((c) => c.name === MAP_Y)) return null;
    try {
      const field = (await ds.table.schema()).fields.find((f) => f.name === MAP_X);
      const text = field?.metadata.get(META_KEY);
      return text ? (JSON.parse(text) as MapMeta) : null;
    } catch {
      return null;
    }
  }

  async status(datasetId: string): Promise<MapStatus> {
    const ds = this.datasets.get(datasetId);
    const meta = await this.meta(ds);
    const jobId = this.jobsByDataset.get(datasetId) ?? null;
    if (!meta) return { map: null, missing: 0, jobId, resumable: null };
    // Rows written since the map was made have no place on it yet (nor do rows without a vector).
    const missing = await ds.table.countRows(`${MAP_X} IS NULL`).catch(() => 0);
    const { centres, ...map } = meta;
    return { map: { ...map, centres }, missing, jobId, resumable: meta.method === 'pca' ? await this.resumable(ds, meta.column) : null };
  }

  /** Make the map of `column` (every row), or extend the existing one to the rows it lacks. */
  start(datasetId: string, column: string, mode: 'make' | 'extend'): { jobId: string } {
    const ds = this.datasets.writable(datasetId);
    const col = ds.info.columns.find((c) => c.name === column);
    if (!col || col.kind !== 'vector' || !col.dim || col.unreadable) {
      throw failure('INVALID_PAYLOAD', ds.info.vectorColumns.length ? `"${column.slice(0, 80)}" is not a vector column; choose one of ${ds.info.vectorColumns.join(', ')}.` : 'This dataset has no vector column to make a map of.');
    }
    if (!ds.info.keyColumn) throw failure('UNSUPPORTED', 'The map is written by key: this dataset has no key column.');
    const running = this.jobsByDataset.get(datasetId);
    if (running) return { jobId: running };
    const { jobId } = this.jobs.start('map', async (report, signal) => {
      try {
        return await this.compute(datasetId, column, col.dim as number, mode, report, signal);
      } finally {
        if (this.jobsByDataset.get(datasetId) === jobId) this.jobsByDataset.delete(datasetId);
      }
    });
    this.jobsByDataset.set(datasetId, jobId);
    return { jobId };
  }

  /** Every row's place on the map, for drawing: coordinates, cluster and row id, as base64 arrays. */
  async mapPoints(datasetId: string): Promise<MapPoints> {
    const ds = this.datasets.get(datasetId);
    const key = `${datasetId}@${ds.info.version}`;
    const hit = this.points.get(key);
    if (hit) return hit.out;
    const meta = await this.meta(ds);
    if (!meta) throw failure('NOT_FOUND', 'This dataset has no map yet: make one from the Map view.');
    const xs: number[] = [];
    const ys: number[] = [];
    const cs: number[] = [];
    const ids: number[] = [];
    try {
      for await (const b of readAhead(ds.table.query().where(`${MAP_X} IS NOT NULL AND ${MAP_Y} IS NOT NULL`).select([MAP_X, MAP_Y, MAP_CLUSTER]).withRowId())) {
        const x = b.getChild(MAP_X)!.toArray() as Float32Array;
        const y = b.getChild(MAP_Y)!.toArray() as Float32Array;
        const c = b.getChild(MAP_CLUSTER);
        const id = b.getChild('_rowid')!.toArray() as BigUint64Array;
        for (let i = 0; i < b.numRows; i++) {
          xs.push(x[i] as number);
          ys.push(y[i] as number);
          cs.push(c?.isValid(i) ? Number(c.get(i)) : 255);
          ids.push(Number(id[i]));
        }
      }
    } catch (err) {
      throw classifyReadError(err, 'Reading the map');
    }
    const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    const { centres, ...map } = meta;
    const out: MapPoints = { map: { ...map, centres }, count: xs.length, x: b64(Float32Array.from(xs)), y: b64(Float32Array.from(ys)), cluster: b64(Uint8Array.from(cs, (v) => Math.min(255, v))), rowIds: b64(Float64Array.from(ids)) };
    this.points.clear(); // one version's points at a time (17 MB at a million rows)
    const rowIds = Float64Array.from(ids);
    this.points.set(key, { out, ids: rowIds, at: positionIndex(rowIds) });
    return out;
  }

  private async pointIndex(datasetId: string) {
    const ds = this.datasets.get(datasetId);
    await this.mapPoints(datasetId);
    return { ds, p: this.points.get(`${datasetId}@${ds.info.version}`)! };
  }

  /** 1 for each point (in the order mapPoints gives) whose row is among `rowIds`; null rowIds: every row. */
  async mask(datasetId: string, rowIds: BigUint64Array | null): Promise<{ count: number; inView: number; mask: string }> {
    const { p } = await this.pointIndex(datasetId);
    const n = p.ids.length;
    const mask = new Uint8Array(n);
    let inView = 0;
    if (!rowIds) (mask.fill(1), (inView = n));
    else
      for (const id of rowIds) {
        const at = p.at(Number(id));
        if (at >= 0 && !mask[at]) ((mask[at] = 1), inView++);
      }
    return { count: n, inView, mask: Buffer.from(mask).toString('base64') };
  }

  /**
   * Each point's colour code by a column: its 11 most frequent values and "other" for texts, booleans
   * and labels; 12 bins of equal counts for numbers; 255 for a null.
   */
  async colours(datasetId: string, column: string): Promise<MapColours> {
    const { ds, p } = await this.pointIndex(datasetId);
    const col = ds.info.columns.find((c) => c.name === column);
    if (!col || col.unreadable || !['string', 'bool', 'int', 'float'].includes(col.kind)) throw failure('INVALID_PAYLOAD', `The map can be coloured by a text, boolean or number column; "${column.slice(0, 80)}" is not one.`);
    const n = p.ids.length;
    const values: unknown[] = new Array(n).fill(null);
    try {
      for await (const b of readAhead(ds.table.query().where(`${MAP_X} IS NOT NULL AND ${MAP_Y} IS NOT NULL`).select([col.name]).withRowId())) {
        const v = b.getChild(col.name)!;
        const id = b.getChild('_rowid')!.toArray() as BigUint64Array;
        for (let i = 0; i < b.numRows; i++) {
          const at = p.at(Number(id[i]));
          if (at >= 0) values[at] = v.isValid(i) ? v.get(i) : null;
        }
      }
    } catch (err) {
      throw classifyReadError(err, `Reading ${col.name}`);
    }
    const codes = new Uint8Array(n).fill(255);
    const legend: MapColours['legend'] = [];
    if (col.kind === 'int' || col.kind === 'float') {
      const nums = values.map((v) => (v === null ? NaN : Number(v)));
      const sorted = nums.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
      const edges = Array.from({ length: 13 }, (_, i) => sorted[Math.min(sorted.length - 1, Math.floor((i / 12) * sorted.length))] as number);
      for (let i = 0; i < n; i++) {
        const x = nums[i] as number;
        if (!Number.isFinite(x)) continue;
        let b = 0;
        while (b < 11 && x >= (edges[b + 1] as number)) b++;
        codes[i] = b;
      }
      for (let b = 0; b < 12; b++) legend.push({ label: `${+(edges[b] as number).toPrecision(4)}–${+(edges[b + 1] as number).toPrecision(4)}`, count: 0 });
    } else {
      const counts = new Map<string, number>();
      for (const v of values) if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, counts.size > 12 ? 11 : 12);
      const code = new Map(top.map(([v], i) => [v, i]));
      for (let i = 0; i < n; i++) if (values[i] !== null) codes[i] = code.get(String(values[i])) ?? 11;
      for (const [v] of top) legend.push({ label: v.slice(0, 60), count: 0 });
      if (counts.size > 12) legend.push({ label: `${counts.size - 11} other values`, count: 0 });
    }
    let nulls = 0;
    for (const c of codes) if (c === 255) nulls++;
    else (legend[c] as { count: number }).count++;
    return { column: col.name, kind: col.kind === 'int' || col.kind === 'float' ? 'range' : 'values', codes: Buffer.from(codes).toString('base64'), legend, nulls };
  }

  private async compute(datasetId: string, column: string, dim: number, mode: 'make' | 'extend', report: ReportProgress, signal: AbortSignal): Promise<Committed & { rows: number }> {
    const t0 = performance.now();
    let ds = this.datasets.writable(datasetId);
    const keyCol = ds.info.keyColumn as string;
    const captionCol = ds.info.captionColumn;
    const fmt = (n: number) => n.toLocaleString('en-US');
    const old = await this.meta(ds);
    if (mode === 'extend' && (!old || old.column !== column)) throw failure('NOT_FOUND', `There is no map of ${column} to extend: make one.`);
    const extending = mode === 'extend';
    const checkpoint = !extending ? await this.readCheckpoint(ds, column) : null;
    const total = ds.info.rowCount;
    // Progress: reading, clusters and the PCA map, the UMAP sample's epochs, placing every row.
    const steps = total * 4;
    const cancelled = () => failure('CANCELLED', extending ? 'Stopped; nothing was written.' : 'Stopped. Make the map again to go on from where it stopped.');
    const step = async (done: number, message: string, extra?: { committedVersion?: number }) => {
      report(Math.min(done, steps), steps, message, undefined, extra);
      if (signal.aborted) throw cancelled();
      if (this.datasets.activity.busy(QUIET_MS)) {
        report(Math.min(done, steps), steps, `${message} (paused while you browse)`);
        await this.datasets.activity.quiet(QUIET_MS, signal);
      }
      await new Promise((r) => setImmediate(r));
    };
    const guard = async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (err) {
        if (err instanceof DOMException || signal.aborted) throw cancelled();
        throw err;
      }
    };

    // 1. Every vector (made unit length), with its key, caption and (to extend) its place so far.
    const store = new VectorStore(dim);
    const keys: Array<string | number | bigint> = [];
    const captions: Array<string | null> = [];
    const placed: number[] = []; // extend: the map's x, y, cluster of each row (NaN when it has none)
    report(0, steps, `Reading ${column} of ${fmt(total)} rows…`);
    try {
      const cols = [column, keyCol, ...(captionCol ? [captionCol] : []), ...(extending ? [MAP_X, MAP_Y, MAP_CLUSTER] : [])];
      let last = 0;
      for await (const b of readAhead(ds.table.query().select([...new Set(cols)]))) {
        store.add(b.getChild(column) as unknown as ListVector);
        const k = b.getChild(keyCol)!;
        const c = captionCol ? b.getChild(captionCol) : null;
        const mx = extending ? b.getChild(MAP_X) : null;
        const my = extending ? b.getChild(MAP_Y) : null;
        const mc = extending ? b.getChild(MAP_CLUSTER) : null;
        for (let i = 0; i < b.numRows; i++) {
          keys.push(k.get(i) as string | number | bigint);
          captions.push(c ? ((c.get(i) as string | null) ?? null) : null);
          if (extending) placed.push(mx!.isValid(i) ? Number(mx!.get(i)) : NaN, my!.isValid(i) ? Number(my!.get(i)) : NaN, mc?.isValid(i) ? Number(mc.get(i)) : -1);
        }
        if (store.rows - last >= 20_000) {
          last = store.rows;
          await step(store.rows, `Read ${fmt(store.rows)} of ${fmt(total)} vectors`);
        }
      }
    } catch (err) {
      if (err instanceof AppFailure) throw err;
      throw classifyReadError(err, `Reading ${column}`);
    }
    const n = store.rows;
    if (!n) throw failure('NOT_FOUND', 'The dataset has no rows to map.');
    // How long each stage took (ms), kept with the map: where a million rows' minutes go.
    const stages: Record<string, number> = {};
    let mark = t0;
    const lap = (name: string) => {
      const now = performance.now();
      stages[name] = Math.round(now - mark);
      mark = now;
    };
    lap('read');
    const usable = Int32Array.from({ length: n }, (_, i) => i).filter((i) => store.usable(i));
    const products = new Products(dim);
    try {
      // 2. Clusters by spherical k-means on the vectors (seeded: a resumed run finds the same ones).
      const k = extending ? (old as MapMeta).clusters : clusterCountFor(usable.length);
      await step(n, `Finding ${k} clusters…`);
      const a = await guard(async () => {
        const centroids = await fitCentroids(products, store, k, { iterations: KMEANS_ITERATIONS, signal, onIteration: (i) => report(n, steps, `Finding ${k} clusters (round ${i})…`) });
        return assign(products, store, centroids, k, { signal, onBlock: (done) => step(n + done / 2, `Placed ${fmt(done)} of ${fmt(n)} rows in ${k} clusters`) });
      });
      lap('clusters');
      if (extending) return await this.extend(ds, column, store, keys, placed, a, products, old as MapMeta, { step, guard, t0, n, signal });

      // 3. The PCA layout, written at once so the map shows in seconds.
      let cluster = a.first;
      const words = new ClusterWords(k);
      for (let i = 0; i < n; i++) words.add(cluster[i] as number, captions[i]);
      const names = words.names().map((x) => x.words);
      let pcaXY: { x: Float32Array; y: Float32Array };
      if (checkpoint && old?.column === column && old.method === 'pca' && checkpoint.rows === n) {
        // A stopped run's PCA map is there: read its coordinates for the sample's start.
        pcaXY = await this.readXY(ds, n);
        await step(n * 1.5, `Going on with the UMAP layout from epoch ${checkpoint.epoch}`);
        lap('pca');
      } else {
        await step(n * 1.5, `Fitting the PCA layout on a sample of ${fmt(Math.min(20_000, usable.length))} rows…`);
        const pca = await guard(() => fitPca(store, signal));
        pcaXY = project(store, pca);
        lap('pca');
        const first: MapInfo = { column, method: 'pca', madeAtVersion: ds.info.version, rows: usable.length, clusters: k, names, explained: [round6(pca.explained[0]), round6(pca.explained[1])], tookMs: Math.round(performance.now() - t0) };
        const done = await this.write(ds, keys, usable, pcaXY.x, pcaXY.y, cluster, first, `made a PCA map of ${fmt(usable.length)} rows (${MAP_X}, ${MAP_Y}, ${MAP_CLUSTER} from ${column}, ${k} clusters)`);
        ds = this.datasets.writable(datasetId);
        await step(n * 2, 'The PCA map is written; fitting the UMAP layout on a sample…', { committedVersion: done.version });
        lap('pca_write');
      }

      // 4. UMAP on a sample, started from its PCA places (or where a stopped run left it).
      const sample = sampleOf(usable, UMAP_SAMPLE);
      const s = sample.length;
      const graph = await guard(() => nearestAnchors(products, store, a, sample, sample, UMAP_NEIGHBOURS, { same: true, signal }));
      lap('graph');
      const resume = checkpoint && checkpoint.sample === s && checkpoint.rows === n ? checkpoint : null;
      const init = resume ? resume.layout : Float32Array.from({ length: s * 2 }, (_, i) => ((i & 1 ? pcaXY.y : pcaXY.x)[sample[i >> 1] as number] as number));
      let lastSave = performance.now();
      let reached: { epoch: number; layout: () => Float32Array } | null = null;
      const layout = await guard(() =>
        umapLayout(s, graph, {
          init,
          startEpoch: resume?.epoch ?? 0,
          signal,
          onEpoch: async (epoch, epochs, current) => {
            reached = { epoch, layout: current };
            if (performance.now() - lastSave > CHECKPOINT_MS) {
              lastSave = performance.now();
              await this.writeCheckpoint(ds, column, { rows: n, sample: s, epoch, layout: current() });
            }
            await step(n * 2 + (epoch / epochs) * n, `UMAP layout of a ${fmt(s)}-row sample: epoch ${epoch} of ${epochs}`);
          },
        }).catch(async (err) => {
          // Stopped: keep the layout so far, so the next start (or a restart) goes on from it.
          const r = reached as { epoch: number; layout: () => Float32Array } | null;
          if (signal.aborted) await this.writeCheckpoint(ds, column, r ? { rows: n, sample: s, epoch: r.epoch, layout: r.layout() } : { rows: n, sample: s, epoch: -1, layout: new Float32Array(0) }).catch(() => {});
          throw err;
        }),
      );
      lap('umap');
      // 5. Every other row placed among the sample rows most like it.
      const x = new Float32Array(n).fill(NaN);
      const y = new Float32Array(n).fill(NaN);
      sample.forEach((r, i) => ((x[r] = layout[2 * i] as number), (y[r] = layout[2 * i + 1] as number)));
      const inSample = new Uint8Array(n);
      for (const r of sample) inSample[r] = 1;
      const rest = usable.filter((r) => !inSample[r]);
      await this.placeAmong(products, store, a, rest, sample, (j) => [layout[2 * j] as number, layout[2 * j + 1] as number], x, y, { signal, guard, step: (done) => step(n * 3 + (done / Math.max(1, rest.length)) * n, `Placed ${fmt(done)} of ${fmt(rest.length)} rows among the sample's`) });
      cluster = a.first;
      lap('place');
      const info: MapInfo = { column, method: 'umap', madeAtVersion: ds.info.version, rows: usable.length, clusters: k, names, explained: [0, 0], sample: s, tookMs: Math.round(performance.now() - t0), ...(resume ? { resumedFromEpoch: resume.epoch } : {}), stages };
      const done = await this.write(ds, keys, usable, x, y, cluster, info, `made a UMAP map of ${fmt(usable.length)} rows (fitted on ${fmt(s)}, ${k} clusters)`);
      await this.dropCheckpoint(ds, column);
      return { ...done, rows: usable.length };
    } finally {
      await products.close();
    }
  }

  /** New rows placed among a sample of the rows already on the map (any layout), clusters from their nearest. */
  private async extend(
    ds: OpenDataset,
    column: string,
    store: VectorStore,
    keys: Array<string | number | bigint>,
    placed: number[],
    a: Assignment,
    products: Products,
    old: MapMeta,
    ctx: { step(done: number, message: string): Promise<void>; guard<T>(w: () => Promise<T>): Promise<T>; t0: number; n: number; signal: AbortSignal },
  ): Promise<Committed & { rows: number }> {
    const { n } = ctx;
    const fmt = (v: number) => v.toLocaleString('en-US');
    const on = Int32Array.from({ length: n }, (_, i) => i).filter((i) => store.usable(i) && Number.isFinite(placed[3 * i] as number));
    const off = Int32Array.from({ length: n }, (_, i) => i).filter((i) => store.usable(i) && !Number.isFinite(placed[3 * i] as number));
    if (!off.length) throw failure('NOT_FOUND', 'Every row with a vector is on the map already.');
    if (!on.length) throw failure('NOT_FOUND', 'No row is on the map to place the new ones among: make the map again.');
    const anchors = sampleOf(on, UMAP_SAMPLE);
    const x = new Float32Array(n).fill(NaN);
    const y = new Float32Array(n).fill(NaN);
    const cluster = new Int32Array(n).fill(-1);
    const found = await this.placeAmong(products, store, a, off, anchors, (j) => [placed[3 * (anchors[j] as number)] as number, placed[3 * (anchors[j] as number) + 1] as number], x, y, {
      signal: ctx.signal,
      guard: ctx.guard,
      step: (done) => ctx.step(n * 2 + (done / off.length) * n, `Placed ${fmt(done)} of ${fmt(off.length)} new rows among the map's`),
    });
    // Each new row joins the cluster of the anchor most like it.
    off.forEach((r, q) => {
      const j = found.idx[q * found.k] as number;
      cluster[r] = j >= 0 ? (placed[3 * (anchors[j] as number) + 2] as number) : -1;
    });
    const info: MapInfo = { ...stripFrame(old), rows: old.rows + off.length, tookMs: Math.round(performance.now() - ctx.t0) };
    const done = await this.write(ds, keys, off, x, y, cluster, info, `placed ${fmt(off.length)} new rows on the map of ${column}`);
    return { ...done, rows: off.length };
  }

  /** Each of `rows` at the similarity-weighted mean place of its nearest anchors. */
  private async placeAmong(
    products: Products,
    store: VectorStore,
    a: Assignment,
    rows: Int32Array,
    anchors: Int32Array,
    placeOf: (anchor: number) => [number, number],
    x: Float32Array,
    y: Float32Array,
    ctx: { signal: AbortSignal; guard<T>(w: () => Promise<T>): Promise<T>; step(done: number): Promise<void> },
  ) {
    const found = await ctx.guard(() => nearestAnchors(products, store, a, rows, anchors, PLACE_NEIGHBOURS, { signal: ctx.signal, onCluster: (done) => ctx.step(done) }));
    for (let q = 0; q < rows.length; q++) {
      let sx = 0;
      let sy = 0;
      let sw = 0;
      for (let t = q * found.k; t < q * found.k + found.k; t++) {
        const j = found.idx[t] as number;
        if (j < 0) continue;
        // Closer anchors pull harder: weights fall off with the angular distance.
        const d = Math.sqrt(Math.max(0, 2 - 2 * (found.sim[t] as number)));
        const w = 1 / (d + 0.02) ** 2;
        const [px, py] = placeOf(j);
        sx += w * px;
        sy += w * py;
        sw += w;
      }
      const r = rows[q] as number;
      x[r] = sw ? sx / sw : NaN;
      y[r] = sw ? sy / sw : NaN;
    }
    return found;
  }

  /** Write the rows' places by key (columns added first when missing), the map's description on map_x. */
  private async write(ds: OpenDataset, keys: Array<string | number | bigint>, rows: Int32Array, x: Float32Array, y: Float32Array, cluster: Int32Array, info: MapInfo, note: string): Promise<Committed> {
    const keyCol = ds.info.keyColumn as string;
    const start = ds.info.version;
    const datasetId = ds.info.id;
    let changed = false;
    const metadata = new Map([[META_KEY, JSON.stringify({ ...info, centres: clusterCentres(x, y, cluster, info.clusters, rows) } satisfies MapMeta)]]);
    try {
      if (!ds.info.columns.some((c) => c.name === MAP_X)) {
        await ds.table.addColumns([new arrow.Field(MAP_X, new arrow.Float32(), true, metadata), new arrow.Field(MAP_Y, new arrow.Float32(), true), new arrow.Field(MAP_CLUSTER, new arrow.Int32(), true)]);
      } else await ds.table.updateFieldMetadata([{ path: MAP_X, metadata: Object.fromEntries(metadata) }]);
      changed = true;
      const schema = await ds.table.schema();
      const keyType = schema.fields.find((f) => f.name === keyCol)!.type;
      const keep = Array.from(rows).filter((i) => Number.isFinite(x[i] as number) && Number.isFinite(y[i] as number));
      await mergeByKey(ds, keep.length, (from, to) => {
        const part = keep.slice(from, to);
        return new arrow.Table({
          [keyCol]: keyVector(part.map((i) => keys[i] as string | number | bigint), keyType),
          [MAP_X]: arrow.vectorFromArray(part.map((i) => x[i] as number), new arrow.Float32()),
          [MAP_Y]: arrow.vectorFromArray(part.map((i) => y[i] as number), new arrow.Float32()),
          [MAP_CLUSTER]: arrow.vectorFromArray(part.map((i) => ((cluster[i] as number) >= 0 ? (cluster[i] as number) : null)), new arrow.Int32()),
        });
      });
      this.datasets.rows.lost(datasetId);
      this.points.clear();
      return await committed(this.datasets, datasetId, note);
    } catch (err) {
      if (changed) await rollBack(this.datasets, datasetId, start, 'writing the map');
      throw writeFailure(err, 'The map could not be written');
    }
  }

  /** The coordinates the map holds now, in scan order (a resumed run's start). */
  private async readXY(ds: OpenDataset, n: number): Promise<{ x: Float32Array; y: Float32Array }> {
    const x = new Float32Array(n).fill(NaN);
    const y = new Float32Array(n).fill(NaN);
    let i = 0;
    for await (const b of readAhead(ds.table.query().select([MAP_X, MAP_Y]))) {
      const bx = b.getChild(MAP_X)!;
      const by = b.getChild(MAP_Y)!;
      for (let r = 0; r < b.numRows && i < n; r++, i++) ((x[i] = bx.isValid(r) ? Number(bx.get(r)) : NaN), (y[i] = by.isValid(r) ? Number(by.get(r)) : NaN));
    }
    return { x, y };
  }

  // ---- a stopped UMAP run: <dataDir>/map/<dataset, column>.json + .bin (its layout), for the version it belongs to ----

  private checkpointBase(ds: OpenDataset, column: string): string {
    return path.join(this.dataDir, 'map', createHash('sha256').update(`${path.resolve(ds.info.path)}\0${ds.info.table}\0${column}`).digest('hex').slice(0, 24));
  }

  private async readCheckpoint(ds: OpenDataset, column: string): Promise<{ rows: number; sample: number; epoch: number; layout: Float32Array } | null> {
    try {
      const base = this.checkpointBase(ds, column);
      const meta = JSON.parse(await fs.readFile(`${base}.json`, 'utf8')) as { version: number; rows: number; sample: number; epoch: number };
      if (meta.version !== ds.info.version || meta.epoch < 0) return null;
      const buf = await fs.readFile(`${base}.bin`);
      if (buf.length !== meta.sample * 8) return null;
      return { ...meta, layout: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)) };
    } catch {
      return null;
    }
  }

  /** What a restart may go on from (epoch -1: the run stopped before its first save: only the PCA map). */
  async resumable(ds: OpenDataset, column: string): Promise<{ epoch: number } | null> {
    try {
      const meta = JSON.parse(await fs.readFile(`${this.checkpointBase(ds, column)}.json`, 'utf8')) as { version: number; epoch: number };
      return meta.version === ds.info.version ? { epoch: Math.max(0, meta.epoch) } : null;
    } catch {
      return null;
    }
  }

  private async writeCheckpoint(ds: OpenDataset, column: string, c: { rows: number; sample: number; epoch: number; layout: Float32Array }): Promise<void> {
    try {
      const base = this.checkpointBase(ds, column);
      await fs.mkdir(path.dirname(base), { recursive: true });
      if (c.epoch >= 0) {
        await fs.writeFile(`${base}.bin.tmp`, Buffer.from(c.layout.buffer, c.layout.byteOffset, c.layout.byteLength));
        await fs.rename(`${base}.bin.tmp`, `${base}.bin`);
      }
      const prev = c.epoch >= 0 ? null : await fs.readFile(`${base}.json`, 'utf8').then((t) => JSON.parse(t) as { version: number; epoch: number }).catch(() => null);
      // A stop before the first save keeps the PCA map (and what an earlier save of this version holds).
      const epoch = c.epoch >= 0 ? c.epoch : prev && prev.version === ds.info.version ? prev.epoch : -1;
      await fs.writeFile(`${base}.json.tmp`, JSON.stringify({ version: ds.info.version, rows: c.rows, sample: c.sample, epoch }));
      await fs.rename(`${base}.json.tmp`, `${base}.json`);
    } catch (err) {
      if (!isDiskFull(err)) throw err; // a full disk loses only the chance to resume
    }
  }

  private async dropCheckpoint(ds: OpenDataset, column: string): Promise<void> {
    const base = this.checkpointBase(ds, column);
    for (const ext of ['json', 'bin']) await fs.rm(`${base}.${ext}`, { force: true });
  }
}


/** At most `max` of `rows`, spread evenly and seeded (the same rows every run). */
export function sampleOf(rows: Int32Array, max: number): Int32Array {
  if (rows.length <= max) return rows;
  const rand = seeded(0x5a11);
  const pick = Int32Array.from(rows);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rand() * (pick.length - i));
    [pick[i], pick[j]] = [pick[j] as number, pick[i] as number];
  }
  return pick.subarray(0, max).sort();
}

const stripFrame = (m: MapMeta): MapInfo => {
  const { centres: _c, ...info } = m;
  return info;
};

function clusterCentres(x: Float32Array, y: Float32Array, cluster: Int32Array, k: number, rows: Int32Array): Array<[number, number]> {
  const sx = new Float64Array(k);
  const sy = new Float64Array(k);
  const n = new Float64Array(k);
  for (const i of rows) {
    const c = cluster[i] as number;
    if (c < 0 || !Number.isFinite(x[i] as number)) continue;
    sx[c] = (sx[c] as number) + (x[i] as number);
    sy[c] = (sy[c] as number) + (y[i] as number);
    n[c] = (n[c] as number) + 1;
  }
  return Array.from({ length: k }, (_, c) => [round6((sx[c] as number) / ((n[c] as number) || 1)), round6((sy[c] as number) / ((n[c] as number) || 1))] as [number, number]);
}
