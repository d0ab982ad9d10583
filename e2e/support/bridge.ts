// Start the real web bridge CLI (`npm run serve`) as a child process for one test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO, ROOT } from './paths';

export interface RunningBridge {
  url: string;
  openUrl: string;
  home: string;
  /** The bridge process (its memory is measured by the ui benchmark). */
  pid: number;
  stop(): Promise<void>;
}

export async function startServe(opts: { dataset?: string; demo?: string; env?: Record<string, string> } = {}): Promise<RunningBridge> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-home-'));
  const args = ['--import', 'tsx', 'main/cli/serve.ts', ...(opts.dataset ? [opts.dataset] : [])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LANCE_EXPLORER_HOME: home, LANCE_EXPLORER_DEMO: opts.demo ?? DEMO, PORT: '0', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const openUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  return {
    url: new URL(openUrl).origin,
    openUrl,
    home,
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      rmSync(home, { recursive: true, force: true });
    },
  };
}
