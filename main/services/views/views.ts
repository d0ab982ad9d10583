// Views of an open dataset: browse with filters and sort, nearest neighbours of a row, caption search.
// A view is computed once (the matching row ids in order, with distances or scores) and then paged by
// row id, so scrolling a filtered or sorted million-row view costs what scrolling the plain table does.
import { randomBytes } from 'node:crypto';
import { MIN_VECTOR_INDEX_ROWS, type IndexCatalogue } from './index-catalogue';
import { rowIdArray, tableToCells, toCell } from '../dataset/cells';
import type { ArrowTable } from '../dataset/lance';
import { remap } from '../dataset/row-ids';
import { classifyReadError, errorText, failure } from '../support/errors';
import { filterSql, keyIn } from './filter-sql';
import { collectBounded, countBounded, DEFAULT_QUERY_BUDGET_MS, eachBatch, type QueryBudget } from './query-budget';
import { SizedLru } from '../support/lru';
import { hashBytes } from '../support/byte-hash';
import { insidePolygon } from '../support/polygon';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { ModelsService } from '../models/models-service';
import type { NearDuplicates } from '../near/near-service';
import type { IndexSettings } from './index-settings';
import type { Cell, ColumnInfo, FilterSpec, RowPage, ViewInfo, ViewSpec } from '../../../shared/types';
import { takeRows } from '../dataset/take-rows';

interface View {
  datasetId: string;
  spec: ViewSpec;
  /** Null: the table's own order, unfiltered (paged by offset). */
  rowIds: BigUint64Array | null;
  scores: Float64Array | null;
  /** Row id of the pinned query row of a similar view. */
  queryRowId: string | null;
  count: number;
  /** The filter it was computed with. */
  where: string | null;
  /**
   * Rows whose page values came with the search (datasets in object storage or LanceDB Cloud, where
   * another read costs round trips): the first page needs no read of its own. For one version only.
   */
  known?: { version: number; rows: Map<string, Record<string, Cell>> };
}

/** Object storage or LanceDB Cloud: every read costs round trips, so a search brings its rows' values along. */
const far = (ds: OpenDataset) => ds.info.location !== undefined;

const MAX_VIEWS = 8;

/**
 * A filter that plans but fails on the data (a division by zero, a cast that cannot hold a value) is
 * the filter's problem, not the app's: say so in the filter's words.
 */
function filterRunFailure(err: unknown, where: string | null, doing: string) {
  if (!where) return null;
  const text = errorText(err);
  if (!/Error applying filter expression|Arrow error|Cast error|Compute error|Divide by zero|overflow/i.test(text)) return null;
  const why = /(?:Arrow error|Cast error|Compute error):\s*([^\n,]*)/i.exec(text)?.[1]?.trim() || firstLineOf(text);
  return failure('INVALID_PAYLOAD', `${doing} failed on some rows: ${why}. Change the filter.`, text);
}

const firstLineOf = (text: string) => text.split('\n')[0]!.slice(0, 200);

/** LanceDB's planner messages carry a prefix nobody needs to read. */
function cleanPlannerMessage(err: unknown): string {
  return errorText(err)
    .replace(/^.*?(Invalid input|Schema error|Error during planning)[,:]\s*/s, '')
    .replace(/Valid fields are .*$/s, '')
    .split('\n')[0]!
    .trim();
}

export class ViewService {
  private readonly views = new SizedLru<string, View>(MAX_VIEWS);
  /** The newest view:open per dataset session: an older one still running stops at its next batch. */
  private readonly opening = new Map<string, number>();

  constructor(
    private readonly datasets: DatasetService,
    private readonly indices: IndexCatalogue,
    /** Each query's time budget (LanceDB's timeoutMs). */
    private readonly budgetMs = DEFAULT_QUERY_BUDGET_MS,
    /** The text and image towers (search by meaning with a model); absent, such views say why. */
    private readonly models: ModelsService | null = null,
    /** Search settings the advisor chose for an index the app built (an HNSW graph's ef). */
    private readonly settings: IndexSettings | null = null,
    /** Near duplicates' neighbour lists (a duplicates view with a threshold); absent, such views say why. */
    private readonly near: NearDuplicates | null = null,
  ) {
    // Views are lists of row ids: they follow rows that writes moved, or start again.
    datasets.rows.subscribe({ moved: (id, moved) => this.rekey(id, moved), lost: (id) => this.forget(id) });
  }

  /** Top values per dataset session, column and version: computed once (a scan of one column). */
  private readonly tops = new SizedLru<string, { values: Array<{ value: string; count: number }>; distinct: number; rows: number }>(32);

