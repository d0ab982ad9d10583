import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { http1Get, type Http1Reply } from './http1-get';
import { BATCH_BYTES, isBatchMemory, recycleBatch, takeBatch } from './batch-buffers';
import { getFile, hubConfigFromEnv } from './hub-client';
import { TEST_CERT, TEST_KEY } from '../../test-support/tls-cert';

const body = randomBytes(5 * BATCH_BYTES + 12345);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const routes: Record<string, Handler> = {
  '/file': (req, res) => {
    const from = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    res.writeHead(from ? 206 : 200, { 'content-length': String(body.length - from), 'x-range-asked': req.headers.range ?? '', 'x-auth': req.headers.authorization ?? '' });
    res.end(body.subarray(from));
  },
  '/chunked': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: Node sends it chunked
    res.write(body.subarray(0, 100_000));
    res.end(body.subarray(100_000, 300_000));
  },
  '/error-chunked': (_req, res) => {
    res.writeHead(429, { 'retry-after': '3' });
    res.write('{"error":"slow ');
    res.end('down"}');
  },
  '/redirect': (_req, res) => {
    res.writeHead(302, { location: '/file' });
    res.end();
  },
  '/drop': (_req, res) => {
    res.writeHead(200, { 'content-length': String(body.length) });
    res.write(body.subarray(0, 1_500_000), () => setTimeout(() => res.socket?.destroy(), 50));
  },
  '/slow': (_req, res) => {
    res.writeHead(200, { 'content-length': '200000' });
    res.write(body.subarray(0, 100_000)); // then nothing for a while: a slow link
    setTimeout(() => res.end(body.subarray(100_000, 200_000)), 1200);
  },
};
const handle: Handler = (req, res) => (routes[req.url ?? ''] ?? ((_q, r) => (r.writeHead(404), r.end())))(req, res);

let plain: http.Server;
let secure: https.Server;
let raw: net.Server;
let base: string;
let secureBase: string;
let rawBase: string;
let rawReply = '';

beforeAll(async () => {
  plain = http.createServer(handle);
  secure = https.createServer({ cert: TEST_CERT, key: TEST_KEY }, handle);
  // A server that answers whatever bytes a test sets (malformed replies, close-delimited bodies).
  raw = net.createServer((s) => s.once('data', () => s.end(rawReply)));
  for (const s of [plain, secure, raw]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  secureBase = `https://localhost:${(secure.address() as AddressInfo).port}`;
  rawBase = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [plain, secure, raw]) await new Promise((r) => s.close(r));
});

async function collect(r: Http1Reply): Promise<{ bytes: Buffer; batches: number[] }> {
  const parts: Buffer[] = [];
  const batches: number[] = [];
  for await (const b of r.body) for (const c of b) (parts.push(Buffer.from(c)), batches.push(c.length));
  return { bytes: Buffer.concat(parts), batches };
}

const get = (url: string, headers: Record<string, string> = {}, signal = new AbortController().signal) => http1Get(new URL(url), headers, signal, { ca: TEST_CERT });

