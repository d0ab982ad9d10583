// One GET over HTTP/1.1 whose body is read by the socket straight into reused 1 MB buffers
// (net/tls `onread`), for the downloader's file bodies. node:http hands out a freshly allocated
// ~64 kB buffer per read and runs each through its parser and stream machinery: on a fast link that
// was about a third of the download's CPU. Here the headers are parsed once and the body is bytes
// counted against Content-Length. Anything this does not frame itself (a chunked 2xx body) is
// answered as 'unframed' and fetched through node:http instead.
import net from 'node:net';
import tls from 'node:tls';
import { BATCH_BYTES, recycleBatch, takeBatch } from './batch-buffers';

export interface Http1Reply {
  status: number;
  headers: Headers;
  /** The body in batches (one buffer each, which the consumer may transfer away). */
  body: AsyncIterable<Uint8Array[]>;
  cancel(): void;
  /** A non-2xx reply's body (up to 1 MB), read whole. */
  text(): Promise<string>;
}

/** Longest head (status line and headers) accepted. */
const MAX_HEAD = 64 * 1024;
/** A batch that has waited this long with some bytes in it is handed out anyway (slow links). */
const PARTIAL_AFTER_MS = 250;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

class ProtocolError extends Error {}

function parseHead(head: string): { status: number; headers: Headers } {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?$/.exec(lines[0] ?? '');
  if (!m) throw new ProtocolError(`the server's answer is not HTTP/1.1 (${JSON.stringify((lines[0] ?? '').slice(0, 60))})`);
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw new ProtocolError(`the server sent a malformed header line (${JSON.stringify(line.slice(0, 60))})`);
    try {
      headers.append(name, line.slice(colon + 1).trim());
    } catch {
      throw new ProtocolError(`the server sent a header value that is not allowed (${name})`);
    }
  }
  return { status: Number(m[1]), headers };
}

/** A whole chunked body (an error reply's) without its framing. */
function unchunk(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size <= 0) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/**
 * GET `url` once (no redirects followed here: a 3xx is returned like any reply). Resolves when the
 * head has arrived; 'unframed' when the body is chunked on a 2xx (the caller asks node:http).
 */
