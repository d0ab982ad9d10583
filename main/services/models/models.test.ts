// Search by meaning on the real loading code: a CLIP-shaped model generated here (no weights can be
// fetched), served by the mock Hub in the real repository layout, downloaded into the Hugging Face
// cache, loaded by transformers.js in the worker, and checked against raw onnxruntime and raw LanceDB.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { createAppServices, type AppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { jobFinished, tempDir, tinyClipTable } from '../../test-support/fixtures';
import { END, REAL_WORD_IDS, START, writeTinyClip } from '../../test-support/clip-model';
import { startMockHub, type MockHub } from '../../test-support/mock-hub';
import { lancedb } from '../dataset/lance';
import { Encoder } from './encoder';
import { findSnapshot, repoFolder } from './hf-cache';
import { modelFiles } from './catalogue';
import type { DatasetInfo, ModelStatus, ViewInfo } from '../../../shared/types';
import type { Channel } from '../../../shared/channels';
import type { Requests, Responses } from '../../../shared/contract';
import type { Result } from '../../../shared/result';

const REPO = 'lance-explorer-tests/tiny-clip';
const t = tempDir('lx-models-');
let modelDir = '';
let table = { path: '', images: [] as Uint8Array[] };
let hub: MockHub;
let services: AppServices;
let rawDispatch: ReturnType<typeof createDispatch>;
/** dispatch with the contract's answer types. */
const dispatch = async <C extends Channel>(c: C, req: Requests[C]): Promise<Result<Responses[C]>> => (await rawDispatch(c, req)) as Result<Responses[C]>;
let info: DatasetInfo;
const cache = path.join(t.dir, 'hf', 'hub');

const unit = (v: ArrayLike<number>) => {
  const n = Math.hypot(...Array.from(v));
  return Array.from(v, (x) => x / n);
};

beforeAll(async () => {
  modelDir = await writeTinyClip(path.join(t.dir, 'model'), { dim: 32 });
  table = await tinyClipTable(t.dir, 'blocks', modelDir);
  hub = await startMockHub(modelDir, { kind: 'model', repo: REPO, lfsThreshold: 100_000 });
  services = createAppServices({ dataDir: path.join(t.dir, 'home'), demoPath: path.join(t.dir, 'demo.lance'), platform: { carrier: 'web' }, env: { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: cache } });
  rawDispatch = createDispatch(services);
  const opened = await dispatch('dataset:open', { path: table.path });
  if (!opened.ok) throw new Error(opened.error.message);
  info = opened.value as DatasetInfo;
}, 60_000);

afterAll(async () => {
  services?.dispose();
  await hub?.close();
  t.cleanup();
});

describe('the CLIP tokenizer, through the app loading code', () => {
  it('gives CLIP ids: start and end tokens, lower case, split punctuation, </w> words', async () => {
    const enc = new Encoder(modelDir, 'fp32');
    const ids = await enc.tokens(['a photo of a cat', 'A   DOG!', 'a diagram']);
    await enc.close();
    // openai/clip-vit-large-patch14 tokenizes these the same (the test vocabulary carries its ids).
    expect(ids[0]).toEqual([START, 320, REAL_WORD_IDS.photo, REAL_WORD_IDS.of, 320, REAL_WORD_IDS.cat, END]);
    expect(ids[1]).toEqual([START, 320, REAL_WORD_IDS.dog, 256, END]);
    expect(ids[2]).toEqual([49406, 320, 22697, 49407]);
  });
});

