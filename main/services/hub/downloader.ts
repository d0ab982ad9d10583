// Download a Lance folder from the Hub into a local copy that is never half-finished where it matters:
//
//   <target>.partial/state.json   what is being fetched: repo, the pinned commit, every file and hash
//   <target>.partial/parts/N.part bytes received so far for file N (resumed with Range)
//   <target>.partial/files/…      files whose size and hash were checked, in their final layout
//
// Data, deletion and index files come first; the version manifests (which decide what a Lance folder
// opens as) only after every other file is verified; then `files/` becomes <target> with one rename.
// A stop at any point (pause, crash, kill, full disk) keeps the verified files and the parts, so the
// next start continues where it left off.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { openPart, type PartHash, type PartOpener, type PartWriter } from './part-writer';
import { failure, errorText, isDiskFull, AppFailure } from '../support/errors';
import { getFile, hubError, listFolder, requestHeaders, resolveCommit, resolveUrl, type FileResponse, type HubConfig } from './hub-client';
import { checkRepoFolder, checkRepoId, checkRevision, inside, isManifest, relativeListingPath } from './hub-paths';
import type { ReportProgress } from '../jobs/jobs';
import type { DownloadDetail, DownloadPlan } from '../../../shared/types';
import { formatBytes as fmtBytes } from '../../../shared/format-bytes';

export { fmtBytes };

export interface DownloadRequest {
  repo: string;
  revision: string;
  folder: string;
  target: string;
  parallel: number;
}

export interface PlannedFile {
  rel: string;
  size: number;
  sha256: string | null;
  gitSha1: string | null;
}

export interface DownloadState {
  format: 1;
  repo: string;
  revision: string;
  commit: string;
  folder: string;
  target: string;
  startedAt: string;
  files: PlannedFile[];
}

export interface DownloadOptions {
  /** Attempts per file before the download stops with an error (it can still be resumed). */
  maxAttempts?: number;
  /** First backoff; doubled each attempt, capped at 30 s (tests make it small). */
  backoffMs?: number;
  /** Longest Retry-After honoured before giving up on this attempt. */
  maxRetryAfterMs?: number;
  /** Lets tests and the benchmark stop the process at an exact point. */
  onChunk?: (bytesDone: number, chunkBytes: number) => void;
  /** Opens a part file for writing (tests simulate a full disk here). */
  openPart?: PartOpener;
}

export const stagingOf = (target: string) => `${target}.partial`;
const statePath = (target: string) => path.join(stagingOf(target), 'state.json');

export async function readState(target: string): Promise<DownloadState | null> {
  try {
    const s = JSON.parse(await fs.readFile(statePath(target), 'utf8')) as DownloadState;
    return s && s.format === 1 && Array.isArray(s.files) ? s : null;
  } catch {
    return null;
  }
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return null;
  }
}

/** Bytes already on disk for this state: verified files in full, parts as far as they go. */
export async function bytesOnDisk(state: DownloadState): Promise<number> {
  const staging = stagingOf(state.target);
  let have = 0;
  for (let i = 0; i < state.files.length; i++) {
    const f = state.files[i] as PlannedFile;
    const done = await sizeOf(inside(path.join(staging, 'files'), f.rel));
    if (done === f.size) have += f.size;
    else have += Math.min(f.size, (await sizeOf(path.join(staging, 'parts', `${i}.part`))) ?? 0);
  }
  return have;
}

async function freeBytes(dir: string): Promise<number | null> {
  let d = path.resolve(dir);
  for (;;) {
    try {
      const s = await fs.statfs(d);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      const up = path.dirname(d);
      if (up === d) return null;
      d = up;
    }
  }
}

function checkTarget(target: string): void {
  if (!path.isAbsolute(target)) throw failure('INVALID_PAYLOAD', 'Give the download a full folder path (starting at the root of the disk).');
  if (!target.endsWith('.lance')) throw failure('INVALID_PAYLOAD', 'The target folder name should end in .lance (it will be a Lance dataset).');
}

/**
 * What a download would fetch: the pinned commit, the files (paths checked), sizes, what is already
 * here from an earlier stop, and the free space. Reuses an earlier stop's state for the same target.
 */
