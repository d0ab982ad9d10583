// Datasets whose data files are Lance's old format 0.1/0.2 (written with LanceDB's own legacy
// storage option, in several fragments and with deleted rows): LanceDB refuses every read by row id
// on them, and the app reads them by position instead. Every read the app makes works and gives the
// same rows as on a current-format copy of the same data; writes are refused with what to do, and
// Upgrade… makes an editable current-format copy with the indices built again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { jobFinished, openInApp, tempDir } from '../../test-support/fixtures';
import { writeSyntheticTable } from '../../synthetic/synthetic-laion';
import { lancedb } from './lance';
import { readManifests, decodeManifest } from '../versions/manifests';
import { counts, rowsAt } from '../versions/history-facts';
import type { DatasetInfo, RowDetail, RowPage, VersionDiff, VersionEntry, ViewInfo } from '../../../shared/types';

const t = tempDir('lx-legacy-');
let old: Awaited<ReturnType<typeof openInApp>>;
let current: Awaited<ReturnType<typeof openInApp>>;
const ROWS = 1200;

beforeAll(async () => {
  for (const [name, legacyFormat] of [['old', true], ['current', false]] as const) {
    const table = await writeSyntheticTable(t.dir, name, { rows: ROWS, imageSide: 16, clusters: 6, batchRows: 300, seed: 5, legacyFormat });
    await table.delete('key % 7 = 3');
    await table.createIndex('key', { config: lancedb.Index.btree() });
    await table.createIndex('caption', { config: lancedb.Index.fts() });
    table.close();
  }
  old = await openInApp(t.dir, path.join(t.dir, 'old.lance'));
  current = await openInApp(path.join(t.dir, 'c'), path.join(t.dir, 'current.lance'));
}, 120_000);
afterAll(() => {
  old?.services.dispose();
  current?.services.dispose();
  t.cleanup();
});

// The raw failure this module exists for: if LanceDB ever reads old files by id, these tests still
// check the app's answers, and this one says the workaround can go.
it('LanceDB itself cannot read an old-format table by row id', async () => {
  const tbl = await (await lancedb.connect(t.dir)).openTable('old');
  // It fails ("FilteredRead on v1 files"), or, in a fragment with deleted rows, finds nothing.
  const id = (await tbl.query().withRowId().select(['caption']).limit(2).toArrow()).getChild('_rowid')?.get(1) as bigint;
  const rows = await tbl.takeRowIds([id]).select(['caption']).toArrow().then((r) => r.numRows, (err: Error) => (/v1 files/.test(err.message) ? 0 : -1));
  expect(rows).toBe(0);
  tbl.close();
});

type Open = typeof old;
const ok = async <T>(app: Open, channel: string, payload: Record<string, unknown>): Promise<T> => {
  const r = (await app.dispatch(channel, { id: app.info.id, ...payload })) as { ok: boolean; value: T; error?: { message: string } };
  if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
  return r.value;
};
const keysOf = (p: RowPage) => p.rows.map((r) => Number(r.values.key));
async function viewKeys(app: Open, spec: Record<string, unknown>, offset = 0, limit = 60): Promise<number[]> {
  const v = await ok<ViewInfo>(app, 'view:open', { spec });
  return keysOf(await ok<RowPage>(app, 'view:page', { viewId: v.viewId, offset, limit }));
}

