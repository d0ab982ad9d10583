// The vector indices the app builds: IVF_PQ with its default settings for a table's size, and the
// other kinds and settings the index advisor compares (IVF_PQ, IVF_RQ, IVF_HNSW_SQ), as LanceDB configs.
import { lancedb } from '../dataset/lance';
import { SIMILAR_DEFAULTS, type IndexVariant, type Metric } from '../../../shared/types';

/** IVF partitions: about √rows (LanceDB's guidance), within what k-means can train on two cores. */
export function ivfPqParams(rows: number, dim: number): { numPartitions: number; numSubVectors: number } {
  const numPartitions = Math.max(1, Math.min(4096, Math.round(Math.sqrt(rows))));
  // 8 dimensions per sub-vector (768 → 96), or the nearest divisor below, as PQ needs an exact split.
  // At 1M rows 96 sub-vectors reach recall@10 0.95 where 48 stop near 0.92 (docs/BENCHMARKS.md).
  let numSubVectors = Math.max(1, Math.floor(dim / 8));
  while (dim % numSubVectors !== 0) numSubVectors--;
  return { numPartitions, numSubVectors };
}

/** What to try for a table of `rows` vectors of `dim`: LanceDB's kinds with settings for this size. */
export function candidates(rows: number, dim: number): IndexVariant[] {
  const pq = ivfPqParams(rows, dim);
  const hnswParts = Math.max(1, Math.round(rows / 250_000));
  return [
    { type: 'ivf_pq', label: `IVF_PQ, ${Math.max(1, Math.round(pq.numPartitions / 2))} partitions × ${pq.numSubVectors} sub-vectors`, params: { numPartitions: Math.max(1, Math.round(pq.numPartitions / 2)), numSubVectors: pq.numSubVectors }, search: { nprobes: SIMILAR_DEFAULTS.nprobes, refineFactor: SIMILAR_DEFAULTS.refineFactor } },
    { type: 'ivf_rq', label: `IVF_RQ, ${pq.numPartitions} partitions, 1 bit per dimension`, params: { numPartitions: pq.numPartitions, numBits: 1 }, search: { nprobes: SIMILAR_DEFAULTS.nprobes, refineFactor: 10 } },
    // A graph per partition: few partitions, every one searched (a graph search is cheap; skipping
    // partitions is what loses recall).
    { type: 'ivf_hnsw_sq', label: `IVF_HNSW_SQ, ${hnswParts} partitions, m 20`, params: { numPartitions: hnswParts, m: 20, efConstruction: 150 }, search: { nprobes: hnswParts, ef: 100, refineFactor: 1 } },
  ];
}

/** The LanceDB index config for a variant. */
export function variantConfig(v: IndexVariant, metric: Metric) {
  const p = v.params;
  if (v.type === 'ivf_rq') return lancedb.Index.ivfRq({ numPartitions: p.numPartitions, numBits: p.numBits, distanceType: metric });
  if (v.type === 'ivf_hnsw_sq') return lancedb.Index.hnswSq({ numPartitions: p.numPartitions, m: p.m, efConstruction: p.efConstruction, distanceType: metric });
  return lancedb.Index.ivfPq({ numPartitions: p.numPartitions, numSubVectors: p.numSubVectors, distanceType: metric });
}

