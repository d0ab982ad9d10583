// The mock Hub in its own process (so the downloader being measured does not share its event loop
// with the server): serves the Lance folder given as argument, prints its endpoint, then waits.
// Optional throttle: --bytes-per-second N (used for the kill-at-50% measurement).
import { startMockHub } from '../main/test-support/mock-hub';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: tsx bench/mock-hub-server.ts <table.lance> [--bytes-per-second N]');
  process.exit(2);
}
const i = process.argv.indexOf('--bytes-per-second');
const hub = await startMockHub(dir);
if (i > 0) hub.faults.bytesPerSecond = Number(process.argv[i + 1]);
const total = hub.files.reduce((a, f) => a + f.bytes.length, 0);
console.log(JSON.stringify({ endpoint: hub.endpoint, commit: hub.commit, files: hub.files.map((f) => ({ path: f.path, size: f.bytes.length })), total }));
// Report what was served when asked (one line on stdin), so the parent can count re-fetched bytes.
process.stdin.on('data', () => console.log(JSON.stringify({ served: [...hub.served.values()].reduce((a, b) => a + b, 0) })));
