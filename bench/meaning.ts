// npm run bench -- meaning [--rows N] [--rounds R] [--queries Q] [--embed-rows E] [--model auto|sized|tiny] [--dtype q8|fp16|fp32]
// Search by meaning and the embedding job, through the app's dispatch, beside the same work done the
// raw way in one run: the tokenizer and onnxruntime on the same model file, then raw LanceDB.
//   - a description: view:open {kind: 'encoded'} (worker round trip, transformers.js, the ANN search)
//     against tokenize + InferenceSession.run + normalise + vectorSearch;
//   - embedding: the Embed images job over E rows (scan, decode and preprocess, the vision tower in
//     batches of 16, a commit per batch to the side table, then the column merged in by key) against
//     LanceDB read + sharp resize/crop/normalise + run + addColumns/mergeInsert.
// The model: Xenova/clip-vit-large-patch14 when it is in the Hugging Face cache (real weights);
// otherwise a generated model with the real towers' shapes and parameter counts (bench/clip-sized-model.ts);
// `--model tiny` is the tests' tiny one (CI).
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { AutoTokenizer } from '@huggingface/transformers';
import { arrow, lancedb } from '../main/services/dataset/lance';
import { createAppServices } from '../main/services/app-services';
import { createDispatch } from '../main/dispatch';
import { findSnapshot, hubCacheDir } from '../main/services/models/hf-cache';
import { KNOWN_SPACES, modelFiles } from '../main/services/models/catalogue';
import { writeTinyClip } from '../main/test-support/clip-model';
import { jobFinished } from '../main/test-support/fixtures';
import { searchTable } from './index-table';
import { clipSizedModel } from './clip-sized-model';
import { alternate, benchCacheDir } from './bench-support';
import { Rounds } from './figures';
import { num, type SuiteContext } from './suite';
import { SIMILAR_DEFAULTS, type DatasetInfo, type ModelDtype, type ViewInfo } from '../shared/types';

const DESCRIPTIONS = ['a dog on a beach at sunset', 'a red vintage car', 'a wedding cake with flowers', 'mountains above a river', 'a cat asleep on a sofa', 'a modern house at night'];
const SUFFIX: Record<ModelDtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized' };
const MEAN = [0.48145466, 0.4578275, 0.40821073];
const STD = [0.26862954, 0.26130258, 0.27577711];

async function pickModel(flag: string, dtypeFlag: string | undefined): Promise<{ dir: string; dtype: ModelDtype; name: string; real: boolean }> {
  if (flag === 'tiny') {
    const dir = await writeTinyClip(path.join(benchCacheDir(), 'models', 'tiny-768'), { dim: 768 });
    // Not a model of any named space: the app checks its dimension only (and says so).
    const config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    delete config._name_or_path;
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
    return { dir, dtype: 'fp32', name: 'tiny generated CLIP-shaped model (tests)', real: false };
  }
  const known = KNOWN_SPACES[0] as (typeof KNOWN_SPACES)[number];
  const dtype = (dtypeFlag ?? 'q8') as ModelDtype;
  if (flag !== 'sized') {
    const found = await findSnapshot(hubCacheDir(), known.onnx, modelFiles(dtype).required);
    if (found) return { dir: found.dir, dtype, name: `${known.onnx}@${found.commit.slice(0, 10)} (real weights)`, real: true };
  }
  const sized = await clipSizedModel();
  return { dir: sized.dir, dtype: 'fp32', name: `generated, ViT-L/14-sized (${(sized.params.text / 1e6).toFixed(0)} M text + ${(sized.params.vision / 1e6).toFixed(0)} M vision parameters, fp32; ${known.onnx} is not in the Hugging Face cache)`, real: false };
}

const unit = (v: Float32Array) => {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return v.map((x) => x / n);
};

/** CLIP's preprocessing done by hand: shortest side to 224 (bicubic), centre crop, rescale, normalise, CHW. */
async function pixels(images: Uint8Array[]): Promise<ort.Tensor> {
  const out = new Float32Array(images.length * 3 * 224 * 224);
  for (let i = 0; i < images.length; i++) {
    const rgb = await sharp(images[i] as Uint8Array).resize(224, 224, { fit: 'cover', kernel: 'cubic' }).removeAlpha().raw().toBuffer();
    const base = i * 3 * 224 * 224;
    for (let p = 0; p < 224 * 224; p++) {
      for (let c = 0; c < 3; c++) out[base + c * 224 * 224 + p] = ((rgb[p * 3 + c] as number) / 255 - (MEAN[c] as number)) / (STD[c] as number);
    }
  }
  return new ort.Tensor('float32', out, [images.length, 3, 224, 224]);
}

