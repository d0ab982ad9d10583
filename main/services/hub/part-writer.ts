// Part files written and hashed (sha256, git's sha1) in worker threads. On a fast link the
// downloader is CPU-bound: receiving on the main thread, writing through libuv's four fs threads and
// hashing in a third place cost ~1.6 CPU-seconds per 686 MB here (2 cores, shared with the server);
// a thread that writes a piece and then hashes it while it is still in cache costs less, and the
// main thread only receives. Batches are handed over without a copy (transferred), in order, so a
// file's hash is over exactly the bytes on disk; a write is acknowledged once it is in the file.
import { createHash, type Hash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { BATCH_BYTES, isBatchMemory, recycleBatch } from './batch-buffers';

export interface PartHash {
  algo: 'sha256' | 'sha1';
  /** Hashed before the content (git's "blob <size>\0"). */
  prefix?: string;
}

export interface PartWriter {
  /** Append these chunks, then hash them. Their buffers are handed over: do not use them afterwards. Resolves once written. */
  write(chunks: Uint8Array[]): Promise<void>;
  /** Close the file; the hex digest of everything in it (null without a hash). */
  finish(): Promise<string | null>;
  /** Close the file without a digest (a failed or stopped attempt); never throws. */
  close(): Promise<void>;
}

export interface OpenPart {
  path: string;
  /** Bytes of the file kept (and hashed first); 0 starts the file over. */
  keep: number;
  hash: PartHash | null;
}

export type PartOpener = (part: OpenPart) => Promise<PartWriter>;

/**
 * Bytes per write call. The page cache takes folios the size of a write, and on this kind of VM
 * (Linux 6.x with large folios; free guest memory handed back to the host) large folios come from
 * memory the host must fault in again: 700 MB in 1 MB writes cost 1.6 s of kernel time after an idle
 * moment against 0.12 s warm, and even 128 kB writes were slow every other run. Up to 32 kB, folios
 * come from the per-CPU lists of recently freed pages: the download's rounds went from 0.7-1.2 GB/s
 * to a steady 1.1-1.2 GB/s. The extra calls cost ~0.03 s per GB.
 */
const WRITE_PIECE = 32 * 1024;

/** An Error from the worker with its errno code kept (ENOSPC tells the downloader the disk is full). */
function rebuild(e: { message: string; code?: string }): Error {
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
}

/**
 * The writing thread's source (part-writer.worker.cjs, type-checked by tsc), read once. Started with
 * `eval` rather than by path: the main process reads files inside the app's asar archive, a worker
 * thread started from a path there might not. The build emits the file beside the bundle.
 */
let workerSource: string | null = null;
function workerCode(): string {
  workerSource ??= readFileSync(fileURLToPath(new URL('./part-writer.worker.cjs', import.meta.url)), 'utf8');
  return workerSource;
}

interface Waiter {
  resolve(v: string | null): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  /** Replies awaited, per part id, in the order asked (the worker answers each part in order). */
  waiting: Map<number, Waiter[]>;
  pending: number;
}

let slots: Slot[] | null = null;
let nextId = 1;
let nextSlot = 0;

function workerPool(): Slot[] | null {
  if (slots) return slots;
  try {
    // Two at least: a thread spends much of its time in write(), so on 2 cores two writers beside
    // the receiving thread did 1,100-1,180 MB/s where one did 900-1,000; four were no better.
    const n = Math.min(4, Math.max(2, os.availableParallelism?.() ?? os.cpus().length));
    const made: Slot[] = Array.from({ length: n }, () => {
      const worker = new Worker(workerCode(), { eval: true, workerData: { writePiece: WRITE_PIECE, batchBytes: BATCH_BYTES } });
      const slot: Slot = { worker, waiting: new Map(), pending: 0 };
      worker.on('message', (m: { id: number; hex?: string | null; error?: { message: string; code?: string }; back?: ArrayBuffer[] }) => {
        if (m.back) for (const b of m.back) recycleBatch(b);
        const queue = slot.waiting.get(m.id);
        const w = queue?.shift();
        if (queue && !queue.length) slot.waiting.delete(m.id);
        if (!w) return;
        if (--slot.pending === 0) worker.unref();
        if (m.error) w.reject(rebuild(m.error));
        else w.resolve(m.hex ?? null);
      });
      const stop = (err: Error) => {
        for (const q of slot.waiting.values()) for (const w of q) w.reject(err);
        slot.waiting.clear();
        slot.pending = 0;
        if (slots === made) slots = null; // start fresh next time
      };
      worker.on('error', stop);
      worker.on('exit', (code) => stop(new Error(`the writing thread stopped (${code})`)));
      // Idle threads never keep the app, a test or the CLI alive; a reply being waited for does.
      // (After the listeners: adding a 'message' listener refs the thread again.)
      worker.unref();
      return slot;
    });
    slots = made;
  } catch {
    slots = null;
  }
  return slots;
}

function ask(slot: Slot, id: number, message: object, transfer: ArrayBuffer[] = []): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const q = slot.waiting.get(id) ?? [];
    q.push({ resolve, reject });
    slot.waiting.set(id, q);
    if (slot.pending++ === 0) slot.worker.ref();
    slot.worker.postMessage(message, transfer);
  });
}

