// Build what the suite needs once and cache it outside git: the renderer, the demo, a 100k table.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BIG, BIG_DIR, BIG_ROWS, DEMO, ROOT } from './paths';

function run(args: string[], what: string) {
  const t = Date.now();
  process.stderr.write(`[e2e setup] ${what}…\n`);
  execFileSync(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: 'inherit' });
  process.stderr.write(`[e2e setup] ${what}: ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
}

export default function globalSetup() {
  if (!existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
    execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  if (!existsSync(path.join(DEMO, '_versions'))) run(['main/cli/build-demo.ts', '--out', DEMO], 'building the demo dataset');
  if (!existsSync(path.join(BIG_DIR, 'ENTRY.json'))) {
    run(['bench/run.ts', 'generate', '--rows', String(BIG_ROWS), '--image-side', '24', '--out', BIG_DIR], 'generating a 100k-row table');
  }
  run(['e2e/support/make-fixtures.ts'], 'making damaged-dataset fixtures');
  if (!existsSync(BIG)) throw new Error(`missing ${BIG}`);
}
