// Statistics of every column over the whole dataset (never a sample), computed by one scan as a job,
// kept per dataset version in the app's data folder with each row's bin, so that reopening costs a
// file read and a view's counts (the rows a filter or search kept) cost a count of bins, not a scan.
import { refuseRemote } from '../dataset/dataset-service';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HistogramAccumulator, ValuesAccumulator, quoteIdent, type Accumulator, type ColumnVector, type Finished } from './accumulators';
import { histogram, NULL_CODE, OTHER_CODE } from './histogram';
import { Growable } from './growable';
import { imageSize, sniffImage } from '../dataset/image-sniff';
import { classifyReadError, failure } from '../support/errors';
import { readAhead } from '../support/read-ahead';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { JobRegistry, ReportProgress } from '../jobs/jobs';
import type { ColumnInfo, ColumnStats, DatasetStats, StatsFacet, StatsStatus, ViewStats } from '../../../shared/types';

const FORMAT = 1;
/** A scan waits until this long has passed without a page or image request. */
const QUIET_MS = 400;
/** Versions of a dataset whose statistics stay on disk (the newest ones). */
const KEEP_VERSIONS = 3;

/** What a computed version holds in memory: the statistics, and per row its id and each facet's code. */
interface Computed {
  key: string;
  stats: DatasetStats;
  /** Row ids in ascending order (as numbers: a fragment id shifted 32 bits fits in a double). */
  rowIds: Float64Array;
  codes: Map<string, Uint8Array>;
  /** Each fragment's run of positions (made when a view is first counted). */
  fragments?: Map<number, Run>;
}

interface Run {
  start: number;
  end: number;
  first: number;
  /** The first row's offset in its fragment (the low 32 bits of its id). */
  firstLow: number;
  /** Offsets without gaps: a row's position is start + (its id - first). */
  dense: boolean;
}

const FRAGMENT = 2 ** 32;

/** The runs of sorted row ids that share a fragment. */
function fragmentRuns(ids: Float64Array): Map<number, Run> {
  const runs = new Map<number, Run>();
  let i = 0;
  while (i < ids.length) {
    const frag = Math.floor((ids[i] as number) / FRAGMENT);
    let j = i + 1;
    while (j < ids.length && Math.floor((ids[j] as number) / FRAGMENT) === frag) j++;
    const first = ids[i] as number;
    runs.set(frag, { start: i, end: j, first, firstLow: first - frag * FRAGMENT, dense: (ids[j - 1] as number) - first === j - 1 - i });
    i = j;
  }
  return runs;
}

interface Plan {
  columns: string[];
  accumulators: Accumulator[];
  skipped: ColumnStats[];
  image: { column: string; source: 'columns' | 'bytes'; width?: string; height?: string } | null;
}

const numberFacet = (c: ColumnInfo) => ({ id: `${c.name}:values`, label: c.kind === 'timestamp' ? 'dates' : 'values', integer: c.kind === 'int', filter: c.kind === 'timestamp' ? ({ by: 'none', why: 'Filter dates with the filter bar.' } as const) : ({ by: 'column' } as const) });

