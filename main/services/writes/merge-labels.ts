// Merge labels from a file keyed by the dataset's key: a preview (matched and unmatched keys, each
// column's type, every problem with its row) and then one merge. Columns the dataset lacks become
// label columns (type inferred from the values); existing label columns are checked against their
// type and categories. Unmatched keys are reported and left out; nothing is inserted.
import path from 'node:path';
import { arrow } from '../dataset/lance';
import { failure } from '../support/errors';
import { addLabelColumn, checkLabelColumn } from './evolve';
import { coerceLabelValue as coerce } from './label-values';
import { readLabelFile, type FileCell, type LabelFile } from './label-files';
import { keyIn } from '../views/filter-sql';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { LabelSpec, LabelType, MergePreview } from '../../../shared/types';
import { committed, writeFailure, type Committed } from './commit';

type Value = string | number | boolean | null;

interface Plan {
  preview: MergePreview;
  keyType: 'int' | 'string';
  /** Per file row: the key (as text) and each merged column's value. */
  rows: Array<{ key: string; values: Value[] }>;
  matchedKeys: Set<string>;
  merged: Array<{ name: string; spec: LabelSpec; isNew: boolean }>;
}

const MAX_PROBLEMS = 8;

export async function previewMerge(datasets: DatasetService, datasetId: string, file: string): Promise<MergePreview> {
  return (await plan(datasets, datasetId, file)).preview;
}

async function plan(datasets: DatasetService, datasetId: string, file: string): Promise<Plan> {
  const ds = datasets.writable(datasetId);
  const keyCol = ds.info.keyColumn;
  if (!keyCol) throw failure('UNSUPPORTED', 'This dataset has no "key" column, so there is nothing to match the file\'s rows on.');
  const parsed: LabelFile = await readLabelFile(file);
  if (!parsed.columns.includes(keyCol)) {
    throw failure('INVALID_PAYLOAD', `The file has no "${keyCol}" column to match rows on (its columns: ${parsed.columns.slice(0, 10).join(', ') || 'none'}).`);
  }
  const keyType = ds.info.columns.find((c) => c.name === keyCol)!.kind === 'int' ? 'int' : 'string';
  const problems: string[] = [];
  const problem = (p: string) => problems.length < MAX_PROBLEMS && problems.push(p);
  const ignored: string[] = [];
  const existingNames = ds.info.columns.map((c) => c.name);

  // Which columns merge, and as what.
  const merged: Plan['merged'] = [];
  for (const name of parsed.columns) {
    if (name === keyCol) continue;
    const existing = ds.info.columns.find((c) => c.name === name);
    if (existing) {
      if (existing.label) merged.push({ name, spec: existing.label, isNew: false });
      else ignored.push(`${name} (not a label column)`);
      continue;
    }
    try {
      checkLabelColumn([...existingNames, ...merged.map((m) => m.name)], { name, type: 'text' });
    } catch (err) {
      problem(`Column "${name.slice(0, 60)}": ${(err as Error).message}`);
      continue;
    }
    merged.push({ name, spec: { type: inferType(parsed.rows.map((r) => r[name] ?? null)) }, isNew: true });
  }
  if (!merged.length && !problems.length) problem(`The file has no label columns besides "${keyCol}".`);

  // Every row: its key, and each value converted to its column's type.
  const seen = new Set<string>();
  const rows: Plan['rows'] = [];
  parsed.rows.forEach((r, i) => {
    const key = normalizeKey(r[keyCol] ?? null, keyType);
    if (key === null) return void problem(`Row ${i + 1}: the key "${String(r[keyCol] ?? '').slice(0, 40)}" is ${r[keyCol] == null ? 'empty' : `not a valid ${keyType === 'int' ? 'whole number' : 'key'}`}.`);
    if (seen.has(key)) return void problem(`Row ${i + 1}: the key ${key.slice(0, 40)} appears more than once in the file.`);
    seen.add(key);
    const values: Value[] = [];
    for (const m of merged) {
      const v = coerce(m.spec, r[m.name] ?? null);
      if (v === undefined) {
        problem(`Row ${i + 1}, ${m.name}: "${String(r[m.name]).slice(0, 40)}" is not ${describe(m.spec)}.`);
        values.push(null);
      } else values.push(v);
    }
    rows.push({ key, values });
  });

  const matchedKeys = await presentKeys(ds, keyCol, [...seen]);
  const unmatched = [...seen].filter((k) => !matchedKeys.has(k));
  const preview: MergePreview = {
    file,
    format: parsed.format,
    keyColumn: keyCol,
    rows: parsed.rows.length,
    matched: matchedKeys.size,
    unmatched: unmatched.length,
    unmatchedSample: unmatched.slice(0, 5),
    columns: merged.map((m, j) => ({ name: m.name, isNew: m.isNew, spec: m.spec, values: rows.filter((r) => r.values[j] !== null).length })),
    ignored,
    problems,
  };
  return { preview, keyType, rows, matchedKeys, merged };
}

