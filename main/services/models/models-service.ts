// The models a search by meaning runs: which one serves a column (its space, checked), where it is on
// this computer (the Hugging Face cache, or a folder the person chose), getting it from the Hub when
// asked, and the encoders (one worker per model, kept while the app runs). Nothing is fetched unless
// the person asks.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { failure } from '../support/errors';
import { SizedLru } from '../support/lru';
import { resolveCommit } from '../hub/hub-client';
import { checkRepoId, checkRevision } from '../hub/hub-paths';
import { planDownload } from '../hub/downloader';
import type { HubService } from '../hub/hub-service';
import { columnSpace, KNOWN_SPACES, modelFiles, spaceOfModel } from './catalogue';
import { Encoder } from './encoder';
import { findSnapshot, hasFiles, hubCacheDir, repoOfCachePath, snapshotDir, writeRef } from './hf-cache';
import { imageSize, sniffImage } from '../dataset/image-sniff';
import type { ColumnInfo, DatasetInfo, DownloadPlan, InstalledModel, ModelDtype, ModelSpace, ModelStatus } from '../../../shared/types';

const DTYPES: ModelDtype[] = ['q8', 'fp16', 'fp32'];
/** Query images held for views (Back and Forward re-run them), by content hash. */
const QUERY_IMAGES = 64;
export const MAX_QUERY_IMAGE_BYTES = 20 * 1024 * 1024;
/** A photo from a camera is decoded whole (then resized to 224 px): up to 64 megapixels. */
const MAX_QUERY_PIXELS = 64e6;

interface Choice {
  dir: string;
  dtype: ModelDtype;
  repo: string | null;
}

interface Resolved extends Choice {
  from: 'hub-cache' | 'folder';
  warning: string | null;
}

/** What the app reads of a model's config.json: its output dimension and the model it names. */
async function readConfig(dir: string): Promise<{ projection_dim?: unknown; _name_or_path?: unknown }> {
  try {
    const v = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as { projection_dim?: unknown; _name_or_path?: unknown }) : {};
  } catch {
    throw failure('MODEL', `${path.join(dir, 'config.json')} is not readable JSON.`);
  }
}

export class ModelsService {
  private readonly file: string;
  private readonly encoders = new Map<string, Encoder>();
  private readonly images = new SizedLru<string, Uint8Array>(QUERY_IMAGES);

  constructor(
    private readonly hub: HubService,
    dataDir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.file = path.join(dataDir, 'models.json');
  }

  get cacheDir(): string {
    return hubCacheDir(this.env);
  }

  private async choices(): Promise<Record<string, Choice>> {
    try {
      const v = JSON.parse(await fs.readFile(this.file, 'utf8')) as { choices?: Record<string, Choice> };
      return v && typeof v.choices === 'object' && v.choices ? v.choices : {};
    } catch {
      return {};
    }
  }

  private async saveChoice(key: string, c: Choice | null): Promise<void> {
    const all = await this.choices();
    if (c) all[key] = c;
    else delete all[key];
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await fs.writeFile(`${this.file}.tmp`, JSON.stringify({ choices: all }, null, 2));
    await fs.rename(`${this.file}.tmp`, this.file);
  }

  /** Choices are kept per space (any dataset in it shares the model), or per column when nothing names one. */
  private static key(info: Pick<DatasetInfo, 'path' | 'table'>, space: ModelSpace): string {
    return space.space ? `space:${space.space}` : `column:${info.path}#${info.table}#${space.column}`;
  }

  static column(info: DatasetInfo, name: string): ColumnInfo {
    const col = info.columns.find((c) => c.name === name);
    if (!col || col.kind !== 'vector') throw failure('INVALID_PAYLOAD', `"${name}" is not a vector column.`);
    return col;
  }

  /** Check a model folder against a column: its files, its dimension, its space. */
  private async check(dir: string, dtype: ModelDtype, space: ModelSpace): Promise<{ repo: string | null; warning: string | null }> {
    const { required } = modelFiles(dtype);
    if (!(await hasFiles(dir, required))) {
      const missing: string[] = [];
      for (const f of required) if (!(await hasFiles(dir, [f]))) missing.push(f);
      throw failure('MODEL', `${dir} is not a CLIP model folder for ${dtype}: it has no ${missing.slice(0, 3).join(', ')}.`);
    }
    const config = await readConfig(dir);
    const repo = repoOfCachePath(dir);
    const dim = Number(config.projection_dim);
    if (Number.isInteger(dim) && dim !== space.dim) {
      throw failure('MODEL', `${repo ?? dir} makes ${dim}-dimensional vectors; ${space.column} holds ${space.dim}-dimensional ones. They are not the same space.`);
    }
    const modelSpace = spaceOfModel(repo, config);
    if (space.space && modelSpace && modelSpace !== space.space) {
      throw failure(
        'MODEL',
        `${repo ?? dir} is a model of ${modelSpace}; ${space.column}'s vectors are in ${space.space} (${space.source === 'metadata' ? 'from its metadata' : 'inferred from the LAION schema'}). A query from it would find nonsense.`,
      );
    }
    const warning = !space.space
      ? `${space.column}'s metadata does not say which model made it: the dimensions match (${space.dim}), the space could not be checked.`
      : !modelSpace
        ? `${dir} does not say which model it is: the dimensions match, the space could not be checked.`
        : null;
    return { repo, warning };
  }

