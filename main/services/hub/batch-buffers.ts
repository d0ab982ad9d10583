// The 1 MB buffers a file body is received into, reused. Allocating a fresh buffer per network read
// (what node:http does: ~11,000 per 686 MB) made page faults and GC a large share of the download's
// CPU on this kind of VM; a buffer goes to the writing thread with the bytes in it and comes back
// empty once they are in the file, so a long download touches a few dozen buffers in all.

export const BATCH_BYTES = 1 << 20;

/** More than the batches in flight at 16 parallel transfers; extra buffers are left to the GC. */
const KEEP = 48;
const free: Buffer[] = [];
/** Memory handed out by takeBatch: a view into it may be transferred even when it covers only part. */
const ours = new WeakSet<ArrayBufferLike>();

export function takeBatch(): Buffer {
  const b = free.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
  ours.add(b.buffer);
  return b;
}

export const isBatchMemory = (buffer: ArrayBufferLike): boolean => ours.has(buffer);

/** A batch buffer whose bytes are no longer needed (anything else is ignored). */
export function recycleBatch(buffer: ArrayBuffer): void {
  if (buffer.byteLength === BATCH_BYTES && free.length < KEEP) free.push(Buffer.from(buffer));
}
