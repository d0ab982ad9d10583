// A stand-in for the Hugging Face Hub on 127.0.0.1, for tests and the download benchmark. It serves a
// local Lance folder as `datasets/<repo>/<folder>` through the same endpoints and headers the real Hub
// uses (revision, paginated recursive tree, resolve with a 302 to a CDN origin for LFS files, Range,
// X-Error-Code), and can inject the faults a real download meets.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface MockFile {
  path: string; // path in the repo
  bytes: Buffer;
  lfs: boolean;
  sha256: string;
  gitSha1: string;
}

export interface Faults {
  /** Close the connection after this many bytes of a file body, `times` times (any file unless `match`). */
  drop?: { afterBytes: number; times: number; match?: RegExp };
  /** Answer 429 with Retry-After (seconds), `times` times. */
  rateLimit?: { times: number; retryAfter: number };
  /** Answer 500, `times` times. */
  serverError?: { times: number };
  /** Flip a byte in the body, `times` times. */
  corrupt?: { times: number; match?: RegExp };
  /** Throttle every body to this many bytes per second. */
  bytesPerSecond?: number;
  /** Add entries with these paths to the listing (path-escape attempts). */
  hostilePaths?: string[];
  /** Answer 200 with the whole file to Range requests. */
  ignoreRange?: boolean;
  /** Stall a file body after this many bytes until released (to kill a downloader mid-file). */
  stallAfterBytes?: number;
}

export interface MockHub {
  endpoint: string;
  repo: string;
  folder: string;
  commit: string;
  files: MockFile[];
  faults: Faults;
  /** Required bearer token (gated repo), or null for a public one. */
  token: string | null;
  /** Body bytes sent per repo path, and requests per kind, for assertions. */
  served: Map<string, number>;
  requests: { tree: number; resolve: number; cdn: number; revision: number; cdnWithAuthorization: number };
  /** The origin LFS redirects point at: the CDN server's own, or a proxy in front of it (bench link). */
  cdnOrigin: string;
  /** The CDN server's own address (where a proxy in front of it forwards to). */
  cdnListen: string;
  /** Move `main` to another commit (a push during the download). */
  push(): void;
  close(): Promise<void>;
}

export interface MockHubOptions {
  repo?: string;
  folder?: string;
  /** Files at or above this size are LFS (sha256 in the listing, redirect to the CDN). */
  lfsThreshold?: number;
  pageSize?: number;
  token?: string | null;
  /** Serve the folder as a model repository (`/api/models/…`, `/<repo>/resolve/…`), its files at the root. */
  kind?: 'dataset' | 'model';
}