/**
 * Chunks as buffers the worker can own: a receive batch, or a chunk that is all of its ArrayBuffer
 * (what node:http gives), is transferred; a view into a shared buffer (Buffer's pool) is copied.
 */
function handOver(chunks: Uint8Array[]): { sent: Uint8Array[]; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const sent = chunks.map((c) => {
    const whole = isBatchMemory(c.buffer) || (c.byteOffset === 0 && c.byteLength === c.buffer.byteLength && c.byteLength >= 4096);
    const own = whole && c.buffer instanceof ArrayBuffer && !transfer.includes(c.buffer) ? c : new Uint8Array(c);
    transfer.push(own.buffer as ArrayBuffer);
    return own;
  });
  return { sent, transfer };
}

/** Open a part file for writing at `keep` (hashing what it keeps first), in a worker thread when one can run. */
export const openPart: PartOpener = async (part) => {
  const pool = workerPool();
  if (!pool) return openOnMainThread(part);
  const slot = pool[nextSlot++ % pool.length] as Slot;
  const id = nextId++;
  await ask(slot, id, { op: 'open', id, path: part.path, keep: part.keep, hash: part.hash });
  let closed = false;
  return {
    async write(chunks) {
      if (closed) throw new Error('the part file is closed');
      const { sent, transfer } = handOver(chunks);
      await ask(slot, id, { op: 'write', id, chunks: sent }, transfer);
    },
    async finish() {
      closed = true;
      return ask(slot, id, { op: 'finish', id });
    },
    async close() {
      if (closed) return;
      closed = true;
      await ask(slot, id, { op: 'close', id }).catch(() => {});
    },
  };
};

/** The same on the main thread (no worker threads here). */
async function openOnMainThread(part: OpenPart): Promise<PartWriter> {
  const fh = await fs.open(part.path, part.keep > 0 ? 'r+' : 'w');
  let h: Hash | null = null;
  let pos = part.keep;
  try {
    if (part.hash) {
      h = createHash(part.hash.algo);
      if (part.hash.prefix) h.update(part.hash.prefix);
    }
    const b = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; at < part.keep; ) {
      const { bytesRead } = await fh.read(b, 0, Math.min(b.length, part.keep - at), at);
      if (bytesRead <= 0) throw Object.assign(new Error('the part file is shorter than expected'), { code: 'ESHORT' });
      h?.update(b.subarray(0, bytesRead));
      at += bytesRead;
    }
    if (part.keep > 0) await fh.truncate(part.keep);
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
  let closed = false;
  return {
    async write(chunks) {
      for (const c of chunks) {
        for (let at = 0; at < c.length; ) {
          const piece = c.subarray(at, at + WRITE_PIECE);
          for (let done = 0; done < piece.length; ) done += (await fh.write(piece, done, piece.length - done, pos + done)).bytesWritten;
          pos += piece.length;
          h?.update(piece);
          at += piece.length;
        }
      }
    },
    async finish() {
      closed = true;
      await fh.close();
      return h ? h.digest('hex') : null;
    },
    async close() {
      if (closed) return;
      closed = true;
      await fh.close().catch(() => {});
    },
  };
}

/** For tests: the same opener, forced onto the main thread. */
export const openPartOnMainThread: PartOpener = openOnMainThread;
