// Export the rows of a view (or the whole table) as a manifest: key plus chosen columns, as CSV, JSON
// Lines or Parquet, streamed page by page into a ".partial" file that is renamed only when complete,
// so a cancelled or failed export never leaves a file that looks finished.
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { failure, isDiskFull } from '../support/errors';
import type { DatasetService } from '../dataset/dataset-service';
import type { ViewService } from '../views/views';
import type { Cell, ColumnInfo, RowSummary } from '../../../shared/types';
import type { JobRegistry, ReportProgress } from '../jobs/jobs';
import { parquetSink, type Sink } from './export-parquet';
import type { ExportFormat } from '../../../shared/types';

export type { ExportFormat };

export interface ExportRequest {
  datasetId: string;
  viewId: string | null;
  count: number;
  format: ExportFormat;
  columns: string[];
  path: string;
  overwrite: boolean;
}

const PAGE = 1000;

export function defaultExportPath(name: string, format: ExportFormat): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'export';
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return path.join(os.homedir(), 'lance-explorer-exports', `${safe}-${stamp}.${format}`);
}

function csvField(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  const text = typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The key column first, then the chosen ones; images and vectors are refused (manifests are text). */
export function exportColumns(datasets: DatasetService, datasetId: string, chosen: string[]): ColumnInfo[] {
  const ds = datasets.get(datasetId);
  const known = new Map(ds.pageColumns.map((c) => [c.name, c]));
  const key = ds.info.keyColumn;
  const names = [...new Set([...(key ? [key] : []), ...chosen])];
  const unknown = names.filter((c) => !known.has(c));
  if (unknown.length) throw failure('INVALID_PAYLOAD', `These columns cannot be exported: ${unknown.join(', ')} (images and vectors are left out of manifests).`);
  return names.map((n) => known.get(n)!);
}

/** Check the target before any work: absolute, a folder that exists, not silently overwritten. */
export async function checkExportTarget(target: string, format: ExportFormat, overwrite: boolean): Promise<void> {
  if (!path.isAbsolute(target)) throw failure('INVALID_PAYLOAD', 'Give the export a full path (starting at the root of the disk).');
  if (!target.toLowerCase().endsWith(`.${format}`)) throw failure('INVALID_PAYLOAD', `The file name should end in .${format}.`);
  await fs.mkdir(path.dirname(target), { recursive: true }).catch(() => {});
  const dir = await fs.stat(path.dirname(target)).catch(() => null);
  if (!dir?.isDirectory()) throw failure('NOT_FOUND', `The folder ${path.dirname(target)} does not exist.`);
  const existing = await fs.stat(target).catch(() => null);
  if (existing && !overwrite) throw failure('INVALID_PAYLOAD', `${target} already exists. Choose another name or allow overwriting.`);
}

export async function exportRows(
  req: ExportRequest,
  deps: { datasets: DatasetService; views: ViewService; createStream?: (file: string) => import('node:stream').Writable },
  report: ReportProgress,
  signal: AbortSignal,
): Promise<{ path: string; rows: number }> {
  const columns = exportColumns(deps.datasets, req.datasetId, req.columns);
  const partial = `${req.path}.partial`;
  const out = deps.createStream ? deps.createStream(partial) : createWriteStream(partial, { flags: 'w' });
  // A write error (full disk) surfaces on the next await instead of as an unhandled event.
  let streamError: Error | null = null;
  out.on('error', (e: Error) => (streamError = e));
  const write = async (s: string | Uint8Array) => {
    if (streamError) throw streamError;
    if (s.length === 0) return;
    if (!out.write(s)) await Promise.race([once(out, 'drain'), once(out, 'error')]);
    if (streamError) throw streamError;
  };
  const sink: Sink = req.format === 'parquet' ? parquetSink(columns, !!req.viewId) : textSink(columns, req.format, !!req.viewId);
  let written = 0;
  try {
    await write(sink.header());
    for (let offset = 0; offset < req.count; offset += PAGE) {
      if (signal.aborted) throw failure('CANCELLED', 'The export was cancelled.');
      const page = req.viewId ? await deps.views.page(req.datasetId, req.viewId, offset, PAGE) : await deps.datasets.page(req.datasetId, offset, PAGE);
      await write(sink.rows(page.rows));
      written += page.rows.length;
      report(written, req.count, `Exported ${written.toLocaleString('en-US')} of ${req.count.toLocaleString('en-US')} rows`);
      if (page.rows.length === 0) break;
    }
    await write(sink.end());
    out.end();
    await Promise.race([once(out, 'finish'), once(out, 'close')]);
    if (streamError) throw streamError;
    await fs.rename(partial, req.path);
    return { path: req.path, rows: written };
  } catch (err) {
    out.destroy();
    await fs.rm(partial, { force: true });
    if (isDiskFull(err)) throw failure('IO', 'The export stopped: the disk is full. Nothing was written.');
    throw err;
  }
}

/** CSV and JSON Lines: one line per row, a header line for CSV. */
function textSink(columns: ColumnInfo[], format: 'csv' | 'jsonl', withScore: boolean): Sink {
  const names = columns.map((c) => c.name);
  return {
    header: () => (format === 'csv' ? `${[...names, ...(withScore ? ['score'] : [])].map((c) => csvField(c)).join(',')}\n` : ''),
    rows: (rows) => {
      let chunk = '';
      for (const row of rows) chunk += line(row, names, format, withScore);
      return chunk;
    },
    end: () => '',
  };
}

function line(row: RowSummary, columns: string[], format: 'csv' | 'jsonl', withScore: boolean): string {
  if (format === 'jsonl') {
    const obj: Record<string, Cell> = {};
    for (const c of columns) obj[c] = row.values[c] ?? null;
    if (withScore && row.score !== undefined) obj.score = row.score;
    return `${JSON.stringify(obj)}\n`;
  }
  const fields = columns.map((c) => csvField(row.values[c]));
  if (withScore) fields.push(row.score === undefined ? '' : String(row.score));
  return `${fields.join(',')}\n`;
}

/** Exports as jobs: checked before the job starts, so bad columns or targets are answered at once. */
export class ExportService {
  constructor(
    private readonly datasets: DatasetService,
    private readonly views: ViewService,
    private readonly jobs: JobRegistry,
  ) {}

  defaultPath(datasetId: string, format: ExportFormat): { path: string } {
    return { path: defaultExportPath(this.datasets.get(datasetId).info.name, format) };
  }

  async start(req: { id: string; viewId: string | null; format: ExportFormat; columns: string[]; path: string; overwrite?: boolean | undefined }): Promise<{ jobId: string; path: string; rows: number }> {
    const count = req.viewId ? this.views.viewCount(req.id, req.viewId) : this.datasets.get(req.id).info.rowCount;
    exportColumns(this.datasets, req.id, req.columns);
    await checkExportTarget(req.path, req.format, !!req.overwrite);
    const request: ExportRequest = { datasetId: req.id, viewId: req.viewId, count, format: req.format, columns: req.columns, path: req.path, overwrite: !!req.overwrite };
    const { jobId } = this.jobs.start('export', (report, signal) => exportRows(request, { datasets: this.datasets, views: this.views }, report, signal));
    return { jobId, path: req.path, rows: count };
  }
}