async function walk(dir: string, base = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(path.join(dir, e.name), rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

export async function startMockHub(lanceDir: string, opts: MockHubOptions = {}): Promise<MockHub> {
  const repo = opts.repo ?? 'lance-format/laion-1m';
  const kind = opts.kind ?? 'dataset';
  const folder = opts.folder ?? (kind === 'model' ? '' : 'data/train.lance');
  const lfsThreshold = opts.lfsThreshold ?? 10_000;
  const pageSize = opts.pageSize ?? 1000;
  const files: MockFile[] = [];
  for (const rel of await walk(lanceDir)) {
    const bytes = await fs.readFile(path.join(lanceDir, rel));
    files.push({
      path: folder ? `${folder}/${rel}` : rel,
      bytes,
      lfs: bytes.length >= lfsThreshold,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      gitSha1: createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex'),
    });
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  const fileEntry = (f: MockFile) => ({
    type: 'file',
    path: f.path,
    size: f.bytes.length,
    oid: f.gitSha1,
    ...(f.lfs ? { lfs: { oid: f.sha256, size: f.bytes.length, pointerSize: 134 } } : {}),
  });
  const bySha = new Map(files.map((f) => [f.sha256, f]));
  let commit = createHash('sha1').update(`${repo}:${files.length}`).digest('hex');
  const oldCommits = new Set<string>();
  const hub: MockHub = {
    endpoint: '',
    repo,
    folder,
    commit,
    files,
    faults: {},
    token: opts.token ?? null,
    served: new Map(),
    requests: { tree: 0, resolve: 0, cdn: 0, revision: 0, cdnWithAuthorization: 0 },
    cdnOrigin: '',
    cdnListen: '',
    push() {
      oldCommits.add(commit);
      commit = createHash('sha1').update(`${commit}:pushed`).digest('hex');
      hub.commit = commit;
    },
    close: async () => {},
  };

  const error = (res: http.ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-error-code': code, 'x-error-message': message });
    res.end(JSON.stringify({ error: message }));
  };
  const knownRevision = (rev: string) => rev === 'main' || rev === commit || oldCommits.has(rev);

  /** Send a file body honouring Range and the faults; counts what was sent. */
  const sendBody = async (req: http.IncomingMessage, res: http.ServerResponse, f: MockFile, headers: Record<string, string>) => {
    const f0 = hub.faults;
    if (f0.rateLimit && f0.rateLimit.times > 0) {
      f0.rateLimit.times--;
      res.writeHead(429, { 'retry-after': String(f0.rateLimit.retryAfter), ratelimit: `"api";r=0;t=${f0.rateLimit.retryAfter}` });
      return void res.end('rate limited');
    }
    if (f0.serverError && f0.serverError.times > 0) {
      f0.serverError.times--;
      return error(res, 500, 'InternalError', 'Something went wrong');
    }
    let start = 0;
    let end = f.bytes.length - 1;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ranged = !!range && !f0.ignoreRange;
    if (ranged) {
      start = Number(range![1]);
      if (range![2]) end = Math.min(end, Number(range![2]));
    }
    if (start > f.bytes.length || (ranged && start > end && f.bytes.length > 0)) {
      res.writeHead(416, { 'content-range': `bytes */${f.bytes.length}` });
      return void res.end();
    }
    let body = f.bytes.subarray(start, end + 1);
    if (f0.corrupt && f0.corrupt.times > 0 && (!f0.corrupt.match || f0.corrupt.match.test(f.path)) && body.length > 0) {
      f0.corrupt.times--;
      body = Buffer.from(body);
      const mid = Math.floor(body.length / 2);
      body[mid] = (body[mid] as number) ^ 0xff;
    }
    const partial = ranged && (start > 0 || end < f.bytes.length - 1);
    res.writeHead(partial ? 206 : 200, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-length': String(body.length),
      'content-type': 'application/octet-stream',
      ...(partial ? { 'content-range': `bytes ${start}-${end}/${f.bytes.length}` } : {}),
    });
    let dropAt = Infinity;
    if (f0.drop && f0.drop.times > 0 && (!f0.drop.match || f0.drop.match.test(f.path)) && body.length > f0.drop.afterBytes) {
      f0.drop.times--;
      dropAt = f0.drop.afterBytes;
    }
    const chunk = 64 * 1024;
    let sent = 0;
    const stallAt = f0.stallAfterBytes ?? Infinity;
    while (sent < body.length) {
      if (res.destroyed) return;
      if (sent >= stallAt) return; // hold the connection open and send nothing more
      const n = Math.min(chunk, body.length - sent, dropAt - sent, stallAt - sent);
      if (n <= 0) {
        res.socket?.destroy();
        return;
      }
      const ok = res.write(body.subarray(sent, sent + n));
      sent += n;
      hub.served.set(f.path, (hub.served.get(f.path) ?? 0) + n);
      if (f0.bytesPerSecond) await new Promise((r) => setTimeout(r, (n / f0.bytesPerSecond!) * 1000));
      else if (!ok) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  };

  const cdn = http.createServer((req, res) => {
    hub.requests.cdn++;
    // The CDN URL is signed; a client must not send the Hub token to another origin.
    if (req.headers.authorization) hub.requests.cdnWithAuthorization++;
    const m = /^\/blobs\/([0-9a-f]{64})\?sig=ok$/.exec(req.url ?? '');
    const f = m ? bySha.get(m[1] as string) : undefined;
    if (!f) return void error(res, 403, 'SignatureInvalid', 'bad or expired signature');
    void sendBody(req, res, f, { etag: `"${f.sha256}"` });
  });

  const server = http.createServer((req, res) => {
    if (process.env.MOCK_HUB_LOG) process.stderr.write(`[mock-hub] ${req.method} ${req.url}\n`);
    const url = new URL(req.url ?? '/', 'http://mock');
    const p = decodeURIComponent(url.pathname);
    const authorised = !hub.token || req.headers.authorization === `Bearer ${hub.token}`;
    const repoPrefix = `/api/${kind}s/${repo}`;
    if (p === repoPrefix || p === `${repoPrefix}/`) {
      // Repository info, as clients (OpenDAL's hf service among them) ask for it first.
      hub.requests.revision++;
      if (!authorised) return error(res, 401, 'GatedRepo', 'Access to this dataset is restricted');
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ id: repo, sha: commit, private: false, gated: false, disabled: false }));
    }
    if (p.startsWith(`${repoPrefix}/revision/`)) {
      hub.requests.revision++;
      if (!authorised) return error(res, 401, 'GatedRepo', 'Access to this dataset is restricted');
      const rev = p.slice(`${repoPrefix}/revision/`.length);
      if (!knownRevision(rev)) return error(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ id: repo, sha: rev === 'main' ? commit : rev }));
    }
    if (p.startsWith(`${repoPrefix}/tree/`)) {
      hub.requests.tree++;
      if (!authorised) return error(res, 401, 'GatedRepo', 'Access to this dataset is restricted');
      const rest = p.slice(`${repoPrefix}/tree/`.length);
      const slash = rest.indexOf('/');
      const rev = slash < 0 ? rest : rest.slice(0, slash);
      const under = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
      if (!knownRevision(rev)) return error(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      const recursive = /^true$/i.test(url.searchParams.get('recursive') ?? '');
      const entries: Array<Record<string, unknown>> = [];
      const dirs = new Set<string>();
      for (const f of files) {
        if (under && !f.path.startsWith(`${under}/`)) continue;
        const rest = under ? f.path.slice(under.length + 1) : f.path;
        const parts = rest.split('/');
        // Directories are listed as entries too, as the Hub does; a non-recursive listing stops there.
        for (let d = 1; d < parts.length && (recursive || d === 1); d++) dirs.add(`${under ? `${under}/` : ''}${parts.slice(0, d).join('/')}`);
        if (recursive || parts.length === 1) entries.push(fileEntry(f));
      }
      for (const d of [...dirs].sort()) entries.push({ type: 'directory', path: d, oid: 'd'.repeat(40), size: 0 });
      for (const hp of hub.faults.hostilePaths ?? []) entries.push({ type: 'file', path: hp, size: 3, oid: 'a'.repeat(40) });
      if (entries.length === 0) return error(res, 404, 'EntryNotFound', `${under} does not exist`);
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const page = entries.slice(cursor, cursor + pageSize);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cursor + pageSize < entries.length) {
        const next = new URL(`${hub.endpoint}${url.pathname}`);
        next.searchParams.set('recursive', 'true');
        next.searchParams.set('expand', 'false');
        next.searchParams.set('cursor', String(cursor + pageSize));
        headers.link = `<${next.toString()}>; rel="next"`;
      }
      res.writeHead(200, headers);
      return void res.end(JSON.stringify(page));
    }
    if (p.startsWith(`${repoPrefix}/paths-info/`) && req.method === 'POST') {
      if (!authorised) return error(res, 401, 'GatedRepo', 'Access to this dataset is restricted');
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        let paths: string[] = [];
        try {
          paths = (JSON.parse(body) as { paths: string[] }).paths;
        } catch {
          paths = new URLSearchParams(body).getAll('paths');
        }
        const out = paths.flatMap((q) => {
          const clean = q.replace(/\/+$/, '');
          const f = byPath.get(clean);
          if (f) return [fileEntry(f)];
          return files.some((x) => x.path.startsWith(`${clean}/`)) ? [{ type: 'directory', path: clean, oid: 'd'.repeat(40), size: 0 }] : [];
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out));
      });
      return;
    }
    const resolvePrefix = `${kind === 'dataset' ? '/datasets' : ''}/${repo}/resolve/`;
    if (p.startsWith(resolvePrefix)) {
      hub.requests.resolve++;
      if (!authorised) return error(res, 401, 'GatedRepo', 'Access to this dataset is restricted');
      const rest = p.slice(resolvePrefix.length);
      const slash = rest.indexOf('/');
      const rev = rest.slice(0, slash);
      const filePath = rest.slice(slash + 1);
      if (!knownRevision(rev)) return error(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      const f = byPath.get(filePath);
      if (!f) return error(res, 404, 'EntryNotFound', `${filePath} does not exist`);
      const common = { 'x-repo-commit': rev === 'main' ? commit : rev };
      if (f.lfs) {
        res.writeHead(302, { ...common, location: `${hub.cdnOrigin}/blobs/${f.sha256}?sig=ok`, 'x-linked-etag': `"${f.sha256}"`, 'x-linked-size': String(f.bytes.length) });
        return void res.end();
      }
      return void sendBody(req, res, f, { ...common, etag: `"${f.gitSha1}"` });
    }
    if (/^\/api\/(datasets|models)\/[^/]+\/[^/]+\//.test(p) || /^\/datasets\/[^/]+\/[^/]+\/resolve\//.test(p)) {
      return error(res, 404, 'RepoNotFound', 'Repository not found');
    }
    error(res, 404, 'NotFound', `no route for ${p}`);
  });

  const listen = (s: http.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
  const cdnOrigin = `http://127.0.0.1:${await listen(cdn)}`;
  hub.cdnOrigin = cdnOrigin;
  hub.cdnListen = cdnOrigin;
  hub.endpoint = `http://127.0.0.1:${await listen(server)}`;
  hub.close = async () => {
    server.closeAllConnections();
    cdn.closeAllConnections();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => cdn.close(r))]);
  };
  return hub;
}