  /** The most frequent values of a text column over the whole table, for filter suggestions. */
  async topValues(datasetId: string, column: string, limit: number): Promise<{ values: Array<{ value: string; count: number }>; distinct: number; rows: number }> {
    const ds = this.datasets.get(datasetId);
    const col = ds.info.columns.find((c) => c.name === column);
    if (!col || col.kind !== 'string' || col.unreadable) throw failure('INVALID_PAYLOAD', `"${column.slice(0, 80)}" is not a text column of this dataset.`);
    const key = `${datasetId}@${ds.info.version}\u0000${column}`;
    let top = this.tops.get(key);
    if (!top) {
      const counts = new Map<string, number>();
      let rows = 0;
      const budget: QueryBudget = { timeoutMs: this.budgetMs, superseded: () => false };
      try {
        const table = await collectBounded(ds.table.query().select([column]), budget, `Reading ${column}`);
        const vec = table.getChild(column);
        rows = table.numRows;
        for (let i = 0; i < rows; i++) {
          const v = vec?.get(i) as string | null;
          // Long texts (captions) are not suggestions: at most 200 characters, and a cap on distinct values.
          if (v === null || v === undefined || v.length > 200) continue;
          const n = counts.get(v);
          if (n !== undefined) counts.set(v, n + 1);
          else if (counts.size < 200_000) counts.set(v, 1);
        }
      } catch (err) {
        throw classifyReadError(err, `Reading ${column}`);
      }
      const values = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 100).map(([value, count]) => ({ value, count }));
      top = { values, distinct: counts.size, rows };
      this.tops.set(key, top);
    }
    return { ...top, values: top.values.slice(0, limit) };
  }

  /** Build and check a filter: the SQL it becomes and how many rows match. */
  async checkFilter(datasetId: string, filter: FilterSpec): Promise<{ where: string | null; count: number }> {
    const ds = this.datasets.get(datasetId);
    const where = await this.validWhere(ds, filter);
    const count = where ? await this.count(ds, where, { timeoutMs: this.budgetMs, superseded: () => false }) : ds.info.rowCount;
    return { where, count };
  }

  async open(datasetId: string, spec: ViewSpec): Promise<ViewInfo> {
    const ds = this.datasets.get(datasetId);
    const t0 = performance.now();
    const generation = (this.opening.get(datasetId) ?? 0) + 1;
    this.opening.set(datasetId, generation);
    const budget: QueryBudget = { timeoutMs: this.budgetMs, superseded: () => this.opening.get(datasetId) !== generation };
    const where = await this.validWhere(ds, spec.filter);
    const notes: string[] = [];
    let view: View;
    let usedIndex: boolean | null = null;
    let queryKey: string | number | null | undefined;
    let model: ViewInfo['model'];
    try {
      if (spec.kind === 'browse') view = await this.browse(ds, datasetId, spec, where, budget);
      else if (spec.kind === 'similar') ({ view, usedIndex, queryKey } = await this.similar(ds, datasetId, spec, where, notes, budget));
      else if (spec.kind === 'meaning') ({ view, usedIndex } = await this.meaning(ds, datasetId, spec, where, notes, budget));
      else if (spec.kind === 'encoded') ({ view, usedIndex, model } = await this.encoded(ds, datasetId, spec, where, notes, budget));
      else if (spec.kind === 'duplicates') view = await this.duplicates(ds, datasetId, spec, where, notes, budget);
      else if (spec.kind === 'region') view = await this.region(ds, datasetId, spec, where, notes, budget);
      else ({ view, usedIndex } = await this.search(ds, datasetId, spec, where, notes, budget));
    } catch (err) {
      const doing = spec.kind === 'similar' || spec.kind === 'meaning' || spec.kind === 'encoded' ? `Finding similar ${ds.info.imageColumn ? 'images' : 'rows'}` : spec.kind === 'search' ? 'Searching' : 'Filtering';
      throw filterRunFailure(err, where, doing) ?? classifyReadError(err, doing);
    }
    const viewId = randomBytes(9).toString('base64url');
    this.views.set(viewId, view);
    const result: ViewInfo = { viewId, spec, count: view.count, where, usedIndex, notes, tookMs: Math.round(performance.now() - t0) };
    if (queryKey !== undefined) result.queryKey = queryKey;
    if (model) result.model = model;
    if (spec.kind !== 'browse' && spec.kind !== 'duplicates' && spec.kind !== 'region') result.missingIndex = await this.missingIndex(datasetId, ds, spec);
    return result;
  }

  /** The index a similar or search view lacks, when the app could build it. */
  private async missingIndex(datasetId: string, ds: OpenDataset, spec: Exclude<ViewSpec, { kind: 'browse' | 'duplicates' | 'region' }>): Promise<ViewInfo['missingIndex']> {
    const kind = spec.kind === 'similar' || spec.kind === 'meaning' || spec.kind === 'encoded' ? 'ivf_pq' : 'fts';
    if (await this.indices.find(datasetId, spec.column, kind)) return null;
    if (kind === 'ivf_pq' && ds.info.rowCount < MIN_VECTOR_INDEX_ROWS) return null;
    return { column: spec.column, kind };
  }

  /** A view's row ids in its order, or null for the whole table in its own order; NOT_FOUND when expired. */
  viewRowIds(datasetId: string, viewId: string): BigUint64Array | null {
    const view = this.views.get(viewId);
    if (!view || view.datasetId !== datasetId) throw failure('NOT_FOUND', 'That view has expired: run the search or filter again.');
    return view.rowIds;
  }

  /** A view's per-row scores (distances, BM25, a duplicate group's size), or null when it has none. */
  viewScores(datasetId: string, viewId: string): Float64Array | null {
    const view = this.views.get(viewId);
    if (!view || view.datasetId !== datasetId) throw failure('NOT_FOUND', 'That view has expired: run the search or filter again.');
    return view.scores;
  }

  /** Rows in a view (for exports), or throws NOT_FOUND when it has expired. */
  viewCount(datasetId: string, viewId: string): number {
    const view = this.views.get(viewId);
    if (!view || view.datasetId !== datasetId) throw failure('NOT_FOUND', 'That view has expired: run the search or filter again.');
    return view.count;
  }

  async page(datasetId: string, viewId: string, offset: number, limit: number): Promise<RowPage> {
    const view = this.views.get(viewId);
    if (!view || view.datasetId !== datasetId) throw failure('NOT_FOUND', 'That view has expired: run the search or filter again.');
    if (!view.rowIds) return this.datasets.page(datasetId, offset, limit);
    const ds = this.datasets.get(datasetId);
    const end = Math.min(offset + limit, view.count);
    const known = view.known?.version === ds.info.version ? view.known.rows : undefined;
    return this.datasets.pageOf(ds, view.rowIds, offset, limit, `Reading rows ${offset + 1}-${end} of the view`, (row, position) => {
      if (view.scores) row.score = view.scores[position] as number;
      if (view.queryRowId === row.rowId && position === 0) row.isQuery = true;
    }, known);
  }

  /**
   * Rows moved (a label write rewrote them under new ids): point every open view of the dataset at
   * the new ids, so positions, selections and scroll places stay what the person sees.
   */
  private rekey(datasetId: string, moved: Map<bigint, bigint>): void {
    for (const view of this.views.values()) {
      if (view.datasetId !== datasetId) continue;
      if (view.rowIds) remap(view.rowIds, moved);
      delete view.known; // the moved rows' values changed
      if (view.queryRowId !== null) {
        const to = moved.get(BigInt(view.queryRowId));
        if (to !== undefined) view.queryRowId = String(to);
      }
    }
  }

  /** Rows moved in ways nobody can follow: the dataset's views are computed again when next asked for. */
  private forget(datasetId: string): void {
    this.views.deleteWhere((_, v) => v.datasetId === datasetId);
  }

  /** What labelling a view needs: its kind, the filter it was computed with, its rows and count. */
  viewDetails(datasetId: string, viewId: string): { kind: ViewSpec['kind']; where: string | null; rowIds: BigUint64Array | null; count: number } {
    const view = this.views.get(viewId);
    if (!view || view.datasetId !== datasetId) throw failure('NOT_FOUND', 'That view has expired: run the search or filter again.');
    return { kind: view.spec.kind, where: view.where, rowIds: view.rowIds, count: view.count };
  }

  private async validWhere(ds: OpenDataset, filter: FilterSpec | undefined): Promise<string | null> {
    const where = filterSql(filter, ds.info.columns);
    if (!where) return null;
    try {
      // Planning checks names, types and syntax without reading data.
      await ds.table.query().where(where).limit(1).select([ds.info.columns[0]!.name]).explainPlan();
    } catch (err) {
      throw failure('INVALID_PAYLOAD', `The filter is not valid: ${cleanPlannerMessage(err)}`, errorText(err));
    }
    return where;
  }

  private async count(ds: OpenDataset, where: string, budget: QueryBudget): Promise<number> {
    try {
      // Not countRows (faster, but it takes no time budget): this is only the filter check's count.
      return await countBounded(ds.table.query().where(where).withRowId().select([]), budget, 'Counting the matching rows');
    } catch (err) {
      throw filterRunFailure(err, where, 'Counting the matching rows') ?? classifyReadError(err, 'Counting the matching rows');
    }
  }

  private async browse(ds: OpenDataset, datasetId: string, spec: Extract<ViewSpec, { kind: 'browse' }>, where: string | null, budget: QueryBudget): Promise<View> {
    if (!where && !spec.sort) return { datasetId, spec, rowIds: null, scores: null, queryRowId: null, count: ds.info.rowCount, where };
    const sortCol = spec.sort ? ds.info.columns.find((c) => c.name === spec.sort!.column) : undefined;
    if (sortCol?.unreadable) throw failure('INVALID_PAYLOAD', `Cannot sort by "${sortCol.name}": ${sortCol.unreadable}`);
    if (spec.sort && (!sortCol || !['int', 'float', 'string', 'bool', 'timestamp'].includes(sortCol.kind))) {
      throw failure('INVALID_PAYLOAD', `Cannot sort by "${spec.sort.column}": choose a number, text, boolean or date column.`);
    }
    let q = ds.table.query().withRowId().select(sortCol ? [sortCol.name] : []);
    if (where) q = q.where(where);
    const batch = await collectBounded(q, budget, 'Filtering');
    const ids = rowIdArray(batch);
    if (!sortCol) return { datasetId, spec, rowIds: BigUint64Array.from(ids), scores: null, queryRowId: null, count: ids.length, where };
    const values = batch.getChild(sortCol.name)!;
    const keys: Array<number | string | bigint | boolean | null> = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) keys[i] = values.isValid(i) ? (values.get(i) as never) : null;
    const order = Array.from({ length: ids.length }, (_, i) => i);
    const dir = spec.sort!.descending ? -1 : 1;
    type Key = number | string | bigint | boolean | null;
    order.sort((a, b) => {
      const x = keys[a] as Key;
      const y = keys[b] as Key;
      if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1; // nulls last either way
      if (x < y) return -dir;
      if (x > y) return dir;
      return a - b; // stable: ties keep the table's order
    });
    return { datasetId, spec, rowIds: BigUint64Array.from(order, (i) => ids[i] as bigint), scores: null, queryRowId: null, count: ids.length, where };
  }

  /**
   * Exact duplicates: rows whose values in `column` are equal (an md5 text, or the image bytes), by a
   * 64-bit hash of the bytes. Groups largest first, each group's rows together in table order; each
   * row's score is its group's size.
   */
  private async duplicates(ds: OpenDataset, datasetId: string, spec: Extract<ViewSpec, { kind: 'duplicates' }>, where: string | null, notes: string[], budget: QueryBudget): Promise<View> {
    if (spec.near !== undefined) return this.nearDuplicates(ds, datasetId, spec, spec.near, where, notes);
    const col = ds.info.columns.find((c) => c.name === spec.column);
    if (!col || col.unreadable || (col.kind !== 'string' && col.kind !== 'binary')) {
      throw failure('INVALID_PAYLOAD', `Duplicates are found by a text column (an md5) or the image bytes; "${spec.column.slice(0, 80)}" is neither.`);
    }
    let q = ds.table.query().select([col.name]).withRowId();
    if (where) q = q.where(where);
    const grouping = new EqualGroups(ds.info.rowCount);
    const idChunks: BigUint64Array[] = [];
    await eachBatch(q, budget, `Reading ${col.name}`, (b) => {
      grouping.add(b.getChild(col.name) as unknown as ByteVector);
      idChunks.push(b.getChild('_rowid')?.toArray() as BigUint64Array);
    });
    const ids = new BigUint64Array(idChunks.reduce((n, c) => n + c.length, 0));
    idChunks.reduce((at, c) => (ids.set(c, at), at + c.length), 0);
    const groups = grouping.groups();
    const order: number[] = [];
    const sizes: number[] = [];
    for (const g of groups) for (const i of g) (order.push(i), sizes.push(g.length));
    const redundant = order.length - groups.length;
    const largest = groups.slice(0, 3).map((g) => g.length);
    notes.push(
      groups.length
        ? `${formatN(groups.length)} ${groups.length === 1 ? 'group' : 'groups'} of exact duplicates by ${col.name}${where ? ' among the filtered rows' : ''}: ${formatN(order.length)} rows, ${formatN(redundant)} of them redundant (all but one of each group)${largest.length ? `; the largest ${largest.length === 1 ? 'has' : 'have'} ${largest.join(', ')} copies` : ''}. Each tile shows its group's size.`
        : `No two rows have the same ${col.name}${where ? ' among the filtered rows' : ''}.`,
    );
    if (col.kind === 'binary') notes.push(`Compared by the bytes of every image (${formatN(ids.length)} read); a re-encoded copy is a near duplicate, not an exact one.`);
    return { datasetId, spec, rowIds: BigUint64Array.from(order, (i) => ids[i] as bigint), scores: Float64Array.from(sizes), queryRowId: null, count: order.length, where };
  }

  /**
   * Near duplicates: the groups (connected components) of rows whose vectors are at least `threshold`
   * similar, from the lists the near-duplicate job keeps; each row's score is its group's size.
   */
  private async nearDuplicates(ds: OpenDataset, datasetId: string, spec: Extract<ViewSpec, { kind: 'duplicates' }>, threshold: number, where: string | null, notes: string[]): Promise<View> {
    if (!this.near) throw failure('UNSUPPORTED', 'Near duplicates are not available here.');
    const found = await this.near.groups(datasetId, spec.column, threshold, where);
    const r = found.result;
    const rows = found.ids.length;
    const largest = Array.from(new Set(found.sizes)).slice(0, 3);
    notes.push(
      found.groups
        ? `${formatN(found.groups)} ${found.groups === 1 ? 'group' : 'groups'} of near duplicates by ${spec.column} at cosine similarity ${threshold} or more${where ? ' among the filtered rows' : ''}: ${formatN(rows)} rows, ${formatN(rows - found.groups)} of them redundant${largest.length ? `; the largest ${largest.length === 1 ? 'has' : 'have'} ${largest.join(', ')} rows` : ''}. Each tile shows its group's size.`
        : `No two rows${where ? ' among the filtered ones' : ''} are ${threshold} or more similar by ${spec.column}.`,
    );
    notes.push(
      `A group joins rows that are near one another in a chain (A like B, B like C), from each row's ${r.neighbours} nearest neighbours found ${r.clusters > 1 ? `within ${formatN(r.clusters)} clusters and their borders` : 'by comparing every pair'} (computed at version ${r.version}${r.version !== ds.info.version ? '; the rows are unchanged since' : ''}).`,
    );
    return { datasetId, spec, rowIds: found.ids, scores: found.sizes, queryRowId: null, count: rows, where };
  }

  /** The rows inside a region drawn on the map (their map_x, map_y), in table order. */
  private async region(ds: OpenDataset, datasetId: string, spec: Extract<ViewSpec, { kind: 'region' }>, where: string | null, notes: string[], budget: QueryBudget): Promise<View> {
    if (!ds.info.columns.some((c) => c.name === 'map_x') || !ds.info.columns.some((c) => c.name === 'map_y')) {
      throw failure('NOT_FOUND', 'This dataset has no map yet: make one from the Map view.');
    }
    let q = ds.table.query().select(['map_x', 'map_y']).withRowId();
    if (where) q = q.where(where);
    const ids: bigint[] = [];
    await eachBatch(q, budget, 'Reading the map', (b) => {
      const inside = insidePolygon(b.getChild('map_x')!.toArray() as Float32Array, b.getChild('map_y')!.toArray() as Float32Array, spec.polygon);
      const rid = b.getChild('_rowid')!.toArray() as BigUint64Array;
      for (let i = 0; i < b.numRows; i++) if (inside[i]) ids.push(rid[i] as bigint);
    });
    notes.push(`${formatN(ids.length)} ${ids.length === 1 ? 'row' : 'rows'} inside the region drawn on the map${where ? ', among the filtered rows' : ''}.`);
    return { datasetId, spec, rowIds: BigUint64Array.from(ids), scores: null, queryRowId: null, count: ids.length, where };
  }

  /** The vector column a similar or meaning view searches, or a reason it cannot. */
  private vectorColumn(ds: OpenDataset, name: string): ColumnInfo {
    if (!ds.info.vectorColumns.length) {
      throw failure('UNSUPPORTED', `This dataset has no vector column, so there is nothing to find similar ${ds.info.imageColumn ? 'images' : 'rows'} by.`);
    }
    const col = ds.info.columns.find((c) => c.name === name);
    if (!col || col.kind !== 'vector') {
      throw failure('INVALID_PAYLOAD', `"${name}" is not a vector column; choose one of ${ds.info.vectorColumns.join(', ')}.`);
    }
    return col;
  }

  private async similar(ds: OpenDataset, datasetId: string, spec: Extract<ViewSpec, { kind: 'similar' }>, where: string | null, notes: string[], budget: QueryBudget) {
    const col = this.vectorColumn(ds, spec.column);
    const [primary, ...others] = await this.exampleVectors(ds, col, [{ rowId: spec.rowId, ...(spec.key !== undefined ? { key: spec.key } : {}) }, ...(spec.alsoLike ?? []), ...(spec.unlike ?? [])]);
    if (!primary) throw failure('NOT_FOUND', `Row ${spec.rowId} has no ${col.name} vector to search with.`);
    const liked = [primary, ...others.slice(0, spec.alsoLike?.length ?? 0)];
    const unliked = others.slice(spec.alsoLike?.length ?? 0);
    const vector = liked.length === 1 && !unliked.length ? primary.vector : exampleQuery(liked.map((e) => e.vector), unliked.map((e) => e.vector), spec.metric === 'cosine');
    if (liked.length > 1 || unliked.length) notes.push(`Searching by ${liked.length} ${liked.length === 1 ? 'image' : 'images'}${unliked.length ? `, away from ${unliked.length}` : ''}: the mean of their ${col.name} vectors${unliked.length ? ' less half the mean of the others' : ''}.`);
    // The examples themselves are not results: the query row is pinned first, the others left out.
    const found = await this.nearest(ds, datasetId, col, vector, spec, spec.k + 1 + others.length, where, notes, budget);
    const examples = new Set([primary.rowId, ...others.map((e) => e.rowId)]);
    const outIds: bigint[] = [primary.rowId];
    const outScores: number[] = [0];
    for (let i = 0; i < found.ids.length && outIds.length <= spec.k; i++) {
      if (examples.has(found.ids[i] as bigint)) continue;
      outIds.push(found.ids[i] as bigint);
      outScores.push(found.distances[i] as number);
    }
    const known = found.rows && primary.values ? { version: ds.info.version, rows: new Map([...found.rows, [String(primary.rowId), primary.values]]) } : undefined;
    return {
      usedIndex: found.usedIndex,
      queryKey: primary.key,
      view: { datasetId, spec, rowIds: BigUint64Array.from(outIds), scores: Float64Array.from(outScores), queryRowId: String(primary.rowId), count: outIds.length, where, ...(known ? { known } : {}) },
    };
  }

  /**
   * A description searched without a model: the rows whose captions best match the words (BM25),
   * then the images nearest the mean of their vectors (relevance feedback). It finds images whose
   * captions never use the words, as far as the matches' images say what the words mean.
   */
  private async meaning(ds: OpenDataset, datasetId: string, spec: Extract<ViewSpec, { kind: 'meaning' }>, where: string | null, notes: string[], budget: QueryBudget) {
    const col = this.vectorColumn(ds, spec.column);
    const caption = ds.info.columns.find((c) => c.name === spec.captionColumn);
    if (!caption || caption.kind !== 'string') throw failure('INVALID_PAYLOAD', `"${spec.captionColumn}" is not a text column.`);
    if (!(await this.indices.find(datasetId, caption.name, 'fts'))) notes.push(`${caption.name} has no full-text index: finding the matching captions scans every row.`);
    let q = ds.table.query().fullTextSearch(spec.text, { columns: caption.name }).withRowId().select([caption.name]).limit(spec.hits);
    if (where) q = q.where(where);
    const hits = rowIdArray(await collectBounded(q, budget, 'Searching'));
    const empty = { usedIndex: null, view: { datasetId, spec, rowIds: new BigUint64Array(0), scores: new Float64Array(0), queryRowId: null, count: 0, where } };
    if (!hits.length) {
      notes.push(`No ${caption.name} matches these words, so there is nothing to take their meaning from: try other words.`);
      return empty;
    }
    const examples = await this.exampleVectors(ds, col, [...hits].map((id) => ({ rowId: String(id) })));
    notes.push(`By captions (no text model): the images nearest the mean ${col.name} of the ${hits.length} ${hits.length === 1 ? 'row' : 'rows'} whose ${caption.name} best ${hits.length === 1 ? 'matches' : 'match'} the words.`);
    const vector = exampleQuery(examples.map((e) => e.vector), [], spec.metric === 'cosine');
    const found = await this.nearest(ds, datasetId, col, vector, spec, spec.k, where, notes, budget);
    return {
      usedIndex: found.usedIndex,
      view: { datasetId, spec, rowIds: BigUint64Array.from(found.ids), scores: Float64Array.from(found.distances), queryRowId: null, count: found.ids.length, where },
    };
  }

  /**
   * A description or an image put in the column's space by the model that made its vectors (CLIP's
   * text or vision tower, normalised), then the nearest rows, with the filter as a prefilter.
   */
  private async encoded(ds: OpenDataset, datasetId: string, spec: Extract<ViewSpec, { kind: 'encoded' }>, where: string | null, notes: string[], budget: QueryBudget) {
    const col = this.vectorColumn(ds, spec.column);
    if (!this.models) throw failure('UNSUPPORTED', 'Search by meaning with a model is not available here.');
    const { encoder, model, space } = await this.models.encoder(ds.info, col.name);
    const t0 = performance.now();
    const wasLoading = encoder.state !== 'ready';
    const [vector] = spec.text !== undefined ? await encoder.text([spec.text]) : await encoder.images([this.models.image(spec.imageId as string)]);
    if (!vector || vector.length !== col.dim) {
      throw failure('MODEL', `${model.repo ?? model.dir} made a ${vector?.length ?? 0}-dimensional vector; ${col.name} holds ${col.dim}-dimensional ones.`);
    }
    const tower = spec.text !== undefined ? 'text' : 'vision';
    notes.push(
      `By ${space.label ?? model.repo ?? 'the model'}'s ${tower} tower (${model.dtype}${wasLoading ? `, loaded in ${Math.round(performance.now() - t0)} ms` : ''}): the images nearest ${spec.text !== undefined ? 'the description' : 'the image'}.`,
    );
    if (space.source === 'laion') notes.push(`${col.name} is taken to be ${space.label} from the LAION schema (its metadata does not say).`);
    if (model.warning) notes.push(model.warning);
    const found = await this.nearest(ds, datasetId, col, vector, spec, spec.k, where, notes, budget);
    return {
      usedIndex: found.usedIndex,
      model: { repo: model.repo, space: space.space, dtype: model.dtype },
      view: { datasetId, spec, rowIds: BigUint64Array.from(found.ids), scores: Float64Array.from(found.distances), queryRowId: null, count: found.ids.length, where },
    };
  }

  /** The rows nearest a vector: through the index when its metric matches (said otherwise), prefiltered. */
  private async nearest(ds: OpenDataset, datasetId: string, col: ColumnInfo, vector: Float32Array, knobs: { metric: 'l2' | 'cosine' | 'dot'; nprobes: number; refineFactor: number }, limit: number, where: string | null, notes: string[], budget: QueryBudget) {
    const index = await this.indices.find(datasetId, col.name, 'ivf_pq');
    let usedIndex = !!index;
    if (index) {
      const indexMetric = index.distanceType;
      if (indexMetric && indexMetric !== knobs.metric) {
        // LanceDB would silently fall back to brute force; say so and do it explicitly.
        usedIndex = false;
        notes.push(`The ${col.name} index was built for ${indexMetric.toUpperCase()}; ${knobs.metric} runs as an exact search.`);
      }
    } else notes.push(`${col.name} has no vector index: this is an exact search over every row.`);
    let search = ds.table
      .vectorSearch(vector)
      .column(col.name)
      .distanceType(knobs.metric)
      .limit(limit)
      .withRowId()
      // Row ids and distances only: selecting even the key column made LanceDB read it for every
      // result row (~2 ms of a ~7 ms search at 1M rows); the grid asks for the columns it shows.
      // Far away (object storage, LanceDB Cloud) a second read costs more than those columns.
      .select(far(ds) ? ds.pageColumns.map((c) => c.name) : []);
    let refine: number | null = knobs.refineFactor;
    if (usedIndex && index && /hnsw/i.test(index.indexType)) {
      const s = await this.settings?.get(ds.info.path, ds.info.table, col.name);
      if (s && /hnsw/i.test(s.indexType)) {
        // The graph's search width the advisor measured (at least k, which LanceDB needs anyway),
        // and its re-ranking: without it a graph search skips reading 5k full vectors from disk.
        if (s.ef) search = search.ef(Math.max(s.ef, limit));
        if (s.refineFactor !== undefined) refine = s.refineFactor;
        notes.push(`Searched as the index advisor measured this ${index.indexType.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()} index: ef ${Math.max(s.ef ?? limit, limit)}, ${refine === null ? 'no re-ranking by the full vectors' : `re-ranking ${refine}x`}.`);
      }
    }
    if (!usedIndex) search = search.bypassVectorIndex();
    else {
      search = search.nprobes(knobs.nprobes);
      if (refine !== null) search = search.refineFactor(refine);
    }
    if (where) search = search.where(where);
    const result = await collectBounded(search, budget, 'Finding similar images');
    const ids = rowIdArray(result);
    const rows = far(ds) ? new Map(tableToCells(result, ds.pageColumns).map((values, i) => [String(ids[i]), values])) : undefined;
    return { usedIndex, ids, distances: (result.getChild('_distance')?.toArray() ?? new Float32Array()) as Float32Array, ...(rows ? { rows } : {}) };
  }

  /**
   * Each example's vector and current row id, in order: by row id, else found again by its key (a
   * label written since gave the row a new id). One read for all of them.
   */
  private async exampleVectors(ds: OpenDataset, col: ColumnInfo, examples: Array<{ rowId: string; key?: string | number }>): Promise<Array<{ rowId: bigint; key: string | number | null; vector: Float32Array; values?: Record<string, Cell> }>> {
    const keyCol = ds.info.keyColumn;
    const keyKind = keyCol ? ds.info.columns.find((c) => c.name === keyCol)?.kind : undefined;
    // Far away, the examples' page values come in the same read (the query row is the view's first).
    const shown = far(ds) ? ds.pageColumns : [];
    const select = [...new Set([col.name, ...(keyCol ? [keyCol] : []), ...shown.map((c) => c.name)])];
    type Read = { rowId: bigint; vector: unknown; key: unknown; values?: Record<string, Cell> };
    const byId = new Map<bigint, Read>();
    const byKey = new Map<string, Read>();
    const read = (t: ArrowTable) => {
      const cells = shown.length ? tableToCells(t, shown) : null;
      const out: Read[] = [];
      for (let i = 0; i < t.numRows; i++) out.push({ rowId: BigInt(t.getChild('_rowid')?.get(i) as bigint), vector: t.getChild(col.name)?.get(i), key: keyCol ? t.getChild(keyCol)?.get(i) : null, ...(cells ? { values: cells[i] } : {}) });
      return out;
    };
    for (const r of read(await takeRows(ds, examples.map((e) => BigInt(e.rowId)), select, { rowId: true }))) byId.set(r.rowId, r);
    const lost = examples.filter((e) => !byId.has(BigInt(e.rowId)) && e.key !== undefined);
    if (lost.length && keyCol) {
      const found = await ds.table.query().where(keyIn(ds.info, lost.map((e) => String(e.key)))).withRowId().select(select).limit(lost.length * 2).toArrow();
      for (const r of read(found)) byKey.set(String(r.key), r);
    }
    return examples.map((e) => {
      const hit = byId.get(BigInt(e.rowId)) ?? (e.key !== undefined ? byKey.get(String(e.key)) : undefined);
      if (!hit?.vector) throw failure('NOT_FOUND', `Row ${e.rowId} has no ${col.name} vector to search with.`);
      // A Float32Array goes to LanceDB as one buffer; a JS number[] would be converted element by
      // element (about 1.5 ms of a 5 ms search at 768 dimensions).
      const raw = hit.vector as { toArray?: () => ArrayLike<number> } & ArrayLike<number>;
      const values = typeof raw.toArray === 'function' ? raw.toArray() : raw;
      const vector = values instanceof Float32Array ? values : Float32Array.from(values, Number);
      if (vector.length !== col.dim) throw failure('INVALID_PAYLOAD', `The query vector has ${vector.length} dimensions but ${col.name} holds ${col.dim}.`);
      if (!vector.every((x) => Number.isFinite(x))) throw failure('INVALID_PAYLOAD', `Row ${e.rowId}'s ${col.name} contains NaN or infinite values.`);
      // The key as every page shows it (a bigint within 2^53 as a number, else as text).
      const key = keyKind ? (toCell(hit.key, keyKind) as string | number | null) : null;
      return { rowId: hit.rowId, key, vector, ...(hit.values ? { values: hit.values } : {}) };
    });
  }

  private async search(ds: OpenDataset, datasetId: string, spec: Extract<ViewSpec, { kind: 'search' }>, where: string | null, notes: string[], budget: QueryBudget) {
    const col = ds.info.columns.find((c) => c.name === spec.column);
    if (!col || col.kind !== 'string') throw failure('INVALID_PAYLOAD', `"${spec.column}" is not a text column.`);
    const index = await this.indices.find(datasetId, col.name, 'fts');
    if (!index) notes.push(`${col.name} has no full-text index: every row is scanned, which is slow on large tables.`);
    let q = ds.table
      .query()
      .fullTextSearch(spec.text, { columns: col.name })
      .withRowId()
      .select([ds.info.keyColumn ?? col.name])
      .limit(spec.limit);
    if (where) q = q.where(where);
    const result = await collectBounded(q, budget, 'Searching');
    const ids = rowIdArray(result);
    const score = result.getChild('_score');
    return {
      usedIndex: !!index,
      view: {
        datasetId,
        spec,
        rowIds: BigUint64Array.from(ids),
        scores: score ? Float64Array.from(score.toArray() as Float32Array) : null,
        queryRowId: null,
        count: ids.length,
        where,
      },
    };
  }
}

