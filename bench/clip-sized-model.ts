// A model the size of CLIP ViT-L/14's towers, for the meaning benchmark when the real one is not in
// the Hugging Face cache (it cannot be downloaded here). Same repository layout, file names, inputs,
// outputs and tokenizer as the tests' tiny model (main/test-support/clip-model.ts), and the real
// towers' matrix shapes: the text tower 12 layers of width 768 (123 M parameters with the token
// embeddings), the vision tower 14-px patches into 24 layers of width 1024 (303 M). Attention is left
// out (its softmax over 77 or 257 tokens is a small part of the work); each layer is the projections
// and the MLP with residuals. Deterministic weights; the vectors mean nothing.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeOnnx, type OnnxGraph, type OnnxNode, type TensorInit } from '../main/services/support/onnx-writer';
import { CLIP_VOCAB_SIZE, tinyClipFiles } from '../main/test-support/clip-model';
import { benchCacheDir } from './bench-support';

function weights(n: number, fanIn: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  const scale = 0.2 / Math.sqrt(fanIn);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

/** Residual blocks over [batch, tokens, width]: projections (width→2/3·3·width→width) and the MLP (4·width). */
function blocks(input: string, width: number, layers: number, seed: number, init: TensorInit[], nodes: OnnxNode[]): string {
  let x = input;
  const attn = 2 * width; // q, k, v (3·width) and out (width) have the parameters of width→2·width→width
  for (let l = 0; l < layers; l++) {
    const w = (name: string, a: number, b: number) => {
      init.push({ name: `${name}_${l}`, dims: [a, b], data: weights(a * b, a, seed + l * 10 + init.length) });
      return `${name}_${l}`;
    };
    const p = `l${l}`;
    nodes.push({ op: 'MatMul', inputs: [x, w('attn_in', width, attn)], outputs: [`${p}_a`] });
    nodes.push({ op: 'MatMul', inputs: [`${p}_a`, w('attn_out', attn, width)], outputs: [`${p}_ao`] });
    nodes.push({ op: 'Add', inputs: [x, `${p}_ao`], outputs: [`${p}_x1`] });
    nodes.push({ op: 'MatMul', inputs: [`${p}_x1`, w('mlp_in', width, 4 * width)], outputs: [`${p}_m`] });
    nodes.push({ op: 'Relu', inputs: [`${p}_m`], outputs: [`${p}_mr`] });
    nodes.push({ op: 'MatMul', inputs: [`${p}_mr`, w('mlp_out', 4 * width, width)], outputs: [`${p}_mo`] });
    nodes.push({ op: 'Add', inputs: [`${p}_x1`, `${p}_mo`], outputs: [`${p}_x2`] });
    x = `${p}_x2`;
  }
  return x;
}

export function sizedTextTower(dim = 768, width = 768, layers = 12): OnnxGraph {
  const init: TensorInit[] = [{ name: 'token_embedding', dims: [CLIP_VOCAB_SIZE, width], data: weights(CLIP_VOCAB_SIZE * width, 1, 11) }];
  const nodes: OnnxNode[] = [{ op: 'Gather', inputs: ['token_embedding', 'input_ids'], outputs: ['h0'], attrs: { axis: 0 } }];
  const out = blocks('h0', width, layers, 100, init, nodes);
  init.push({ name: 'text_projection', dims: [width, dim], data: weights(width * dim, width, 7) });
  nodes.push({ op: 'Identity', inputs: [out], outputs: ['last_hidden_state'] });
  nodes.push({ op: 'ReduceMean', inputs: [out], outputs: ['pooled'], attrs: { axes: [1], keepdims: 0 } });
  nodes.push({ op: 'MatMul', inputs: ['pooled', 'text_projection'], outputs: ['text_embeds'] });
  return {
    name: 'clip_text_model',
    inputs: [{ name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] }],
    outputs: [
      { name: 'text_embeds', type: 'float32', shape: ['batch_size', dim] },
      { name: 'last_hidden_state', type: 'float32', shape: ['batch_size', 'sequence_length', width] },
    ],
    initializers: init,
    nodes,
  };
}

