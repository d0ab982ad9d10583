import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createAppServices, type AppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { jobFinished, laionTable, tempDir } from '../../test-support/fixtures';
import { startMockHub, type MockHub } from '../../test-support/mock-hub';
import { encryptedFileStore } from './secret-file';
import type { DatasetInfo, DownloadPlan, IncompleteDownload, JobProgress } from '../../../shared/types';

const tmp = tempDir('lx-hubsvc-');
let hub: MockHub;
let services: AppServices;
let dispatch: ReturnType<typeof createDispatch>;
// A reversible stand-in for safeStorage: what matters is that the plain token never reaches the disk.
const cipher = { available: () => true, encrypt: (s: string) => Buffer.from(s).reverse(), decrypt: (b: Buffer) => Buffer.from(b).reverse().toString() };

beforeAll(async () => {
  const src = await laionTable(tmp.dir, 'src', 400, { batchRows: 100, imageSide: 16 });
  hub = await startMockHub(src, { token: 'hf_gatedToken123' });
  services = createAppServices({
    dataDir: path.join(tmp.dir, 'home'),
    demoPath: path.join(tmp.dir, 'demo.lance'),
    platform: { carrier: 'electron', secrets: encryptedFileStore(path.join(tmp.dir, 'home', 'secrets'), cipher) },
    env: { HF_ENDPOINT: hub.endpoint },
  });
  dispatch = createDispatch(services);
}, 60_000);
afterAll(async () => {
  await hub.close();
  services.dispose();
  tmp.cleanup();
});

const base = { repo: 'lance-format/laion-1m', revision: 'main', folder: 'data/train.lance' };
const finished = (jobId: string) => jobFinished(services.events, jobId);

