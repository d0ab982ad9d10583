// Every row's vector, made unit length (near duplicates are by cosine similarity), held in chunks of
// 2^16 rows: a million 768-d vectors are 3 GB, past what one typed array may hold.
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

/** The part of an Arrow FixedSizeList vector the store reads. */
export interface ListVector {
  data: Array<{ offset: number; length: number; nullCount: number; nullBitmap?: Uint8Array | null; children: Array<{ offset: number; values: ArrayLike<number> }> }>;
}

export class VectorStore {
  private readonly chunks: Float32Array[] = [];
  /** 1 where the row has a usable vector (not null, not all zero, every value finite). */
  private valid = new Uint8Array(1024);
  rows = 0;
  /** Rows without a usable vector (they are no one's duplicate). */
  unusable = 0;

  constructor(readonly dim: number) {}

  add(vec: ListVector): void {
    const d = this.dim;
    for (const data of vec.data) {
      const child = data.children[0];
      for (let i = 0; i < data.length; i++) {
        const at = this.rows;
        const chunk = at >>> CHUNK_BITS;
        if (chunk === this.chunks.length) this.chunks.push(new Float32Array(CHUNK * d));
        if (at >= this.valid.length) {
          const next = new Uint8Array(this.valid.length * 2);
          next.set(this.valid);
          this.valid = next;
        }
        const out = (this.chunks[chunk] as Float32Array).subarray((at & (CHUNK - 1)) * d, ((at & (CHUNK - 1)) + 1) * d);
        this.rows++;
        const j = data.offset + i;
        const isNull = data.nullCount > 0 && data.nullBitmap && !(((data.nullBitmap[j >> 3] as number) >> (j & 7)) & 1);
        if (isNull || !child) {
          this.unusable++;
          continue;
        }
        const values = child.values;
        const base = child.offset + j * d;
        // Float32 (CLIP's columns) is one copy; float16 or float64 columns are converted value by value.
        if (values instanceof Float32Array) out.set(values.subarray(base, base + d));
        else for (let k = 0; k < d; k++) out[k] = Number(values[base + k]);
        let norm = 0;
        for (let k = 0; k < d; k++) norm += (out[k] as number) * (out[k] as number);
        if (!(norm > 0) || !Number.isFinite(norm)) {
          out.fill(0);
          this.unusable++;
          continue;
        }
        const inv = 1 / Math.sqrt(norm);
        for (let k = 0; k < d; k++) out[k] = (out[k] as number) * inv;
        this.valid[at] = 1;
      }
    }
  }

  usable(i: number): boolean {
    return this.valid[i] === 1;
  }

  row(i: number): Float32Array {
    const off = (i & (CHUNK - 1)) * this.dim;
    return (this.chunks[i >>> CHUNK_BITS] as Float32Array).subarray(off, off + this.dim);
  }

  /** Rows start..start+n as one matrix: a view when they share a chunk, else a copy into `out`. */
  block(start: number, n: number, out: Float32Array): Float32Array {
    if (start >>> CHUNK_BITS === (start + n - 1) >>> CHUNK_BITS) {
      const off = (start & (CHUNK - 1)) * this.dim;
      return (this.chunks[start >>> CHUNK_BITS] as Float32Array).subarray(off, off + n * this.dim);
    }
    for (let i = 0; i < n; i++) out.set(this.row(start + i), i * this.dim);
    return out.subarray(0, n * this.dim);
  }

  /** The rows at `indices[from..to)` as one matrix in `out`. */
  gather(indices: Int32Array, from: number, to: number, out: Float32Array): Float32Array {
    for (let i = from; i < to; i++) out.set(this.row(indices[i] as number), (i - from) * this.dim);
    return out.subarray(0, (to - from) * this.dim);
  }
}

export { seeded } from '../support/seeded';
