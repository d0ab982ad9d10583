import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createAppServices, type AppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { lancedb } from '../dataset/lance';
import { dogsAndCatsTable, laionTable, tempDir } from '../../test-support/fixtures';
import type { DatasetInfo, RowPage, ViewInfo, ViewSpec } from '../../../shared/types';
import type { Result } from '../../../shared/result';

const tmp = tempDir();
let services: AppServices;
let dispatch: ReturnType<typeof createDispatch>;
let info: DatasetInfo;
let plain: DatasetInfo;
const ROWS = 3000;

beforeAll(async () => {
  const p = await laionTable(tmp.dir, 'train', ROWS, { clusters: 30, batchRows: 1000 });
  const db = await lancedb.connect(tmp.dir);
  const t = await db.openTable('train');
  await t.createIndex('img_emb', { config: lancedb.Index.ivfPq({ numPartitions: 8, numSubVectors: 48, distanceType: 'l2' }) });
  t.close();
  // A table without any vector column.
  const noVec = await db.createTable('novec', [{ key: 1, caption: 'a cat' }, { key: 2, caption: 'a dog' }]);
  noVec.close();
  services = createAppServices({ dataDir: path.join(tmp.dir, 'home'), demoPath: path.join(tmp.dir, 'demo.lance'), platform: { carrier: 'web' } });
  dispatch = createDispatch(services);
  info = ((await dispatch('dataset:open', { path: p })) as { value: DatasetInfo }).value;
  plain = ((await dispatch('dataset:open', { path: path.join(tmp.dir, 'novec.lance') })) as { value: DatasetInfo }).value;
}, 180_000);
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

async function view(spec: ViewSpec, id = info.id): Promise<Result<ViewInfo>> {
  return (await dispatch('view:open', { id, spec })) as Result<ViewInfo>;
}
async function okView(spec: ViewSpec): Promise<ViewInfo> {
  const r = await view(spec);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
async function page(v: ViewInfo, offset = 0, limit = 200): Promise<RowPage> {
  const r = (await dispatch('view:page', { id: info.id, viewId: v.viewId, offset, limit })) as Result<RowPage>;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
async function rawCount(where: string) {
  const t = await (await lancedb.connect(tmp.dir)).openTable('train');
  const n = await t.countRows(where);
  t.close();
  return n;
}

describe('filters', () => {
  it('builds quoted SQL from conditions and counts what matches', async () => {
    const v = await okView({
      kind: 'browse',
      filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNLIKELY' }, { column: 'similarity', op: 'between', min: 0.3, max: 0.35 }] },
    });
    expect(v.where).toBe("(`NSFW` = 'UNLIKELY') AND (`similarity` >= 0.3 AND `similarity` <= 0.35)");
    expect(v.count).toBe(await rawCount("NSFW = 'UNLIKELY' AND similarity >= 0.3 AND similarity <= 0.35"));
    expect(v.count).toBeGreaterThan(100);
    expect(v.count).toBeLessThan(ROWS);
    const rows = (await page(v, 0, 1000)).rows;
    for (const r of rows) {
      expect(r.values.NSFW).toBe('UNLIKELY');
      expect(r.values.similarity as number).toBeGreaterThanOrEqual(0.3);
    }
  });

  it('treats injection attempts in values as plain text', async () => {
    const v = await okView({ kind: 'browse', filter: { conditions: [{ column: 'caption', op: 'eq', value: "x' OR 1=1 OR caption = 'y" }] } });
    expect(v.count).toBe(0);
    const c = await okView({ kind: 'browse', filter: { conditions: [{ column: 'caption', op: 'contains', value: "%' OR '1'='1" }] } });
    expect(c.count).toBe(0);
    const k = await okView({ kind: 'browse', filter: { conditions: [{ column: 'key', op: 'in', values: [100000001, 100000002] }] } });
    expect(k.count).toBe(2);
  });

  it('refuses unknown or escaping column names, wrong operators, empty and NaN ranges', async () => {
    const cases: Array<[ViewSpec, RegExp]> = [
      [{ kind: 'browse', filter: { conditions: [{ column: 'nope', op: 'eq', value: 1 }] } }, /no column "nope"/],
      [{ kind: 'browse', filter: { conditions: [{ column: 'key` = 1 OR `key', op: 'eq', value: 1 }] } }, /no column/],
      [{ kind: 'browse', filter: { conditions: [{ column: 'caption', op: 'between', min: 1, max: 2 }] } }, /does not apply/],
      [{ kind: 'browse', filter: { conditions: [{ column: 'width', op: 'between', min: 9, max: 2 }] } }, /range for width is empty/],
      [{ kind: 'browse', filter: { conditions: [{ column: 'width', op: 'eq', value: 'ten' }] } }, /finite number/],
    ];
    for (const [spec, message] of cases) {
      const r = await view(spec);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_PAYLOAD');
        expect(r.error.message).toMatch(message);
      }
    }
    const nan = await dispatch('view:open', { id: info.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'width', op: 'between', min: Number.NaN }] } } });
    expect(nan).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/NaN|finite/) } });
  });

  it('checks a raw SQL expression before running it and says what is wrong', async () => {
    const good = await dispatch('filter:check', { id: info.id, filter: { conditions: [], sql: 'width >= 16 AND key < 100000100' } });
    expect(good).toEqual({ ok: true, value: { where: '(width >= 16 AND key < 100000100)', count: 100 } });
    const bad = [
      ['nope > 3', /No field named nope/],
      ['width > 1; DROP TABLE train', /remove the ";"/],
      ['width > 1 -- comment', /Comments/],
      ["caption = 'unclosed", /not closed/],
      ['(width > 1', /not closed/],
      ['width >> 1', /boolean/],
    ] as const;
    for (const [sql, message] of bad) {
      const r = await dispatch('filter:check', { id: info.id, filter: { conditions: [], sql } });
      expect(r, sql).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(message) } });
    }
  });

  it('sorts by any scalar column, both ways, combined with a filter', async () => {
    const desc = await okView({ kind: 'browse', sort: { column: 'similarity', descending: true }, filter: { conditions: [{ column: 'key', op: 'lte', value: 100001000 }] } });
    expect(desc.count).toBe(1001);
    const values = (await page(desc, 0, 1000)).rows.map((r) => r.values.similarity as number);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const asc = await okView({ kind: 'browse', sort: { column: 'caption', descending: false } });
    const captions = (await page(asc, 0, 300)).rows.map((r) => r.values.caption as string);
    expect(captions).toEqual([...captions].sort());
    const last = await page(asc, ROWS - 5, 10);
    expect(last.rows).toHaveLength(5);
    expect(last.rows[0]!.index).toBe(ROWS - 5);
    const r = await view({ kind: 'browse', sort: { column: 'img_emb', descending: false } });
    expect(r).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Cannot sort by "img_emb"/) } });
  });
});

