// Near duplicates over a vector column, computed as a job: read every vector (made unit length), fit
// clusters on a sample, put each row in its nearest cluster and on the border of its second, then find
// each row's nearest neighbours within those (exact products through onnxruntime, never all pairs).
// The neighbour lists are kept per dataset version in the app's data folder; any threshold's groups
// (connected components) are then a union-find over them. A stopped job keeps what it did and resumes.
import { refuseRemote } from '../dataset/dataset-service';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assign, clusterCount, fitCentroids, type Assignment } from './clusters';
import { groupSummary, nearGroups, nearestHistogram } from './groups';
import { Products } from './matmul';
import { buckets, compareCluster, K, NeighbourLists } from './neighbours';
import { VectorStore, type ListVector } from './vectors';
import { AppFailure, classifyReadError, failure, isDiskFull } from '../support/errors';
import { readAhead } from '../support/read-ahead';
import { positionIndex } from '../support/row-positions';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { JobRegistry, ReportProgress } from '../jobs/jobs';
import type { ColumnInfo, NearCount, NearResult, NearStatus } from '../../../shared/types';

const FORMAT = 1;
/** clip-retrieval's default for deduplicating normalised CLIP embeddings. */
export const DEFAULT_THRESHOLD = 0.94;
/** Versions of a column whose lists stay on disk. */
const KEEP_VERSIONS = 2;
/** A running job writes what it has done this often, so a quit or a crash loses at most this much. */
const CHECKPOINT_MS = 30_000;
/** The job waits until this long has passed without a page or image request. */
const QUIET_MS = 400;
const KMEANS_ITERATIONS = 8;
/** The vectors may take at most this share of the memory that is free when the job starts. */
const MEMORY_SHARE = 0.6;

interface Computed {
  key: string;
  result: NearResult;
  /** Row ids in the order the lists' positions refer to (scan order). */
  rowIds: Float64Array;
  lists: NeighbourLists;
}

/** What a stopped job leaves: its assignment and the clusters it finished. */
interface Partial {
  rows: number;
  k: number;
  clustersDone: number;
  rowsDone: number;
  elapsedMs: number;
  rowIds: Float64Array;
  first: Int32Array;
  second: Int32Array;
  lists: NeighbourLists;
}

export class NearDuplicates {
  private readonly memory = new Map<string, Computed>();
  private readonly jobsByKey = new Map<string, string>();
  /** Whether a version's rows are still those a result was computed on: key + version -> answer. */
  private readonly sameRows = new Map<string, boolean>();

  constructor(
    private readonly datasets: DatasetService,
    private readonly jobs: JobRegistry,
    private readonly dataDir: string,
  ) {}

  private folder(ds: OpenDataset): string {
    const id = createHash('sha256').update(`${path.resolve(ds.info.path)}\0${ds.info.table}`).digest('hex').slice(0, 20);
    return path.join(this.dataDir, 'near', id);
  }
  private base(ds: OpenDataset, column: string, version: number): string {
    return path.join(this.folder(ds), `${createHash('sha256').update(column).digest('hex').slice(0, 12)}-v${version}`);
  }
  /** A result's key in memory and in the running jobs: its file's path without the extension. */
  private keyOf(ds: OpenDataset, column: string, version = ds.info.version): string {
    return this.base(ds, column, version);
  }

  private vectorColumn(ds: OpenDataset, column: string): ColumnInfo & { dim: number } {
    const col = ds.info.columns.find((c) => c.name === column);
    if (!col || col.kind !== 'vector' || col.unreadable || !col.dim) {
      throw failure('INVALID_PAYLOAD', ds.info.vectorColumns.length ? `"${column.slice(0, 80)}" is not a vector column; choose one of ${ds.info.vectorColumns.join(', ')}.` : 'This dataset has no vector column to find near duplicates by.');
    }
    return col as ColumnInfo & { dim: number };
  }

