// The Hugging Face Hub's HTTP API as the downloader needs it: the commit a revision points at, the
// recursive listing of a folder (through @huggingface/hub's listFiles, which follows pagination), and
// the bytes of one file through `resolve/<commit>/<path>`. HF_ENDPOINT and HF_TOKEN are read here,
// because @huggingface/hub does not read them itself.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { listFiles } from '@huggingface/hub';
import { failure } from '../support/errors';
import { BATCH_BYTES } from './batch-buffers';
import { http1Get } from './http1-get';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** The Hub keeps datasets and models under different paths: `/api/datasets/…` and `/datasets/…/resolve`, `/api/models/…` and `/…/resolve`. */
export type RepoKind = 'dataset' | 'model';

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
export async function resolveCommit(cfg: HubConfig, repo: string, revision: string, kind: RepoKind = 'dataset'): Promise<string> {
  const url = `${cfg.endpoint}/api/${kind}s/${repo}/revision/${encodeURIComponent(revision)}`;
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
export async function listFolder(cfg: HubConfig, repo: string, commit: string, folder: string, kind: RepoKind = 'dataset'): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  try {
    for await (const entry of listFiles({
      repo: { type: kind, name: repo },
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
export function resolveUrl(cfg: HubConfig, repo: string, commit: string, filePath: string, kind: RepoKind = 'dataset'): string {
  return `${cfg.endpoint}${kind === 'dataset' ? '/datasets' : ''}/${repo}/resolve/${commit}/${filePath.split('/').map(encodeURIComponent).join('/')}`;
}

export function requestHeaders(cfg: HubConfig, from: number): Record<string, string> {
  return { ...authHeaders(cfg), ...(from > 0 ? { Range: `bytes=${from}-` } : {}), 'accept-encoding': 'identity' };
}

/** One file's bytes on their way: status, headers, and the body as chunks. */
export interface FileResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The body in batches of chunks (about 1 MB each). */
  body: AsyncIterable<Uint8Array[]>;
  /** Stop receiving (the connection is closed). */
  cancel(): void;
  /** The reply as a fetch Response, for reading an error body. */
  asResponse(): Promise<Response>;
}

const MAX_REDIRECTS = 8;

/**
 * An IncomingMessage as batches of chunks, with backpressure (paused while a full batch waits). What
 * arrived before a connection dropped is handed out before the error is thrown.
 */
async function* batches(res: IncomingMessage, size: number): AsyncGenerator<Uint8Array[]> {
  let buf: Uint8Array[] = [];
  let n = 0;
  let ended = false;
  let failed: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  res.on('data', (c: Buffer) => {
    buf.push(c);
    n += c.length;
    if (n >= size) res.pause();
    poke();
  });
  res.on('end', () => {
    ended = true;
    poke();
  });
  res.on('error', (err) => {
    failed ??= err;
    poke();
  });
  res.on('aborted', () => {
    failed ??= new Error('the connection was closed before the end of the body');
    poke();
  });
  try {
    for (;;) {
      if (n >= size || ((ended || failed) && n > 0)) {
        const out = buf;
        buf = [];
        n = 0;
        yield out;
        if (!ended && !failed) res.resume();
        continue;
      }
      if (failed) throw failed;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    if (!ended) res.destroy();
  }
}

/**
 * GET one file, following redirects (the Hub sends LFS files to its CDN with a 302). The body is read
 * by http1Get into reused buffers; a chunked 2xx body goes through node:http instead. Why not fetch:
 * for bulk bodies fetch's web streams cost about twice the CPU per byte of node:http here, and the
 * downloader is CPU-bound on a fast link. Like fetch, the Authorization header is dropped when a
 * redirect leaves the Hub's origin (the CDN URL is signed).
 */
export async function getFile(cfg: HubConfig, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<FileResponse> {
  if (cfg.fetch !== globalThis.fetch) return fetchFile(cfg, url, headers, signal); // a test's own fetch
  let current = new URL(url);
  const origin = current.origin;
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'https:' && current.protocol !== 'http:') throw new Error(`redirected to an unsupported address: ${current.protocol}`);
    const sendHeaders = current.origin === origin ? headers : Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    const res = await http1Get(current, sendHeaders, signal);
    if (res === 'unframed') return nodeHttpGet(current, sendHeaders, signal);
    const { status, headers: h } = res;
    const location = h.get('location');
    if (status >= 300 && status < 400 && location) {
      res.cancel();
      if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects (last: ${location})`);
      current = new URL(location, current);
      continue;
    }
    return {
      status,
      ok: status >= 200 && status < 300,
      headers: h,
      body: res.body,
      cancel: res.cancel,
      asResponse: async () => replyAsResponse(status, h, await res.text()),
    };
  }
}

function replyAsResponse(status: number, headers: Headers, body: string | Uint8Array): Response {
  const bodyless = status === 204 || status === 304;
  return new Response(bodyless ? null : typeof body === 'string' ? body : new Uint8Array(body), { status: status >= 200 && status <= 599 ? status : 502, headers });
}

/** One GET through node:http(s), for a body http1Get does not frame itself. */
async function nodeHttpGet(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<FileResponse> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'GET', headers, signal }, resolve);
    req.on('error', reject);
    req.end();
  });
  const status = res.statusCode ?? 0;
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: h,
    body: batches(res, BATCH_BYTES),
    cancel: () => res.destroy(),
    asResponse: async () => {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return replyAsResponse(status, h, Buffer.concat(chunks));
    },
  };
}

async function fetchFile(cfg: HubConfig, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<FileResponse> {
  const res = await cfg.fetch(url, { headers, redirect: 'follow', signal });
  const reader = res.body?.getReader();
  return {
    status: res.status,
    ok: res.ok,
    headers: res.headers,
    body: {
      async *[Symbol.asyncIterator]() {
        if (!reader) return;
        for (;;) {
          const c = await reader.read();
          if (c.done) return;
          yield [c.value];
        }
      },
    },
    cancel: () => void reader?.cancel().catch(() => {}),
    asResponse: async () => res,
  };
}