/** Which accumulators read which columns, and which columns are left out (and why). */
export function planStats(info: { columns: ColumnInfo[]; imageColumn: string | null; rowCount: number }): Plan {
  const hint = info.rowCount;
  const accumulators: Accumulator[] = [];
  const skipped: ColumnStats[] = [];
  const columns: string[] = [];
  const dims = (n: string) => info.columns.find((c) => c.name.toLowerCase() === n && (c.kind === 'int' || c.kind === 'float') && !c.unreadable)?.name;
  const width = dims('width');
  const height = dims('height');
  const image = info.imageColumn ? (width && height ? { column: info.imageColumn, source: 'columns' as const, width, height } : { column: info.imageColumn, source: 'bytes' as const }) : null;
  for (const c of info.columns) {
    if (c.unreadable) {
      skipped.push({ column: c.name, kind: c.kind, facets: [], why: c.unreadable });
      continue;
    }
    if (c.name === image?.column && image.source === 'columns') {
      skipped.push({ column: c.name, kind: c.kind, facets: [], why: `Image sizes come from the ${image.width} and ${image.height} columns; the image bytes are not read.` });
      continue;
    }
    let acc: Accumulator | null = null;
    if (c.kind === 'int' || c.kind === 'float' || c.kind === 'timestamp') acc = new HistogramAccumulator(c.name, 'value', numberFacet(c), hint);
    else if (c.kind === 'string') acc = new ValuesAccumulator(c.name, true, hint);
    else if (c.kind === 'bool') acc = new ValuesAccumulator(c.name, false, hint);
    else if (c.kind === 'vector') acc = new HistogramAccumulator(c.name, 'norm', { id: `${c.name}:norm`, label: 'norm (length of each vector)', integer: false, filter: { by: 'none', why: 'Vectors cannot be filtered by their norm.' } }, hint);
    else if (c.kind === 'list') acc = new HistogramAccumulator(c.name, 'length', { id: `${c.name}:length`, label: 'items per row', integer: true, filter: { by: 'sql', expression: `array_length(${quoteIdent(c.name)})` } }, hint);
    else if (c.kind === 'binary' && !c.type.startsWith('FixedSizeBinary')) {
      acc = c.name === image?.column ? new ImageAccumulator(c.name, hint) : new HistogramAccumulator(c.name, 'length', { id: `${c.name}:length`, label: 'size in bytes', integer: true, filter: { by: 'sql', expression: `octet_length(${quoteIdent(c.name)})` } }, hint);
    }
    if (!acc) {
      skipped.push({ column: c.name, kind: c.kind, facets: [], why: `No statistics for ${c.kind === 'struct' ? 'structs' : `this type (${c.type.slice(0, 60)})`} yet.` });
      continue;
    }
    accumulators.push(acc);
    columns.push(c.name);
  }
  return { columns, accumulators, skipped, image };
}

/** An image column read for its bytes (no width and height columns): sizes, and each image's width and height from its header. */
class ImageAccumulator implements Accumulator {
  private readonly size: HistogramAccumulator;
  readonly width: Growable<Float64Array>;
  readonly height: Growable<Float64Array>;
  constructor(
    readonly column: string,
    hint: number,
  ) {
    this.size = new HistogramAccumulator(column, 'length', { id: `${column}:length`, label: 'size in bytes', integer: true, filter: { by: 'sql', expression: `octet_length(${quoteIdent(column)})` } }, hint);
    this.width = new Growable(Float64Array, hint);
    this.height = new Growable(Float64Array, hint);
  }
  add(vec: ColumnVector): void {
    this.size.add(vec);
    for (let i = 0; i < vec.length; i++) {
      const b = vec.get(i) as Uint8Array | null;
      const mime = b ? sniffImage(b) : null;
      const s = b && mime ? imageSize(b, mime) : null;
      this.width.push(s ? s.width : NaN);
      this.height.push(s ? s.height : NaN);
    }
  }
  finish(): Finished[] {
    return this.size.finish();
  }
}

function aspectFacet(image: string, w: Float64Array, h: Float64Array, expression: string | null): Finished {
  const a = new Float64Array(w.length);
  for (let i = 0; i < a.length; i++) a[i] = (h[i] as number) > 0 ? (w[i] as number) / (h[i] as number) : NaN;
  const { facet, codes } = histogram(a, false);
  return { facet: { ...facet, id: `${image}:aspect`, column: image, label: 'aspect (width / height)', filter: expression ? { by: 'sql', expression } : { by: 'none', why: 'Read from the image bytes: there is no column to filter by.' } }, codes };
}

export class StatsService {
  private readonly memory = new Map<string, Computed>();
  private readonly jobsByKey = new Map<string, string>();

  constructor(
    private readonly datasets: DatasetService,
    private readonly jobs: JobRegistry,
    private readonly dataDir: string,
  ) {}

  private static datasetKey(ds: OpenDataset): string {
    return createHash('sha256').update(`${path.resolve(ds.info.path)}\0${ds.info.table}`).digest('hex').slice(0, 20);
  }
  private folder(ds: OpenDataset): string {
    return path.join(this.dataDir, 'stats', StatsService.datasetKey(ds));
  }
  private keyOf(ds: OpenDataset, version = ds.info.version): string {
    return `${StatsService.datasetKey(ds)}@${version}`;
  }

  /** The open version's statistics, from memory or disk; else the newest older version's, marked stale. */
  async status(datasetId: string): Promise<StatsStatus> {
    const ds = this.datasets.get(datasetId);
    const current = await this.load(ds, ds.info.version);
    const jobId = this.jobsByKey.get(this.keyOf(ds)) ?? null;
    if (current) return { stats: current.stats, stale: false, jobId };
    const older = await this.olderVersions(ds);
    for (const v of older) {
      const c = await this.load(ds, v);
      if (c) return { stats: c.stats, stale: true, jobId };
    }
    return { stats: null, stale: false, jobId };
  }