/**
 * The query for "more like these, less like those" (Rocchio with weights 1 and 0.5): the mean of
 * the liked vectors less half the mean of the others. For cosine each vector counts by its direction
 * (made unit length first), and so does the result.
 */
const formatN = (n: number) => n.toLocaleString('en-US');

/** The part of an Arrow vector of texts or binaries that grouping reads. */
interface ByteVector {
  data: Array<{ length: number; offset: number; nullCount: number; nullBitmap?: Uint8Array | null; values?: Uint8Array; valueOffsets?: Int32Array | BigInt64Array }>;
  get(i: number): unknown;
}

/**
 * Rows (by position) that share a value, fed batch by batch while LanceDB decodes the next one: each
 * row's 64-bit hash is written in order (no table to probe per row: at a million distinct md5s
 * the probes' cache misses were most of the time), then one radix sort by hash finds the runs of
 * equal ones. Groups of 2 or more, largest first, then by first row.
 */
export class EqualGroups {
  private readonly h = new Int32Array(2);
  private h1: Int32Array;
  private h2: Int32Array;
  /** Rows with a value (nulls are no one's duplicate). */
  private rows: Int32Array;
  private n = 0;
  private row = 0;
  private readonly enc = new TextEncoder();

  constructor(hint = 1024) {
    const n = Math.max(16, Math.min(hint, 4_000_000));
    this.h1 = new Int32Array(n);
    this.h2 = new Int32Array(n);
    this.rows = new Int32Array(n);
  }

