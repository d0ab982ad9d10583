// The mock Hub in its own process (so the downloader being measured does not share its event loop
// with the server): serves the Lance folder given as argument, prints its endpoint, then waits.
// --bytes-per-second N: the server itself sends slowly (the kill-at-50% measurement).
// --link-mbps M --link-rtt-ms D: clients reach the Hub and its CDN through a slow link (slow-link.ts):
// M MB/s shared by every connection, D ms of added round trip.
import { startMockHub } from '../main/test-support/mock-hub';
import { slowLink } from './slow-link';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: tsx bench/mock-hub-server.ts <table.lance> [--bytes-per-second N] [--link-mbps M --link-rtt-ms D]');
  process.exit(2);
}
const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
};
const hub = await startMockHub(dir);
const bps = flag('--bytes-per-second');
if (bps) hub.faults.bytesPerSecond = bps;
let endpoint = hub.endpoint;
const mbps = flag('--link-mbps');
if (mbps) {
  const link = slowLink({ bytesPerSecond: mbps * 1048576, rttMs: flag('--link-rtt-ms') ?? 0 });
  endpoint = await link.front(hub.endpoint);
  hub.cdnOrigin = await link.front(hub.cdnListen);
}
const total = hub.files.reduce((a, f) => a + f.bytes.length, 0);
console.log(JSON.stringify({ endpoint, commit: hub.commit, files: hub.files.map((f) => ({ path: f.path, size: f.bytes.length })), total }));
// Report what was served when asked (one line on stdin), so the parent can count re-fetched bytes.
process.stdin.on('data', () => console.log(JSON.stringify({ served: [...hub.served.values()].reduce((a, b) => a + b, 0) })));