  /** Compute the open version's statistics (the running job when one is already at it). */
  start(datasetId: string): { jobId: string } {
    const ds = this.datasets.get(datasetId);
    refuseRemote(ds, 'Statistics');
    const key = this.keyOf(ds);
    const running = this.jobsByKey.get(key);
    if (running) return { jobId: running };
    const { jobId } = this.jobs.start('stats', async (report, signal) => {
      try {
        const c = await this.compute(ds, report, signal);
        await this.save(ds, c).catch(() => {}); // a full or read-only data folder: the statistics still show this session
        this.remember(c);
        return { rows: c.stats.rows };
      } finally {
        // Before the job says it finished: a start right after it computes again (the bench does).
        if (this.jobsByKey.get(key) === jobId) this.jobsByKey.delete(key);
      }
    });
    this.jobsByKey.set(key, jobId);
    return { jobId };
  }

  /** The counts of a view's rows (null: the whole table) per facet, beside the overall ones. */
  async viewStats(datasetId: string, rowIds: BigUint64Array | null): Promise<ViewStats> {
    const ds = this.datasets.get(datasetId);
    const c = await this.load(ds, ds.info.version);
    if (!c) throw failure('NOT_FOUND', 'The statistics of this version are not computed yet.');
    const facets: ViewStats['facets'] = {};
    const all = [...c.stats.columns.flatMap((col) => col.facets), ...(c.stats.images?.facets ?? [])];
    if (!rowIds) {
      for (const f of all) facets[f.id] = { counts: f.counts, nulls: f.nulls, ...(f.other !== undefined ? { other: f.other } : {}) };
      return { version: c.stats.version, rows: c.stats.rows, matched: c.stats.rows, facets };
    }
    // Each of the view's rows by its position in the statistics: direct within a fragment with no
    // deleted rows (a row id is the fragment's id in its high 32 bits, the row's offset in the low),
    // else a binary search in the sorted ids. The ids are read as 32-bit halves: no BigInt per row.
    const ids = c.rowIds;
    const frags = (c.fragments ??= fragmentRuns(ids));
    const halves = new Uint32Array(rowIds.buffer, rowIds.byteOffset, rowIds.length * 2);
    const positions = new Int32Array(rowIds.length);
    let matched = 0;
    let lastHigh = -1;
    let run: Run | undefined;
    for (let i = 0; i < rowIds.length; i++) {
      const low = halves[2 * i] as number;
      const high = halves[2 * i + 1] as number;
      if (high !== lastHigh) {
        run = frags.get(high);
        lastHigh = high;
      }
      if (!run) continue;
      if (run.dense) {
        const at = run.start + (low - run.firstLow);
        if (at >= run.start && at < run.end) positions[matched++] = at;
        continue;
      }
      const x = high * FRAGMENT + low;
      let lo = run.start;
      let hi = run.end - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = ids[mid] as number;
        if (v < x) lo = mid + 1;
        else if (v > x) hi = mid - 1;
        else {
          positions[matched++] = mid;
          break;
        }
      }
    }
    // A view of most of the table is counted by what it leaves out: the overall counts less those of
    // the rows not in it (a broad filter such as NSFW = 'UNLIKELY' keeps 87% of laion's rows).
    const n = ids.length;
    let counted = positions.subarray(0, matched);
    let subtract = false;
    if (matched > n / 2) {
      const inView = new Uint8Array(n);
      for (let i = 0; i < matched; i++) inView[positions[i] as number] = 1;
      const rest = new Int32Array(n - matched);
      let k = 0;
      for (let p = 0; p < n && k < rest.length; p++) if (!inView[p]) rest[k++] = p;
      counted = rest.subarray(0, k);
      subtract = true;
    }
    const tally = new Uint32Array(256);
    for (const f of all) {
      const codes = c.codes.get(f.id);
      if (!codes || facets[f.id]) continue;
      tally.fill(0);
      for (let i = 0; i < counted.length; i++) {
        const k = codes[counted[i] as number] as number;
        tally[k] = (tally[k] as number) + 1;
      }
      const of = (k: number, overall: number) => (subtract ? overall - (tally[k] as number) : (tally[k] as number));
      facets[f.id] = {
        counts: f.counts.map((overall, k) => of(k, overall)),
        nulls: of(NULL_CODE, f.nulls),
        ...(f.other !== undefined ? { other: of(OTHER_CODE, f.other) } : {}),
      };
    }
    return { version: c.stats.version, rows: rowIds.length, matched, facets };
  }

  private remember(c: Computed): void {
    // Two datasets' statistics in memory at most (each row costs a byte per chart and 8 for its id).
    this.memory.delete(c.key);
    this.memory.set(c.key, c);
    while (this.memory.size > 2) this.memory.delete(this.memory.keys().next().value as string);
  }

  private async compute(ds: OpenDataset, report: ReportProgress, signal: AbortSignal): Promise<Computed> {
    const t0 = performance.now();
    const version = ds.info.version;
    const plan = planStats(ds.info);
    const total = ds.info.rowCount;
    const rowIds = new Growable(Float64Array, total);
    report(0, total, `Reading ${plan.columns.length} columns of ${total.toLocaleString('en-US')} rows…`);
    try {
      let seen = 0;
      let last = 0;
      for await (const batch of readAhead(ds.table.query().select(plan.columns).withRowId())) {
        if (signal.aborted) throw failure('CANCELLED', 'The statistics were stopped.');
        for (const acc of plan.accumulators) acc.add(batch.getChild(acc.column) as unknown as ColumnVector);
        const ids = batch.getChild('_rowid')?.toArray() as BigUint64Array | undefined;
        const out = rowIds.reserve(batch.numRows);
        for (let i = 0; i < batch.numRows; i++) out[rowIds.length + i] = Number(ids?.[i] ?? 0n);
        rowIds.length += batch.numRows;
        seen += batch.numRows;
        if (seen - last >= 20_000) {
          last = seen;
          report(Math.min(seen, total), total, `Read ${seen.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
          await new Promise((r) => setImmediate(r));
        }
        // The person comes first: while pages and images are being asked for (a scroll, a fling), the
        // scan waits for a quiet moment instead of taking both cores from the page.
        if (this.datasets.activity.busy(QUIET_MS)) {
          report(Math.min(seen, total), total, `Read ${seen.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows (paused while you browse)`);
          await this.datasets.activity.quiet(QUIET_MS, signal);
        }
      }
    } catch (err) {
      throw classifyReadError(err, 'Computing the statistics');
    }
    report(total, total, 'Binning…');
    const finished = plan.accumulators.map((a) => ({ acc: a, out: a.finish() }));
    const codes = new Map<string, Uint8Array>();
    const columns: ColumnStats[] = [];
    for (const c of ds.info.columns) {
      const f = finished.find((x) => x.acc.column === c.name);
      const s = plan.skipped.find((x) => x.column === c.name);
      if (f) {
        for (const x of f.out) codes.set(x.facet.id, x.codes);
        if (c.kind === 'timestamp') for (const x of f.out) x.facet.dates = true;
        columns.push({ column: c.name, kind: c.kind, facets: f.out.map((x) => x.facet) });
      } else if (s) columns.push(s);
    }
    const stats: DatasetStats = { version, rows: rowIds.length, computedAt: new Date().toISOString(), tookMs: 0, columns };
    if (plan.image) {
      const extra: Finished[] = [];
      const facets: StatsFacet[] = [];
      if (plan.image.source === 'columns') {
        const w = plan.accumulators.find((a) => a.column === plan.image!.width) as HistogramAccumulator;
        const h = plan.accumulators.find((a) => a.column === plan.image!.height) as HistogramAccumulator;
        const byId = (col: string) => columns.find((x) => x.column === col)?.facets[0];
        facets.push(byId(plan.image.width!)!, byId(plan.image.height!)!);
        extra.push(aspectFacet(plan.image.column, w.reader.values.values(), h.reader.values.values(), `CAST(${quoteIdent(plan.image.width!)} AS DOUBLE) / ${quoteIdent(plan.image.height!)}`));
      } else {
        const img = plan.accumulators.find((a) => a.column === plan.image!.column) as ImageAccumulator;
        const why = { by: 'none' as const, why: 'Read from the image bytes: there is no column to filter by.' };
        for (const [what, g] of [['width', img.width], ['height', img.height]] as const) {
          const { facet, codes: cs } = histogram(g.values(), true);
          extra.push({ facet: { ...facet, id: `${img.column}:${what}`, column: img.column, label: `${what} in pixels`, filter: why }, codes: cs });
        }
        extra.push(aspectFacet(img.column, img.width.values(), img.height.values(), null));
      }
      for (const x of extra) {
        codes.set(x.facet.id, x.codes);
        facets.push(x.facet);
      }
      stats.images = { column: plan.image.column, source: plan.image.source, facets };
    }
    const sorted = sortByRowId(rowIds.values(), codes);
    stats.tookMs = Math.round(performance.now() - t0);
    return { key: this.keyOf(ds, version), stats, rowIds: sorted, codes };
  }

  private async olderVersions(ds: OpenDataset): Promise<number[]> {
    try {
      const names = await fs.readdir(this.folder(ds));
      return names
        .map((n) => /^v(\d+)\.json$/.exec(n)?.[1])
        .filter((v): v is string => !!v)
        .map(Number)
        .filter((v) => v < ds.info.version)
        .sort((a, b) => b - a);
    } catch {
      return [];
    }
  }

  /** A version's statistics from memory, or from the data folder (null when not computed, or unreadable). */
  private async load(ds: OpenDataset, version: number): Promise<Computed | null> {
    const key = this.keyOf(ds, version);
    const hit = this.memory.get(key);
    if (hit) return hit;
    const base = path.join(this.folder(ds), `v${version}`);
    try {
      const meta = JSON.parse(await fs.readFile(`${base}.json`, 'utf8')) as { format: number; stats: DatasetStats; rows: number; facets: string[] };
      if (meta.format !== FORMAT || meta.stats.version !== version) return null;
      const buf = await fs.readFile(`${base}.bin`);
      const n = meta.rows;
      if (buf.length !== n * 8 + n * meta.facets.length) return null; // a torn or foreign file: compute again
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
      const rowIds = new Float64Array(ab, 0, n);
      const codes = new Map<string, Uint8Array>();
      meta.facets.forEach((id, i) => codes.set(id, new Uint8Array(ab, n * 8 + i * n, n)));
      const c: Computed = { key, stats: meta.stats, rowIds, codes };
      this.remember(c);
      return c;
    } catch {
      return null;
    }
  }

  private async save(ds: OpenDataset, c: Computed): Promise<void> {
    const dir = this.folder(ds);
    await fs.mkdir(dir, { recursive: true });
    const base = path.join(dir, `v${c.stats.version}`);
    const facets = [...c.codes.keys()];
    const n = c.rowIds.length;
    const buf = Buffer.alloc(n * 8 + n * facets.length);
    Buffer.from(c.rowIds.buffer, c.rowIds.byteOffset, n * 8).copy(buf, 0);
    facets.forEach((id, i) => Buffer.from((c.codes.get(id) as Uint8Array).buffer, (c.codes.get(id) as Uint8Array).byteOffset, n).copy(buf, n * 8 + i * n));
    // The binary first, the description last: a description is only ever beside a complete binary.
    await fs.writeFile(`${base}.bin.tmp`, buf);
    await fs.rename(`${base}.bin.tmp`, `${base}.bin`);
    await fs.writeFile(`${base}.json.tmp`, JSON.stringify({ format: FORMAT, path: ds.info.path, table: ds.info.table, rows: n, facets, stats: c.stats }));
    await fs.rename(`${base}.json.tmp`, `${base}.json`);
    const versions = (await fs.readdir(dir)).map((x) => /^v(\d+)\.json$/.exec(x)?.[1]).filter((v): v is string => !!v).map(Number).sort((a, b) => b - a);
    for (const v of versions.slice(KEEP_VERSIONS)) for (const ext of ['json', 'bin']) await fs.rm(path.join(dir, `v${v}.${ext}`), { force: true });
  }
}

/** Row ids ascending, with every facet's codes in the same order (a scan is usually in order already). */
function sortByRowId(ids: Float64Array, codes: Map<string, Uint8Array>): Float64Array {
  let ordered = true;
  for (let i = 1; i < ids.length && ordered; i++) if ((ids[i] as number) < (ids[i - 1] as number)) ordered = false;
  if (ordered) return Float64Array.from(ids);
  const order = Uint32Array.from({ length: ids.length }, (_, i) => i).sort((a, b) => (ids[a] as number) - (ids[b] as number));
  for (const [id, cs] of codes) codes.set(id, Uint8Array.from(order, (i) => cs[i] as number));
  return Float64Array.from(order, (i) => ids[i] as number);
}