  private room(k: number): void {
    if (this.n + k <= this.rows.length) return;
    const size = Math.max(this.n + k, this.rows.length * 2);
    for (const name of ['h1', 'h2', 'rows'] as const) {
      const next = new Int32Array(size);
      next.set(this[name].subarray(0, this.n));
      this[name] = next;
    }
  }

  add(vec: ByteVector): void {
    const h = this.h;
    let at = 0;
    for (const d of vec.data) {
      this.room(d.length);
      const { h1, h2, rows } = this;
      const o = d.valueOffsets;
      const bytes = d.values;
      for (let i = 0; i < d.length; i++, this.row++) {
        const j = d.offset + i;
        if (d.nullCount && d.nullBitmap && !(((d.nullBitmap[j >> 3] as number) >> (j & 7)) & 1)) continue;
        if (bytes && o) hashBytes(bytes, Number(o[i]), Number(o[i + 1]), h);
        else {
          const v = vec.get(at + i);
          if (v === null || v === undefined) continue;
          const b = v instanceof Uint8Array ? v : this.enc.encode(String(v));
          hashBytes(b, 0, b.length, h);
        }
        h1[this.n] = h[0] as number;
        h2[this.n] = h[1] as number;
        rows[this.n++] = this.row;
      }
      at += d.length;
    }
  }

