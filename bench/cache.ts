// Cached benchmark tables. Each entry is a folder named for what it holds, with an ENTRY.json that
// records the state it was left in (rows, version, indices, bytes). Before a suite reads an entry, the
// table is checked against that record; one that no longer matches (written to since, damaged, or
// made by an older recipe under the same name) is rebuilt, and the run says why.
//
// Entries are never written by a suite: a suite that writes works on a hard-linked copy (`workCopy`),
// and an entry with more indices is built on a hard-linked copy of the pristine one. Lance never
// changes a file once written (new versions add files, and object_store replaces by rename), so a
// copy costs no disk and shares the page cache with the entry it came from.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { lancedb } from '../main/services/dataset/lance';
import { benchCacheDir, dirSize } from './bench-support';

const TABLE = 'laion';
const RECORD = 'ENTRY.json';

export interface EntryRecord {
  name: string;
  rows: number;
  version: number;
  indices: string[];
  bytes: number;
  /** Seconds it took to build this entry (on top of the entry it was copied from). */
  seconds: number;
  created: string;
}

export interface CacheEntry {
  dir: string;
  /** The table folder, `<dir>/laion.lance`. */
  path: string;
  record: EntryRecord;
  reused: boolean;
}

export interface TableState {
  rows: number;
  version: number;
  indices: string[];
  bytes: number;
}

export async function tableState(tablePath: string): Promise<TableState> {
  const db = await lancedb.connect(path.dirname(tablePath));
  const table = await db.openTable(path.basename(tablePath, '.lance'));
  try {
    const indices = (await table.listIndices()).map((i) => `${i.columns.join('+')}:${i.indexType}`).sort();
    return { rows: await table.countRows(), version: await table.version(), indices, bytes: await dirSize(tablePath) };
  } finally {
    table.close();
  }
}

/** Why an entry cannot be used as it is, or null when it matches its record and its name. */
export async function entryProblem(dir: string, expect: { name: string; rows: number }): Promise<string | null> {
  let record: EntryRecord;
  try {
    record = JSON.parse(await fs.readFile(path.join(dir, RECORD), 'utf8')) as EntryRecord;
  } catch {
    try {
      await fs.access(dir);
      return 'it has no ENTRY.json (an unfinished build, or made by an older version of the benchmarks)';
    } catch {
      return 'not built yet';
    }
  }
  if (record.name !== expect.name || record.rows !== expect.rows) return `its record names ${record.name} with ${record.rows} rows`;
  let state: TableState;
  try {
    state = await tableState(path.join(dir, `${TABLE}.lance`));
  } catch (e) {
    return `the table does not open (${(e as Error).message.split('\n')[0]})`;
  }
  if (state.rows !== record.rows) return `it holds ${state.rows} rows, not ${record.rows}`;
  if (state.version !== record.version) return `it is at version ${state.version}, recorded at ${record.version} (written to since it was cached)`;
  if (state.indices.join() !== record.indices.join()) return `its indices are [${state.indices.join(', ')}], recorded [${record.indices.join(', ')}]`;
  if (state.bytes !== record.bytes) return `its files hold ${state.bytes} bytes, recorded ${record.bytes}`;
  return null;
}

/**
 * The entry `name` under the cache (or at `dir`), built by `build` into `<dir>/laion.lance` when it is
 * missing or does not match its record. `build` returns nothing; the record is taken from the result.
 */
export async function ensureEntry(
  name: string,
  rows: number,
  build: (tablePath: string) => Promise<void>,
  opts: { dir?: string; force?: boolean; log?: (s: string) => void } = {},
): Promise<CacheEntry> {
  const dir = opts.dir ?? path.join(benchCacheDir(), name);
  const tablePath = path.join(dir, `${TABLE}.lance`);
  const log = opts.log ?? ((s: string) => process.stderr.write(s));
  const problem = opts.force ? 'a rebuild was asked for (--force)' : await entryProblem(dir, { name, rows });
  if (!problem) {
    const record = JSON.parse(await fs.readFile(path.join(dir, RECORD), 'utf8')) as EntryRecord;
    return { dir, path: tablePath, record, reused: true };
  }
  if (problem !== 'not built yet') log(`cache: ${name}: ${problem}; rebuilding it\n`);
  else log(`cache: building ${name}\n`);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const t = performance.now();
  await build(tablePath);
  const state = await tableState(tablePath);
  const record: EntryRecord = { name, ...state, seconds: (performance.now() - t) / 1000, created: new Date().toISOString() };
  if (state.rows !== rows) throw new Error(`building ${name} gave ${state.rows} rows, not ${rows}`);
  await fs.writeFile(path.join(dir, RECORD), `${JSON.stringify(record, null, 2)}\n`);
  return { dir, path: tablePath, record, reused: false };
}

import { linkCopy } from '../main/services/support/link-copy';
export { linkCopy };

const WORK_PREFIX = 'work-';

/**
 * A writable copy of an entry's table for one suite: `<cache>/work-<label>-<pid>-<n>/laion.lance`.
 * Copies left by a run that was killed (its process is gone) are removed first.
 */
export async function workCopy(entry: CacheEntry, label: string): Promise<{ path: string; dispose(): Promise<void> }> {
  const root = path.dirname(entry.dir);
  await removeStaleWork(root);
  const dir = await fs.mkdtemp(path.join(root, `${WORK_PREFIX}${label}-${process.pid}-`));
  const tablePath = path.join(dir, `${TABLE}.lance`);
  await linkCopy(entry.path, tablePath);
  return { path: tablePath, dispose: () => fs.rm(dir, { recursive: true, force: true }) };
}

async function removeStaleWork(root: string): Promise<void> {
  for (const name of await fs.readdir(root).catch(() => [] as string[])) {
    const m = new RegExp(`^${WORK_PREFIX}.+-(\\d+)-[^-]+$`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (!alive) await fs.rm(path.join(root, name), { recursive: true, force: true });
  }
}

/** Every folder in the cache with its size and whether it is a valid entry, for `bench -- cache`. */
export async function listCache(): Promise<Array<{ name: string; bytes: number; problem: string | null }>> {
  const root = benchCacheDir();
  const out: Array<{ name: string; bytes: number; problem: string | null }> = [];
  for (const e of await fs.readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory()) continue;
    const dir = path.join(root, e.name);
    let record: EntryRecord | null = null;
    try {
      record = JSON.parse(await fs.readFile(path.join(dir, RECORD), 'utf8')) as EntryRecord;
    } catch {
      record = null;
    }
    const problem = record ? await entryProblem(dir, { name: e.name, rows: record.rows }) : 'not an entry of these benchmarks (no ENTRY.json)';
    out.push({ name: e.name, bytes: await dirSize(dir), problem });
  }
  return out;
}
