// Resolving groups of duplicates: in each group of a duplicates view one row is kept (the keeper,
// chosen by a rule the person sees and can change: largest resolution, highest similarity, not
// NSFW, then the first in table order), and "mark the rest" writes the keeper's key into a label
// column (duplicate_of) of every other row, for one group or all of them, in one write (a new
// column is added first); undo restores the version before.
import { arrow } from '../dataset/lance';
import { addLabelColumn } from './evolve';
import { committed, rollBack, writeFailure } from './commit';
import { keyVector, mergeByKey } from './merge-by-key';
import { failure } from '../support/errors';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { ViewService } from '../views/views';
import type { Committed } from '../../../shared/contract';
import type { DuplicateGroup, KeeperCriterion, ResolvePlan } from '../../../shared/types';
import { takeRows } from '../dataset/take-rows';

/** Groups the plan shows, side by side, before anything is written. */
const SHOWN = 50;
const READ_CHUNK = 5000;

interface Member {
  rowId: bigint;
  key: string | number | null;
  area: number | null;
  similarity: number | null;
  /** 0 safe, 1 unsure, 2 not safe, null unknown. */
  risk: number | null;
}

function columnsFor(ds: OpenDataset) {
  const num = (n: string) => ds.info.columns.find((c) => c.name.toLowerCase() === n && (c.kind === 'int' || c.kind === 'float') && !c.unreadable)?.name ?? null;
  const nsfw = ds.info.columns.find((c) => /^nsfw$/i.test(c.name) && !c.unreadable && (c.kind === 'string' || c.kind === 'int' || c.kind === 'float'))?.name ?? null;
  return { width: num('width'), height: num('height'), similarity: num('similarity'), nsfw, key: ds.info.keyColumn };
}

/** The criteria this dataset's columns allow, in the default order. */
export function availableCriteria(ds: OpenDataset): KeeperCriterion[] {
  const c = columnsFor(ds);
  const out: KeeperCriterion[] = [];
  if (c.width && c.height) out.push('resolution');
  if (c.similarity) out.push('similarity');
  if (c.nsfw) out.push('safe');
  return out;
}

const riskOf = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v) > 0 ? 2 : 0;
  const s = String(v).toUpperCase();
  return s === 'UNLIKELY' ? 0 : s === 'UNSURE' ? 1 : s === 'NSFW' ? 2 : null;
};

/** Members of groups (by row id) with what the rule compares, read in chunks (takeRowIds answers in row-id order). */
async function readMembers(ds: OpenDataset, ids: bigint[]): Promise<Map<bigint, Member>> {
  const c = columnsFor(ds);
  const cols = [c.key, c.width, c.height, c.similarity, c.nsfw].filter((x): x is string => !!x);
  const out = new Map<bigint, Member>();
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const chunk = ids.slice(i, i + READ_CHUNK);
    const t = await takeRows(ds, chunk, cols, { rowId: true });
    const rid = t.getChild('_rowid')?.toArray() as BigUint64Array;
    const get = (name: string | null, j: number): unknown => (name ? t.getChild(name)?.get(j) : null);
    for (let j = 0; j < t.numRows; j++) {
      const key = get(c.key, j);
      const w = get(c.width, j);
      const h = get(c.height, j);
      const sim = get(c.similarity, j);
      out.set(rid[j] as bigint, {
        rowId: rid[j] as bigint,
        key: typeof key === 'bigint' ? (Number.isSafeInteger(Number(key)) ? Number(key) : String(key)) : (key as string | number | null),
        area: w !== null && w !== undefined && h !== null && h !== undefined ? Number(w) * Number(h) : null,
        similarity: sim === null || sim === undefined ? null : Number(sim),
        risk: riskOf(get(c.nsfw, j)),
      });
    }
  }
  return out;
}

/** Below 0 when a is the better keeper by criterion r (a missing value loses; NaN-free). */
function preference(r: KeeperCriterion, a: Member, b: Member): number {
  const higher = (x: number, y: number) => (x === y ? 0 : x > y ? -1 : 1);
  if (r === 'resolution') return higher(a.area ?? -Infinity, b.area ?? -Infinity);
  if (r === 'similarity') return higher(a.similarity ?? -Infinity, b.similarity ?? -Infinity);
  return higher(-(a.risk ?? 3), -(b.risk ?? 3));
}

const WHY: Record<KeeperCriterion, string> = { resolution: 'largest resolution', similarity: 'highest similarity', safe: 'safest NSFW value' };

/** The keeper of a group by the rule: each criterion in turn, then the first in table order. */
function keeperOf(members: Member[], rule: KeeperCriterion[]): { keeper: Member; why: string } {
  const better = (a: Member, b: Member) => {
    for (const r of rule) {
      const d = preference(r, a, b);
      if (d) return d;
    }
    return 0; // stable sort: the first in table order stays first
  };
  const [keeper, runner] = [...members].sort(better) as [Member, Member | undefined];
  const decided = runner && rule.find((r) => preference(r, keeper, runner) !== 0);
  const why = decided ? WHY[decided] : 'first in table order (the others tie)';
  return { keeper, why };
}

export class DuplicateResolver {
  constructor(
    private readonly datasets: DatasetService,
    private readonly views: ViewService,
  ) {}

  /** A duplicates view's groups as runs of its rows (each row's score is its group's size). */
  private groupsOf(datasetId: string, viewId: string): bigint[][] {
    const d = this.views.viewDetails(datasetId, viewId);
    if (d.kind !== 'duplicates' || !d.rowIds) throw failure('INVALID_PAYLOAD', 'Resolving works on a view of duplicates: open one from the statistics panel first.');
    const sizes = this.views.viewScores(datasetId, viewId);
    const groups: bigint[][] = [];
    let i = 0;
    while (i < d.rowIds.length) {
      const size = Math.max(1, Math.round(sizes?.[i] ?? 1));
      groups.push(Array.from(d.rowIds.subarray(i, i + size)));
      i += size;
    }
    return groups;
  }

