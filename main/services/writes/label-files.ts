// Reading a labels file (CSV, JSON Lines or Parquet) as a stream of row batches, with limits checked
// as it goes and errors that name the line. CSV and JSON Lines are parsed in a worker thread
// (label-parse.worker.cjs): a 100 MB one-field CSV used to freeze every request for 35 s. Parquet is
// read a slice of rows at a time after its row count is checked from the footer, so a 16 KB file that
// claims 6M rows is refused before anything is decoded. Rows are positional arrays matching
// `columns`: no name from the file becomes a key of a plain object.
import { promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { failure } from '../support/errors';

export type FileCell = string | number | boolean | bigint | null;
export type LabelFormat = 'csv' | 'jsonl' | 'parquet';

/** Chosen for labels (a key and a few short values per row); documented in the README. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
export const MAX_ROWS = 5_000_000;
export const LIMITS = { maxRows: MAX_ROWS, maxColumns: 256, maxLineBytes: 1024 * 1024, maxCellBytes: 64 * 1024 };
const BATCH_ROWS = 16_384;
const PARQUET_SLICE = 65_536;

export interface FileFacts {
  format: LabelFormat;
  bytes: number;
  mtimeMs: number;
}

export interface ScanResult extends FileFacts {
  columns: string[];
  rows: number;
}

export interface ScanOptions {
  signal?: AbortSignal;
  /** Bytes read so far of the file's size (rows of the row count for Parquet), and that in words. */
  progress?(done: number, total: number, words: string): void;
}

/** A batch of rows, positional: rows[i][j] is the value of columns[j]. Columns only grow. */
export type OnBatch = (columns: readonly string[], rows: readonly FileCell[][]) => void | Promise<void>;

const mb = (n: number) => `${(n / 1e6).toFixed(n < 10e6 ? 1 : 0)} MB`;
const cancelled = () => failure('CANCELLED', 'Reading the labels file was cancelled.');

export async function labelFileFacts(file: string): Promise<FileFacts> {
  if (!path.isAbsolute(file)) throw failure('INVALID_PAYLOAD', 'Give the file as a full path (starting at the root of the disk).');
  const ext = path.extname(file).toLowerCase();
  const format = ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : ext === '.parquet' ? 'parquet' : null;
  if (!format) throw failure('INVALID_PAYLOAD', `${path.basename(file)} is not a labels file: use .csv, .jsonl or .parquet.`);
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) throw failure('NOT_FOUND', `There is no file at ${file}.`);
  if (stat.size > MAX_FILE_BYTES) throw failure('INVALID_PAYLOAD', `${path.basename(file)} is too large to merge at once (${Math.round(stat.size / 1e6)} MB; 512 MB at most). Split it.`);
  return { format, bytes: stat.size, mtimeMs: stat.mtimeMs };
}

/** Read the file batch by batch; the next batch is parsed only after `onBatch` has finished. */
export async function scanLabelFile(file: string, onBatch: OnBatch, opts: ScanOptions = {}): Promise<ScanResult> {
  const facts = await labelFileFacts(file);
  if (opts.signal?.aborted) throw cancelled();
  const done = facts.format === 'parquet' ? await scanParquet(file, onBatch, opts) : await scanText(file, facts.format, facts.bytes, onBatch, opts);
  return { ...facts, ...done };
}