describe('find similar', () => {
  async function rowIdOf(index: number) {
    return (await services.datasets.page(info.id, index, 1)).rows[0]!.rowId;
  }

  it('pins the query row first, then neighbours by increasing distance, k of them', async () => {
    const rowId = await rowIdOf(17);
    const v = await okView({ kind: 'similar', rowId, column: 'img_emb', k: 50, metric: 'l2', nprobes: 20, refineFactor: 10 });
    expect(v.count).toBe(51);
    expect(v.usedIndex).toBe(true);
    const rows = (await page(v)).rows;
    expect(rows[0]).toMatchObject({ rowId, isQuery: true, score: 0 });
    const d = rows.slice(1).map((r) => r.score as number);
    expect(d).toEqual([...d].sort((a, b) => a - b));
    expect(new Set(rows.map((r) => r.rowId)).size).toBe(51);
  });

  it('finds at least 95% of the exact top-10 through the index (recall against exact search)', async () => {
    let hits = 0;
    let total = 0;
    for (let i = 0; i < 20; i++) {
      const rowId = await rowIdOf(i * 137);
      const ann = await okView({ kind: 'similar', rowId, column: 'img_emb', k: 10, metric: 'l2', nprobes: 8, refineFactor: 10 });
      // Cosine on these L2-normalised vectors ranks exactly as L2 does, and bypasses the L2 index:
      // an exact search through the same app path.
      const exactCos = await okView({ kind: 'similar', rowId, column: 'img_emb', k: 10, metric: 'cosine', nprobes: 8, refineFactor: 10 });
      expect(exactCos.usedIndex).toBe(false);
      const truth = new Set((await page(exactCos)).rows.slice(1).map((r) => r.rowId));
      for (const r of (await page(ann)).rows.slice(1)) if (truth.has(r.rowId)) hits++;
      total += truth.size;
    }
    expect(hits / total).toBeGreaterThanOrEqual(0.95);
  });

  it('applies filters as a prefilter and says when the metric forces an exact search', async () => {
    const rowId = await rowIdOf(5);
    const v = await okView({ kind: 'similar', rowId, column: 'img_emb', k: 20, metric: 'cosine', nprobes: 20, refineFactor: 5, filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNSURE' }] } });
    expect(v.usedIndex).toBe(false);
    expect(v.notes.join(' ')).toMatch(/built for L2; cosine runs as an exact search/);
    const rows = (await page(v)).rows;
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows.slice(1)) expect(r.values.NSFW).toBe('UNSURE');
  });

  it('refuses absurd k, non-vector columns and datasets without vectors, with reasons', async () => {
    const rowId = await rowIdOf(1);
    for (const k of [0, 5000, 2.5]) {
      const r = await view({ kind: 'similar', rowId, column: 'img_emb', k, metric: 'l2', nprobes: 20, refineFactor: 5 });
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/\bk\b/) } });
    }
    const notVector = await view({ kind: 'similar', rowId, column: 'caption', k: 5, metric: 'l2', nprobes: 20, refineFactor: 5 });
    expect(notVector).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not a vector column/) } });
    const none = await view({ kind: 'similar', rowId: '0', column: 'caption', k: 5, metric: 'l2', nprobes: 20, refineFactor: 5 }, plain.id);
    expect(none).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED', message: expect.stringMatching(/no vector column/) } });
  });

  it('works on a vector column of another dimension and refuses ragged lists, with reasons', async () => {
    // 4-d vectors next to variable-length lists: the app must not assume 768 dimensions anywhere.
    const { Schema, Field, FixedSizeList, List, Float32, Int64 } = await import('apache-arrow');
    const schema = new Schema([
      new Field('key', new Int64(), false),
      new Field('small_emb', new FixedSizeList(4, new Field('item', new Float32(), true)), true),
      new Field('ragged', new List(new Field('item', new Float32(), true)), true),
    ]);
    const rows = Array.from({ length: 40 }, (_, i) => ({ key: BigInt(i), small_emb: [i, i % 3, 1, 0], ragged: Array.from({ length: 1 + (i % 5) }, () => i) }));
    const db = await lancedb.connect(tmp.dir);
    (await db.createTable('dims', rows, { schema })).close();
    const dims = ((await dispatch('dataset:open', { path: path.join(tmp.dir, 'dims.lance') })) as { value: DatasetInfo }).value;
    expect(dims.vectorColumns).toEqual(['small_emb']);
    const rowId = (await services.datasets.page(dims.id, 10, 1)).rows[0]!.rowId;
    const v = await view({ kind: 'similar', rowId, column: 'small_emb', k: 2, metric: 'l2', nprobes: 1, refineFactor: 1 }, dims.id);
    expect(v.ok).toBe(true);
    const found = (await dispatch('view:page', { id: dims.id, viewId: (v as { value: ViewInfo }).value.viewId, offset: 0, limit: 10 })) as Result<RowPage>;
    // Key 10 = [10, 1, 1, 0]; its two nearest are keys 9 = [9, 0, 1, 0] and 11 = [11, 2, 1, 0], both at
    // squared L2 distance 2; the next ones (8 and 12) are at 5.
    const keys = found.ok ? found.value.rows.map((r) => r.values.key as number) : [];
    expect(keys[0]).toBe(10);
    expect(keys.slice(1).sort((a, b) => a - b)).toEqual([9, 11]);
    expect(found.ok && found.value.rows.slice(1).map((r) => r.score)).toEqual([2, 2]);
    const ragged = await view({ kind: 'similar', rowId, column: 'ragged', k: 3, metric: 'l2', nprobes: 1, refineFactor: 1 }, dims.id);
    expect(ragged).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/"ragged" is not a vector column/) } });
  });
});