  private rule(ds: OpenDataset, asked: KeeperCriterion[] | undefined): KeeperCriterion[] {
    const ok = availableCriteria(ds);
    return (asked ?? ok).filter((r, i, all) => ok.includes(r) && all.indexOf(r) === i);
  }

  async plan(datasetId: string, viewId: string, asked?: KeeperCriterion[]): Promise<ResolvePlan> {
    const ds = this.datasets.get(datasetId);
    if (!ds.info.keyColumn) throw failure('UNSUPPORTED', 'Marking duplicates writes the keeper\u2019s key: this dataset has no key column.');
    const rule = this.rule(ds, asked);
    const groups = this.groupsOf(datasetId, viewId);
    const shown = groups.slice(0, SHOWN);
    const members = await readMembers(ds, shown.flat());
    const first: DuplicateGroup[] = shown.map((g, index) => {
      const ms = g.map((id) => members.get(id)).filter((m): m is Member => !!m);
      const { keeper, why } = keeperOf(ms, rule);
      return { index, keeper: String(keeper.rowId), members: [keeper, ...ms.filter((m) => m !== keeper)].map((m) => ({ rowId: String(m.rowId), key: m.key })), why };
    });
    const rows = groups.reduce((n, g) => n + g.length, 0);
    return { groups: groups.length, rows, redundant: rows - groups.length, rule, available: availableCriteria(ds), column: 'duplicate_of', first };
  }

  /** Write the keeper's key into `column` of every other row of one group (index) or of all (null). */
  async mark(datasetId: string, viewId: string, req: { rule?: KeeperCriterion[]; group: number | null; column: string; expectedRedundant: number }): Promise<Committed & { marked: number; groups: number }> {
    const ds = this.datasets.writable(datasetId);
    const keyCol = ds.info.keyColumn;
    if (!keyCol) throw failure('UNSUPPORTED', 'Marking duplicates writes the keeper\u2019s key: this dataset has no key column.');
    const rule = this.rule(ds, req.rule);
    const all = this.groupsOf(datasetId, viewId);
    const groups = req.group === null ? all : all.slice(req.group, req.group + 1);
    if (!groups.length) throw failure('NOT_FOUND', `There is no group ${req.group === null ? '' : req.group + 1} in this view.`);
    const redundant = groups.reduce((n, g) => n + g.length - 1, 0);
    if (redundant !== req.expectedRedundant) throw failure('INVALID_PAYLOAD', `The view now has ${redundant.toLocaleString('en-US')} rows to mark, not the ${req.expectedRedundant.toLocaleString('en-US')} shown: open the duplicates again.`);
    const keyKind = ds.info.columns.find((c) => c.name === keyCol)?.kind;
    const existing = ds.info.columns.find((c) => c.name === req.column);
    const wantType = keyKind === 'int' ? 'integer' : 'text';
    if (existing && existing.label?.type !== wantType) {
      throw failure('INVALID_PAYLOAD', `"${req.column}" exists and is not ${wantType === 'integer' ? 'an integer' : 'a text'} label column: choose another name for the keepers' keys.`);
    }
    const members = await readMembers(ds, groups.flat());
    const keys: Array<string | number> = [];
    const values: Array<string | number | null> = [];
    for (const g of groups) {
      const ms = g.map((id) => members.get(id)).filter((m): m is Member => !!m);
      const { keeper } = keeperOf(ms, rule);
      for (const m of ms) {
        if (m.key === null) continue;
        keys.push(m.key);
        // The keeper's own mark is cleared: it may have been marked under another rule before.
        values.push(m === keeper ? null : keeper.key);
      }
    }
    const startVersion = ds.info.version;
    let added = false;
    let wrote = false;
    try {
      if (!existing) {
        await addLabelColumn(this.datasets, datasetId, { name: req.column, type: wantType });
        added = true;
      }
      const w = this.datasets.writable(datasetId);
      const schema = await w.table.schema();
      const keyType = schema.fields.find((f) => f.name === keyCol)!.type;
      const colType = schema.fields.find((f) => f.name === req.column)!.type;
      const big = arrow.DataType.isInt(colType) && (colType as import('apache-arrow').Int).bitWidth === 64;
      wrote = true; // chunks a fallback committed before one failed are taken back (rollBack skips when none were)
      await mergeByKey(w, keys.length, (from, to) => {
        const vs = values.slice(from, to);
        return new arrow.Table({
          [keyCol]: keyVector(keys.slice(from, to), keyType),
          [req.column]: arrow.vectorFromArray((big ? vs.map((v) => (v === null ? null : BigInt(v))) : vs) as never, colType),
        });
      });
      this.datasets.rows.lost(datasetId);
      const marked = values.filter((v) => v !== null).length;
      const done = await committed(this.datasets, datasetId, `marked ${marked.toLocaleString('en-US')} duplicates in ${groups.length.toLocaleString('en-US')} ${groups.length === 1 ? 'group' : 'groups'} (${req.column} = the keeper's ${keyCol}; keeper: ${rule.length ? rule.join(', ') : 'first'})`);
      return { ...done, marked, groups: groups.length };
    } catch (err) {
      // Nothing half-written: a chunk that failed after others takes them back too.
      if (added || wrote) await rollBack(this.datasets, datasetId, startVersion, 'marking duplicates');
      throw writeFailure(err, 'The duplicates could not be marked');
    }
  }
}