  async status(datasetId: string, column: string): Promise<NearStatus> {
    const ds = this.datasets.get(datasetId);
    this.vectorColumn(ds, column);
    const jobId = this.jobsByKey.get(this.keyOf(ds, column)) ?? null;
    const partial = await this.readPartialMeta(ds, column);
    const resumable = partial ? { done: partial.rowsDone, total: partial.rows } : null;
    const found = await this.newest(ds, column);
    if (!found) return { result: null, stale: false, usable: false, jobId, resumable, defaultThreshold: DEFAULT_THRESHOLD };
    const stale = found.result.version !== ds.info.version;
    return { result: found.result, stale, usable: !stale || (await this.rowsUnchanged(ds, found)), jobId, resumable, defaultThreshold: DEFAULT_THRESHOLD };
  }

  /** Find the near duplicates of the open version (resuming a stopped job's work; the running job when one is at it). */
  start(datasetId: string, column: string): { jobId: string } {
    const ds = this.datasets.get(datasetId);
    refuseRemote(ds, 'Finding near duplicates');
    const col = this.vectorColumn(ds, column);
    const key = this.keyOf(ds, column);
    const running = this.jobsByKey.get(key);
    if (running) return { jobId: running };
    const need = ds.info.rowCount * col.dim * 4;
    if (need > os.freemem() * MEMORY_SHARE) {
      throw failure('BUSY', `Finding near duplicates holds every ${col.name} vector in memory: ${(need / 2 ** 30).toFixed(1)} GB, more than this computer has free. Filter to fewer rows and save them as a table first.`);
    }
    const { jobId } = this.jobs.start('near', async (report, signal) => {
      try {
        const c = await this.compute(ds, col, report, signal);
        await this.save(ds, c).catch(() => {}); // a full or read-only data folder: the groups still show this session
        await this.dropPartial(ds, column);
        this.remember(c);
        return { rows: c.result.rows };
      } finally {
        if (this.jobsByKey.get(key) === jobId) this.jobsByKey.delete(key);
      }
    });
    this.jobsByKey.set(key, jobId);
    return { jobId };
  }

  /** How many groups, rows and redundant rows a threshold gives (no rows listed). */
  async count(datasetId: string, column: string, threshold: number): Promise<NearCount> {
    const ds = this.datasets.get(datasetId);
    const c = await this.usableResult(ds, column);
    return { threshold, ...groupSummary(nearGroups(c.lists, threshold)) };
  }

  /**
   * The groups at a threshold as row ids (each group's rows together, in table order, largest group
   * first) with each row's group size; `where`, when given, keeps only the rows it matches.
   */
  async groups(datasetId: string, column: string, threshold: number, where: string | null): Promise<{ ids: BigUint64Array; sizes: Float64Array; groups: number; result: NearResult }> {
    const ds = this.datasets.get(datasetId);
    const c = await this.usableResult(ds, column);
    let keep: Uint8Array | undefined;
    if (where) {
      keep = new Uint8Array(c.rowIds.length);
      const at = positionIndex(c.rowIds);
      for await (const b of readAhead(ds.table.query().where(where).withRowId().select([]))) {
        const ids = b.getChild('_rowid')?.toArray() as BigUint64Array;
        for (const id of ids) {
          const p = at(Number(id));
          if (p >= 0) keep[p] = 1;
        }
      }
    }
    const groups = nearGroups(c.lists, threshold, keep);
    const n = groups.reduce((s, g) => s + g.length, 0);
    const ids = new BigUint64Array(n);
    const sizes = new Float64Array(n);
    let o = 0;
    for (const g of groups) for (const p of g) ((ids[o] = BigInt(c.rowIds[p] as number)), (sizes[o++] = g.length));
    return { ids, sizes, groups: groups.length, result: c.result };
  }

  /** The kept nearest neighbours of some rows (by row id), most similar first: for recall checks against an exact search. */
  async neighboursOf(datasetId: string, column: string, rowIds: bigint[]): Promise<Array<Array<{ rowId: bigint; similarity: number }>>> {
    const c = await this.usableResult(this.datasets.get(datasetId), column);
    const at = positionIndex(c.rowIds);
    return rowIds.map((id) => {
      const p = at(Number(id));
      const out: Array<{ rowId: bigint; similarity: number }> = [];
      for (let t = p * K; p >= 0 && t < p * K + K; t++) {
        const j = c.lists.idx[t] as number;
        if (j >= 0) out.push({ rowId: BigInt(c.rowIds[j] as number), similarity: c.lists.sim[t] as number });
      }
      return out;
    });
  }

