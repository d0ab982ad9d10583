// Images kept by reference: a string column of paths or URIs instead of inline bytes. Relative paths
// resolve against the dataset's folder or a folder the person chose, and never outside it (".." and
// links that lead out are refused); file:// and absolute paths are read as given; http(s) URLs are
// fetched only for a dataset where the person turned remote images on, and s3:// objects through the
// dataset's own credentials, both through a disk cache with a size limit. Whatever arrives goes through the same sniffing and pixel budget as inline bytes (the
// image store does that), and no read is larger than MAX_BYTES.
import { createHash, createHmac, createSign } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { failure, AppFailure, errorText } from '../support/errors';
import { referenceScheme } from './image-columns';
import aws4 from 'aws4';

/** Larger files are not images anyone browses (LAION's are ~50 kB; a 4096² PNG is a few MB). */
export const MAX_BYTES = 32 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 15_000;

export interface ReferenceContext {
  /** The folder relative paths resolve against (null: the dataset is not on this disk). */
  root: string | null;
  remote: boolean;
  /** The dataset's own storage options (a dataset in object storage): s3:// images use its credentials. */
  storage?: Record<string, string> | undefined;
  /** Where credentials come from otherwise (AWS_*): the process environment. */
  env?: NodeJS.ProcessEnv;
}

export class ImageReferences {
  private cacheUsed: number | null = null;

