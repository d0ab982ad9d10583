// npm run demo [-- --rows N] [--out PATH]: build (or rebuild) the demo dataset with progress on stderr.
import { buildDemo } from '../services/demo/build-demo';
import { defaultDemoPath } from '../services/support/paths';

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
    // A terminal gets one updating line; a log (CI) gets a line every 10%.
    if (process.stderr.isTTY ? pct !== lastPct : Math.floor(pct / 10) !== Math.floor(lastPct / 10)) {
      lastPct = pct;
      process.stderr.write(process.stderr.isTTY ? `\r[${String(pct).padStart(3)}%] ${message.padEnd(60)}` : `[${String(pct).padStart(3)}%] ${message}\n`);
    }
  },
});
process.stderr.write('\n');
console.log(`demo: ${result.rows} rows (${result.skipped} skipped) at ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
