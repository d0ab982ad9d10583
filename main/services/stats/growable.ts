// Typed arrays that grow as a scan goes: the row count in the manifest is a hint (another writer may
// add rows while a job reads), so nothing is sized from it alone.

type TypedCtor<T> = { new (n: number): T };

export class Growable<T extends Float64Array | Uint32Array | Uint8Array> {
  private buf: T;
  length = 0;
  constructor(
    private readonly Ctor: TypedCtor<T>,
    hint: number,
  ) {
    this.buf = new Ctor(Math.max(16, hint));
  }

  /** Room for n more values; returns the array to write into (valid until the next reserve). */
  reserve(n: number): T {
    if (this.length + n > this.buf.length) {
      const next = new this.Ctor(Math.max(this.length + n, this.buf.length * 2));
      (next as Float64Array).set(this.buf as Float64Array);
      this.buf = next;
    }
    return this.buf;
  }

  /** Add one to value i (no view made: this runs once per row). */
  increment(i: number): void {
    this.buf[i] = (this.buf[i] as number) + 1;
  }

  push(v: number): void {
    this.reserve(1)[this.length++] = v;
  }

  /** The values, trimmed (a view: no copy). */
  values(): T {
    return this.buf.subarray(0, this.length) as T;
  }
}
