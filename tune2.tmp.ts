import { lancedb } from './main/services/lance';
const rows = Number(process.argv[2] ?? 100000);
const db = await lancedb.connect(process.env.HOME + `/.cache/lance-explorer/bench/laion-${rows}-96px-emb2-noindex`);
const t = await db.openTable('laion');
const ids: bigint[] = [];
for (let i = 0; i < 40; i++) { const r = await t.query().withRowId().select(['key']).offset((i * 7919 * 31) % rows).limit(1).toArrow(); ids.push(r.getChild('_rowid')!.get(0) as bigint); }
const vecs: number[][] = [];
for (const id of ids) { const q = await t.takeRowIds([id]).select(['img_emb']).toArrow(); vecs.push(Array.from(q.getChild('img_emb')!.get(0) as Iterable<number>)); }
const time = async (label: string, f: (v: number[]) => Promise<unknown>) => {
  for (let w = 0; w < 5; w++) await f(vecs[w]!);
  const xs: number[] = [];
  for (let i = 0; i < vecs.length; i++) { const t0 = performance.now(); await f(vecs[i]!); xs.push(performance.now() - t0); }
  xs.sort((a, b) => a - b);
  console.log(label.padEnd(48), 'p50', xs[20]!.toFixed(2), 'p90', xs[36]!.toFixed(2));
};
await time('np5 rf0 select [] withRowId', (v) => t.vectorSearch(v).column('img_emb').nprobes(5).limit(11).withRowId().select([]).toArrow());
await time('np5 rf0 select key withRowId', (v) => t.vectorSearch(v).column('img_emb').nprobes(5).limit(11).withRowId().select(['key']).toArrow());
await time('np5 rf0 select key (no rowid)', (v) => t.vectorSearch(v).column('img_emb').nprobes(5).limit(11).select(['key']).toArrow());
await time('np5 rf5 select [] withRowId', (v) => t.vectorSearch(v).column('img_emb').nprobes(5).refineFactor(5).limit(11).withRowId().select([]).toArrow());
await time('np5 rf5 select key withRowId', (v) => t.vectorSearch(v).column('img_emb').nprobes(5).refineFactor(5).limit(11).withRowId().select(['key']).toArrow());
await time('np1 rf0 select []', (v) => t.vectorSearch(v).column('img_emb').nprobes(1).limit(11).withRowId().select([]).toArrow());
await time('np5 rf0 float32array', (v) => t.vectorSearch(Float32Array.from(v)).column('img_emb').nprobes(5).limit(11).withRowId().select([]).toArrow());
await time('np5 rf5 + page cols', (v) => t.vectorSearch(v).column('img_emb').nprobes(5).refineFactor(5).limit(11).withRowId().select(['key','caption','url','NSFW','similarity','width','height','LICENSE','status','exif','md5','original_width','original_height','image_path','error_message']).toArrow());
