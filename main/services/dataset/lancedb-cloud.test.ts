// A LanceDB Cloud / Enterprise database (db://), through the app, against the local stand-in for its
// REST API (test-support/lancedb-cloud-peer.ts): tables listed and opened with an API key, region
// and host; browse, details, images, filters, similar and search through the remote API; what the API
// does not offer refused with a sentence; the requests the client made are checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startLanceDbCloudPeer, type LanceDbCloudPeer } from '../../test-support/lancedb-cloud-peer';
import { openInApp, tempDir } from '../../test-support/fixtures';
import { writeSyntheticTable } from '../../synthetic/synthetic-laion';
import { lancedb } from './lance';
import type { DatasetInfo, RowDetail, RowPage, ViewInfo } from '../../../shared/types';

type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; detail?: string } };

describe('a LanceDB Cloud database (db://), through the app', () => {
  const t = tempDir('lx-cloud-');
  let peer: LanceDbCloudPeer;
  let app: Awaited<ReturnType<typeof openInApp>>;
  let info: DatasetInfo;
  const remote = () => ({ apiKey: peer.apiKey, region: 'us-east-1', hostOverride: peer.host });
  const call = async <T>(channel: string, payload: Record<string, unknown>) => (await app.dispatch(channel, { id: info.id, ...payload })) as Reply<T>;
  const ok = async <T>(channel: string, payload: Record<string, unknown>) => {
    const r = await call<T>(channel, payload);
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.value;
  };

  beforeAll(async () => {
    const served = path.join(t.dir, 'served');
    const table = await writeSyntheticTable(served, 'laion', { rows: 500, imageSide: 16, batchRows: 250, clusters: 5 });
    await table.createIndex('caption', { config: lancedb.Index.fts() });
    table.close();
    (await (await lancedb.connect(served)).createTable('notes', [{ id: 1, text: 'x' }])).close();
    peer = await startLanceDbCloudPeer({ dir: served });
    await writeSyntheticTable(t.dir, 'local', { rows: 20, imageSide: 8, batchRows: 20, clusters: 2 });
    app = await openInApp(t.dir, path.join(t.dir, 'local.lance'));
    const listed = (await app.dispatch('dataset:inspect', { path: `db://${peer.database}`, remote: remote() })) as Reply<{ kind: string; tables: string[] }>;
    expect(listed.ok && listed.value).toMatchObject({ kind: 'database', tables: ['laion', 'notes'] });
    const opened = (await app.dispatch('dataset:open', { path: `db://${peer.database}`, table: 'laion', remote: remote() })) as Reply<DatasetInfo>;
    if (!opened.ok) throw new Error(opened.error.message);
    info = opened.value;
  }, 120_000);
  afterAll(async () => {
    app?.services.dispose();
    await peer?.stop();
    t.cleanup();
  });

  it('answers the first page and the first screen of images from what the open read, without asking again', async () => {
    const reopened = (await app.dispatch('dataset:open', { path: `db://${peer.database}/laion` })) as Reply<DatasetInfo>;
    if (!reopened.ok) throw new Error(reopened.error.message);
    const asked = peer.requests.length;
    const page = (await app.dispatch('rows:page', { id: reopened.value.id, offset: 0, limit: 200 })) as Reply<RowPage>;
    expect(page.ok && page.value.rows.length).toBe(200);
    const imgs = await Promise.all((page.ok ? page.value.rows.slice(0, 40) : []).map((r) => app.services.datasets.images.get(reopened.value.id, r.rowId)));
    expect(imgs.every((i) => i.mime === 'image/jpeg')).toBe(true);
    expect(peer.requests.length).toBe(asked);
    // Past the first page, rows are read from the service as usual.
    const next = (await app.dispatch('rows:page', { id: reopened.value.id, offset: 200, limit: 200 })) as Reply<RowPage>;
    expect(next.ok && next.value.rows[0]?.index).toBe(200);
    expect(peer.requests.length).toBeGreaterThan(asked);
    await app.dispatch('dataset:close', { id: reopened.value.id });
  });

  it('opens the table read-only with its schema, rows and images, through the REST API with the key', async () => {
    expect(info).toMatchObject({ path: `db://${peer.database}/laion`, name: `${peer.database}/laion`, table: 'laion', rowCount: 500, location: 'remote', readOnly: true, readOnlyWhy: 'remote', imageColumn: 'image', captionColumn: 'caption', keyColumn: 'key', vectorColumns: ['img_emb'] });
    const page = await ok<RowPage>('rows:page', { offset: 300, limit: 60 });
    expect(page.rows).toHaveLength(60);
    expect(page.rows[0]?.index).toBe(300);
    const raw = await (await (await lancedb.connect(path.join(t.dir, 'served'))).openTable('laion')).query().select(['key']).offset(300).limit(60).toArrow();
    expect(page.rows.map((r) => String(r.values.key))).toEqual(Array.from(raw.getChild('key')!.toArray() as BigInt64Array, String));
    const detail = await ok<RowDetail>('rows:get', { rowId: page.rows[5]!.rowId });
    expect(detail.values.caption).toBe(page.rows[5]!.values.caption);
    expect((detail.values.img_emb as { dim?: number } | null) ?? null).not.toBeNull();
    const img = await app.services.datasets.images.get(info.id, page.rows[5]!.rowId);
    expect(img.mime).toBe('image/jpeg');
    // Every request carried the key and the database, and went to the REST endpoints.
    expect(peer.requests.length).toBeGreaterThan(3);
    expect(new Set(peer.requests.map((r) => r.database))).toEqual(new Set([peer.database]));
    expect(peer.requests.some((r) => r.path === '/v1/table/laion/query/' && r.body?.offset === 300 && r.body?.with_row_id === true)).toBe(true);
  });

  it('filters, sorts, finds similar rows and searches captions on the server', async () => {
    const before = peer.requests.length;
    const filtered = await ok<ViewInfo>('view:open', { spec: { kind: 'browse', filter: { conditions: [], sql: 'width > 10' }, sort: { column: 'similarity', descending: true } } });
    expect(filtered.count).toBe(500);
    const top = await ok<RowPage>('view:page', { viewId: filtered.viewId, offset: 0, limit: 5 });
    const sims = top.rows.map((r) => Number(r.values.similarity));
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    const page = await ok<RowPage>('rows:page', { offset: 0, limit: 3 });
    const similar = await ok<ViewInfo>('view:open', { spec: { kind: 'similar', rowId: page.rows[1]!.rowId, column: 'img_emb', k: 10, metric: 'cosine', nprobes: 10, refineFactor: 1 } });
    expect(similar.count).toBeGreaterThanOrEqual(10);
    // The neighbours' rows came with the search: their page costs no request of its own.
    const asked = peer.requests.length;
    const first = await ok<RowPage>('view:page', { viewId: similar.viewId, offset: 0, limit: 40 });
    expect(peer.requests.length).toBe(asked);
    expect(first.rows[0]?.values.key).toBe(page.rows[1]!.values.key);
    expect(first.rows[0]?.isQuery).toBe(true);
    expect(first.rows.slice(1).map((r) => r.score)).toEqual([...first.rows.slice(1).map((r) => r.score)].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(first.rows.every((r) => typeof r.values.caption === 'string')).toBe(true);
    const vectorRequest = peer.requests.slice(before).find((r) => r.path === '/v1/table/laion/query/' && Array.isArray(r.body?.vector) && (r.body?.vector as number[]).length === 768);
    expect(vectorRequest?.body).toMatchObject({ vector_column: 'img_emb', distance_type: 'cosine' });
    const word = String(page.rows[0]!.values.caption).split(/\s+/).find((w) => w.length > 3) ?? 'photo';
    const search = await ok<ViewInfo>('view:open', { spec: { kind: 'search', text: word, column: 'caption', limit: 20 } });
    expect(search.count).toBeGreaterThan(0);
    expect(peer.requests.slice(before).some((r) => (r.body?.full_text_query as { query?: string } | undefined)?.query === word)).toBe(true);
  }, 60_000);

  it('says what the remote API does not offer, and writes nothing', async () => {
    const label = await call('evolve:add-label-column', { name: 'keep', type: 'boolean' });
    expect(label.ok).toBe(false);
    if (!label.ok) expect(label.error.message).toMatch(/served by LanceDB Cloud or Enterprise/);
    for (const [channel, payload, words] of [
      ['stats:start', {}, /Statistics reads every row/],
      ['near:start', { column: 'img_emb' }, /reads every row/],
      ['versions:list', {}, /history of a LanceDB Cloud or Enterprise table is kept by that service/],
      ['tags:change', { action: 'create', tag: 'x', version: 1 }, /served by LanceDB Cloud/],
    ] as const) {
      const r = await call(channel, payload);
      expect(r.ok, channel).toBe(false);
      if (!r.ok) expect(r.error.message, channel).toMatch(words);
    }
    // Nothing reached an endpoint that writes.
    expect(peer.requests.filter((r) => /insert|merge|add_columns|alter|drop|create_index|update|delete|tags|restore/.test(r.path)).map((r) => r.path)).toEqual([]);
  });

  it('keeps the key for the next open of that database, and names a wrong key, a missing table and a dead host', async () => {
    // Typed once: the next open of another table of the same database needs nothing.
    const again = (await app.dispatch('dataset:open', { path: `db://${peer.database}/notes` })) as Reply<DatasetInfo>;
    expect(again.ok && again.value.rowCount).toBe(1);
    const recent = JSON.stringify(await app.dispatch('recent:list', {}));
    expect(recent).toContain(`db://${peer.database}/laion`);
    expect(recent).not.toContain(peer.apiKey);
    const wrong = (await app.dispatch('dataset:open', { path: `db://${peer.database}/laion`, remote: { ...remote(), apiKey: 'sk-wrong' } })) as Reply<DatasetInfo>;
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.error.code).toBe('FORBIDDEN');
      expect(wrong.error.message).toMatch(/refused the API key/);
    }
    const missing = (await app.dispatch('dataset:open', { path: `db://${peer.database}/nope`, remote: remote() })) as Reply<DatasetInfo>;
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.message).toMatch(/no such table/);
    const dead = (await app.dispatch('dataset:open', { path: `db://${peer.database}/laion`, remote: { ...remote(), hostOverride: 'http://127.0.0.1:9' } })) as Reply<DatasetInfo>;
    expect(dead.ok).toBe(false);
    if (!dead.ok) expect(dead.error.message).toMatch(/could not be reached/);
    const bad = (await app.dispatch('dataset:open', { path: 'db://team/laion', remote: { apiKey: 'k', hostOverride: 'javascript:alert(1)' } })) as Reply<DatasetInfo>;
    expect(bad.ok || bad.error.code).toBe('INVALID_PAYLOAD');
    const noKey = (await app.dispatch('dataset:open', { path: 'db://elsewhere/laion' })) as Reply<DatasetInfo>;
    expect(noKey.ok || noKey.error.message).toMatch(/needs an API key/);
  }, 120_000);
});
