import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../app-services';
import { dirSize } from '../support/disk-usage';
import { laionTable, tempDir, openInApp, type Dispatch } from '../../test-support/fixtures';
import type { DatasetInfo, RowPage, ViewInfo } from '../../../shared/types';
import type { Result } from '../../../shared/result';

const tmp = tempDir('lx-evolve-');
let services: AppServices;
let dispatch: Dispatch;
let p: string;
let info: DatasetInfo;

beforeAll(async () => {
  p = await laionTable(tmp.dir, 'train', 2000, { batchRows: 500, imageSide: 32 });
  ({ services, dispatch, info } = await openInApp(tmp.dir, p));
}, 60_000);
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

const add = (req: object, id = info.id) => dispatch('evolve:add-label-column', { id, ...req }) as Promise<Result<{ version: number }>>;
const reopen = async () => ((await dispatch('dataset:open', { path: p })) as { value: DatasetInfo }).value;

describe('add a label column', () => {
  it('adds a category column as one new version, writing almost nothing, visible in schema, pages and filters', async () => {
    const before = await dirSize(p);
    const r = await add({ name: 'quality', type: 'category', categories: ['good', 'blurry', 'watermark'] });
    expect(r).toEqual({ ok: true, value: { version: info.version + 1, dataset: expect.objectContaining({ version: info.version + 1 }) } });
    expect((await dirSize(p)) - before).toBeLessThan(before * 0.01);
    // The same session sees the column at once (no reopen needed), and so does a fresh one.
    const same = ((await dispatch('dataset:info', { id: info.id })) as { value: DatasetInfo }).value;
    expect(same.columns.map((c) => c.name)).toContain('quality');
    const samePage = (await dispatch('rows:page', { id: info.id, offset: 0, limit: 1 })) as Result<RowPage>;
    expect(samePage.ok && 'quality' in samePage.value.rows[0]!.values).toBe(true);
    const now = await reopen();
    const col = now.columns.find((c) => c.name === 'quality');
    expect(col).toMatchObject({ kind: 'string', label: { type: 'category', categories: ['good', 'blurry', 'watermark'] } });
    const page = (await dispatch('rows:page', { id: now.id, offset: 0, limit: 3 })) as Result<RowPage>;
    expect(page.ok && page.value.rows[0]!.values.quality).toBeNull();
    const v = (await dispatch('view:open', { id: now.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'quality', op: 'isNull' }] } } })) as Result<ViewInfo>;
    expect(v.ok && v.value.count).toBe(2000);
  });

  it('adds typed columns with defaults', async () => {
    expect((await add({ name: 'checked', type: 'boolean', defaultValue: false })).ok).toBe(true);
    expect((await add({ name: 'score_human', type: 'float', defaultValue: 0.5 })).ok).toBe(true);
    expect((await add({ name: 'note', type: 'text', defaultValue: "it's fine" })).ok).toBe(true);
    const now = await reopen();
    expect(now.columns.find((c) => c.name === 'checked')).toMatchObject({ kind: 'bool', label: { type: 'boolean' } });
    expect(now.columns.find((c) => c.name === 'score_human')).toMatchObject({ kind: 'float', label: { type: 'float' } });
    const row = ((await dispatch('rows:page', { id: now.id, offset: 1999, limit: 1 })) as { value: RowPage }).value.rows[0]!;
    expect(row.values).toMatchObject({ checked: false, score_human: 0.5, note: "it's fine" });
  });

  it('refuses bad names, duplicates, injection and bad defaults with a reason, changing nothing', async () => {
    const version = (await reopen()).version;
    const cases: Array<[object, RegExp]> = [
      [{ name: 'quality', type: 'text' }, /already a column named "quality"/],
      [{ name: 'QUALITY', type: 'text' }, /already a column named "quality"/],
      [{ name: 'my label', type: 'text' }, /cannot be a column name/],
      [{ name: 'x`; DROP TABLE t; --', type: 'text' }, /cannot be a column name/],
      [{ name: '_rowid', type: 'integer' }, /reserved/],
      [{ name: 'cat2', type: 'category', categories: [] }, /at least one allowed value/],
      [{ name: 'cat3', type: 'category', categories: ['a', 'a'] }, /listed twice/],
      [{ name: 'cat4', type: 'category', categories: ['a', 'b'], defaultValue: "c'); drop" }, /not one of the categories/],
      [{ name: 'n', type: 'integer', defaultValue: 1.5 }, /not a whole number/],
      [{ name: 'b', type: 'boolean', defaultValue: 'maybe' }, /true or false/],
      [{ name: 't', type: 'text', categories: ['x'] }, /Only category columns/],
    ];
    for (const [req, why] of cases) expect(await add(req)).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(why) } });
    expect(await add({ name: 'ok', type: 'float', defaultValue: Number.NaN })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect((await reopen()).version).toBe(version);
  });

  it('previews a derived column, says what is wrong with a bad expression, then commits it', async () => {
    const preview = (await dispatch('evolve:preview-derived', { id: info.id, name: 'aspect_ratio', expression: 'CAST(width AS DOUBLE) / CAST(height AS DOUBLE)' })) as Result<{ type: string; values: unknown[] }>;
    expect(preview).toMatchObject({ ok: true, value: { values: [1, 1, 1, 1, 1, 1, 1, 1] } });
    expect(preview.ok && preview.value.type).toMatch(/Float64|Double/i);
    const version = (await reopen()).version;
    expect(await dispatch('evolve:preview-derived', { id: info.id, name: 'bad', expression: 'no_such_column * 2' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/does not work on this table.*no_such_column/i) } });
    expect(await dispatch('evolve:preview-derived', { id: info.id, name: 'bad', expression: 'width; DROP TABLE x' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/cannot contain ";"/) } });
    expect(await dispatch('evolve:add-derived', { id: info.id, name: 'caption', expression: 'width * 2' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already a column/) } });
    expect((await reopen()).version).toBe(version);
    expect(await dispatch('evolve:add-derived', { id: info.id, name: 'area', expression: 'width * height' })).toEqual({ ok: true, value: { version: version + 1, dataset: expect.objectContaining({ version: version + 1 }) } });
    const row = ((await dispatch('rows:page', { id: info.id, offset: 5, limit: 1 })) as { value: RowPage }).value.rows[0]!;
    expect(row.values.area).toBe((row.values.width as number) * (row.values.height as number));
  });

  it('renames and drops columns, protecting the LAION columns and the key unless the person insists', async () => {
    const version = (await reopen()).version;
    expect(await dispatch('evolve:rename-column', { id: info.id, from: 'caption', to: 'text' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/original LAION columns.*I am sure/) } });
    expect(await dispatch('evolve:drop-column', { id: info.id, column: 'key', insist: false })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await dispatch('evolve:rename-column', { id: info.id, from: 'quality', to: 'checked' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already a column named "checked"/) } });
    expect(await dispatch('evolve:rename-column', { id: info.id, from: 'quality', to: 'a b' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/cannot be a column name/) } });
    expect(await dispatch('evolve:drop-column', { id: info.id, column: 'ghost' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await reopen()).version).toBe(version);

    expect(await dispatch('evolve:rename-column', { id: info.id, from: 'quality', to: 'image_quality' })).toEqual({ ok: true, value: { version: version + 1, dataset: expect.objectContaining({ version: version + 1 }) } });
    expect(await dispatch('evolve:drop-column', { id: info.id, column: 'note' })).toEqual({ ok: true, value: { version: version + 2, dataset: expect.objectContaining({ version: version + 2 }) } });
    expect(await dispatch('evolve:drop-column', { id: info.id, column: 'LICENSE', insist: true })).toEqual({ ok: true, value: { version: version + 3, dataset: expect.objectContaining({ version: version + 3 }) } });
    const now = ((await dispatch('dataset:info', { id: info.id })) as { value: DatasetInfo }).value;
    const names = now.columns.map((c) => c.name);
    expect(names).toContain('image_quality');
    expect(names).not.toContain('quality');
    expect(names).not.toContain('note');
    expect(names).not.toContain('LICENSE');
    // The renamed column keeps its label definition.
    expect(now.columns.find((c) => c.name === 'image_quality')?.label).toEqual({ type: 'category', categories: ['good', 'blurry', 'watermark'] });
    // Nothing is lost: the version before still has them.
    const old = ((await dispatch('dataset:open', { path: p, version })) as { value: DatasetInfo }).value;
    expect(old.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['quality', 'note', 'LICENSE']));
  });

  it('is refused on a version opened read-only', async () => {
    const old = ((await dispatch('dataset:open', { path: p, version: 1 })) as { value: DatasetInfo }).value;
    expect(await add({ name: 'later', type: 'text' }, old.id)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/read-only/) } });
  });
});

describe('names that mean something to every JavaScript object', () => {
  it('are refused as label, derived and renamed column names', async () => {
    const { checkLabelColumn } = await import('./evolve');
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      expect(() => checkLabelColumn(['caption'], { name, type: 'text' }), name).toThrow(/cannot be a column name|reserved/);
    }
  });
});