  /** The result groups can be opened from: the open version's, or an older one's when the rows are unchanged. */
  private async usableResult(ds: OpenDataset, column: string): Promise<Computed> {
    this.vectorColumn(ds, column);
    const c = await this.newest(ds, column);
    if (!c) throw failure('NOT_FOUND', `The near duplicates by ${column} are not computed yet: find them from the statistics panel.`);
    if (c.result.version !== ds.info.version && !(await this.rowsUnchanged(ds, c))) {
      throw failure('NOT_FOUND', `The near duplicates were found at version ${c.result.version}, and rows have changed since: find them again.`);
    }
    return c;
  }

  /** A later version with the same row ids in the same order (a label write) keeps the lists' meaning. */
  private async rowsUnchanged(ds: OpenDataset, c: Computed): Promise<boolean> {
    const key = `${c.key}@${ds.info.version}`;
    const known = this.sameRows.get(key);
    if (known !== undefined) return known;
    let same = ds.info.rowCount === c.rowIds.length;
    if (same) {
      let i = 0;
      try {
        for await (const b of readAhead(ds.table.query().withRowId().select([]))) {
          const ids = b.getChild('_rowid')?.toArray() as BigUint64Array;
          for (const id of ids) if (i >= c.rowIds.length || Number(id) !== c.rowIds[i++]) same = false;
          if (!same) break;
        }
      } catch {
        same = false;
      }
      same &&= i === c.rowIds.length;
    }
    this.sameRows.set(key, same);
    return same;
  }

  private remember(c: Computed): void {
    // Two results in memory at most (a million rows' lists are 80 MB).
    this.memory.delete(c.key);
    this.memory.set(c.key, c);
    while (this.memory.size > 2) this.memory.delete(this.memory.keys().next().value as string);
  }

  /** The open version's result, else the newest older version's. */
  private async newest(ds: OpenDataset, column: string): Promise<Computed | null> {
    const current = await this.load(ds, column, ds.info.version);
    if (current) return current;
    for (const v of (await this.savedVersions(ds, column)).filter((x) => x < ds.info.version)) {
      const c = await this.load(ds, column, v);
      if (c) return c;
    }
    return null;
  }

