import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../app-services';
import { lancedb } from '../dataset/lance';
import { laionTable, tempDir, openInApp, type Dispatch } from '../../test-support/fixtures';
import type { DatasetInfo, RowPage, VersionDiff, VersionEntry } from '../../../shared/types';
import type { Result } from '../../../shared/result';

const tmp = tempDir('lx-versions-');
let services: AppServices;
let dispatch: Dispatch;
let p: string;
let info: DatasetInfo;

// History built with raw LanceDB: 3 appends (v1-v3), a label column (v4), an update (v5), a delete (v6).
beforeAll(async () => {
  p = await laionTable(tmp.dir, 'train', 300, { batchRows: 100, imageSide: 8 });
  const t = await (await lancedb.connect(tmp.dir)).openTable('train');
  await t.addColumns([{ name: 'label', valueSql: 'CAST(NULL AS STRING)' }]);
  await t.update({ values: { label: 'cat' }, where: 'key < 100000010' });
  await t.delete('key >= 100000290');
  t.close();
  ({ services, dispatch, info } = await openInApp(tmp.dir, p));
}, 60_000);
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

async function call<T>(channel: Parameters<typeof dispatch>[0], req: unknown): Promise<T> {
  const r = (await dispatch(channel, req)) as Result<T>;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('versions and tags', () => {
  it('lists every version, newest first, with what it changed', async () => {
    const t0 = performance.now();
    const history = await call<VersionEntry[]>('versions:list', { id: info.id });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(history.map((v) => v.version)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(history[0]).toMatchObject({ version: 6, latest: true, rows: 290, change: '-10 rows (deleted)' });
    expect(history[1]).toMatchObject({ rows: 300, change: '10 rows updated' });
    expect(history[2]).toMatchObject({ addedColumns: ['label'], change: 'added column label' });
    expect(history[3]).toMatchObject({ change: '+100 rows' });
    expect(history[5]).toMatchObject({ version: 1, rows: 100, change: 'created with 100 rows', latest: false });
  });

  it('creates, moves and deletes tags, refusing bad names and duplicates', async () => {
    expect(await call('tags:change', { id: info.id, action: 'create', tag: 'before-labels', version: 3 })).toEqual({ tags: { 'before-labels': 3 } });
    expect(await dispatch('tags:change', { id: info.id, action: 'create', tag: 'before-labels', version: 4 })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/already exists \(version 3\)\. Move it instead/) } });
    expect(await call('tags:change', { id: info.id, action: 'move', tag: 'before-labels', version: 2 })).toEqual({ tags: { 'before-labels': 2 } });
    for (const bad of ['../x', 'a b', "x'; drop", '1abc']) {
      expect(await dispatch('tags:change', { id: info.id, action: 'create', tag: bad, version: 2 })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/cannot be a tag/) } });
    }
    expect(await dispatch('tags:change', { id: info.id, action: 'create', tag: 'nope' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await dispatch('tags:change', { id: info.id, action: 'create', tag: 'far', version: 99 })).toMatchObject({ ok: false });
    const history = await call<VersionEntry[]>('versions:list', { id: info.id });
    expect(history.find((v) => v.version === 2)?.tags).toEqual(['before-labels']);
    await call('tags:change', { id: info.id, action: 'create', tag: 'keep', version: 4 });
    expect(await call('tags:change', { id: info.id, action: 'delete', tag: 'keep' })).toEqual({ tags: { 'before-labels': 2 } });
    expect(await dispatch('tags:change', { id: info.id, action: 'delete', tag: 'keep' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('opens an old version or a tag read-only: its own rows and schema, and no writing through it', async () => {
    const v3 = await call<DatasetInfo>('dataset:open', { path: p, version: 3 });
    expect(v3).toMatchObject({ version: 3, rowCount: 300, readOnly: true });
    expect(v3.columns.map((c) => c.name)).not.toContain('label');
    const tagged = await call<DatasetInfo>('dataset:open', { path: p, tag: 'before-labels' });
    expect(tagged).toMatchObject({ version: 2, rowCount: 200, readOnly: true, tag: 'before-labels' });
    const page = await call<RowPage>('rows:page', { id: tagged.id, offset: 0, limit: 500 });
    expect(page.rows).toHaveLength(200);
    expect(await dispatch('index:build', { id: tagged.id, column: 'caption', kind: 'fts' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/opened read-only/) } });
    expect(await dispatch('versions:restore', { id: tagged.id, version: 1 })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await dispatch('dataset:open', { path: p, version: 42 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/Version 42 does not exist/) } });
    expect(await dispatch('dataset:open', { path: p, tag: 'ghost' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/no tag "ghost"/) } });
    // The latest session is untouched by all this.
    expect((await call<DatasetInfo>('dataset:info', { id: info.id })).version).toBe(6);
  });

  it('compares two versions', async () => {
    expect(await call<VersionDiff>('versions:compare', { id: info.id, from: 3, to: 6 })).toEqual({
      from: 3,
      to: 6,
      rowsFrom: 300,
      rowsTo: 290,
      addedColumns: ['label'],
      droppedColumns: [],
      changedTypes: [],
      // The label column is new, so its values are not "changed"; nothing else was touched.
      changedValues: { columns: [], rowsCompared: 10, sampled: false },
    });
    // The update (v4 -> v5) set the label of 10 rows; the other direction says the same.
    expect((await call<VersionDiff>('versions:compare', { id: info.id, from: 4, to: 5 })).changedValues).toEqual({ columns: [{ name: 'label', rows: 10 }], rowsCompared: 10, sampled: false });
    expect((await call<VersionDiff>('versions:compare', { id: info.id, from: 5, to: 4 })).changedValues).toEqual({ columns: [{ name: 'label', rows: 10 }], rowsCompared: 10, sampled: false });
    // A delete changes no values.
    expect((await call<VersionDiff>('versions:compare', { id: info.id, from: 5, to: 6 })).changedValues).toEqual({ columns: [], rowsCompared: 0, sampled: false });
    expect(await dispatch('versions:compare', { id: info.id, from: 3, to: 77 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('restores an old version as a new one, keeping every version', async () => {
    expect(await call('versions:restore', { id: info.id, version: 3 })).toEqual({ version: 7 });
    const reopened = await call<DatasetInfo>('dataset:open', { path: p });
    expect(reopened).toMatchObject({ version: 7, rowCount: 300, readOnly: false });
    expect(reopened.columns.map((c) => c.name)).not.toContain('label');
    const history = await call<VersionEntry[]>('versions:list', { id: reopened.id });
    expect(history).toHaveLength(7);
    expect(history[0]).toMatchObject({ version: 7, latest: true, droppedColumns: ['label'] });
    // The labelled version is still there to go back to.
    expect((await call<DatasetInfo>('dataset:open', { path: p, version: 6 })).columns.map((c) => c.name)).toContain('label');
  });
});
