// Downloads from the Hub as jobs: plan, start (or resume), list the stopped ones, discard. Where the
// token comes from: a token typed in the dialog (kept only through the platform's secret store, never
// in plain text), else HF_TOKEN.
import type { SecretStore } from '../support/secret-store';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { failure } from '../support/errors';
import { hubConfigFromEnv, type HubConfig } from './hub-client';
import { bytesOnDisk, discardDownload, planDownload, readState, runDownload, stagingOf, type DownloadOptions, type DownloadRequest } from './downloader';
import type { JobRegistry } from '../jobs/jobs';
import type { DownloadPlan, IncompleteDownload } from '../../../shared/types';

/** Encrypts secrets at rest (Electron's safeStorage); absent over the web bridge. */
/** One download request shape for the service and the downloader. */
export type HubDownloadRequest = DownloadRequest;

export type TokenSource = 'typed' | 'env' | 'none';

const TOKEN = /^hf_[A-Za-z0-9]{8,200}$/;

export class HubService {
  private readonly running = new Map<string, string>(); // target → jobId
  private sessionToken: string | null = null;
  private readonly registry: string;

  constructor(
    private readonly jobs: JobRegistry,
    private readonly dataDir: string,
    private readonly secrets: SecretStore | null,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly options: DownloadOptions = {},
  ) {
    this.registry = path.join(dataDir, 'downloads.json');
  }

  defaultTarget(repo: string, folder: string): string {
    const name = path.basename(folder || repo) || 'dataset';
    return path.join(this.dataDir, 'hub', repo.replace('/', '--'), name.endsWith('.lance') ? name : `${name}.lance`);
  }

  async tokenStatus(): Promise<{ source: TokenSource; canStore: boolean }> {
    const typed = this.sessionToken ?? (await this.secrets?.load('hf-token').catch(() => null)) ?? null;
    return { source: typed ? 'typed' : this.env.HF_TOKEN ? 'env' : 'none', canStore: !!this.secrets?.available() };
  }

  /** Keep a typed token: encrypted on disk where the platform can, else for this session only. */
  async setToken(token: string | null, remember: boolean): Promise<{ source: TokenSource; stored: boolean }> {
    if (token !== null && !TOKEN.test(token)) throw failure('INVALID_PAYLOAD', 'A Hugging Face token starts with "hf_" followed by letters and digits.');
    this.sessionToken = token;
    let stored = false;
    if (this.secrets?.available()) {
      await this.secrets.save('hf-token', remember ? token : null);
      stored = remember && token !== null;
    }
    // No encryption available: it is never written in plain text; `stored: false` lets the dialog say
    // it lasts for this session only.
    return { source: token ? 'typed' : this.env.HF_TOKEN ? 'env' : 'none', stored };
  }

  /** The endpoint and token every Hub request of this app uses (models included). */
  config(): Promise<HubConfig> {
    return this.configNow();
  }

  private async configNow(): Promise<HubConfig> {
    const typed = this.sessionToken ?? (await this.secrets?.load('hf-token').catch(() => null)) ?? null;
    return hubConfigFromEnv(this.env, typed);
  }

  async plan(req: Omit<HubDownloadRequest, 'parallel'>): Promise<DownloadPlan> {
    return (await planDownload(await this.config(), req)).plan;
  }

  /** What the dialog asks: the plan for a target (the default one when none is given), and that default. */
  async planFor(req: Omit<HubDownloadRequest, 'parallel' | 'target'> & { target?: string | undefined }): Promise<DownloadPlan & { defaultTarget: string }> {
    const defaultTarget = this.defaultTarget(req.repo, req.folder);
    return { ...(await this.plan({ ...req, target: req.target ?? defaultTarget })), defaultTarget };
  }

  /** Start a download with the dialog's defaults filled in (target, 4 transfers). */
  download(req: Omit<HubDownloadRequest, 'parallel' | 'target'> & { target?: string | undefined; parallel?: number | undefined }): Promise<{ jobId: string; target: string }> {
    return this.start({ ...req, target: req.target ?? this.defaultTarget(req.repo, req.folder), parallel: req.parallel ?? 4 });
  }

