import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DatasetService } from './dataset-service';
import { AppFailure } from '../support/errors';
import { laionTable, tempDir } from '../../test-support/fixtures';
import { lancedb } from './lance';

const tmp = tempDir();
let tablePath: string;
const service = new DatasetService({ imageCacheBytes: 64 * 1024 });

beforeAll(async () => {
  tablePath = await laionTable(tmp.dir, 'train', 1200, { badImages: new Set([5]) });
  await laionTable(tmp.dir, 'other', 30);
});
afterAll(() => {
  service.closeAll();
  tmp.cleanup();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    expect(err).toBeInstanceOf(AppFailure);
    return (err as AppFailure).code;
  }
}

describe('opening datasets', () => {
  it('opens a .lance directory and reads the LAION schema without assuming it', async () => {
    const info = await service.openDataset(tablePath);
    expect(info.rowCount).toBe(1200);
    expect(info.table).toBe('train');
    expect(info.imageColumn).toBe('image');
    expect(info.captionColumn).toBe('caption');
    expect(info.keyColumn).toBe('key');
    expect(info.vectorColumns).toEqual(['img_emb']);
    expect(info.columns.find((c) => c.name === 'img_emb')).toMatchObject({ kind: 'vector', dim: 768 });
    expect(info.columns.map((c) => c.name)).toContain('error_message');
    expect(info.version).toBeGreaterThan(0);
  });

  it('lists the tables of a LanceDB database folder and asks which one when there are several', async () => {
    const found = await service.inspect(tmp.dir);
    expect(found).toMatchObject({ kind: 'database', tables: ['other', 'train'] });
    expect(await codeOf(service.openDataset(tmp.dir))).toBe('NOT_A_DATASET');
    const other = await service.openDataset(tmp.dir, 'other');
    expect(other.rowCount).toBe(30);
    expect(await codeOf(service.openDataset(tmp.dir, 'missing'))).toBe('NOT_FOUND');
  });

  it('refuses a folder that is not a Lance dataset, a file, and a path that does not exist', async () => {
    const plain = path.join(tmp.dir, 'plain-folder');
    await fs.mkdir(plain, { recursive: true });
    await fs.writeFile(path.join(plain, 'notes.txt'), 'hello');
    expect(await codeOf(service.openDataset(plain))).toBe('NOT_A_DATASET');
    expect(await codeOf(service.openDataset(path.join(plain, 'notes.txt')))).toBe('NOT_A_DATASET');
    expect(await codeOf(service.openDataset(path.join(tmp.dir, 'nope')))).toBe('NOT_FOUND');
  });

  it('reports a dataset whose data file was deleted as damaged, at open, with a readable message', async () => {
    const broken = await laionTable(tmp.dir, 'broken', 50);
    const dataDir = path.join(broken, 'data');
    for (const f of await fs.readdir(dataDir)) await fs.rm(path.join(dataDir, f));
    const err = await service.openDataset(broken).catch((e: AppFailure) => e);
    expect(err).toBeInstanceOf(AppFailure);
    expect((err as AppFailure).code).toBe('DATASET_CORRUPT');
    expect((err as AppFailure).message).toMatch(/damaged or incomplete/);
  });

  it('opens a dataset missing a later data file, keeps the readable rows and reports the unreadable ones', async () => {
    const partial = await laionTable(tmp.dir, 'partial', 1500, { batchRows: 500 });
    const dataDir = path.join(partial, 'data');
    const files = await fs.readdir(dataDir);
    expect(files.length).toBe(3);
    // Fragments are written in order; remove the newest file (rows 1000-1499).
    const stats = await Promise.all(files.map(async (f) => ({ f, t: (await fs.stat(path.join(dataDir, f))).mtimeMs })));
    const newest = stats.sort((a, b) => b.t - a.t)[0]!.f;
    await fs.rm(path.join(dataDir, newest));
    const info = await service.openDataset(partial);
    expect(info.rowCount).toBe(1500);
    expect((await service.page(info.id, 0, 200)).rows).toHaveLength(200);
    const err = await service.page(info.id, 1200, 200).catch((e: AppFailure) => e);
    expect((err as AppFailure).code).toBe('DATASET_CORRUPT');
    expect((err as AppFailure).message).toMatch(/Reading rows 1201-1400 failed/);
  });

  it('reports a truncated manifest as damaged instead of crashing', async () => {
    const bad = await laionTable(tmp.dir, 'badmanifest', 10);
    const versions = path.join(bad, '_versions');
    for (const f of await fs.readdir(versions)) await fs.writeFile(path.join(versions, f), 'garbage');
    expect(await codeOf(service.openDataset(bad))).toBe('DATASET_CORRUPT');
  });
});

