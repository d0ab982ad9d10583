// The web bridge: the built renderer and the same dispatch function over HTTP on loopback.
// Used to browse a dataset on a headless box through an SSH tunnel, and to test the UI in Chromium.
// Every request needs the per-run token (cookie set from the printed URL, or a Bearer header);
// a foreign Host (DNS rebinding) or Origin (another site's page) is refused before anything else.
// The page lives under a random per-run path (the mount), and the cookie is scoped to it: cookies are
// per host, not per port, so a cookie for "/" would also go to every other server on 127.0.0.1.
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { EVENT_NAMES } from '../../shared/channels';
import { createDispatch } from '../dispatch';
import { indexStaticFiles, serveAppRequest } from '../app-routes';
import { SECURITY_HEADERS } from '../security';
import type { AppServices } from '../services/app-services';

const COOKIE = 'lx_token';
const MAX_BODY = 1024 * 1024;
/** A query image is sent as base64 JSON (20 MB of file at most, as the contract says). */
const MAX_IMAGE_BODY = 28 * 1024 * 1024 + 1024;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface BridgeOptions {
  services: AppServices;
  rendererDir: string;
  port?: number;
  /** Fixed token for tests; random otherwise. */
  token?: string;
}

export interface Bridge {
  url: string;
  /** The URL to open: it carries the token once, then the cookie does. */
  openUrl: string;
  token: string;
  /** The per-run path the page is served under ("/<random>/"); the token cookie is scoped to it. */
  base: string;
  port: number;
  close(): Promise<void>;
}

function hostnameOf(hostHeader: string | undefined): string | null {
  // A Host is host[:port]; userinfo ("user@") or a path has no place in it.
  if (!hostHeader || /[@/\\?#\s]/.test(hostHeader)) return null;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return null;
  }
}

export function isLoopbackHost(hostHeader: string | undefined): boolean {
  const h = hostnameOf(hostHeader);
  return h !== null && LOOPBACK_HOSTS.has(h);
}

/**
 * The page's own origin, exactly: scheme, host and port as the browser addressed this server (the Host
 * header, already checked to be loopback). A page on another port of 127.0.0.1 is another origin and
 * is refused; an ssh tunnel (localhost:8080 -> the bridge) stays one origin with itself.
 */
export function isOwnOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true; // same-origin GETs and non-browser clients send none
  return !!host && origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

/** Browsers say where a request comes from: only our own page (or a typed address) may reach us. */
export function isOwnFetchSite(site: string | string[] | undefined): boolean {
  return site === undefined || site === 'same-origin' || site === 'none';
}

function tokenFrom(req: http.IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v) return decodeURIComponent(v);
  }
  return null;
}

function sameToken(a: string | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': type, ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

/** A body over the limit is read to its end and dropped (up to a point), so the client gets the answer. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

async function readBody(req: http.IncomingMessage, max = MAX_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > Math.max(DRAIN_LIMIT, max)) {
      req.destroy(); // someone is streaming without end: stop listening
      break;
    }
    if (size <= max) chunks.push(chunk as Buffer);
  }
  if (size > max) throw new Error('too large');
  return Buffer.concat(chunks).toString('utf8');
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  // Not a secret on its own (it shows in the address bar); what matters is that no other port's
  // server is ever asked for this path, so the browser never hands it the cookie.
  const mount = `/${randomBytes(12).toString('base64url')}`;
  const base = `${mount}/`;
  const dispatch = createDispatch(opts.services);
  const statics = await indexStaticFiles(opts.rendererDir);
  const streams = new Set<http.ServerResponse>();
  const unsubscribe = EVENT_NAMES.map((name) =>
    opts.services.events.on(name, (payload) => {
      const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
      for (const s of streams) s.write(frame);
    }),
  );

  const server = http.createServer(async (req, res) => {
    try {
      if (!isLoopbackHost(req.headers.host)) return send(res, 403, 'Forbidden: unexpected Host header.');
      if (!isOwnOrigin(req.headers.origin, req.headers.host)) return send(res, 403, 'Forbidden: cross-origin request.');
      if (!isOwnFetchSite(req.headers['sec-fetch-site'])) return send(res, 403, 'Forbidden: the request did not come from this page.');
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);

      // The printed URL: trade the token for an HttpOnly cookie, then drop it from the address bar.
      const offered = url.searchParams.get('token');
      if (offered !== null && req.method === 'GET') {
        if (!sameToken(offered, token)) return send(res, 401, 'Wrong token: open the URL that "npm run serve" printed.');
        res.writeHead(302, {
          Location: base,
          'Set-Cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=${mount}`,
          ...SECURITY_HEADERS,
        });
        return res.end();
      }
      if (!sameToken(tokenFrom(req), token)) {
        return send(res, 401, 'Unauthorized: open the URL that "npm run serve" printed (it carries a per-run token).');
      }

      if (url.pathname === mount) {
        res.writeHead(301, { Location: base, ...SECURITY_HEADERS });
        return res.end();
      }
      // Everything is served under the mount; bearer clients (scripts, tests) may also leave it out.
      const route = url.pathname.startsWith(base) ? url.pathname.slice(mount.length) : url.pathname;

      if (route.startsWith('/api/')) {
        if (req.method !== 'POST') return send(res, 405, 'Use POST.');
        // A browser always sends Origin on POST; requiring it closes the door on form-based CSRF.
        if (req.headers.origin === undefined && req.headers.authorization === undefined) {
          return send(res, 403, 'Forbidden: missing Origin.');
        }
        // JSON only: a cross-origin page can send text/plain or a form without asking first, never JSON.
        if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
          return send(res, 415, JSON.stringify({ ok: false, error: { code: 'INVALID_PAYLOAD', message: 'Requests must be sent as application/json.' } }), 'application/json');
        }
        let payload: unknown;
        try {
          const raw = await readBody(req, /^\/api\/query(:|%3A)image$/i.test(route) ? MAX_IMAGE_BODY : MAX_BODY);
          payload = raw ? JSON.parse(raw) : {};
        } catch {
          return send(res, 200, JSON.stringify({ ok: false, error: { code: 'INVALID_PAYLOAD', message: 'The request body is not valid JSON (or is over 1 MB).' } }), 'application/json');
        }
        let channel: string;
        try {
          channel = decodeURIComponent(route.slice('/api/'.length));
        } catch {
          return send(res, 400, JSON.stringify({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'The channel name is not valid percent-encoding.' } }), 'application/json');
        }
        const result = await dispatch(channel, payload);
        return send(res, 200, JSON.stringify(result), 'application/json', { 'Cache-Control': 'no-store' });
      }

      if (route === '/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', ...SECURITY_HEADERS });
        res.write(': connected\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }

      // Pages and images are read, never written: other methods (TRACE, PUT, …) end here.
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.', undefined, { Allow: 'GET, HEAD' });
      const response = await serveAppRequest(
        new Request(new URL(route + url.search, url.origin), { method: req.method ?? 'GET' }),
        opts.services.datasets,
        statics,
      );
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => (headers[k] = v));
      res.writeHead(response.status, headers);
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (err) {
      if (!res.headersSent) send(res, 500, `Internal error: ${(err as Error).message}`);
      else res.end();
    }
  });
  // Keep-alive connections to a closing server would hold `close()` open in tests.
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openUrl: `${url}/?token=${token}`,
    token,
    base,
    port,
    close: async () => {
      unsubscribe.forEach((u) => u());
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      opts.services.dispose();
    },
  };
}