describe('an old-format dataset', () => {
  it('opens as old-format and read-only, with the same rows as a current copy', () => {
    expect(old.info.fileFormat).toBe('legacy');
    expect(old.info).toMatchObject({ readOnly: true, readOnlyWhy: 'legacy', rowCount: current.info.rowCount });
    expect(current.info.fileFormat).toBeUndefined();
    expect(current.info.readOnly).toBe(false);
  });

  it('pages, sorted and filtered views, row details and images read the same rows as on current files', async () => {
    const cells = async (app: Open) => (await ok<RowPage>(app, 'rows:page', { offset: 700, limit: 50 })).rows.map((r) => r.values);
    expect(await cells(old)).toEqual(await cells(current));
    const sorted = { kind: 'browse', sort: { column: 'similarity', descending: true } };
    const sortedCells = async (app: Open) => {
      const v = await ok<ViewInfo>(app, 'view:open', { spec: sorted });
      return (await ok<RowPage>(app, 'view:page', { viewId: v.viewId, offset: 300, limit: 60 })).rows.map((r) => r.values);
    };
    const s = await sortedCells(old);
    expect(s).toHaveLength(60);
    expect(s).toEqual(await sortedCells(current));
    const filtered = { kind: 'browse', filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNLIKELY' }], sql: 'width > 10' } };
    const f = await viewKeys(old, filtered, 20);
    expect(f.length).toBeGreaterThan(10);
    expect(f).toEqual(await viewKeys(current, filtered, 20));
    const search = { kind: 'search', text: 'photo', column: 'caption', limit: 40 };
    expect((await viewKeys(old, search)).length).toBeGreaterThan(0);

    const page = await ok<RowPage>(old, 'rows:page', { offset: 900, limit: 5 });
    const row = page.rows[3]!;
    const detail = await ok<RowDetail>(old, 'rows:get', { rowId: row.rowId });
    expect(detail.values.key).toBe(row.values.key);
    expect(detail.values.caption).toBe(row.values.caption);
    const img = await old.services.datasets.images.get(old.info.id, row.rowId);
    const raw = await (await (await lancedb.connect(t.dir)).openTable('current')).query().where(`key = ${Number(row.values.key)}`).select(['image']).toArray();
    expect(Buffer.from(img.bytes).equals(Buffer.from(raw[0]!.image as Uint8Array))).toBe(true);
  });

  it('finds similar rows from a row, as on current files', async () => {
    const q = async (app: Open) => {
      const first = await ok<RowPage>(app, 'rows:page', { offset: 555, limit: 1 });
      return viewKeys(app, { kind: 'similar', rowId: first.rows[0]!.rowId, column: 'img_emb', k: 20, metric: 'cosine', nprobes: 20, refineFactor: 1 }, 0, 20);
    };
    const [a, b] = [await q(old), await q(current)];
    expect(a.length).toBe(20);
    expect(a).toEqual(b);
  });

  it('exports a filtered view to the same lines', async () => {
    const lines = async (app: Open, file: string) => {
      const v = await ok<ViewInfo>(app, 'view:open', { spec: { kind: 'browse', filter: { conditions: [], sql: 'key % 5 = 1' }, sort: { column: 'similarity', descending: false } } });
      const s = await ok<{ jobId: string }>(app, 'export:start', { viewId: v.viewId, format: 'jsonl', columns: ['key', 'caption'], path: path.join(t.dir, file) });
      expect((await jobFinished(app.services.events, s.jobId)).error).toBeNull();
      return (await import('node:fs')).readFileSync(path.join(t.dir, file), 'utf8').trim().split('\n');
    };
    const a = await lines(old, 'old.jsonl');
    expect(a.length).toBeGreaterThan(100);
    expect(a).toEqual(await lines(current, 'current.jsonl'));
  });

  it('computes statistics, exact and near duplicates, and refuses the map (a write) with what to do', async () => {
    const stats = await ok<{ jobId: string }>(old, 'stats:start', {});
    expect((await jobFinished(old.services.events, stats.jobId)).error).toBeNull();
    const st = await ok<{ stats: { rows: number; columns: Array<{ column: string; facets: unknown[] }> } | null }>(old, 'stats:status', {});
    expect(st.stats?.rows).toBe(old.info.rowCount);
    expect(st.stats?.columns.find((c) => c.column === 'similarity')?.facets.length).toBeGreaterThan(0);
    // Exact duplicates by md5, against the same on current files.
    const groups = async (app: Open) => viewKeys(app, { kind: 'duplicates', column: 'md5' }, 0, 100);
    expect(await groups(old)).toEqual(await groups(current));
    const near = await ok<{ jobId: string }>(old, 'near:start', { column: 'img_emb' });
    expect((await jobFinished(old.services.events, near.jobId)).error).toBeNull();
    const nearView = await ok<ViewInfo>(old, 'view:open', { spec: { kind: 'duplicates', column: 'img_emb', near: 0.9 } });
    expect(nearView.count).toBeGreaterThanOrEqual(0);
    const map = (await old.dispatch('map:start', { id: old.info.id, column: 'img_emb', mode: 'make' })) as { ok: boolean; error?: { code: string; message: string } };
    if (map.ok) {
      const f = await jobFinished(old.services.events, (map as unknown as { value: { jobId: string } }).value.jobId);
      expect(f.error).toMatch(/old format.*Upgrade/);
    } else expect(map.error?.message).toMatch(/old format.*Upgrade/);
  }, 60_000);

  it('refuses writes with what to do, and changes nothing', async () => {
    const v0 = await (await (await lancedb.connect(t.dir)).openTable('old')).version();
    const add = (await old.dispatch('evolve:add-label-column', { id: old.info.id, name: 'keep', type: 'boolean' })) as { ok: boolean; error: { code: string; message: string } };
    expect(add.ok).toBe(false);
    expect(add.error.code).toBe('FORBIDDEN');
    expect(add.error.message).toMatch(/old format.*Upgrade/);
    const derived = (await old.dispatch('evolve:add-derived', { id: old.info.id, name: 'area', expression: 'width * height' })) as { ok: boolean; error: { code: string } };
    expect(derived.error.code).toBe('FORBIDDEN');
    expect(await (await (await lancedb.connect(t.dir)).openTable('old')).version()).toBe(v0);
  });

  it('Upgrade… writes a current-format copy with every row, column and index, and it can be edited', async () => {
    const target = path.join(t.dir, 'old-upgraded.lance');
    const s = await ok<{ jobId: string }>(old, 'view:materialize', { viewId: null, columns: [], target, indices: true });
    const f = await jobFinished(old.services.events, s.jobId);
    expect(f.error).toBeNull();
    const opened = (await old.dispatch('dataset:open', { path: target })) as { ok: true; value: DatasetInfo };
    expect(opened.ok).toBe(true);
    expect(opened.value.fileFormat).toBeUndefined();
    expect(opened.value).toMatchObject({ readOnly: false, rowCount: old.info.rowCount });
    expect(opened.value.columns.map((c) => c.name)).toEqual(old.info.columns.map((c) => c.name));
    const tbl = await (await lancedb.connect(t.dir)).openTable('old-upgraded');
    expect((await tbl.listIndices()).map((i) => `${i.indexType}:${i.columns[0]}`).sort()).toEqual(['BTree:key', 'FTS:caption']);
    await expect(tbl.takeRowIds([1n]).select(['key']).toArrow()).resolves.toBeDefined();
    tbl.close();
    const add = (await old.dispatch('evolve:add-label-column', { id: opened.value.id, name: 'keep', type: 'boolean' })) as { ok: boolean; error?: { message: string } };
    expect(add.error?.message ?? null).toBeNull();
    const label = (await old.dispatch('labels:set', { id: opened.value.id, viewId: null, column: 'keep', value: true, positions: [0, 1] })) as { ok: boolean; error?: { message: string } };
    expect(label.error?.message ?? null).toBeNull();
  }, 60_000);

  it('tells its history from counts and files: appends, a delete, an update, a compaction and a restore', async () => {
    const db = await lancedb.connect(t.dir);
    const rows = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => ({ key: a + i, caption: `row ${a + i}`, score: (a + i) / 10 }));
    const tbl = await db.createTable('hist', rows(0, 100), { storageOptions: { new_table_data_storage_version: 'legacy' } });
    await tbl.add(rows(100, 200)); // v2
    await tbl.delete('key < 10'); // v3
    await tbl.update({ where: 'key >= 50 AND key < 55', values: { caption: "'changed'" } }); // v4
    await tbl.optimize({ cleanupOlderThan: new Date(0) }).catch(() => tbl.optimize()); // compaction
    const compacted = await tbl.version();
    await tbl.checkout(2);
    await tbl.restore();
    tbl.close();
    const app = await openInApp(path.join(t.dir, 'h'), path.join(t.dir, 'hist.lance'));
    try {
      expect(app.info.fileFormat).toBe('legacy');
      const history = ((await app.dispatch('versions:list', { id: app.info.id })) as { ok: true; value: VersionEntry[] }).value.reverse();
      const at = (v: number) => history.find((h) => h.version === v)!;
      expect(at(1)).toMatchObject({ rows: 100, change: 'created with 100 rows' });
      expect(at(2)).toMatchObject({ rows: 200, change: '+100 rows' });
      expect(at(3)).toMatchObject({ rows: 190, change: '-10 rows (deleted)' });
      expect(at(4).rows).toBe(190);
      expect(at(4).change).toMatch(/rows? updated/);
      expect(at(compacted)).toMatchObject({ rows: 190, change: 'data files rewritten (compaction)' });
      expect(history[history.length - 1]).toMatchObject({ rows: 200, change: 'restored version 2', latest: true });
      // Each row count is what a count at that version gives, and what the fragments of each
      // manifest say (physical rows less deleted ones), read by the app's own manifest reader.
      const side = await (await lancedb.connect(t.dir)).openTable('hist');
      const { manifests } = await readManifests(path.join(t.dir, 'hist.lance'));
      for (const h of history) {
        await side.checkout(h.version);
        expect(h.rows).toBe(await side.countRows());
        expect(manifests.find((m) => m.version === h.version)?.rows).toBe(h.rows);
      }
      side.close();
      // Where the metadata agrees with the fragments, listing the history counted nothing.
      const before = counts.made;
      await app.dispatch('versions:list', { id: app.info.id });
      expect(counts.made).toBe(before);
      const diff = ((await app.dispatch('versions:compare', { id: app.info.id, from: 2, to: 4 })) as { ok: boolean; value: VersionDiff; error?: { message: string } });
      expect(diff.error?.message ?? null).toBeNull();
      expect(diff.value).toMatchObject({ rowsFrom: 200, rowsTo: 190 });
    } finally {
      app.services.dispose();
    }
  }, 60_000);

  it('counts the rows of a version whose fragments do not say, as older writers left them', async () => {
    // A manifest message by hand: version 3 with one fragment that lists a data file and no
    // physical_rows (field 4), as writers before mid-2024 could leave it.
    const varint = (n: number) => {
      const out: number[] = [];
      do {
        out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>>= 7;
      } while (n);
      return out;
    };
    const field = (no: number, bytes: number[]) => [...varint((no << 3) | 2), ...varint(bytes.length), ...bytes];
    const path0 = [...Buffer.from('0-a.lance')];
    const fragment = [...varint((1 << 3) | 0), 0, ...field(2, field(1, path0))];
    const msg = Uint8Array.from([...varint((3 << 3) | 0), 3, ...field(2, fragment)]);
    const facts = decodeManifest(msg);
    expect(facts).toMatchObject({ version: 3, files: ['data/0-a.lance'], rows: null });
    // rowsAt then counts at that version (here: the hist table's version 2, 200 rows), once.
    const side = await (await lancedb.connect(t.dir)).openTable('hist');
    const before = counts.made;
    expect(await rowsAt(path.join(t.dir, 'hist-unsaid'), side, 2, 0, facts.rows)).toBe(200);
    expect(await rowsAt(path.join(t.dir, 'hist-unsaid'), side, 2, 0, facts.rows)).toBe(200);
    expect(counts.made).toBe(before + 1);
    // Metadata that disagrees with the fragments is counted too.
    expect(await rowsAt(path.join(t.dir, 'hist-wrong'), side, 2, 7, 150)).toBe(200);
    side.close();
  });
});