describe('a model that is not on this computer', () => {
  it('is offered, not fetched: the status says what to get and from where', async () => {
    const r = await dispatch('model:status', { id: info.id, column: 'img_emb' });
    expect(r.ok).toBe(true);
    const s = (r as { value: ModelStatus }).value;
    expect(s.space).toMatchObject({ space: REPO, source: 'metadata', dim: 32, onnx: REPO });
    expect(s.model).toBeNull();
    expect(s.offer?.repo).toBe(REPO);
    expect(s.why).toMatch(/not on this computer/);
    expect(hub.requests.resolve + hub.requests.tree).toBe(0);
    const view = await dispatch('view:open', { id: info.id, spec: { kind: 'encoded', text: 'a red block', column: 'img_emb', k: 5, metric: 'l2', nprobes: 20, refineFactor: 1 } });
    expect(view.ok).toBe(false);
    expect(!view.ok && view.error.code).toBe('NO_MODEL');
  });

  it('downloads into the Hugging Face cache layout (snapshots/<commit>, refs/main), verified, then serves', async () => {
    const plan = await dispatch('model:plan', { repo: REPO, revision: 'main', dtype: 'fp32' });
    expect(plan.ok && plan.value.present).toBe(false);
    const r = await dispatch('model:download', { id: info.id, column: 'img_emb', repo: REPO, revision: 'main', dtype: 'fp32' });
    if (!r.ok) throw new Error(r.error.message);
    const done = await jobFinished(services.events, r.value.jobId);
    expect(done.error ?? null).toBeNull();
    const snap = path.join(cache, repoFolder(REPO), 'snapshots', hub.commit);
    expect(r.value.target).toBe(snap);
    expect((await fs.readFile(path.join(cache, repoFolder(REPO), 'refs', 'main'), 'utf8')).trim()).toBe(hub.commit);
    // Only what fp32 needs was fetched.
    expect(await fs.stat(path.join(snap, 'onnx', 'text_model_quantized.onnx')).catch(() => null)).toBeNull();
    expect(await findSnapshot(cache, REPO, modelFiles('fp32').required)).toEqual({ dir: snap, commit: hub.commit });
    const s = await dispatch('model:status', { id: info.id, column: 'img_emb' });
    expect(s.ok && s.value.model).toMatchObject({ repo: REPO, dtype: 'fp32', from: 'hub-cache', dir: snap });
  }, 60_000);
});

describe('describe it, or drop an image', () => {
  const knobs = { column: 'img_emb', k: 5, metric: 'l2' as const, nprobes: 20, refineFactor: 1 };

  it('a description: the same rows as raw onnxruntime + raw LanceDB, filter as prefilter, said how', async () => {
    const r = await dispatch('view:open', { id: info.id, spec: { kind: 'encoded', text: 'a red block', ...knobs, filter: { conditions: [{ column: 'key', op: 'gte', value: 6 }] } } });
    if (!r.ok) throw new Error(r.error.message);
    const view = r.value as ViewInfo;
    expect(view.notes.join(' ')).toMatch(/text tower \(fp32/);
    expect(view.model).toEqual({ repo: REPO, space: REPO, dtype: 'fp32' });
    const page = await dispatch('view:page', { id: info.id, viewId: view.viewId, offset: 0, limit: 5 });
    const keys = page.ok ? page.value.rows.map((row) => Number(row.values.key)) : [];

    // The raw way: the tokenizer's ids into onnxruntime, then LanceDB.
    const enc = new Encoder(modelDir, 'fp32');
    const [ids] = await enc.tokens(['a red block']);
    await enc.close();
    const session = await ort.InferenceSession.create(path.join(modelDir, 'onnx', 'text_model.onnx'));
    const out = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from((ids as number[]).map(BigInt)), [1, (ids as number[]).length]) });
    const query = unit(out.text_embeds?.data as Float32Array);
    const db = await lancedb.connect(t.dir);
    const tbl = await db.openTable('blocks');
    const raw = await tbl.vectorSearch(query).column('img_emb').distanceType('l2').where('key >= 6').limit(5).toArray();
    tbl.close();
    expect(keys).toEqual(raw.map((x) => Number(x.key)));
    expect(keys.every((k) => k >= 6)).toBe(true);
  }, 30_000);

  it('an image: the vision tower finds the row it came from first, at distance ~0', async () => {
    const put = await dispatch('query:image', { id: info.id, bytes: Buffer.from(table.images[7] as Uint8Array).toString('base64') });
    if (!put.ok) throw new Error(put.error.message);
    const r = await dispatch('view:open', { id: info.id, spec: { kind: 'encoded', imageId: put.value.imageId, imageName: 'block7.jpg', ...knobs } });
    if (!r.ok) throw new Error(r.error.message);
    const page = await dispatch('view:page', { id: info.id, viewId: r.value.viewId, offset: 0, limit: 5 });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.value.rows[0]?.values.key).toBe(7);
    expect(page.value.rows[0]?.score ?? 1).toBeLessThan(1e-6);
    expect(r.value.notes.join(' ')).toMatch(/vision tower/);
  }, 30_000);

  it('refuses what is not an image, a bomb header, and an id it does not hold', async () => {
    const notImage = await dispatch('query:image', { id: info.id, bytes: Buffer.from('hello, not an image').toString('base64') });
    expect(!notImage.ok && notImage.error.code).toBe('NOT_AN_IMAGE');
    const { pngBomb } = await import('../../test-support/png-bomb');
    const bomb = await dispatch('query:image', { id: info.id, bytes: Buffer.from(pngBomb(20000, 20000)).toString('base64') });
    expect(!bomb.ok && bomb.error.message).toMatch(/20,000 x 20,000 pixels/);
    const gone = await dispatch('view:open', { id: info.id, spec: { kind: 'encoded', imageId: 'f'.repeat(32), ...knobs } });
    expect(!gone.ok && gone.error.message).toMatch(/no longer held/);
    const both = await dispatch('view:open', { id: info.id, spec: { kind: 'encoded', text: 'x', imageId: 'f'.repeat(32), ...knobs } as never });
    expect(!both.ok && both.error.code).toBe('INVALID_PAYLOAD');
  });
});

