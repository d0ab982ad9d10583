// One file's transfer on its own, against a local server that misbehaves on purpose: what is kept,
// what is fetched again, what the progress counts, and when it gives up.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { hubConfigFromEnv } from './hub-client';
import { openPartOnMainThread } from './part-writer';
import { transferFile, TransferProgress, type PlannedFile, type TransferContext } from './file-transfer';
import { failure } from '../support/errors';
import type { DownloadDetail } from '../../../shared/types';

const BODY = randomBytes(300_000);
const SHA = createHash('sha256').update(BODY).digest('hex');
/** What the server does with the next requests, in order; then it behaves. */
let script: Array<'ignore-range' | 'corrupt' | 'too-long' | '503-long-wait' | 'drop-half'> = [];
let served = 0;
let server: http.Server;
let endpoint = '';
let dir: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const mode = script.shift();
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = range && mode !== 'ignore-range' ? Number(range[1]) : 0;
    if (mode === '503-long-wait') {
      res.writeHead(503, { 'retry-after': '600' });
      return void res.end();
    }
    let body = BODY.subarray(from);
    if (mode === 'corrupt') body = Buffer.from(body.map((b, i) => (i === 10 ? b ^ 1 : b)));
    if (mode === 'too-long') body = Buffer.concat([body, Buffer.alloc(10)]);
    served += mode === 'drop-half' ? body.length / 2 : body.length;
    res.writeHead(from ? 206 : 200, { 'content-length': String(body.length), ...(from ? { 'content-range': `bytes ${from}-${BODY.length - 1}/${BODY.length}` } : {}) });
    if (mode === 'drop-half') {
      res.write(body.subarray(0, body.length / 2), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());
beforeEach(async () => {
  script = [];
  served = 0;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-transfer-'));
  await fs.mkdir(path.join(dir, 'parts'));
  await fs.mkdir(path.join(dir, 'files'));
});

const file: PlannedFile = { rel: 'data/x.lance', size: BODY.length, sha256: SHA, gitSha1: null };

function context(maxAttempts = 4): { ctx: TransferContext; detail: DownloadDetail; progress: TransferProgress } {
  const detail: DownloadDetail = { phase: 'downloading', bytesDone: 0, bytesTotal: BODY.length, rate: 0, etaSeconds: null, filesDone: 0, filesTotal: 1, inFlight: [], retrying: null };
  const progress = new TransferProgress(detail, () => {});
  const ctx: TransferContext = {
    cfg: hubConfigFromEnv({ HF_ENDPOINT: endpoint }),
    source: { repo: 'o/n', commit: 'c'.repeat(40), folder: '' },
    partsDir: path.join(dir, 'parts'),
    filesDir: path.join(dir, 'files'),
    policy: { maxAttempts, backoffMs: 1, maxRetryAfterMs: 5_000 },
    open: openPartOnMainThread,
    progress,
    signal: new AbortController().signal,
    stopped: () => failure('CANCELLED', 'stopped'),
  };
  return { ctx, detail, progress };
}

const final = () => fs.readFile(path.join(dir, 'files', 'data', 'x.lance'));

describe('transferFile', () => {
  it('resumes a part from where it ends, fetching only the rest, and counts each byte once', async () => {
    await fs.writeFile(path.join(dir, 'parts', '0.part'), BODY.subarray(0, 100_000));
    const { ctx, detail, progress } = context();
    await transferFile(ctx, file, 0);
    expect((await final()).equals(BODY)).toBe(true);
    expect(served).toBe(BODY.length - 100_000);
    expect(detail.bytesDone).toBe(BODY.length);
    expect(detail.filesDone).toBe(1);
    expect(detail.inFlight).toEqual([]);
    expect(progress.refetchedBytes).toBe(0);
  });

  it('starts over when the server ignores the Range request, and says what it fetched again', async () => {
    await fs.writeFile(path.join(dir, 'parts', '0.part'), BODY.subarray(0, 100_000));
    script = ['ignore-range'];
    const { ctx, detail, progress } = context();
    await transferFile(ctx, file, 0);
    expect((await final()).equals(BODY)).toBe(true);
    expect(progress.refetchedBytes).toBe(100_000);
    expect(detail.bytesDone).toBe(BODY.length);
  });

  it('keeps what arrived before a dropped connection and fetches only the rest', async () => {
    script = ['drop-half'];
    const { ctx, detail } = context();
    await transferFile(ctx, file, 0);
    expect((await final()).equals(BODY)).toBe(true);
    expect(served).toBeLessThan(BODY.length * 1.05); // half, then the other half: not the whole file twice
    expect(detail.bytesDone).toBe(BODY.length);
  });

  it('fetches a file again when its hash does not match, and gives up after three bad copies with nothing counted', async () => {
    script = ['corrupt'];
    const once = context();
    await transferFile(once.ctx, file, 0);
    expect((await final()).equals(BODY)).toBe(true);
    expect(once.progress.refetchedBytes).toBe(BODY.length);

    await fs.rm(path.join(dir, 'files'), { recursive: true });
    await fs.mkdir(path.join(dir, 'files'));
    script = ['corrupt', 'corrupt', 'corrupt'];
    const bad = context(8);
    await expect(transferFile(bad.ctx, file, 0)).rejects.toMatchObject({ code: 'IO', message: expect.stringMatching(/failed its sha256 check 3 times/) });
    expect(bad.detail.bytesDone).toBe(0);
    expect(bad.detail.inFlight).toEqual([]);
    await expect(fs.stat(path.join(dir, 'files', 'data', 'x.lance'))).rejects.toThrow();
  });

  it('starts over when the server sends more bytes than the listing says', async () => {
    script = ['too-long'];
    const { ctx, detail } = context();
    await transferFile(ctx, file, 0);
    expect((await final()).equals(BODY)).toBe(true);
    expect(detail.bytesDone).toBe(BODY.length);
  });

  it('stops with BUSY, keeping the part, when the Hub asks to wait longer than it will', async () => {
    await fs.writeFile(path.join(dir, 'parts', '0.part'), BODY.subarray(0, 50_000));
    script = ['503-long-wait'];
    const { ctx, detail } = context();
    await expect(transferFile(ctx, file, 0)).rejects.toMatchObject({ code: 'BUSY', message: expect.stringMatching(/wait 600 s/) });
    expect((await fs.stat(path.join(dir, 'parts', '0.part'))).size).toBe(50_000);
    expect(detail.bytesDone).toBe(0);
  });

  it('counts a file already verified on disk without asking the server', async () => {
    await fs.mkdir(path.join(dir, 'files', 'data'), { recursive: true });
    await fs.writeFile(path.join(dir, 'files', 'data', 'x.lance'), BODY);
    const { ctx, detail } = context();
    await transferFile(ctx, file, 0);
    expect(served).toBe(0);
    expect(detail).toMatchObject({ bytesDone: BODY.length, filesDone: 1 });
  });
});
