// A · Bᵀ for row-major float32 matrices through onnxruntime's Gemm. The near-duplicate job is almost
// entirely such products; onnxruntime's CPU kernels ran them at ~120 GFLOPS on these 2 cores where a
// tuned JavaScript loop managed 1.5 (measured side by side), and its run() works off the main thread.
import type * as Ort from 'onnxruntime-node';
import { writeOnnx } from '../support/onnx-writer';

export class Products {
  private session: Promise<Ort.InferenceSession> | null = null;
  private ort: typeof Ort | null = null;

  constructor(readonly dim: number) {}

  private open(): Promise<Ort.InferenceSession> {
    this.session ??= (async () => {
      // Loaded on first use: onnxruntime's native library is large, and most sessions never need it.
      this.ort = (await import('onnxruntime-node')) as typeof Ort;
      const model = writeOnnx({
        name: 'products',
        producer: 'lance-explorer',
        inputs: [
          { name: 'a', type: 'float32', shape: ['n', this.dim] },
          { name: 'b', type: 'float32', shape: ['m', this.dim] },
        ],
        outputs: [{ name: 'c', type: 'float32', shape: ['n', 'm'] }],
        initializers: [],
        nodes: [{ op: 'Gemm', inputs: ['a', 'b'], outputs: ['c'], attrs: { transB: 1 } }],
      });
      return this.ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
    })();
    return this.session;
  }

  /** The n × m products of a's n rows with b's m rows (each `dim` long), row-major. */
  async times(a: Float32Array, n: number, b: Float32Array, m: number): Promise<Float32Array> {
    const s = await this.open();
    const T = this.ort!.Tensor;
    const out = await s.run({ a: new T('float32', a.subarray(0, n * this.dim), [n, this.dim]), b: new T('float32', b.subarray(0, m * this.dim), [m, this.dim]) });
    return out.c!.data as Float32Array;
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await (await s.catch(() => null))?.release().catch(() => {});
  }
}
