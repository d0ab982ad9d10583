// npm run bench -- download [--rows N] [--parallel P] [--rounds R] [--link-rounds L] [--link-mbps M] [--link-rtt-ms D]
// Download throughput from a mock Hub (its own process) through the app's downloader (listing, Range,
// sha256/git-sha1 verification, staging and publish) beside curl fetching the same files with the same
// parallelism, alternating which goes first: over loopback, and through a slow link (M MB/s shared,
// D ms added round trip; slow-link.ts) as a download from the Hub sees one. Then a download killed at
// 50% and resumed, to count what the resume fetched again.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generate } from './generate';
import { alternate } from './bench-support';
import { num, type SuiteContext } from './suite';
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

/** MB/s of the app's downloader and of curl over the same server, `rounds` times, alternating. */
async function throughput(table: string, work: string, parallel: number, rounds: number, extra: string[]): Promise<{ app: number[]; curl: number[] }> {
  const server = await startServer(table, extra);
  const { info } = server;
  const cfg = hubConfigFromEnv({ HF_ENDPOINT: info.endpoint });
  const app: number[] = [];
  const curl: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      await alternate(r, async () => {
        const target = path.join(work, `app-${r}.lance`);
        const t = performance.now();
        await runDownload(cfg, { repo: REPO, revision: 'main', folder: FOLDER, target, parallel }, () => {}, new AbortController().signal);
        app.push(info.total / 1048576 / ((performance.now() - t) / 1000));
        await fs.rm(target, { recursive: true, force: true });
      }, async () => {
        const dir = path.join(work, `curl-${r}`);
        await fs.mkdir(dir, { recursive: true });
        const args = ['-sS', '-f', '-L', '--parallel', '--parallel-max', String(parallel)];
        info.files.forEach((f, i) => args.push('-o', path.join(dir, String(i)), resolveUrl(cfg, REPO, info.commit, f.path)));
        const t = performance.now();
        await run('curl', args, { maxBuffer: 1 << 20 });
        curl.push(info.total / 1048576 / ((performance.now() - t) / 1000));
        await fs.rm(dir, { recursive: true, force: true });
      });
      process.stderr.write(`  ${extra.length ? 'link' : 'loopback'} round ${r + 1}: app ${app[r]!.toFixed(0)} MB/s, curl ${curl[r]!.toFixed(0)} MB/s\n`);
    }
  } finally {
    server.child.kill();
  }
  return { app, curl };
}

export async function downloadBench({ flags, figures, measure }: SuiteContext) {
  const rows = num(flags, 'rows', 100_000);
  const parallel = num(flags, 'parallel', 4);
  const rounds = num(flags, 'rounds', 5);
  const linkRounds = num(flags, 'link-rounds', 3);
  const linkMBps = num(flags, 'link-mbps', 100);
  const linkRtt = num(flags, 'link-rtt-ms', 20);
  const table = await generate({ rows });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-bench-dl-'));
  try {
    await measure(table);
    const loop = await throughput(table.path, work, parallel, rounds, []);
    const link = await throughput(table.path, work, parallel, linkRounds, ['--link-mbps', String(linkMBps), '--link-rtt-ms', String(linkRtt)]);
    const resume = await killAndResume(table.path, work, parallel);
    figures
      .set('rows', rows)
      .set('files', resume.files)
      .set('bytes', resume.total)
      .set('parallel', parallel)
      .set('link', `${linkMBps} MB/s, +${linkRtt} ms round trip`)
      .pair('download', 'MBps', `download over loopback, ${parallel} transfers (app vs curl)`, loop.app, loop.curl, { rawLabel: 'curl', higherIsBetter: true })
      .pair('link_download', 'MBps', `download through a ${linkMBps} MB/s link, +${linkRtt} ms RTT (app vs curl)`, link.app, link.curl, { rawLabel: 'curl', higherIsBetter: true })
      .single('link_utilisation', 'pct', `share of the link the app used`, link.app.map((x) => (x / linkMBps) * 100), { higherIsBetter: true });
    for (const [k, v] of Object.entries(resume.figures)) figures.set(k, v);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** Kill at 50% and resume: a throttled server so "50%" is a moment, not a blur. */
async function killAndResume(table: string, work: string, parallel: number) {
  const probe = await startServer(table);
  const total = probe.info.total;
  const files = probe.info.files.length;
  probe.child.kill();
  const slow = await startServer(table, ['--bytes-per-second', String(Math.ceil(total / 20))]);
  const target = path.join(work, 'killed.lance');
  let lastWritten = 0;
  let inFlight = 0;
  let maxChunk = 0;
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/hub-download.ts', REPO, '--target', target, '--parallel', String(parallel), '--json'], {
    env: { ...process.env, HF_ENDPOINT: slow.info.endpoint, LANCE_EXPLORER_HOME: path.join(work, 'home') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.once('close', () => reject(new Error('the download finished before it could be killed at 50%')));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const p = JSON.parse(l) as { done: number; inFlight: number; maxChunk: number };
        lastWritten = Math.max(lastWritten, p.done);
        if (p.inFlight >= 0) inFlight = p.inFlight;
        maxChunk = Math.max(maxChunk, p.maxChunk);
        if (p.done >= total / 2 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      }
    });
  });
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('close', r)));
  const kept = await bytesOnDisk((await readState(target))!);
  slow.child.kill();
  const again = await startServer(table);
  const before = await again.served();
  await runDownload(hubConfigFromEnv({ HF_ENDPOINT: again.info.endpoint }), { repo: REPO, revision: 'main', folder: FOLDER, target, parallel }, () => {}, new AbortController().signal);
  const fetchedByResume = (await again.served()) - before;
  again.child.kill();
  // What the killed process had received but not written is fetched again: at most lastWritten plus
  // one chunk per transfer in flight, minus what survived on disk.
  const refetchBound = Math.max(0, lastWritten + inFlight * maxChunk - kept);
  return {
    total,
    files,
    figures: {
      killed_at_bytes: lastWritten,
      kept_bytes: kept,
      resume_fetched_bytes: fetchedByResume,
      resume_fetched_exactly_missing: fetchedByResume === total - kept,
      refetch_bound_bytes: refetchBound,
      refetch_chunks_per_transfer: inFlight ? Math.round((refetchBound / (inFlight * Math.max(1, maxChunk))) * 10) / 10 : 0,
    },
  };
}