describe('more like these, less like that', () => {
  it('searches by the mean of the examples, away from the unliked at half weight, leaving the examples out', async () => {
    const { Schema, Field, FixedSizeList, Float32, Int64 } = await import('apache-arrow');
    const schema = new Schema([new Field('key', new Int64(), false), new Field('small_emb', new FixedSizeList(4, new Field('item', new Float32(), true)), true)]);
    const rows = Array.from({ length: 40 }, (_, i) => ({ key: BigInt(i), small_emb: [i, i % 3, 1, 0] }));
    const db = await lancedb.connect(tmp.dir);
    (await db.createTable('examples', rows, { schema })).close();
    const ds = ((await dispatch('dataset:open', { path: path.join(tmp.dir, 'examples.lance') })) as { value: DatasetInfo }).value;
    const rowIdOf = async (i: number) => (await services.datasets.page(ds.id, i, 1)).rows[0]!.rowId;
    const keysOf = async (spec: ViewSpec) => {
      const v = await view(spec, ds.id);
      if (!v.ok) throw new Error(v.error.message);
      const p = (await dispatch('view:page', { id: ds.id, viewId: v.value.viewId, offset: 0, limit: 10 })) as Result<RowPage>;
      return { keys: p.ok ? p.value.rows.map((r) => r.values.key as number) : [], notes: v.value.notes };
    };
    const base = { kind: 'similar', column: 'small_emb', k: 3, metric: 'l2', nprobes: 1, refineFactor: 1 } as const;
    // Keys 10 = [10, 1, 1, 0] and 20 = [20, 2, 1, 0]: the mean is [15, 1.5, 1, 0]; nearest are 14 and 16
    // (1.25 away), then 15 (2.25). Neither example is a result; the first is pinned as the query.
    const more = await keysOf({ ...base, rowId: await rowIdOf(10), alsoLike: [{ rowId: await rowIdOf(20), key: 20 }] });
    expect(more.keys[0]).toBe(10);
    expect(more.keys.slice(1).sort((a, b) => a - b)).toEqual([14, 15, 16]);
    expect(more.notes.join(' ')).toMatch(/Searching by 2 images: the mean of their small_emb vectors/);
    // Less like key 30: [10, 1, 1, 0] - 0.5 x [30, 0, 1, 0] = [-5, 1, 0.5, 0]: nearest 0, 1, 2 in that order.
    const less = await keysOf({ ...base, rowId: await rowIdOf(10), unlike: [{ rowId: await rowIdOf(30) }] });
    expect(less.keys).toEqual([10, 0, 1, 2]);
    expect(less.notes.join(' ')).toMatch(/away from 1: .* less half the mean of the others/);
    // An example whose row id is gone (a write gave it a new one) is found again by its key.
    const moved = await keysOf({ ...base, rowId: await rowIdOf(10), alsoLike: [{ rowId: '123456789', key: 20 }] });
    expect(moved.keys.slice(1).sort((a, b) => a - b)).toEqual([14, 15, 16]);
    // One that cannot be found says which; too many examples are refused by the contract.
    const gone = await view({ ...base, rowId: await rowIdOf(10), alsoLike: [{ rowId: '123456789' }] }, ds.id);
    expect(gone).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/Row 123456789 has no small_emb vector/) } });
    const many = await view({ ...base, rowId: await rowIdOf(10), alsoLike: Array.from({ length: 201 }, () => ({ rowId: '1' })) }, ds.id);
    expect(many).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/at most 200 examples/) } });
  });

  it('for cosine, counts each example by its direction', async () => {
    const { exampleQuery } = await import('./views');
    const q = exampleQuery([Float32Array.from([10, 0]), Float32Array.from([0, 1])], [], true);
    // unit vectors [1, 0] and [0, 1]: their mean points at 45 degrees, whatever the lengths were
    expect(q[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(q[1]).toBeCloseTo(Math.SQRT1_2, 5);
    const l2 = exampleQuery([Float32Array.from([10, 0]), Float32Array.from([0, 1])], [Float32Array.from([2, 2])], false);
    expect([...l2]).toEqual([4, -0.5]);
  });
});

