// What a figure depends on besides the code: the machine, its load, and how much of the table is in
// the page cache. Recorded with every suite, so a figure can be read against the state it came from.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const LOAD_WARNING = 1.5;

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memory_gib: number;
  kernel: string;
  os: string;
  node: string;
  lancedb: string;
  commit: string;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The commit the code came from; "+ changes" when tracked files differ from it (the report itself aside). */
export async function commitId(): Promise<string> {
  try {
    const head = (await run('git', ['rev-parse', '--short=10', 'HEAD'], { cwd: ROOT })).stdout.trim();
    const dirty = (await run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT })).stdout
      .split('\n')
      .filter((l) => l.trim() && !l.endsWith('docs/BENCHMARKS.md'));
    return dirty.length ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export async function machine(): Promise<Machine> {
  const cpus = os.cpus();
  let osName = os.version();
  try {
    osName = /PRETTY_NAME="([^"]+)"/.exec(await fs.readFile('/etc/os-release', 'utf8'))?.[1] ?? osName;
  } catch {
    // not Linux
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    os: osName,
    node: process.versions.node,
    lancedb: packageVersion('@lancedb/lancedb'),
    commit: await commitId(),
  };
}

export const loadNow = (): number => Math.round((os.loadavg()[0] ?? 0) * 100) / 100;

/** Samples the 1-minute load average every second until stopped. */
export function sampleLoad(): { stop(): { max: number; mean: number } } {
  const samples = [loadNow()];
  const timer = setInterval(() => samples.push(loadNow()), 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(loadNow());
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      return { max: Math.max(...samples), mean: Math.round(mean * 100) / 100 };
    },
  };
}

/** Every file under `dir`, at any depth. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Share (0-100) of the table's bytes that are in the page cache, from util-linux `fincore`; null where
 * it is missing. A warm table reads from memory, a cold one from disk: the same code gives different
 * figures, so the state is recorded beside them.
 */
export async function pageCachePercent(tablePath: string): Promise<number | null> {
  try {
    const list = await filesUnder(tablePath);
    let res = 0;
    let size = 0;
    for (let i = 0; i < list.length; i += 200) {
      const { stdout } = await run('fincore', ['--bytes', '--noheadings', '--raw', '--output', 'RES,SIZE', ...list.slice(i, i + 200)], { maxBuffer: 16 << 20 });
      for (const line of stdout.split('\n')) {
        const [r, s] = line.trim().split(/\s+/).map(Number);
        if (Number.isFinite(r) && Number.isFinite(s)) {
          res += r as number;
          size += s as number;
        }
      }
    }
    // fincore counts whole pages, so a file's last page can make the sum a little over its size.
    return size ? Math.min(100, Math.round((res / size) * 1000) / 10) : 0;
  } catch {
    return null;
  }
}
