// A tiny CLIP-shaped model repository, for the tests and the benchmark: no CLIP weights can be fetched
// here. It has what the real `Xenova/clip-vit-large-patch14` has, in the same layout and under the same
// names: config.json, preprocessor_config.json, the tokenizer files, and text and vision towers in
// onnx/ (text_model.onnx: input_ids int64 [batch_size, sequence_length] → text_embeds [batch_size, D];
// vision_model.onnx: pixel_values float [batch_size, 3, 224, 224] → image_embeds [batch_size, D]),
// each in a fp32 and a "quantized" file. The weights are deterministic, so a test can compute the same
// vectors with raw onnxruntime. What it computes is not CLIP: the text tower averages token embeddings,
// the vision tower projects a 7x7 colour layout.
//
// The tokenizer is CLIP's byte-level BPE configuration (normalizer, split pattern, </w> suffix, start
// and end tokens) with a made-up vocabulary: the 512 byte tokens sit where CLIP has them, and the
// sample words below carry CLIP's real ids, so a test can check known ids without CLIP's vocabulary.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeOnnx, type OnnxGraph } from '../services/support/onnx-writer';

export const CLIP_VOCAB_SIZE = 49408;
export const START = 49406;
export const END = 49407;

/** Words with their ids in openai/clip-vit-large-patch14's vocabulary (as "<word></w>"). */
export const REAL_WORD_IDS: Record<string, number> = { photo: 1125, of: 539, cat: 2368, dog: 1929, diagram: 22697 };

export interface TinyClipOptions {
  /** Embedding dimension (768 for ViT-L/14). */
  dim?: number;
  /** Width of the text tower's token embeddings. */
  hidden?: number;
  seed?: number;
}

/** CLIP's bytes_to_unicode: the character each byte is written as in the vocabulary. */
export function byteChars(): string[] {
  const bs: number[] = [];
  for (let c = 33; c <= 126; c++) bs.push(c);
  for (let c = 161; c <= 172; c++) bs.push(c);
  for (let c = 174; c <= 255; c++) bs.push(c);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return cs.map((c) => String.fromCodePoint(c));
}

function tokenizerJson(): object {
  const vocab: Record<string, number> = {};
  const chars = byteChars();
  chars.forEach((c, i) => (vocab[c] = i));
  chars.forEach((c, i) => (vocab[`${c}</w>`] = 256 + i));
  const merges: string[] = [];
  let spare = 45000; // ids the sample words' partial merges take (CLIP has other tokens there)
  for (const [word, id] of Object.entries(REAL_WORD_IDS)) {
    let left = word[0] as string;
    for (let i = 1; i < word.length; i++) {
      const last = i === word.length - 1;
      const right = last ? `${word[i]}</w>` : (word[i] as string);
      merges.push(`${left} ${right}`);
      left += right;
      if (!(left in vocab)) vocab[left] = last ? id : spare++;
    }
  }
  vocab['<|startoftext|>'] = START;
  vocab['<|endoftext|>'] = END;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(START, '<|startoftext|>'), special(END, '<|endoftext|>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', END], cls: ['<|startoftext|>', START], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/** Deterministic weights: a seeded generator, roughly normal, scaled by 1/sqrt(fan in). */
function weights(n: number, fanIn: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  const scale = Math.sqrt(3 / fanIn);
  for (let i = 0; i < n; i++) out[i] = (next() + next() - 1) * scale * 1.2;
  return out;
}

export function textTower(o: Required<TinyClipOptions>): OnnxGraph {
  return {
    name: 'clip_text_model',
    inputs: [{ name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] }],
    outputs: [
      { name: 'text_embeds', type: 'float32', shape: ['batch_size', o.dim] },
      { name: 'last_hidden_state', type: 'float32', shape: ['batch_size', 'sequence_length', o.hidden] },
    ],
    initializers: [
      { name: 'token_embedding', dims: [CLIP_VOCAB_SIZE, o.hidden], data: weights(CLIP_VOCAB_SIZE * o.hidden, 1, o.seed) },
      { name: 'text_projection', dims: [o.hidden, o.dim], data: weights(o.hidden * o.dim, o.hidden, o.seed + 1) },
    ],
    nodes: [
      { op: 'Gather', inputs: ['token_embedding', 'input_ids'], outputs: ['last_hidden_state'], attrs: { axis: 0 } },
      { op: 'ReduceMean', inputs: ['last_hidden_state'], outputs: ['pooled'], attrs: { axes: [1], keepdims: 0 } },
      { op: 'MatMul', inputs: ['pooled', 'text_projection'], outputs: ['text_embeds'] },
    ],
  };
}

