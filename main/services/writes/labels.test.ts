import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../app-services';
import { laionTable, tempDir, openInApp, type Dispatch } from '../../test-support/fixtures';
import type { DatasetInfo, RowPage, ViewInfo } from '../../../shared/types';
import type { Result } from '../../../shared/result';

const tmp = tempDir('lx-labels-');
let services: AppServices;
let dispatch: Dispatch;
let p: string;
let info: DatasetInfo;

type SetResult = Result<{ version: number; updated: number; reopenView: boolean }>;

beforeAll(async () => {
  // Four fragments of 500 rows: labelled rows move out of them into new fragments.
  p = await laionTable(tmp.dir, 'train', 2000, { batchRows: 500, imageSide: 16 });
  ({ services, dispatch, info } = await openInApp(tmp.dir, p));
  expect(await dispatch('evolve:add-label-column', { id: info.id, name: 'quality', type: 'category', categories: ['good', 'blurry', "it's ok"] })).toMatchObject({ ok: true });
  expect(await dispatch('evolve:add-label-column', { id: info.id, name: 'stars', type: 'integer' })).toMatchObject({ ok: true });
  expect(await dispatch('evolve:add-label-column', { id: info.id, name: 'weight', type: 'float' })).toMatchObject({ ok: true });
  expect(await dispatch('evolve:add-label-column', { id: info.id, name: 'checked', type: 'boolean' })).toMatchObject({ ok: true });
  expect(await dispatch('evolve:add-label-column', { id: info.id, name: 'note', type: 'text' })).toMatchObject({ ok: true });
}, 60_000);
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

const label = (req: object, id = info.id) => dispatch('labels:set', { id, viewId: null, ...req }) as Promise<SetResult>;
const page = async (offset: number, limit: number, id = info.id, viewId?: string) =>
  ((await dispatch(viewId ? 'view:page' : 'rows:page', { id, offset, limit, ...(viewId ? { viewId } : {}) })) as { value: RowPage }).value.rows;
const openView = async (spec: object, id = info.id) => ((await dispatch('view:open', { id, spec })) as { value: ViewInfo }).value;
const version = async () => ((await dispatch('dataset:info', { id: info.id })) as { value: DatasetInfo }).value.version;
const reopen = async () => ((await dispatch('dataset:open', { path: p })) as { value: DatasetInfo }).value;