describe('http1Get', () => {
  it('reads a body into 1 MB batches of reused memory, byte for byte, with its headers', async () => {
    const r = await get(`${base}/file`, { Range: 'bytes=0-', Authorization: 'Bearer t' });
    expect(r).not.toBe('unframed');
    const reply = r as Http1Reply;
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-range-asked')).toBe('bytes=0-');
    expect(reply.headers.get('x-auth')).toBe('Bearer t');
    const { bytes, batches } = await collect(reply);
    expect(sha(bytes)).toBe(sha(body));
    expect(batches.slice(0, 5)).toEqual([BATCH_BYTES, BATCH_BYTES, BATCH_BYTES, BATCH_BYTES, BATCH_BYTES]);
  });

  it('hands out batches that can be transferred, and takes the memory back when it is done', async () => {
    const reply = (await get(`${base}/file`)) as Http1Reply;
    const first = (await reply.body[Symbol.asyncIterator]().next()).value![0] as Uint8Array;
    expect(isBatchMemory(first.buffer)).toBe(true);
    reply.cancel();
    const memory = first.buffer as ArrayBuffer;
    recycleBatch(memory);
    expect(takeBatch().buffer).toBe(memory);
  });

  it('speaks TLS to an https server (certificate checked)', async () => {
    const reply = (await get(`${secureBase}/file`)) as Http1Reply;
    expect(sha((await collect(reply)).bytes)).toBe(sha(body));
    // Without the test CA the certificate is refused, not ignored.
    await expect(http1Get(new URL(`${secureBase}/file`), {}, new AbortController().signal)).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  it('returns a redirect as it is, and answers "unframed" for a chunked file body', async () => {
    const r = (await get(`${base}/redirect`)) as Http1Reply;
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/file');
    r.cancel();
    expect(await get(`${base}/chunked`)).toBe('unframed');
  });

  it('reads a chunked error body whole, without its framing', async () => {
    const r = (await get(`${base}/error-chunked`)) as Http1Reply;
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(await r.text()).toBe('{"error":"slow down"}');
  });

  it('hands out what arrived before a dropped connection, then says it dropped', async () => {
    const r = (await get(`${base}/drop`)) as Http1Reply;
    const got: Buffer[] = [];
    await expect(
      (async () => {
        for await (const b of r.body) for (const c of b) got.push(Buffer.from(c));
      })(),
    ).rejects.toThrow(/closed before the end of the body/);
    expect(Buffer.compare(Buffer.concat(got), body.subarray(0, 1_500_000))).toBe(0);
  });

  it('on a slow link, hands out a partial batch rather than waiting for 1 MB', async () => {
    const r = (await get(`${base}/slow`)) as Http1Reply;
    const it = r.body[Symbol.asyncIterator]();
    const t = performance.now();
    const first = (await it.next()).value![0] as Uint8Array;
    expect(first.length).toBe(100_000);
    expect(performance.now() - t).toBeLessThan(1000);
    const second = (await it.next()).value![0] as Uint8Array;
    expect(Buffer.compare(Buffer.concat([first, second]), body.subarray(0, 200_000))).toBe(0);
    expect((await it.next()).done).toBe(true);
  });

  it('reads a body that ends where the connection does (no Content-Length)', async () => {
    rawReply = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it';
    const r = (await get(`${rawBase}/x`)) as Http1Reply;
    expect((await collect(r)).bytes.toString()).toBe('all of it');
  });

  it('refuses malformed replies and unsafe headers with an error that says what is wrong', async () => {
    rawReply = 'SMTP ready\r\n\r\n';
    await expect(get(`${rawBase}/x`)).rejects.toThrow(/not HTTP\/1\.1/);
    rawReply = 'HTTP/1.1 200 OK\r\nbad header line\r\n\r\n';
    await expect(get(`${rawBase}/x`)).rejects.toThrow(/malformed header line/);
    rawReply = 'HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n';
    await expect(get(`${rawBase}/x`)).rejects.toThrow(/invalid Content-Length/);
    rawReply = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort';
    const short = (await get(`${rawBase}/x`)) as Http1Reply;
    await expect(collect(short)).rejects.toThrow(/closed before the end of the body/);
    rawReply = '';
    await expect(get(`${rawBase}/x`)).rejects.toThrow(/closed before the server answered/);
    rawReply = `HTTP/1.1 200 OK\r\n${'X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(1500)}\r\n`;
    await expect(get(`${rawBase}/x`)).rejects.toThrow(/header section longer than 64 kB/);
    await expect(get(`${base}/file`, { 'X-Evil': 'a\r\nHost: elsewhere' })).rejects.toThrow(/refusing to send header/);
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    const r = (await get(`${base}/slow`, {}, controller.signal)) as Http1Reply;
    const it = r.body[Symbol.asyncIterator]();
    await it.next();
    setTimeout(() => controller.abort(new Error('stopped by the person')), 50);
    await expect(it.next()).rejects.toThrow(/stopped by the person/);
  });
});

describe('getFile', () => {
  it('follows redirects and falls back to node:http for a chunked body', async () => {
    const cfg = hubConfigFromEnv({ HF_ENDPOINT: base });
    const viaRedirect = await getFile(cfg, `${base}/redirect`, {}, new AbortController().signal);
    const parts: Uint8Array[] = [];
    for await (const b of viaRedirect.body) parts.push(...b.map((c) => Buffer.from(c)));
    expect(sha(Buffer.concat(parts))).toBe(sha(body));
    const chunked = await getFile(cfg, `${base}/chunked`, {}, new AbortController().signal);
    const cparts: Uint8Array[] = [];
    for await (const b of chunked.body) cparts.push(...b.map((c) => Buffer.from(c)));
    expect(Buffer.compare(Buffer.concat(cparts), body.subarray(0, 300_000))).toBe(0);
    const error = await getFile(cfg, `${base}/error-chunked`, {}, new AbortController().signal);
    expect(error.ok).toBe(false);
    expect(await (await error.asResponse()).json()).toEqual({ error: 'slow down' });
  });
});
