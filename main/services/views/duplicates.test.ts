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

describe('resolving duplicates', () => {
  // Three groups by md5. Group a: key 1 is largest; key 2 has the highest similarity. Group b: the
  // same size, key 5 is NSFW, key 6 is safe. Group c: all alike (the first is kept).
  const R = [
    { key: 0, md5: 'solo', width: 10, height: 10, similarity: 0.3, NSFW: 'UNLIKELY' },
    { key: 1, md5: 'a', width: 200, height: 200, similarity: 0.31, NSFW: 'UNLIKELY' },
    { key: 2, md5: 'a', width: 100, height: 100, similarity: 0.39, NSFW: 'UNLIKELY' },
    { key: 3, md5: 'a', width: 50, height: 50, similarity: 0.3, NSFW: 'UNLIKELY' },
    { key: 5, md5: 'b', width: 64, height: 64, similarity: 0.35, NSFW: 'NSFW' },
    { key: 6, md5: 'b', width: 64, height: 64, similarity: 0.33, NSFW: 'UNLIKELY' },
    { key: 7, md5: 'c', width: 8, height: 8, similarity: 0.3, NSFW: 'UNLIKELY' },
    { key: 8, md5: 'c', width: 8, height: 8, similarity: 0.3, NSFW: 'UNLIKELY' },
  ];
  let id = '';
  let viewId = '';
  const dir = () => path.join(t.dir, 'resolve');

  beforeAll(async () => {
    const { Schema, Field, Int64, Utf8, Float64 } = arrow;
    const schema = new Schema([new Field('key', new Int64(), false), new Field('md5', new Utf8(), true), new Field('width', new Int64(), true), new Field('height', new Int64(), true), new Field('similarity', new Float64(), true), new Field('NSFW', new Utf8(), true)]);
    const db = await lancedb.connect(dir());
    const tbl = await db.createTable('r', R.map((r) => ({ ...r, key: BigInt(r.key), width: BigInt(r.width), height: BigInt(r.height) })), { schema });
    await tbl.createIndex('key', { config: lancedb.Index.btree() });
    tbl.close();
    const o = (await app.dispatch('dataset:open', { path: path.join(dir(), 'r.lance') })) as { ok: true; value: { id: string } };
    id = o.value.id;
    const v = (await app.dispatch('view:open', { id, spec: { kind: 'duplicates', column: 'md5' } })) as { ok: true; value: ViewInfo };
    viewId = v.value.viewId;
  });

  const keysOf = (g: { members: Array<{ key: string | number | null }> }) => g.members.map((m) => m.key);

  it('suggests a keeper per group by the rule, says why, and follows a changed rule', async () => {
    const p = (await app.dispatch('duplicates:plan', { id, viewId })) as { ok: true; value: import('../../../shared/types').ResolvePlan };
    expect(p.value.rule).toEqual(['resolution', 'similarity', 'safe']);
    expect(p.value.groups).toBe(3);
    expect(p.value.redundant).toBe(4);
    const [a, b, c] = p.value.first;
    expect(keysOf(a!)).toEqual([1, 2, 3]);
    expect(a!.why).toBe('largest resolution');
    expect(keysOf(b!)[0]).toBe(5); // same size: higher similarity wins before safety in the default order
    expect(keysOf(c!)[0]).toBe(7);
    expect(c!.why).toMatch(/first in table order/);
    const q = (await app.dispatch('duplicates:plan', { id, viewId, rule: ['safe', 'similarity'] })) as { ok: true; value: import('../../../shared/types').ResolvePlan };
    expect(keysOf(q.value.first[0]!)[0]).toBe(2);
    expect(keysOf(q.value.first[1]!)[0]).toBe(6);
    expect(q.value.first[1]!.why).toBe('safest NSFW value');
  });

  it('marks the rest of one group, then of all groups, with the keeper\u2019s key; undo restores the version before', async () => {
    const before = ((await app.dispatch('dataset:info', { id })) as { ok: true; value: { version: number } }).value.version;
    const one = (await app.dispatch('duplicates:mark', { id, viewId, group: 0, column: 'duplicate_of', expectedRedundant: 2 })) as { ok: boolean; value: { marked: number }; error?: { message: string } };
    expect(one.error?.message).toBeUndefined();
    expect(one.value.marked).toBe(2);
    const read = async () => {
      const tbl = await (await lancedb.connect(dir())).openTable('r');
      const rows = (await tbl.query().select(['key', 'duplicate_of']).toArray()) as Array<{ key: bigint; duplicate_of: bigint | null }>;
      tbl.close();
      return Object.fromEntries(rows.map((r) => [Number(r.key), r.duplicate_of === null ? null : Number(r.duplicate_of)]));
    };
    expect(await read()).toEqual({ 0: null, 1: null, 2: 1, 3: 1, 5: null, 6: null, 7: null, 8: null });
    // The view was computed before the write: a fresh one, then every group, by another rule.
    const v = (await app.dispatch('view:open', { id, spec: { kind: 'duplicates', column: 'md5' } })) as { ok: true; value: ViewInfo };
    const stale = await app.dispatch('duplicates:mark', { id, viewId: v.value.viewId, group: null, column: 'duplicate_of', expectedRedundant: 3 });
    expect(stale.ok).toBe(false); // the plan said 4
    const all = (await app.dispatch('duplicates:mark', { id, viewId: v.value.viewId, rule: ['safe', 'similarity'], group: null, column: 'duplicate_of', expectedRedundant: 4 })) as { ok: true; value: { marked: number; groups: number } };
    expect(all.value).toMatchObject({ marked: 4, groups: 3 });
    expect(await read()).toEqual({ 0: null, 1: 2, 2: null, 3: 2, 5: 6, 6: null, 7: null, 8: 7 });
    // Undo is the app's restore of the version before (the column and its values go).
    const r = await app.dispatch('versions:restore', { id, version: before });
    expect(r.ok).toBe(true);
    const tbl = await (await lancedb.connect(dir())).openTable('r');
    expect((await tbl.schema()).fields.map((f) => f.name)).not.toContain('duplicate_of');
    tbl.close();
  });

  it('refuses a column of another type, and a view that is not of duplicates', async () => {
    const o = (await app.dispatch('dataset:open', { path: path.join(dir(), 'r.lance') })) as { ok: true; value: { id: string } };
    await app.dispatch('evolve:add-label-column', { id: o.value.id, name: 'note', type: 'text' });
    const v = (await app.dispatch('view:open', { id: o.value.id, spec: { kind: 'duplicates', column: 'md5' } })) as { ok: true; value: ViewInfo };
    const wrong = await app.dispatch('duplicates:mark', { id: o.value.id, viewId: v.value.viewId, group: null, column: 'note', expectedRedundant: 4 });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.message).toMatch(/not a integer label column|not an integer/);
    const b = (await app.dispatch('view:open', { id: o.value.id, spec: { kind: 'browse', sort: { column: 'key', descending: false } } })) as { ok: true; value: ViewInfo };
    const notDup = await app.dispatch('duplicates:plan', { id: o.value.id, viewId: b.value.viewId });
    expect(notDup.ok).toBe(false);
  });
});
