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
    new Exchange(url, headers, signal, tlsOptions, resolve, reject);
  });
}

/**
 * One request and its answer, in the order things happen: connect and send the request, read the
 * head out of the first batch (onHead), count body bytes into batches (received), hand batches to the
 * consumer (body), and end with the connection (onClose).
 */
class Exchange {
  // The socket reads into batch[used, …); batch[base, used) is received and not yet handed out.
  private batch = takeBatch();
  private used = 0;
  private base = 0;
  private head: { status: number; headers: Headers } | null = null;
  /** Body bytes still expected (Content-Length), or Infinity: until the server closes. */
  private left = Infinity;
  private chunked = false;
  private readonly ready: Buffer[] = [];
  private ended = false;
  private failed: Error | null = null;
  private wake: (() => void) | null = null;
  private paused = false;
  private partialTimer: NodeJS.Timeout | null = null;
  /** The promise of http1Get has been resolved or rejected. */
  private settled = false;
  private readonly socket: net.Socket;
  private readonly onAbort = () => this.fail(this.signal.reason instanceof Error ? this.signal.reason : new Error('aborted'));

  constructor(
    private readonly url: URL,
    private readonly requestHeaders: Record<string, string>,
    private readonly signal: AbortSignal,
    tlsOptions: tls.ConnectionOptions,
    private readonly resolve: (r: Http1Reply | 'unframed') => void,
    private readonly reject: (err: Error) => void,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
    const options = {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      onread: {
        buffer: () => this.batch.subarray(this.used),
        callback: (n: number): boolean => {
          this.used += n;
          return this.head ? this.received(n) : this.onHead();
        },
      },
    };
    this.socket =
      url.protocol === 'https:'
        ? tls.connect({ ...options, servername: net.isIP(options.host) ? undefined : options.host, ALPNProtocols: ['http/1.1'], ...tlsOptions } as tls.ConnectionOptions)
        : net.connect(options);
    this.socket.setNoDelay(true);
    this.socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => this.sendRequest());
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.onClose());
  }

  private sendRequest(): void {
    const { url } = this;
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close', 'User-Agent: lance-explorer'];
    for (const [k, v] of Object.entries(this.requestHeaders)) {
      if (!TOKEN.test(k) || /[\r\n]/.test(v)) return this.fail(new Error(`refusing to send header ${JSON.stringify(k)}`));
      lines.push(`${k}: ${v}`);
    }
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  }

  /** The head is in the first batch; false pauses the socket (or it was closed). */
  private onHead(): boolean {
    const { batch, used } = this;
    const end = batch.subarray(0, used).indexOf('\r\n\r\n');
    if (end < 0 || end > MAX_HEAD) {
      if (end < 0 && used < MAX_HEAD) return true;
      this.fail(new ProtocolError('the server sent a header section longer than 64 kB'));
      return false;
    }
    let head: { status: number; headers: Headers };
    try {
      head = parseHead(batch.toString('latin1', 0, end));
    } catch (err) {
      this.fail(err as Error);
      return false;
    }
    this.head = head;
    const te = head.headers.get('transfer-encoding');
    this.chunked = !!te && te.toLowerCase() !== 'identity';
    const length = head.headers.get('content-length');
    if (!this.chunked && length !== null) {
      if (!/^\d+$/.test(length)) {
        this.fail(new ProtocolError(`the server sent an invalid Content-Length (${JSON.stringify(length.slice(0, 30))})`));
        return false;
      }
      this.left = Number(length);
    }
    const ok = head.status >= 200 && head.status < 300;
    if (ok && this.chunked) {
      this.settled = true;
      this.socket.destroy();
      this.resolve('unframed');
      return false;
    }
    // The body bytes that came with the head move to the start of the batch.
    batch.copyWithin(0, end + 4, used);
    this.used -= end + 4;
    this.settled = true;
    this.resolve(this.reply(head));
    return this.received(this.used);
  }

  /** Account for `n` new bytes at batch[used - n, used); false pauses the socket. */
  private received(n: number): boolean {
    this.left -= n;
    if (this.left <= 0) {
      if (this.left < 0) this.used += this.left; // bytes past Content-Length are not the file's
      this.ended = true;
      this.cut();
      this.socket.destroy();
      this.poke();
      return false;
    }
    if (this.used === BATCH_BYTES) this.cut();
    this.poke();
    if (this.ready.length) {
      this.paused = true; // a full batch waits for the consumer: so does the network
      return false;
    }
    return true;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Hand out the batch and read on into a fresh one. Only where the socket asks for its next buffer: in the read callback, or once it is closed. */
  private cut(): void {
    if (this.used > this.base) this.ready.push(this.batch.subarray(this.base, this.used));
    this.batch = takeBatch();
    this.used = this.base = 0;
  }

  /** Hand out what the batch holds so far as a copy: the socket keeps reading into this batch. */
  private cutCopy(): void {
    if (this.used > this.base) this.ready.push(Buffer.from(this.batch.subarray(this.base, this.used)));
    this.base = this.used;
  }

  private fail(err: Error): void {
    if (!this.settled) {
      this.settled = true;
      this.socket.destroy();
      return this.reject(err);
    }
    this.socket.destroy(); // no read follows: the batch can be handed out as it is
    if (!this.failed && !this.ended) this.cut();
    this.failed ??= err;
    this.poke();
  }

  private onClose(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    if (this.partialTimer) clearTimeout(this.partialTimer);
    if (!this.settled) this.fail(new Error('the connection was closed before the server answered'));
    else if (!this.ended && !this.failed) {
      if (this.left === Infinity) {
        this.ended = true; // no Content-Length: the body ends where the connection does
      } else {
        this.failed = new Error('the connection was closed before the end of the body');
      }
      this.cut(); // what arrived is handed out (before the error, if one)
      this.poke();
    }
    // No read follows: the batch goes back to the pool if nothing in it is still to be handed out.
    if (this.used === this.base) recycleBatch(this.batch.buffer as ArrayBuffer);
    this.batch = Buffer.alloc(0);
    this.used = this.base = 0;
  }

  private reply(h: { status: number; headers: Headers }): Http1Reply {
    return {
      status: h.status,
      headers: h.headers,
      cancel: () => {
        this.ended = true;
        this.socket.destroy();
      },
      text: async () => {
        const parts: Buffer[] = [];
        let n = 0;
        for await (const b of this.body()) {
          for (const c of b) parts.push(Buffer.from(c));
          n += b.reduce((a, c) => a + c.length, 0);
          if (n > BATCH_BYTES) break;
        }
        const raw = Buffer.concat(parts);
        return (this.chunked ? unchunk(raw) : raw).toString('utf8');
      },
      body: { [Symbol.asyncIterator]: () => this.body() },
    };
  }

  private async *body(): AsyncGenerator<Uint8Array[]> {
    try {
      for (;;) {
        const next = this.ready.shift();
        if (next) {
          if (this.paused && !this.ended && !this.failed) {
            this.paused = false;
            this.socket.resume();
          }
          yield [next];
          continue;
        }
        if (this.failed) throw this.failed;
        if (this.ended) return;
        // Nothing full yet: wait, but hand out a partial batch if a slow link keeps it filling.
        this.partialTimer ??= setTimeout(() => {
          this.partialTimer = null;
          this.cutCopy();
          this.poke();
        }, PARTIAL_AFTER_MS);
        await new Promise<void>((r) => (this.wake = r));
        if (this.ready.length && this.partialTimer) {
          clearTimeout(this.partialTimer);
          this.partialTimer = null;
        }
      }
    } finally {
      if (this.partialTimer) clearTimeout(this.partialTimer);
      if (!this.ended) this.socket.destroy();
    }
  }
}