  groups(): number[][] {
    const n = this.n;
    // Least-significant-digit radix sort of the entries by h1 (four passes of 8 bits), stable, so
    // equal hashes keep their rows in table order.
    let order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let next = new Int32Array(n);
    const count = new Int32Array(256);
    for (let shift = 0; shift < 32; shift += 8) {
      count.fill(0);
      for (let i = 0; i < n; i++) { const b = ((this.h1[i] as number) >>> shift) & 255; count[b] = (count[b] as number) + 1; }
      let sum = 0;
      for (let b = 0; b < 256; b++) {
        const c = count[b] as number;
        count[b] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const e = order[i] as number;
        const b = ((this.h1[e] as number) >>> shift) & 255;
        next[count[b] as number] = e;
        count[b] = (count[b] as number) + 1;
      }
      [order, next] = [next, order];
    }
    const out: number[][] = [];
    let i = 0;
    while (i < n) {
      let j = i + 1;
      const k1 = this.h1[order[i] as number];
      while (j < n && this.h1[order[j] as number] === k1) j++;
      if (j - i > 1) {
        // Equal h1: split by h2 (rare past one entry, so a plain sort is fine), keeping table order.
        const run = Array.from(order.subarray(i, j)).sort((a, b) => (this.h2[a] as number) - (this.h2[b] as number) || a - b);
        let s = 0;
        while (s < run.length) {
          let t = s + 1;
          while (t < run.length && this.h2[run[t] as number] === this.h2[run[s] as number]) t++;
          if (t - s > 1) out.push(run.slice(s, t).map((e) => this.rows[e] as number));
          s = t;
        }
      }
      i = j;
    }
    return out.sort((a, b) => b.length - a.length || (a[0] as number) - (b[0] as number));
  }
}

/** Groups of equal values of one vector (tests, and small tables). */
export function groupEqual(vec: ByteVector): number[][] {
  const g = new EqualGroups();
  g.add(vec);
  return g.groups();
}

export function exampleQuery(liked: Float32Array[], unliked: Float32Array[], cosine: boolean): Float32Array {
  const dim = liked[0]?.length ?? 0;
  const unit = (v: Float32Array) => {
    if (!cosine) return v;
    const n = Math.hypot(...v);
    return n > 0 ? v.map((x) => x / n) : v;
  };
  const mean = (vs: Float32Array[]) => {
    const m = new Float32Array(dim);
    for (const v of vs.map(unit)) for (let i = 0; i < dim; i++) m[i] = (m[i] as number) + (v[i] as number) / vs.length;
    return m;
  };
  const q = mean(liked);
  if (unliked.length) {
    const n = mean(unliked);
    for (let i = 0; i < dim; i++) q[i] = (q[i] as number) - 0.5 * (n[i] as number);
  }
  return unit(q);
}
