// Label rows from the grid: a selection (positions in a view or the plain table) or a whole view gets
// one value in one label column, as one new Lance version.
//
// Lance has no in-place update: an updated row is rewritten at the end of the table under a new row
// id. So a label write (1) names the rows by row id, (2) reads their keys, (3) updates, (4) finds the
// same keys again and re-points the session order and every open view at the new ids. The person sees
// the tile change its label and stay where it was. Large writes (whole views of thousands of rows)
// go by the view's filter instead and the views are computed again.
import { errorText, failure } from '../support/errors';
import { committed, firstLine, writeFailure } from './commit';
import { arrowType } from './evolve';
import { labelLiteral } from './label-values';
import { keyIn } from '../views/filter-sql';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { ViewService } from '../views/views';
import { MAX_LABEL_ROWS, type ColumnInfo, type DatasetInfo, type LabelSpec, type LabelValue } from '../../../shared/types';
import { takeRows } from '../dataset/take-rows';

export interface LabelRequest {
  datasetId: string;
  column: string;
  value: LabelValue;
  /** The view the positions refer to; null for the plain table. */
  viewId: string | null;
  /** Positions in the view (0-based), or `all` for every row of the view. */
  positions?: number[];
  /** The row ids shown at `positions` (same order): rows that moved meanwhile are refused, not guessed. */
  rowIds?: string[];
  /** The row count the person confirmed for a whole-view label: a view that changed meanwhile is refused. */
  all?: { expectedCount: number };
}

export interface LabelResult {
  version: number;
  updated: number;
  /** True when rows moved in a way the views could not follow: the renderer opens its view again. */
  reopenView: boolean;
}

/** Commit conflicts with another writer are retried this many times before they are reported. */
const RETRIES = 5;

