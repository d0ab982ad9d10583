// @ts-check
// The writing thread of part-writer.ts: opens part files, writes the pieces it is handed in order,
// hashes each piece right after writing it (still in cache), and hands receive buffers back. Plain
// CommonJS, so it runs as it is under tsx, the tests and the built app (part-writer.ts reads this file
// and starts it with `eval`, which also works from inside the app's asar archive); type-checked by tsc
// through the JSDoc below. The sizes come in as workerData, from the same constants the main thread uses.
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');

/** @typedef {{ algo: 'sha256' | 'sha1', prefix?: string }} PartHash */
/** @typedef {{ fd: number, pos: number, h: import('node:crypto').Hash | null }} OpenFile */
/**
 * @typedef {{ id: number, op: 'open', path: string, keep: number, hash: PartHash | null }
 *   | { id: number, op: 'write', chunks: Uint8Array[] }
 *   | { id: number, op: 'finish' | 'close' }} Message
 */

/** @type {{ writePiece: number, batchBytes: number }} */
const { writePiece, batchBytes } = workerData;
if (!parentPort) throw new Error('part-writer.worker.cjs runs as a worker thread');
const port = parentPort;
/** @type {Map<number, OpenFile>} */
const files = new Map();

/** @param {number} id @param {unknown} err */
function fail(id, err) {
  const e = /** @type {{ message?: string, code?: string } | null} */ (err);
  port.postMessage({ id, error: { message: String((e && e.message) || err), code: e && e.code } });
}

/** @param {Extract<Message, { op: 'open' }>} m */
function open(m) {
  const fd = fs.openSync(m.path, m.keep > 0 ? 'r+' : 'w');
  /** @type {OpenFile} */
  const f = { fd, pos: 0, h: m.hash ? createHash(m.hash.algo) : null };
  files.set(m.id, f);
  if (f.h && m.hash && m.hash.prefix) f.h.update(m.hash.prefix);
  if (m.keep > 0) {
    // Exactly the first m.keep bytes, which stay; anything after them is cut.
    const b = Buffer.allocUnsafe(1 << 20);
    while (f.pos < m.keep) {
      const n = fs.readSync(fd, b, 0, Math.min(b.length, m.keep - f.pos), f.pos);
      if (n <= 0) throw Object.assign(new Error('the part file is shorter than expected'), { code: 'ESHORT' });
      if (f.h) f.h.update(b.subarray(0, n));
      f.pos += n;
    }
    fs.ftruncateSync(fd, m.keep);
  }
}

/** @param {OpenFile} f @param {Uint8Array[]} chunks */
function write(f, chunks) {
  for (const c of chunks) {
    for (let at = 0; at < c.length; ) {
      const piece = c.subarray(at, at + writePiece);
      let done = 0;
      while (done < piece.length) done += fs.writeSync(f.fd, piece, done, piece.length - done, f.pos + done);
      f.pos += piece.length;
      if (f.h) f.h.update(piece); // still in cache
      at += piece.length;
    }
  }
}

port.on('message', (/** @type {Message} */ m) => {
  const f = files.get(m.id);
  try {
    if (m.op === 'open') {
      open(m);
      port.postMessage({ id: m.id });
    } else if (m.op === 'write') {
      if (!f) throw new Error('the part file is not open');
      write(f, m.chunks);
      // Receive buffers go back to be filled again.
      const back = [...new Set(m.chunks.map((c) => c.buffer).filter((b) => b.byteLength === batchBytes))];
      port.postMessage({ id: m.id, back }, /** @type {ArrayBuffer[]} */ (back));
    } else {
      files.delete(m.id);
      if (f) fs.closeSync(f.fd);
      port.postMessage({ id: m.id, hex: m.op === 'finish' && f && f.h ? f.h.digest('hex') : null });
    }
  } catch (err) {
    if (m.op === 'close') return port.postMessage({ id: m.id, hex: null }); // closing never fails
    fail(m.id, err);
  }
});
