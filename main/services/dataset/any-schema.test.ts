// A dataset of any schema: the image column is found by its values (text blobs are not images),
// the app asks for a caption where no column is named like one and remembers the answer, and images
// kept as relative paths (never read outside their folder) or as URLs (fetched only when turned on,
// from a local server here, through a size-limited disk cache) show like inline bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { promises as fs, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { openInApp, tempDir } from '../../test-support/fixtures';
import { arrow, lancedb } from './lance';
import { ImageReferences } from './image-references';
import type { DatasetInfo } from '../../../shared/types';

const t = tempDir('lx-schema-');
const other = tempDir('lx-elsewhere-'); // outside the dataset's folder
let server: Server;
let base = '';
let served = 0;
const pngs: Buffer[] = [];
let app: Awaited<ReturnType<typeof openInApp>>;
const N = 12;

beforeAll(async () => {
  for (let i = 0; i < N; i++) pngs.push(await sharp({ create: { width: 8 + i, height: 8, channels: 3, background: { r: 20 * i, g: 100, b: 200 } } }).png().toBuffer());
  mkdirSync(path.join(t.dir, 'imgs'));
  pngs.forEach((b, i) => writeFileSync(path.join(t.dir, 'imgs', `${i}.png`), b));
  writeFileSync(path.join(t.dir, 'outside.png'), pngs[0]!);
  writeFileSync(path.join(other.dir, 'secret.png'), pngs[1]!);
  symlinkSync(other.dir, path.join(t.dir, 'imgs', 'link'));
  server = createServer((req, res) => {
    served++;
    const m = /^\/i\/(\d+)\.png$/.exec(req.url ?? '');
    if (req.url === '/page.html') return res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><script>alert(1)</script></html>');
    if (!m || !pngs[Number(m[1])]) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(pngs[Number(m[1])]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const rows = Array.from({ length: N }, (_, i) => ({
    id: BigInt(i),
    blob: Buffer.from(`{"note": "a text blob ${i}"}`),
    pic: pngs[i],
    notes: `the ${i}th thing`,
    file: i === 0 ? '../outside.png' : i === 1 ? 'imgs/link/secret.png' : i === 2 ? 'imgs/missing.png' : `imgs/${i}.png`,
    link: i === 3 ? `${base}/page.html` : `${base}/i/${i}.png`,
    a: [i, 0, 0, 1],
    b: [0, i, 1, 0],
  }));
  const schema = new arrow.Schema([
    new arrow.Field('id', new arrow.Int64(), false),
    new arrow.Field('blob', new arrow.Binary(), true),
    new arrow.Field('pic', new arrow.Binary(), true),
    new arrow.Field('notes', new arrow.Utf8(), true),
    new arrow.Field('file', new arrow.Utf8(), true),
    new arrow.Field('link', new arrow.Utf8(), true),
    new arrow.Field('a', new arrow.FixedSizeList(4, new arrow.Field('item', new arrow.Float32(), true)), true),
    new arrow.Field('b', new arrow.FixedSizeList(4, new arrow.Field('item', new arrow.Float32(), true)), true),
  ]);
  (await (await lancedb.connect(t.dir)).createTable('things', rows, { schema })).close();
  app = await openInApp(t.dir, path.join(t.dir, 'things.lance'));
}, 60_000);
afterAll(async () => {
  app?.services.dispose();
  await new Promise((r) => server.close(r));
  t.cleanup();
  other.cleanup();
});

const display = async (change: Record<string, unknown>) => {
  const r = (await app.dispatch('dataset:display', { id: app.info.id, ...change })) as { ok: boolean; value: DatasetInfo; error?: { code: string; message: string } };
  return r;
};
const rowIds = async () => ((await app.dispatch('rows:page', { id: app.info.id, offset: 0, limit: N })) as { ok: true; value: { rows: Array<{ rowId: string }> } }).value.rows.map((r) => r.rowId);
const image = (rowId: string) => app.services.datasets.images.get(app.info.id, rowId).then((b) => Buffer.from(b.bytes), (e: { code: string; message: string }) => e);

describe('a dataset of any schema', () => {
  it('finds the image column by its values, and asks for the caption', () => {
    expect(app.info.imageColumn).toBe('pic');
    expect(app.info.imageKind).toBe('bytes');
    const blob = app.info.imageCandidates?.find((c) => c.column === 'blob');
    expect(blob).toMatchObject({ kind: 'bytes', images: 0, sampled: N });
    expect(app.info.imageCandidates?.find((c) => c.column === 'pic')).toMatchObject({ images: N, formats: ['png'] });
    expect(app.info.imageCandidates?.filter((c) => c.kind === 'reference').map((c) => c.column).sort()).toEqual(['file', 'link']);
    expect(app.info.captionColumn).toBeNull();
    expect(app.info.asks).toEqual(['caption']);
  });

  it('remembers the caption and the vector column chosen, across a reopen', async () => {
    const r = await display({ caption: 'notes', vector: 'b' });
    expect(r.value).toMatchObject({ captionColumn: 'notes', vectorColumns: ['b', 'a'] });
    expect(r.value.asks).toBeUndefined();
    const again = (await app.dispatch('dataset:open', { path: path.join(t.dir, 'things.lance') })) as { ok: true; value: DatasetInfo };
    expect(again.value).toMatchObject({ captionColumn: 'notes', vectorColumns: ['b', 'a'], imageColumn: 'pic' });
    expect((await display({ caption: 'pic' })).error?.code).toBe('INVALID_PAYLOAD');
    expect((await display({ vector: 'notes' })).error?.code).toBe('INVALID_PAYLOAD');
  });

  it('shows relative paths from the dataset folder, and never reads outside it', async () => {
    const r = await display({ image: 'file' });
    expect(r.value).toMatchObject({ imageColumn: 'file', imageKind: 'reference' });
    const ids = await rowIds();
    expect(await image(ids[5]!)).toEqual(pngs[5]);
    expect(await image(ids[0]!)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/leads outside the image folder/) });
    expect(await image(ids[1]!)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/through a link/) });
    expect(await image(ids[2]!)).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no image file/) });
    // A chosen folder: paths resolve from there (imgs/5.png is then missing).
    await display({ root: path.join(t.dir, 'imgs') });
    expect(await image(ids[5]!)).toMatchObject({ code: 'NOT_FOUND' });
    expect((await display({ root: path.join(t.dir, 'nope') })).error?.code).toBe('NOT_FOUND');
    expect((await display({ root: 'relative/dir' })).error?.code).toBe('INVALID_PAYLOAD');
    await display({ root: '' });
    expect(await image(ids[5]!)).toEqual(pngs[5]);
  });

  it('fetches URLs only once remote images are on, through the disk cache, sniffed like bytes', async () => {
    await display({ image: 'link' });
    const ids = await rowIds();
    const before = served;
    expect(await image(ids[4]!)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/Remote images are off/) });
    expect(served).toBe(before);
    expect((await display({ remote: true })).value.remoteImages).toBe(true);
    expect(await image(ids[4]!)).toEqual(pngs[4]);
    expect(served).toBe(before + 1);
    app.services.datasets.images.forget(app.info.id); // the memory cache gone: the disk cache answers
    expect(await image(ids[4]!)).toEqual(pngs[4]);
    expect(served).toBe(before + 1);
    expect(await image(ids[3]!)).toMatchObject({ code: 'NOT_AN_IMAGE' }); // an HTML page, never served as an image
    await display({ remote: false });
    expect(await image(ids[6]!)).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('keeps the disk cache under its size limit, least recently used out first', async () => {
    const dir = path.join(t.dir, 'small-cache');
    const refs = new ImageReferences(dir, 3 * 200);
    for (let i = 4; i < N; i++) await refs.read(`${base}/i/${i}.png`, { root: null, remote: true });
    expect(await refs.cacheSize()).toBeLessThanOrEqual(600);
    expect((await fs.readdir(dir)).length).toBeGreaterThan(0);
    await expect(refs.read(`${base}/i/99.png`, { root: null, remote: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads the types other writers use: half floats, decimals, dates, dictionaries, large strings, maps, nested lists', async () => {
    const A = arrow;
    const n = 4;
    const dec = A.makeBuilder({ type: new A.Decimal(2, 12, 128), nullValues: [null] });
    for (const v of [12345n, -1n, null, 10n ** 20n]) dec.append(v === null ? null : (new Uint32Array(new BigUint64Array([BigInt.asUintN(64, v), v < 0n ? 2n ** 64n - 1n : v >> 64n]).buffer) as never));
    const map = A.makeBuilder({ type: new A.Map_(new A.Field('entries', new A.Struct([new A.Field('key', new A.Utf8(), false), new A.Field('value', new A.Int32(), true)]) as never, false)), nullValues: [null] });
    for (let i = 0; i < n; i++) map.append(i === 2 ? null : (new Map([[`k${i}`, i]]) as never));
    const table = new A.Table({
      id: A.vectorFromArray([0, 1, 2, 3], new A.Int32()),
      half: A.vectorFromArray([1.5, -2.25, null, 65504], new A.Float16()),
      price: dec.finish().toVector(),
      day: A.vectorFromArray([new Date(0), new Date(86_400_000), null, new Date(1e12)], new A.DateDay()),
      kind: A.vectorFromArray(['cat', 'dog', null, 'cat'], new A.Dictionary(new A.Utf8(), new A.Int32())),
      long: A.vectorFromArray(['x', 'y', null, 'z'], new A.LargeUtf8()),
      big: A.vectorFromArray([1n, 2n ** 63n, null, 3n], new A.Uint64()),
      emb16: A.vectorFromArray([[1, 2], [3, 4], null, [0.5, 0.25]], new A.FixedSizeList(2, new A.Field('item', new A.Float16(), true))),
      boxes: A.vectorFromArray([[{ a: 1 }], [], null, [{ a: 2 }, { a: 3 }]], new A.List(new A.Field('item', new A.Struct([new A.Field('a', new A.Int32(), true)]), true))),
      tags: map.finish().toVector(),
    });
    (await (await lancedb.connect(t.dir)).createTable('odd', table)).close();
    const other = await openInApp(path.join(t.dir, 'o'), path.join(t.dir, 'odd.lance'));
    try {
      const page = ((await other.dispatch('rows:page', { id: other.info.id, offset: 0, limit: 10 })) as { ok: true; value: { rows: Array<{ rowId: string; values: Record<string, unknown> }> } }).value.rows;
      const col = (c: string) => page.map((r) => r.values[c]);
      expect(col('half')).toEqual([1.5, -2.25, null, 65504]);
      expect(col('price')).toEqual([123.45, -0.01, null, '1000000000000000000.00']);
      expect(col('day')).toEqual(['1970-01-01T00:00:00.000Z', '1970-01-02T00:00:00.000Z', null, '2001-09-09T00:00:00.000Z']);
      expect(col('kind')).toEqual(['cat', 'dog', null, 'cat']);
      expect(col('long')).toEqual(['x', 'y', null, 'z']);
      expect(col('big')).toEqual([1, '9223372036854775808', null, 3]);
      expect(col('boxes')).toEqual([[{ a: 1 }], [], null, [{ a: 2 }, { a: 3 }]]);
      expect(col('tags')).toEqual([{ k0: 0 }, { k1: 1 }, null, { k3: 3 }]);
      expect(other.info.vectorColumns).toEqual(['emb16']);
      const detail = (await other.dispatch('rows:get', { id: other.info.id, rowId: page[1]!.rowId })) as { ok: true; value: { values: Record<string, unknown> } };
      expect(detail.value.values.emb16).toEqual({ $vector: { dim: 2, head: [3, 4], norm: 5 } });
      expect(other.info.imageColumn).toBeNull();
    } finally {
      other.services.dispose();
    }
  });
});
