// Generated LAION-shaped rows for the benchmarks, the service tests and the e2e fixtures (a module of
// its own, so none of the three imports another): unique small JPEGs (a pool of rendered images, each
// copy made unique by a JPEG comment segment so the disk cost is honest), captions, and 768-d
// embeddings drawn around cluster centres so nearest-neighbour figures mean something.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { lancedb, type LanceTable } from '../services/dataset/lance';
import { laionBatch, EMBEDDING_DIM, type LaionRow } from '../services/dataset/laion-schema';
import { seeded } from '../services/support/seeded';

/** Deterministic PRNG (mulberry32) so generated tables are the same on every machine. */
export const prng = seeded;

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Insert a COM segment after SOI: the file stays a valid JPEG and its bytes become unique. */
export function withJpegComment(jpeg: Uint8Array, text: string): Uint8Array {
  const payload = Buffer.from(text, 'latin1');
  const len = payload.length + 2;
  const out = new Uint8Array(jpeg.length + 4 + payload.length);
  out.set(jpeg.subarray(0, 2), 0);
  out.set([0xff, 0xfe, len >> 8, len & 0xff], 2);
  out.set(payload, 6);
  out.set(jpeg.subarray(2), 6 + payload.length);
  return out;
}

export async function jpegPool(count: number, side: number, seed = 7): Promise<Uint8Array[]> {
  const rand = prng(seed);
  const pool: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    // Noise over a colour: realistic JPEG sizes (noise does not compress away).
    const raw = Buffer.alloc(side * side * 3);
    const base = [rand() * 255, rand() * 255, rand() * 255];
    for (let p = 0; p < side * side; p++) {
      for (let c = 0; c < 3; c++) raw[p * 3 + c] = Math.max(0, Math.min(255, (base[c] as number) + (rand() - 0.5) * 120));
    }
    pool.push(await sharp(raw, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 80 }).toBuffer());
  }
  return pool;
}

const WORDS = 'red blue green small large vintage modern photo of a the cat dog house car tree beach city night portrait wedding cake rug flower mountain river'.split(' ');

export interface SyntheticOptions {
  rows: number;
  batchRows?: number;
  imageSide?: number;
  clusters?: number;
  seed?: number;
  /** Row indices whose image bytes are replaced by text (bad-input tests). */
  badImages?: Set<number>;
  /** Write data files in Lance's old format 0.1/0.2 (LanceDB's own option), as writers did until mid-2024. */
  legacyFormat?: boolean;
  onBatch?: (written: number, total: number) => void;
}

/**
 * Embeddings are built like real CLIP ones behave: a topic centre plus variation along a few shared
 * directions (CLIP image embeddings have an intrinsic dimension of a few dozen), plus a little
 * isotropic noise. Pure isotropic noise in 768-d would make every point of a cluster about equally
 * far from every other, so "nearest neighbours" would be arbitrary and no index could find them.
 */
const LATENT_DIM = 24;
const LATENT_SCALE = 0.6;
const NOISE_SCALE = 0.1;

export function syntheticBasis(seed: number): Float32Array[] {
  const rand = prng(seed ^ 0x2545f491);
  return Array.from({ length: LATENT_DIM }, () => normalise(Float32Array.from({ length: EMBEDDING_DIM }, () => gaussian(rand))));
}

export function syntheticCentres(clusters: number, seed: number): Float32Array[] {
  const rand = prng(seed ^ 0x9e3779b9);
  return Array.from({ length: clusters }, () => normalise(Float32Array.from({ length: EMBEDDING_DIM }, () => gaussian(rand))));
}

function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / n;
  return v;
}

export async function* syntheticBatches(opts: SyntheticOptions): AsyncGenerator<LaionRow[]> {
  const seed = opts.seed ?? 42;
  const batchRows = opts.batchRows ?? 20_000;
  const side = opts.imageSide ?? 64;
  const pool = await jpegPool(64, side, seed);
  const centres = syntheticCentres(opts.clusters ?? 256, seed);
  const basis = syntheticBasis(seed);
  const rand = prng(seed);
  const erand = prng(seed ^ 0x51ed270b); // its own stream, so the other columns do not depend on the embedding model
  const z = new Float32Array(LATENT_DIM);
  for (let start = 0; start < opts.rows; start += batchRows) {
    const n = Math.min(batchRows, opts.rows - start);
    const rows: LaionRow[] = new Array(n);
    for (let j = 0; j < n; j++) {
      const i = start + j;
      const key = 100_000_000 + i;
      const centre = centres[Math.floor(rand() * centres.length)] as Float32Array;
      const emb = new Float32Array(EMBEDDING_DIM);
      for (let l = 0; l < LATENT_DIM; l++) z[l] = (gaussian(erand) * LATENT_SCALE) / Math.sqrt(LATENT_DIM);
      for (let d = 0; d < EMBEDDING_DIM; d++) emb[d] = (centre[d] as number) + (gaussian(erand) * NOISE_SCALE) / Math.sqrt(EMBEDDING_DIM);
      for (let l = 0; l < LATENT_DIM; l++) {
        const b = basis[l] as Float32Array;
        const zl = z[l] as number;
        for (let d = 0; d < EMBEDDING_DIM; d++) emb[d] = (emb[d] as number) + zl * (b[d] as number);
      }
      normalise(emb);
      const image = opts.badImages?.has(i)
        ? Buffer.from(`<html>not an image, row ${i}</html>`)
        : withJpegComment(pool[i % pool.length] as Uint8Array, `row ${key}`);
      const caption = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${WORDS[(i * 13) % WORDS.length]} number ${i}`;
      rows[j] = {
        key,
        image,
        image_path: `${String(i).padStart(9, '0')}.jpg`,
        caption,
        url: `https://example.com/images/${key}.jpg`,
        NSFW: rand() < 0.03 ? 'NSFW' : rand() < 0.1 ? 'UNSURE' : 'UNLIKELY',
        LICENSE: '?',
        similarity: 0.28 + rand() * 0.12,
        width: side,
        height: side,
        original_width: side * 4,
        original_height: side * 4,
        exif: i % 5 === 0 ? JSON.stringify({ Make: 'Synthetic', Model: `Cam ${i % 9}` }) : '{}',
        md5: createHash('md5').update(image).digest('hex'),
        status: 'success',
        error_message: null,
        img_emb: emb,
      };
    }
    yield rows;
  }
}

/** Write a synthetic table at `<dbDir>/<name>.lance`, streamed batch by batch. */
export async function writeSyntheticTable(dbDir: string, name: string, opts: SyntheticOptions): Promise<LanceTable> {
  const db = await lancedb.connect(dbDir);
  let table: LanceTable | null = null;
  let written = 0;
  for await (const rows of syntheticBatches(opts)) {
    const batch = laionBatch(rows);
    if (!table) table = await db.createTable(name, batch, { mode: 'overwrite', ...(opts.legacyFormat ? { storageOptions: { new_table_data_storage_version: 'legacy' } } : {}) });
    else await table.add(batch);
    written += rows.length;
    opts.onBatch?.(written, opts.rows);
  }
  if (!table) throw new Error('no rows');
  return table;
}