export function visionTower(o: Required<TinyClipOptions>): OnnxGraph {
  const flat = 3 * 7 * 7;
  return {
    name: 'clip_vision_model',
    inputs: [{ name: 'pixel_values', type: 'float32', shape: ['batch_size', 3, 224, 224] }],
    outputs: [
      { name: 'image_embeds', type: 'float32', shape: ['batch_size', o.dim] },
      { name: 'last_hidden_state', type: 'float32', shape: ['batch_size', flat] },
    ],
    initializers: [{ name: 'visual_projection', dims: [flat, o.dim], data: weights(flat * o.dim, flat, o.seed + 2) }],
    nodes: [
      { op: 'AveragePool', inputs: ['pixel_values'], outputs: ['layout'], attrs: { kernel_shape: [32, 32], strides: [32, 32] } },
      { op: 'Flatten', inputs: ['layout'], outputs: ['last_hidden_state'], attrs: { axis: 1 } },
      { op: 'MatMul', inputs: ['last_hidden_state', 'visual_projection'], outputs: ['image_embeds'] },
    ],
  };
}

/** Every file of the repository, by path, as the Hub would list it. */
export function tinyClipFiles(opts: TinyClipOptions = {}): Map<string, Uint8Array | string> {
  const o = { dim: opts.dim ?? 768, hidden: opts.hidden ?? 16, seed: opts.seed ?? 7 };
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  const files = new Map<string, Uint8Array | string>();
  files.set(
    'config.json',
    json({
      _name_or_path: 'lance-explorer-tests/tiny-clip',
      architectures: ['CLIPModel'],
      model_type: 'clip',
      projection_dim: o.dim,
      text_config: { model_type: 'clip_text_model', hidden_size: o.hidden, vocab_size: CLIP_VOCAB_SIZE, max_position_embeddings: 77, projection_dim: o.dim },
      vision_config: { model_type: 'clip_vision_model', hidden_size: 147, image_size: 224, patch_size: 32, projection_dim: o.dim },
    }),
  );
  files.set(
    'preprocessor_config.json',
    json({
      crop_size: { height: 224, width: 224 },
      do_center_crop: true,
      do_convert_rgb: true,
      do_normalize: true,
      do_rescale: true,
      do_resize: true,
      feature_extractor_type: 'CLIPFeatureExtractor',
      image_processor_type: 'CLIPImageProcessor',
      image_mean: [0.48145466, 0.4578275, 0.40821073],
      image_std: [0.26862954, 0.26130258, 0.27577711],
      resample: 3,
      rescale_factor: 0.00392156862745098,
      size: { shortest_edge: 224 },
    }),
  );
  files.set('tokenizer.json', json(tokenizerJson()));
  files.set(
    'tokenizer_config.json',
    json({
      add_prefix_space: false,
      bos_token: '<|startoftext|>',
      clean_up_tokenization_spaces: true,
      do_lower_case: true,
      eos_token: '<|endoftext|>',
      errors: 'replace',
      model_max_length: 77,
      pad_token: '<|endoftext|>',
      tokenizer_class: 'CLIPTokenizer',
      unk_token: '<|endoftext|>',
    }),
  );
  files.set('special_tokens_map.json', json({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', unk_token: '<|endoftext|>' }));
  const text = writeOnnx(textTower(o));
  const vision = writeOnnx(visionTower(o));
  files.set('onnx/text_model.onnx', text);
  files.set('onnx/text_model_quantized.onnx', text);
  files.set('onnx/vision_model.onnx', vision);
  files.set('onnx/vision_model_quantized.onnx', vision);
  return files;
}

/** Write the repository into `dir` (created); returns `dir`. */
export async function writeTinyClip(dir: string, opts: TinyClipOptions = {}): Promise<string> {
  for (const [rel, body] of tinyClipFiles(opts)) {
    const file = path.join(dir, ...rel.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, body);
  }
  return dir;
}