export function http1Get(url: URL, headers: Record<string, string>, signal: AbortSignal, tlsOptions: tls.ConnectionOptions = {}): Promise<Http1Reply | 'unframed'> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
    // The socket reads into batch[used, …); batch[base, used) is received and not yet handed out.
    let batch = takeBatch();
    let used = 0;
    let base = 0;
    let head: { status: number; headers: Headers } | null = null;
    let left = Infinity; // body bytes still expected (Content-Length), or until the server closes
    let chunked = false;
    const ready: Buffer[] = [];
    let ended = false;
    let failed: Error | null = null;
    let wake: (() => void) | null = null;
    let paused = false;
    let partialTimer: NodeJS.Timeout | null = null;
    let settled = false;

    const poke = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    /** Hand out the batch and read on into a fresh one. Only where the socket asks for its next buffer: in the read callback, or once it is closed. */
    const cut = () => {
      if (used > base) ready.push(batch.subarray(base, used));
      batch = takeBatch();
      used = base = 0;
    };
    /** Hand out what the batch holds so far as a copy: the socket keeps reading into this batch. */
    const cutCopy = () => {
      if (used > base) ready.push(Buffer.from(batch.subarray(base, used)));
      base = used;
    };
    const fail = (err: Error) => {
      if (!settled) {
        settled = true;
        socket.destroy();
        return reject(err);
      }
      socket.destroy(); // no read follows: the batch can be handed out as it is
      if (!failed && !ended) cut();
      failed ??= err;
      poke();
    };
    const onAbort = () => fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });

    const onHead = (): boolean => {
      const end = batch.subarray(0, used).indexOf('\r\n\r\n');
      if (end < 0 || end > MAX_HEAD) {
        if (end < 0 && used < MAX_HEAD) return true;
        fail(new ProtocolError('the server sent a header section longer than 64 kB'));
        return false;
      }
      try {
        head = parseHead(batch.toString('latin1', 0, end));
      } catch (err) {
        fail(err as Error);
        return false;
      }
      const te = head.headers.get('transfer-encoding');
      chunked = !!te && te.toLowerCase() !== 'identity';
      const length = head.headers.get('content-length');
      if (!chunked && length !== null) {
        if (!/^\d+$/.test(length)) {
          fail(new ProtocolError(`the server sent an invalid Content-Length (${JSON.stringify(length.slice(0, 30))})`));
          return false;
        }
        left = Number(length);
      }
      const ok = head.status >= 200 && head.status < 300;
      if (ok && chunked) {
        settled = true;
        socket.destroy();
        resolve('unframed');
        return false;
      }
      // The body bytes that came with the head move to the start of the batch.
      batch.copyWithin(0, end + 4, used);
      used -= end + 4;
      settled = true;
      resolve(reply(head));
      return received(used);
    };

    /** Account for `n` new bytes at batch[used - n, used); false pauses the socket. */
    const received = (n: number): boolean => {
      left -= n;
      if (left <= 0) {
        if (left < 0) used += left; // bytes past Content-Length are not the file's
        ended = true;
        cut();
        socket.destroy();
        poke();
        return false;
      }
      if (used === BATCH_BYTES) cut();
      poke();
      if (ready.length) {
        paused = true; // a full batch waits for the consumer: so does the network
        return false;
      }
      return true;
    };

    const options = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      onread: {
        buffer: () => batch.subarray(used),
        callback: (n: number): boolean => {
          used += n;
          return head ? received(n) : onHead();
        },
      },
    };
    const socket: net.Socket =
      url.protocol === 'https:'
        ? tls.connect({ ...options, servername: net.isIP(options.host) ? undefined : options.host, ALPNProtocols: ['http/1.1'], ...tlsOptions } as tls.ConnectionOptions)
        : net.connect(options);
    socket.setNoDelay(true);
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close', 'User-Agent: lance-explorer'];
      for (const [k, v] of Object.entries(headers)) {
        if (!TOKEN.test(k) || /[\r\n]/.test(v)) return fail(new Error(`refusing to send header ${JSON.stringify(k)}`));
        lines.push(`${k}: ${v}`);
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('error', (err) => fail(err));
    socket.on('close', () => {
      signal.removeEventListener('abort', onAbort);
      if (partialTimer) clearTimeout(partialTimer);
      if (!settled) fail(new Error('the connection was closed before the server answered'));
      else if (!ended && !failed) {
        if (left === Infinity) {
          ended = true; // no Content-Length: the body ends where the connection does
        } else {
          failed = new Error('the connection was closed before the end of the body');
        }
        cut(); // what arrived is handed out (before the error, if one)
        poke();
      }
      // No read follows: the batch goes back to the pool if nothing in it is still to be handed out.
      if (used === base) recycleBatch(batch.buffer as ArrayBuffer);
      batch = Buffer.alloc(0);
      used = base = 0;
    });

    function reply(h: { status: number; headers: Headers }): Http1Reply {
      return {
        status: h.status,
        headers: h.headers,
        cancel: () => {
          ended = true;
          socket.destroy();
        },
        text: async () => {
          const parts: Buffer[] = [];
          let n = 0;
          for await (const b of body()) {
            for (const c of b) parts.push(Buffer.from(c));
            n += b.reduce((a, c) => a + c.length, 0);
            if (n > BATCH_BYTES) break;
          }
          const raw = Buffer.concat(parts);
          return (chunked ? unchunk(raw) : raw).toString('utf8');
        },
        body: { [Symbol.asyncIterator]: body },
      };
    }

    async function* body(): AsyncGenerator<Uint8Array[]> {
      try {
        for (;;) {
          const next = ready.shift();
          if (next) {
            if (paused && !ended && !failed) {
              paused = false;
              socket.resume();
            }
            yield [next];
            continue;
          }
          if (failed) throw failed;
          if (ended) return;
          // Nothing full yet: wait, but hand out a partial batch if a slow link keeps it filling.
          partialTimer ??= setTimeout(() => {
            partialTimer = null;
            cutCopy();
            poke();
          }, PARTIAL_AFTER_MS);
          await new Promise<void>((r) => (wake = r));
          if (ready.length && partialTimer) {
            clearTimeout(partialTimer);
            partialTimer = null;
          }
        }
      } finally {
        if (partialTimer) clearTimeout(partialTimer);
        if (!ended) socket.destroy();
      }
    }
  });
}
