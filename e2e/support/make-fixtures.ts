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

// A folder that is not a dataset at all.
await fs.mkdir(path.join(FIXTURES, 'plain-folder'), { recursive: true });
await fs.writeFile(path.join(FIXTURES, 'plain-folder', 'readme.txt'), 'not a dataset');
console.log(`fixtures in ${FIXTURES}`);

// Row 1's image is a real 8x8 PNG whose header claims 20000x20000 pixels (1.6 GB once decoded).
{
  const { syntheticBatches } = await import('../../main/synthetic/synthetic-laion');
  const { laionBatch } = await import('../../main/services/dataset/laion-schema');
  const sharp = (await import('sharp')).default;
  const rows = (await syntheticBatches({ rows: 12, imageSide: 24 }).next()).value!;
  const png = new Uint8Array(await sharp(Buffer.alloc(8 * 8 * 3, 200), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer());
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  v.setUint32(16, 20000);
  v.setUint32(20, 20000);
  rows[1]!.image = png;
  (await noVecDb.createTable('bomb-image', laionBatch(rows))).close();
}