  constructor(
    /** Where fetched images are kept (null: not kept). */
    private readonly cacheDir: string | null,
    private readonly cacheBytes = 512 * 1024 * 1024,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The bytes a reference points at, or an AppFailure that says why not. */
  async read(ref: string, ctx: ReferenceContext): Promise<Uint8Array> {
    const value = ref.trim();
    const scheme = referenceScheme(value) ?? (value ? 'path' : null);
    if (!scheme) throw failure('NOT_FOUND', 'This row has no image reference.');
    if (scheme === 'http') return this.fetchRemote(value, ctx.remote);
    if (scheme === 'cloud') {
      if (/^s3a?:\/\//i.test(value)) return this.fetchS3(value, ctx);
      if (/^gs:\/\//i.test(value)) return this.fetchGcs(value, ctx);
      if (/^(az|abfss?):\/\//i.test(value)) return this.fetchAzure(value, ctx);
      throw failure('UNSUPPORTED', `Images in ${value.slice(0, value.indexOf('://') + 3)} object storage are not read yet: local paths, file://, s3://, gs://, az:// and http(s) URLs are.`);
    }
    if (scheme === 'file') {
      let p: string;
      try {
        p = fileURLToPath(value);
      } catch {
        throw failure('INVALID_PAYLOAD', `"${value.slice(0, 200)}" is not a file URL the app can read.`);
      }
      return readLimited(p);
    }
    if (path.isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) return readLimited(value);
    if (!ctx.root) throw failure('UNSUPPORTED', 'Relative image paths need a dataset on this disk, or a folder chosen in Display…');
    return readLimited(await insideRoot(ctx.root, value));
  }

  private async fetchRemote(url: string, allowed: boolean): Promise<Uint8Array> {
    if (!allowed) throw failure('FORBIDDEN', 'Remote images are off for this dataset. Turn them on in Display… to fetch them from their URLs.');
    return this.fetchSigned(url, url, { Accept: 'image/*' });
  }

  /**
   * An s3:// image through the same credentials as the dataset: its storage options when it is in
   * object storage, else the AWS_* environment. Signed (SigV4, with aws4) and fetched from the
   * endpoint they name (path-style for a custom endpoint, as local S3 servers want). No credentials:
   * refused, never an unsigned or metadata-address request.
   */
  private async fetchS3(uri: string, ctx: ReferenceContext): Promise<Uint8Array> {
    const m = /^s3a?:\/\/([^/]+)\/(.+)$/i.exec(uri);
    if (!m) throw failure('INVALID_PAYLOAD', `"${uri.slice(0, 200)}" is not an s3://bucket/key address.`);
    const [, bucket, key] = m as unknown as [string, string, string];
    const o = ctx.storage ?? {};
    const env = ctx.env ?? process.env;
    const accessKeyId = o.aws_access_key_id ?? env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = o.aws_secret_access_key ?? env.AWS_SECRET_ACCESS_KEY;
    const sessionToken = o.aws_session_token ?? env.AWS_SESSION_TOKEN;
    if (!accessKeyId || !secretAccessKey) throw failure('FORBIDDEN', 'Images in s3:// need credentials: the dataset\'s storage options, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.');
    const region = o.aws_region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const custom = o.aws_endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
    const pathStyle = !!custom && o.aws_virtual_hosted_style_request !== 'true';
    const base = new URL(custom ?? `https://s3.${region}.amazonaws.com`);
    if (base.protocol === 'http:' && o.allow_http !== 'true' && env.AWS_ALLOW_HTTP !== 'true') throw failure('FORBIDDEN', `The storage endpoint ${base.origin} is plain HTTP, and allow HTTP is off for it.`);
    const host = pathStyle ? base.host : `${bucket}.${base.host}`;
    const objectPath = `${pathStyle ? `/${encodeURIComponent(bucket)}` : ''}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const signed = aws4.sign({ host, path: objectPath, service: 's3', region, method: 'GET', headers: { Accept: 'image/*' } }, { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) });
    return this.fetchSigned(uri, `${base.protocol}//${host}${objectPath}`, signed.headers as Record<string, string>);
  }

  /** Access tokens per service account, until a minute before they expire. */
  private readonly gcsTokens = new Map<string, { token: string; until: number }>();

  /**
   * A gs:// image through a service account's key, as object_store takes it: the key's JSON in the
   * storage options (google_service_account_key), or a key file (google_service_account, or
   * GOOGLE_SERVICE_ACCOUNT / GOOGLE_APPLICATION_CREDENTIALS). Its OAuth token comes from the key's own
   * token_uri (a signed JWT, RS256), and the object from the JSON API (STORAGE_EMULATOR_HOST, the
   * emulators' convention, names another host). No key: refused (the metadata server is never asked).
   */
  private async fetchGcs(uri: string, ctx: ReferenceContext): Promise<Uint8Array> {
    const m = /^gs:\/\/([^/]+)\/(.+)$/i.exec(uri);
    if (!m) throw failure('INVALID_PAYLOAD', `"${uri.slice(0, 200)}" is not a gs://bucket/object address.`);
    const [, bucket, object] = m as unknown as [string, string, string];
    const o = ctx.storage ?? {};
    const env = ctx.env ?? process.env;
    let keyText = o.google_service_account_key;
    const keyFile = o.google_service_account ?? env.GOOGLE_SERVICE_ACCOUNT ?? env.GOOGLE_APPLICATION_CREDENTIALS;
    if (!keyText && keyFile) keyText = await fs.readFile(keyFile, 'utf8').catch(() => undefined);
    if (!keyText) throw failure('FORBIDDEN', 'Images in gs:// need credentials: a service account key (the dataset\'s storage options, or GOOGLE_APPLICATION_CREDENTIALS).');
    let key: { client_email?: string; private_key?: string; token_uri?: string };
    try {
      key = JSON.parse(keyText) as typeof key;
    } catch {
      throw failure('INVALID_PAYLOAD', 'The Google service account key is not JSON.');
    }
    if (!key.client_email || !key.private_key) throw failure('INVALID_PAYLOAD', 'The Google service account key has no client_email or private_key.');
    const token = await this.gcsToken(key as { client_email: string; private_key: string; token_uri?: string });
    const host = env.STORAGE_EMULATOR_HOST ? (/^https?:\/\//.test(env.STORAGE_EMULATOR_HOST) ? env.STORAGE_EMULATOR_HOST : `http://${env.STORAGE_EMULATOR_HOST}`) : 'https://storage.googleapis.com';
    const url = `${host.replace(/\/$/, '')}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(object)}?alt=media`;
    return this.fetchSigned(uri, url, { Authorization: `Bearer ${token}` });
  }

  private async gcsToken(key: { client_email: string; private_key: string; token_uri?: string }): Promise<string> {
    const cached = this.gcsTokens.get(key.client_email);
    if (cached && cached.until > Date.now()) return cached.token;
    const aud = key.token_uri ?? 'https://oauth2.googleapis.com/token';
    const b64 = (x: string | Buffer) => Buffer.from(x).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64(JSON.stringify({ iss: key.client_email, scope: 'https://www.googleapis.com/auth/devstorage.read_only', aud, iat: now, exp: now + 3600 }))}`;
    let signature: string;
    try {
      signature = createSign('RSA-SHA256').update(unsigned).sign(key.private_key, 'base64url');
    } catch (err) {
      throw failure('INVALID_PAYLOAD', 'The Google service account key could not sign (is private_key a PEM key?).', errorText(err));
    }
    let res: Response;
    try {
      res = await this.fetchImpl(aud, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `grant_type=${encodeURIComponent('urn:ietf:params:oauth:grant-type:jwt-bearer')}&assertion=${unsigned}.${signature}`, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (err) {
      throw failure('IO', 'Google\'s token service could not be reached (network).', errorText(err));
    }
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error_description?: string };
    if (!res.ok || !body.access_token) throw failure('FORBIDDEN', `Google refused the service account key: ${body.error_description ?? `HTTP ${res.status}`}.`);
    this.gcsTokens.set(key.client_email, { token: body.access_token, until: Date.now() + Math.max(60, (body.expires_in ?? 3600) - 60) * 1000 });
    return body.access_token;
  }

  /**
   * An az:// image (az://container/blob, as object_store names them) through the dataset's storage
   * account: a SAS token when there is one, else the account key (Shared Key signing). The account,
   * key, SAS and endpoint come from the storage options or AZURE_STORAGE_*; the endpoint defaults to
   * the account's blob service (an emulator such as Azurite names its own).
   */
  private async fetchAzure(uri: string, ctx: ReferenceContext): Promise<Uint8Array> {
    const m = /^(?:az|abfss?):\/\/([^/@]+)(?:@[^/]+)?\/(.+)$/i.exec(uri);
    if (!m) throw failure('INVALID_PAYLOAD', `"${uri.slice(0, 200)}" is not an az://container/blob address.`);
    const [, container, blob] = m as unknown as [string, string, string];
    const o = ctx.storage ?? {};
    const env = ctx.env ?? process.env;
    const account = o.azure_storage_account_name ?? env.AZURE_STORAGE_ACCOUNT_NAME ?? env.AZURE_STORAGE_ACCOUNT;
    const key = o.azure_storage_account_key ?? env.AZURE_STORAGE_ACCOUNT_KEY ?? env.AZURE_STORAGE_KEY;
    const sas = (o.azure_storage_sas_key ?? env.AZURE_STORAGE_SAS_TOKEN)?.replace(/^\?/, '');
    if (!account || (!key && !sas)) throw failure('FORBIDDEN', 'Images in az:// need credentials: the storage account and its key or a SAS token (the dataset\'s storage options, or AZURE_STORAGE_*).');
    const endpoint = (o.azure_storage_endpoint ?? env.AZURE_STORAGE_ENDPOINT ?? `https://${account}.blob.core.windows.net`).replace(/\/$/, '');
    const url = `${endpoint}/${encodeURIComponent(container)}/${blob.split('/').map(encodeURIComponent).join('/')}`;
    if (sas) return this.fetchSigned(uri, `${url}?${sas}`, {});
    return this.fetchSigned(uri, url, azureSharedKey('GET', url, account, key as string, {}));
  }

  /**
   * The bytes at `url` (fetched with these headers: a signature, a token), through the disk cache
   * under `uri`'s name: objects and image URLs do not change in place. One path for http(s) and the
   * object stores: the timeout, the size cap, the status a person reads.
   */
  private async fetchSigned(uri: string, url: string, headers: Record<string, string>): Promise<Uint8Array> {
    const file = this.cacheDir ? path.join(this.cacheDir, createHash('sha256').update(uri).digest('hex').slice(0, 40)) : null;
    if (file) {
      const hit = await fs.readFile(file).catch(() => null);
      if (hit) {
        void fs.utimes(file, new Date(), new Date()).catch(() => {}); // recently used: kept longest
        return new Uint8Array(hit.buffer, hit.byteOffset, hit.byteLength);
      }
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (err) {
      const text = errorText(err);
      if (/timeout|aborted/i.test(text)) throw failure('TIMEOUT', `The image at ${shortUrl(uri)} did not arrive within ${FETCH_TIMEOUT_MS / 1000} s.`, text);
      throw failure('IO', `The image at ${shortUrl(uri)} could not be fetched (network).`, text);
    }
    if (res.status === 401 || res.status === 403) throw failure('FORBIDDEN', `The storage refused the image at ${shortUrl(uri)} (access denied): check the credentials.`);
    if (res.status === 404 || res.status === 410) throw failure('NOT_FOUND', `There is no image file at ${shortUrl(uri)}.`);
    if (!res.ok) throw failure(res.status === 503 ? 'BUSY' : 'IO', `The image at ${shortUrl(uri)} answered HTTP ${res.status}.`);
    const claimed = Number(res.headers.get('content-length') ?? 0);
    if (claimed > MAX_BYTES) throw failure('NOT_AN_IMAGE', `The file at ${shortUrl(uri)} is ${claimed.toLocaleString('en-US')} bytes, over the ${MAX_BYTES / 1024 / 1024} MB the app reads for one image.`);
    const bytes = await readBody(res, uri);
    if (file) await this.keep(file, bytes);
    return bytes;
  }

  /** Into the cache, then the least recently used files out while it is over its size. */
  private async keep(file: string, bytes: Uint8Array): Promise<void> {
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(`${file}.tmp`, bytes);
      await fs.rename(`${file}.tmp`, file);
      this.cacheUsed = (this.cacheUsed ?? (await this.measure())) + bytes.byteLength;
      if (this.cacheUsed > this.cacheBytes) await this.evict();
    } catch {
      // a full disk only costs fetching again next time
    }
  }

  private async entries(): Promise<Array<{ file: string; size: number; used: number }>> {
    if (!this.cacheDir) return [];
    const names = await fs.readdir(this.cacheDir).catch(() => [] as string[]);
    const out = await Promise.all(
      names.filter((n) => !n.endsWith('.tmp')).map(async (n) => {
        const st = await fs.stat(path.join(this.cacheDir as string, n)).catch(() => null);
        return st ? { file: path.join(this.cacheDir as string, n), size: st.size, used: st.mtimeMs } : null;
      }),
    );
    return out.filter((e): e is { file: string; size: number; used: number } => !!e);
  }

  private async measure(): Promise<number> {
    return (await this.entries()).reduce((s, e) => s + e.size, 0);
  }

  private async evict(): Promise<void> {
    const all = (await this.entries()).sort((a, b) => a.used - b.used);
    let used = all.reduce((s, e) => s + e.size, 0);
    // Down to 90% of the limit, so the next few images do not evict again at once.
    for (const e of all) {
      if (used <= this.cacheBytes * 0.9) break;
      await fs.rm(e.file, { force: true });
      used -= e.size;
    }
    this.cacheUsed = used;
  }

  /** What the cache holds (tests, the Display… dialog). */
  async cacheSize(): Promise<number> {
    return this.measure();
  }
}

const shortUrl = (u: string) => (u.length > 120 ? `${u.slice(0, 117)}…` : u);

async function readBody(res: Response, url: string): Promise<Uint8Array> {
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(await res.arrayBuffer());
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BYTES) {
      await reader.cancel().catch(() => {});
      throw failure('NOT_AN_IMAGE', `The file at ${shortUrl(url)} is over the ${MAX_BYTES / 1024 / 1024} MB the app reads for one image.`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.byteLength));
  return out;
}

/** A relative path under root, refused when it (or a link on the way) leads outside. */
async function insideRoot(root: string, rel: string): Promise<string> {
  const base = path.resolve(root);
  const target = path.resolve(base, rel);
  const outside = (p: string, b: string) => {
    const r = path.relative(b, p);
    return r === '' || r.startsWith('..') || path.isAbsolute(r);
  };
  if (outside(target, base)) throw failure('FORBIDDEN', `The image path "${rel.slice(0, 200)}" leads outside the image folder (${base}), so it is not read.`);
  let real: string;
  try {
    real = await fs.realpath(target);
  } catch (err) {
    throw failure('NOT_FOUND', `There is no image file at ${target}. Choose the folder the paths start from in Display….`, errorText(err));
  }
  const realBase = await fs.realpath(base).catch(() => base);
  if (outside(real, realBase)) throw failure('FORBIDDEN', `The image path "${rel.slice(0, 200)}" leads outside the image folder through a link, so it is not read.`);
  return real;
}

async function readLimited(p: string): Promise<Uint8Array> {
  let st;
  try {
    st = await fs.stat(p);
  } catch (err) {
    throw failure('NOT_FOUND', `There is no image file at ${p}.`, errorText(err));
  }
  if (!st.isFile()) throw failure('NOT_AN_IMAGE', `${p} is not a file.`);
  if (st.size > MAX_BYTES) throw failure('NOT_AN_IMAGE', `${p} is ${st.size.toLocaleString('en-US')} bytes, over the ${MAX_BYTES / 1024 / 1024} MB the app reads for one image.`);
  try {
    const b = await fs.readFile(p);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    throw err instanceof AppFailure ? err : failure('IO', `The image file ${p} could not be read.`, errorText(err));
  }
}

/**
 * Azure Storage's Shared Key authorization for one request: the headers to send (x-ms-date,
 * x-ms-version and Authorization). The string to sign is the verb, the twelve standard headers in
 * their order, the x-ms-* headers sorted, then "/account/path" and the query's parameters sorted.
 */
export function azureSharedKey(method: string, url: string, account: string, key: string, headers: Record<string, string>): Record<string, string> {
  const u = new URL(url);
  const all: Record<string, string> = { ...headers, 'x-ms-date': new Date().toUTCString(), 'x-ms-version': '2021-08-06' };
  const h = (name: string) => Object.entries(all).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
  const length = h('content-length');
  const standard = ['content-encoding', 'content-language', length === '0' ? '' : 'content-length', 'content-md5', 'content-type', 'date', 'if-modified-since', 'if-match', 'if-none-match', 'if-unmodified-since', 'range'].map((n) => (n ? h(n) : ''));
  const msHeaders = Object.entries(all)
    .map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
    .filter(([k]) => k.startsWith('x-ms-'))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}:${v}\n`)
    .join('');
  const params = [...u.searchParams.keys()].map((k) => k.toLowerCase()).sort().map((k) => `\n${k}:${u.searchParams.getAll(k).sort().join(',')}`).join('');
  const toSign = `${method}\n${standard.join('\n')}\n${msHeaders}/${account}${u.pathname}${params}`;
  const signature = createHmac('sha256', Buffer.from(key, 'base64')).update(toSign, 'utf8').digest('base64');
  return { ...all, Authorization: `SharedKey ${account}:${signature}` };
}