async function scanParquet(file: string, onBatch: OnBatch, opts: ScanOptions): Promise<{ columns: string[]; rows: number }> {
  const name = path.basename(file);
  const unreadable = (err: unknown) => failure('INVALID_PAYLOAD', `${name} could not be read as Parquet: ${String((err as Error)?.message ?? err).slice(0, 200)}`);
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    throw unreadable(err);
  }
  // The footer says how many rows there are: checked before a single value is decoded.
  const total = Number(metadata.num_rows);
  if (total > MAX_ROWS) throw failure('INVALID_PAYLOAD', `The file has more than ${MAX_ROWS.toLocaleString('en-US')} rows (its footer says ${total.toLocaleString('en-US')}).`);
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  if (columns.length > LIMITS.maxColumns) throw failure('INVALID_PAYLOAD', `The file has more than ${LIMITS.maxColumns} columns.`);
  for (let start = 0; start < total; start += PARQUET_SLICE) {
    if (opts.signal?.aborted) throw cancelled();
    let rows: unknown[][] = [];
    try {
      await parquetRead({ file: buffer, metadata, rowStart: start, rowEnd: Math.min(total, start + PARQUET_SLICE), onComplete: (r: unknown[][]) => (rows = r) });
    } catch (err) {
      throw unreadable(err);
    }
    const batch = rows.map((r, i) => r.map((v, j) => parquetCell(v, columns[j] as string, start + i + 1)));
    await onBatch(columns, batch);
    const done = Math.min(total, start + PARQUET_SLICE);
    opts.progress?.(done, total, `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
    // Let other requests in between slices.
    await new Promise((r) => setImmediate(r));
  }
  return { columns, rows: total };
}

function parquetCell(v: unknown, column: string, row: number): FileCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    if (v.length > LIMITS.maxCellBytes) throw failure('INVALID_PAYLOAD', `Row ${row}, column "${column.slice(0, 60)}": a value is longer than 64 kB.`);
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  throw failure('INVALID_PAYLOAD', `Row ${row}, column "${column.slice(0, 60)}": only plain values (text, numbers, true/false) can be labels.`);
}

/**
 * The parsing thread's source, read once and started with `eval` (as the part writer's is): a worker
 * started from a path inside the app's asar archive might not load. The build emits it beside the bundle.
 */
let workerSource: string | null = null;
const workerFile = () => fileURLToPath(new URL('./label-parse.worker.cjs', import.meta.url));
function workerCode(): string {
  workerSource ??= readFileSync(workerFile(), 'utf8');
  return workerSource;
}

type WorkerMessage =
  | { type: 'rows'; columns: string[]; rows: FileCell[][]; bytes: number }
  | { type: 'end'; columns: string[]; rows: number; bytes: number }
  | { type: 'error'; message: string; parse: boolean };

function scanText(file: string, format: 'csv' | 'jsonl', total: number, onBatch: OnBatch, opts: ScanOptions): Promise<{ columns: string[]; rows: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerCode(), { eval: true, workerData: { labelParse: true, file, format, limits: LIMITS, batchRows: BATCH_ROWS } });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => settle(() => reject(cancelled()));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (settled) return;
      if (m.type === 'error') return settle(() => reject(failure(m.parse ? 'INVALID_PAYLOAD' : 'IO', m.message)));
      if (m.type === 'end') return settle(() => resolve({ columns: m.columns, rows: m.rows }));
      Promise.resolve(onBatch(m.columns, m.rows)).then(
        () => {
          if (settled) return;
          const of = Math.max(total, m.bytes);
          opts.progress?.(m.bytes, of, `${mb(m.bytes)} of ${mb(of)}`);
          worker.postMessage('more');
        },
        (err) => settle(() => reject(err)),
      );
    });
    worker.on('error', (err) => settle(() => reject(failure('INTERNAL', `The labels file could not be parsed: ${err.message}`))));
    worker.on('exit', (code) => settle(() => reject(failure('INTERNAL', `The labels file parser stopped (exit ${code}).`))));
  });
}

interface ParseCsvModule {
  parseCsvText(text: string, limits: typeof LIMITS): { columns: string[]; rows: FileCell[][] };
}

/** A whole CSV text at once, with the same parser and limits (small texts; tests). */
export function parseCsv(text: string): { columns: string[]; rows: FileCell[][] } {
  const mod = createRequire(import.meta.url)(workerFile()) as ParseCsvModule;
  try {
    return mod.parseCsvText(text, LIMITS);
  } catch (err) {
    throw failure('INVALID_PAYLOAD', (err as Error).message);
  }
}
