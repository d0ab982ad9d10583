// Datasets in object storage, against a local S3-compatible store the test starts (s3rver behind a
// front that enforces If-None-Match as S3 does). Credentials are always set, so nothing can fall
// through to a cloud metadata address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startS3Peer, type S3Peer } from '../../test-support/s3-peer';
import { jobFinished, openInApp, tempDir } from '../../test-support/fixtures';
import { writeSyntheticTable } from '../../synthetic/synthetic-laion';
import { lancedb } from './lance';
import type { DatasetInfo, RowPage, VersionEntry, ViewInfo } from '../../../shared/types';

let peer: S3Peer;
beforeAll(async () => {
  peer = await startS3Peer();
}, 30_000);
afterAll(async () => peer?.stop());

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, caption: `row ${from + i}` }));

describe('the local S3 peer', () => {
  it('refuses a conditional PUT of a key that exists, as S3 does', async () => {
    const url = `${peer.endpoint}/${peer.bucket}/probe/${Date.now()}.txt`;
    const put = (body: string) => fetch(url, { method: 'PUT', headers: { 'If-None-Match': '*' }, body });
    expect((await put('first')).status).toBe(200);
    const second = await put('second');
    expect(second.status).toBe(412);
    expect(await second.text()).toContain('PreconditionFailed');
    expect(await (await fetch(url)).text()).toBe('first');
  });

  it('two writers appending at once through the front lose nothing', async () => {
    const db = await lancedb.connect(`s3://${peer.bucket}/concurrent`, { storageOptions: peer.storageOptions });
    const base = await db.createTable('t', rows(0, 1));
    const a = await (await lancedb.connect(`s3://${peer.bucket}/concurrent`, { storageOptions: peer.storageOptions })).openTable('t');
    const b = await (await lancedb.connect(`s3://${peer.bucket}/concurrent`, { storageOptions: peer.storageOptions })).openTable('t');
    const writer = async (t: typeof a, start: number) => {
      for (let i = 0; i < 30; i++) await t.add(rows(start + i * 5, 5));
    };
    await Promise.all([writer(a, 1000), writer(b, 5000)]);
    await base.checkoutLatest();
    expect(await base.countRows()).toBe(301);
    expect(peer.counts.refused412).toBeGreaterThan(0);
  }, 120_000);
});

