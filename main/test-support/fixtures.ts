// Real LanceDB tables in temp folders for the service tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSyntheticTable, type SyntheticOptions } from '../synthetic/synthetic-laion';
import type { AppEvents } from '../services/jobs/jobs';
import { createAppServices, type AppServices, type AppServicesOptions } from '../services/app-services';
import { createDispatch } from '../dispatch';
import type { DatasetInfo, JobFinished } from '../../shared/types';

export function tempDir(prefix = 'lx-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A LAION-schema table at `<dir>/<name>.lance`; returns its path. */
export async function laionTable(dir: string, name: string, rows: number, opts: Partial<SyntheticOptions> = {}): Promise<string> {
  const table = await writeSyntheticTable(dir, name, { rows, imageSide: 16, clusters: 8, batchRows: 500, ...opts });
  table.close();
  return path.join(dir, `${name}.lance`);
}

/** Resolves with a job's outcome; subscribe before the job can finish (start it after calling this, or right after starting). */
export function jobFinished(events: AppEvents, jobId: string): Promise<JobFinished> {
  return new Promise((resolve) => {
    const off = events.on('job:finished', (f) => {
      if (f.jobId === jobId) {
        off();
        resolve(f);
      }
    });
  });
}

export type Dispatch = ReturnType<typeof createDispatch>;

/**
 * The app's services over a data folder inside `dir`, as the UI uses them through dispatch, with the
 * table at `tablePath` opened (writable, latest version).
 */
export async function openInApp(dir: string, tablePath: string, options: Partial<AppServicesOptions> = {}): Promise<{ services: AppServices; dispatch: Dispatch; info: DatasetInfo }> {
  const services = createAppServices({ dataDir: path.join(dir, 'home'), demoPath: path.join(dir, 'demo.lance'), platform: { carrier: 'web' }, ...options });
  const dispatch = createDispatch(services);
  const opened = await dispatch('dataset:open', { path: tablePath });
  if (!opened.ok) throw new Error(opened.error.message);
  return { services, dispatch, info: opened.value as DatasetInfo };
}

/**
 * A 40-row table for searches by meaning: rows 0-4 say "a dog on a beach", rows 5-9 "puppy by the
 * sea" (never "dog"), both near [1, 0, 0, 0] in `emb`; rows 10-39 are cats near [0, 1, 0, 0].
 */
export async function dogsAndCatsTable(dir: string, name: string): Promise<string> {
  const { Schema, Field, FixedSizeList, Float32, Int64, Utf8 } = await import('apache-arrow');
  const { lancedb } = await import('../services/dataset/lance');
  const schema = new Schema([new Field('key', new Int64(), false), new Field('caption', new Utf8(), true), new Field('emb', new FixedSizeList(4, new Field('item', new Float32(), true)), true)]);
  const rows = Array.from({ length: 40 }, (_, i) => ({
    key: BigInt(i),
    caption: i < 5 ? `a dog on a beach ${i}` : i < 10 ? `puppy by the sea ${i}` : `a cat indoors ${i}`,
    emb: i < 10 ? [1, 0.01 * i, 0, 0] : [0, 1, 0.01 * i, 0],
  }));
  const db = await lancedb.connect(dir);
  (await db.createTable(name, rows, { schema })).close();
  return `${dir}/${name}.lance`;
}

/**
 * A table whose `img_emb` was made by the tiny CLIP model's vision tower in `modelDir`
 * (clip-model.ts), through the app's own encoder, with the column's metadata naming that model:
 * colour-block images (reds, greens, blues, in a few layouts), captions saying which.
 */
export async function tinyClipTable(dir: string, name: string, modelDir: string, opts: { rows?: number; space?: string } = {}): Promise<{ path: string; images: Uint8Array[] }> {
  const { lancedb, arrow } = await import('../services/dataset/lance');
  const { Schema, Field, FixedSizeList, Float32, Int64, Utf8, LargeBinary } = arrow;
  const { Encoder } = await import('../services/models/encoder');
  const { EMBEDDING_METADATA_KEY } = await import('../services/dataset/cells');
  const sharp = (await import('sharp')).default;
  const n = opts.rows ?? 24;
  const colours: Array<[string, [number, number, number]]> = [
    ['red', [220, 30, 30]],
    ['green', [30, 200, 60]],
    ['blue', [30, 60, 220]],
  ];
  const images: Uint8Array[] = [];
  const captions: string[] = [];
  for (let i = 0; i < n; i++) {
    const [cname, [r, g, b]] = colours[i % 3] as [string, [number, number, number]];
    const half = i % 2 === 0 ? 'top' : 'left';
    const shade = 40 + ((i * 37) % 160);
    const block = await sharp({ create: { width: half === 'top' ? 96 : 48, height: half === 'top' ? 48 : 96, channels: 3, background: { r, g, b } } }).png().toBuffer();
    const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: shade, g: shade, b: shade } } })
      .composite([{ input: block, left: 0, top: 0 }])
      .jpeg({ quality: 90 })
      .toBuffer();
    images.push(new Uint8Array(png));
    captions.push(`a ${cname} block at the ${half} ${i}`);
  }
  const enc = new Encoder(modelDir, 'fp32');
  const vectors = await enc.images(images);
  await enc.close();
  const dim = vectors[0]?.length ?? 0;
  const space = opts.space ?? 'lance-explorer-tests/tiny-clip';
  const meta = new Map([[EMBEDDING_METADATA_KEY, JSON.stringify({ space, model: space, tower: 'image' })]]);
  const schema = new Schema([
    new Field('key', new Int64(), false),
    new Field('image', new LargeBinary(), true),
    new Field('caption', new Utf8(), true),
    new Field('img_emb', new FixedSizeList(dim, new Field('item', new Float32(), true)), true, meta),
  ]);
  const rows = images.map((image, i) => ({ key: BigInt(i), image, caption: captions[i], img_emb: Array.from(vectors[i] as Float32Array) }));
  const db = await lancedb.connect(dir);
  (await db.createTable(name, rows, { schema })).close();
  return { path: `${dir}/${name}.lance`, images };
}
