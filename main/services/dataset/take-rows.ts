// Rows by row id on any Lance file format. The app addresses rows by id everywhere (pages of views,
// the detail panel, images, examples of a search), and LanceDB's `takeRowIds`, `_rowid = …` filters
// and `takeOffsets` all fail on data files of Lance's old format 0.1/0.2 ("Attempt to perform
// FilteredRead on v1 files … Please file a bug report"), which Lance and LanceDB wrote until mid-2024.
// What does work on those files is a plain scan with offset and limit. So for an old-format table the
// ids are turned into positions in the table's scan order (read once per session: the session is
// read-only, see dataset-service) and each run of nearby positions is read as one offset/limit scan.
import { arrow, type ArrowTable, type LanceTable } from './lance';
import { rowIdArray } from './cells';
import { errorText } from '../support/errors';

/** LanceDB's own words for a read by row id on an old-format file. */
export const isLegacyReadError = (err: unknown) => /FilteredRead on v1 files|v1 files?.*not supported|legacy (file )?format/i.test(errorText(err));

/** Positions closer than this are read by one scan (reading the rows between costs less than a query). */
const RUN_GAP = 32;
/** Offset/limit scans in flight at once. */
const PARALLEL = 4;

export interface RowSource {
  table: LanceTable;
  /** Set for a table with old-format data files (detected at open). */
  legacy?: LegacyPositions | undefined;
}

/**
 * Where each row id sits in an old-format table's scan order. Scan order lists fragments in manifest
 * order and rows in offset order, so the ids usually ascend (a binary search); otherwise a map.
 */
export class LegacyPositions {
  private order: Promise<{ ids: BigUint64Array; find: (id: bigint) => number }> | null = null;

  constructor(private readonly table: LanceTable) {}

  private load() {
    this.order ??= this.table
      .query()
      .withRowId()
      .select([])
      .toArrow()
      .then((t) => {
        const ids = rowIdArray(t);
        let sorted = true;
        for (let i = 1; i < ids.length && sorted; i++) sorted = (ids[i - 1] as bigint) < (ids[i] as bigint);
        if (sorted) {
          return {
            ids,
            find: (id: bigint) => {
              let lo = 0;
              let hi = ids.length - 1;
              while (lo <= hi) {
                const mid = (lo + hi) >>> 1;
                const v = ids[mid] as bigint;
                if (v === id) return mid;
                if (v < id) lo = mid + 1;
                else hi = mid - 1;
              }
              return -1;
            },
          };
        }
        const at = new Map<bigint, number>();
        ids.forEach((id, i) => at.set(id, i));
        return { ids, find: (id: bigint) => at.get(id) ?? -1 };
      });
    this.order.catch(() => (this.order = null)); // a failed read is tried again next time
    return this.order;
  }

  /** Positions of these ids in scan order (-1: not in this version). */
  async positions(ids: bigint[]): Promise<number[]> {
    const { find } = await this.load();
    return ids.map(find);
  }
}

/**
 * Detect old-format data files: a read by row id of the first row fails on them with LanceDB's words
 * (or finds nothing).
 * It must read a column: with none selected (or all, unselected) LanceDB answers without the failing path.
 */
export async function detectLegacy(table: LanceTable, firstRowId: string | undefined, column: string | undefined): Promise<boolean> {
  if (firstRowId === undefined || column === undefined) return false;
  try {
    // Some old-format tables answer with no rows instead of failing (seen after a delete): the row
    // exists (its id came from a scan), so an empty answer means the same.
    return (await table.takeRowIds([BigInt(firstRowId)]).withRowId().select([column]).toArrow()).numRows !== 1;
  } catch (err) {
    if (isLegacyReadError(err)) return true;
    throw err;
  }
}

/**
 * How long a read a person waits on (a page, a row, its image) may take. A network that goes silent
 * (a dropped VPN, a laptop waking up) does not refuse connections: each request waits out its own
 * timeout and retries, and one page read of several requests took over five minutes before it
 * failed (measured against a peer that accepts and never answers). LanceDB's query timeout stops it.
 */
export const READ_WAIT_MS = 30_000;

/**
 * The rows with these ids (missing ids are left out), these columns and `_rowid` when asked, in
 * row-id order, as `takeRowIds` answers. `timeoutMs` stops the read (LanceDB's query timeout).
 */
export async function takeRows(src: RowSource, ids: bigint[], columns: string[], opts: { rowId?: boolean; timeoutMs?: number } = {}): Promise<ArrowTable> {
  const within = opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : undefined;
  if (!src.legacy) {
    const q = src.table.takeRowIds(ids);
    return (opts.rowId ? q.withRowId() : q).select(columns).toArrow(within);
  }
  const wanted = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const positions = await src.legacy.positions(wanted);
  const found = wanted.map((id, i) => ({ id, at: positions[i] as number })).filter((p) => p.at >= 0);
  // Runs of nearby positions, in scan order.
  const byPosition = [...found].sort((a, b) => a.at - b.at);
  const runs: Array<{ from: number; to: number }> = [];
  for (const p of byPosition) {
    const last = runs[runs.length - 1];
    if (last && p.at - last.to <= RUN_GAP) last.to = p.at + 1;
    else runs.push({ from: p.at, to: p.at + 1 });
  }
  const want = new Set(found.map((p) => p.id));
  const pieces: ArrowTable[] = new Array(runs.length);
  for (let i = 0; i < runs.length; i += PARALLEL) {
    await Promise.all(
      runs.slice(i, i + PARALLEL).map(async (run, j) => {
        pieces[i + j] = await src.table.query().withRowId().select(columns).offset(run.from).limit(run.to - run.from).toArrow(within);
      }),
    );
  }
  // Keep the wanted rows, in row-id order, as one table (the rows between runs' ids are dropped).
  const rows: Array<{ id: bigint; piece: number; row: number }> = [];
  pieces.forEach((t, piece) => {
    const rid = rowIdArray(t);
    for (let row = 0; row < rid.length; row++) if (want.has(rid[row] as bigint)) rows.push({ id: rid[row] as bigint, piece, row });
  });
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const batches = rows.map((r) => {
    const t = (pieces[r.piece] as ArrowTable).slice(r.row, r.row + 1);
    return opts.rowId ? t : t.select(columns);
  });
  if (!batches.length) {
    const empty = pieces[0] ?? (await src.table.query().withRowId().select(columns).limit(1).toArrow());
    return opts.rowId ? empty.slice(0, 0) : empty.slice(0, 0).select(columns);
  }
  return new arrow.Table(batches.flatMap((t) => t.batches));
}
