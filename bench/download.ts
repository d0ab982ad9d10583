// npm run bench -- download [--rows N] [--parallel P] [--rounds R]
// Download throughput from a mock Hub on 127.0.0.1 (its own process), through the app's downloader
// (listing, Range, sha256/git-sha1 verification, staging and publish) beside curl fetching the same
// files with the same parallelism, alternating which goes first; then a download killed at 50% and
// resumed, to count what the resume fetched again. Ends with one JSON line.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generate } from './generate';
import { alternate, formatBytes } from './bench-support';
import { hubConfigFromEnv, resolveUrl } from '../main/services/hub/hub-client';
import { bytesOnDisk, readState, runDownload } from '../main/services/hub/downloader';

const run = promisify(execFile);
const REPO = 'lance-format/laion-1m';
const FOLDER = 'data/train.lance';

interface Served {
  endpoint: string;
  commit: string;
  files: { path: string; size: number }[];
  total: number;
}

async function startServer(table: string, extra: string[] = []): Promise<{ child: ChildProcess; info: Served; served(): Promise<number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/mock-hub-server.ts', table, ...extra], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let waiting: ((l: string) => void) | null = null;
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const l of parts) (waiting ? (waiting(l), (waiting = null)) : lines.push(l));
  });
  const next = () => new Promise<string>((r) => (lines.length ? r(lines.shift()!) : (waiting = r)));
  const info = JSON.parse(await next()) as Served;
  return {
    child,
    info,
    served: async () => {
      child.stdin!.write('?\n');
      return (JSON.parse(await next()) as { served: number }).served;
    },
  };
}

export async function downloadBench(flags: Record<string, string | boolean>) {
  const rows = Number(flags.rows ?? 100_000);
  const parallel = Number(flags.parallel ?? 4);
  const rounds = Number(flags.rounds ?? 3);
  const gen = await generate({ rows, index: false });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-bench-dl-'));
  const server = await startServer(gen.path);
  const { info } = server;
  const cfg = hubConfigFromEnv({ HF_ENDPOINT: info.endpoint });
  const appMBps: number[] = [];
  const curlMBps: number[] = [];
  try {
    const curl = async (round: number) => {
      const dir = path.join(work, `curl-${round}`);
      await fs.mkdir(dir, { recursive: true });
      const args = ['-sS', '-f', '-L', '--parallel', '--parallel-max', String(parallel)];
      info.files.forEach((f, i) => args.push('-o', path.join(dir, String(i)), resolveUrl(cfg, REPO, info.commit, f.path)));
      const t = performance.now();
      await run('curl', args, { maxBuffer: 1 << 20 });
      curlMBps.push(info.total / 1048576 / ((performance.now() - t) / 1000));
      await fs.rm(dir, { recursive: true, force: true });
    };
    const app = async (round: number) => {
      const target = path.join(work, `app-${round}.lance`);
      const t = performance.now();
      await runDownload(cfg, { repo: REPO, revision: 'main', folder: FOLDER, target, parallel }, () => {}, new AbortController().signal);
      appMBps.push(info.total / 1048576 / ((performance.now() - t) / 1000));
      await fs.rm(target, { recursive: true, force: true });
    };
    for (let r = 0; r < rounds; r++) {
      await alternate(r, () => app(r), () => curl(r));
      process.stderr.write(`  round ${r + 1}: app ${appMBps[r]!.toFixed(0)} MB/s, curl ${curlMBps[r]!.toFixed(0)} MB/s\n`);
    }
  } finally {
    server.child.kill();
  }

  // Kill at 50% and resume: a throttled server so "50%" is a moment, not a blur.
  const slow = await startServer(gen.path, ['--bytes-per-second', String(Math.ceil(info.total / 20))]);
  const target = path.join(work, 'killed.lance');
  let lastWritten = 0;
  let inFlight = 0;
  let maxChunk = 0;
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/hub-download.ts', REPO, '--target', target, '--parallel', String(parallel), '--json'], {
    env: { ...process.env, HF_ENDPOINT: slow.info.endpoint, LANCE_EXPLORER_HOME: path.join(work, 'home') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const p = JSON.parse(l) as { done: number; inFlight: number; maxChunk: number };
        lastWritten = Math.max(lastWritten, p.done);
        if (p.inFlight >= 0) inFlight = p.inFlight;
        maxChunk = Math.max(maxChunk, p.maxChunk);
        if (p.done >= info.total / 2 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      }
    });
  });
  await new Promise((r) => child.once('close', r));
  const kept = await bytesOnDisk((await readState(target))!);
  slow.child.kill();
  const again = await startServer(gen.path);
  const before = await again.served();
  await runDownload(hubConfigFromEnv({ HF_ENDPOINT: again.info.endpoint }), { repo: REPO, revision: 'main', folder: FOLDER, target, parallel }, () => {}, new AbortController().signal);
  const fetchedByResume = (await again.served()) - before;
  again.child.kill();
  await fs.rm(work, { recursive: true, force: true });

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const r1 = (x: number) => Math.round(x * 10) / 10;
  // What the killed process had received but not written is fetched again: at most lastWritten plus
  // one chunk per transfer in flight, minus what survived on disk.
  const refetchBound = Math.max(0, lastWritten + inFlight * maxChunk - kept);
  const figures = {
    bench: 'download',
    rows,
    files: info.files.length,
    bytes: info.total,
    parallel,
    app_MBps: r1(median(appMBps)),
    curl_MBps: r1(median(curlMBps)),
    ratio: Math.round((median(appMBps) / median(curlMBps)) * 100) / 100,
    killed_at_bytes: lastWritten,
    kept_bytes: kept,
    resume_fetched_bytes: fetchedByResume,
    resume_fetched_exactly_missing: fetchedByResume === info.total - kept,
    in_flight_at_kill: inFlight,
    chunk_bytes: maxChunk,
    refetch_bound_bytes: refetchBound,
    refetch_chunks_per_file_in_flight: inFlight ? r1(refetchBound / (inFlight * Math.max(1, maxChunk))) : 0,
  };
  console.log(`\ndownload benchmark: ${info.files.length} files, ${formatBytes(info.total)}, ${parallel} parallel (${os.cpus().length} cores)`);
  console.table({
    'app downloader (verify + publish)': { 'MB/s (median)': figures.app_MBps, runs: appMBps.map((x) => x.toFixed(0)).join(' ') },
    'curl --parallel': { 'MB/s (median)': figures.curl_MBps, runs: curlMBps.map((x) => x.toFixed(0)).join(' ') },
  });
  console.log(`killed at ${formatBytes(lastWritten)} written; ${formatBytes(kept)} kept on disk; the resume fetched ${formatBytes(fetchedByResume)} (${figures.resume_fetched_exactly_missing ? 'exactly what was missing' : 'MORE than what was missing'}); at most ${formatBytes(refetchBound)} fetched twice (${figures.refetch_chunks_per_file_in_flight} chunk per transfer in flight)`);
  console.log(JSON.stringify(figures));
  return figures;
}
