// Builds the demo dataset: real images with real descriptions, the exact LAION schema, an IVF_PQ
// index on img_emb like the real dataset's. Deterministic row set: keys come from provenance URIs.
// Built in a staging folder and published with one rename, so a half-built demo never opens.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { lancedb } from '../dataset/lance';
import { laionBatch, type LaionRow } from '../dataset/laion-schema';
import { failure } from '../support/errors';
import { demoSources, type DemoSource } from './sources';
import { imageFeature } from './features';
import type { ReportProgress } from '../jobs/jobs';

export interface BuildDemoOptions {
  /** Keep only the first N rows in key order (a small, still deterministic demo for tests). */
  rows?: number;
  report?: ReportProgress;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

const MAX_SIDE = 256;
const CONCURRENCY = 4;
const WRITE_CHUNK = 500;

/** A 48-bit key from the provenance URI: stable across builds and machines, safe as a JS number. */
export const stableKey = (url: string) => parseInt(createHash('sha1').update(url).digest('hex').slice(0, 12), 16);

/** LAION's similarity is a CLIP image-text score that cannot be computed offline: this one is synthetic. */
const syntheticSimilarity = (key: number) => Math.round((0.28 + ((key % 12007) / 12007) * 0.12) * 1e6) / 1e6;

export async function buildDemo(target: string, opts: BuildDemoOptions = {}): Promise<{ rows: number; skipped: number }> {
  const log = opts.log ?? (() => {});
  const report = opts.report ?? (() => {});
  const signal = opts.signal;
  const all = (await demoSources(log)).map((s) => ({ s, key: stableKey(s.url) })).sort((a, b) => a.key - b.key);
  const chosen = opts.rows ? all.slice(0, opts.rows) : all;
  const total = chosen.length;

  const parent = path.dirname(target);
  const staging = path.join(parent, `.staging-${process.pid}-${Date.now()}`);
  const tableName = path.basename(target).replace(/\.lance$/, '');
  await fs.mkdir(staging, { recursive: true });
  try {
    const rows: LaionRow[] = new Array(total);
    let done = 0;
    let skipped = 0;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        if (signal?.aborted) throw failure('CANCELLED', 'The demo build was cancelled.');
        const i = next++;
        const { s, key } = chosen[i] as { s: DemoSource; key: number };
        try {
          rows[i] = await makeRow(s, key);
        } catch (err) {
          skipped++;
          log(`skipped ${s.url}: ${(err as Error).message}`);
        }
        done++;
        report(done, total + 1, `Rendering images ${done} of ${total}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const kept = rows.filter(Boolean);
    if (signal?.aborted) throw failure('CANCELLED', 'The demo build was cancelled.');

    report(total, total + 1, 'Writing the Lance table and building its indices');
    const db = await lancedb.connect(staging);
    const table = await db.createTable(tableName, laionBatch(kept.slice(0, WRITE_CHUNK)));
    for (let i = WRITE_CHUNK; i < kept.length; i += WRITE_CHUNK) {
      await table.add(laionBatch(kept.slice(i, i + WRITE_CHUNK)));
    }
    await table.createIndex('key', { config: lancedb.Index.btree() });
    // PQ needs at least 256 training rows; a tiny test demo goes without the vector index.
    if (kept.length >= 256) {
      await table.createIndex('img_emb', {
        config: lancedb.Index.ivfPq({
          numPartitions: Math.max(2, Math.round(Math.sqrt(kept.length) / 4)),
          numSubVectors: 48,
          distanceType: 'l2',
        }),
      });
    }
    table.close();
    if (signal?.aborted) throw failure('CANCELLED', 'The demo build was cancelled.');
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(path.join(staging, `${tableName}.lance`), target);
    report(total + 1, total + 1, `Demo ready: ${kept.length} rows`);
    return { rows: kept.length, skipped };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function render(file: string): Promise<{ jpeg: Buffer; width: number; height: number; ow: number; oh: number }> {
  const input = await fs.readFile(file);
  const meta = await sharp(input, { limitInputPixels: false }).metadata();
  const ow = meta.width ?? MAX_SIDE;
  const oh = meta.height ?? MAX_SIDE;
  const isSvg = meta.format === 'svg';
  // Render vectors at a density that yields at least MAX_SIDE pixels, then downscale.
  const density = isSvg ? Math.min(2400, Math.max(72, Math.ceil((72 * MAX_SIDE * 1.5) / Math.max(ow, oh)))) : undefined;
  const { data, info } = await sharp(input, { limitInputPixels: false, ...(density ? { density } : {}) })
    .resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: !isSvg })
    .flatten({ background: '#ffffff' }) // JPEG has no alpha
    .jpeg({ quality: 85, mozjpeg: true })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height, ow, oh };
}

async function makeRow(s: DemoSource, key: number): Promise<LaionRow> {
  let r;
  try {
    r = await render(s.file);
  } catch (err) {
    if (!s.fallbackFile) throw err;
    r = await render(s.fallbackFile);
  }
  const exif = {
    ImageDescription: s.caption,
    Artist: s.artist,
    Copyright: s.license,
    Software: `sharp ${sharp.versions.sharp} (Lance Explorer demo builder)`,
  };
  return {
    key,
    image: r.jpeg,
    image_path: s.imagePath,
    caption: s.caption,
    url: s.url,
    // LAION's flag comes from a classifier; these are vetted emoji and flag artworks.
    NSFW: 'UNLIKELY',
    LICENSE: s.license,
    similarity: syntheticSimilarity(key),
    width: r.width,
    height: r.height,
    original_width: r.ow,
    original_height: r.oh,
    exif: JSON.stringify(exif),
    md5: createHash('md5').update(r.jpeg).digest('hex'),
    status: 'success',
    error_message: null,
    img_emb: await imageFeature(r.jpeg),
  };
}
