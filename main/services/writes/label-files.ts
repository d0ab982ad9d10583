// Reading a labels file (CSV, JSON Lines or Parquet) into rows of plain values, with errors that name
// the line. Only what merging labels needs: a header (or keys) and scalar cells.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { failure } from '../support/errors';

export type FileCell = string | number | boolean | bigint | null;
export interface LabelFile {
  format: 'csv' | 'jsonl' | 'parquet';
  columns: string[];
  rows: Array<Record<string, FileCell>>;
}

/** Generous for labels (a key and a few short values per row), small enough to hold in memory. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
export const MAX_ROWS = 5_000_000;

export async function readLabelFile(file: string): Promise<LabelFile> {
  if (!path.isAbsolute(file)) throw failure('INVALID_PAYLOAD', 'Give the file as a full path (starting at the root of the disk).');
  const ext = path.extname(file).toLowerCase();
  const format = ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : ext === '.parquet' ? 'parquet' : null;
  if (!format) throw failure('INVALID_PAYLOAD', `${path.basename(file)} is not a labels file: use .csv, .jsonl or .parquet.`);
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) throw failure('NOT_FOUND', `There is no file at ${file}.`);
  if (stat.size > MAX_FILE_BYTES) throw failure('INVALID_PAYLOAD', `${path.basename(file)} is too large to merge at once (${Math.round(stat.size / 1e6)} MB; 512 MB at most). Split it.`);
  if (format === 'parquet') return readParquet(file);
  const text = await fs.readFile(file, 'utf8');
  return format === 'csv' ? parseCsv(text) : parseJsonl(text);
}

async function readParquet(file: string): Promise<LabelFile> {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file) })) as Array<Record<string, unknown>>;
  } catch (err) {
    throw failure('INVALID_PAYLOAD', `${path.basename(file)} could not be read as Parquet: ${String((err as Error).message ?? err).slice(0, 200)}`);
  }
  if (rows.length > MAX_ROWS) throw failure('INVALID_PAYLOAD', `The file has more than ${MAX_ROWS.toLocaleString('en-US')} rows.`);
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  const out = rows.map((r, i) => {
    const row: Record<string, FileCell> = {};
    for (const c of columns) row[c] = scalar(r[c], c, i + 1);
    return row;
  });
  return { format: 'parquet', columns, rows: out };
}

function scalar(v: unknown, column: string, line: number): FileCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  throw failure('INVALID_PAYLOAD', `Row ${line}, column "${column.slice(0, 60)}": only plain values (text, numbers, true/false) can be labels.`);
}

function parseJsonl(text: string): LabelFile {
  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: Array<Record<string, FileCell>> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw failure('INVALID_PAYLOAD', `Line ${i + 1} is not valid JSON.`);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw failure('INVALID_PAYLOAD', `Line ${i + 1} is not a JSON object ({"key": ..., "label": ...}).`);
    const row: Record<string, FileCell> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
      row[k] = scalar(v, k, i + 1);
    }
    rows.push(row);
    if (rows.length > MAX_ROWS) throw failure('INVALID_PAYLOAD', `The file has more than ${MAX_ROWS.toLocaleString('en-US')} rows.`);
  }
  return { format: 'jsonl', columns, rows };
}

/** RFC 4180: a header line, fields separated by commas, quoted with "" where needed. Cells are text. */
export function parseCsv(text: string): LabelFile {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a BOM from spreadsheet programs
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      line++;
      if (records.length > MAX_ROWS + 1) throw failure('INVALID_PAYLOAD', `The file has more than ${MAX_ROWS.toLocaleString('en-US')} rows.`);
    } else field += ch;
  }
  if (quoted) throw failure('INVALID_PAYLOAD', `A quoted field that starts before line ${line} is never closed.`);
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  const nonEmpty = records.filter((r) => !(r.length === 1 && r[0] === ''));
  const header = nonEmpty.shift();
  if (!header) throw failure('INVALID_PAYLOAD', 'The CSV file is empty: it needs a header line such as "key,quality".');
  const columns = header.map((h) => h.trim());
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup !== undefined) throw failure('INVALID_PAYLOAD', `The header names "${dup.slice(0, 60)}" twice.`);
  const rows = nonEmpty.map((r, i) => {
    if (r.length !== columns.length) throw failure('INVALID_PAYLOAD', `Row ${i + 1} has ${r.length} fields; the header has ${columns.length}.`);
    const row: Record<string, FileCell> = {};
    columns.forEach((c, j) => (row[c] = r[j] === '' ? null : (r[j] as string)));
    return row;
  });
  return { format: 'csv', columns, rows };
}