  private async compute(ds: OpenDataset, col: ColumnInfo & { dim: number }, report: ReportProgress, signal: AbortSignal): Promise<Computed> {
    const t0 = performance.now();
    const version = ds.info.version;
    const total = ds.info.rowCount;
    const steps = total * 3; // read, assign, compare: a row each
    const fmt = (n: number) => n.toLocaleString('en-US');
    const stopped = () => failure('CANCELLED', 'Stopped. Find them again to go on from where it stopped.');
    const step = async (done: number, message: string) => {
      report(Math.min(done, steps), steps, message);
      if (signal.aborted) throw stopped();
      if (this.datasets.activity.busy(QUIET_MS)) {
        report(Math.min(done, steps), steps, `${message} (paused while you browse)`);
        await this.datasets.activity.quiet(QUIET_MS, signal);
      }
      await new Promise((r) => setImmediate(r));
    };
    const partial = await this.readPartial(ds, col.name).catch(() => null);
    const store = new VectorStore(col.dim);
    const ids: number[] = [];
    report(0, steps, `Reading ${col.name} of ${fmt(total)} rows…`);
    try {
      let last = 0;
      for await (const batch of readAhead(ds.table.query().select([col.name]).withRowId())) {
        store.add(batch.getChild(col.name) as unknown as ListVector);
        for (const id of batch.getChild('_rowid')?.toArray() as BigUint64Array) ids.push(Number(id));
        if (store.rows - last >= 20_000) {
          last = store.rows;
          await step(store.rows, `Read ${fmt(store.rows)} of ${fmt(total)} vectors`);
        }
      }
    } catch (err) {
      if (err instanceof AppFailure) throw err;
      throw classifyReadError(err, `Reading ${col.name}`);
    }
    const rowIds = Float64Array.from(ids);
    const n = store.rows;
    const products = new Products(col.dim);
    try {
      let a: Pick<Assignment, 'k' | 'first' | 'second'>;
      let lists: NeighbourLists;
      let clustersDone = 0;
      let rowsDone = 0;
      let before = 0;
      const resumed = partial && partial.rows === n && sameIds(partial.rowIds, rowIds);
      if (resumed) {
        a = { k: partial.k, first: partial.first, second: partial.second };
        lists = partial.lists;
        clustersDone = partial.clustersDone;
        rowsDone = partial.rowsDone;
        before = partial.elapsedMs;
        await step(n + n + rowsDone, `Going on from ${fmt(rowsDone)} of ${fmt(n)} rows compared`);
      } else {
        const k = clusterCount(n - store.unusable);
        let centroids: Float32Array = new Float32Array(col.dim);
        if (k > 1) {
          await step(n, `Fitting ${fmt(k)} clusters on a sample…`);
          centroids = await fitCentroids(products, store, k, { iterations: KMEANS_ITERATIONS, signal, onIteration: (i) => report(n, steps, `Fitting ${fmt(k)} clusters on a sample (round ${i} of at most ${KMEANS_ITERATIONS})…`) });
        }
        a = await assign(products, store, centroids, k, { signal, onBlock: (done) => step(n + done, `Placed ${fmt(done)} of ${fmt(n)} rows in ${fmt(k)} clusters`) });
        lists = new NeighbourLists(n);
      }
      const b = buckets({ ...a, firstSim: new Float32Array(0), secondSim: new Float32Array(0) });
      const scratch = { buf: new Float32Array(0) };
      let lastSave = performance.now();
      const checkpoint = () => this.writePartial(ds, col.name, { rows: n, k: a.k, clustersDone, rowsDone, elapsedMs: before + performance.now() - t0, rowIds, first: a.first, second: a.second, lists }).catch(() => {});
      try {
        while (clustersDone < b.k) {
          const own = (b.start[clustersDone + 1] as number) - (b.start[clustersDone] as number);
          await compareCluster(products, store, b, clustersDone, lists, scratch);
          rowsDone += own;
          clustersDone++;
          await step(n + n + rowsDone, `Compared ${fmt(rowsDone)} of ${fmt(n - store.unusable)} rows with their cluster's (${fmt(clustersDone)} of ${fmt(b.k)} clusters)`);
          if (performance.now() - lastSave > CHECKPOINT_MS) {
            await checkpoint();
            lastSave = performance.now();
          }
        }
      } catch (err) {
        if (signal.aborted || (err instanceof AppFailure && err.code === 'CANCELLED')) {
          await checkpoint();
          throw stopped();
        }
        throw err;
      }
      const result: NearResult = {
        column: col.name,
        version,
        rows: n,
        computedAt: new Date().toISOString(),
        tookMs: Math.round(before + performance.now() - t0),
        clusters: b.k,
        neighbours: K,
        histogram: nearestHistogram(lists),
        unusable: store.unusable,
        ...(resumed ? { resumedFrom: partial.rowsDone } : {}),
      };
      return { key: this.keyOf(ds, col.name, version), result, rowIds, lists };
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw stopped();
      throw err;
    } finally {
      await products.close();
    }
  }

  // ---- files: <base>.json beside <base>.bin (row ids, neighbour indices, similarities) ----

  private async load(ds: OpenDataset, column: string, version: number): Promise<Computed | null> {
    const key = this.keyOf(ds, column, version);
    const hit = this.memory.get(key);
    if (hit) return hit;
    const base = this.base(ds, column, version);
    try {
      const meta = JSON.parse(await fs.readFile(`${base}.json`, 'utf8')) as { format: number; result: NearResult };
      if (meta.format !== FORMAT || meta.result.version !== version || meta.result.column !== column || meta.result.neighbours !== K) return null;
      const n = meta.result.rows;
      const buf = await fs.readFile(`${base}.bin`);
      if (buf.length !== n * 8 + n * K * 8) return null; // torn or foreign: compute again
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
      const c: Computed = { key, result: meta.result, rowIds: new Float64Array(ab, 0, n), lists: new NeighbourLists(n, new Int32Array(ab, n * 8, n * K), new Float32Array(ab, n * 8 + n * K * 4, n * K)) };
      this.remember(c);
      return c;
    } catch {
      return null;
    }
  }

