import { formatBytes } from '../../../shared/format-bytes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fs } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { lancedb } from '../dataset/lance';
import { laionTable, tempDir } from '../../test-support/fixtures';
import { startMockHub, type MockHub } from '../../test-support/mock-hub';
import { hubConfigFromEnv, type HubConfig } from './hub-client';
import { openPart } from './part-writer';
import { bytesOnDisk, planDownload, readState, runDownload, stagingOf } from './downloader';
import { inspectPath } from '../dataset/dataset-locate';
import type { DownloadDetail } from '../../../shared/types';

const tmp = tempDir('lx-hub-');
let source: string;
let sourceRows: number;
let hub: MockHub;
let n = 0;

beforeAll(async () => {
  source = await laionTable(tmp.dir, 'src', 900, { batchRows: 150, imageSide: 24 });
  const t = await (await lancedb.connect(tmp.dir)).openTable('src');
  await t.createIndex('key', { config: lancedb.Index.btree() });
  sourceRows = await t.countRows();
  t.close();
}, 60_000);
afterAll(() => tmp.cleanup());

async function freshHub(opts: Parameters<typeof startMockHub>[1] = {}) {
  hub = await startMockHub(source, opts);
  return hub;
}
afterEach(async () => hub?.close());

const cfgFor = (h: MockHub, token: string | null = null): HubConfig => hubConfigFromEnv({ HF_ENDPOINT: `${h.endpoint}/` }, token);
const target = () => path.join(tmp.dir, 'downloads', `copy-${++n}.lance`);
const req = (t: string) => ({ repo: 'lance-format/laion-1m', revision: 'main', folder: 'data/train.lance', target: t, parallel: 4 });
const fast = { backoffMs: 5 };

async function rowsOf(p: string): Promise<number> {
  const t = await (await lancedb.connect(path.dirname(p))).openTable(path.basename(p, '.lance'));
  const rows = await t.countRows();
  // Every data file is read, not just counted from manifests.
  const all = await t.query().select(['key', 'caption', 'img_emb']).toArrow();
  expect(all.numRows).toBe(rows);
  t.close();
  return rows;
}

