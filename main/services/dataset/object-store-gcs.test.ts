// A dataset in Google Cloud Storage (gs://), through the app, against the GCS stand-in
// (test-support/gcs-peer.ts: GCS's XML API as object_store speaks it to a custom base URL).
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openInApp, tempDir } from '../../test-support/fixtures';
import { writeSyntheticTable } from '../../synthetic/synthetic-laion';
import { lancedb } from './lance';
import type { DatasetInfo, RowPage, VersionEntry, ViewInfo } from '../../../shared/types';

describe('a dataset in Google Cloud Storage (gs://), through the app, against the GCS stand-in', () => {
  it('opens with a service account key file, browses, finds similar, labels, and two writers at once lose nothing', async () => {
    const { startGcsPeer } = await import('../../test-support/gcs-peer');
    const { writeFileSync } = await import('node:fs');
    const gcs = await startGcsPeer();
    const t = tempDir('lx-gcs-app-');
    let app: Awaited<ReturnType<typeof openInApp>> | null = null;
    try {
      const local = await writeSyntheticTable(t.dir, 'src', { rows: 240, imageSide: 16, batchRows: 120, clusters: 3 });
      const data = await local.query().toArrow();
      local.close();
      (await (await lancedb.connect(`gs://${gcs.bucket}/lx`, { storageOptions: gcs.storageOptions })).createTable('laion', data)).close();
      // The Open dialog's field: the path of a service account key file.
      const keyFile = path.join(t.dir, 'key.json');
      writeFileSync(keyFile, gcs.keyJson);
      const storage = { google_service_account: keyFile, allow_http: 'true' };
      app = await openInApp(t.dir, path.join(t.dir, 'src.lance'));
      const listed = (await app.dispatch('dataset:inspect', { path: `gs://${gcs.bucket}/lx`, storage })) as { ok: boolean; value: { kind: string; tables: string[] } };
      expect(listed.value).toMatchObject({ kind: 'table', tables: ['laion'] });
      const opened = (await app.dispatch('dataset:open', { path: `gs://${gcs.bucket}/lx/laion.lance`, storage })) as { ok: boolean; value: DatasetInfo; error?: { message: string } };
      expect(opened.error?.message ?? null).toBeNull();
      const info = opened.value;
      expect(info).toMatchObject({ rowCount: 240, location: 'object-storage', readOnly: false, imageColumn: 'image' });
      const ok = async <T>(channel: string, payload: Record<string, unknown>) => {
        const r = (await app!.dispatch(channel, { id: info.id, ...payload })) as { ok: boolean; value: T; error?: { message: string } };
        if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
        return r.value;
      };
      const page = await ok<RowPage>('rows:page', { offset: 200, limit: 40 });
      expect(page.rows).toHaveLength(40);
      expect((await app.services.datasets.images.get(info.id, page.rows[1]!.rowId)).mime).toBe('image/jpeg');
      const similar = await ok<ViewInfo>('view:open', { spec: { kind: 'similar', rowId: page.rows[1]!.rowId, column: 'img_emb', k: 10, metric: 'cosine', nprobes: 10, refineFactor: 1 } });
      expect(similar.count).toBeGreaterThanOrEqual(10);
      await ok('evolve:add-label-column', { name: 'keep', type: 'boolean' });
      await ok('labels:set', { viewId: null, column: 'keep', value: true, positions: [0, 1, 2] });
      expect((await ok<VersionEntry[]>('versions:list', {}))[0]).toMatchObject({ latest: true, rows: 240 });
      const open = async () => (await lancedb.connect(`gs://${gcs.bucket}/lx`, { storageOptions: gcs.storageOptions })).openTable('laion');
      const [a, b] = [await open(), await open()];
      const src = await (await lancedb.connect(t.dir)).openTable('src');
      const few = (from: number) => src.query().offset(from).limit(2).toArrow();
      await Promise.all([(async () => { for (let i = 0; i < 8; i++) await a.add(await few(i * 2)); })(), (async () => { for (let i = 0; i < 8; i++) await b.add(await few(100 + i * 2)); })()]);
      await a.checkoutLatest(); // a handle sees the other writer's commits once it looks again
      expect(await a.countRows()).toBe(240 + 32);
      expect(gcs.s3.counts.refused412).toBeGreaterThan(0); // the conditional create did its work
      for (const x of [a, b, src]) x.close();
    } finally {
      app?.services.dispose();
      await gcs.stop();
      t.cleanup();
    }
  }, 120_000);
});
