// The 2-D PCA layout: the two directions in which a sample of the (unit-length) vectors varies most,
// from their covariance (one matrix product through onnxruntime) by subspace iteration; every row is
// then placed by two dot products. Fitted once, it places rows added later in the same frame, so a
// map can be extended to new rows without moving the old ones.
import { Products } from '../near/matmul';
import { seeded, type VectorStore } from '../near/vectors';

export interface Pca {
  mean: Float32Array;
  /** Two unit directions, one after the other (2 × dim). */
  components: Float32Array;
  /** The share of the sample's variance each direction holds. */
  explained: [number, number];
}

const SAMPLE = 20_000;

/** Fit on a seeded sample of the usable rows. */
export async function fitPca(store: VectorStore, signal: AbortSignal): Promise<Pca> {
  const d = store.dim;
  const usable: number[] = [];
  for (let i = 0; i < store.rows; i++) if (store.usable(i)) usable.push(i);
  const rand = seeded(0x9ca);
  const s = Math.min(SAMPLE, usable.length);
  for (let i = 0; i < s; i++) {
    const j = i + Math.floor(rand() * (usable.length - i));
    [usable[i], usable[j]] = [usable[j] as number, usable[i] as number];
  }
  const mean = new Float32Array(d);
  for (let i = 0; i < s; i++) {
    const v = store.row(usable[i] as number);
    for (let k = 0; k < d; k++) mean[k] = (mean[k] as number) + (v[k] as number) / s;
  }
  // The centred sample, transposed (dim rows of s values): its product with itself is the covariance.
  const t = new Float32Array(d * s);
  for (let i = 0; i < s; i++) {
    const v = store.row(usable[i] as number);
    for (let k = 0; k < d; k++) t[k * s + i] = (v[k] as number) - (mean[k] as number);
  }
  if (signal.aborted) throw new DOMException('Cancelled', 'AbortError');
  const products = new Products(Math.max(1, s));
  let cov: Float32Array;
  try {
    cov = await products.times(t, d, t, d);
  } finally {
    await products.close();
  }
  const { vectors, values } = topEigen(cov, d, 2);
  let trace = 0;
  for (let k = 0; k < d; k++) trace += cov[k * d + k] as number;
  return { mean, components: vectors, explained: [trace > 0 ? (values[0] as number) / trace : 0, trace > 0 ? (values[1] as number) / trace : 0] };
}

/** The top `r` eigenvectors of a symmetric d × d matrix by subspace iteration with Gram-Schmidt. */
export function topEigen(a: Float32Array, d: number, r: number): { vectors: Float32Array; values: number[] } {
  const rand = seeded(7);
  const q = Float64Array.from({ length: r * d }, () => rand() - 0.5);
  const next = new Float64Array(r * d);
  const orthonormalise = (m: Float64Array) => {
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += (m[i * d + k] as number) * (m[j * d + k] as number);
        for (let k = 0; k < d; k++) m[i * d + k] = (m[i * d + k] as number) - dot * (m[j * d + k] as number);
      }
      let norm = 0;
      for (let k = 0; k < d; k++) norm += (m[i * d + k] as number) ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let k = 0; k < d; k++) m[i * d + k] = (m[i * d + k] as number) / norm;
    }
  };
  orthonormalise(q);
  const values = new Array<number>(r).fill(0);
  for (let it = 0; it < 300; it++) {
    for (let i = 0; i < r; i++)
      for (let row = 0; row < d; row++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (a[row * d + k] as number) * (q[i * d + k] as number);
        next[i * d + row] = s;
      }
    for (let i = 0; i < r; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (q[i * d + k] as number) * (next[i * d + k] as number);
      values[i] = s;
    }
    orthonormalise(next);
    let change = 0;
    for (let k = 0; k < r * d; k++) change = Math.max(change, Math.abs(Math.abs(next[k] as number) - Math.abs(q[k] as number)));
    q.set(next);
    if (change < 1e-7) break;
  }
  return { vectors: Float32Array.from(q), values };
}

/** Each row's two coordinates (NaN for a row without a usable vector). */
export function project(store: VectorStore, pca: Pca): { x: Float32Array; y: Float32Array } {
  const d = store.dim;
  const x = new Float32Array(store.rows);
  const y = new Float32Array(store.rows);
  const c = pca.components;
  let m0 = 0;
  let m1 = 0;
  for (let k = 0; k < d; k++) {
    m0 += (pca.mean[k] as number) * (c[k] as number);
    m1 += (pca.mean[k] as number) * (c[d + k] as number);
  }
  for (let i = 0; i < store.rows; i++) {
    if (!store.usable(i)) {
      x[i] = NaN;
      y[i] = NaN;
      continue;
    }
    const v = store.row(i);
    let a = 0;
    let b = 0;
    for (let k = 0; k < d; k++) {
      a += (v[k] as number) * (c[k] as number);
      b += (v[k] as number) * (c[d + k] as number);
    }
    x[i] = a - m0;
    y[i] = b - m1;
  }
  return { x, y };
}
