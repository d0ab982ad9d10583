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

async function text(/** @type {string[]} */ texts) {
  const t = lib();
  const m = /** @type {NonNullable<typeof model>} */ (model);
  m.tokenizer ??= await t.AutoTokenizer.from_pretrained(m.dir, { local_files_only: true });
  m.text ??= await t.CLIPTextModelWithProjection.from_pretrained(m.dir, opts());
  const inputs = m.tokenizer(texts, { padding: true, truncation: true });
  const out = await m.text(inputs);
  return rows(out.text_embeds);
}

async function images(/** @type {ArrayBuffer[]} */ buffers) {
  const t = lib();
  const m = /** @type {NonNullable<typeof model>} */ (model);
  m.processor ??= await t.AutoProcessor.from_pretrained(m.dir, { local_files_only: true });
  m.vision ??= await t.CLIPVisionModelWithProjection.from_pretrained(m.dir, opts());
  const raw = [];
  for (const b of buffers) raw.push(await t.RawImage.fromBlob(new Blob([b])));
  const inputs = await m.processor(raw);
  const out = await m.vision(inputs);
  return rows(out.image_embeds);
}

/** The tokens of each text (for the tokenizer's tests and the code snippet's check). */
async function tokens(/** @type {string[]} */ texts) {
  const t = lib();
  const m = /** @type {NonNullable<typeof model>} */ (model);
  m.tokenizer ??= await t.AutoTokenizer.from_pretrained(m.dir, { local_files_only: true });
  return texts.map((s) => Array.from(m.tokenizer(s).input_ids.data, Number));
}

parentPort?.on('message', async (/** @type {any} */ msg) => {
  try {
    if (msg.op === 'load') {
      model = { dir: msg.dir, dtype: msg.dtype };
      // Load the tower the first query needs now, so "loading" ends before the person waits on it.
      if (msg.warm === 'text') await text(['warm up']);
      if (msg.warm === 'image') {
        const t = lib();
        model.processor ??= await t.AutoProcessor.from_pretrained(model.dir, { local_files_only: true });
        model.vision ??= await t.CLIPVisionModelWithProjection.from_pretrained(model.dir, opts());
      }
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
