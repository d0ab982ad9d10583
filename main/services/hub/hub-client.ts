// The Hugging Face Hub's HTTP API as the downloader needs it: the commit a revision points at, the
// recursive listing of a folder (through @huggingface/hub's listFiles, which follows pagination), and
// the bytes of one file through `resolve/<commit>/<path>`. HF_ENDPOINT and HF_TOKEN are read here,
// because @huggingface/hub does not read them itself.
import { listFiles } from '@huggingface/hub';
import { failure } from '../errors';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface HubConfig {
  endpoint: string;
  token: string | null;
  fetch: typeof fetch;
}

export function hubConfigFromEnv(env: NodeJS.ProcessEnv = process.env, token: string | null = null): HubConfig {
  const endpoint = (env.HF_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, '');
  return { endpoint, token: token ?? (env.HF_TOKEN || null), fetch: globalThis.fetch };
}

export interface ListedFile {
  path: string;
  size: number;
  /** sha256 of the content, for LFS files (the Hub gives it as lfs.oid). */
  sha256: string | null;
  /** git blob sha1, for files stored in git itself. */
  gitSha1: string | null;
}

function authHeaders(cfg: HubConfig): Record<string, string> {
  return cfg.token ? { Authorization: `Bearer ${cfg.token}` } : {};
}

/** Turn a Hub error reply into a sentence for the person, using X-Error-Code when the Hub sends it. */
export async function hubError(res: Response, what: string): Promise<Error> {
  const code = res.headers.get('x-error-code') ?? '';
  const message = res.headers.get('x-error-message') ?? '';
  const detail = `${res.status} ${code} ${message}`.trim();
  if (code === 'RepoNotFound' || (res.status === 404 && /repo/i.test(message))) {
    return failure('NOT_FOUND', `${what}: the repository does not exist, or it is private and needs a token.`, detail);
  }
  if (code === 'RevisionNotFound') return failure('NOT_FOUND', `${what}: that revision (branch, tag or commit) does not exist.`, detail);
  if (code === 'EntryNotFound' || res.status === 404) return failure('NOT_FOUND', `${what}: not found on the Hub.`, detail);
  if (code === 'GatedRepo' || res.status === 401 || res.status === 403) {
    return failure('FORBIDDEN', `${what}: the Hub refused access. The dataset may be gated or private: accept its terms on the Hub and give a token (HF_TOKEN or the token field).`, detail);
  }
  if (res.status === 429) return failure('BUSY', `${what}: the Hub is rate-limiting this client. Try again in a few minutes.`, detail);
  return failure('IO', `${what}: the Hub answered ${res.status}.`, detail);
}

function networkFailure(err: unknown, what: string): Error {
  const text = err instanceof Error ? `${err.message} ${(err as { cause?: { code?: string } }).cause?.code ?? ''}` : String(err);
  return failure('IO', `${what}: the Hub could not be reached (${text.trim()}). Check the network, or HF_ENDPOINT.`, text);
}

/** The commit sha a revision points at; every later request is pinned to it. */
export async function resolveCommit(cfg: HubConfig, repo: string, revision: string): Promise<string> {
  const url = `${cfg.endpoint}/api/datasets/${repo}/revision/${encodeURIComponent(revision)}`;
  let res: Response;
  try {
    res = await cfg.fetch(url, { headers: { accept: 'application/json', ...authHeaders(cfg) } });
  } catch (err) {
    throw networkFailure(err, `Looking up ${repo}@${revision}`);
  }
  if (!res.ok) throw await hubError(res, `Looking up ${repo}@${revision}`);
  const body = (await res.json().catch(() => null)) as { sha?: unknown } | null;
  if (!body || typeof body.sha !== 'string' || !/^[0-9a-f]{40}$/.test(body.sha)) {
    throw failure('IO', `Looking up ${repo}@${revision}: the Hub's answer had no commit id.`);
  }
  return body.sha;
}

/** Every file under `folder` at `commit`, recursively, following the listing's pages. */
export async function listFolder(cfg: HubConfig, repo: string, commit: string, folder: string): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  try {
    for await (const entry of listFiles({
      repo: { type: 'dataset', name: repo },
      revision: commit,
      path: folder || undefined,
      recursive: true,
      expand: false,
      hubUrl: cfg.endpoint,
      fetch: cfg.fetch,
      ...(cfg.token ? { accessToken: cfg.token } : {}),
    })) {
      if (entry.type !== 'file') continue;
      const size = entry.lfs?.size ?? entry.size;
      if (!Number.isSafeInteger(size) || size < 0) throw failure('IO', `The Hub listing gives "${String(entry.path).slice(0, 200)}" an impossible size.`);
      out.push({
        path: String(entry.path),
        size,
        sha256: entry.lfs?.oid && /^[0-9a-f]{64}$/.test(entry.lfs.oid) ? entry.lfs.oid : null,
        gitSha1: !entry.lfs && entry.oid && /^[0-9a-f]{40}$/.test(entry.oid) ? entry.oid : null,
      });
    }
  } catch (err) {
    if (err instanceof Error && 'statusCode' in err) {
      const status = (err as { statusCode: number }).statusCode;
      if (status === 404) throw failure('NOT_FOUND', `${folder || 'The repository'} does not exist in ${repo} at this revision.`, err.message);
      if (status === 401 || status === 403) throw failure('FORBIDDEN', `Listing ${repo}: the Hub refused access (gated or private: give a token).`, err.message);
      throw failure('IO', `Listing ${repo}: the Hub answered ${status}.`, err.message);
    }
    if (err instanceof TypeError && /access token/i.test(err.message)) throw failure('INVALID_PAYLOAD', 'A Hugging Face token starts with "hf_".');
    if (err instanceof Error && (err as { code?: string }).code) throw err;
    throw networkFailure(err, `Listing ${repo}`);
  }
  return out;
}

/** The URL of one file's bytes, pinned to the commit. Path segments are encoded one by one. */
export function resolveUrl(cfg: HubConfig, repo: string, commit: string, filePath: string): string {
  return `${cfg.endpoint}/datasets/${repo}/resolve/${commit}/${filePath.split('/').map(encodeURIComponent).join('/')}`;
}

export function requestHeaders(cfg: HubConfig, from: number): Record<string, string> {
  return { ...authHeaders(cfg), ...(from > 0 ? { Range: `bytes=${from}-` } : {}), 'accept-encoding': 'identity' };
}
