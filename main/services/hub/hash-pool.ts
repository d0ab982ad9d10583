// File hashes (sha256, git's sha1) computed in worker threads. Hashing on the main thread capped a
// 4-transfer download at about the speed of one sha256 (~1 GB/s here), while receiving and writing
// cost far less; in workers it runs beside them on the other cores. Written batches are handed over
// without a copy (transferred), in order, so a file's hash is over exactly the bytes on disk.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface FileHasher {
  /** Hash these chunks next, in order. Their buffers are handed over: do not use them afterwards. */
  update(chunks: Uint8Array[]): void;
  /** Hash the first `length` bytes of a file next (what a resumed part already holds). */
  addFile(file: string, length: number): Promise<void>;
  digest(): Promise<string>;
  /** Forget an unfinished hash (a failed attempt). */
  drop(): void;
}

// Plain CommonJS, evaluated as the worker: no bundler has to find a second entry file.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const state = new Map();
parentPort.on('message', (m) => {
  const s = state.get(m.id);
  try {
    if (m.op === 'new') {
      const h = createHash(m.algo);
      if (m.prefix) h.update(m.prefix);
      state.set(m.id, { h, error: null });
    } else if (m.op === 'update') {
      if (s && !s.error) for (const c of m.chunks) s.h.update(c);
    } else if (m.op === 'file') {
      if (s && !s.error) {
        // Exactly the first m.length bytes: the download appends to this file meanwhile.
        const fd = fs.openSync(m.path, 'r');
        const b = Buffer.allocUnsafe(1 << 20);
        try {
          let left = m.length;
          while (left > 0) {
            const n = fs.readSync(fd, b, 0, Math.min(b.length, left), null);
            if (n <= 0) throw new Error('the part file is shorter than expected');
            s.h.update(b.subarray(0, n));
            left -= n;
          }
        } finally {
          fs.closeSync(fd);
        }
      }
    } else if (m.op === 'digest') {
      state.delete(m.id);
      parentPort.postMessage(s && !s.error ? { id: m.id, hex: s.h.digest('hex') } : { id: m.id, error: s ? s.error : 'unknown hash' });
    } else if (m.op === 'drop') {
      state.delete(m.id);
    }
  } catch (err) {
    if (s) s.error = String((err && err.message) || err);
  }
});
`;

interface Slot {
  worker: Worker;
  waiting: Map<number, { resolve(hex: string): void; reject(err: Error): void }>;
}

let slots: Slot[] | null = null;
let nextId = 1;
let nextSlot = 0;

function pool(): Slot[] | null {
  if (slots) return slots;
  try {
    const n = Math.min(4, Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1));
    slots = Array.from({ length: n }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      const slot: Slot = { worker, waiting: new Map() };
      worker.on('message', (m: { id: number; hex?: string; error?: string }) => {
        const w = slot.waiting.get(m.id);
        slot.waiting.delete(m.id);
        if (!slot.waiting.size) worker.unref();
        if (m.hex !== undefined) w?.resolve(m.hex);
        else w?.reject(new Error(`hashing failed: ${m.error}`));
      });
      const fail = (err: Error) => {
        for (const w of slot.waiting.values()) w.reject(err);
        slot.waiting.clear();
        slots = null; // start fresh next time
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`the hashing thread stopped (${code})`)));
      // Idle threads never keep the app, a test or the CLI alive; a digest being waited for does.
      // (After the listeners: adding a 'message' listener refs the thread again.)
      worker.unref();
      return slot;
    });
  } catch {
    slots = null;
  }
  return slots;
}

/** A hasher for sha256 or sha1 with an optional prefix (git's "blob <size>\0"); off the main thread when it can be. */
export function fileHasher(algo: 'sha256' | 'sha1', prefix?: string): FileHasher {
  const slot = pool()?.[nextSlot++ % (slots?.length ?? 1)];
  if (!slot) return mainThreadHasher(createHash(algo), prefix);
  const id = nextId++;
  slot.worker.postMessage({ id, op: 'new', algo, prefix });
  let finished = false;
  return {
    update(chunks) {
      // Hand over only buffers that are all a chunk's own (what node:http gives); a view into a
      // shared buffer (Buffer's small-allocation pool) is copied, or the pool would be detached.
      const transfer: ArrayBuffer[] = [];
      const sent = chunks.map((c) => {
        const own = c.byteOffset === 0 && c.byteLength === c.buffer.byteLength && c.byteLength >= 4096 && c.buffer instanceof ArrayBuffer && !transfer.includes(c.buffer) ? c : new Uint8Array(c);
        transfer.push(own.buffer as ArrayBuffer);
        return own;
      });
      slot.worker.postMessage({ id, op: 'update', chunks: sent }, transfer);
    },
    async addFile(file, length) {
      slot.worker.postMessage({ id, op: 'file', path: file, length });
    },
    digest() {
      finished = true;
      return new Promise<string>((resolve, reject) => {
        slot.waiting.set(id, { resolve, reject });
        slot.worker.ref();
        slot.worker.postMessage({ id, op: 'digest' });
      });
    },
    drop() {
      if (!finished) slot.worker.postMessage({ id, op: 'drop' });
      finished = true;
    },
  };
}

function mainThreadHasher(h: Hash, prefix?: string): FileHasher {
  if (prefix) h.update(prefix);
  return {
    update: (chunks) => {
      for (const c of chunks) h.update(c);
    },
    async addFile(file, length) {
      if (length > 0) for await (const chunk of createReadStream(file, { start: 0, end: length - 1, highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    },
    digest: async () => h.digest('hex'),
    drop: () => {},
  };
}
