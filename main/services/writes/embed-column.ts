// Embeddings for a dataset that has none (the dataset card's "evolve with a batch UDF" workflow): every
// row's image through a model's vision tower, in batches, into a new vector column.
//
//   <dataDir>/embeddings/<id>/state.json     what is being made: dataset, columns, model, revision
//   <dataDir>/embeddings/<id>/vectors.lance  (key, vector) of the rows done, one append per batch
//
// Each batch is committed to the side table as it is made, so a stop (Stop, a crash, a restart) loses
// at most the batch in hand, and a run skips every key the side table holds: no row is embedded twice.
// When every row is done the column is added (its metadata names the model, revision and space) and
// the vectors merged in by key, a chunk per commit; a stop there is finished by the next run, since
// merging the same vector again changes nothing.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { arrow, lancedb, type LanceTable } from '../dataset/lance';
import { EMBEDDING_METADATA_KEY } from '../dataset/cells';
import { failure } from '../support/errors';
import { committed, writeFailure } from './commit';
import type { DatasetService } from '../dataset/dataset-service';
import type { JobRegistry, ReportProgress } from '../jobs/jobs';
import type { ModelsService } from '../models/models-service';
import type { EmbedPlan, InstalledModel } from '../../../shared/types';

/** Images per forward pass of the vision tower. */
export const EMBED_BATCH = 16;
/** Rows merged into the dataset per commit at the end. */
const MERGE_CHUNK = 20_000;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export interface EmbedRequest {
  datasetId: string;
  imageColumn: string;
  column: string;
  model: { dir: string; dtype: InstalledModel['dtype'] };
}

interface EmbedState {
  format: 1;
  datasetPath: string;
  table: string;
  imageColumn: string;
  column: string;
  keyColumn: string;
  model: InstalledModel;
  startedAt: string;
}

export class EmbedService {
  private readonly running = new Map<string, string>(); // job folder → jobId

  constructor(
    private readonly datasets: DatasetService,
    private readonly models: ModelsService,
    private readonly jobs: JobRegistry,
    private readonly dataDir: string,
  ) {}

  private folder(datasetPath: string, table: string, column: string): string {
    const id = createHash('sha1').update(`${path.resolve(datasetPath)}#${table}#${column}`).digest('hex').slice(0, 16);
    return path.join(this.dataDir, 'embeddings', id);
  }

  private static async readState(dir: string): Promise<EmbedState | null> {
    try {
      const s = JSON.parse(await fs.readFile(path.join(dir, 'state.json'), 'utf8')) as EmbedState;
      return s && s.format === 1 ? s : null;
    } catch {
      return null;
    }
  }

  /** Rows already in the side table. */
  private static async doneRows(dir: string): Promise<number> {
    try {
      const db = await lancedb.connect(dir);
      if (!(await db.tableNames()).includes('vectors')) return 0;
      const t = await db.openTable('vectors');
      const n = await t.countRows();
      t.close();
      return n;
    } catch {
      return 0;
    }
  }

  private checkRequest(req: EmbedRequest) {
    const ds = this.datasets.writable(req.datasetId);
    const image = ds.info.columns.find((c) => c.name === req.imageColumn);
    if (!image || image.kind !== 'binary') throw failure('INVALID_PAYLOAD', `"${req.imageColumn}" is not a column of image bytes.`);
    const key = ds.info.keyColumn;
    if (!key) throw failure('INVALID_PAYLOAD', 'Embedding needs a key column to write the vectors back by (this dataset has none).');
    if (!COLUMN_NAME.test(req.column)) throw failure('INVALID_PAYLOAD', `"${req.column}" is not a column name this app writes (letters, digits and _, starting with a letter).`);
    return { ds, key };
  }

  /** What embedding would do: rows, the model, and what an earlier stop left. */
  async plan(req: EmbedRequest): Promise<EmbedPlan> {
    const { ds } = this.checkRequest(req);
    const model = await this.models.inspect(req.model.dir, req.model.dtype);
    const dir = this.folder(ds.info.path, ds.info.table, req.column);
    const state = await EmbedService.readState(dir);
    const existing = ds.info.columns.find((c) => c.name === req.column);
    const resumable = state && state.imageColumn === req.imageColumn && state.model.dir === model.dir && state.model.dtype === model.dtype;
    if (existing && !(resumable && (existing.embedding?.model ?? null) === model.repo)) {
      throw failure('INVALID_PAYLOAD', `${req.column} already exists: choose another name for the new column.`);
    }
    if (state && !resumable) {
      throw failure('BUSY', `An unfinished embedding into ${req.column} with ${state.model.repo ?? state.model.dir} (${state.model.dtype}) from ${state.imageColumn} is kept: resume it with the same choices, or discard it first.`);
    }
    return { rows: ds.info.rowCount, done: resumable ? await EmbedService.doneRows(dir) : 0, model, column: req.column, imageColumn: req.imageColumn, batch: EMBED_BATCH };
  }

