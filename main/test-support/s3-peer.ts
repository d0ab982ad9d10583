// A local S3-compatible store for the tests: s3rver (npm) behind a small front of our own. Lance
// commits a new version with a conditional PUT (If-None-Match: *), so two writers never both take
// the same version number; s3rver ignores the header (two writers through it silently lost 110 of
// 301 rows), so the front answers 412 Precondition Failed when the key exists, as S3 does. PUTs of
// one key are checked and forwarded one at a time, so the check and the write cannot interleave.
// s3rver also answers a listing with a delimiter without its CommonPrefixes (the "folders" LanceDB
// lists to find a database's tables), so the front answers those listings itself from s3rver's full
// listing, as S3 does. Every request is counted by method, and faults can be switched on (a status
// for the next N requests matching a pattern) for the bad-network tests.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface S3Peer {
  /** The front's URL (http://127.0.0.1:port): what LanceDB's `aws_endpoint` points at. */
  endpoint: string;
  bucket: string;
  /** LanceDB storage options for this store (credentials always set: no test may reach a metadata address). */
  storageOptions: Record<string, string>;
  /** Requests seen by the front, by method; conditional PUTs refused. */
  counts: { GET: number; PUT: number; HEAD: number; DELETE: number; POST: number; refused412: number };
  /** The next `times` requests whose method and path match answer `status` instead. */
  fail(match: RegExp, status: number, times: number): void;
  /** Drops every fault still armed. */
  clearFaults(): void;
  /** Accept requests and never answer them (a dropped VPN, a captive network), until turned off. */
  silence(on: boolean): void;
  stop(): Promise<void>;
}

export const TEST_KEY_ID = 'S3RVER';
export const TEST_SECRET = 'S3RVER';