describe('search by meaning, through captions (no model)', () => {
  it('finds the images nearest what the matching captions show, also those whose captions never say the words', async () => {
    // rows 0-4 say dog, 5-9 "puppy by the sea" (never dog), both near [1, 0, 0, 0]; 10-39 are cats
    await dogsAndCatsTable(tmp.dir, 'meaning');
    const ds = ((await dispatch('dataset:open', { path: path.join(tmp.dir, 'meaning.lance') })) as { value: DatasetInfo }).value;
    const spec = { kind: 'meaning', text: 'dog', via: 'captions', captionColumn: 'caption', hits: 5, column: 'emb', k: 10, metric: 'l2', nprobes: 1, refineFactor: 1 } as const;
    const v = await view(spec, ds.id);
    if (!v.ok) throw new Error(v.error.message);
    expect(v.value.notes.join(' ')).toMatch(/By captions \(no text model\): the images nearest the mean emb of the 5 rows whose caption best match the words/);
    expect(v.value.count).toBe(10);
    const p = (await dispatch('view:page', { id: ds.id, viewId: v.value.viewId, offset: 0, limit: 20 })) as Result<RowPage>;
    const found = p.ok ? p.value.rows : [];
    expect(found.map((r) => r.values.key as number).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(found.filter((r) => String(r.values.caption).startsWith('puppy'))).toHaveLength(5); // never says "dog"
    const d = found.map((r) => r.score as number);
    expect(d).toEqual([...d].sort((a, b) => a - b));
    // words alone find only the captions that say them
    const words = await view({ kind: 'search', text: 'dog', column: 'caption', limit: 100 }, ds.id);
    expect(words.ok && words.value.count).toBe(5);
    // no caption matches: an empty view that says why
    const none = await view({ ...spec, text: 'zebra' }, ds.id);
    expect(none).toMatchObject({ ok: true, value: { count: 0, notes: expect.arrayContaining([expect.stringMatching(/No caption matches these words/)]) } });
    const badCol = await view({ ...spec, captionColumn: 'emb' }, ds.id);
    expect(badCol).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/"emb" is not a text column/) } });
  });
});

