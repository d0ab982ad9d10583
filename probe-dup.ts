import { createAppServices } from './main/services/app-services';
import { createDispatch } from './main/dispatch';
import { lancedb } from './main/services/dataset/lance';
const p = process.env.HOME + '/.cache/lance-explorer/bench/laion-1000000-96px-emb2+key-btree/laion.lance';
const s = createAppServices({ platform: { carrier: 'web' }, dataDir: '/tmp/lx-prof-home' });
const d = createDispatch(s);
const o = await d('dataset:open', { path: p }) as any;
const t = await (await lancedb.connect(p.replace(/\/laion.lance$/, ''))).openTable('laion');
for (let r = 0; r < 4; r++) {
  let a = performance.now();
  const v = await d('view:open', { id: o.value.id, spec: { kind: 'duplicates', column: 'md5' } }) as any;
  const app = performance.now() - a; a = performance.now();
  let n = 0; for await (const b of t.query().select(['md5']).withRowId()) n += b.numRows; const raw = performance.now() - a;
  console.log({ app: app.toFixed(0), raw: raw.toFixed(0), ratio: (app / raw).toFixed(2) });
}
s.dispose();