export async function startS3Peer(opts: { bucket?: string; conditional?: boolean } = {}): Promise<S3Peer> {
  const bucket = opts.bucket ?? 'datasets';
  const conditional = opts.conditional ?? true;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lx-s3-'));
  // s3rver is CommonJS without types.
  const S3rver = createRequire(import.meta.url)('s3rver') as new (o: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };
  const backend = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port: backendPort } = await backend.run();
  const counts = { GET: 0, PUT: 0, HEAD: 0, DELETE: 0, POST: 0, refused412: 0 };
  const faults: Array<{ match: RegExp; status: number; left: number }> = [];
  let silent = false;
  const locks = new Map<string, Promise<void>>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) =>
    new Promise<void>((resolve) => {
      const out = httpRequest({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers }, (back) => {
        res.writeHead(back.statusCode ?? 502, back.headers);
        back.pipe(res);
        back.on('end', resolve);
        back.on('error', () => resolve());
      });
      out.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        resolve();
      });
      out.end(body);
    });

  const exists = (url: string) =>
    new Promise<boolean>((resolve) => {
      const u = new URL(url, 'http://x');
      const head = httpRequest({ host: '127.0.0.1', port: backendPort, method: 'HEAD', path: u.pathname }, (r) => {
        r.resume();
        resolve(r.statusCode === 200);
      });
      head.on('error', () => resolve(false));
      head.end();
    });

  const get = (p: string) =>
    new Promise<string>((resolve, reject) => {
      const r = httpRequest({ host: '127.0.0.1', port: backendPort, method: 'GET', path: p }, (back) => {
        const parts: Buffer[] = [];
        back.on('data', (c: Buffer) => parts.push(c));
        back.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      });
      r.on('error', reject);
      r.end();
    });

  /** ListObjectsV2 with a delimiter, from s3rver's listing without one. */
  const listWithDelimiter = async (bucketName: string, prefix: string, delimiter: string): Promise<string> => {
    const contents: string[] = [];
    const prefixes = new Set<string>();
    let token: string | null = null;
    do {
      const xml = await get(`/${bucketName}?list-type=2&prefix=${encodeURIComponent(prefix)}&max-keys=1000${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`);
      for (const c of xml.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? []) {
        const key = (/<Key>([\s\S]*?)<\/Key>/.exec(c)?.[1] ?? '').replace(/&amp;/g, '&');
        const rest = key.slice(prefix.length);
        const at = rest.indexOf(delimiter);
        if (at >= 0) prefixes.add(prefix + rest.slice(0, at + delimiter.length));
        else contents.push(c);
      }
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? (/<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1] ?? null) : null;
    } while (token);
    const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const common = [...prefixes].sort().map((p) => `<CommonPrefixes><Prefix>${esc(p)}</Prefix></CommonPrefixes>`).join('');
    return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${esc(bucketName)}</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${contents.length + prefixes.size}</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>${esc(delimiter)}</Delimiter><IsTruncated>false</IsTruncated>${contents.join('')}${common}</ListBucketResult>`;
  };

  const front: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        // A network gone silent: the request arrived and nothing ever comes back.
        if (silent) return;
        const method = (req.method ?? 'GET') as keyof typeof counts;
        if (method in counts) counts[method]++;
        const fault = faults.find((f) => f.left > 0 && f.match.test(`${req.method} ${req.url}`));
        if (fault) {
          fault.left--;
          res.writeHead(fault.status, { 'Content-Type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.status === 503 ? 'SlowDown' : fault.status === 403 ? 'AccessDenied' : 'InternalError'}</Code><Message>injected by the test</Message></Error>`);
          return;
        }
        // s3rver takes any credentials; S3 refuses an unknown key id with 403 InvalidAccessKeyId.
        // (The signature itself is not checked here: a wrong secret with the right key id passes.)
        const keyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
        if (keyId !== undefined && keyId !== TEST_KEY_ID) {
          res.writeHead(403, { 'Content-Type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>');
          return;
        }
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://x');
        const listing = /^\/[^/]+\/?$/.exec(url.pathname);
        if (req.method === 'GET' && listing && url.searchParams.get('list-type') === '2' && url.searchParams.get('delimiter')) {
          const xml = await listWithDelimiter(url.pathname.replace(/^\/|\/$/g, ''), url.searchParams.get('prefix') ?? '', url.searchParams.get('delimiter') as string);
          res.writeHead(200, { 'Content-Type': 'application/xml' }).end(xml);
          return;
        }
        const ifNoneMatch = req.headers['if-none-match'];
        if (conditional && req.method === 'PUT' && ifNoneMatch === '*') {
          const key = new URL(req.url ?? '/', 'http://x').pathname;
          const before = locks.get(key) ?? Promise.resolve();
          let release = () => {};
          const mine = new Promise<void>((r) => (release = r));
          locks.set(key, before.then(() => mine));
          await before;
          try {
            if (await exists(key)) {
              counts.refused412++;
              res.writeHead(412, { 'Content-Type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>');
              return;
            }
            delete req.headers['if-none-match'];
            await forward(req, res, body);
          } finally {
            release();
          }
          return;
        }
        await forward(req, res, body);
      })();
    });
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(front.address() as { port: number }).port}`;
  return {
    endpoint,
    bucket,
    storageOptions: {
      aws_access_key_id: TEST_KEY_ID,
      aws_secret_access_key: TEST_SECRET,
      aws_region: 'us-east-1',
      aws_endpoint: endpoint,
      allow_http: 'true',
      // path-style URLs (http://host/bucket/key): s3rver has no virtual-host buckets
      aws_virtual_hosted_style_request: 'false',
    },
    counts,
    fail(match, status, times) {
      faults.push({ match, status, left: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    silence(on) {
      silent = on;
    },
    async stop() {
      // close() alone waits for every open connection, and LanceDB's client keeps some open (a read
      // in flight, its pool): the network going away is every socket cut at once.
      const closed = new Promise<void>((r) => front.close(() => r()));
      front.closeAllConnections();
      await closed;
      await backend.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