  /** Start (or resume) the job. */
  async start(req: EmbedRequest): Promise<{ jobId: string }> {
    const plan = await this.plan(req);
    const { ds, key } = this.checkRequest(req);
    const dir = this.folder(ds.info.path, ds.info.table, req.column);
    if (this.running.has(dir)) throw failure('BUSY', `${req.column} is already being embedded.`);
    await fs.mkdir(dir, { recursive: true });
    if (!(await EmbedService.readState(dir))) {
      const state: EmbedState = { format: 1, datasetPath: ds.info.path, table: ds.info.table, imageColumn: req.imageColumn, column: req.column, keyColumn: key, model: plan.model, startedAt: new Date().toISOString() };
      await fs.writeFile(path.join(dir, 'state.json.tmp'), JSON.stringify(state, null, 2));
      await fs.rename(path.join(dir, 'state.json.tmp'), path.join(dir, 'state.json'));
    }
    const { jobId, done } = this.jobs.start('embed', (report, signal) => this.run(req.datasetId, dir, report, signal));
    this.running.set(dir, jobId);
    void done.catch(() => {}).finally(() => this.running.get(dir) === jobId && this.running.delete(dir));
    return { jobId };
  }

  /** Forget what an unfinished embedding made (the dataset is not touched). */
  async discard(datasetId: string, column: string): Promise<{ discarded: boolean }> {
    const ds = this.datasets.get(datasetId);
    const dir = this.folder(ds.info.path, ds.info.table, column);
    if (this.running.has(dir)) throw failure('BUSY', 'Stop the embedding before discarding it.');
    const had = (await EmbedService.readState(dir)) !== null;
    await fs.rm(dir, { recursive: true, force: true });
    return { discarded: had };
  }

