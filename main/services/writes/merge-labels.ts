// Merge labels from a file keyed by the dataset's key: a preview (matched and unmatched keys, each
// column's type, every problem with its row) and then one merge. Columns the dataset lacks become
// label columns (type inferred from the values); existing label columns are checked against their
// type and categories. Unmatched keys are reported and left out; nothing is inserted.
import path from 'node:path';
import { arrow } from '../dataset/lance';
import { failure } from '../support/errors';
import { addLabelColumn, checkLabelColumn } from './evolve';
import { coerceLabelValue as coerce } from './label-values';
import { labelFileFacts, scanLabelFile, type FileCell } from './label-files';
import { keyIn } from '../views/filter-sql';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { LabelSpec, LabelType, MergePreview } from '../../../shared/types';
import { committed, writeFailure, type Committed, rollBack } from './commit';

type Value = string | number | boolean | null;

/** What the work may be told: stop (cancel), and how far it got (a job's progress). */
export interface MergeRun {
  signal?: AbortSignal;
  progress?(done: number, total: number, message: string): void;
}

interface MergedColumn {
  name: string;
  spec: LabelSpec;
  isNew: boolean;
  /** Its position in the file's columns. */
  at: number;
}

interface Plan {
  preview: MergePreview;
  keyType: 'int' | 'string';
  /** Keys of the file that the dataset has (int keys as decimal text too). */
  matched: KeySet;
  merged: MergedColumn[];
  facts: { bytes: number; mtimeMs: number };
}

const MAX_PROBLEMS = 8;

/** What a column's values look like, gathered as rows stream by (for typing new columns). */
class ColumnStats {
  present = 0;
  bool = true;
  int = true;
  float = true;
  /** First row whose value cannot be a text label (too long, or a NUL). */
  badTextRow = 0;
  add(v: FileCell, row: number): void {
    if (v === null || v === '') return;
    this.present++;
    const text = String(v);
    if (this.bool && !(typeof v === 'boolean' || /^(true|false|yes|no)$/i.test(text))) this.bool = false;
    if (this.int && !(Number.isSafeInteger(Number(v)) && /^-?\d+$/.test(text.trim()))) this.int = false;
    if (this.float && !(typeof v !== 'boolean' && Number.isFinite(Number(v)) && text.trim() !== '')) this.float = false;
    if (!this.badTextRow && (text.length > 1000 || text.includes('\0'))) this.badTextRow = row;
  }
  type(): LabelType {
    if (!this.present) return 'text';
    return this.bool ? 'boolean' : this.int ? 'integer' : this.float ? 'float' : 'text';
  }
}

/**
 * A set of keys that stays small at millions: whole-number keys in a sorted BigInt64Array, text keys
 * in a Set. Grows while rows stream in, then is sealed for lookups.
 */