describe('spaces are checked', () => {
  it('refuses a folder whose dimension or space does not match the column, naming both', async () => {
    const wide = await writeTinyClip(path.join(t.dir, 'wide'), { dim: 768 });
    const r = await dispatch('model:use-folder', { id: info.id, column: 'img_emb', path: wide, dtype: 'fp32' });
    expect(!r.ok && r.error.code).toBe('MODEL');
    expect(!r.ok && r.error.message).toMatch(/768-dimensional.*img_emb holds 32-dimensional/);

    const other = await writeTinyClip(path.join(t.dir, 'other'), { dim: 32, seed: 99 });
    const cfg = JSON.parse(await fs.readFile(path.join(other, 'config.json'), 'utf8'));
    await fs.writeFile(path.join(other, 'config.json'), JSON.stringify({ ...cfg, _name_or_path: 'google/siglip-base-patch16-224' }));
    const r2 = await dispatch('model:use-folder', { id: info.id, column: 'img_emb', path: other, dtype: 'fp32' });
    expect(!r2.ok && r2.error.message).toMatch(/google\/siglip-base-patch16-224.*img_emb's vectors are in lance-explorer-tests\/tiny-clip/);

    const empty = path.join(t.dir, 'empty');
    await fs.mkdir(empty, { recursive: true });
    const r3 = await dispatch('model:use-folder', { id: info.id, column: 'img_emb', path: empty, dtype: 'q8' });
    expect(!r3.ok && r3.error.message).toMatch(/not a CLIP model folder.*config\.json/);
  });

  it("takes LAION's img_emb to be CLIP ViT-L/14, says so, and offers Xenova's conversion", async () => {
    const { laionTable } = await import('../../test-support/fixtures');
    const p = await laionTable(t.dir, 'laion', 50);
    const opened = await dispatch('dataset:open', { path: p });
    if (!opened.ok) throw new Error(opened.error.message);
    const s = await dispatch('model:status', { id: (opened.value as DatasetInfo).id, column: 'img_emb' });
    expect(s.ok && s.value.space).toMatchObject({ space: 'openai/clip-vit-large-patch14', source: 'laion', onnx: 'Xenova/clip-vit-large-patch14' });
    expect(s.ok && s.value.offer?.approxBytes.q8).toBeGreaterThan(100e6);
  });
});