  private async save(ds: OpenDataset, c: Computed): Promise<void> {
    await fs.mkdir(this.folder(ds), { recursive: true });
    const base = this.base(ds, c.result.column, c.result.version);
    await writeParts(`${base}.bin`, [c.rowIds, c.lists.idx, c.lists.sim]);
    // The description last: it is only ever beside a complete binary.
    await writeAtomic(`${base}.json`, JSON.stringify({ format: FORMAT, path: ds.info.path, table: ds.info.table, result: c.result }));
    for (const v of (await this.savedVersions(ds, c.result.column)).slice(KEEP_VERSIONS)) for (const ext of ['json', 'bin']) await fs.rm(`${this.base(ds, c.result.column, v)}.${ext}`, { force: true });
  }

  /** The versions of a column whose lists are in the data folder, newest first. */
  private async savedVersions(ds: OpenDataset, column: string): Promise<number[]> {
    const prefix = `${path.basename(this.base(ds, column, 0)).slice(0, -1)}`; // "<column hash>-v"
    try {
      return (await fs.readdir(this.folder(ds)))
        .map((n) => (n.startsWith(prefix) && n.endsWith('.json') && !n.includes('.partial') ? Number(n.slice(prefix.length, -5)) : NaN))
        .filter((v) => Number.isInteger(v))
        .sort((a, b) => b - a);
    } catch {
      return [];
    }
  }

  private partialBase(ds: OpenDataset, column: string): string {
    return `${this.base(ds, column, ds.info.version)}.partial`;
  }

  private async readPartialMeta(ds: OpenDataset, column: string): Promise<{ rows: number; k: number; clustersDone: number; rowsDone: number; elapsedMs: number } | null> {
    try {
      const meta = JSON.parse(await fs.readFile(`${this.partialBase(ds, column)}.json`, 'utf8'));
      return meta.format === FORMAT && meta.version === ds.info.version && meta.column === column && meta.neighbours === K ? meta : null;
    } catch {
      return null;
    }
  }

  private async readPartial(ds: OpenDataset, column: string): Promise<Partial | null> {
    const meta = await this.readPartialMeta(ds, column);
    if (!meta) return null;
    const n = meta.rows;
    const buf = await fs.readFile(`${this.partialBase(ds, column)}.bin`);
    if (buf.length !== n * 8 + n * 8 + n * K * 8) return null;
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
    let o = 0;
    const take = <T>(make: (ab: ArrayBuffer, o: number, len: number) => T, len: number, bytes: number): T => {
      const v = make(ab, o, len);
      o += len * bytes;
      return v;
    };
    const rowIds = take((b, at, len) => new Float64Array(b, at, len), n, 8);
    const first = take((b, at, len) => new Int32Array(b, at, len), n, 4);
    const second = take((b, at, len) => new Int32Array(b, at, len), n, 4);
    const idx = take((b, at, len) => new Int32Array(b, at, len), n * K, 4);
    const sim = take((b, at, len) => new Float32Array(b, at, len), n * K, 4);
    return { ...meta, rowIds, first, second, lists: new NeighbourLists(n, idx, sim) };
  }

  private async writePartial(ds: OpenDataset, column: string, p: Partial): Promise<void> {
    try {
      await fs.mkdir(this.folder(ds), { recursive: true });
      const base = this.partialBase(ds, column);
      await writeParts(`${base}.bin`, [p.rowIds, p.first, p.second, p.lists.idx, p.lists.sim]);
      const { rowIds: _r, first: _f, second: _s, lists: _l, ...meta } = p;
      await writeAtomic(`${base}.json`, JSON.stringify({ format: FORMAT, version: ds.info.version, column, neighbours: K, ...meta }));
    } catch (err) {
      // Nothing is lost but the chance to resume; the job itself goes on.
      if (!isDiskFull(err)) throw err;
    }
  }

  private async dropPartial(ds: OpenDataset, column: string): Promise<void> {
    const base = this.partialBase(ds, column);
    await fs.rm(`${base}.json`, { force: true });
    await fs.rm(`${base}.bin`, { force: true });
  }
}

function sameIds(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}


async function writeParts(file: string, parts: ArrayBufferView[]): Promise<void> {
  const h = await fs.open(`${file}.tmp`, 'w');
  try {
    for (const p of parts) await h.write(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  } finally {
    await h.close();
  }
  await fs.rename(`${file}.tmp`, file);
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await fs.writeFile(`${file}.tmp`, text);
  await fs.rename(`${file}.tmp`, file);
}

