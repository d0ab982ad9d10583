// Exact duplicates on a table with planted groups: copies sharing an md5 (2 to 6 rows each), decoys
// whose md5 differs in one character, unique rows and nulls; then by image bytes, where a re-encoded
// copy is not an exact duplicate. Precision and recall of the groups are measured, not assumed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import sharp from 'sharp';
import { openInApp, tempDir } from '../../test-support/fixtures';
import { arrow, lancedb } from '../dataset/lance';
import type { RowPage, ViewInfo } from '../../../shared/types';

const t = tempDir('lx-dups-');
let app: Awaited<ReturnType<typeof openInApp>>;

/** Planted: group g has 2 + g % 5 rows sharing md5 `dup-<g>`; decoy rows have `dup-<g>x`. */
const GROUPS = 60;
interface Row {
  key: number;
  md5: string | null;
}
const rows: Row[] = [];
for (let g = 0; g < GROUPS; g++) for (let c = 0; c < 2 + (g % 5); c++) rows.push({ key: 0, md5: `dup-${String(g).padStart(4, '0')}` });
for (let g = 0; g < GROUPS; g += 3) rows.push({ key: 0, md5: `dup-${String(g).padStart(4, '0')}x` });
for (let i = 0; i < 500; i++) rows.push({ key: 0, md5: `unique-${i}` });
for (let i = 0; i < 7; i++) rows.push({ key: 0, md5: null });
// Shuffled (deterministically), so copies are spread over the table and its fragments.
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [rows[i], rows[j]] = [rows[j] as Row, rows[i] as Row];
}
rows.forEach((r, i) => (r.key = i));

beforeAll(async () => {
  const { Schema, Field, Int64, Utf8 } = arrow;
  const schema = new Schema([new Field('key', new Int64(), false), new Field('md5', new Utf8(), true)]);
  const db = await lancedb.connect(t.dir);
  const data = rows.map((r) => ({ key: BigInt(r.key), md5: r.md5 }));
  const tbl = await db.createTable('dups', data.slice(0, 300), { schema });
  await tbl.add(data.slice(300));
  tbl.close();
  app = await openInApp(t.dir, path.join(t.dir, 'dups.lance'));
}, 60_000);
afterAll(() => {
  app?.services.dispose();
  t.cleanup();
});

async function groupsOf(viewId: string, count: number, id = app.info.id): Promise<Array<{ keys: number[]; size: number }>> {
  const p = (await app.dispatch('view:page', { id, viewId, offset: 0, limit: Math.max(1, count) })) as { ok: true; value: RowPage };
  const out: Array<{ keys: number[]; size: number }> = [];
  let i = 0;
  while (i < p.value.rows.length) {
    const size = p.value.rows[i]?.score as number;
    out.push({ keys: p.value.rows.slice(i, i + size).map((r) => Number(r.values.key)), size });
    i += size;
  }
  return out;
}

describe('exact duplicates', () => {
  it('finds every planted group by md5 and nothing else, largest first, with a count of redundant rows', async () => {
    const v = (await app.dispatch('view:open', { id: app.info.id, spec: { kind: 'duplicates', column: 'md5' } })) as { ok: true; value: ViewInfo };
    expect(v.ok).toBe(true);
    const found = await groupsOf(v.value.viewId, v.value.count);
    const planted = new Map<string, number[]>();
    for (const r of rows) if (r.md5?.startsWith('dup-') && !r.md5.endsWith('x')) planted.set(r.md5, [...(planted.get(r.md5) ?? []), r.key]);
    const want = new Set([...planted.values()].map((ks) => ks.sort((a, b) => a - b).join(',')));
    const got = found.map((g) => g.keys.sort((a, b) => a - b).join(','));
    const hits = got.filter((g) => want.has(g)).length;
    const precision = hits / got.length;
    const recall = hits / want.size;
    expect(precision).toBe(1);
    expect(recall).toBe(1);
    // Every row of a group shares the md5, and the sizes never grow down the list.
    for (const g of found) expect(new Set(g.keys.map((k) => rows[k]?.md5)).size).toBe(1);
    expect(found.map((g) => g.size)).toEqual([...found.map((g) => g.size)].sort((a, b) => b - a));
    const members = [...planted.values()].reduce((a, g) => a + g.length, 0);
    expect(v.value.count).toBe(members);
    expect(v.value.notes.join(' ')).toContain(`${GROUPS} groups of exact duplicates by md5: ${members} rows, ${members - GROUPS} of them redundant`);
  });

  it('looks among the filtered rows only when there is a filter', async () => {
    const spec = { kind: 'duplicates', column: 'md5', filter: { conditions: [{ column: 'key', op: 'lte', value: 400 }] } } as const;
    const v = (await app.dispatch('view:open', { id: app.info.id, spec })) as { ok: true; value: ViewInfo };
    const found = await groupsOf(v.value.viewId, v.value.count);
    for (const g of found) for (const k of g.keys) expect(k).toBeLessThanOrEqual(400);
    const inRange = new Map<string, number>();
    for (const r of rows) if (r.key <= 400 && r.md5) inRange.set(r.md5, (inRange.get(r.md5) ?? 0) + 1);
    expect(found.length).toBe([...inRange.values()].filter((n) => n > 1).length);
  });

  it('refuses a column that cannot hold a checksum', async () => {
    const v = await app.dispatch('view:open', { id: app.info.id, spec: { kind: 'duplicates', column: 'key' } });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error.message).toMatch(/text column \(an md5\) or the image bytes/);
  });

  it('groups identical image bytes; a re-encoded copy is not an exact duplicate', async () => {
    const dir = path.join(t.dir, 'img');
    const a = await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 200, g: 10, b: 10 } } }).jpeg({ quality: 90 }).toBuffer();
    const b = await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 10, g: 200, b: 10 } } }).png().toBuffer();
    const reencoded = await sharp(a).jpeg({ quality: 60 }).toBuffer();
    const images = [a, b, a, reencoded, b, a].map((x) => new Uint8Array(x));
    const { Schema, Field, Int64, LargeBinary } = arrow;
    const db = await lancedb.connect(dir);
    const schema = new Schema([new Field('key', new Int64(), false), new Field('image', new LargeBinary(), true)]);
    (await db.createTable('imgs', images.map((image, i) => ({ key: BigInt(i), image })), { schema })).close();
    const opened = (await app.dispatch('dataset:open', { path: path.join(dir, 'imgs.lance') })) as { ok: true; value: { id: string } };
    const v = (await app.dispatch('view:open', { id: opened.value.id, spec: { kind: 'duplicates', column: 'image' } })) as { ok: true; value: ViewInfo };
    const found = await groupsOf(v.value.viewId, v.value.count, opened.value.id);
    expect(found.map((g) => g.keys)).toEqual([
      [0, 2, 5],
      [1, 4],
    ]);
    expect(v.value.notes.join(' ')).toMatch(/re-encoded copy is a near duplicate/);
  });
});
