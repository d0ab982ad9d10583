// A least-recently-used map bounded by total size (bytes for images, entries for pages).

export class SizedLru<K, V> {
  private readonly map = new Map<K, { value: V; size: number }>();
  private total = 0;

  constructor(
    readonly capacity: number,
    private readonly sizeOf: (value: V) => number = () => 1,
  ) {}

  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  set(key: K, value: V): void {
    const size = this.sizeOf(value);
    if (size > this.capacity) return; // would evict everything and still not fit
    const old = this.map.get(key);
    if (old) {
      this.total -= old.size;
      this.map.delete(key);
    }
    this.map.set(key, { value, size });
    this.total += size;
    for (const [k, v] of this.map) {
      if (this.total <= this.capacity) break;
      this.map.delete(k);
      this.total -= v.size;
    }
  }

  deleteWhere(pred: (key: K, value: V) => boolean): void {
    for (const [k, v] of this.map) {
      if (pred(k, v.value)) {
        this.map.delete(k);
        this.total -= v.size;
      }
    }
  }

  /** Every value, without touching the recency order. */
  *values(): IterableIterator<V> {
    for (const e of this.map.values()) yield e.value;
  }

  get size(): number {
    return this.total;
  }

  get count(): number {
    return this.map.size;
  }
}
