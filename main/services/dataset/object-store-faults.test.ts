// Object storage misbehaving, as a person meets it: a store that ignores conditional writes, a burst
// of 503 SlowDown, a store that keeps throttling, credentials revoked in the middle of a scroll, a
// network that goes away, and a commit refused half-way. Each against the local S3 peer (s3rver behind
// the front), credentials always set so nothing reaches a cloud metadata address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startS3Peer, type S3Peer } from '../../test-support/s3-peer';
import { openInApp, tempDir } from '../../test-support/fixtures';
import { writeSyntheticTable } from '../../synthetic/synthetic-laion';
import { lancedb } from './lance';
import type { DatasetInfo, RowPage } from '../../../shared/types';

type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string; detail?: string } };
const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, caption: `row ${from + i}` }));
const DATA_GET = /^GET .*\.lance\/data\//;

describe('a store that ignores If-None-Match', () => {
  it('loses rows when two writers append at once: the reason the test peer has its front', async () => {
    const bare = await startS3Peer({ conditional: false });
    try {
      const uri = `s3://${bare.bucket}/race`;
      const base = await (await lancedb.connect(uri, { storageOptions: bare.storageOptions })).createTable('t', rows(0, 1));
      const a = await (await lancedb.connect(uri, { storageOptions: bare.storageOptions })).openTable('t');
      const b = await (await lancedb.connect(uri, { storageOptions: bare.storageOptions })).openTable('t');
      const writer = async (t: typeof a, start: number) => {
        for (let i = 0; i < 30; i++) await t.add(rows(start + i * 5, 5));
      };
      await Promise.all([writer(a, 1000), writer(b, 5000)]);
      await base.checkoutLatest();
      // Both writers were told their 60 appends committed; through a store without the condition,
      // some overwrote each other's version files (the front's test keeps all 301).
      expect(await base.countRows()).toBeLessThan(301);
      expect(bare.counts.refused412).toBe(0);
    } finally {
      await bare.stop();
    }
  }, 120_000);
});