describe('download from the Hub', () => {
  it('lists (paginated), fetches in parallel, verifies, writes manifests last and publishes a dataset that opens', async () => {
    const h = await freshHub({ pageSize: 4 });
    const t = target();
    const details: DownloadDetail[] = [];
    const r = await runDownload(cfgFor(h), req(t), (_d, _t, _m, d) => d && details.push(d), new AbortController().signal, fast);
    expect(r.path).toBe(t);
    expect(r.files).toBe(h.files.length);
    expect(await rowsOf(t)).toBe(sourceRows);
    expect(existsSync(stagingOf(t))).toBe(false);
    expect(h.requests.tree).toBeGreaterThan(2); // several pages
    const order = [...h.served.keys()];
    const firstManifest = order.findIndex((p) => p.includes('/_versions/'));
    expect(order.slice(firstManifest).every((p) => p.includes('/_versions/'))).toBe(true);
    const last = details.at(-1)!;
    expect(last).toMatchObject({ bytesTotal: r.bytes, filesTotal: h.files.length, filesDone: h.files.length });
    expect(details.some((d) => d.inFlight.length > 1)).toBe(true);
  });

  it('plans first: commit, files, size, free space; refuses an existing target', async () => {
    const h = await freshHub();
    const t = target();
    const { plan } = await planDownload(cfgFor(h), req(t));
    expect(plan).toMatchObject({ commit: h.commit, files: h.files.length, haveBytes: 0, tooBig: false });
    expect(plan.totalBytes).toBe(h.files.reduce((a, f) => a + f.bytes.length, 0));
    expect(plan.freeBytes).toBeGreaterThan(plan.totalBytes);
    await fs.mkdir(t, { recursive: true });
    await expect(planDownload(cfgFor(h), req(t))).rejects.toThrow(/already exists/);
  });

  it('resumes a dropped connection with Range and fetches each byte once', async () => {
    const h = await freshHub();
    const big = h.files.filter((f) => f.lfs).sort((a, b) => b.bytes.length - a.bytes.length)[0]!;
    h.faults.drop = { afterBytes: Math.floor(big.bytes.length / 2), times: 1, match: new RegExp(big.path.replace(/[.]/g, '\\.') + '$') };
    const t = target();
    await runDownload(cfgFor(h), req(t), () => {}, new AbortController().signal, fast);
    expect(await rowsOf(t)).toBe(sourceRows);
    expect(h.served.get(big.path)).toBe(big.bytes.length);
    expect(h.requests.cdn).toBe(h.files.filter((f) => f.lfs).length + 1);
  });

  it('waits as long as a 429 says, retries 500s, then finishes', async () => {
    const h = await freshHub();
    h.faults.rateLimit = { times: 1, retryAfter: 1 };
    h.faults.serverError = { times: 2 };
    const retries: string[] = [];
    const t0 = performance.now();
    await runDownload(cfgFor(h), req(target()), (_d, _t, _m, d) => d?.retrying && retries.push(d.retrying), new AbortController().signal, fast);
    expect(performance.now() - t0).toBeGreaterThan(950);
    expect(retries.some((r) => /429; retrying in 1\.0 s/.test(r))).toBe(true);
    expect(retries.some((r) => /500/.test(r))).toBe(true);
  });

  it('fetches again a file that fails its checksum, and stops (keeping nothing half-done) when it keeps failing', async () => {
    const h = await freshHub();
    h.faults.corrupt = { times: 1, match: /\/data\// };
    const t = target();
    await runDownload(cfgFor(h), req(t), () => {}, new AbortController().signal, fast);
    expect(await rowsOf(t)).toBe(sourceRows);

    h.faults.corrupt = { times: 1000, match: /\/data\// };
    const t2 = target();
    await expect(runDownload(cfgFor(h), req(t2), () => {}, new AbortController().signal, fast)).rejects.toThrow(/failed its sha256 check 3 times/);
    expect(existsSync(t2)).toBe(false);
    expect((await inspectPath(path.join(stagingOf(t2), 'files'))).kind).toBe('none');
  });

  it('checks git sha1 for small files too', async () => {
    const h = await freshHub();
    h.faults.corrupt = { times: 1000, match: /_versions/ };
    const t = target();
    await expect(runDownload(cfgFor(h), req(t), () => {}, new AbortController().signal, fast)).rejects.toThrow(/failed its git sha1 check/);
    expect(existsSync(t)).toBe(false);
  });

  it('refuses a hostile listing before writing anything', async () => {
    const h = await freshHub();
    for (const hostile of ['data/train.lance/../../../escape.txt', 'data/train.lance/_versions/..', '/etc/passwd', 'data/train.lance/a\\b', 'data/train.lance/x/\u0001y', 'other/file']) {
      h.faults.hostilePaths = [hostile];
      const t = target();
      await expect(runDownload(cfgFor(h), req(t), () => {}, new AbortController().signal, fast)).rejects.toThrow(/unsafe path/);
      expect(existsSync(stagingOf(t))).toBe(false);
      expect(existsSync(t)).toBe(false);
    }
    expect(existsSync(path.join(tmp.dir, 'escape.txt'))).toBe(false);
  });

  /**
   * Bytes the mock has served, once it has stopped sending: a throttled server may write a chunk or
   * two into a connection the client already dropped before it notices.
   */
  async function servedSettled(h: { served: Map<string, number> }): Promise<number> {
    const now = () => [...h.served.values()].reduce((a, b) => a + b, 0);
    let last = now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      if (now() === last) return last;
      last = now();
    }
  }

  it('pauses (nothing opens as a dataset), then resumes from where it stopped', async () => {
    const h = await freshHub();
    h.faults.bytesPerSecond = 2_000_000;
    const t = target();
    const total = h.files.reduce((a, f) => a + f.bytes.length, 0);
    const controller = new AbortController();
    const stop = runDownload(cfgFor(h), req(t), (done) => done > total / 2 && controller.abort(), controller.signal, fast);
    await expect(stop).rejects.toThrow(/Stopped with .* kept\. Resume continues from there/);
    expect(existsSync(t)).toBe(false);
    expect((await inspectPath(path.join(stagingOf(t), 'files'))).kind).toBe('none');
    const state = await readState(t);
    expect(state?.commit).toBe(h.commit);
    const kept = await bytesOnDisk(state!);
    expect(kept).toBeGreaterThan(total / 3);
    // the message says what is really kept (what is on disk), in the app's units
    const said = ((await stop.catch((e: Error) => e)) as Error).message;
    expect(said).toContain(`Stopped with ${formatBytes(kept)} of`);

    h.faults.bytesPerSecond = undefined;
    const servedBefore = await servedSettled(h);
    const { plan } = await planDownload(cfgFor(h), req(t));
    expect(plan.haveBytes).toBe(kept);
    await runDownload(cfgFor(h), req(t), () => {}, new AbortController().signal, fast);
    const servedAfter = [...h.served.values()].reduce((a, b) => a + b, 0);
    expect(servedAfter - servedBefore).toBe(total - kept);
    expect(await rowsOf(t)).toBe(sourceRows);
  });

  it('resumes after the downloading process is killed, re-fetching nothing it had written', async () => {
    const h = await freshHub();
    h.faults.bytesPerSecond = 1_500_000;
    const t = target();
    const total = h.files.reduce((a, f) => a + f.bytes.length, 0);
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/hub-download.ts', 'lance-format/laion-1m', '--target', t, '--json'], {
      cwd: path.resolve(__dirname, '../../..'),
      env: { ...process.env, HF_ENDPOINT: h.endpoint, HF_TOKEN: '', LANCE_EXPLORER_HOME: path.join(tmp.dir, 'cli-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastWritten = 0;
    let inFlight = 0;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          const p = JSON.parse(l) as { done: number; inFlight: number };
          lastWritten = Math.max(lastWritten, p.done);
          inFlight = Math.max(inFlight, p.inFlight);
          if (p.done > total / 2) {
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
      child.on('exit', (code) => code !== null && reject(new Error(`the download ended by itself (${code})`)));
    });
    await new Promise((r) => child.once('close', r));
    expect(existsSync(t)).toBe(false);
    const state = await readState(t);
    const kept = await bytesOnDisk(state!);
    // Everything it reported as written survived the kill; the rest is at most a chunk per transfer.
    expect(kept).toBeGreaterThanOrEqual(lastWritten);
    h.faults.bytesPerSecond = undefined;
    const servedBefore = await servedSettled(h);
    await runDownload(cfgFor(h), req(t), () => {}, new AbortController().signal, fast);
    const fetchedByResume = [...h.served.values()].reduce((a, b) => a + b, 0) - servedBefore;
    expect(fetchedByResume).toBe(total - kept);
    expect(await rowsOf(t)).toBe(sourceRows);
  }, 60_000);

  it('stays on the commit it listed when the branch moves during the download', async () => {
    const h = await freshHub();
    const t = target();
    const pinned = h.commit;
    let pushed = false;
    await runDownload(cfgFor(h), req(t), (done) => {
      if (!pushed && done > 0) {
        pushed = true;
        h.push();
      }
    }, new AbortController().signal, fast);
    expect(pushed).toBe(true);
    expect(h.commit).not.toBe(pinned);
    expect(await rowsOf(t)).toBe(sourceRows);
  });

  it('needs a token for a gated repo, and says so', async () => {
    const h = await freshHub({ token: 'hf_secret' });
    await expect(runDownload(cfgFor(h), req(target()), () => {}, new AbortController().signal, fast)).rejects.toThrow(/refused access.*token/);
    const t = target();
    await runDownload(cfgFor(h, 'hf_secret'), req(t), () => {}, new AbortController().signal, fast);
    expect(await rowsOf(t)).toBe(sourceRows);
    // The token went to the Hub only, never to the CDN the Hub redirected to.
    expect(h.requests.cdn).toBeGreaterThan(0);
    expect(h.requests.cdnWithAuthorization).toBe(0);
  });

  it('stops on a full disk, keeps what it has, and resumes once there is space', async () => {
    const h = await freshHub();
    const t = target();
    let written = 0;
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    await expect(
      runDownload(cfgFor(h), req(t), () => {}, new AbortController().signal, {
        ...fast,
        openPart: async (part) => {
          const w = await openPart(part);
          return {
            ...w,
            write: async (chunks) => {
              if (written > 100_000) throw full;
              written += chunks.reduce((n, c) => n + c.length, 0);
              return w.write(chunks);
            },
          };
        },
      }),
    ).rejects.toThrow(/disk is full .* free some space, then resume/);
    expect(existsSync(t)).toBe(false);
    await runDownload(cfgFor(h), req(t), () => {}, new AbortController().signal, fast);
    expect(await rowsOf(t)).toBe(sourceRows);
  });

  it('says clearly when the Hub cannot be reached, or the repo or revision does not exist', async () => {
    const h = await freshHub();
    await expect(runDownload(cfgFor(h), { ...req(target()), revision: 'nope' }, () => {}, new AbortController().signal, fast)).rejects.toThrow(/revision .* does not exist/);
    await expect(runDownload(cfgFor(h), { ...req(target()), repo: 'someone/else' }, () => {}, new AbortController().signal, fast)).rejects.toThrow(/repository does not exist/);
    const dead = hubConfigFromEnv({ HF_ENDPOINT: 'http://127.0.0.1:9' });
    await expect(runDownload(dead, req(target()), () => {}, new AbortController().signal, fast)).rejects.toThrow(/could not be reached/);
    await expect(runDownload(cfgFor(h), { ...req(target()), repo: '../etc' }, () => {}, new AbortController().signal, fast)).rejects.toThrow(/not a Hub repository id/);
  });
});
