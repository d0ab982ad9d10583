// The raw side of the ui suite's memory figure, in a process of its own (as the bridge is): raw
// LanceDB doing what 200 jumps ask of main (a page of 200 rows at a random offset, then 48 of those
// rows' images by row id), after the same warm-up. Prints one JSON line: RSS after the warm-up and
// at the end. Usage: tsx bench/ui-raw-memory.ts <table path> <warm> <jumps>
import path from 'node:path';
import { lancedb } from '../main/services/dataset/lance';
import { randomOffsets } from './bench-support';

const [tablePath, warmText, jumpsText] = process.argv.slice(2);
const warm = Number(warmText);
const jumps = Number(jumpsText);
const table = await (await lancedb.connect(path.dirname(tablePath as string))).openTable(path.basename(tablePath as string, '.lance'));
const schema = await table.schema();
const columns = schema.fields.filter((f) => !['image', 'img_emb', 'emb2'].includes(f.name) && !/^(Binary|FixedSizeList|LargeBinary)/.test(String(f.type))).map((f) => f.name);
const rows = await table.countRows();
const once = async (offset: number) => {
  const page = await table.query().select(columns).withRowId().offset(offset).limit(200).toArrow();
  const ids = [...(page.getChild('_rowid')?.toArray() as BigInt64Array)].slice(0, 48).map((x) => BigInt(x));
  if (ids.length) await table.takeRowIds(ids).select(['image']).toArrow();
};
const offsets = randomOffsets(warm + jumps, Math.max(1, rows - 200), 97);
for (const o of offsets.slice(0, warm)) await once(o);
const before = process.memoryUsage().rss;
for (const o of offsets.slice(warm)) await once(o);
console.log(JSON.stringify({ before, after: process.memoryUsage().rss }));
table.close();