export async function planDownload(cfg: HubConfig, req: Omit<DownloadRequest, 'parallel'>): Promise<{ plan: DownloadPlan; state: DownloadState }> {
  const repo = checkRepoId(req.repo.trim());
  const revision = checkRevision(req.revision.trim() || 'main');
  const folder = checkRepoFolder(req.folder.trim());
  checkTarget(req.target);
  if (await sizeOf(req.target) !== null) throw failure('INVALID_PAYLOAD', `${req.target} already exists. Open it, or choose another folder.`);
  let state = await readState(req.target);
  if (state && (state.repo !== repo || state.folder !== folder || (state.revision !== revision && state.commit !== revision))) {
    throw failure('BUSY', `An unfinished download of ${state.repo}/${state.folder}@${state.revision} is in ${stagingOf(req.target)}. Resume it, or discard it first.`);
  }
  if (!state) {
    const commit = await resolveCommit(cfg, repo, revision);
    const listed = await listFolder(cfg, repo, commit, folder);
    if (listed.length === 0) throw failure('NOT_FOUND', `${folder || 'The repository'} has no files at ${revision}.`);
    const files = listed.map((f) => ({ rel: relativeListingPath(f.path, folder), size: f.size, sha256: f.sha256, gitSha1: f.gitSha1 }));
    const seen = new Set<string>();
    for (const f of files) {
      if (seen.has(f.rel.toLowerCase())) throw failure('INVALID_PAYLOAD', `The Hub listing names "${f.rel}" twice; nothing was written.`);
      seen.add(f.rel.toLowerCase());
    }
    if (!files.some((f) => f.rel.startsWith('_versions/'))) {
      throw failure('NOT_A_DATASET', `${folder || repo} on the Hub has no _versions folder: it is not a Lance dataset.`);
    }
    state = { format: 1, repo, revision, commit, folder, target: path.resolve(req.target), startedAt: new Date().toISOString(), files };
  }
  const totalBytes = state.files.reduce((a, f) => a + f.size, 0);
  const haveBytes = (await sizeOf(stagingOf(req.target))) === null ? 0 : await bytesOnDisk(state);
  const free = await freeBytes(path.dirname(req.target));
  return {
    state,
    plan: {
      repo,
      revision,
      commit: state.commit,
      folder,
      target: state.target,
      files: state.files.length,
      totalBytes,
      haveBytes,
      freeBytes: free,
      tooBig: free !== null && free < totalBytes - haveBytes,
    },
  };
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Retry-After in ms: seconds, or an HTTP date; also the `t=` of a RateLimit header. */
export function retryAfterMs(res: { headers: Headers }): number | null {
  const h = res.headers.get('retry-after');
  if (h) {
    if (/^\d+(\.\d+)?$/.test(h.trim())) return Math.round(Number(h) * 1000);
    const at = Date.parse(h);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  const rl = /(?:^|[;,\s])t=(\d+)/.exec(res.headers.get('ratelimit') ?? '');
  return rl ? Number(rl[1]) * 1000 : null;
}

class Retry extends Error {
  constructor(
    readonly why: string,
    readonly waitMs: number | null,
  ) {
    super(why);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function hashFor(f: PlannedFile): PartHash | null {
  if (f.sha256) return { algo: 'sha256' };
  if (f.gitSha1) return { algo: 'sha1', prefix: `blob ${f.size}\0` };
  return null;
}

/** Rate over a sliding window of a few seconds, for the dialog's "MB/s" and ETA. */
class RateMeter {
  private samples: Array<[number, number]> = [];
  sample(bytes: number): number {
    const now = performance.now();
    this.samples.push([now, bytes]);
    while (this.samples.length > 2 && now - (this.samples[0] as [number, number])[0] > 5000) this.samples.shift();
    const [t0, b0] = this.samples[0] as [number, number];
    return now - t0 > 200 ? ((bytes - b0) * 1000) / (now - t0) : 0;
  }
}

export async function runDownload(
  cfg: HubConfig,
  req: DownloadRequest,
  report: ReportProgress,
  signal: AbortSignal,
  opts: DownloadOptions = {},
): Promise<{ path: string; bytes: number; files: number; refetchedBytes: number }> {
  const maxAttempts = opts.maxAttempts ?? 8;
  const backoffMs = opts.backoffMs ?? 500;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 120_000;
  const open = opts.openPart ?? openPart;
  const parallel = Math.max(1, Math.min(16, Math.floor(req.parallel)));
  const detail: DownloadDetail = { phase: 'listing', bytesDone: 0, bytesTotal: 0, rate: 0, etaSeconds: null, filesDone: 0, filesTotal: 0, inFlight: [], retrying: null };
  const say = (message: string) => report(detail.bytesDone, Math.max(1, detail.bytesTotal), message, { ...detail, inFlight: detail.inFlight.map((f) => ({ ...f })) });
  say(`Listing ${req.repo}/${req.folder}@${req.revision}…`);

  const { state, plan } = await planDownload(cfg, req);
  if (plan.tooBig) {
    throw failure('IO', `Not enough free space: ${fmtBytes(plan.totalBytes - plan.haveBytes)} left to fetch, ${fmtBytes(plan.freeBytes ?? 0)} free on that disk.`);
  }
  const staging = stagingOf(state.target);
  const filesDir = path.join(staging, 'files');
  const partsDir = path.join(staging, 'parts');
  await fs.mkdir(partsDir, { recursive: true });
  await fs.mkdir(filesDir, { recursive: true });
  // The state is written first and atomically: a crash from here on leaves a resumable download.
  await fs.writeFile(`${statePath(state.target)}.tmp`, JSON.stringify(state));
  await fs.rename(`${statePath(state.target)}.tmp`, statePath(state.target));

  detail.phase = 'downloading';
  detail.bytesTotal = plan.totalBytes;
  detail.filesTotal = state.files.length;
  detail.bytesDone = 0;
  const meter = new RateMeter();
  let refetchedBytes = 0;
  const tick = () => {
    detail.rate = meter.sample(detail.bytesDone);
    detail.etaSeconds = detail.rate > 0 ? Math.round((detail.bytesTotal - detail.bytesDone) / detail.rate) : null;
    say(`${fmtBytes(detail.bytesDone)} of ${fmtBytes(detail.bytesTotal)} · ${detail.filesDone} of ${detail.filesTotal} files${detail.rate ? ` · ${fmtBytes(detail.rate)}/s` : ''}`);
  };

  const fetchOne = async (index: number): Promise<void> => {
    const f = state.files[index] as PlannedFile;
    const final = inside(filesDir, f.rel);
    if ((await sizeOf(final)) === f.size) {
      detail.bytesDone += f.size;
      detail.filesDone++;
      return;
    }
    const part = path.join(partsDir, `${index}.part`);
    const flight = { path: f.rel, done: 0, size: f.size };
    detail.inFlight.push(flight);
    tick();
    let badHashes = 0;
    let writer: PartWriter | null = null;
    try {
      for (let attempt = 1; ; attempt++) {
        if (signal.aborted) throw stopped();
        let have = (await sizeOf(part)) ?? 0;
        if (have > f.size) {
          await fs.truncate(part, 0);
          have = 0;
        }
        let counted = have; // bytes of this file already counted in detail.bytesDone
        detail.bytesDone += have;
        flight.done = have;
        try {
          if (have >= f.size) {
            // All there (a stop came between the last write and the check): hash what is on disk.
            writer = await open({ path: part, keep: have, hash: hashFor(f) });
          } else {
            let res: FileResponse;
            try {
              res = await getFile(cfg, resolveUrl(cfg, state.repo, state.commit, `${state.folder ? `${state.folder}/` : ''}${f.rel}`), requestHeaders(cfg, have), signal);
            } catch (err) {
              if (signal.aborted) throw stopped();
              throw new Retry(`connection failed (${errorText(err)})`, null);
            }
            if (res.status === 416 && have > 0) {
              // Our part is longer than the file now served: start the file over.
              res.cancel();
              await fs.truncate(part, 0);
              throw new Retry('range not satisfiable, starting the file over', 0);
            }
            if (!res.ok) {
              if (RETRYABLE.has(res.status)) {
                res.cancel();
                throw new Retry(`the Hub answered ${res.status}`, retryAfterMs(res));
              }
              throw await hubError(await res.asResponse(), `Downloading ${f.rel}`);
            }
            let offset = have;
            if (res.status === 200 && have > 0) {
              // The server ignored our Range: what we have is kept only if it starts the same file over.
              await fs.truncate(part, 0);
              detail.bytesDone -= have;
              counted = 0;
              offset = 0;
              flight.done = 0;
              refetchedBytes += have;
              if (hashFor(f)) {
                res.cancel();
                throw new Retry('the server ignored the range request, starting the file over', 0);
              }
            } else if (res.status === 206) {
              const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
              if (!m || Number(m[1]) !== have) {
                res.cancel();
                await fs.truncate(part, 0);
                throw new Retry('the server answered a different range, starting the file over', 0);
              }
            }
            // Opening a resumed part hashes what it keeps (in the writing thread) before the new bytes.
            const w = await open({ path: part, keep: offset, hash: hashFor(f) });
            writer = w;
            // The body comes in batches of about 1 MB (less on a slow link, so progress keeps moving):
            // one write each, and what a kill can lose stays one batch per transfer.
            try {
              const body = res.body[Symbol.asyncIterator]();
              for (;;) {
                let next: IteratorResult<Uint8Array[]>;
                try {
                  next = await body.next();
                } catch (err) {
                  // What arrived intact was handed out (and written) before the error: kept for the retry.
                  if (signal.aborted) throw stopped();
                  throw new Retry(`the connection dropped at ${fmtBytes(offset)} of ${fmtBytes(f.size)} (${errorText(err)})`, null);
                }
                if (next.done) break;
                let got = 0;
                for (const c of next.value) got += c.length;
                if (offset + got > f.size) {
                  res.cancel();
                  await w.close();
                  writer = null;
                  await fs.truncate(part, 0);
                  refetchedBytes += offset;
                  throw new Retry('the server sent more bytes than the listing said, starting the file over', 0);
                }
                offset += got;
                await w.write(next.value); // handed over, not copied; resolves once in the file
                counted += got;
                detail.bytesDone += got;
                flight.done += got;
                opts.onChunk?.(detail.bytesDone, got);
              }
            } catch (err) {
              res.cancel();
              throw err;
            }
            if (offset < f.size) throw new Retry(`the transfer ended early at ${fmtBytes(offset)} of ${fmtBytes(f.size)}`, null);
          }
          // Complete: check the content against the listing before it may count.
          const digest = await (writer as PartWriter).finish();
          writer = null;
          const want = f.sha256 ?? f.gitSha1;
          if (want && digest !== want) {
            badHashes++;
            await fs.rm(part, { force: true });
            detail.bytesDone -= counted;
            counted = 0;
            refetchedBytes += f.size;
            if (badHashes >= 3) throw failure('IO', `${f.rel} failed its ${f.sha256 ? 'sha256' : 'git sha1'} check ${badHashes} times: the Hub (or something between) keeps sending different bytes. The download stopped; resume to try again.`);
            throw new Retry(`${f.rel} failed its checksum, fetching it again`, 0);
          }
          if (!want && (await sizeOf(part)) !== f.size) throw new Retry('size mismatch', 0);
          await fs.mkdir(path.dirname(final), { recursive: true });
          await fs.rename(part, final);
          detail.filesDone++;
          tick();
          return;
        } catch (err) {
          await writer?.close(); // before the next attempt opens the part again
          writer = null;
          detail.bytesDone -= counted;
          if (!(err instanceof Retry)) {
            if (isDiskFull(err)) throw failure('IO', `The disk is full after ${fmtBytes(detail.bytesDone)}. What was fetched is kept: free some space, then resume.`, errorText(err));
            throw err;
          }
          if (attempt >= maxAttempts) throw failure('IO', `Downloading ${f.rel} failed ${attempt} times (last: ${err.why}). What was fetched is kept: resume to try again.`);
          if (err.waitMs !== null && err.waitMs > maxRetryAfterMs) throw failure('BUSY', `The Hub asks to wait ${Math.round(err.waitMs / 1000)} s before more requests. What was fetched is kept: resume later.`);
          const wait = err.waitMs ?? Math.min(30_000, backoffMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
          detail.retrying = `${f.rel}: ${err.why}; retrying in ${(wait / 1000).toFixed(1)} s`;
          tick();
          await sleep(wait, signal);
          detail.retrying = null;
        }
      }
    } finally {
      detail.inFlight.splice(detail.inFlight.indexOf(flight), 1);
    }
  };

  const stopped = () => failure('CANCELLED', `Stopped with ${fmtBytes(detail.bytesDone)} of ${fmtBytes(detail.bytesTotal)} kept. Resume continues from there.`);
  const timer = setInterval(tick, 250);
  try {
    const order = state.files.map((f, i) => ({ f, i }));
    const data = order.filter((x) => !isManifest(x.f.rel)).sort((a, b) => b.f.size - a.f.size);
    const manifests = order.filter((x) => isManifest(x.f.rel));
    await pool(data.map((x) => x.i), parallel, fetchOne, signal);
    // Manifests only once every file they point at is here and verified.
    await pool(manifests.map((x) => x.i), parallel, fetchOne, signal);
    if (signal.aborted) throw stopped();

    detail.phase = 'publishing';
    tick();
    if ((await sizeOf(state.target)) !== null) throw failure('INVALID_PAYLOAD', `${state.target} appeared while downloading; the download is kept in ${staging}.`);
    await fs.rename(filesDir, state.target);
    await fs.rm(staging, { recursive: true, force: true });
    detail.phase = 'checking';
    tick();
    return { path: state.target, bytes: detail.bytesTotal, files: state.files.length, refetchedBytes };
  } catch (err) {
    if (signal.aborted && !(err instanceof AppFailure && err.code !== 'CANCELLED')) throw stopped();
    throw err;
  } finally {
    clearInterval(timer);
  }
}

/** Run `work` over items with at most `n` at a time; the first failure stops new work and is thrown. */
async function pool(items: number[], n: number, work: (i: number) => Promise<void>, signal: AbortSignal): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null && !signal.aborted && next < items.length) {
      const i = items[next++] as number;
      try {
        await work(i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failed !== null) throw failed;
}

export async function discardDownload(target: string): Promise<boolean> {
  const state = await readState(target);
  if (!state) return false;
  await fs.rm(stagingOf(target), { recursive: true, force: true });
  return true;
}
