// The embedding map of a vector column, computed as a job and kept in the dataset itself: `map_x` and
// `map_y` (a PCA layout) and `map_cluster` (spherical k-means on the vectors), written by key, so the
// map is versioned, filterable and exported with the rows and instant on reopen. The layout's frame
// (mean and directions) is kept in map_x's field metadata, so rows added later are placed in the same
// frame ("extend") without moving the others.
import { arrow } from '../dataset/lance';
import { assign, fitCentroids } from '../near/clusters';
import { Products } from '../near/matmul';
import { VectorStore, type ListVector } from '../near/vectors';
import { fitPca, project, type Pca } from './pca';
import { committed, rollBack, writeFailure } from '../writes/commit';
import { AppFailure, classifyReadError, failure } from '../support/errors';
import { readAhead } from '../support/read-ahead';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { JobRegistry, ReportProgress } from '../jobs/jobs';
import type { Committed } from '../../../shared/contract';
import type { MapInfo, MapPoints, MapStatus } from '../../../shared/types';

export const MAP_X = 'map_x';
export const MAP_Y = 'map_y';
export const MAP_CLUSTER = 'map_cluster';
const META_KEY = 'lance-explorer:map';
const QUIET_MS = 400;
const KMEANS_ITERATIONS = 10;

/** What map_x's metadata says of the map (the frame, to place new rows the same way). */
interface MapMeta extends MapInfo {
  mean: number[];
  components: number[];
  /** Each cluster's centre on the map, for rows placed later. */
  centres: Array<[number, number]>;
}