describe('a dataset in object storage, through the app', () => {
  const t = tempDir('lx-s3-app-');
  let app: Awaited<ReturnType<typeof openInApp>>;
  let info: DatasetInfo;
  const URI = () => `s3://${peer.bucket}/lx/laion.lance`;
  beforeAll(async () => {
    // A LAION-shaped table written locally, then copied into the bucket by LanceDB itself.
    const local = await writeSyntheticTable(t.dir, 'src', { rows: 400, imageSide: 16, batchRows: 200, clusters: 4 });
    const data = await local.query().toArrow();
    local.close();
    const db = await lancedb.connect(`s3://${peer.bucket}/lx`, { storageOptions: peer.storageOptions });
    const table = await db.createTable('laion', data);
    await table.createIndex('key', { config: lancedb.Index.btree() });
    await table.createIndex('caption', { config: lancedb.Index.fts() });
    await db.createTable('other', [{ id: 1, caption: 'x' }]);
    table.close();
    // A local table only to start the app with; the S3 one is opened through dispatch.
    app = await openInApp(t.dir, path.join(t.dir, 'src.lance'));
    const r = (await app.dispatch('dataset:open', { path: URI(), storage: peer.storageOptions })) as { ok: boolean; value: DatasetInfo; error?: { message: string } };
    expect(r.error?.message ?? null).toBeNull();
    info = r.value;
  }, 120_000);
  afterAll(() => {
    app?.services.dispose();
    t.cleanup();
  });
  const ok = async <T>(channel: string, payload: Record<string, unknown>): Promise<T> => {
    const r = (await app.dispatch(channel, { id: info.id, ...payload })) as { ok: boolean; value: T; error?: { message: string } };
    if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
    return r.value;
  };

  it('opens it writable, browses, reads details and images, filters, finds similar and searches', async () => {
    expect(info).toMatchObject({ path: URI(), table: 'laion', rowCount: 400, readOnly: false, imageColumn: 'image', keyColumn: 'key' });
    const page = await ok<RowPage>('rows:page', { offset: 100, limit: 50 });
    expect(page.rows).toHaveLength(50);
    const row = page.rows[7]!;
    expect((await ok<{ values: Record<string, unknown> }>('rows:get', { rowId: row.rowId })).values.caption).toBe(row.values.caption);
    const img = await app.services.datasets.images.get(info.id, row.rowId);
    expect(img.mime).toBe('image/jpeg');
    const filtered = await ok<ViewInfo>('view:open', { spec: { kind: 'browse', filter: { conditions: [], sql: 'width > 10' }, sort: { column: 'similarity', descending: true } } });
    expect(filtered.count).toBeGreaterThan(0);
    const similar = await ok<ViewInfo>('view:open', { spec: { kind: 'similar', rowId: row.rowId, column: 'img_emb', k: 10, metric: 'cosine', nprobes: 10, refineFactor: 1 } });
    expect(similar.count).toBeGreaterThanOrEqual(10); // the query row first, then its 10 nearest
    const first = await ok<RowPage>('view:page', { viewId: similar.viewId, offset: 0, limit: 1 });
    expect(first.rows[0]?.values.key).toBe(row.values.key);
    const search = await ok<ViewInfo>('view:open', { spec: { kind: 'search', text: 'photo', column: 'caption', limit: 20 } });
    expect(search.count).toBeGreaterThan(0);
  });

  it('labels, tags and lists versions there, and computes statistics', async () => {
    await ok('evolve:add-label-column', { name: 'keep', type: 'boolean' });
    await ok('labels:set', { viewId: null, column: 'keep', value: true, positions: [0, 1, 2] });
    const page = await ok<RowPage>('rows:page', { offset: 0, limit: 3 });
    expect(page.rows.map((r) => r.values.keep)).toEqual([true, true, true]);
    const history = await ok<VersionEntry[]>('versions:list', {});
    expect(history[0]).toMatchObject({ latest: true, rows: 400 });
    expect(history.map((h) => h.change).join(' | ')).toMatch(/added column keep/);
    await ok('tags:change', { action: 'create', tag: 'labelled', version: history[0]!.version });
    expect((await ok<VersionEntry[]>('versions:list', {}))[0]?.tags).toEqual(['labelled']);
    const stats = await ok<{ jobId: string }>('stats:start', {});
    expect((await jobFinished(app.services.events, stats.jobId)).error).toBeNull();
    // A raw reader sees the labels: they were committed to the store.
    const raw = await (await lancedb.connect(`s3://${peer.bucket}/lx`, { storageOptions: peer.storageOptions })).openTable('laion');
    expect(await raw.countRows('keep = true')).toBe(3);
    raw.close();
  }, 60_000);

  it('lists the tables of a database address, and says what is wrong with bad credentials or a missing bucket', async () => {
    const listed = (await app.dispatch('dataset:inspect', { path: `s3://${peer.bucket}/lx`, storage: peer.storageOptions })) as { ok: true; value: { kind: string; tables: string[] }; error?: { message: string } };
    expect(listed.error?.message ?? null).toBeNull();
    expect(listed.value).toMatchObject({ kind: 'database', tables: ['laion', 'other'] });
    const choose = (await app.dispatch('dataset:open', { path: `s3://${peer.bucket}/lx`, storage: peer.storageOptions })) as { ok: false; error: { code: string; message: string } };
    expect(choose.error.message).toMatch(/holds 2 tables \(laion, other\): choose one/);
    const other = (await app.dispatch('dataset:open', { path: `s3://${peer.bucket}/lx`, table: 'other', storage: peer.storageOptions })) as { ok: true; value: DatasetInfo };
    expect(other.value).toMatchObject({ table: 'other', rowCount: 1 });
    const wrong = (await app.dispatch('dataset:open', { path: URI(), storage: { ...peer.storageOptions, aws_access_key_id: 'NOT-OURS' } })) as { ok: false; error: { code: string; message: string } };
    expect(wrong.ok).toBe(false);
    expect(wrong.error.code).toBe('FORBIDDEN');
    expect(wrong.error.message).toMatch(/refused the credentials/);
    expect(wrong.error.message).not.toMatch(/cargo|\.rs:\d|lance error/);
    const missing = (await app.dispatch('dataset:open', { path: `s3://no-such-bucket/x/laion.lance`, storage: peer.storageOptions })) as { ok: false; error: { code: string; message: string } };
    expect(missing.ok).toBe(false);
    expect(missing.error.message).toMatch(/could not be opened/);
    const bad = (await app.dispatch('dataset:open', { path: URI(), storage: { not_a_key: 'x' } })) as { ok: false; error: { code: string } };
    expect(bad.error.code).toBe('INVALID_PAYLOAD');
    // The recent list keeps the address, never the credentials.
    const recent = JSON.stringify((await app.dispatch('recent:list', {})) as unknown);
    expect(recent).toContain(URI());
    expect(recent).not.toContain(peer.storageOptions.aws_secret_access_key);
  }, 60_000);
});

