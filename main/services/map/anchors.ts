// Each query row's k most similar anchor rows (cosine), compared cluster by cluster: a query with the
// anchors of its nearest cluster and of its second, as one product each (onnxruntime), never every
// query with every anchor. Used twice by the map: the UMAP sample's neighbour graph (queries and
// anchors the same rows), and the placing of every other row among the sample's.
import type { Assignment } from '../near/clusters';
import { offerSorted } from '../near/neighbours';
import type { Products } from '../near/matmul';
import type { VectorStore } from '../near/vectors';

export interface Nearest {
  k: number;
  /** Query q's anchors at [q*k, q*k+k), most similar first (-1 where there are fewer), as indices into `anchors`. */
  idx: Int32Array;
  sim: Float32Array;
}

const QUERY_BLOCK = 2048;

/**
 * `queries` and `anchors` are row positions in the store; `a` says each row's two nearest clusters.
 * With `same` (the queries are the anchors), a row is not its own neighbour.
 */
export async function nearestAnchors(products: Products, store: VectorStore, a: Pick<Assignment, 'k' | 'first' | 'second'>, queries: Int32Array, anchors: Int32Array, k: number, opts: { same?: boolean; signal?: AbortSignal; onCluster?(done: number, total: number): Promise<void> } = {}): Promise<Nearest> {
  const d = store.dim;
  const byCluster = (rows: Int32Array, both: boolean) => {
    const out: number[][] = Array.from({ length: a.k }, () => []);
    rows.forEach((r, i) => {
      const f = a.first[r] as number;
      if (f < 0) return;
      out[f]!.push(i);
      const s = a.second[r] as number;
      if (both && s >= 0 && s !== f) out[s]!.push(i);
    });
    return out;
  };
  const qs = byCluster(queries, false);
  const as = byCluster(anchors, true);
  const idx = new Int32Array(queries.length * k).fill(-1);
  const sim = new Float32Array(queries.length * k).fill(-2);
  let qBuf = new Float32Array(0);
  let aBuf = new Float32Array(0);
  let done = 0;
  for (let c = 0; c < a.k; c++) {
    if (opts.signal?.aborted) throw new DOMException('Cancelled', 'AbortError');
    const q = qs[c] as number[];
    // A cluster without anchors of its own (rare: a small cluster the sample missed) looks at all.
    const an = (as[c] as number[]).length ? (as[c] as number[]) : Array.from(anchors, (_, i) => i);
    if (!q.length) continue;
    const m = an.length;
    if (aBuf.length < m * d) aBuf = new Float32Array(m * d);
    for (let j = 0; j < m; j++) aBuf.set(store.row(anchors[an[j] as number] as number), j * d);
    for (let b = 0; b < q.length; b += QUERY_BLOCK) {
      const n = Math.min(QUERY_BLOCK, q.length - b);
      if (qBuf.length < n * d) qBuf = new Float32Array(n * d);
      for (let r = 0; r < n; r++) qBuf.set(store.row(queries[q[b + r] as number] as number), r * d);
      const scores = await products.times(qBuf, n, aBuf, m);
      for (let r = 0; r < n; r++) {
        const qi = q[b + r] as number;
        const self = opts.same ? qi : -1;
        const base = qi * k;
        const last = base + k - 1;
        for (let j = 0; j < m; j++) {
          const s = scores[r * m + j] as number;
          if (s <= (sim[last] as number)) continue;
          const ai = an[j] as number;
          if (ai !== self) offerSorted(idx, sim, base, k, ai, s);
        }
      }
    }
    done += q.length;
    await opts.onCluster?.(done, queries.length);
  }
  return { k, idx, sim };
}
