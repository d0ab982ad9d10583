// Real LanceDB tables in temp folders for the service tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSyntheticTable, type SyntheticOptions } from '../../bench/synthetic-laion';

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
