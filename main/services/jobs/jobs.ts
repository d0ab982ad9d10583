// Long work is a job: start returns an id at once, progress arrives as throttled events,
// cancel aborts through an AbortSignal the work must honour.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppFailure, toAppError } from '../support/errors';
import type { DownloadDetail, JobFinished, JobProgress } from '../../../shared/types';
import type { EventPayloads } from '../../../shared/contract';

export type ReportProgress = (done: number, total: number, message: string, download?: DownloadDetail, extra?: { committedVersion?: number }) => void;
export type JobWork<T> = (report: ReportProgress, signal: AbortSignal) => Promise<T>;

interface Running {
  kind: string;
  controller: AbortController;
  promise: Promise<unknown>;
  last: JobProgress;
}

/** Typed event hub the carriers (IPC, web bridge) subscribe to. */
export class AppEvents {
  private readonly emitter = new EventEmitter();
  emit<E extends keyof EventPayloads>(event: E, payload: EventPayloads[E]): void {
    this.emitter.emit(event, payload);
  }
  on<E extends keyof EventPayloads>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}

const THROTTLE_MS = 100;

const REMEMBER_FINISHED = 50;

export class JobRegistry {
  private readonly running = new Map<string, Running>();
  /** Recently finished jobs, so a caller that subscribed late still learns the outcome. */
  private readonly finished = new Map<string, JobFinished>();
  private readonly lastProgress = new Map<string, JobProgress>();

  constructor(private readonly events: AppEvents) {}

  /**
   * `jobId`: an id the caller minted, for work whose reply is its result (a merge preview): the page
   * knows the id before the reply comes, so it can show the progress and cancel through it.
   */
  start<T>(kind: string, work: JobWork<T>, opts: { jobId?: string } = {}): { jobId: string; done: Promise<T> } {
    if (opts.jobId !== undefined && (this.running.has(opts.jobId) || this.finished.has(opts.jobId))) {
      throw new AppFailure('BUSY', 'That job id is already in use: try again.');
    }
    const jobId = opts.jobId ?? randomBytes(6).toString('base64url');
    const controller = new AbortController();
    let lastSent = 0;
    const last: JobProgress = { jobId, kind, done: 0, total: 0, message: 'Starting…' };
    const report: ReportProgress = (done, total, message, download, extra) => {
      Object.assign(last, { done, total, message }, download ? { download } : {}, extra ?? {});
      const now = Date.now();
      // A commit on the way is always sent: the window takes the new version at once.
      if (now - lastSent >= THROTTLE_MS || done >= total || extra) {
        lastSent = now;
        this.events.emit('job:progress', { ...last });
      }
    };
    const promise = (async () => {
      try {
        const value = await work(report, controller.signal);
        const resultPath = (value as { path?: unknown } | null)?.path;
        this.finish({ jobId, kind, ok: true, error: null, ...(typeof resultPath === 'string' ? { path: resultPath } : {}) });
        return value;
      } catch (err) {
        const cancelled = controller.signal.aborted;
        if (cancelled && !(err instanceof AppFailure && err.code === 'CANCELLED')) this.finish({ jobId, kind, ok: false, error: 'Cancelled.' });
        else {
          // As every reply: LanceDB's raw words become a sentence, and go along as the detail.
          const e = toAppError(err, 'The job');
          this.finish({ jobId, kind, ok: false, error: e.message, ...(e.detail !== undefined ? { errorDetail: e.detail } : {}) });
        }
        throw err;
      }
    })();
    // The caller may not await `done`; an unobserved rejection must not crash the process.
    promise.catch(() => {});
    this.running.set(jobId, { kind, controller, promise, last });
    return { jobId, done: promise as Promise<T> };
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  progress(jobId: string): JobProgress | null {
    return this.running.get(jobId)?.last ?? this.lastProgress.get(jobId) ?? null;
  }

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  status(jobId: string): { running: boolean; progress: JobProgress | null; finished: JobFinished | null } {
    return { running: this.running.has(jobId), progress: this.progress(jobId), finished: this.finished.get(jobId) ?? null };
  }

  private finish(payload: JobFinished): void {
    // The last progress stays readable: a job quicker than its listener still shows its final message.
    const last = this.running.get(payload.jobId)?.last;
    if (last) this.lastProgress.set(payload.jobId, { ...last });
    this.running.delete(payload.jobId);
    this.finished.set(payload.jobId, payload);
    if (this.finished.size > REMEMBER_FINISHED) {
      const oldest = this.finished.keys().next().value as string;
      this.finished.delete(oldest);
      this.lastProgress.delete(oldest);
    }
    this.events.emit('job:finished', payload);
  }
}