describe('label rows from the grid', () => {
  it('labels three tiles as one new version; the tiles keep their places and show the label', async () => {
    const before = await page(0, 12);
    const v = await version();
    expect(await label({ column: 'quality', value: 'blurry', positions: [1, 4, 7] })).toEqual({ ok: true, value: { version: v + 1, dataset: expect.objectContaining({ version: v + 1 }), updated: 3, reopenView: false } });
    const after = await page(0, 12);
    // Same rows in the same places (Lance moved them to new row ids; the session follows them).
    expect(after.map((r) => r.values.key)).toEqual(before.map((r) => r.values.key));
    expect(after.map((r) => r.values.quality)).toEqual([null, 'blurry', null, null, 'blurry', null, null, 'blurry', null, null, null, null]);
    expect(after[1]!.rowId).not.toBe(before[1]!.rowId);
    // The history says what was done, not just "3 rows updated".
    const history = ((await dispatch('versions:list', { id: info.id })) as { value: import('../../../shared/types').VersionEntry[] }).value;
    expect(history[0]).toMatchObject({ version: v + 1, change: '3 rows updated', note: 'quality = "blurry" on 3 rows' });
    expect(history[1]?.note).toBe('added label column note (text)');
    // The detail panel and the image route work with the new ids.
    const row = (await dispatch('rows:get', { id: info.id, rowId: after[4]!.rowId })) as Result<{ values: Record<string, unknown> }>;
    expect(row.ok && row.value.values).toMatchObject({ key: before[4]!.values.key, quality: 'blurry' });
    expect((await services.datasets.images.get(info.id, after[4]!.rowId)).bytes.byteLength).toBeGreaterThan(0);
    // A fresh session sees the labels (in the table's own order, where updated rows come last).
    const fresh = await reopen();
    const labelled = await openView({ kind: 'browse', filter: { conditions: [{ column: 'quality', op: 'eq', value: 'blurry' }] } }, fresh.id);
    expect(labelled.count).toBe(3);
    expect((await page(0, 3, fresh.id, labelled.viewId)).map((r) => r.values.key).sort()).toEqual([before[1], before[4], before[7]].map((r) => r!.values.key).sort());
  });

  it('keeps other open views pointing at the same rows, and labels within a sorted view by position', async () => {
    const sorted = await openView({ kind: 'browse', sort: { column: 'similarity', descending: true } });
    const filtered = await openView({ kind: 'browse', filter: { conditions: [{ column: 'width', op: 'gte', value: 0 }] } });
    const sortedBefore = await page(0, 20, info.id, sorted.viewId);
    const plainBefore = await page(0, 20);
    // Label positions 0 and 2 of the sorted view.
    expect(await label({ viewId: sorted.viewId, column: 'stars', value: 5, positions: [0, 2] })).toMatchObject({ ok: true, value: { updated: 2 } });
    const sortedAfter = await page(0, 20, info.id, sorted.viewId);
    expect(sortedAfter.map((r) => r.values.key)).toEqual(sortedBefore.map((r) => r.values.key));
    expect(sortedAfter.map((r) => r.values.stars).slice(0, 3)).toEqual([5, null, 5]);
    // The plain table and another view still show the same rows in the same places.
    expect((await page(0, 20)).map((r) => r.values.key)).toEqual(plainBefore.map((r) => r.values.key));
    expect(filtered.count).toBe(2000);
    const all = await page(0, 1000, info.id, filtered.viewId);
    expect(all).toHaveLength(1000);
    expect(all.filter((r) => r.values.stars === 5)).toHaveLength(sortedAfter.filter((r) => r.values.stars === 5).filter((r) => all.some((a) => a.values.key === r.values.key)).length);
  });

  it('stores every type, clears with null, and keeps quotes in values verbatim', async () => {
    expect(await label({ column: 'weight', value: 3, positions: [10] })).toMatchObject({ ok: true });
    expect(await label({ column: 'checked', value: true, positions: [10, 11] })).toMatchObject({ ok: true });
    expect(await label({ column: 'note', value: "O'Brien said \"no\"; DROP TABLE x; --", positions: [11] })).toMatchObject({ ok: true });
    expect(await label({ column: 'quality', value: "it's ok", positions: [12] })).toMatchObject({ ok: true });
    let rows = await page(10, 3);
    expect(rows.map((r) => [r.values.weight, r.values.checked, r.values.note, r.values.quality])).toEqual([
      [3, true, null, null],
      [null, true, "O'Brien said \"no\"; DROP TABLE x; --", null],
      [null, null, null, "it's ok"],
    ]);
    expect(await label({ column: 'checked', value: null, positions: [10] })).toMatchObject({ ok: true });
    rows = await page(10, 1);
    expect(rows[0]!.values.checked).toBeNull();
  });

  it('refuses wrong values, unknown or non-label columns and bad positions with a reason, changing nothing', async () => {
    const v = await version();
    const cases: Array<[object, RegExp]> = [
      [{ column: 'quality', value: "x'); DROP TABLE t; --", positions: [0] }, /not one of the categories/],
      [{ column: 'stars', value: 'lots', positions: [0] }, /not a whole number/],
      [{ column: 'stars', value: 2.5, positions: [0] }, /not a whole number/],
      [{ column: 'checked', value: 'maybe', positions: [0] }, /true or false/],
      [{ column: 'caption', value: 'x', positions: [0] }, /not a label column/],
      [{ column: 'ghost', value: 'x', positions: [0] }, /no column "ghost"/],
      [{ column: 'quality', value: 'good', positions: [2000] }, /outside this view of 2,000 rows/],
    ];
    for (const [req, why] of cases) expect(await label(req)).toMatchObject({ ok: false, error: { message: expect.stringMatching(why) } });
    // Rejected at the boundary: neither positions nor all, both, NaN, a huge selection.
    expect(await label({ column: 'quality', value: 'good' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await label({ column: 'quality', value: 'good', positions: [1], all: { expectedCount: 2000 } })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await label({ column: 'weight', value: Number.NaN, positions: [1] })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await label({ column: 'quality', value: 'good', positions: Array.from({ length: 10_001 }, (_, i) => i) })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await version()).toBe(v);
  });

  it('labels a whole view after the person confirmed its row count; a changed count is refused', async () => {
    const view = await openView({ kind: 'browse', filter: { conditions: [{ column: 'stars', op: 'isNull' }, { column: 'width', op: 'gte', value: 0 }] } });
    const plan = (await dispatch('labels:plan', { id: info.id, viewId: view.viewId })) as Result<{ rows: number; bytes: number }>;
    expect(plan).toMatchObject({ ok: true, value: { rows: view.count } });
    expect(plan.ok && plan.value.bytes).toBeGreaterThan(0);
    expect(await label({ viewId: view.viewId, column: 'stars', value: 1, all: { expectedCount: view.count + 1 } })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not the 1,99\d you confirmed/) } });
    expect(await label({ viewId: view.viewId, column: 'stars', value: 1, all: { expectedCount: view.count } })).toMatchObject({ ok: true, value: { updated: view.count } });
    const rest = await openView({ kind: 'browse', filter: { conditions: [{ column: 'stars', op: 'isNull' }] } });
    expect(rest.count).toBe(0);
  });

  it('labels a whole similar view by its rows, and a large filtered view by its filter', async () => {
    const similar = await openView({ kind: 'similar', rowId: (await page(0, 1))[0]!.rowId, column: 'img_emb', k: 20, metric: 'l2', nprobes: 20, refineFactor: 1 });
    const before = await page(0, 21, info.id, similar.viewId);
    expect(await label({ viewId: similar.viewId, column: 'weight', value: 0.25, all: { expectedCount: similar.count } })).toMatchObject({ ok: true, value: { updated: similar.count, reopenView: false } });
    const after = await page(0, 21, info.id, similar.viewId);
    expect(after.map((r) => r.values.key)).toEqual(before.map((r) => r.values.key)); // same neighbours, same order
    expect(after.every((r) => r.values.weight === 0.25)).toBe(true);
    expect(after[0]!.isQuery).toBe(true);
    // Back to this view later (the same spec) still finds the query row, now under a new row id, by key.
    const again = await openView({ ...similar.spec, key: before[0]!.values.key });
    const first = (await page(0, 1, info.id, again.viewId))[0]!;
    expect(first).toMatchObject({ isQuery: true, values: { key: before[0]!.values.key } });
    expect(first.rowId).not.toBe((similar.spec as { rowId: string }).rowId);
    expect(await dispatch('view:open', { id: info.id, spec: similar.spec })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } }); // without the key it cannot know

    // A view above the by-row limit (lowered here to 100) is written through its filter in one update,
    // and the views are computed again.
    const { LabelService } = await import('./labels');
    const small = new LabelService(services.datasets, services.views, 100);
    const big = await openView({ kind: 'browse', filter: { conditions: [{ column: 'width', op: 'gte', value: 0 }] } });
    const v = await version();
    expect(await small.set({ datasetId: info.id, viewId: big.viewId, column: 'note', value: 'bulk', all: { expectedCount: big.count } })).toEqual({ version: v + 1, updated: 2000, reopenView: true });
    expect(await dispatch('view:page', { id: info.id, viewId: big.viewId, offset: 0, limit: 1 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const all = await openView({ kind: 'browse', filter: { conditions: [{ column: 'note', op: 'eq', value: 'bulk' }] } });
    expect(all.count).toBe(2000);
    expect((await page(0, 5)).every((r) => r.values.note === 'bulk')).toBe(true);
  });

  it('is refused on a version opened read-only', async () => {
    const old = ((await dispatch('dataset:open', { path: p, version: info.version + 1 })) as { value: DatasetInfo }).value;
    expect(old.columns.map((c) => c.name)).toContain('quality');
    expect(await label({ column: 'quality', value: 'good', positions: [0] }, old.id)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/read-only/) } });
  });
});
