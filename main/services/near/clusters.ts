// Rows put in clusters so that near duplicates are compared within one cluster and its border, never
// all rows with all rows: spherical k-means fitted on a sample (a centroid is its members' mean made
// unit length), then every row's two nearest centroids.
import { seeded, type VectorStore } from './vectors';
import type { Products } from './matmul';

/** Rows per cluster the job aims at: a cluster's products cost its size squared. */
export const ROWS_PER_CLUSTER = 1000;
/** Below this many rows one cluster holds them all: every pair is compared (exact). */
export const EXACT_BELOW = 6000;
const SAMPLE_PER_CLUSTER = 40;
const MAX_SAMPLE = 60_000;
const BLOCK = 4096;

export interface Assignment {
  k: number;
  /** Each row's nearest centroid (-1 for a row without a usable vector), and its similarity. */
  first: Int32Array;
  firstSim: Float32Array;
  /** Each row's second nearest (-1 when there is one cluster). */
  second: Int32Array;
  secondSim: Float32Array;
}

export function clusterCount(rows: number): number {
  return rows < EXACT_BELOW ? 1 : Math.max(2, Math.round(rows / ROWS_PER_CLUSTER));
}

/** k centroids (k × dim, unit length) fitted on a seeded sample of the usable rows. */
export async function fitCentroids(products: Products, store: VectorStore, k: number, opts: { iterations: number; signal: AbortSignal; onIteration(i: number): void }): Promise<Float32Array> {
  const d = store.dim;
  const rand = seeded(0x5eed);
  const usable: number[] = [];
  for (let i = 0; i < store.rows; i++) if (store.usable(i)) usable.push(i);
  const want = Math.min(usable.length, MAX_SAMPLE, Math.max(k * SAMPLE_PER_CLUSTER, 20_000));
  // A partial Fisher-Yates shuffle: the sample's rows, in no order that depends on the table's.
  for (let i = 0; i < want; i++) {
    const j = i + Math.floor(rand() * (usable.length - i));
    [usable[i], usable[j]] = [usable[j] as number, usable[i] as number];
  }
  const sample = Int32Array.from(usable.slice(0, want));
  const s = sample.length;
  const points = store.gather(sample, 0, s, new Float32Array(s * d));
  const centroids = new Float32Array(k * d);
  for (let c = 0; c < k; c++) centroids.set(points.subarray((c % s) * d, (c % s) * d + d), c * d);
  const owner = new Int32Array(s);
  const sums = new Float64Array(k * d);
  const sizes = new Int32Array(k);
  for (let it = 0; it < opts.iterations; it++) {
    if (opts.signal.aborted) throw new DOMException('Cancelled', 'AbortError');
    let moved = 0;
    for (let b = 0; b < s; b += BLOCK) {
      const n = Math.min(BLOCK, s - b);
      const scores = await products.times(points.subarray(b * d, (b + n) * d), n, centroids, k);
      for (let r = 0; r < n; r++) {
        let best = 0;
        let bestS = -Infinity;
        for (let c = 0, o = r * k; c < k; c++, o++) if ((scores[o] as number) > bestS) ((bestS = scores[o] as number), (best = c));
        if (owner[b + r] !== best) moved++;
        owner[b + r] = best;
      }
    }
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < s; i++) {
      const c = owner[i] as number;
      sizes[c] = (sizes[c] as number) + 1;
      for (let j = 0, o = c * d, p = i * d; j < d; j++) sums[o + j] = (sums[o + j] as number) + (points[p + j] as number);
    }
    for (let c = 0; c < k; c++) {
      const o = c * d;
      if (!sizes[c]) {
        // An empty cluster takes a random sample point: its neighbourhood gets a centroid of its own.
        const p = Math.floor(rand() * s) * d;
        centroids.set(points.subarray(p, p + d), o);
        continue;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += (sums[o + j] as number) ** 2;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < d; j++) centroids[o + j] = (sums[o + j] as number) * inv;
    }
    opts.onIteration(it + 1);
    if (it > 0 && moved < s * 0.002) break; // settled
    await new Promise((r) => setImmediate(r));
  }
  return centroids;
}

/** Each row's nearest two centroids, block by block. */
export async function assign(products: Products, store: VectorStore, centroids: Float32Array, k: number, opts: { signal: AbortSignal; onBlock(done: number): Promise<void> }): Promise<Assignment> {
  const n = store.rows;
  const a: Assignment = { k, first: new Int32Array(n).fill(-1), firstSim: new Float32Array(n), second: new Int32Array(n).fill(-1), secondSim: new Float32Array(n) };
  const scratch = new Float32Array(BLOCK * store.dim);
  for (let b = 0; b < n; b += BLOCK) {
    if (opts.signal.aborted) throw new DOMException('Cancelled', 'AbortError');
    const m = Math.min(BLOCK, n - b);
    if (k === 1) {
      for (let r = 0; r < m; r++) if (store.usable(b + r)) a.first[b + r] = 0;
    } else {
      const scores = await products.times(store.block(b, m, scratch), m, centroids, k);
      for (let r = 0; r < m; r++) {
        if (!store.usable(b + r)) continue;
        let c1 = -1;
        let s1 = -Infinity;
        let c2 = -1;
        let s2 = -Infinity;
        for (let c = 0, o = r * k; c < k; c++, o++) {
          const x = scores[o] as number;
          if (x > s2) {
            if (x > s1) ((c2 = c1), (s2 = s1), (c1 = c), (s1 = x));
            else ((c2 = c), (s2 = x));
          }
        }
        a.first[b + r] = c1;
        a.firstSim[b + r] = s1;
        a.second[b + r] = c2;
        a.secondSim[b + r] = s2;
      }
    }
    await opts.onBlock(b + m);
  }
  return a;
}