describe('Hub downloads through dispatch', () => {
  it('asks for a token on a gated repo; a typed token is kept encrypted and used', async () => {
    const target = path.join(tmp.dir, 'dl', 'gated.lance');
    const refused = await dispatch('hub:plan', { ...base, target });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/gated or private.*token/) } });
    expect(await dispatch('hub:token-status', {})).toMatchObject({ ok: true, value: { source: 'none', canStore: true } });
    expect(await dispatch('hub:set-token', { token: 'not-a-token', remember: true })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/starts with "hf_"/) } });
    expect(await dispatch('hub:set-token', { token: 'hf_gatedToken123', remember: true })).toMatchObject({ ok: true, value: { source: 'typed', stored: true } });
    const secretsDir = path.join(tmp.dir, 'home', 'secrets');
    for (const f of readdirSync(secretsDir)) expect(readFileSync(path.join(secretsDir, f), 'utf8')).not.toContain('hf_gatedToken123');
    const plan = (await dispatch('hub:plan', { ...base, target })) as { ok: true; value: DownloadPlan & { defaultTarget: string } };
    expect(plan.ok).toBe(true);
    expect(plan.value).toMatchObject({ commit: hub.commit, files: hub.files.length, haveBytes: 0, tooBig: false });
    expect(plan.value.defaultTarget).toBe(path.join(tmp.dir, 'home', 'hub', 'lance-format--laion-1m', 'train.lance'));
  });

  it('downloads as a job with detailed progress, then the copy opens', async () => {
    const target = path.join(tmp.dir, 'dl', 'copy.lance');
    const progress: JobProgress[] = [];
    const off = services.events.on('job:progress', (p) => progress.push(p));
    const r = (await dispatch('hub:download', { ...base, target, parallel: 2 })) as { ok: true; value: { jobId: string } };
    expect(r.ok).toBe(true);
    const f = await finished(r.value.jobId);
    off();
    expect(f).toMatchObject({ ok: true, path: target });
    expect(progress.some((p) => p.download && p.download.filesTotal === hub.files.length)).toBe(true);
    const opened = (await dispatch('dataset:open', { path: target })) as { ok: true; value: DatasetInfo };
    expect(opened.value.rowCount).toBe(400);
    expect(await dispatch('hub:incomplete', {})).toEqual({ ok: true, value: [] });
  });

  it('lists a stopped download as incomplete until it is resumed or discarded', async () => {
    const target = path.join(tmp.dir, 'dl', 'stopped.lance');
    hub.faults.bytesPerSecond = 500_000;
    const r = (await dispatch('hub:download', { ...base, target })) as { ok: true; value: { jobId: string } };
    await new Promise<void>((resolve) => {
      const off = services.events.on('job:progress', (p) => {
        if (p.jobId === r.value.jobId && p.done > 0) {
          off();
          resolve();
        }
      });
    });
    expect(await dispatch('hub:download', { ...base, target })).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    await dispatch('job:cancel', { jobId: r.value.jobId });
    const f = await finished(r.value.jobId);
    expect(f.error).toMatch(/Stopped with .* kept/);
    hub.faults.bytesPerSecond = undefined;
    const list = (await dispatch('hub:incomplete', {})) as { ok: true; value: IncompleteDownload[] };
    expect(list.value).toHaveLength(1);
    expect(list.value[0]).toMatchObject({ target, repo: base.repo, commit: hub.commit });
    expect(list.value[0]!.haveBytes).toBeGreaterThan(0);
    // Opening the stopped folder is refused: it does not exist as a dataset.
    expect(await dispatch('dataset:open', { path: target })).toMatchObject({ ok: false });
    expect(await dispatch('hub:discard', { target })).toEqual({ ok: true, value: { discarded: true } });
    expect(existsSync(`${target}.partial`)).toBe(false);
    expect(await dispatch('hub:incomplete', {})).toEqual({ ok: true, value: [] });
    expect(await dispatch('hub:discard', { target: '/etc' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses relative targets and odd names before contacting anyone', async () => {
    const before = hub.requests.revision;
    expect(await dispatch('hub:plan', { ...base, target: 'relative.lance' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/full folder path/) } });
    expect(await dispatch('hub:plan', { ...base, target: path.join(tmp.dir, 'x') })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/end in .lance/) } });
    expect(await dispatch('hub:plan', { ...base, repo: 'a/b/../c', target: path.join(tmp.dir, 'y.lance') })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await dispatch('hub:plan', { ...base, folder: '../../etc', target: path.join(tmp.dir, 'z.lance') })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(hub.requests.revision).toBe(before);
    await fs.rm(path.join(tmp.dir, 'x'), { recursive: true, force: true });
  });

  it('browses a Hub dataset online through LanceDB (hf://), slower but without downloading', async () => {
    // LanceDB's Hub access reads HF_ENDPOINT and HF_TOKEN from the process environment.
    process.env.HF_ENDPOINT = hub.endpoint;
    process.env.HF_TOKEN = 'hf_gatedToken123';
    const uri = 'hf://datasets/lance-format/laion-1m/data/train.lance';
    const opened = (await dispatch('dataset:open', { path: uri })) as { ok: true; value: DatasetInfo };
    expect(opened).toMatchObject({ ok: true, value: { rowCount: 400, path: uri, table: 'train' } });
    const page = (await dispatch('rows:page', { id: opened.value.id, offset: 390, limit: 20 })) as { ok: true; value: { rows: unknown[] } };
    expect(page.value.rows).toHaveLength(10);
    expect(await dispatch('dataset:open', { path: 'hf://datasets/lance-format/laion-1m/../x.lance' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await dispatch('dataset:open', { path: 'hf://datasets/lance-format/laion-1m/data/missing.lance' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/could not be opened from the Hub/) } });
  });

  it('keeps a typed token for the session only where nothing can encrypt it', async () => {
    const plain = createAppServices({ dataDir: path.join(tmp.dir, 'home2'), platform: { carrier: 'web' }, env: {} });
    expect(await plain.hub.setToken('hf_abcdefgh123', true)).toEqual({ source: 'typed', stored: false });
    expect(await plain.hub.tokenStatus()).toEqual({ source: 'typed', canStore: false });
    expect(existsSync(path.join(tmp.dir, 'home2', 'secrets'))).toBe(false);
    plain.dispose();
  });
});