export class LabelService {
  /** One write at a time per dataset from this app: fast key presses queue instead of conflicting. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly datasets: DatasetService,
    private readonly views: ViewService,
    /** Whole views larger than this are labelled by their filter (tests lower it). */
    private readonly maxById = MAX_LABEL_ROWS,
  ) {}

  /** How many rows a label write would touch and roughly how many bytes Lance rewrites for them. */
  async plan(datasetId: string, viewId: string | null, positions: number[] | undefined): Promise<{ rows: number; bytes: number }> {
    const ds = this.datasets.get(datasetId);
    const rows = positions ? new Set(positions).size : viewId ? this.views.viewDetails(datasetId, viewId).count : ds.info.rowCount;
    let bytes = 0;
    try {
      const stats = await ds.table.stats();
      bytes = ds.info.rowCount ? Math.round((stats.totalBytes / ds.info.rowCount) * rows) : 0;
    } catch {
      // An estimate only.
    }
    return { rows, bytes };
  }

  /** labels:set as the window asks it: the reply also carries the dataset as the write left it. */
  async apply(req: { id: string; viewId: string | null; column: string; value: LabelValue; positions?: number[] | undefined; rowIds?: string[] | undefined; all?: { expectedCount: number } | undefined }): Promise<LabelResult & { dataset: DatasetInfo }> {
    const result = await this.set({
      datasetId: req.id,
      viewId: req.viewId,
      column: req.column,
      value: req.value,
      ...(req.positions ? { positions: req.positions } : {}),
      ...(req.rowIds ? { rowIds: req.rowIds } : {}),
      ...(req.all ? { all: req.all } : {}),
    });
    return { ...result, dataset: this.datasets.get(req.id).info };
  }

  set(req: LabelRequest): Promise<LabelResult> {
    const prev = this.queues.get(req.datasetId) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => this.write(req));
    this.queues.set(req.datasetId, next);
    void next.finally(() => {
      if (this.queues.get(req.datasetId) === next) this.queues.delete(req.datasetId);
    }).catch(() => {});
    return next;
  }

  private async write(req: LabelRequest): Promise<LabelResult> {
    const ds = this.datasets.writable(req.datasetId);
    const column = labelColumn(ds, req.column);
    const literal = req.value === null || req.value === '' ? 'NULL' : labelLiteral(column.label, req.value, 'The label');
    // Cast to the column's own type: an integer literal in a float column, or a bare NULL, would not match.
    const update = { [column.name]: `CAST(${literal} AS ${arrowType(column.label.type).sql})` };

    const target = await this.target(ds, req);
    const sessionVersion = ds.info.version;
    if (target.kind === 'where') {
      const { updated } = await this.update(ds, target.where, update);
      // Many rows moved: the plain order and the views start again from the table as it is now.
      this.datasets.rows.lost(req.datasetId);
      const { version } = await committed(this.datasets, req.datasetId, noteOf(column.name, req.value, updated));
      return { version, updated, reopenView: true };
    }

    const ids = target.ids;
    if (!ids.length) throw failure('INVALID_PAYLOAD', 'Select at least one image to label.');
    const keyCol = ds.info.keyColumn;
    // Read at the session's version (the handle does not move until this session writes).
    const keysBefore = keyCol ? await this.keysOf(ds, ids, keyCol) : null;
    let { updated, version } = await this.update(ds, `_rowid IN (${ids.join(',')})`, update);
    // Another program committed since this session last looked: its writes may have moved some of
    // these rows, and Lance then updates only those still at their old address. Never drop a label
    // silently: write the rest by key, or say so.
    const external = version > sessionVersion + 1;
    if (updated < ids.length) {
      if (keyCol && keysBefore) {
        ({ updated } = await this.update(ds, keyIn(ds.info, [...keysBefore.keys()]), update));
      } else {
        this.datasets.rows.lost(req.datasetId);
        await this.datasets.refresh(req.datasetId);
        throw failure('BUSY', `Another program changed the dataset meanwhile: ${ids.length - updated} of the ${ids.length} rows were not labelled. The view was refreshed; label them again.`);
      }
    }
    const done = await committed(this.datasets, req.datasetId, noteOf(column.name, req.value, updated));

    // Follow the rows to their new ids, unless someone else's writes moved rows too.
    const moved = !external && updated === ids.length && keyCol && keysBefore ? await this.follow(ds, keyCol, keysBefore) : null;
    if (moved) this.datasets.rows.moved(req.datasetId, moved);
    else this.datasets.rows.lost(req.datasetId);
    return { version: done.version, updated, reopenView: !moved };
  }

  /** The row ids a request names (in the current session order), or the filter for a large view. */
  private async target(ds: OpenDataset, req: LabelRequest): Promise<{ kind: 'ids'; ids: bigint[] } | { kind: 'where'; where: string }> {
    const details = req.viewId ? this.views.viewDetails(req.datasetId, req.viewId) : null;
    let order = details?.rowIds ?? null;
    const count = details ? details.count : ds.info.rowCount;

    if (req.all) {
      if (req.all.expectedCount !== count) {
        throw failure('INVALID_PAYLOAD', `The view now has ${count.toLocaleString('en-US')} rows, not the ${req.all.expectedCount.toLocaleString('en-US')} you confirmed. Look again and retry.`);
      }
      if (count > this.maxById) {
        if (details && details.kind !== 'browse') throw failure('INVALID_PAYLOAD', 'This view is too large to label at once.');
        const where = details?.where ?? null;
        // The filter is evaluated again: refuse if the rows it matches are no longer the ones counted.
        const now = where ? await ds.table.countRows(where) : await ds.table.countRows();
        if (now !== count) throw failure('INVALID_PAYLOAD', `${now.toLocaleString('en-US')} rows match the filter now, not the ${count.toLocaleString('en-US')} you confirmed. Open the view again and retry.`);
        return { kind: 'where', where: where ?? 'true' };
      }
      order ??= await this.datasets.rows.sessionOrder(req.datasetId);
      return { kind: 'ids', ids: Array.from(order.subarray(0, count)) };
    }

    const requested = req.positions ?? [];
    const positions = [...new Set(requested)];
    if (positions.length > MAX_LABEL_ROWS) throw failure('INVALID_PAYLOAD', `Select at most ${MAX_LABEL_ROWS.toLocaleString('en-US')} images, or label the whole view.`);
    const bad = positions.find((p) => !Number.isSafeInteger(p) || p < 0 || p >= count);
    if (bad !== undefined) throw failure('INVALID_PAYLOAD', `Position ${bad} is outside this view of ${count.toLocaleString('en-US')} rows.`);
    order ??= await this.datasets.rows.sessionOrder(req.datasetId);
    if (req.rowIds) {
      const stale = requested.findIndex((p, i) => String(order![p]) !== req.rowIds![i]);
      if (stale >= 0) {
        throw failure('INVALID_PAYLOAD', `The rows moved since they were shown (position ${requested[stale]! + 1} holds another row now): the dataset was changed meanwhile. Look again and retry.`);
      }
    }
    return { kind: 'ids', ids: positions.sort((a, b) => a - b).map((p) => order![p] as bigint) };
  }

  private async keysOf(ds: OpenDataset, ids: bigint[], keyCol: string): Promise<Map<string, bigint> | null> {
    const batch = await takeRows(ds, ids, [keyCol], { rowId: true });
    const keys = batch.getChild(keyCol);
    const rowIds = batch.getChild('_rowid');
    const byKey = new Map<string, bigint>();
    for (let i = 0; i < batch.numRows; i++) {
      const k = keys?.get(i);
      if (k === null || k === undefined) return null; // a row without a key cannot be followed
      const s = String(k);
      if (byKey.has(s)) return null; // duplicate keys: ambiguous
      byKey.set(s, rowIds?.get(i) as bigint);
    }
    return byKey;
  }

  /** Old id -> new id for the rows just written, found by key; null when that is not possible. */
  private async follow(ds: OpenDataset, keyCol: string, before: Map<string, bigint>): Promise<Map<bigint, bigint> | null> {
    const batch = await ds.table.query().where(keyIn(ds.info, [...before.keys()])).withRowId().select([keyCol]).toArrow();
    if (batch.numRows !== before.size) return null; // another writer added or removed rows with these keys
    const keys = batch.getChild(keyCol);
    const rowIds = batch.getChild('_rowid');
    const moved = new Map<bigint, bigint>();
    for (let i = 0; i < batch.numRows; i++) {
      const from = before.get(String(keys?.get(i)));
      if (from === undefined) return null;
      moved.set(from, rowIds?.get(i) as bigint);
    }
    return moved;
  }

  /** One Lance update (one version), retried when another writer committed first. */
  private async update(ds: OpenDataset, where: string, valuesSql: Record<string, string>): Promise<{ updated: number; version: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await ds.table.update({ where, valuesSql });
        return { updated: Number(r.rowsUpdated), version: Number(r.version) };
      } catch (err) {
        const text = errorText(err);
        if (/conflict|retryable|concurrent|was modified/i.test(text) && attempt < RETRIES) {
          await new Promise((r) => setTimeout(r, 20 * attempt * attempt));
          continue;
        }
        throw writeFailure(err, 'The labels could not be written', (t) =>
          /conflict|retryable|concurrent/i.test(t) ? failure('BUSY', 'Another program kept changing the dataset, so the labels were not written. Try again.', t) : failure('INTERNAL', `The labels could not be written: ${firstLine(t)}`, t),
        );
      }
    }
  }
}

function noteOf(column: string, value: LabelValue, rows: number): string {
  const v = value === null || value === '' ? 'cleared' : `= ${JSON.stringify(value)}`;
  return `${column} ${v} on ${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`;
}

/** The label column a request names, with its spec; other columns are not labelled from the grid. */
export function labelColumn(ds: OpenDataset, name: string): ColumnInfo & { label: LabelSpec } {
  const col = ds.info.columns.find((c) => c.name === name);
  if (!col) throw failure('NOT_FOUND', `There is no column "${name.slice(0, 80)}".`);
  if (!col.label) throw failure('INVALID_PAYLOAD', `"${col.name}" is not a label column. Add a label column first (Columns → Add).`);
  return col as ColumnInfo & { label: LabelSpec };
}