describe('reading rows', () => {
  it('pages rows at any offset without the image and vector columns, with stable row ids', async () => {
    const info = await service.openDataset(tablePath);
    const page = await service.page(info.id, 1000, 200);
    expect(page.rows).toHaveLength(200);
    expect(page.rows[0]?.index).toBe(1000);
    expect(page.rows[0]?.values.key).toBe(100_000_000 + 1000);
    expect(page.rows[199]?.values.key).toBe(100_000_000 + 1199);
    expect(page.rows[0]?.values).not.toHaveProperty('image');
    expect(page.rows[0]?.values).not.toHaveProperty('img_emb');
    // Past the end: empty, not an error.
    expect((await service.page(info.id, 1200, 100)).rows).toEqual([]);
    const tail = await service.page(info.id, 1150, 200);
    expect(tail.rows).toHaveLength(50);
  });

  it('returns one row in full, vectors summarised and binaries as sizes', async () => {
    const info = await service.openDataset(tablePath);
    const [first] = (await service.page(info.id, 42, 1)).rows;
    const detail = await service.row(info.id, first!.rowId);
    expect(detail.values.key).toBe(100_000_042);
    expect(detail.values.img_emb).toMatchObject({ $vector: { dim: 768 } });
    expect((detail.values.img_emb as { $vector: { norm: number } }).$vector.norm).toBeCloseTo(1, 3);
    expect(detail.values.image).toMatchObject({ $binary: {} });
    expect(detail.imageUrl).toBe(`/image/${info.id}/${first!.rowId}`);
    expect(await codeOf(service.row(info.id, '999999999999'))).toBe('NOT_FOUND');
  });

  it('serves image bytes by row id, sniffs their type, and refuses bytes that are not an image', async () => {
    const info = await service.openDataset(tablePath);
    const rows = (await service.page(info.id, 0, 10)).rows;
    const img = await service.images.get(info.id, rows[0]!.rowId);
    expect(img.mime).toBe('image/jpeg');
    expect(Array.from(img.bytes.slice(0, 2))).toEqual([0xff, 0xd8]);
    const err = await service.images.get(info.id, rows[5]!.rowId).catch((e: AppFailure) => e);
    expect((err as AppFailure).code).toBe('NOT_AN_IMAGE');
    expect((err as AppFailure).message).toMatch(/not a JPEG/);
  });

  it('answers many image requests of one tick with the right bytes each, and bounds its cache', async () => {
    const info = await service.openDataset(tablePath);
    const rows = (await service.page(info.id, 100, 150)).rows;
    const imgs = await Promise.all(rows.map((r) => service.images.get(info.id, r.rowId)));
    imgs.forEach((img, i) => {
      // Each synthetic JPEG carries "row <key>" in a comment segment: the right image for the right row.
      expect(Buffer.from(img.bytes).toString('latin1')).toContain(`row ${100_000_100 + i}`);
    });
    expect(service.images.cachedBytes).toBeLessThanOrEqual(64 * 1024);
  });

  it('keeps showing the version it opened while another writer adds rows', async () => {
    const info = await service.openDataset(tablePath);
    const db = await lancedb.connect(tmp.dir);
    const t = await db.openTable('other');
    const before = await service.openDataset(path.join(tmp.dir, 'other.lance'));
    await t.delete('key < 100000005');
    t.close();
    expect((await service.page(before.id, 0, 100)).rows).toHaveLength(30);
    expect(info.rowCount).toBe(1200);
  });

  it('forgets a closed dataset', async () => {
    const info = await service.openDataset(tablePath);
    expect(service.close(info.id)).toBe(true);
    expect(await codeOf(service.page(info.id, 0, 10))).toBe('NOT_FOUND');
    expect(service.close(info.id)).toBe(false);
  });
});
