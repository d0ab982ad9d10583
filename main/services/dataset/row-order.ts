// The one owner of row movement. Lance rewrites an updated row at the end of the table under a new
// row id, so after a label write the person's rows are elsewhere. This module holds each session's
// order of the plain table (fixed from the first write on, so tiles stay where they were) and tells
// its subscribers (the views) when rows moved: either to which ids (they follow), or in ways nobody
// can follow (they start again).
import { rowIdArray } from './cells';
import { classifyReadError } from '../support/errors';
import { remap } from './row-ids';
import type { LanceTable } from './lance';

export interface RowMoveListener {
  /** These rows now live at these ids. */
  moved(datasetId: string, moved: Map<bigint, bigint>): void;
  /** Rows moved in ways that cannot be followed: anything keyed by row id must be computed again. */
  lost(datasetId: string): void;
}

interface Order {
  /** The session's order, or null for the table's own order (paged by offset). */
  order: BigUint64Array | null;
  /** The table's own order, read ahead (a million rows take ~150 ms) so the first label is quick. */
  natural?: Promise<BigUint64Array> | undefined;
}

export class RowOrder {
  private readonly orders = new Map<string, Order>();
  private readonly listeners: RowMoveListener[] = [];

  constructor(private readonly tableOf: (datasetId: string) => LanceTable) {}

  subscribe(listener: RowMoveListener): void {
    this.listeners.push(listener);
  }

  private entry(id: string): Order {
    let o = this.orders.get(id);
    if (!o) this.orders.set(id, (o = { order: null }));
    return o;
  }

  /** The session order once a write fixed it, else null (the table's own order). */
  current(id: string): BigUint64Array | null {
    return this.orders.get(id)?.order ?? null;
  }

  /** The plain table in the order the person sees it, fixed for the rest of the session from now on. */
  async sessionOrder(id: string): Promise<BigUint64Array> {
    const o = this.entry(id);
    if (o.order) return o.order;
    this.readAhead(id);
    try {
      // The handle stays at its version until this session writes, so this is still the order shown.
      o.order = await o.natural!;
      return o.order;
    } catch (err) {
      o.natural = undefined;
      throw classifyReadError(err, 'Reading the row order');
    }
  }

  /** Start reading the table's own order in the background (labelling is likely next). */
  readAhead(id: string): void {
    const o = this.entry(id);
    if (o.natural) return;
    o.natural = this.tableOf(id).query().withRowId().select([]).toArrow().then(rowIdArray);
    o.natural.catch(() => {}); // reported when used
  }

  /** Rows were rewritten under new ids: the session order and every subscriber follow them. */
  moved(id: string, moved: Map<bigint, bigint>): void {
    if (!moved.size) return;
    const order = this.current(id);
    if (order) remap(order, moved);
    for (const l of this.listeners) l.moved(id, moved);
  }

  /** Rows moved in ways that cannot be followed (a large write, a merge, another writer). */
  lost(id: string): void {
    this.orders.delete(id);
    for (const l of this.listeners) l.lost(id);
  }

  close(id: string): void {
    this.orders.delete(id);
  }
}
