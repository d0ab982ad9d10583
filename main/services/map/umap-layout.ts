// The UMAP layout of a sample, by umap-js (Google PAIR's port of UMAP) given the neighbour graph the
// app computes exactly (umap-js's own approximate search was most of its time), started from the PCA
// layout rather than at random (so the global arrangement follows the data's main directions and a
// resumed run starts where it stopped), with a seeded generator: the same data gives the same map.
import { UMAP } from 'umap-js';
import { seeded } from '../near/vectors';
import type { Nearest } from './anchors';

export const UMAP_NEIGHBOURS = 15;
export const UMAP_EPOCHS = 200;

export interface UmapRun {
  /** Where to start: each sample row's 2-D position (PCA, or a stopped run's). */
  init: Float32Array;
  /** Epochs already done (a resumed run). */
  startEpoch: number;
  signal: AbortSignal;
  /** After each epoch; resolves when the job may go on (it pauses while the person browses). */
  onEpoch(epoch: number, total: number, layout: () => Float32Array): Promise<void>;
}

/** The 2-D layout of `n` sample rows whose neighbours (indices among the sample, cosine similarity) are in `graph`. */
export async function umapLayout(n: number, graph: Nearest, run: UmapRun): Promise<Float32Array> {
  const k = graph.k;
  const knnIndices: number[][] = [];
  const knnDistances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const ids: number[] = [];
    const ds: number[] = [];
    for (let t = i * k; t < i * k + k; t++) {
      const j = graph.idx[t] as number;
      if (j < 0) continue;
      ids.push(j);
      // The angular distance of unit vectors, as UMAP's cosine metric would give.
      ds.push(Math.sqrt(Math.max(0, 2 - 2 * (graph.sim[t] as number))));
    }
    // umap-js wants k neighbours for every row: a row with fewer repeats its farthest.
    while (ids.length < k && ids.length) (ids.push(ids[ids.length - 1] as number), ds.push(ds[ds.length - 1] as number));
    if (!ids.length) for (let f = 0; f < k; f++) (ids.push((i + 1 + f) % n), ds.push(2));
    knnIndices.push(ids);
    knnDistances.push(ds);
  }
  const umap = new UMAP({ nNeighbors: k, nComponents: 2, nEpochs: UMAP_EPOCHS, minDist: 0.1, random: seeded(0x0a0a) });
  umap.setPrecomputedKNN(knnIndices, knnDistances);
  // Only the number of rows is read once the neighbours are given.
  const epochs = umap.initializeFit(Array.from({ length: n }, () => [0]));
  // Start from the given layout, scaled to UMAP's usual span (about ±10).
  let max = 1e-9;
  for (const v of run.init) max = Math.max(max, Math.abs(v));
  const state = umap as unknown as { embedding: number[][]; optimizationState: { currentEpoch: number; headEmbedding: number[][]; tailEmbedding: number[][] } };
  for (let i = 0; i < n; i++) {
    const e = state.embedding[i] as number[];
    e[0] = ((run.init[2 * i] as number) / max) * 10;
    e[1] = ((run.init[2 * i + 1] as number) / max) * 10;
  }
  state.optimizationState.currentEpoch = Math.min(run.startEpoch, epochs);
  const layout = () => {
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) ((out[2 * i] = (state.embedding[i] as number[])[0] as number), (out[2 * i + 1] = (state.embedding[i] as number[])[1] as number));
    return out;
  };
  for (let e = state.optimizationState.currentEpoch; e < epochs; e++) {
    if (run.signal.aborted) throw new DOMException('Cancelled', 'AbortError');
    umap.step();
    await run.onEpoch(e + 1, epochs, layout);
  }
  return layout();
}