/** Merge, as previewed: refused when the file or the matches changed since, or when it has problems. */
export async function mergeLabels(datasets: DatasetService, datasetId: string, file: string, expectedMatched: number): Promise<Committed & { updated: number; added: string[] }> {
  const p = await plan(datasets, datasetId, file);
  if (p.preview.problems.length) throw failure('INVALID_PAYLOAD', `The file has problems; fix them first: ${p.preview.problems[0]}`);
  if (p.preview.matched !== expectedMatched) {
    throw failure('INVALID_PAYLOAD', `${p.preview.matched.toLocaleString('en-US')} keys match now, not the ${expectedMatched.toLocaleString('en-US')} previewed. Preview again.`);
  }
  if (!p.preview.matched) throw failure('INVALID_PAYLOAD', 'No key in the file matches a row of the dataset: nothing to merge.');
  const added: string[] = [];
  for (const m of p.merged.filter((x) => x.isNew)) {
    await addLabelColumn(datasets, datasetId, { name: m.name, type: m.spec.type });
    added.push(m.name);
  }
  const ds = datasets.writable(datasetId);
  const keyCol = p.preview.keyColumn;
  const schema = await ds.table.schema();
  const fieldOf = (name: string) => schema.fields.find((f) => f.name === name)!;
  const rows = p.rows.filter((r) => p.matchedKeys.has(r.key));
  const keyField = fieldOf(keyCol);
  const columns: Record<string, import('apache-arrow').Vector> = {
    [keyCol]: arrow.vectorFromArray(rows.map((r) => (p.keyType === 'int' ? BigInt(r.key) : r.key)) as never, keyField.type),
  };
  p.merged.forEach((m, j) => {
    const f = fieldOf(m.name);
    const values = rows.map((r) => r.values[j] ?? null);
    columns[m.name] = arrow.vectorFromArray((arrow.DataType.isInt(f.type) && f.type.bitWidth === 64 ? values.map((v) => (v === null ? null : BigInt(v as number))) : values) as never, f.type);
  });
  const data = new arrow.Table(columns);
  let updated: number;
  try {
    const r = await ds.table.mergeInsert(keyCol).whenMatchedUpdateAll().execute(data);
    updated = Number(r.numUpdatedRows);
  } catch (err) {
    throw writeFailure(err, 'The labels could not be merged');
  }
  // The merged rows moved (Lance rewrites updated rows): views and the session order start again.
  datasets.rows.lost(datasetId);
  const done = await committed(datasets, datasetId, `merged ${path.basename(file)}: ${p.merged.map((m) => m.name).join(', ')} on ${updated.toLocaleString('en-US')} rows`);
  return { ...done, updated, added };
}

function normalizeKey(v: FileCell, type: 'int' | 'string'): string | null {
  if (v === null) return null;
  if (type === 'string') return String(v);
  const text = String(v).trim();
  if (!/^-?\d{1,19}$/.test(text)) return null;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n.toString() : null;
}

function inferType(values: FileCell[]): LabelType {
  const present = values.filter((v) => v !== null && v !== '');
  if (!present.length) return 'text';
  if (present.every((v) => typeof v === 'boolean' || /^(true|false|yes|no)$/i.test(String(v)))) return 'boolean';
  if (present.every((v) => Number.isSafeInteger(Number(v)) && /^-?\d+$/.test(String(v).trim()))) return 'integer';
  if (present.every((v) => typeof v !== 'boolean' && Number.isFinite(Number(v)) && String(v).trim() !== '')) return 'float';
  return 'text';
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
async function presentKeys(ds: OpenDataset, keyCol: string, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (!keys.length) return found;
  const collect = (t: import('apache-arrow').Table) => {
    const col = t.getChild(keyCol);
    for (let i = 0; i < t.numRows; i++) found.add(String(col?.get(i)));
  };
  if (keys.length <= 20_000) {
    for (let i = 0; i < keys.length; i += 2000) {
      const where = keyIn(ds.info, keys.slice(i, i + 2000));
      collect(await ds.table.query().where(where).select([keyCol]).toArrow());
    }
    return found;
  }
  const wanted = new Set(keys);
  const all = await ds.table.query().select([keyCol]).toArrow();
  const col = all.getChild(keyCol);
  for (let i = 0; i < all.numRows; i++) {
    const k = String(col?.get(i));
    if (wanted.has(k)) found.add(k);
  }
  return found;
}