  /**
   * A model's files (req.model) into `target`, through the same verified, resumable transfers; `then`
   * runs after the files are in place (the cache's ref). Not listed among stopped dataset downloads:
   * asking for the model again resumes it.
   */
  async startModel(req: HubDownloadRequest, then: () => Promise<void>): Promise<{ jobId: string; target: string }> {
    const target = path.resolve(req.target);
    if (this.running.has(target)) throw failure('BUSY', `${req.repo} is already downloading.`);
    const cfg = await this.config();
    const { plan } = await planDownload(cfg, { ...req, target });
    if (plan.tooBig) throw failure('IO', `Not enough free space on that disk for the model.`);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const { jobId, done } = this.jobs.start('download', async (report, signal) => {
      const r = await runDownload(cfg, { ...req, target }, report, signal, this.options);
      await then();
      return r;
    });
    this.running.set(target, jobId);
    void done.catch(() => {}).finally(() => this.running.get(target) === jobId && this.running.delete(target));
    return { jobId, target };
  }

  async start(req: HubDownloadRequest): Promise<{ jobId: string; target: string }> {
    const target = path.resolve(req.target);
    if (this.running.has(target)) throw failure('BUSY', `${target} is already downloading.`);
    const cfg = await this.config();
    // Plan before the job starts, so bad input and a full disk are answered in the dialog at once.
    const { plan } = await planDownload(cfg, { ...req, target });
    if (plan.tooBig) throw failure('IO', `Not enough free space on that disk for what is left to fetch.`);
    await this.remember(target);
    const { jobId, done } = this.jobs.start('download', (report, signal) => runDownload(cfg, { ...req, target }, report, signal, this.options));
    this.running.set(target, jobId);
    void done
      .then(() => this.forget(target))
      .catch(() => {})
      .finally(() => this.running.get(target) === jobId && this.running.delete(target));
    return { jobId, target };
  }

  /** Stopped downloads (paused, failed, or cut off by a crash or restart) that can be resumed. */
  async incomplete(): Promise<IncompleteDownload[]> {
    const out: IncompleteDownload[] = [];
    for (const target of await this.known()) {
      if (this.running.has(target)) continue;
      const state = await readState(target);
      if (!state) continue;
      out.push({
        target,
        repo: state.repo,
        revision: state.revision,
        commit: state.commit,
        folder: state.folder,
        haveBytes: await bytesOnDisk(state),
        totalBytes: state.files.reduce((a, f) => a + f.size, 0),
        startedAt: state.startedAt,
      });
    }
    return out;
  }

  async discard(target: string): Promise<{ discarded: boolean }> {
    const t = path.resolve(target);
    if (this.running.has(t)) throw failure('BUSY', 'Stop the download before discarding it.');
    if (!(await this.known()).includes(t)) throw failure('NOT_FOUND', `No unfinished download is recorded for ${t}.`);
    const discarded = await discardDownload(t);
    await this.forget(t);
    return { discarded };
  }

  private async known(): Promise<string[]> {
    try {
      const list = JSON.parse(await fs.readFile(this.registry, 'utf8')) as unknown;
      return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  private async remember(target: string): Promise<void> {
    const list = await this.known();
    if (list.includes(target)) return;
    await fs.mkdir(this.dataDir, { recursive: true });
    await fs.writeFile(`${this.registry}.tmp`, JSON.stringify([...list, target]));
    await fs.rename(`${this.registry}.tmp`, this.registry);
  }

  private async forget(target: string): Promise<void> {
    const list = (await this.known()).filter((t) => t !== target);
    await fs.writeFile(`${this.registry}.tmp`, JSON.stringify(list)).catch(() => {});
    await fs.rename(`${this.registry}.tmp`, this.registry).catch(() => {});
  }
}

export { stagingOf };