describe('a dataset in object storage when the store misbehaves', () => {
  const t = tempDir('lx-s3-faults-');
  let peer: S3Peer;
  let app: Awaited<ReturnType<typeof openInApp>>;
  let info: DatasetInfo;
  const URI = () => `s3://${peer.bucket}/lx/laion.lance`;
  const call = async <T>(channel: string, payload: Record<string, unknown>) => (await app.dispatch(channel, { id: info.id, ...payload })) as Reply<T>;

  beforeAll(async () => {
    peer = await startS3Peer();
    const local = await writeSyntheticTable(t.dir, 'src', { rows: 600, imageSide: 16, batchRows: 200, clusters: 4 });
    const data = await local.query().toArrow();
    local.close();
    const table = await (await lancedb.connect(`s3://${peer.bucket}/lx`, { storageOptions: peer.storageOptions })).createTable('laion', data);
    await table.createIndex('key', { config: lancedb.Index.btree() });
    table.close();
    app = await openInApp(t.dir, path.join(t.dir, 'src.lance'));
    const r = (await app.dispatch('dataset:open', { path: URI(), storage: peer.storageOptions })) as Reply<DatasetInfo>;
    if (!r.ok) throw new Error(r.error.message);
    info = r.value;
  }, 120_000);
  afterAll(async () => {
    app?.services.dispose();
    await peer?.stop();
    t.cleanup();
  });

  it('rides out a burst of 503 SlowDown: LanceDB retries with backoff and the page arrives', async () => {
    peer.clearFaults();
    const before = peer.counts.GET;
    peer.fail(DATA_GET, 503, 3);
    const page = await call<RowPage>('rows:page', { offset: 200, limit: 50 });
    expect(page.ok).toBe(true);
    if (page.ok) expect(page.value.rows).toHaveLength(50);
    // The three refusals were asked again, not given up on.
    expect(peer.counts.GET - before).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('says the store keeps throttling when 503s do not stop, then reads again once they do', async () => {
    peer.clearFaults();
    peer.fail(DATA_GET, 503, 100_000);
    const failed = await call<RowPage>('rows:page', { offset: 250, limit: 50 });
    peer.clearFaults();
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.error.code).toBe('BUSY');
    expect(failed.error.message).toMatch(/Reading rows 251-300 failed: the storage kept asking to slow down \(503 SlowDown\)/);
    expect(failed.error.message).not.toMatch(/LanceError|rustc|\.rs:\d/);
    expect(failed.error.detail).toMatch(/SlowDown/);
    // The grid's Retry asks again: the same page now arrives.
    const again = await call<RowPage>('rows:page', { offset: 250, limit: 50 });
    expect(again.ok && again.value.rows.length).toBe(50);
  }, 120_000);

  it('says access was refused when the credentials stop working in the middle of a scroll, and the detail panel says so too', async () => {
    peer.clearFaults();
    const first = await call<RowPage>('rows:page', { offset: 0, limit: 50 });
    expect(first.ok).toBe(true);
    peer.fail(DATA_GET, 403, 100_000);
    const next = await call<RowPage>('rows:page', { offset: 400, limit: 50 });
    const detail = await call<unknown>('rows:get', { rowId: first.ok ? first.value.rows[3]!.rowId : '0' });
    peer.clearFaults();
    for (const r of [next, detail]) {
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('FORBIDDEN');
      expect(r.error.message).toMatch(/the storage refused access/);
    }
  }, 60_000);

  it('refuses a label write whose commit the store refuses, and leaves the dataset as it was', async () => {
    peer.clearFaults();
    const added = await call<{ version: number }>('evolve:add-label-column', { name: 'keep', type: 'boolean' });
    expect(added.ok).toBe(true);
    const version = added.ok ? added.value.version : 0;
    // The data files may be written; the manifest that would make them a version is refused.
    peer.fail(/^PUT .*_versions\//, 403, 100_000);
    const write = await call<unknown>('labels:set', { viewId: null, column: 'keep', value: true, positions: [0, 1, 2] });
    peer.clearFaults();
    expect(write.ok).toBe(false);
    if (!write.ok) expect(write.error.message).toMatch(/refused access/);
    const raw = await (await lancedb.connect(`s3://${peer.bucket}/lx`, { storageOptions: peer.storageOptions })).openTable('laion');
    expect(await raw.version()).toBe(version);
    expect(await raw.countRows('keep = true')).toBe(0);
    expect(await raw.countRows()).toBe(600);
    raw.close();
    // Nothing is stuck: the same write goes through once the store accepts it.
    const retried = await call<{ updated: number }>('labels:set', { viewId: null, column: 'keep', value: true, positions: [0, 1, 2] });
    expect(retried.ok && retried.value.updated).toBe(3);
  }, 60_000);

  it('says the storage cannot be reached when the network goes away, without hanging', async () => {
    const gone = await startS3Peer();
    const data = await (await (await lancedb.connect(t.dir)).openTable('src')).query().limit(300).toArrow();
    (await (await lancedb.connect(`s3://${gone.bucket}/x`, { storageOptions: gone.storageOptions })).createTable('laion', data)).close();
    const opened = (await app.dispatch('dataset:open', { path: `s3://${gone.bucket}/x/laion.lance`, storage: gone.storageOptions })) as Reply<DatasetInfo>;
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    await gone.stop();
    const started = Date.now();
    // Beyond the first page (read at open, and served from memory).
    const page = (await app.dispatch('rows:page', { id: opened.value.id, offset: 240, limit: 50 })) as Reply<RowPage>;
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(page.ok).toBe(false);
    if (!page.ok) {
      expect(page.error.code).toBe('IO');
      expect(page.error.message).toMatch(/could not be reached/);
    }
    const reopen = (await app.dispatch('dataset:open', { path: `s3://${gone.bucket}/x/laion.lance`, storage: gone.storageOptions })) as Reply<DatasetInfo>;
    expect(reopen.ok).toBe(false);
    if (!reopen.ok) expect(reopen.error.message).toMatch(/could not be opened: the storage could not be reached/);
  }, 120_000);
});

describe('a network that goes silent (requests accepted, never answered)', () => {
  it('answers a page, a row and its image with "no answer came in time" within the read limit, then reads again once the network answers', async () => {
    const t = tempDir('lx-s3-silent-');
    const peer = await startS3Peer();
    let app: Awaited<ReturnType<typeof openInApp>> | undefined;
    try {
      const local = await writeSyntheticTable(t.dir, 'src', { rows: 600, imageSide: 16, batchRows: 200, clusters: 4 });
      const data = await local.query().toArrow();
      local.close();
      (await (await lancedb.connect(`s3://${peer.bucket}/x`, { storageOptions: peer.storageOptions })).createTable('laion', data)).close();
      // A short limit stands in for the app's 30 s (READ_WAIT_MS); the path is the same.
      app = await openInApp(t.dir, path.join(t.dir, 'src.lance'), { readWaitMs: 3_000 });
      const opened = (await app.dispatch('dataset:open', { path: `s3://${peer.bucket}/x/laion.lance`, storage: peer.storageOptions })) as Reply<DatasetInfo>;
      if (!opened.ok) throw new Error(opened.error.message);
      const id = opened.value.id;
      peer.silence(true);
      const started = Date.now();
      // Beyond the first page (read at open), a row and an image not yet read.
      const [page, row, image] = await Promise.all([
        app.dispatch('rows:page', { id, offset: 400, limit: 50 }) as Promise<Reply<RowPage>>,
        app.dispatch('rows:get', { id, rowId: '450' }) as Promise<Reply<unknown>>,
        app.services.datasets.images.get(id, '460').then(
          (): Reply<unknown> => ({ ok: true, value: null }),
          (err: Error & { code?: string }): Reply<unknown> => ({ ok: false, error: { code: err.code ?? '', message: err.message } }),
        ),
      ]);
      const took = Date.now() - started;
      // Without the limit this took over five minutes (retries of requests that each wait out a timeout).
      expect(took).toBeLessThan(20_000);
      for (const r of [page, row, image]) {
        expect(r.ok).toBe(false);
        if (r.ok) continue;
        expect(r.error.code).toBe('TIMEOUT');
        expect(r.error.message).toMatch(/no answer came in time.*Check the connection/);
        expect(r.error.message).not.toMatch(/LanceError|Query timeout/);
      }
      // Opening it again, and listing its bucket, answer in time too.
      const openStarted = Date.now();
      const [reopen, listed] = await Promise.all([
        app.dispatch('dataset:open', { path: `s3://${peer.bucket}/x/laion.lance`, storage: peer.storageOptions }) as Promise<Reply<DatasetInfo>>,
        app.dispatch('dataset:inspect', { path: `s3://${peer.bucket}/x`, storage: peer.storageOptions }) as Promise<Reply<unknown>>,
      ]);
      expect(Date.now() - openStarted).toBeLessThan(20_000);
      expect(!reopen.ok && reopen.error.message).toMatch(/could not be opened: the storage did not answer within 6 s/);
      expect(!listed.ok && listed.error.message).toMatch(/could not be listed: the storage did not answer within 6 s/);
      peer.silence(false);
      const again = (await app.dispatch('rows:page', { id, offset: 400, limit: 50 })) as Reply<RowPage>;
      expect(again.ok && again.value.rows.map((r) => r.index)).toEqual(Array.from({ length: 50 }, (_, i) => 400 + i));
    } finally {
      app?.services.dispose();
      await peer.stop();
      t.cleanup();
    }
  }, 120_000);
});
