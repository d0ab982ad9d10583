// Small damaged and odd datasets for the error-state e2e tests, rebuilt on every run (a second or two).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeSyntheticTable } from '../../main/synthetic/synthetic-laion';
import { FIXTURES } from './paths';

await fs.rm(FIXTURES, { recursive: true, force: true });
await fs.mkdir(FIXTURES, { recursive: true });

// Rows 0 and 2 hold HTML instead of JPEG bytes.
(await writeSyntheticTable(FIXTURES, 'bad-images', { rows: 40, imageSide: 24, badImages: new Set([0, 2]) })).close();

// Every data file deleted: manifests still say there are rows.
(await writeSyntheticTable(FIXTURES, 'missing-data', { rows: 40, imageSide: 24 })).close();
const dataDir = path.join(FIXTURES, 'missing-data.lance', 'data');
for (const f of await fs.readdir(dataDir)) await fs.rm(path.join(dataDir, f));

// A valid table with no rows left.
const empty = await writeSyntheticTable(FIXTURES, 'empty', { rows: 5, imageSide: 24 });
await empty.delete('true');
empty.close();

// Images and captions but no vector column: find similar explains itself and hides.
const { lancedb } = await import('../../main/services/dataset/lance');
const noVecDb = await lancedb.connect(FIXTURES);
const src = await noVecDb.openTable('bad-images');
const plainRows = await src.query().select(['key', 'image', 'caption', 'url']).offset(4).limit(20).toArrow();
src.close();
(await noVecDb.createTable('no-vectors', plainRows)).close();

// Data files in Lance's old format 0.1/0.2 (LanceDB's own legacy option), four fragments, rows deleted:
// LanceDB cannot read its rows by id.
{
  const t = await writeSyntheticTable(FIXTURES, 'old-format', { rows: 200, imageSide: 24, batchRows: 50, clusters: 4, legacyFormat: true });
  await t.delete('key % 9 = 4');
  await t.createIndex('key', { config: lancedb.Index.btree() });
  t.close();
}

// A hundred columns of many types and no image: the table view's dataset. "name" is not a caption-like
// name, so the app asks which text the tiles show.
{
  const { arrow } = await import('../../main/services/dataset/lance');
  const N = 3000;
  const cols: Record<string, import('apache-arrow').Vector> = {};
  const kinds = ['int', 'float', 'text', 'bool', 'time', 'struct', 'list'] as const;
  for (let c = 0; c < 97; c++) {
    const kind = kinds[c % kinds.length] as (typeof kinds)[number];
    const name = `${kind}_${String(c).padStart(2, '0')}`;
    const at = (i: number) => (i * 7919 + c * 104729) % 100003;
    if (kind === 'int') cols[name] = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => BigInt(at(i))), new arrow.Int64());
    else if (kind === 'float') cols[name] = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => at(i) / 7), new arrow.Float64());
    else if (kind === 'text') cols[name] = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => `word ${at(i)} of column ${c}`), new arrow.Utf8());
    else if (kind === 'bool') cols[name] = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => at(i) % 3 === 0), new arrow.Bool());
    else if (kind === 'time') cols[name] = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => 1_700_000_000_000 + at(i) * 60_000), new arrow.TimestampMillisecond());
    else if (kind === 'struct') cols[name] = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => ({ a: at(i), b: `s${i}` })), new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)]));
    else cols[name] = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => [i % 5, at(i) % 9, 3]), new arrow.List(new arrow.Field('item', new arrow.Int32(), true)));
  }
  cols.name = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => `thing number ${i}`), new arrow.Utf8());
  cols.key = arrow.vectorFromArray(BigInt64Array.from({ length: N }, (_, i) => BigInt(i)));
  cols.vec = arrow.vectorFromArray(Array.from({ length: N }, (_, i) => [i % 7, (i * 3) % 11, 1, 0]), new arrow.FixedSizeList(4, new arrow.Field('item', new arrow.Float32(), true)));
  (await noVecDb.createTable('wide', new arrow.Table(cols))).close();
}

// A folder that is not a dataset at all.
await fs.mkdir(path.join(FIXTURES, 'plain-folder'), { recursive: true });
await fs.writeFile(path.join(FIXTURES, 'plain-folder', 'readme.txt'), 'not a dataset');
console.log(`fixtures in ${FIXTURES}`);

// Row 1's image is a real decompression bomb (a valid 49 kB PNG of 20000x20000 pixels, 1.6 GB once
// decoded); bomb-free is the same table with row 1's own image, the baseline for the memory test.
{
  const { syntheticBatches } = await import('../../main/synthetic/synthetic-laion');
  const { laionBatch } = await import('../../main/services/dataset/laion-schema');
  const { pngBomb } = await import('../../main/test-support/png-bomb');
  const rows = (await syntheticBatches({ rows: 12, imageSide: 24 }).next()).value!;
  (await noVecDb.createTable('bomb-free', laionBatch(rows))).close();
  rows[1]!.image = pngBomb();
  (await noVecDb.createTable('bomb-image', laionBatch(rows))).close();
}

// Three versions whose newest manifest is cut short (as a crash or a full disk mid-write can leave
// it): the app opens version 2 read-only and says what is damaged.
{
  const t = await writeSyntheticTable(FIXTURES, 'truncated-newest', { rows: 30, imageSide: 24 });
  await t.addColumns([{ name: 'area', valueSql: 'width * height' }]);
  await t.addColumns([{ name: 'area2', valueSql: 'width * height * 2' }]);
  t.close();
  const versions = path.join(FIXTURES, 'truncated-newest.lance', '_versions');
  const manifests = (await fs.readdir(versions)).filter((f) => f.endsWith('.manifest'));
  const withTime = await Promise.all(manifests.map(async (f) => [f, (await fs.stat(path.join(versions, f))).mtimeMs] as const));
  const newest = withTime.sort((a, b) => b[1] - a[1])[0]![0];
  await fs.truncate(path.join(versions, newest), 40);
}
