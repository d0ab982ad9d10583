// Lance's row id layout: fragment id in the high 32 bits, offset within the fragment in the low 32.
// An id is a physical address: a row rewritten by an update gets a new one (in a new fragment).
// Everything that reads the two halves goes through here.

export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export const fragmentOf = (id: bigint): number => Number(id >> 32n);
export const offsetOf = (id: bigint): number => Number(id & 0xffffffffn);
/** The first row id of a fragment (every id at or above it is in that fragment or a newer one). */
export const firstIdOf = (fragment: number): bigint => BigInt(fragment) << 32n;

/** The highest fragment id among these row ids, or -1 when there are none. */
export function maxFragment(ids: BigUint64Array): number {
  let max = -1;
  if (LITTLE_ENDIAN) {
    const words = new Uint32Array(ids.buffer, ids.byteOffset, ids.length * 2);
    for (let i = 1; i < words.length; i += 2) if ((words[i] as number) > max) max = words[i] as number;
  } else for (const id of ids) max = Math.max(max, fragmentOf(id));
  return max;
}

/**
 * Replace moved ids in place. A million-entry order is scanned as 32-bit words through typed lookup
 * tables, with no BigInt conversion or Map lookup per entry (those cost ~20 ms per label write): only
 * entries in a fragment that lost rows are looked at.
 */
export function remap(ids: BigUint64Array, moved: Map<bigint, bigint>): void {
  if (!moved.size) return;
  const targets: bigint[] = [];
  const byFragment = new Map<number, Array<[number, number]>>();
  let maxFrag = 0;
  let maxOffset = 0;
  for (const [from, to] of moved) {
    const fragment = fragmentOf(from);
    const offset = offsetOf(from);
    targets.push(to);
    let list = byFragment.get(fragment);
    if (!list) byFragment.set(fragment, (list = []));
    list.push([offset, targets.length]);
    if (fragment > maxFrag) maxFrag = fragment;
    if (offset > maxOffset) maxOffset = offset;
  }
  if (!LITTLE_ENDIAN || maxFrag >= 1 << 20 || maxOffset >= 1 << 24) {
    for (let i = 0; i < ids.length; i++) {
      const to = moved.get(ids[i] as bigint);
      if (to !== undefined) ids[i] = to;
    }
    return;
  }
  // slots[fragment][offset] = 1 + index into targets, or 0.
  const slots: Array<Int32Array | undefined> = new Array(maxFrag + 1);
  for (const [fragment, list] of byFragment) {
    const table = new Int32Array(Math.max(...list.map(([o]) => o)) + 1);
    for (const [offset, k] of list) table[offset] = k;
    slots[fragment] = table;
  }
  const words = new Uint32Array(ids.buffer, ids.byteOffset, ids.length * 2);
  for (let i = 0; i < ids.length; i++) {
    const fragment = words[2 * i + 1] as number;
    if (fragment > maxFrag) continue;
    const table = slots[fragment];
    if (table === undefined) continue;
    const offset = words[2 * i] as number;
    if (offset < table.length) {
      const k = table[offset] as number;
      if (k) ids[i] = targets[k - 1] as bigint;
    }
  }
}