  /** The model that serves this column now, or null (with why). */
  private async resolve(info: DatasetInfo, space: ModelSpace): Promise<{ model: Resolved | null; why: string | null }> {
    const chosen = (await this.choices())[ModelsService.key(info, space)];
    if (chosen) {
      try {
        const { repo, warning } = await this.check(chosen.dir, chosen.dtype, space);
        const inCache = chosen.dir.startsWith(this.cacheDir + path.sep);
        return { model: { ...chosen, repo: repo ?? chosen.repo, from: inCache ? 'hub-cache' : 'folder', warning }, why: null };
      } catch {
        // moved or deleted since: fall through to the cache
      }
    }
    if (space.onnx) {
      for (const dtype of DTYPES) {
        const found = await findSnapshot(this.cacheDir, space.onnx, modelFiles(dtype).required, space.revision ?? 'main');
        if (!found) continue;
        const { warning } = await this.check(found.dir, dtype, space);
        return { model: { dir: found.dir, dtype, repo: space.onnx, from: 'hub-cache', warning }, why: null };
      }
      return { model: null, why: `${space.label ?? space.onnx} is not on this computer yet.` };
    }
    if (!space.space && space.label) return { model: null, why: `${space.column} holds ${space.label}, not a model's embeddings: a description cannot be put in its space (by captions still works).` };
    if (!space.space) return { model: null, why: `Nothing says which model made ${space.column} (no metadata, not LAION's img_emb): choose a model folder if you know it.` };
    return { model: null, why: `${space.column} is in ${space.space}, and no ONNX repository is known for it: choose a model folder.` };
  }

  async status(info: DatasetInfo, column: string): Promise<ModelStatus> {
    const space = columnSpace(info, ModelsService.column(info, column));
    const { model, why } = await this.resolve(info, space);
    const known = KNOWN_SPACES.find((k) => k.space === space.space);
    return {
      space,
      model: model ? { repo: model.repo, dir: model.dir, dtype: model.dtype, from: model.from, state: this.encoders.get(`${model.dir}#${model.dtype}`)?.state ?? 'idle', warning: model.warning } : null,
      offer: space.onnx ? { repo: space.onnx, revision: space.revision ?? 'main', dtypes: DTYPES, approxBytes: known?.bytes ?? {} } : null,
      cacheDir: this.cacheDir,
      why: model ? null : why,
    };
  }

  /** The person's own folder for this column's space (checked before it is kept). */
  async useFolder(info: DatasetInfo, column: string, dir: string, dtype: ModelDtype): Promise<ModelStatus> {
    const space = columnSpace(info, ModelsService.column(info, column));
    const abs = path.resolve(dir);
    const { repo } = await this.check(abs, dtype, space);
    await this.saveChoice(ModelsService.key(info, space), { dir: abs, dtype, repo });
    return this.status(info, column);
  }

  private async modelRequest(repo: string, revision: string, dtype: ModelDtype) {
    checkRepoId(repo);
    checkRevision(revision || 'main');
    const cfg = await this.hub.config();
    const commit = /^[0-9a-f]{40}$/.test(revision) ? revision : await resolveCommit(cfg, repo, revision || 'main', 'model');
    const target = snapshotDir(this.cacheDir, repo, commit);
    const files = modelFiles(dtype);
    return { cfg, commit, req: { repo, revision: revision || 'main', folder: '', target, parallel: 4, model: { only: files.required, optional: files.optional } } };
  }

  /** What getting the model would fetch (sizes from the Hub's listing), and where it goes. */
  async plan(repo: string, revision: string, dtype: ModelDtype): Promise<DownloadPlan & { present: boolean }> {
    const { cfg, commit, req } = await this.modelRequest(repo, revision, dtype);
    if (await hasFiles(req.target, req.model.only)) {
      return { repo, revision: req.revision, commit, folder: '', target: req.target, files: req.model.only.length, totalBytes: 0, haveBytes: 0, freeBytes: null, tooBig: false, present: true };
    }
    if (await fs.stat(req.target).then(() => true, () => false)) {
      throw failure('BUSY', `${req.target} already exists without every file ${dtype} needs (another tool's download?): finish or remove it first.`);
    }
    return { ...(await planDownload(cfg, req)).plan, present: false };
  }

  /** Fetch the model into the Hugging Face cache (progress, pause and resume as any download). */
  /** With a column: the model becomes that column's (checked against its space). Without: fetched only (for embedding). */
  async download(info: DatasetInfo, column: string | undefined, repo: string, revision: string, dtype: ModelDtype, parallel = 4): Promise<{ jobId: string; target: string }> {
    const space = column === undefined ? null : columnSpace(info, ModelsService.column(info, column));
    const { commit, req } = await this.modelRequest(repo, revision, dtype);
    const remember = async () => {
      await writeRef(this.cacheDir, repo, req.revision, commit);
      if (!space) return;
      const { repo: r } = await this.check(req.target, dtype, space);
      await this.saveChoice(ModelsService.key(info, space), { dir: req.target, dtype, repo: r ?? repo });
    };
    return this.hub.startModel({ ...req, parallel }, remember);
  }