  private async run(datasetId: string, dir: string, report: ReportProgress, signal: AbortSignal): Promise<{ path: string }> {
    const state = (await EmbedService.readState(dir)) as EmbedState;
    const ds = this.datasets.writable(datasetId);
    const total = ds.info.rowCount;
    const { encoder } = await this.models.encoderFor(state.model.dir, state.model.dtype);
    report(0, total, `Loading ${state.model.repo ?? state.model.dir}…`);
    await encoder.load('image');

    const side = await lancedb.connect(dir);
    let vectors: LanceTable | null = (await side.tableNames()).includes('vectors') ? await side.openTable('vectors') : null;
    // Every key already embedded: skipped, so a resumed run never embeds a row twice.
    const seen = new Set<string>();
    if (vectors) for await (const b of vectors.query().select(['key'])) for (const k of b.getChild('key')?.toArray() ?? []) seen.add(String(k));
    const fieldOf = (await ds.table.schema()).fields.find((f) => f.name === state.keyColumn) as import('apache-arrow').Field;
    const keyType = fieldOf.type;
    const t0 = performance.now();
    const doneAtStart = seen.size;
    let made = 0;
    const say = () => {
      const rate = made / Math.max(0.001, (performance.now() - t0) / 1000);
      const left = total - seen.size;
      report(seen.size, total, `Embedded ${seen.size.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} images${rate > 0 && made ? ` · ${rate.toFixed(1)}/s · about ${Math.round(left / rate / 60).toLocaleString('en-US')} min left` : ''}`);
    };
    say();
    let keys: unknown[] = [];
    let images: Uint8Array[] = [];
    let skippedNull = 0;
    const flush = async () => {
      if (!keys.length) return;
      const out = await encoder.images(images);
      const dim = out[0]?.length ?? 0;
      const batch = new arrow.Table({
        key: arrow.vectorFromArray(keys as never, keyType),
        vector: arrow.vectorFromArray(out.map((v) => Array.from(v)) as never, new arrow.FixedSizeList(dim, new arrow.Field('item', new arrow.Float32(), true))),
      });
      // One commit per batch: what is here survives a stop.
      if (!vectors) vectors = await side.createTable('vectors', batch);
      else await vectors.add(batch);
      for (const k of keys) seen.add(String(k));
      made += keys.length;
      keys = [];
      images = [];
      say();
    };
    try {
      for await (const b of ds.table.query().select([state.keyColumn, state.imageColumn])) {
        const ks = b.getChild(state.keyColumn)?.toArray() ?? [];
        const col = b.getChild(state.imageColumn);
        for (let i = 0; i < b.numRows; i++) {
          if (signal.aborted) throw failure('CANCELLED', `Stopped with ${seen.size.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} images embedded and kept. Embed again to resume.`);
          const k = ks[i];
          if (seen.has(String(k)) || keys.some((x) => String(x) === String(k))) continue;
          const bytes = col?.get(i) as Uint8Array | null;
          if (!bytes || !bytes.length) {
            skippedNull++;
            continue;
          }
          keys.push(k);
          images.push(bytes);
          if (keys.length >= EMBED_BATCH) await flush();
        }
      }
      await flush();
    } catch (err) {
      vectors?.close();
      if (signal.aborted) throw failure('CANCELLED', `Stopped with ${seen.size.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} images embedded and kept. Embed again to resume.`);
      throw writeFailure(err, `Embedding stopped at ${seen.size.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} images (kept; embed again to resume)`);
    }

    // Every row is in the side table: the column, then the vectors by key.
    report(seen.size, total, `Writing ${state.column} into the dataset…`);
    const dim = (await (vectors as LanceTable | null)?.schema())?.fields.find((f) => f.name === 'vector')?.type.listSize ?? 0;
    if (!vectors || !dim) throw failure('INVALID_PAYLOAD', `No row of ${state.imageColumn} holds an image: nothing to embed.`);
    const meta = { [EMBEDDING_METADATA_KEY]: JSON.stringify({ space: state.model.space ?? state.model.repo ?? 'unknown', ...(state.model.repo ? { model: state.model.repo } : {}), ...(state.model.commit ? { revision: state.model.commit } : {}), tower: 'image', dtype: state.model.dtype }) };
    const type = new arrow.FixedSizeList(dim, new arrow.Field('item', new arrow.Float32(), true));
    try {
      if (!ds.info.columns.some((c) => c.name === state.column)) {
        await ds.table.addColumns(new arrow.Field(state.column, type, true, new Map(Object.entries(meta))));
      }
      let merged = 0;
      let chunk: { keys: unknown[]; vecs: unknown[] } = { keys: [], vecs: [] };
      const mergeChunk = async () => {
        if (!chunk.keys.length) return;
        const data = new arrow.Table({ [state.keyColumn]: arrow.vectorFromArray(chunk.keys as never, keyType), [state.column]: arrow.vectorFromArray(chunk.vecs as never, type) });
        await ds.table.mergeInsert(state.keyColumn).whenMatchedUpdateAll().execute(data);
        merged += chunk.keys.length;
        chunk = { keys: [], vecs: [] };
        report(seen.size, total, `Writing ${state.column}: ${merged.toLocaleString('en-US')} of ${seen.size.toLocaleString('en-US')} rows`);
      };
      for await (const b of vectors.query().select(['key', 'vector'])) {
        const ks = b.getChild('key')?.toArray() ?? [];
        const vs = b.getChild('vector');
        for (let i = 0; i < b.numRows; i++) {
          chunk.keys.push(ks[i]);
          chunk.vecs.push(Array.from(vs?.get(i) as Iterable<number>));
          if (chunk.keys.length >= MERGE_CHUNK) await mergeChunk();
        }
      }
      await mergeChunk();
    } catch (err) {
      throw writeFailure(err, `The vectors could not be written into ${state.column} (they are kept: embed again to finish)`);
    } finally {
      vectors.close();
    }
    this.datasets.rows.lost(datasetId);
    // The same model then serves the column's searches by meaning.
    await this.models.remember(state.model.space ?? state.model.repo ?? 'unknown', state.model).catch(() => {});
    const seconds = (performance.now() - t0) / 1000;
    await committed(this.datasets, datasetId, `embedded ${state.imageColumn} into ${state.column} with ${state.model.repo ?? state.model.dir} (${state.model.dtype}${state.model.commit ? `, revision ${state.model.commit.slice(0, 10)}` : ''})`);
    await fs.rm(dir, { recursive: true, force: true });
    report(total, total, `Embedded ${made.toLocaleString('en-US')} images in ${Math.round(seconds)} s${doneAtStart ? ` (${doneAtStart.toLocaleString('en-US')} were kept from an earlier run)` : ''}${skippedNull ? `; ${skippedNull.toLocaleString('en-US')} rows without an image are left empty` : ''}.`);
    return { path: state.column };
  }
}
