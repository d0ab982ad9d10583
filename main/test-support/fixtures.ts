// Real LanceDB tables in temp folders for the service tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSyntheticTable, type SyntheticOptions } from '../../bench/synthetic-laion';
import type { AppEvents } from '../services/jobs';
import type { JobFinished } from '../../shared/types';

export function tempDir(prefix = 'lx-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A LAION-schema table at `<dir>/<name>.lance`; returns its path. */
export async function laionTable(dir: string, name: string, rows: number, opts: Partial<SyntheticOptions> = {}): Promise<string> {
  const table = await writeSyntheticTable(dir, name, { rows, imageSide: 16, clusters: 8, batchRows: 500, ...opts });
  table.close();
  return path.join(dir, `${name}.lance`);
}

/** Resolves with a job's outcome; subscribe before the job can finish (start it after calling this, or right after starting). */
export function jobFinished(events: AppEvents, jobId: string): Promise<JobFinished> {
  return new Promise((resolve) => {
    const off = events.on('job:finished', (f) => {
      if (f.jobId === jobId) {
        off();
        resolve(f);
      }
    });
  });
}
