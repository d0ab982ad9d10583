// One model's towers behind a worker thread (clip.worker.cjs): texts and images in, unit vectors out.
// The worker is started on first use and kept while the model is in use; its first call loads the
// model (seconds for the real towers), which `state` tells the page so it can say so.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { failure } from '../support/errors';

export type Dtype = 'fp32' | 'fp16' | 'q8';
export type EncoderState = 'idle' | 'loading' | 'ready' | 'failed';

const workerFile = () => fileURLToPath(new URL('./clip.worker.cjs', import.meta.url));

interface Pending {
  resolve(m: Reply): void;
  reject(e: Error): void;
}
interface Reply {
  id: number;
  ok: boolean;
  message?: string;
  n?: number;
  dim?: number;
  data?: Float32Array;
  tokens?: number[][];
}

export class Encoder {
  state: EncoderState = 'idle';
  private worker: Worker | null = null;
  private seq = 0;
  private pending = new Map<number, Pending>();
  private loaded: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    readonly dtype: Dtype,
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(workerFile());
    w.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (!this.pending.size) w.unref();
      if (m.ok) p.resolve(m);
      else p.reject(failure('MODEL', `The model could not run: ${String(m.message).slice(0, 500)}`));
    });
    const die = (err: Error) => {
      this.worker = null;
      this.loaded = null;
      this.state = 'failed';
      for (const p of this.pending.values()) p.reject(failure('MODEL', `The model's thread stopped: ${err.message}`));
      this.pending.clear();
    };
    w.on('error', die);
    w.on('exit', (code) => code !== 0 && this.worker === w && die(new Error(`exit code ${code}`)));
    w.unref();
    this.worker = w;
    return w;
  }

  private call(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const w = this.start();
    const id = ++this.seq;
    w.ref();
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...msg, id }, transfer);
    });
  }

  /** Load the model (once); `warm` loads that tower now rather than on its first query. */
  load(warm: 'text' | 'image' | null = null): Promise<void> {
    this.loaded ??= (async () => {
      this.state = 'loading';
      try {
        await this.call({ op: 'load', dir: this.dir, dtype: this.dtype, warm });
        this.state = 'ready';
      } catch (err) {
        this.state = 'failed';
        this.loaded = null;
        throw err;
      }
    })();
    return this.loaded;
  }

  private static vectors(r: Reply): Float32Array[] {
    const n = r.n ?? 0;
    const dim = r.dim ?? 0;
    const data = r.data as Float32Array;
    return Array.from({ length: n }, (_, i) => data.subarray(i * dim, (i + 1) * dim));
  }

  async text(texts: string[]): Promise<Float32Array[]> {
    await this.load('text');
    return Encoder.vectors(await this.call({ op: 'text', texts }));
  }

  /** Encoded image files (JPEG, PNG, WebP, GIF); decoding happens in the worker. */
  async images(files: Uint8Array[]): Promise<Float32Array[]> {
    await this.load('image');
    const buffers = files.map((f) => f.slice().buffer as ArrayBuffer);
    return Encoder.vectors(await this.call({ op: 'image', images: buffers }, buffers));
  }

  async tokens(texts: string[]): Promise<number[][]> {
    await this.load();
    return (await this.call({ op: 'tokens', texts })).tokens ?? [];
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.loaded = null;
    this.state = 'idle';
    await w?.terminate();
  }
}
