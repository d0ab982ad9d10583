// Counting values by their bytes without decoding them: a 64-bit hash (two 32-bit FNV-1a variants)
// and a table of ids keyed by it. The statistics count texts this way, duplicates group md5s or
// image bytes this way; at 64 bits a million distinct values collide with odds of about 1 in 10^7.

/** The two 32-bit halves of the hash of bytes[s, e). */
export function hashBytes(bytes: Uint8Array, s: number, e: number, out: Int32Array): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ (e - s);
  for (let j = s; j < e; j++) {
    const b = bytes[j] as number;
    h1 = Math.imul(h1 ^ b, 16777619);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  out[0] = h1 | 0;
  out[1] = h2 | 0;
}

/**
 * Value ids by a 64-bit key (two 32-bit hashes), in typed arrays with linear probing: a Map keyed by
 * numbers past 31 bits boxes every key, and at a million distinct captions that was most of the time.
 */
export class HashIds {
  private k1 = new Int32Array(1024);
  private k2 = new Int32Array(1024);
  private ids = new Int32Array(1024).fill(-1);
  size = 0;

  /** The id of (h1, h2), or -1 - the new id when it was not there (then it is added). */
  idOf(h1: number, h2: number): number {
    const mask = this.ids.length - 1;
    let slot = h1 & mask;
    for (;;) {
      const id = this.ids[slot] as number;
      if (id === -1) break;
      if (this.k1[slot] === h1 && this.k2[slot] === h2) return id;
      slot = (slot + 1) & mask;
    }
    const id = this.size++;
    this.k1[slot] = h1;
    this.k2[slot] = h2;
    this.ids[slot] = id;
    if (this.size * 2 > this.ids.length) this.grow();
    return -1 - id;
  }

  private grow(): void {
    const { k1, k2, ids } = this;
    const n = ids.length * 2;
    this.k1 = new Int32Array(n);
    this.k2 = new Int32Array(n);
    this.ids = new Int32Array(n).fill(-1);
    const mask = n - 1;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === -1) continue;
      let slot = (k1[i] as number) & mask;
      while (this.ids[slot] !== -1) slot = (slot + 1) & mask;
      this.k1[slot] = k1[i] as number;
      this.k2[slot] = k2[i] as number;
      this.ids[slot] = ids[i] as number;
    }
  }
}