describe('caption search', () => {
  it('finds captions with the words, ranked, combinable with filters; says when there is no index', async () => {
    const v = await okView({ kind: 'search', text: 'wedding cake', column: 'caption', limit: 100 });
    expect(v.usedIndex).toBe(false);
    expect(v.notes.join(' ')).toMatch(/no full-text index/);
    const rows = (await page(v)).rows;
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) expect(r.values.caption as string).toMatch(/wedding|cake/);
    const scores = rows.map((r) => r.score as number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const t = await (await lancedb.connect(tmp.dir)).openTable('train');
    await t.createIndex('caption', { config: lancedb.Index.fts({ withPosition: true }) });
    t.close();
    // The open dataset keeps its version; a reopened one sees the index.
    const reopened = ((await dispatch('dataset:open', { path: path.join(tmp.dir, 'train.lance') })) as { value: DatasetInfo }).value;
    const r = (await dispatch('view:open', { id: reopened.id, spec: { kind: 'search', text: 'wedding', column: 'caption', limit: 50, filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNLIKELY' }] } } })) as Result<ViewInfo>;
    expect(r.ok && r.value.usedIndex).toBe(true);
  });

  it('refuses an empty query and a non-text column', async () => {
    expect(await view({ kind: 'search', text: '   ', column: 'caption', limit: 10 })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await view({ kind: 'search', text: 'x', column: 'width', limit: 10 })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not a text column/) } });
  });

  it('expires views after a while, with a message that says what to do', async () => {
    const r = await dispatch('view:page', { id: info.id, viewId: 'expiredView', offset: 0, limit: 10 });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/run the search or filter again/) } });
  });
});

describe('filter suggestions', () => {
  it('lists a text column\'s most frequent values over the whole table, with counts', async () => {
    const r = (await dispatch('column:top-values', { id: info.id, column: 'NSFW', limit: 5 })) as { ok: true; value: { values: Array<{ value: string; count: number }>; distinct: number; rows: number } };
    expect(r.ok).toBe(true);
    expect(r.value.rows).toBe(ROWS);
    expect(r.value.values.length).toBeGreaterThan(0);
    expect(r.value.values.reduce((a, v) => a + v.count, 0)).toBe(ROWS); // every row has one of them
    const counts = r.value.values.map((v) => v.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const check = (await dispatch('filter:check', { id: info.id, filter: { conditions: [{ column: 'NSFW', op: 'eq', value: r.value.values[0]!.value }] } })) as { value: { count: number } };
    expect(check.value.count).toBe(r.value.values[0]!.count);
    expect(await dispatch('column:top-values', { id: info.id, column: 'width', limit: 5 })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/not a text column/) } });
  });
});
