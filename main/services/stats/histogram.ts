// Histograms with readable edges (steps of 1, 2 or 5 times a power of ten), the summary numbers
// beside them, and each row's bin (so a view's counts are a count of bins, not another scan).
import type { StatsFacet } from '../../../shared/types';

/** Bins a chart aims at: finer than the Hub viewer's 10, coarse enough to read on a side panel. */
export const TARGET_BINS = 40;
/** A row's code when it has no value, or (top values) another value than those listed. */
export const NULL_CODE = 255;
export const OTHER_CODE = 254;

function niceStep(span: number, bins: number, integer: boolean): number {
  const raw = span / bins;
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw * 0.999) ?? 10 * p;
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

/** The k-th smallest (0-based) of xs, reordering xs (Hoare's selection: linear on average). */
function select(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((xs[i] as number) < pivot) i++;
      while ((xs[j] as number) > pivot) j--;
      if (i <= j) {
        const t = xs[i] as number;
        xs[i++] = xs[j] as number;
        xs[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k] as number;
  }
  return xs[k] as number;
}

export interface Binned {
  facet: Omit<StatsFacet, 'id' | 'column' | 'label' | 'filter'>;
  codes: Uint8Array;
}

/** Numbers (NaN where a row has none) as a histogram facet and each row's bin. */
export function histogram(values: Float64Array, integer: boolean): Binned {
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) {
      nulls++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    // Bins span the finite values; an infinity is counted in the end bin on its side.
    if (v !== Infinity && v !== -Infinity) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    sum += v;
  }
  const codes = new Uint8Array(n).fill(NULL_CODE);
  const present = n - nulls;
  if (!present) return { facet: { type: 'histogram', rows: n, nulls, edges: [], integer, min: null, max: null, mean: null, median: null, counts: [] }, codes };
  if (lo > hi) lo = hi = 0; // only infinities
  let start: number;
  let step: number;
  let bins: number;
  if (integer && hi - lo + 1 <= TARGET_BINS) {
    start = lo;
    step = 1;
    bins = hi - lo + 1;
  } else if (!Number.isFinite(hi - lo)) {
    // A span past the largest double: plain equal bins (readable edges mean nothing there).
    start = lo;
    step = hi / TARGET_BINS - lo / TARGET_BINS;
    bins = TARGET_BINS;
  } else if (hi === lo) {
    start = lo;
    step = 1;
    bins = 1;
  } else {
    step = niceStep(hi - lo, TARGET_BINS, integer);
    start = Math.floor(lo / step) * step;
    // A float bin includes its upper edge when it is the last; a whole-number bin [a, b) never does.
    bins = integer ? Math.floor((hi - start) / step) + 1 : Math.max(1, Math.ceil((hi - start) / step));
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (integer ? start + i * step : +(start + i * step).toPrecision(12)));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    let b = Math.floor((v - start) / step);
    if (b < 0) b = 0;
    else if (b >= bins) b = bins - 1;
    // The edges as shown decide (a bar's filter is "between its edges"), not the division's rounding.
    else if (b + 1 < bins && v >= (edges[b + 1] as number)) b++;
    else if (b > 0 && v < (edges[b] as number)) b--;
    codes[i] = b;
    counts[b] = (counts[b] as number) + 1;
  }
  const finite = new Float64Array(present);
  let j = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[i] as number)) finite[j++] = values[i] as number;
  const mid = present >> 1;
  const upper = select(finite, mid);
  // An even count's median is the mean of the two middle values; after selecting `mid`, the other
  // is the largest of the lower part.
  let median = upper;
  if (present % 2 === 0) {
    let lower = -Infinity;
    for (let i = 0; i < mid; i++) if ((finite[i] as number) > lower) lower = finite[i] as number;
    median = (lower + upper) / 2;
  }
  return { facet: { type: 'histogram', rows: n, nulls, edges, integer, min, max, mean: sum / present, median, counts }, codes };
}
