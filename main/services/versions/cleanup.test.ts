// Clean up… reads Lance's manifests itself; the test that matters is that it never removes a file a
// kept version needs: after it runs, every kept version is read in full.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readdirSync, truncateSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { lancedb } from '../dataset/lance';
import { laionTable, openInApp, tempDir, type Dispatch } from '../../test-support/fixtures';
import { dirSize } from '../support/disk-usage';
import type { AppServices } from '../app-services';
import type { CleanupPlan, DatasetInfo, VersionEntry } from '../../../shared/types';
import type { Result } from '../../../shared/result';

const tmp = tempDir('lx-cleanup-');
let services: AppServices;
let dispatch: Dispatch;
let info: DatasetInfo;
let tablePath = '';
type Ok<T> = { ok: true; value: T };

beforeAll(async () => {
  tablePath = await laionTable(tmp.dir, 'train', 600, { batchRows: 200 });
  ({ services, dispatch, info } = await openInApp(tmp.dir, tablePath));
  // A history with every kind of write: columns, labels (rewrites), deletions, an index, a tag.
  expect(await dispatch('evolve:add-label-column', { id: info.id, name: 'quality', type: 'category', categories: ['good', 'bad'] })).toMatchObject({ ok: true });
  expect(await dispatch('labels:set', { id: info.id, viewId: null, column: 'quality', value: 'good', positions: [0, 1, 2, 300] })).toMatchObject({ ok: true });
  expect(await dispatch('evolve:add-derived', { id: info.id, name: 'area', expression: 'width * height' })).toMatchObject({ ok: true });
  const t = services.datasets.get(info.id).table;
  await t.delete('key < 100000010');
  await t.add(await t.query().limit(50).toArrow());
  await t.createIndex('key', { config: lancedb.Index.btree(), replace: true });
  expect(await dispatch('tags:change', { id: info.id, action: 'create', tag: 'reviewed', version: 3 })).toMatchObject({ ok: true });
  await services.datasets.refresh(info.id);
  services.datasets.rows.lost(info.id); // written around the app: its row order starts again
}, 120_000);
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

const plan = async (olderThanDays: number, includeRecentUnfinished = false) =>
  ((await dispatch('versions:cleanup-plan', { id: info.id, olderThanDays, includeRecentUnfinished })) as Ok<CleanupPlan>).value;

/** Every version the dataset lists, read in full: its row count and every column of every row. */
async function readEveryVersion(): Promise<Map<number, number>> {
  const t = await (await lancedb.connect(tmp.dir)).openTable('train');
  const counts = new Map<number, number>();
  for (const v of await t.listVersions()) {
    await t.checkout(v.version);
    const all = await t.query().toArrow();
    expect(all.numRows, `version ${v.version}`).toBe(await t.countRows());
    counts.set(v.version, all.numRows);
  }
  t.close();
  return counts;
}

describe('Clean up…', () => {
  it('finds no unused file in a history Lance wrote in full (every data and deletion file is accounted for)', async () => {
    const p = await plan(0, true);
    expect(p.blocked).toBeNull();
    expect(p.unfinishedFiles).toBe(0);
    expect(p.removeVersions.length).toBeGreaterThan(3);
    expect(p.removeVersions).not.toContain(3); // tagged
    expect(p.removeVersions).not.toContain(info.version);
  });

  it('counts files a killed write left behind, and keeps recent ones unless told', async () => {
    const data = path.join(tablePath, 'data');
    const some = readdirSync(data)[0] as string;
    const orphan = path.join(data, `killed-write-${some}`);
    copyFileSync(path.join(data, some), orphan);
    const recent = await plan(7);
    expect(recent).toMatchObject({ unfinishedFiles: 1, removeFiles: 0, removeVersions: [] });
    expect(recent.unfinishedBytes).toBeGreaterThan(0);
    expect((await plan(7, true)).removeFiles).toBe(1);
    const old = new Date(Date.now() - 10 * 86_400_000);
    utimesSync(orphan, old, old);
    expect((await plan(7)).removeFiles).toBe(1);
    // the history says so too
    const history = (await dispatch('versions:list', { id: info.id })) as Ok<VersionEntry[]>;
    expect(history.ok).toBe(true);
  });

  it('removes old versions and unused files, and every kept version still reads in full', async () => {
    const before = await readEveryVersion();
    const bytesBefore = await dirSize(tablePath);
    const p = await plan(0);
    expect(await dispatch('versions:cleanup', { id: info.id, olderThanDays: 0, includeRecentUnfinished: false, expectedBytes: p.bytes + 1 })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/has changed since it was shown/) } });
    const r = (await dispatch('versions:cleanup', { id: info.id, olderThanDays: 0, includeRecentUnfinished: false, expectedBytes: p.bytes })) as Result<{ removedVersions: number; removedFiles: number; bytes: number }>;
    expect(r).toMatchObject({ ok: true, value: { removedVersions: p.removeVersions.length, removedFiles: p.removeFiles, bytes: p.bytes } });
    const after = await readEveryVersion();
    expect([...after.keys()].sort((a, b) => a - b)).toEqual([...before.keys()].filter((v) => !p.removeVersions.includes(v)).sort((a, b) => a - b));
    for (const [v, n] of after) expect(n, `version ${v}`).toBe(before.get(v));
    expect(bytesBefore - (await dirSize(tablePath))).toBeGreaterThanOrEqual(p.bytes * 0.9);
    // the session goes on: pages, a label, the history
    const pg = await dispatch('rows:page', { id: info.id, offset: 0, limit: 5 });
    expect(pg, JSON.stringify(pg).slice(0, 400)).toMatchObject({ ok: true });
    const lb = await dispatch('labels:set', { id: info.id, viewId: null, column: 'quality', value: 'bad', positions: [4] });
    expect(lb, JSON.stringify(lb).slice(0, 400)).toMatchObject({ ok: true });
    const history = (await dispatch('versions:list', { id: info.id })) as Ok<VersionEntry[]>;
    expect(history.value.map((e) => e.version)).toContain(3);
    expect((await plan(0, true)).unfinishedFiles).toBe(0);
  });

  it('removes nothing while a manifest is damaged', async () => {
    const versions = path.join(tablePath, '_versions');
    const oldest = readdirSync(versions).filter((f) => f.endsWith('.manifest')).sort().at(-1) as string; // V2 names: the largest is the oldest
    truncateSync(path.join(versions, oldest), 30);
    const p = await plan(0, true);
    expect(p.blocked).toMatch(/damaged/);
    expect(p.removeFiles).toBe(0);
    expect(await dispatch('versions:cleanup', { id: info.id, olderThanDays: 0, includeRecentUnfinished: true, expectedBytes: 0 })).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
  });
});
