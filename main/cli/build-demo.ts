// npm run demo [-- --rows N] [--out PATH]: build (or rebuild) the demo dataset with progress on stderr.
import { buildDemo } from '../services/demo/build-demo';
import { defaultDemoPath } from '../services/paths';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rows = arg('--rows') ? Number(arg('--rows')) : undefined;
const out = arg('--out') ?? defaultDemoPath();
const t0 = Date.now();
let lastPct = -1;
const result = await buildDemo(out, {
  rows,
  log: (l) => process.stderr.write(`  ${l}\n`),
  report: (done, total, message) => {
    const pct = Math.floor((100 * done) / Math.max(1, total));
    if (pct !== lastPct) {
      lastPct = pct;
      process.stderr.write(`\r[${String(pct).padStart(3)}%] ${message.padEnd(60)}`);
    }
  },
});
process.stderr.write('\n');
console.log(`demo: ${result.rows} rows (${result.skipped} skipped) at ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
