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
import { openPart, type PartOpener } from './part-writer';
import { sizeOf, transferFile, TransferProgress, type PlannedFile, type TransferContext } from './file-transfer';
import { failure, AppFailure } from '../support/errors';
import { listFolder, resolveCommit, type HubConfig, type RepoKind } from './hub-client';
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
  /** A model repository (the files named in `only`, into any folder), rather than a Lance dataset. */
  model?: { only: string[]; optional?: string[] } | undefined;
}

export type { PlannedFile };

export interface DownloadState {
  format: 1;
  repo: string;
  revision: string;
  commit: string;
  folder: string;
  target: string;
  startedAt: string;
  files: PlannedFile[];
  kind?: RepoKind;
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
  if (!req.model) checkTarget(req.target);
  else if (!path.isAbsolute(req.target)) throw failure('INVALID_PAYLOAD', 'Give the download a full folder path (starting at the root of the disk).');
  const kind: RepoKind = req.model ? 'model' : 'dataset';
  if (await sizeOf(req.target) !== null) throw failure('INVALID_PAYLOAD', `${req.target} already exists. Open it, or choose another folder.`);
  let state = await readState(req.target);
  if (state && (state.repo !== repo || state.folder !== folder || (state.revision !== revision && state.commit !== revision))) {
    throw failure('BUSY', `An unfinished download of ${state.repo}/${state.folder}@${state.revision} is in ${stagingOf(req.target)}. Resume it, or discard it first.`);
  }
  if (!state) {
    const commit = await resolveCommit(cfg, repo, revision, kind);
    let listed = await listFolder(cfg, repo, commit, folder, kind);
    if (listed.length === 0) throw failure('NOT_FOUND', `${folder || 'The repository'} has no files at ${revision}.`);
    if (req.model) {
      const only = new Set([...req.model.only, ...(req.model.optional ?? [])]);
      const missing = req.model.only.filter((f) => !listed.some((l) => l.path === f));
      if (missing.length) throw failure('NOT_FOUND', `${repo} at ${revision} has no ${missing.slice(0, 3).join(', ')}: it is not a model this app can run.`);
      listed = listed.filter((l) => only.has(l.path));
    }
    const files = listed.map((f) => ({ rel: relativeListingPath(f.path, folder), size: f.size, sha256: f.sha256, gitSha1: f.gitSha1 }));
    const seen = new Set<string>();
    for (const f of files) {
      if (seen.has(f.rel.toLowerCase())) throw failure('INVALID_PAYLOAD', `The Hub listing names "${f.rel}" twice; nothing was written.`);
      seen.add(f.rel.toLowerCase());
    }
    if (!req.model && !files.some((f) => f.rel.startsWith('_versions/'))) {
      throw failure('NOT_A_DATASET', `${folder || repo} on the Hub has no _versions folder: it is not a Lance dataset.`);
    }
    state = { format: 1, repo, revision, commit, folder, target: path.resolve(req.target), startedAt: new Date().toISOString(), files, kind };
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
  const tick = () => {
    // Measured on what this run fetched: bytes kept from an earlier run arrive all at once on a
    // resume, and made the first rate and ETA wild.
    detail.rate = meter.sample(progress.fetchedBytes);
    detail.etaSeconds = detail.rate > 0 ? Math.round((detail.bytesTotal - detail.bytesDone) / detail.rate) : null;
    say(`${fmtBytes(detail.bytesDone)} of ${fmtBytes(detail.bytesTotal)} · ${detail.filesDone} of ${detail.filesTotal} files${detail.rate ? ` · ${fmtBytes(detail.rate)}/s` : ''}`);
  };
  const progress = new TransferProgress(detail, tick);
  const ctx: TransferContext = {
    cfg,
    source: { repo: state.repo, commit: state.commit, folder: state.folder, kind: state.kind },
    partsDir,
    filesDir,
    policy: { maxAttempts: opts.maxAttempts ?? 8, backoffMs: opts.backoffMs ?? 500, maxRetryAfterMs: opts.maxRetryAfterMs ?? 120_000 },
    open: opts.openPart ?? openPart,
    progress,
    signal,
    stopped: () => stopped(),
    onChunk: opts.onChunk,
  };
  const fetchOne = (index: number) => transferFile(ctx, state.files[index] as PlannedFile, index);

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
    return { path: state.target, bytes: detail.bytesTotal, files: state.files.length, refetchedBytes: progress.refetchedBytes };
  } catch (err) {
    if (signal.aborted && !(err instanceof AppFailure && err.code !== 'CANCELLED')) {
      // What is kept is what is on disk (verified files and parts), not what this run counted.
      const kept = await bytesOnDisk(state).catch(() => detail.bytesDone);
      throw failure('CANCELLED', `Stopped with ${fmtBytes(kept)} of ${fmtBytes(detail.bytesTotal)} kept. Resume continues from there.`);
    }
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
