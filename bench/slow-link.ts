// A network link between a client and servers on 127.0.0.1, as a download from the Hub sees one: a
// shared bandwidth limit in each direction and a fixed delay each way (half the round trip). It is a
// TCP proxy: each front port forwards to one server, and every connection through every front shares
// the same two wires, so parallel transfers split the bandwidth as they would on one home or office link.
//
// What it does not model: TCP's own behaviour over a long path (slow start, window limits, loss). The
// client's TCP connection ends at the proxy on loopback; only request/response latency and the shared
// bandwidth are imposed. That is what separates a downloader's design choices (parallelism, requests
// per file, redirects) from curl's.
import net from 'node:net';

/** How far ahead of the wire one connection may queue before its sender is paused. */
const QUEUE_HIGH = 256 * 1024;

class Wire {
  private nextFree = 0;
  constructor(private readonly bytesPerMs: number) {}
  /** When n bytes offered now will have crossed the wire (ms, performance.now's clock). */
  reserve(n: number): number {
    const start = Math.max(performance.now(), this.nextFree);
    this.nextFree = start + n / this.bytesPerMs;
    return this.nextFree;
  }
}

/** Carries one direction of one connection: FIFO, each chunk released when its time has come. */
function carry(src: net.Socket, dst: net.Socket, wire: Wire, delayMs: number, count: (n: number) => void) {
  const queue: Array<{ chunk: Buffer | null; at: number }> = [];
  let queued = 0;
  let timer: NodeJS.Timeout | null = null;
  const pump = () => {
    timer = null;
    const now = performance.now();
    while (queue.length && (queue[0] as { at: number }).at <= now + 0.5) {
      const { chunk } = queue.shift() as { chunk: Buffer | null };
      if (chunk === null) {
        dst.end();
        return;
      }
      queued -= chunk.length;
      count(chunk.length);
      if (!dst.destroyed) dst.write(chunk);
    }
    if (queued < QUEUE_HIGH / 2 && src.isPaused()) src.resume();
    if (queue.length) timer = setTimeout(pump, Math.max(0, (queue[0] as { at: number }).at - performance.now()));
  };
  const push = (chunk: Buffer | null, at: number) => {
    queue.push({ chunk, at });
    if (!timer) timer = setTimeout(pump, Math.max(0, at - performance.now()));
  };
  src.on('data', (chunk: Buffer) => {
    queued += chunk.length;
    push(chunk, wire.reserve(chunk.length) + delayMs);
    if (queued > QUEUE_HIGH) src.pause();
  });
  src.on('end', () => push(null, Math.max(performance.now() + delayMs, queue.length ? (queue[queue.length - 1] as { at: number }).at : 0)));
  src.on('close', () => {
    if (timer && dst.destroyed) clearTimeout(timer);
  });
}

export interface SlowLink {
  /** A front port on 127.0.0.1 that forwards to `target` (http://host:port); returns its origin. */
  front(target: string): Promise<string>;
  /** Bytes carried towards the client so far. */
  readonly delivered: number;
  close(): Promise<void>;
}

export function slowLink(opts: { bytesPerSecond: number; rttMs: number }): SlowLink {
  const down = new Wire(opts.bytesPerSecond / 1000);
  const up = new Wire(opts.bytesPerSecond / 1000);
  const oneWay = opts.rttMs / 2;
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  let delivered = 0;
  return {
    get delivered() {
      return delivered;
    },
    async front(target) {
      const u = new URL(target);
      // Half-open allowed both ways: an end travels through the link like any other byte.
      const server = net.createServer({ allowHalfOpen: true }, (client) => {
        const upstream = net.connect({ port: Number(u.port), host: u.hostname, allowHalfOpen: true });
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        carry(client, upstream, up, oneWay, () => {});
        carry(upstream, client, down, oneWay, (n) => (delivered += n));
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