export function clusterCountFor(rows: number): number {
  return Math.max(2, Math.min(48, Math.round(Math.sqrt(rows / 20))));
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export class MapService {
  private readonly jobsByDataset = new Map<string, string>();
  /** Each open version's points, read once from its columns. */
  private readonly points = new Map<string, MapPoints>();

  constructor(
    private readonly datasets: DatasetService,
    private readonly jobs: JobRegistry,
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
    if (!meta) return { map: null, missing: 0, jobId };
    // Rows written since the map was made have no place on it yet (nor do rows without a vector).
    const missing = await ds.table.countRows(`${MAP_X} IS NULL`).catch(() => 0);
    const { mean: _m, components: _c, centres: _z, ...map } = meta;
    return { map, missing, jobId };
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
    if (hit) return hit;
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
    const { mean: _m, components: _c, centres: _z, ...map } = meta;
    const out: MapPoints = { map, count: xs.length, x: b64(Float32Array.from(xs)), y: b64(Float32Array.from(ys)), cluster: b64(Uint8Array.from(cs, (v) => Math.min(255, v))), rowIds: b64(Float64Array.from(ids)) };
    this.points.clear(); // one version's points at a time (17 MB at a million rows)
    this.points.set(key, out);
    return out;
  }

  private async compute(datasetId: string, column: string, dim: number, mode: 'make' | 'extend', report: ReportProgress, signal: AbortSignal): Promise<Committed & { rows: number }> {
    const t0 = performance.now();
    const ds = this.datasets.writable(datasetId);
    const keyCol = ds.info.keyColumn as string;
    const fmt = (n: number) => n.toLocaleString('en-US');
    const old = mode === 'extend' ? await this.meta(ds) : null;
    if (mode === 'extend' && (!old || old.column !== column)) throw failure('NOT_FOUND', `There is no map of ${column} to extend: make one.`);
    const hasMap = ds.info.columns.some((c) => c.name === MAP_X);
    const where = mode === 'extend' && hasMap ? `${MAP_X} IS NULL` : null;
    const total = where ? await ds.table.countRows(where) : ds.info.rowCount;
    const steps = total * 2;
    const step = async (done: number, message: string) => {
      report(Math.min(done, steps), steps, message);
      if (signal.aborted) throw failure('CANCELLED', 'The map was stopped; nothing was written.');
      if (this.datasets.activity.busy(QUIET_MS)) {
        report(Math.min(done, steps), steps, `${message} (paused while you browse)`);
        await this.datasets.activity.quiet(QUIET_MS, signal);
      }
      await new Promise((r) => setImmediate(r));
    };
    // 1. Every vector (made unit length) with its row's key.
    const store = new VectorStore(dim);
    const keys: Array<string | number | bigint> = [];
    report(0, steps, `Reading ${column} of ${fmt(total)} rows…`);
    try {
      let q = ds.table.query().select([column, keyCol]);
      if (where) q = q.where(where);
      let last = 0;
      for await (const b of readAhead(q)) {
        store.add(b.getChild(column) as unknown as ListVector);
        const k = b.getChild(keyCol)!;
        for (let i = 0; i < b.numRows; i++) keys.push(k.get(i) as string | number | bigint);
        if (store.rows - last >= 20_000) {
          last = store.rows;
          await step(store.rows, `Read ${fmt(store.rows)} of ${fmt(total)} vectors`);
        }
      }
    } catch (err) {
      if (err instanceof AppFailure) throw err;
      throw classifyReadError(err, `Reading ${column}`);
    }
    if (!store.rows) throw failure('NOT_FOUND', mode === 'extend' ? 'Every row is on the map already.' : 'The dataset has no rows to map.');
    // 2. The layout: a PCA fitted on a sample (or the map's own frame, to extend it), then clusters.
    let pca: Pca;
    try {
      if (old) pca = { mean: Float32Array.from(old.mean), components: Float32Array.from(old.components), explained: old.explained };
      else {
        await step(total, `Fitting the layout on a sample of ${fmt(Math.min(20_000, store.rows))} rows…`);
        pca = await fitPca(store, signal);
      }
    } catch (err) {
      if (err instanceof DOMException) throw failure('CANCELLED', 'The map was stopped; nothing was written.');
      throw err;
    }
    const { x, y } = project(store, pca);
    let cluster: Int32Array;
    let centres: Array<[number, number]>;
    if (old) {
      centres = old.centres;
      cluster = Int32Array.from(x, (xi, i) => nearestCentre(centres, xi, y[i] as number));
    } else {
      const k = clusterCountFor(store.rows - store.unusable);
      await step(total, `Finding ${k} clusters…`);
      const products = new Products(dim);
      try {
        const centroids = await fitCentroids(products, store, k, { iterations: KMEANS_ITERATIONS, signal, onIteration: (i) => report(total, steps, `Finding ${k} clusters (round ${i})…`) });
        const a = await assign(products, store, centroids, k, { signal, onBlock: (done) => step(total + done / 2, `Placed ${fmt(done)} of ${fmt(store.rows)} rows in ${k} clusters`) });
        cluster = a.first;
      } catch (err) {
        if (err instanceof DOMException) throw failure('CANCELLED', 'The map was stopped; nothing was written.');
        throw err;
      } finally {
        await products.close();
      }
      centres = clusterCentres(x, y, cluster, k);
    }
    await step(total * 1.5, `Writing the map of ${fmt(store.rows)} rows…`);
    // 3. The columns, by key, after the last chance to stop: a stop never leaves half a map.
    const info: MapInfo = {
      column,
      method: 'pca',
      madeAtVersion: old?.madeAtVersion ?? ds.info.version,
      rows: (old?.rows ?? 0) + store.rows - store.unusable,
      clusters: centres.length,
      explained: [round6(pca.explained[0]), round6(pca.explained[1])],
      tookMs: Math.round(performance.now() - t0),
    };
    const meta: MapMeta = { ...info, mean: Array.from(pca.mean, round6), components: Array.from(pca.components, round6), centres };
    const start = ds.info.version;
    let added = false;
    try {
      const metadata = new Map([[META_KEY, JSON.stringify(meta)]]);
      if (!hasMap) {
        await ds.table.addColumns([new arrow.Field(MAP_X, new arrow.Float32(), true, metadata), new arrow.Field(MAP_Y, new arrow.Float32(), true), new arrow.Field(MAP_CLUSTER, new arrow.Int32(), true)]);
        added = true;
      } else {
        await ds.table.updateFieldMetadata([{ path: MAP_X, metadata: Object.fromEntries(metadata) }]);
        added = true;
      }
      const schema = await ds.table.schema();
      const keyType = schema.fields.find((f) => f.name === keyCol)!.type;
      const keep = Array.from({ length: store.rows }, (_, i) => i).filter((i) => store.usable(i));
      const big = arrow.DataType.isInt(keyType) && keyType.bitWidth === 64;
      const data = new arrow.Table({
        [keyCol]: arrow.vectorFromArray(keep.map((i) => (big ? BigInt(keys[i] as never) : keys[i])) as never, keyType),
        [MAP_X]: arrow.vectorFromArray(keep.map((i) => x[i] as number), new arrow.Float32()),
        [MAP_Y]: arrow.vectorFromArray(keep.map((i) => y[i] as number), new arrow.Float32()),
        [MAP_CLUSTER]: arrow.vectorFromArray(keep.map((i) => cluster[i] as number), new arrow.Int32()),
      });
      await ds.table.mergeInsert(keyCol).whenMatchedUpdateAll().execute(data);
      this.datasets.rows.lost(datasetId);
      const done = await committed(this.datasets, datasetId, `${old ? 'extended the map to' : 'made a map of'} ${fmt(keep.length)} rows (${MAP_X}, ${MAP_Y}, ${MAP_CLUSTER} from ${column}: PCA, ${centres.length} clusters)`);
      return { ...done, rows: keep.length };
    } catch (err) {
      if (added) await rollBack(this.datasets, datasetId, start, 'writing the map');
      throw writeFailure(err, 'The map could not be written');
    }
  }
}

function nearestCentre(centres: Array<[number, number]>, x: number, y: number): number {
  let best = 0;
  let bestD = Infinity;
  centres.forEach(([cx, cy], i) => {
    const d = (cx - x) ** 2 + (cy - y) ** 2;
    if (d < bestD) ((bestD = d), (best = i));
  });
  return best;
}

function clusterCentres(x: Float32Array, y: Float32Array, cluster: Int32Array, k: number): Array<[number, number]> {
  const sx = new Float64Array(k);
  const sy = new Float64Array(k);
  const n = new Float64Array(k);
  for (let i = 0; i < x.length; i++) {
    const c = cluster[i] as number;
    if (c < 0 || !Number.isFinite(x[i] as number)) continue;
    sx[c] = (sx[c] as number) + (x[i] as number);
    sy[c] = (sy[c] as number) + (y[i] as number);
    n[c] = (n[c] as number) + 1;
  }
  return Array.from({ length: k }, (_, c) => [round6((sx[c] as number) / ((n[c] as number) || 1)), round6((sy[c] as number) / ((n[c] as number) || 1))] as [number, number]);
}
