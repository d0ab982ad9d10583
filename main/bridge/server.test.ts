import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import http from 'node:http';
import { decodeImageBatch } from '../../shared/image-batch';
import path from 'node:path';
import { startBridge, type Bridge } from './server';
import { createAppServices } from '../services/app-services';
import { laionTable, tempDir } from '../test-support/fixtures';

const tmp = tempDir();
let bridge: Bridge;
let tablePath: string;
const rendererDir = path.join(tmp.dir, 'renderer');

beforeAll(async () => {
  tablePath = await laionTable(tmp.dir, 'train', 100, { badImages: new Set([3]) });
  await fs.mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await fs.writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>x</title>');
  await fs.writeFile(path.join(rendererDir, 'assets', 'a.js'), 'console.log(1)');
  await fs.writeFile(path.join(tmp.dir, 'secret.txt'), 'top secret');
  const services = createAppServices({ dataDir: path.join(tmp.dir, 'home'), demoPath: path.join(tmp.dir, 'demo.lance'), platform: { carrier: 'web' } });
  bridge = await startBridge({ services, rendererDir });
});
afterAll(async () => {
  await bridge.close();
  tmp.cleanup();
});

/** Raw HTTP so Host and Origin can be forged the way an attacker's page or a rebinding DNS would. */
function request(pathname: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: bridge.port, path: pathname, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

const auth = () => ({ Authorization: `Bearer ${bridge.token}` });
const api = async (channel: string, payload: unknown) => {
  const r = await request(`/api/${channel}`, { method: 'POST', headers: { ...auth(), Origin: bridge.url, 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
  return JSON.parse(r.body.toString()) as { ok: boolean; value?: any; error?: { code: string; message: string } };
};

describe('web bridge', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying a long random token', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.token.length).toBeGreaterThanOrEqual(32);
    expect(bridge.openUrl).toBe(`${bridge.url}/?token=${bridge.token}`);
  });

  it('refuses every route without the token', async () => {
    for (const p of ['/', '/index.html', '/assets/a.js', '/events', '/image/abc/1']) {
      expect((await request(p)).status, p).toBe(401);
    }
    const apiCall = await request('/api/app:info', { method: 'POST', headers: { Origin: bridge.url }, body: '{}' });
    expect(apiCall.status).toBe(401);
    expect((await request('/', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await request('/?token=wrong')).status).toBe(401);
  });

  it('trades the token in the printed URL for an HttpOnly, SameSite=Strict cookie and drops it from the address bar', async () => {
    const r = await request(`/?token=${bridge.token}`);
    expect(r.status).toBe(302);
    // the page lives at a per-run path, and the cookie is scoped to it (cookies ignore ports)
    expect(r.headers.location).toBe(bridge.base);
    expect(bridge.base).toMatch(/^\/[A-Za-z0-9_-]{16}\/$/);
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(new RegExp(`Path=${bridge.base.slice(0, -1)}(;|$)`));
    expect(cookie).not.toMatch(/Path=\/(;|$)/);
    const page = await request(bridge.base, { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the page, its assets, images and the API under the per-run path, and sends its bare form there', async () => {
    const r0 = await request(`/?token=${bridge.token}`);
    const cookie = String(r0.headers['set-cookie']).split(';')[0]!;
    expect((await request(`${bridge.base}assets/a.js`, { headers: { Cookie: cookie } })).body.toString()).toBe('console.log(1)');
    const bare = await request(bridge.base.slice(0, -1), { headers: { Cookie: cookie } });
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe(bridge.base);
    const info = await request(`${bridge.base}api/app:info`, { method: 'POST', headers: { Cookie: cookie, Origin: bridge.url, 'Content-Type': 'application/json' }, body: '{}' });
    expect(JSON.parse(info.body.toString())).toMatchObject({ ok: true, value: { carrier: 'web' } });
    // without the cookie the per-run path is no key on its own
    expect((await request(bridge.base)).status).toBe(401);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin (another site), even with the token', async () => {
    expect((await request('/', { headers: { ...auth(), Host: 'evil.example:80' } })).status).toBe(403);
    const cross = await request('/api/app:info', { method: 'POST', headers: { ...auth(), Origin: 'https://evil.example' }, body: '{}' });
    expect(cross.status).toBe(403);
    expect((await request('/', { headers: { ...auth(), Host: `localhost:${bridge.port}` } })).status).toBe(200);
  });

  it('answers only its own page: another port of 127.0.0.1 is another origin, and other sites are refused by Sec-Fetch-Site', async () => {
    const r0 = await request(`/?token=${bridge.token}`);
    const cookie = String(r0.headers['set-cookie']).split(';')[0]!;
    const json = { Cookie: cookie, 'Content-Type': 'application/json' };
    const otherPort = `http://127.0.0.1:${bridge.port === 9 ? 10 : 9}`;
    expect((await request('/api/recent:list', { method: 'POST', headers: { ...json, Origin: otherPort }, body: '{}' })).status).toBe(403);
    expect((await request('/api/recent:list', { method: 'POST', headers: { ...json, Origin: `http://localhost:${bridge.port}` }, body: '{}' })).status).toBe(403);
    for (const site of ['same-site', 'cross-site']) {
      expect((await request('/', { headers: { Cookie: cookie, 'Sec-Fetch-Site': site } })).status, site).toBe(403);
      expect((await request('/image/abc/1', { headers: { Cookie: cookie, 'Sec-Fetch-Site': site } })).status, site).toBe(403);
    }
    expect((await request('/', { headers: { Cookie: cookie, 'Sec-Fetch-Site': 'none' } })).status).toBe(200);
    const own = await request('/api/recent:list', { method: 'POST', headers: { ...json, Origin: bridge.url, 'Sec-Fetch-Site': 'same-origin' }, body: '{}' });
    expect(own.status).toBe(200);
    // An ssh tunnel: the browser talks to localhost:8080 and says so in both headers.
    const tunnel = await request('/api/recent:list', { method: 'POST', headers: { ...json, Host: 'localhost:8080', Origin: 'http://localhost:8080' }, body: '{}' });
    expect(tunnel.status).toBe(200);
  });

  it('takes JSON only: a text/plain or form POST (what a no-cors fetch from another page can send) changes nothing', async () => {
    const r0 = await request(`/?token=${bridge.token}`);
    const cookie = String(r0.headers['set-cookie']).split(';')[0]!;
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await request('/api/hub:set-token', { method: 'POST', headers: { Cookie: cookie, Origin: bridge.url, 'Content-Type': type }, body: JSON.stringify({ token: 'hf_attackerToken123', remember: false }) });
      expect(r.status, type).toBe(415);
    }
    const status = await api('hub:token-status', {});
    expect(status.value.source).not.toBe('typed');
  });

  it('answers malformed requests with a 4xx, never a 500: bad percent-encoding, TRACE, userinfo in Host, row ids past 64 bits', async () => {
    const json = { ...auth(), Origin: bridge.url, 'Content-Type': 'application/json' };
    const bad = await request('/api/%E0%A4%A', { method: 'POST', headers: json, body: '{}' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString())).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    for (const method of ['TRACE', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) expect((await request('/', { method, headers: auth() })).status, method).toBe(405);
    expect((await request('/', { headers: { ...auth(), Host: `user:pw@127.0.0.1:${bridge.port}` } })).status).toBe(403);
    const open = await api('dataset:open', { path: tablePath });
    expect((await request(`/image/${open.value.id}/99999999999999999999`, { headers: auth() })).status).toBe(400);
    expect((await request(`/image/${open.value.id}/18446744073709551615`, { headers: auth() })).status).toBe(404); // the largest u64: a row that does not exist
    expect(await api('rows:get', { id: open.value.id, rowId: '99999999999999999999' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/64 bits/) } });
    expect(await api('rows:get', { id: open.value.id, rowId: 'abc' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    for (const tag of ['a..b', 'x.lock', 'x.', 'constructor', 'prototype', '__proto__']) {
      expect(await api('tags:change', { id: open.value.id, action: 'create', tag, version: 1 }), tag).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    }
  });

  it('refuses a browser POST that carries neither Origin nor a bearer token (form CSRF)', async () => {
    const r0 = await request(`/?token=${bridge.token}`);
    const cookie = String(r0.headers['set-cookie']).split(';')[0]!;
    const r = await request('/api/app:info', { method: 'POST', headers: { Cookie: cookie }, body: '{}' });
    expect(r.status).toBe(403);
  });

  it('runs the same dispatch: results, validation errors, bad JSON', async () => {
    expect(await api('app:info', {})).toMatchObject({ ok: true, value: { carrier: 'web', canPickFolder: false } });
    expect(await api('rows:page', { id: 'x', offset: 'zero', limit: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await api('no:such', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    const bad = await request('/api/app:info', { method: 'POST', headers: { ...auth(), Origin: bridge.url }, body: '{not json' });
    expect(JSON.parse(bad.body.toString())).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });

  it('serves images by row with cache headers, and a clear error for bytes that are not an image', async () => {
    const open = await api('dataset:open', { path: tablePath });
    const page = await api('rows:page', { id: open.value.id, offset: 0, limit: 5 });
    const good = await request(`/image/${open.value.id}/${page.value.rows[0].rowId}`, { headers: auth() });
    expect(good.status).toBe(200);
    expect(good.headers['content-type']).toBe('image/jpeg');
    expect(good.headers['cache-control']).toMatch(/immutable/);
    expect(good.body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const bad = await request(`/image/${open.value.id}/${page.value.rows[3].rowId}`, { headers: auth() });
    expect(bad.status).toBe(422);
    expect(bad.headers['x-error-code']).toBe('NOT_AN_IMAGE');
    expect(bad.headers['content-type']).toMatch(/text\/plain/); // never the dataset's bytes as HTML
    expect((await request(`/image/${open.value.id}/999999999999`, { headers: auth() })).status).toBe(404);
  });

  it('serves several rows\' images in one body, each row checked on its own, and refuses a bad list', async () => {
    const open = await api('dataset:open', { path: tablePath });
    const page = await api('rows:page', { id: open.value.id, offset: 0, limit: 5 });
    const ids: string[] = page.value.rows.map((r: { rowId: string }) => r.rowId);
    const res = await request(`/images/${open.value.id}?rows=${[ids[0], ids[3], ids[1], '999999999999'].join(',')}`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    const body = res.body.buffer.slice(res.body.byteOffset, res.body.byteOffset + res.body.byteLength) as ArrayBuffer;
    const items = decodeImageBatch(body);
    expect(items.map((i) => i.rowId)).toEqual([ids[0], ids[3], ids[1], '999999999999']);
    const single = await request(`/image/${open.value.id}/${ids[0]}`, { headers: auth() });
    expect(Buffer.from((items[0] as { bytes: ArrayBuffer }).bytes)).toEqual(single.body); // the same bytes as one by one
    expect(items[1]).toMatchObject({ error: { code: 'NOT_AN_IMAGE' } });
    expect(items[2]).toMatchObject({ mime: 'image/jpeg' });
    expect(items[3]).toMatchObject({ error: { code: 'NOT_FOUND' } });
    for (const q of ['', '?rows=', '?rows=1,,2', '?rows=a', `?rows=${Array.from({ length: 49 }, (_, i) => i).join(',')}`, '?rows=99999999999999999999']) {
      expect((await request(`/images/${open.value.id}${q}`, { headers: auth() })).status, q).toBe(400);
    }
    expect((await request(`/images/${open.value.id}?rows=1`, { headers: {} })).status).toBe(401); // the token, as everywhere
  });

  it('never turns a URL into a file path', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/image/../../secret.txt', '/image/a/1/../../..%2fsecret.txt']) {
      const r = await request(p, { headers: auth() });
      expect(r.status, p).not.toBe(200);
      expect(r.body.toString()).not.toContain('top secret');
    }
  });

  it('streams job events to the page', async () => {
    const got = await new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: bridge.port, path: '/events', headers: auth() }, (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
          if (text.includes('job:finished')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      setTimeout(() => void api('demo:build', {}).then((r) => api('job:cancel', { jobId: r.value.jobId })), 100);
    });
    expect(got).toMatch(/event: job:finished\ndata: \{.*"ok":false/);
  });

  it('npm run serve refuses a port that is not a number with a message, not a crash', async () => {
    for (const port of ['abc', '70000', '-1']) {
      const e = (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'main/cli/serve.ts', '--port', port], { cwd: path.resolve(__dirname, '..', '..') }).catch((x: unknown) => x)) as { code: number; stderr: string };
      expect(e.code, port).toBe(2);
      expect(e.stderr, port).toMatch(/--port takes a port number from 0 to 65535/);
      expect(e.stderr, port).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    }
  });
});