class KeySet {
  private ints = new BigInt64Array(1024);
  private count = 0;
  private readonly texts = new Set<string>();
  constructor(readonly type: 'int' | 'string') {}
  add(key: string): void {
    if (this.type === 'string') return void this.texts.add(key);
    if (this.count === this.ints.length) {
      const next = new BigInt64Array(this.ints.length * 2);
      next.set(this.ints);
      this.ints = next;
    }
    this.ints[this.count++] = BigInt(key);
  }
  get size(): number {
    return this.type === 'string' ? this.texts.size : this.count;
  }
  seal(): this {
    if (this.type === 'int') this.ints = this.ints.slice(0, this.count).sort();
    return this;
  }
  has(key: string): boolean {
    if (this.type === 'string') return this.texts.has(key);
    const k = BigInt(key);
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.ints[mid] as bigint;
      if (v === k) return true;
      if (v < k) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
  /** Drop repeats (after `repeated` has told them). */
  unique(): this {
    if (this.type === 'string' || this.count < 2) return this;
    let w = 1;
    for (let i = 1; i < this.count; i++) if (this.ints[i] !== this.ints[w - 1]) this.ints[w++] = this.ints[i] as bigint;
    this.count = w;
    this.ints = this.ints.slice(0, w);
    return this;
  }
  /** Sorted int keys with a repeat (a sealed set of file keys), the first few. */
  repeated(limit: number): Set<string> {
    const out = new Set<string>();
    for (let i = 1; i < this.count && out.size < limit; i++) if (this.ints[i] === this.ints[i - 1]) out.add(String(this.ints[i]));
    return out;
  }
  *values(): Iterable<string> {
    if (this.type === 'string') yield* this.texts;
    else for (let i = 0; i < this.count; i++) yield String(this.ints[i]);
  }
}

export async function previewMerge(datasets: DatasetService, datasetId: string, file: string, run: MergeRun = {}): Promise<MergePreview> {
  return (await plan(datasets, datasetId, file, run)).preview;
}

async function plan(datasets: DatasetService, datasetId: string, file: string, run: MergeRun): Promise<Plan> {
  const ds = datasets.writable(datasetId);
  const keyCol = ds.info.keyColumn;
  if (!keyCol) throw failure('UNSUPPORTED', 'This dataset has no "key" column, so there is nothing to match the file\'s rows on.');
  const keyType = ds.info.columns.find((c) => c.name === keyCol)!.kind === 'int' ? 'int' : 'string';
  // Column problems first (a few of them say more than many row problems), then rows in file order.
  const columnProblems: string[] = [];
  const rowProblems: string[] = [];
  const problem = (p: string) => rowProblems.length < MAX_PROBLEMS && rowProblems.push(p);
  const name = path.basename(file);

  // One pass over the file: keys (compact), each column's stats, and the values of existing label
  // columns checked against their type as they stream by. Nothing else of the file is kept.
  const stats: ColumnStats[] = [];
  const existing = new Map(ds.info.columns.map((c) => [c.name, c]));
  const fileKeys = new KeySet(keyType);
  let keyAt = -1;
  let row = 0;
  const scan = await scanLabelFile(
    file,
    (columns, rows) => {
      if (keyAt < 0) keyAt = columns.indexOf(keyCol);
      while (stats.length < columns.length) stats.push(new ColumnStats());
      for (const r of rows) {
        row++;
        const rawKey = keyAt >= 0 ? (r[keyAt] ?? null) : null;
        const key = normalizeKey(rawKey, keyType);
        if (keyAt >= 0) {
          if (key === null) problem(`Row ${row}: the key "${String(rawKey ?? '').slice(0, 40)}" is ${rawKey == null ? 'empty' : `not a valid ${keyType === 'int' ? 'whole number' : 'key'}`}.`);
          else if (keyType === 'string' && fileKeys.has(key)) problem(`Row ${row}: the key ${key.slice(0, 40)} appears more than once in the file.`);
          else fileKeys.add(key);
        }
        for (let j = 0; j < r.length; j++) {
          if (j === keyAt) continue;
          const v = r[j] ?? null;
          const spec = existing.get(columns[j] as string)?.label;
          if (spec && coerce(spec, v) === undefined) problem(`Row ${row}, ${columns[j]}: "${String(v).slice(0, 40)}" is not ${describe(spec)}.`);
          (stats[j] as ColumnStats).add(v, row);
        }
      }
    },
    { ...(run.signal ? { signal: run.signal } : {}), progress: (done, total, words) => run.progress?.(done, total, `Reading ${name}: ${words}`) },
  );
  if (!scan.columns.includes(keyCol)) {
    throw failure('INVALID_PAYLOAD', `The file has no "${keyCol}" column to match rows on (its columns: ${scan.columns.slice(0, 10).join(', ') || 'none'}).`);
  }
  fileKeys.seal();
  if (keyType === 'int') {
    const repeated = fileKeys.repeated(MAX_PROBLEMS);
    if (repeated.size) await findRepeatRows(file, keyCol, repeated, problem, run);
    fileKeys.unique();
  }

  // Which columns merge, and as what.
  const merged: MergedColumn[] = [];
  const ignored: string[] = [];
  const existingNames = ds.info.columns.map((c) => c.name);
  scan.columns.forEach((col, at) => {
    if (col === keyCol) return;
    const known = existing.get(col);
    if (known) {
      if (known.label) merged.push({ name: col, spec: known.label, isNew: false, at });
      else ignored.push(`${col} (not a label column)`);
      return;
    }
    try {
      checkLabelColumn([...existingNames, ...merged.map((m) => m.name)], { name: col, type: 'text' });
    } catch (err) {
      columnProblems.push(`Column "${col.slice(0, 60)}": ${(err as Error).message}`);
      return;
    }
    const s = stats[at] as ColumnStats;
    const type = s.type();
    if (type === 'text' && s.badTextRow) columnProblems.push(`Row ${s.badTextRow}, ${col}: the value is not ${describe({ type: 'text' })}.`);
    merged.push({ name: col, spec: { type }, isNew: true, at });
  });
  if (!merged.length && !columnProblems.length && !rowProblems.length) columnProblems.push(`The file has no label columns besides "${keyCol}".`);
  const problems = [...columnProblems, ...rowProblems].slice(0, MAX_PROBLEMS);

  run.progress?.(scan.bytes, scan.bytes, 'Matching keys against the dataset');
  const matched = await presentKeys(ds, keyCol, fileKeys);
  const unmatchedSample: string[] = [];
  for (const k of fileKeys.values()) {
    if (unmatchedSample.length >= 5) break;
    if (!matched.has(k)) unmatchedSample.push(k);
  }
  const preview: MergePreview = {
    file,
    format: scan.format,
    keyColumn: keyCol,
    rows: scan.rows,
    matched: matched.size,
    unmatched: fileKeys.size - matched.size,
    unmatchedSample,
    columns: merged.map((m) => ({ name: m.name, isNew: m.isNew, spec: m.spec, values: (stats[m.at] as ColumnStats).present })),
    ignored,
    problems,
  };
  return { preview, keyType, matched, merged, facts: { bytes: scan.bytes, mtimeMs: scan.mtimeMs } };
}

/** The rows where repeated keys appear again (a second, cheap pass only when there are repeats). */
async function findRepeatRows(file: string, keyCol: string, repeated: Set<string>, problem: (p: string) => void, run: MergeRun): Promise<void> {
  const seen = new Set<string>();
  let keyAt = -1;
  let row = 0;
  await scanLabelFile(
    file,
    (columns, rows) => {
      if (keyAt < 0) keyAt = columns.indexOf(keyCol);
      for (const r of rows) {
        row++;
        const key = normalizeKey(keyAt >= 0 ? (r[keyAt] ?? null) : null, 'int');
        if (key === null || !repeated.has(key)) continue;
        if (seen.has(key)) problem(`Row ${row}: the key ${key.slice(0, 40)} appears more than once in the file.`);
        else seen.add(key);
      }
    },
    run.signal ? { signal: run.signal } : {},
  );
}

/**
 * Merge, as previewed: refused when the file or the matches changed since, or when it has problems.
 * All or nothing: new columns are added first (one version each), and if anything after that fails,
 * the dataset's content is put back to the version the merge started from.
 */
export async function mergeLabels(
  datasets: DatasetService,
  datasetId: string,
  file: string,
  expectedMatched: number,
  run: MergeRun = {},
): Promise<Committed & { updated: number; added: string[] }> {
  const p = await plan(datasets, datasetId, file, run);
  if (p.preview.problems.length) throw failure('INVALID_PAYLOAD', `The file has problems; fix them first: ${p.preview.problems[0]}`);
  if (p.preview.matched !== expectedMatched) {
    throw failure('INVALID_PAYLOAD', `${p.preview.matched.toLocaleString('en-US')} keys match now, not the ${expectedMatched.toLocaleString('en-US')} previewed. Preview again.`);
  }
  if (!p.preview.matched) throw failure('INVALID_PAYLOAD', 'No key in the file matches a row of the dataset: nothing to merge.');
  const keyCol = p.preview.keyColumn;

  // The matched rows' values, read in a second pass (only what will be written is kept).
  const keys: string[] = [];
  const values: Value[][] = p.merged.map(() => []);
  let keyAt = -1;
  await scanLabelFile(
    file,
    (columns, rows) => {
      if (keyAt < 0) keyAt = columns.indexOf(keyCol);
      for (const r of rows) {
        const key = normalizeKey(r[keyAt] ?? null, p.keyType);
        if (key === null || !p.matched.has(key)) continue;
        keys.push(key);
        p.merged.forEach((m, j) => (values[j] as Value[]).push(coerce(m.spec, r[m.at] ?? null) ?? null));
      }
    },
    { ...(run.signal ? { signal: run.signal } : {}), progress: (done, total, words) => run.progress?.(done, total, `Reading the matched rows of ${path.basename(file)}: ${words}`) },
  );
  const now = await labelFileFacts(file);
  if (now.bytes !== p.facts.bytes || now.mtimeMs !== p.facts.mtimeMs) throw failure('INVALID_PAYLOAD', `${path.basename(file)} changed while it was being merged. Preview again.`);
  if (run.signal?.aborted) throw failure('CANCELLED', 'The merge was cancelled; nothing was written.');

  const startVersion = datasets.writable(datasetId).info.version;
  const added: string[] = [];
  try {
    for (const m of p.merged.filter((x) => x.isNew)) {
      await addLabelColumn(datasets, datasetId, { name: m.name, type: m.spec.type });
      added.push(m.name);
    }
    const ds = datasets.writable(datasetId);
    const schema = await ds.table.schema();
    const fieldOf = (name: string) => schema.fields.find((f) => f.name === name)!;
    const columns = new Map<string, import('apache-arrow').Vector>();
    columns.set(keyCol, arrow.vectorFromArray(keys.map((k) => (p.keyType === 'int' ? BigInt(k) : k)) as never, fieldOf(keyCol).type));
    p.merged.forEach((m, j) => {
      const f = fieldOf(m.name);
      const vals = values[j] as Value[];
      columns.set(m.name, arrow.vectorFromArray((arrow.DataType.isInt(f.type) && f.type.bitWidth === 64 ? vals.map((v) => (v === null ? null : BigInt(v as number))) : vals) as never, f.type));
    });
    const data = new arrow.Table(Object.fromEntries(columns));
    run.progress?.(1, 1, `Writing ${keys.length.toLocaleString('en-US')} rows`);
    const r = await ds.table.mergeInsert(keyCol).whenMatchedUpdateAll().execute(data);
    const updated = Number(r.numUpdatedRows);
    // The merged rows moved (Lance rewrites updated rows): views and the session order start again.
    datasets.rows.lost(datasetId);
    const done = await committed(datasets, datasetId, `merged ${path.basename(file)}: ${p.merged.map((m) => m.name).join(', ')} on ${updated.toLocaleString('en-US')} rows`);
    return { ...done, updated, added };
  } catch (err) {
    if (added.length) await rollBack(datasets, datasetId, startVersion, 'merge');
    const f = writeFailure(err, 'The labels could not be merged');
    throw added.length ? failure(f.code, `${f.message} Nothing was merged: the columns it had added were taken back (the dataset's content is version ${startVersion}'s again).`, f.detail) : f;
  }
}

function normalizeKey(v: FileCell, type: 'int' | 'string'): string | null {
  if (v === null) return null;
  if (type === 'string') return String(v);
  const text = String(v).trim();
  if (!/^-?\d{1,19}$/.test(text)) return null;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n.toString() : null;
}

function describe(spec: LabelSpec): string {
  switch (spec.type) {
    case 'category':
      return `one of ${(spec.categories ?? []).join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'integer':
      return 'a whole number';
    case 'float':
      return 'a number';
    default:
      return 'text of at most 1,000 characters';
  }
}

/** Which of these keys the dataset has: by IN lists for a few, by one scan of the key column for many. */
async function presentKeys(ds: OpenDataset, keyCol: string, keys: KeySet): Promise<KeySet> {
  const found = new KeySet(keys.type);
  if (!keys.size) return found.seal();
  const add = (t: import('apache-arrow').Table) => {
    const col = t.getChild(keyCol);
    for (let i = 0; i < t.numRows; i++) found.add(String(col?.get(i)));
  };
  if (keys.size <= 20_000) {
    const all = [...keys.values()];
    for (let i = 0; i < all.length; i += 2000) add(await ds.table.query().where(keyIn(ds.info, all.slice(i, i + 2000))).select([keyCol]).toArrow());
    return found.seal();
  }
  const all = await ds.table.query().select([keyCol]).toArrow();
  const col = all.getChild(keyCol);
  for (let i = 0; i < all.numRows; i++) {
    const k = String(col?.get(i));
    if (keys.has(k)) found.add(k);
  }
  return found.seal();
}
