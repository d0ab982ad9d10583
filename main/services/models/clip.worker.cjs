// @ts-check
// The CLIP towers, in a worker thread: loading a model and running it take hundreds of milliseconds
// to seconds, and the main process answers every page, image and search meanwhile. Transformers.js
// does the work the model's own files describe (tokenizer.json, preprocessor_config.json, the ONNX
// towers) on onnxruntime-node, from a local folder only: nothing is fetched here.
'use strict';

const { parentPort } = require('node:worker_threads');

/** @type {any} */
let tf = null;
/** @type {{ dir: string, dtype: string, tokenizer?: any, text?: any, processor?: any, vision?: any } | null} */
let model = null;

function lib() {
  if (!tf) {
    tf = require('@huggingface/transformers');
    tf.env.allowRemoteModels = false;
    tf.env.allowLocalModels = true;
    tf.env.useFSCache = false;
    tf.env.useBrowserCache = false;
  }
  return tf;
}

/** Unit length, so L2 distances rank as cosine ones (LAION's img_emb is normalised too). */
function normalise(/** @type {Float32Array} */ v) {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i] = /** @type {number} */ (v[i]) / n;
  return v;
}

/** Rows of a [n, dim] tensor as one flat Float32Array. */
function rows(/** @type {any} */ t) {
  const [n, dim] = t.dims;
  const data = Float32Array.from(t.data);
  for (let i = 0; i < n; i++) normalise(data.subarray(i * dim, (i + 1) * dim));
  return { n, dim, data };
}

const opts = () => ({ dtype: /** @type {any} */ (model).dtype, device: 'cpu', local_files_only: true });
const current = () => /** @type {NonNullable<typeof model>} */ (model);

/** Each piece of the model is loaded on its first use and kept. */
const pieces = {
  tokenizer: async () => (current().tokenizer ??= await lib().AutoTokenizer.from_pretrained(current().dir, { local_files_only: true })),
  text: async () => (current().text ??= await lib().CLIPTextModelWithProjection.from_pretrained(current().dir, opts())),
  processor: async () => (current().processor ??= await lib().AutoProcessor.from_pretrained(current().dir, { local_files_only: true })),
  vision: async () => (current().vision ??= await lib().CLIPVisionModelWithProjection.from_pretrained(current().dir, opts())),
};

async function text(/** @type {string[]} */ texts) {
  const [tokenizer, tower] = await Promise.all([pieces.tokenizer(), pieces.text()]);
  return rows((await tower(tokenizer(texts, { padding: true, truncation: true }))).text_embeds);
}

async function images(/** @type {ArrayBuffer[]} */ buffers) {
  const [processor, tower] = await Promise.all([pieces.processor(), pieces.vision()]);
  const raw = [];
  for (const b of buffers) raw.push(await lib().RawImage.fromBlob(new Blob([b])));
  return rows((await tower(await processor(raw))).image_embeds);
}

/** The tokens of each text (for the tokenizer's tests). */
async function tokens(/** @type {string[]} */ texts) {
  const tokenizer = await pieces.tokenizer();
  return texts.map((s) => Array.from(tokenizer(s).input_ids.data, Number));
}

parentPort?.on('message', async (/** @type {any} */ msg) => {
  try {
    if (msg.op === 'load') {
      model = { dir: msg.dir, dtype: msg.dtype };
      // Load the tower the first query needs now, so "loading" ends before the person waits on it.
      if (msg.warm === 'text') await Promise.all([pieces.tokenizer(), pieces.text()]);
      if (msg.warm === 'image') await Promise.all([pieces.processor(), pieces.vision()]);
      return parentPort?.postMessage({ id: msg.id, ok: true });
    }
    if (!model) throw new Error('no model is loaded');
    if (msg.op === 'tokens') return parentPort?.postMessage({ id: msg.id, ok: true, tokens: await tokens(msg.texts) });
    const r = msg.op === 'text' ? await text(msg.texts) : await images(msg.images);
    parentPort?.postMessage({ id: msg.id, ok: true, n: r.n, dim: r.dim, data: r.data }, [r.data.buffer]);
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
