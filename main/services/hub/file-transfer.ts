// One file of a download, from its part on disk to its verified place in `files/`, read top-down:
//
//   transferFile   attempts, with backoff and Retry-After, until the file is verified or the
//                  download must stop (too many attempts, a full disk, a hard Hub error, a stop)
//   attempt        one request: resume the part from where it ends, check what the server answered,
//                  write the body as it comes, then check size and hash against the listing
//
// Progress is counted in one place (`TransferProgress`): what an attempt added is taken back if the
// attempt fails, so the bar never counts bytes twice.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { failure, errorText, isDiskFull, type AppFailure } from '../support/errors';
import { getFile, hubError, requestHeaders, resolveUrl, type FileResponse, type HubConfig, type RepoKind } from './hub-client';
import { inside } from './hub-paths';
import type { PartHash, PartOpener, PartWriter } from './part-writer';
import type { DownloadDetail } from '../../../shared/types';
import { formatBytes as fmtBytes } from '../../../shared/format-bytes';

export interface PlannedFile {
  rel: string;
  size: number;
  sha256: string | null;
  gitSha1: string | null;
}

export interface TransferPolicy {
  /** Attempts per file before the download stops with an error (it can still be resumed). */
  maxAttempts: number;
  /** First backoff; doubled each attempt, capped at 30 s. */
  backoffMs: number;
  /** Longest Retry-After honoured before giving up on this attempt. */
  maxRetryAfterMs: number;
}

export interface TransferContext {
  cfg: HubConfig;
  /** Where the file is fetched from: repository, pinned commit, folder in it. */
  source: { repo: string; commit: string; folder: string; kind?: RepoKind | undefined };
  partsDir: string;
  filesDir: string;
  policy: TransferPolicy;
  open: PartOpener;
  progress: TransferProgress;
  signal: AbortSignal;
  /** The error a stop is reported with (what is kept, how to resume). */
  stopped(): AppFailure;
  onChunk?: ((bytesDone: number, chunkBytes: number) => void) | undefined;
}

/** The download's counters, shared by the transfers running at once; `tick` reports them. */
export class TransferProgress {
  refetchedBytes = 0;
  /** Bytes fetched by this run (what the rate is measured on: kept bytes arrive all at once). */
  fetchedBytes = 0;
  constructor(
    readonly detail: DownloadDetail,
    readonly tick: () => void,
  ) {}

  /** A file already verified on disk (an earlier run fetched it). */
  alreadyThere(f: PlannedFile): void {
    this.detail.bytesDone += f.size;
    this.detail.filesDone++;
  }

  begin(f: PlannedFile): Flight {
    const flight = { path: f.rel, done: 0, size: f.size };
    this.detail.inFlight.push(flight);
    this.tick();
    return new Flight(this, flight);
  }
}