describe('images kept in s3:// by reference', () => {
  it('are read through the dataset\'s own credentials in object storage, or the AWS_* environment for a local dataset', async () => {
    const t = tempDir('lx-s3-refs-');
    const png = await (await import('sharp')).default({ create: { width: 12, height: 9, channels: 3, background: { r: 200, g: 20, b: 20 } } }).png().toBuffer();
    for (let i = 0; i < 3; i++) expect((await fetch(`${peer.endpoint}/${peer.bucket}/imgs/${i}.png`, { method: 'PUT', body: png })).status).toBe(200);
    const rows = [0, 1, 2, 3].map((i) => ({ id: i, photo: `s3://${peer.bucket}/imgs/${i}.png`, note: `n${i}` }));
    // In the bucket: its storage options reach the images too.
    const db = await lancedb.connect(`s3://${peer.bucket}/refs`, { storageOptions: peer.storageOptions });
    (await db.createTable('pics', rows)).close();
    // A local table as the app's first dataset (openInApp needs one), then the S3 one.
    (await (await lancedb.connect(t.dir)).createTable('local', rows)).close();
    const local = await openInApp(t.dir, path.join(t.dir, 'local.lance'));
    try {
      const opened = (await local.dispatch('dataset:open', { path: `s3://${peer.bucket}/refs/pics.lance`, storage: peer.storageOptions })) as { ok: true; value: DatasetInfo };
      expect(opened.value).toMatchObject({ imageColumn: 'photo', imageKind: 'reference' });
      const page = ((await local.dispatch('rows:page', { id: opened.value.id, offset: 0, limit: 4 })) as { ok: true; value: RowPage }).value.rows;
      const got = await local.services.datasets.images.get(opened.value.id, page[1]!.rowId);
      expect(Buffer.from(got.bytes).equals(png)).toBe(true);
      await expect(local.services.datasets.images.get(opened.value.id, page[3]!.rowId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // A local dataset: no credentials in the environment means none are tried (no unsigned request).
      const saved = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_')));
      for (const k of Object.keys(saved)) delete process.env[k];
      const before = peer.counts.GET;
      await expect(local.services.datasets.images.get(local.info.id, (await local.dispatch('rows:page', { id: local.info.id, offset: 0, limit: 1 }) as { value: RowPage }).value.rows[0]!.rowId)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/need credentials/) });
      expect(peer.counts.GET).toBe(before);
      Object.assign(process.env, saved);
    } finally {
      local.services.dispose();
      t.cleanup();
    }
  }, 60_000);

  it('take the AWS_* environment for a local dataset, and say when the store refuses them', async () => {
    const { ImageReferences } = await import('./image-references');
    const refs = new ImageReferences(null);
    const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: peer.endpoint, AWS_ALLOW_HTTP: 'true' };
    const bytes = await refs.read(`s3://${peer.bucket}/imgs/0.png`, { root: null, remote: false, env });
    expect(bytes.byteLength).toBeGreaterThan(50);
    await expect(refs.read(`s3://${peer.bucket}/imgs/0.png`, { root: null, remote: false, env: { ...env, AWS_ACCESS_KEY_ID: 'NOT-OURS' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(refs.read(`s3://${peer.bucket}/imgs/0.png`, { root: null, remote: false, env: { ...env, AWS_ALLOW_HTTP: 'false' } })).rejects.toMatchObject({ message: expect.stringMatching(/plain HTTP/) });
    await expect(refs.read(`gs://b/x.png`, { root: null, remote: false, env })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/need credentials/) });
  });

  it('gs:// images come through a service account key: a signed JWT for a token from its token_uri, then the JSON API', async () => {
    const { generateKeyPairSync, createVerify } = await import('node:crypto');
    const { createServer } = await import('node:http');
    const { ImageReferences } = await import('./image-references');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const png = await (await import('sharp')).default({ create: { width: 5, height: 4, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
    let tokens = 0;
    // A peer that speaks Google's protocol: the OAuth JWT bearer grant, and objects by the JSON API.
    const google = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        if (req.method === 'POST' && url.pathname === '/token') {
          const form = new URLSearchParams(Buffer.concat(parts).toString());
          const [h, c, sig] = (form.get('assertion') ?? '').split('.');
          const claims = JSON.parse(Buffer.from(c ?? '', 'base64url').toString()) as { iss: string; aud: string; scope: string };
          const valid = form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && createVerify('RSA-SHA256').update(`${h}.${c}`).verify(publicKey, sig ?? '', 'base64url') && claims.iss === 'reader@test.iam' && claims.scope.includes('devstorage');
          if (!valid) return res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }));
          tokens++;
          return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'ya29.test', expires_in: 3599, token_type: 'Bearer' }));
        }
        if (req.method === 'GET' && url.pathname === '/storage/v1/b/pics/o/a%2F1.png' && url.searchParams.get('alt') === 'media') {
          if (req.headers.authorization !== 'Bearer ya29.test') return res.writeHead(401).end();
          return res.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => google.listen(0, '127.0.0.1', r));
    const host = `http://127.0.0.1:${(google.address() as { port: number }).port}`;
    try {
      const key = JSON.stringify({ type: 'service_account', client_email: 'reader@test.iam', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), token_uri: `${host}/token` });
      const refs = new ImageReferences(null);
      const env = { STORAGE_EMULATOR_HOST: host };
      const got = await refs.read('gs://pics/a/1.png', { root: null, remote: false, storage: { google_service_account_key: key }, env });
      expect(Buffer.from(got).equals(png)).toBe(true);
      await refs.read('gs://pics/a/1.png', { root: null, remote: false, storage: { google_service_account_key: key }, env });
      expect(tokens).toBe(1); // the token is kept until it expires
      await expect(refs.read('gs://pics/a/2.png', { root: null, remote: false, storage: { google_service_account_key: key }, env })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
      const forged = JSON.stringify({ client_email: 'reader@test.iam', private_key: other, token_uri: `${host}/token` });
      await expect(new ImageReferences(null).read('gs://pics/a/1.png', { root: null, remote: false, storage: { google_service_account_key: forged }, env })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/Invalid JWT Signature/) });
      await expect(new ImageReferences(null).read('gs://pics/a/1.png', { root: null, remote: false, env: {} })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/need credentials/) });
    } finally {
      await new Promise((r) => google.close(r));
    }
  });

  it('az:// images come through the storage account key (Shared Key signing), checked by Azurite', async () => {
    const { ImageReferences } = await import('./image-references');
    const { startAzurite, AZURITE_ACCOUNT: account, AZURITE_KEY: key } = await import('../../test-support/azurite');
    const azurite = await startAzurite();
    const { endpoint, signed } = azurite;
    try {
      await azurite.createContainer('pics');
      const png = await (await import('sharp')).default({ create: { width: 6, height: 6, channels: 3, background: { r: 0, g: 90, b: 200 } } }).png().toBuffer();
      const put = await signed('PUT', `${endpoint}/pics/a/1.png`, { 'x-ms-blob-type': 'BlockBlob', 'Content-Type': 'image/png', 'Content-Length': String(png.byteLength) }, new Uint8Array(png));
      expect(put.status).toBe(201);
      const storage = { azure_storage_account_name: account, azure_storage_account_key: key, azure_storage_endpoint: endpoint };
      const got = await new ImageReferences(null).read('az://pics/a/1.png', { root: null, remote: false, storage, env: {} });
      expect(Buffer.from(got).equals(png)).toBe(true);
      await expect(new ImageReferences(null).read('az://pics/a/2.png', { root: null, remote: false, storage, env: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const wrongKey = Buffer.from('not the key at all, but base64 of something').toString('base64');
      await expect(new ImageReferences(null).read('az://pics/a/1.png', { root: null, remote: false, storage: { ...storage, azure_storage_account_key: wrongKey }, env: {} })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(new ImageReferences(null).read('az://pics/a/1.png', { root: null, remote: false, env: {} })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/need credentials/) });
    } finally {
      await azurite.stop();
    }
  }, 60_000);
});

