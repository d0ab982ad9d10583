// Counting values by their bytes without decoding them: a 64-bit hash (two 32-bit Murmur3-style streams)
// and a table of ids keyed by it. The statistics count texts this way, duplicates group md5s or
// image bytes this way; at 64 bits a million distinct values collide with odds of about 1 in 10^7.

/** A table slot from both halves, mixed (FNV's low bits alone cluster on similar texts such as hex digests). */
function slotOf(h1: number, h2: number, mask: number): number {
  return (Math.imul(h1 ^ Math.imul(h2, 0x85ebca6b), 0x9e3779b1) >>> 7) & mask;
}

/**
 * The two 32-bit halves of the hash of bytes[s, e): MurmurHash3's 32-bit block mix over 4 bytes at a
 * time, into two streams with different seeds and a different second mix (a byte at a time was 3x
 * slower on md5 digests).
 */
export function hashBytes(bytes: Uint8Array, s: number, e: number, out: Int32Array): void {
  const len = e - s;
  let h1 = 0x9747b28c ^ len;
  let h2 = 0x5bd1e995 ^ len;
  let j = s;
  for (; j + 4 <= e; j += 4) {
    let k = (bytes[j] as number) | ((bytes[j + 1] as number) << 8) | ((bytes[j + 2] as number) << 16) | ((bytes[j + 3] as number) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 = Math.imul(h2 ^ k, 0x27d4eb2f);
    h2 ^= h2 >>> 15;
  }
  let k = 0;
  for (let shift = 0; j < e; j++, shift += 8) k |= (bytes[j] as number) << shift;
  if (len & 3) {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h2 = Math.imul(h2 ^ k, 0x27d4eb2f);
  }
  out[0] = fmix(h1);
  out[1] = fmix(h2 ^ 0x165667b1);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * Value ids by a 64-bit key (two 32-bit hashes), in one typed array with linear probing: a Map keyed
 * by numbers past 31 bits boxes every key (at a million distinct captions that was most of the time),
 * and each slot's key halves and id sit side by side, so a lookup touches one cache line, not three.
 */
export class HashIds {
  /** Per slot: h1, h2, id + 1 (0: empty). */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  /** hint: how many distinct values to expect (the table is made twice that, so it need not grow). */
  constructor(hint = 512) {
    let n = 1024;
    while (n < hint * 2) n *= 2;
    this.slots = new Int32Array(n * 3);
    this.mask = n - 1;
  }

  /** The id of (h1, h2), or -1 - the new id when it was not there (then it is added). */
  idOf(h1: number, h2: number): number {
    const t = this.slots;
    const mask = this.mask;
    let slot = slotOf(h1, h2, mask);
    for (;;) {
      const at = slot * 3;
      const id = t[at + 2] as number;
      if (id === 0) break;
      if (t[at] === h1 && t[at + 1] === h2) return id - 1;
      slot = (slot + 1) & mask;
    }
    const id = this.size++;
    const at = slot * 3;
    t[at] = h1;
    t[at + 1] = h2;
    t[at + 2] = id + 1;
    if (this.size * 2 > mask + 1) this.grow();
    return -1 - id;
  }

  private grow(): void {
    const old = this.slots;
    const n = (this.mask + 1) * 2;
    const t = new Int32Array(n * 3);
    const mask = n - 1;
    for (let at = 0; at < old.length; at += 3) {
      if (old[at + 2] === 0) continue;
      let slot = slotOf(old[at] as number, old[at + 1] as number, mask);
      while (t[slot * 3 + 2] !== 0) slot = (slot + 1) & mask;
      t.set(old.subarray(at, at + 3), slot * 3);
    }
    this.slots = t;
    this.mask = mask;
  }
}