export function sizedVisionTower(dim = 768, width = 1024, layers = 24, patch = 14): OnnxGraph {
  const init: TensorInit[] = [{ name: 'patch_embedding', dims: [width, 3, patch, patch], data: weights(width * 3 * patch * patch, 3 * patch * patch, 21) }];
  init.push({ name: 'tokens_shape', dims: [3], data: BigInt64Array.from([0n, BigInt(width), -1n]) });
  const nodes: OnnxNode[] = [
    { op: 'Conv', inputs: ['pixel_values', 'patch_embedding'], outputs: ['patches'], attrs: { kernel_shape: [patch, patch], strides: [patch, patch] } },
    { op: 'Reshape', inputs: ['patches', 'tokens_shape'], outputs: ['tokens_cw'] },
    { op: 'Transpose', inputs: ['tokens_cw'], outputs: ['tokens'], attrs: { perm: [0, 2, 1] } },
  ];
  const out = blocks('tokens', width, layers, 500, init, nodes);
  init.push({ name: 'visual_projection', dims: [width, dim], data: weights(width * dim, width, 9) });
  nodes.push({ op: 'Identity', inputs: [out], outputs: ['last_hidden_state'] });
  nodes.push({ op: 'ReduceMean', inputs: [out], outputs: ['pooled'], attrs: { axes: [1], keepdims: 0 } });
  nodes.push({ op: 'MatMul', inputs: ['pooled', 'visual_projection'], outputs: ['image_embeds'] });
  return {
    name: 'clip_vision_model',
    inputs: [{ name: 'pixel_values', type: 'float32', shape: ['batch_size', 3, 224, 224] }],
    outputs: [
      { name: 'image_embeds', type: 'float32', shape: ['batch_size', dim] },
      { name: 'last_hidden_state', type: 'float32', shape: ['batch_size', 'tokens', width] },
    ],
    initializers: init,
    nodes,
  };
}

export const SIZED_NAME = 'clip-vit-l14-sized-v1';

/** The sized model's folder in the bench cache (written once, about 1.7 GB), fp32 only. */
export async function clipSizedModel(log: (s: string) => void = (s) => process.stderr.write(s)): Promise<{ dir: string; params: { text: number; vision: number } }> {
  const dir = path.join(benchCacheDir(), 'models', SIZED_NAME);
  const text = sizedTextTower();
  const vision = sizedVisionTower();
  const count = (g: OnnxGraph) => g.initializers.reduce((a, t) => a + t.data.length, 0);
  const params = { text: count(text), vision: count(vision) };
  const done = path.join(dir, '.complete');
  if (await fs.stat(done).then(() => true, () => false)) return { dir, params };
  log(`  writing a CLIP ViT-L/14-sized model (${(params.text / 1e6).toFixed(0)} M + ${(params.vision / 1e6).toFixed(0)} M parameters, fp32) into ${dir}…\n`);
  await fs.rm(dir, { recursive: true, force: true });
  for (const [rel, body] of tinyClipFiles({ dim: 768 })) {
    if (rel.startsWith('onnx/')) continue;
    const file = path.join(dir, ...rel.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Not a model of any named space: the app checks its dimension only (and says so).
    await fs.writeFile(file, rel === 'config.json' ? JSON.stringify({ ...JSON.parse(String(body)), _name_or_path: undefined }, null, 2) : body);
  }
  await fs.mkdir(path.join(dir, 'onnx'), { recursive: true });
  await fs.writeFile(path.join(dir, 'onnx', 'text_model.onnx'), writeOnnx(text));
  await fs.writeFile(path.join(dir, 'onnx', 'vision_model.onnx'), writeOnnx(vision));
  await fs.writeFile(done, '');
  return { dir, params };
}