describe('a dataset in Azure Blob Storage (az://), through the app, against Azurite', () => {
  it('opens, browses, finds similar, labels and lists versions, and two writers at once lose nothing', async () => {
    const { startAzurite } = await import('../../test-support/azurite');
    const azurite = await startAzurite();
    const t = tempDir('lx-az-app-');
    let app: Awaited<ReturnType<typeof openInApp>> | null = null;
    try {
      await azurite.createContainer('data');
      const local = await writeSyntheticTable(t.dir, 'src', { rows: 300, imageSide: 16, batchRows: 150, clusters: 3 });
      const data = await local.query().toArrow();
      local.close();
      const table = await (await lancedb.connect('az://data/lx', { storageOptions: azurite.storageOptions })).createTable('laion', data);
      await table.createIndex('key', { config: lancedb.Index.btree() });
      table.close();
      app = await openInApp(t.dir, path.join(t.dir, 'src.lance'));
      const opened = (await app.dispatch('dataset:open', { path: 'az://data/lx/laion.lance', storage: azurite.storageOptions })) as { ok: boolean; value: DatasetInfo; error?: { message: string } };
      expect(opened.error?.message ?? null).toBeNull();
      const info = opened.value;
      expect(info).toMatchObject({ rowCount: 300, location: 'object-storage', readOnly: false, imageColumn: 'image' });
      const ok = async <T>(channel: string, payload: Record<string, unknown>) => {
        const r = (await app!.dispatch(channel, { id: info.id, ...payload })) as { ok: boolean; value: T; error?: { message: string } };
        if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
        return r.value;
      };
      const page = await ok<RowPage>('rows:page', { offset: 200, limit: 50 });
      expect(page.rows).toHaveLength(50);
      expect((await app.services.datasets.images.get(info.id, page.rows[2]!.rowId)).mime).toBe('image/jpeg');
      const similar = await ok<ViewInfo>('view:open', { spec: { kind: 'similar', rowId: page.rows[2]!.rowId, column: 'img_emb', k: 10, metric: 'cosine', nprobes: 10, refineFactor: 1 } });
      expect(similar.count).toBeGreaterThanOrEqual(10);
      await ok('evolve:add-label-column', { name: 'keep', type: 'boolean' });
      await ok('labels:set', { viewId: null, column: 'keep', value: true, positions: [0, 1] });
      expect((await ok<VersionEntry[]>('versions:list', {}))[0]).toMatchObject({ latest: true, rows: 300 });
      // Two other writers at once (Azure's conditional PUT, as Azurite enforces it): nothing lost.
      const open = async () => (await lancedb.connect('az://data/lx', { storageOptions: azurite.storageOptions })).openTable('laion');
      const [a, b] = [await open(), await open()];
      const src = await (await lancedb.connect(t.dir)).openTable('src');
      const few = (from: number) => src.query().offset(from).limit(3).toArrow();
      await Promise.all([(async () => { for (let i = 0; i < 8; i++) await a.add(await few(i * 3)); })(), (async () => { for (let i = 0; i < 8; i++) await b.add(await few(100 + i * 3)); })()]);
      await a.checkoutLatest(); // a handle sees the other writer's commits once it looks again
      expect(await a.countRows()).toBe(300 + 48);
      a.close();
      b.close();
      src.close();
      // Wrong key: said, in a sentence.
      const wrong = (await app.dispatch('dataset:open', { path: 'az://data/lx/laion.lance', storage: { ...azurite.storageOptions, azure_storage_account_key: Buffer.from('not the key').toString('base64') } })) as { ok: false; error: { code: string; message: string } };
      expect(wrong.ok).toBe(false);
      expect(wrong.error.message).toMatch(/refused|could not be opened/);
    } finally {
      app?.services.dispose();
      await azurite.stop();
      t.cleanup();
    }
  }, 120_000);
});


