// Every row's K nearest neighbours (by cosine similarity), found cluster by cluster: a cluster's rows
// against its rows and its border (the rows whose second nearest centroid it is), as one matrix
// product each, so a pair is compared when both share a cluster or one lies on the other's border.
import type { Assignment } from './clusters';
import type { Products } from './matmul';
import type { VectorStore } from './vectors';

/** Neighbours kept per row: enough for groups (connected components) and for recall@10. */
export const K = 10;
/** Query rows per product: bounds the scores matrix of a large cluster. */
const QUERY_BLOCK = 1024;

/**
 * j with similarity s into the list of k at idx/sim[base, base+k), kept most similar first: ignored
 * when it is not among the k best, or already there (a border row can be offered twice).
 */
export function offerSorted(idx: Int32Array, sim: Float32Array, base: number, k: number, j: number, s: number): void {
  let at = base + k - 1;
  if (s <= (sim[at] as number)) return;
  for (let t = base; t < base + k; t++) if (idx[t] === j) return;
  while (at > base && (sim[at - 1] as number) < s) {
    sim[at] = sim[at - 1] as number;
    idx[at] = idx[at - 1] as number;
    at--;
  }
  sim[at] = s;
  idx[at] = j;
}

export class NeighbourLists {
  /** Row i's neighbours at [i*K, i*K+K), most similar first; -1 where there are fewer. */
  readonly idx: Int32Array;
  readonly sim: Float32Array;
  constructor(
    readonly rows: number,
    idx?: Int32Array,
    sim?: Float32Array,
  ) {
    this.idx = idx ?? new Int32Array(rows * K).fill(-1);
    this.sim = sim ?? new Float32Array(rows * K).fill(-2);
  }

  /** The similarity a new neighbour of row i must beat. */
  floor(i: number): number {
    return this.sim[i * K + K - 1] as number;
  }

  /** j as a neighbour of i with similarity s (ignored when not among i's K best, or already there). */
  offer(i: number, j: number, s: number): void {
    offerSorted(this.idx, this.sim, i * K, K, j, s);
  }

  /** Row i's nearest neighbour's similarity, or -2 when it has none. */
  nearest(i: number): number {
    return this.sim[i * K] as number;
  }
}

/** Rows of each cluster (first choice) and of its border (second choice), as offsets into one array each. */
export interface Buckets {
  k: number;
  start: Int32Array;
  rows: Int32Array;
  borderStart: Int32Array;
  border: Int32Array;
}

export function buckets(a: Assignment): Buckets {
  const k = a.k;
  const bucket = (of: Int32Array) => {
    const start = new Int32Array(k + 1);
    for (let i = 0; i < of.length; i++) if ((of[i] as number) >= 0) start[(of[i] as number) + 1] = (start[(of[i] as number) + 1] as number) + 1;
    for (let c = 0; c < k; c++) start[c + 1] = (start[c + 1] as number) + (start[c] as number);
    const at = start.slice(0, k);
    const rows = new Int32Array(start[k] as number);
    for (let i = 0; i < of.length; i++) {
      const c = of[i] as number;
      if (c >= 0) rows[(at[c] = (at[c] as number) + 1) - 1] = i;
    }
    return { start, rows };
  };
  const f = bucket(a.first);
  const s = bucket(a.second);
  return { k, start: f.start, rows: f.rows, borderStart: s.start, border: s.rows };
}

/** The members of cluster c: its own rows first, then its border; and how many are its own. */
export function members(b: Buckets, c: number): { rows: Int32Array; own: number } {
  const own = b.rows.subarray(b.start[c] as number, b.start[c + 1] as number);
  const border = b.border.subarray(b.borderStart[c] as number, b.borderStart[c + 1] as number);
  const rows = new Int32Array(own.length + border.length);
  rows.set(own);
  rows.set(border, own.length);
  return { rows, own: own.length };
}

/** Compare cluster c's rows with its members, offering every pair to both rows' lists. */
export async function compareCluster(products: Products, store: VectorStore, b: Buckets, c: number, lists: NeighbourLists, scratch: { buf: Float32Array }): Promise<number> {
  const { rows, own } = members(b, c);
  const m = rows.length;
  if (own === 0 || m < 2) return 0;
  const d = store.dim;
  if (scratch.buf.length < m * d) scratch.buf = new Float32Array(m * d);
  const all = store.gather(rows, 0, m, scratch.buf);
  for (let q = 0; q < own; q += QUERY_BLOCK) {
    const n = Math.min(QUERY_BLOCK, own - q);
    const scores = await products.times(all.subarray(q * d, (q + n) * d), n, all, m);
    const sim = lists.sim;
    for (let r = 0; r < n; r++) {
      const i = rows[q + r] as number;
      const o = r * m;
      const last = i * K + K - 1;
      // Most products are below the row's tenth best so far: one comparison each, no call.
      for (let t = 0; t < own; t++) {
        const s = scores[o + t] as number;
        if (s > (sim[last] as number) && t !== q + r) lists.offer(i, rows[t] as number, s);
      }
      for (let t = own; t < m; t++) {
        const s = scores[o + t] as number;
        const j = rows[t] as number;
        if (j === i) continue;
        if (s > (sim[last] as number)) lists.offer(i, j, s);
        // A border row's own cluster may not hold i: it learns of i here.
        if (s > (sim[j * K + K - 1] as number)) lists.offer(j, i, s);
      }
    }
  }
  return m;
}