/** One file in flight: the bytes the current attempt counted, so a failed attempt can take them back. */
class Flight {
  private counted = 0;
  private fetched = 0;
  constructor(
    private readonly p: TransferProgress,
    private readonly shown: { path: string; done: number; size: number },
  ) {}
  /** An attempt starts with `have` bytes of the part kept. */
  start(have: number): void {
    this.p.fetchedBytes -= this.fetched;
    this.fetched = 0;
    this.counted = have;
    this.p.detail.bytesDone += have;
    this.shown.done = have;
  }
  add(n: number): void {
    this.counted += n;
    this.fetched += n;
    this.p.fetchedBytes += n;
    this.p.detail.bytesDone += n;
    this.shown.done += n;
  }
  /** Take back what this attempt counted (it failed, or what it kept turned out wrong). */
  undo(): void {
    this.p.detail.bytesDone -= this.counted;
    this.p.fetchedBytes -= this.fetched;
    this.counted = 0;
    this.fetched = 0;
    this.shown.done = 0;
  }
  /** Bytes that were on disk and are fetched again. */
  refetched(n: number): void {
    this.p.refetchedBytes += n;
  }
  done(): void {
    this.p.detail.filesDone++;
    this.p.tick();
  }
  end(): void {
    this.p.detail.inFlight.splice(this.p.detail.inFlight.indexOf(this.shown), 1);
  }
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

/** This attempt failed in a way another attempt may not: `waitMs` null means back off as usual. */
class Retry extends Error {
  constructor(
    readonly why: string,
    readonly waitMs: number | null,
  ) {
    super(why);
  }
}

export function sizeOf(file: string): Promise<number | null> {
  return fs.stat(file).then(
    (s) => s.size,
    () => null,
  );
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

/** Fetch file `index` until it is verified in `files/`, or throw why the download must stop. */
export async function transferFile(ctx: TransferContext, f: PlannedFile, index: number): Promise<void> {
  const final = inside(ctx.filesDir, f.rel);
  if ((await sizeOf(final)) === f.size) return ctx.progress.alreadyThere(f);
  const part = path.join(ctx.partsDir, `${index}.part`);
  const flight = ctx.progress.begin(f);
  const badHashes = { count: 0 };
  try {
    for (let n = 1; ; n++) {
      if (ctx.signal.aborted) throw ctx.stopped();
      try {
        await attempt(ctx, f, part, flight, badHashes);
        await fs.mkdir(path.dirname(final), { recursive: true });
        await fs.rename(part, final);
        return flight.done();
      } catch (err) {
        flight.undo();
        await backOff(ctx, f, err, n);
      }
    }
  } finally {
    flight.end();
  }
}

/** After a failed attempt: wait before the next one, or throw why there will be none. */
async function backOff(ctx: TransferContext, f: PlannedFile, err: unknown, n: number): Promise<void> {
  if (!(err instanceof Retry)) {
    if (isDiskFull(err)) throw failure('IO', `The disk is full after ${fmtBytes(ctx.progress.detail.bytesDone)}. What was fetched is kept: free some space, then resume.`, errorText(err));
    throw err;
  }
  const { maxAttempts, backoffMs, maxRetryAfterMs } = ctx.policy;
  if (n >= maxAttempts) throw failure('IO', `Downloading ${f.rel} failed ${n} times (last: ${err.why}). What was fetched is kept: resume to try again.`);
  if (err.waitMs !== null && err.waitMs > maxRetryAfterMs) throw failure('BUSY', `The Hub asks to wait ${Math.round(err.waitMs / 1000)} s before more requests. What was fetched is kept: resume later.`);
  const wait = err.waitMs ?? Math.min(30_000, backoffMs * 2 ** (n - 1)) * (0.75 + Math.random() * 0.5);
  const detail = ctx.progress.detail;
  detail.retrying = `${f.rel}: ${err.why}; retrying in ${(wait / 1000).toFixed(1)} s`;
  ctx.progress.tick();
  await sleep(wait, ctx.signal);
  detail.retrying = null;
}

/** One attempt: the part ends up complete and verified, or this throws (a Retry, or a reason to stop). */
async function attempt(ctx: TransferContext, f: PlannedFile, part: string, flight: Flight, badHashes: { count: number }): Promise<void> {
  let have = (await sizeOf(part)) ?? 0;
  if (have > f.size) {
    await fs.truncate(part, 0);
    have = 0;
  }
  flight.start(have);
  let writer: PartWriter | null = null;
  try {
    if (have >= f.size) {
      // All there (a stop came between the last write and the check): hash what is on disk.
      writer = await ctx.open({ path: part, keep: have, hash: hashFor(f) });
    } else {
      const res = await request(ctx, f, part, have);
      const offset = await resumeAt(res, f, part, have, flight);
      // Opening a resumed part hashes what it keeps (in the writing thread) before the new bytes.
      writer = await ctx.open({ path: part, keep: offset, hash: hashFor(f) });
      await receive(ctx, res, f, part, offset, writer, flight);
    }
    const digest = await writer.finish();
    writer = null;
    await verify(digest, f, part, flight, badHashes);
  } finally {
    await writer?.close(); // before the next attempt opens the part again
  }
}

/** The GET for the rest of the file; a refused or failed answer becomes a Retry or a Hub error. */
async function request(ctx: TransferContext, f: PlannedFile, part: string, have: number): Promise<FileResponse> {
  const { repo, commit, folder, kind } = ctx.source;
  let res: FileResponse;
  try {
    res = await getFile(ctx.cfg, resolveUrl(ctx.cfg, repo, commit, `${folder ? `${folder}/` : ''}${f.rel}`, kind), requestHeaders(ctx.cfg, have), ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.stopped();
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
  return res;
}

/** Where the body starts in the file: the part's end for a 206, 0 when the server sent it all again. */
async function resumeAt(res: FileResponse, f: PlannedFile, part: string, have: number, flight: Flight): Promise<number> {
  if (res.status === 200 && have > 0) {
    // The server ignored our Range: what we have is kept only if it starts the same file over.
    await fs.truncate(part, 0);
    flight.undo();
    flight.refetched(have);
    if (hashFor(f)) {
      res.cancel();
      throw new Retry('the server ignored the range request, starting the file over', 0);
    }
    return 0;
  }
  if (res.status === 206) {
    const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
    if (!m || Number(m[1]) !== have) {
      res.cancel();
      await fs.truncate(part, 0);
      throw new Retry('the server answered a different range, starting the file over', 0);
    }
  }
  return have;
}

/**
 * The body, in batches of about 1 MB (less on a slow link, so progress keeps moving): one write
 * each, and what a kill can lose stays one batch per transfer.
 */
async function receive(ctx: TransferContext, res: FileResponse, f: PlannedFile, part: string, start: number, writer: PartWriter, flight: Flight): Promise<void> {
  let offset = start;
  try {
    const body = res.body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array[]>;
      try {
        next = await body.next();
      } catch (err) {
        // What arrived intact was handed out (and written) before the error: kept for the retry.
        if (ctx.signal.aborted) throw ctx.stopped();
        throw new Retry(`the connection dropped at ${fmtBytes(offset)} of ${fmtBytes(f.size)} (${errorText(err)})`, null);
      }
      if (next.done) break;
      let got = 0;
      for (const c of next.value) got += c.length;
      if (offset + got > f.size) {
        res.cancel();
        await writer.close();
        await fs.truncate(part, 0);
        flight.refetched(offset);
        throw new Retry('the server sent more bytes than the listing said, starting the file over', 0);
      }
      offset += got;
      await writer.write(next.value); // handed over, not copied; resolves once in the file
      flight.add(got);
      ctx.onChunk?.(ctx.progress.detail.bytesDone, got);
    }
  } catch (err) {
    res.cancel();
    throw err;
  }
  if (offset < f.size) throw new Retry(`the transfer ended early at ${fmtBytes(offset)} of ${fmtBytes(f.size)}`, null);
}

/** The part is complete: its size and hash must match the listing before it may count. */
async function verify(digest: string | null, f: PlannedFile, part: string, flight: Flight, badHashes: { count: number }): Promise<void> {
  const want = f.sha256 ?? f.gitSha1;
  if (want && digest !== want) {
    badHashes.count++;
    await fs.rm(part, { force: true });
    flight.undo();
    flight.refetched(f.size);
    if (badHashes.count >= 3) throw failure('IO', `${f.rel} failed its ${f.sha256 ? 'sha256' : 'git sha1'} check ${badHashes.count} times: the Hub (or something between) keeps sending different bytes. The download stopped; resume to try again.`);
    throw new Retry(`${f.rel} failed its checksum, fetching it again`, 0);
  }
  if (!want && (await sizeOf(part)) !== f.size) throw new Retry('size mismatch', 0);
}