export async function meaningBench({ flags, figures, measure }: SuiteContext) {
  const rows = num(flags, 'rows', 100_000);
  const rounds = num(flags, 'rounds', 3);
  const perRound = num(flags, 'queries', 10);
  const embedRows = num(flags, 'embed-rows', 16);
  const model = await pickModel(String(flags.model ?? 'auto'), typeof flags.dtype === 'string' ? flags.dtype : undefined);
  const K = SIMILAR_DEFAULTS.k;
  const NPROBES = SIMILAR_DEFAULTS.nprobes;
  const REFINE = SIMILAR_DEFAULTS.refineFactor;
  const table = await searchTable({ rows });
  figures.set('rows', rows).set('model', model.name).set('dtype', model.dtype).set('real_weights', model.real).set('k', K).set('embed_rows', embedRows);

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-bench-meaning-'));
  // The real model is read from the person's cache; a generated one is chosen as a folder.
  const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(work, 'home'), env: { ...process.env, HF_HUB_CACHE: model.real ? hubCacheDir() : path.join(work, 'hf') } });
  const dispatch = createDispatch(services);
  const call = async (c: string, req: unknown) => {
    const r = (await dispatch(c as never, req as never)) as { ok: boolean; value?: unknown; error?: { message: string } };
    if (!r.ok) throw new Error(`${c}: ${r.error?.message}`);
    return r.value as never;
  };
  const info: DatasetInfo = await call('dataset:open', { path: table.path });
  if (!model.real) await call('model:use-folder', { id: info.id, column: 'img_emb', path: model.dir, dtype: model.dtype });
  const raw = await (await lancedb.connect(path.dirname(table.path))).openTable('laion');
  const tokenizer = await AutoTokenizer.from_pretrained(model.dir, { local_files_only: true });
  const textSession = await ort.InferenceSession.create(path.join(model.dir, 'onnx', `text_model${SUFFIX[model.dtype]}.onnx`));
  const visionSession = await ort.InferenceSession.create(path.join(model.dir, 'onnx', `vision_model${SUFFIX[model.dtype]}.onnx`));
  const knobs = { column: 'img_emb', k: K, metric: 'l2', nprobes: NPROBES, refineFactor: REFINE };

  // The first description after start loads the model in the worker: measured once, on its own.
  let t = performance.now();
  await call('view:open', { id: info.id, spec: { kind: 'encoded', text: 'warm up', ...knobs } });
  const firstQuery = performance.now() - t;

  const rawText = async (text: string) => {
    const ids = tokenizer(text, { padding: true, truncation: true }).input_ids as { data: BigInt64Array; dims: number[] };
    const out = await textSession.run({ input_ids: new ort.Tensor('int64', ids.data, ids.dims) });
    const q = unit(out.text_embeds?.data as Float32Array);
    return raw.vectorSearch(q).column('img_emb').distanceType('l2').nprobes(NPROBES).refineFactor(REFINE).limit(K).withRowId().select([]).toArrow();
  };
  await rawText('warm up');

  // A small table of the bench table's images, embedded whole each round by both sides.
  const src = await raw.query().select(['key', 'image']).limit(embedRows).toArrow();
  const keys = Array.from(src.getChild('key')?.toArray() as BigInt64Array);
  const images = Array.from({ length: src.numRows }, (_, i) => src.getChild('image')?.get(i) as Uint8Array);
  const db = await lancedb.connect(work);
  const schema = new arrow.Schema([new arrow.Field('key', new arrow.Int64(), false), new arrow.Field('image', new arrow.LargeBinary(), true)]);
  // One copy each: the two sides write new columns, and must not race each other's commits.
  for (const name of ['embed_app', 'embed_raw']) (await db.createTable(name, keys.map((key, i) => ({ key, image: images[i] })), { schema })).close();
  const small: DatasetInfo = await call('dataset:open', { path: path.join(work, 'embed_app.lance') });
  const smallRaw = await db.openTable('embed_raw');
  await measure(table);

  const text = new Rounds(rounds);
  const embed: { app: number[]; raw: number[] } = { app: [], raw: [] };
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < perRound; i++) {
      const description = DESCRIPTIONS[(i + r) % DESCRIPTIONS.length] as string;
      await alternate(i + r, () => text.timeApp(r, () => call('view:open', { id: info.id, spec: { kind: 'encoded', text: description, ...knobs } }) as Promise<ViewInfo>), () => text.timeRaw(r, () => rawText(description)));
    }
    await alternate(r, async () => {
      t = performance.now();
      const { jobId } = (await call('embed:start', { id: small.id, imageColumn: 'image', column: `app_emb_${r}`, model: { dir: model.dir, dtype: model.dtype } })) as { jobId: string };
      const done = await jobFinished(services.events, jobId);
      if (!done.ok) throw new Error(`embedding: ${done.error}`);
      embed.app.push(embedRows / ((performance.now() - t) / 1000));
    }, async () => {
      t = performance.now();
      const got = await smallRaw.query().select(['key', 'image']).toArrow();
      const ks = Array.from(got.getChild('key')?.toArray() as BigInt64Array);
      const vecs: number[][] = [];
      for (let i = 0; i < got.numRows; i += 16) {
        const batch = Array.from({ length: Math.min(16, got.numRows - i) }, (_, j) => got.getChild('image')?.get(i + j) as Uint8Array);
        const out = (await visionSession.run({ pixel_values: await pixels(batch) })).image_embeds as ort.Tensor;
        const dim = out.dims[1] as number;
        for (let j = 0; j < batch.length; j++) vecs.push(Array.from(unit((out.data as Float32Array).slice(j * dim, (j + 1) * dim))));
      }
      const type = new arrow.FixedSizeList(vecs[0]?.length ?? 768, new arrow.Field('item', new arrow.Float32(), true));
      await smallRaw.addColumns(new arrow.Field(`raw_emb_${r}`, type, true));
      await smallRaw.mergeInsert('key').whenMatchedUpdateAll().execute(new arrow.Table({ key: arrow.vectorFromArray(ks as never, new arrow.Int64()), [`raw_emb_${r}`]: arrow.vectorFromArray(vecs as never, type) }));
      embed.raw.push(got.numRows / ((performance.now() - t) / 1000));
    });
  }
  smallRaw.close();
  raw.close();
  services.dispose();
  await fs.rm(work, { recursive: true, force: true });

  figures
    .latency('describe', `a description: encode + find the nearest k=${K}`, text)
    .pair('embed', 'images/s', `embedding ${embedRows} images into a new column, batches of 16`, embed.app, embed.raw, { higherIsBetter: true })
    .single('first_query', 'ms', 'the first description after start (loads the text tower, app)', [firstQuery]);
}