  /** The encoder of the model serving this column, or NO_MODEL (the page offers to get one). */
  async encoder(info: DatasetInfo, column: string): Promise<{ encoder: Encoder; model: Resolved; space: ModelSpace }> {
    const space = columnSpace(info, ModelsService.column(info, column));
    const { model, why } = await this.resolve(info, space);
    if (!model) throw failure('NO_MODEL', `Searching ${column} by meaning needs a model: ${why ?? ''}`.trim());
    return { encoder: this.encoderOf(model.dir, model.dtype), model, space };
  }

  /** A model folder as the embedding job records it: its repository, commit, space and dimension. */
  async inspect(dir: string, dtype: ModelDtype): Promise<InstalledModel> {
    const abs = path.resolve(dir);
    if (!(await hasFiles(abs, modelFiles(dtype).required))) throw failure('MODEL', `${abs} has no ${dtype} CLIP towers (config.json, tokenizer.json, onnx/vision_model…).`);
    const config = await readConfig(abs);
    const repo = repoOfCachePath(abs);
    const commit = repo && /^[0-9a-f]{40}$/.test(path.basename(abs)) ? path.basename(abs) : null;
    const dim = Number(config.projection_dim);
    return { repo, dir: abs, dtype, commit, space: spaceOfModel(repo, config), dim: Number.isInteger(dim) ? dim : 0 };
  }

  /** The CLIP models on this computer: every cached snapshot with towers of some dtype, and chosen folders. */
  async installed(): Promise<InstalledModel[]> {
    const out: InstalledModel[] = [];
    const repos = await fs.readdir(this.cacheDir).catch(() => [] as string[]);
    const dirs = new Set<string>();
    for (const r of repos.filter((n) => n.startsWith('models--'))) {
      const snaps = await fs.readdir(path.join(this.cacheDir, r, 'snapshots')).catch(() => [] as string[]);
      for (const c of snaps) dirs.add(path.join(this.cacheDir, r, 'snapshots', c));
    }
    for (const c of Object.values(await this.choices())) dirs.add(c.dir);
    for (const dir of dirs) {
      for (const dtype of DTYPES) {
        if (!(await hasFiles(dir, modelFiles(dtype).required))) continue;
        out.push(await this.inspect(dir, dtype).catch(() => null as never));
      }
    }
    return out.filter(Boolean);
  }

  /** The model that made a column serves its searches from then on (the embedding job's). */
  async remember(space: string, m: InstalledModel): Promise<void> {
    await this.saveChoice(`space:${space}`, { dir: m.dir, dtype: m.dtype, repo: m.repo });
  }

  /** The encoder of a given model folder (the embedding job's). */
  async encoderFor(dir: string, dtype: ModelDtype): Promise<{ encoder: Encoder }> {
    const m = await this.inspect(dir, dtype);
    return { encoder: this.encoderOf(m.dir, dtype) };
  }

  /** One encoder (one worker) per model folder and dtype, kept while the app runs. */
  private encoderOf(dir: string, dtype: ModelDtype): Encoder {
    const key = `${dir}#${dtype}`;
    let enc = this.encoders.get(key);
    if (!enc) this.encoders.set(key, (enc = new Encoder(dir, dtype)));
    return enc;
  }

  /** Keep a query image (checked to be an image of a sane size) for views to encode; its id is its hash. */
  putImage(bytes: Uint8Array): { imageId: string; width: number; height: number; format: string } {
    if (bytes.length > MAX_QUERY_IMAGE_BYTES) throw failure('INVALID_PAYLOAD', `That image is ${Math.round(bytes.length / 1e6)} MB; at most ${MAX_QUERY_IMAGE_BYTES / 1e6} MB.`);
    const mime = sniffImage(bytes);
    if (!mime) throw failure('NOT_AN_IMAGE', 'That file is not a JPEG, PNG, GIF or WebP image.');
    const size = imageSize(bytes, mime);
    if (!size || !size.width || !size.height) throw failure('NOT_AN_IMAGE', `That ${mime.slice(6).toUpperCase()} file's header gives no readable size.`);
    if (size.width * size.height > MAX_QUERY_PIXELS) {
      throw failure('INVALID_PAYLOAD', `That image claims ${size.width.toLocaleString('en-US')} x ${size.height.toLocaleString('en-US')} pixels; at most ${MAX_QUERY_PIXELS / 1e6} megapixels are decoded.`);
    }
    const imageId = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
    this.images.set(imageId, bytes);
    return { imageId, width: size.width, height: size.height, format: mime };
  }

  image(imageId: string): Uint8Array {
    const b = this.images.get(imageId);
    if (!b) throw failure('NOT_FOUND', 'That query image is no longer held (the app restarted): drop or choose it again.');
    return b;
  }

  async close(): Promise<void> {
    await Promise.all([...this.encoders.values()].map((e) => e.close()));
    this.encoders.clear();
  }
}
