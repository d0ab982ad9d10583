// Labels are never lost: two windows at once, the app and a script at once, a writer killed mid-write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createAppServices, type AppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { lancedb } from '../dataset/lance';
import { laionTable, tempDir } from '../../test-support/fixtures';
import type { DatasetInfo, RowPage } from '../../../shared/types';

const tmp = tempDir('lx-labels-safety-');
const ROOT = path.resolve(__dirname, '../../..');
const KEY0 = 100_000_000; // the synthetic table's first key
let p: string;
const windows: AppServices[] = [];

beforeAll(async () => {
  p = await laionTable(tmp.dir, 'train', 2000, { batchRows: 500, imageSide: 16 });
  const w = window();
  const info = await open(w);
  expect(await w.dispatch('evolve:add-label-column', { id: info.id, name: 'quality', type: 'category', categories: ['good', 'bad', 'A', 'B', 'S'] })).toMatchObject({ ok: true });
}, 60_000);
afterAll(() => {
  for (const w of windows) w.dispose();
  tmp.cleanup();
});

/** One app window: its own services and session, like a second Lance Explorer window or process. */
function window() {
  const services = createAppServices({ dataDir: path.join(tmp.dir, `home-${windows.length}`), demoPath: path.join(tmp.dir, 'none.lance'), platform: { carrier: 'web' } });
  windows.push(services);
  return Object.assign(services, { dispatch: createDispatch(services) });
}
async function open(w: ReturnType<typeof window>): Promise<DatasetInfo> {
  const r = await w.dispatch('dataset:open', { path: p });
  if (!r.ok) throw new Error(r.error.message);
  return r.value as DatasetInfo;
}

/** key -> quality, read fresh from disk; fails on a duplicated key. */
async function labelsOnDisk(): Promise<Map<number, string | null>> {
  const table = await (await lancedb.connect(tmp.dir)).openTable('train');
  const rows = await table.query().select(['key', 'quality']).toArray();
  table.close();
  const out = new Map<number, string | null>();
  for (const r of rows) {
    const k = Number(r.key);
    if (out.has(k)) throw new Error(`key ${k} appears twice`);
    out.set(k, r.quality ?? null);
  }
  return out;
}

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'main/test-support/label-writer.ts', p, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Label what a window shows, as the grid does: read the tile, send its position and row id. A refusal
 * ("the rows moved") is followed by looking again, as a person would. Records key -> the value of the
 * write that committed last (by version): a row labelled twice keeps the later label.
 */
type Intended = Map<number, { value: string; version: number }>;
async function labelLoop(w: ReturnType<typeof window>, id: string, value: string, positions: number[], intended: Intended) {
  for (const position of positions) {
    for (let attempt = 0; ; attempt++) {
      const row = ((await w.dispatch('rows:page', { id, offset: position, limit: 1 })) as { value: RowPage }).value.rows[0]!;
      const r = await w.dispatch('labels:set', { id, viewId: null, column: 'quality', value, positions: [position], rowIds: [row.rowId] });
      if (r.ok) {
        const key = Number(row.values.key);
        const version = (r.value as { version: number }).version;
        if ((intended.get(key)?.version ?? 0) < version) intended.set(key, { value, version });
        break;
      }
      expect(r.error.message).toMatch(/rows moved since they were shown/);
      expect(attempt).toBeLessThan(5);
    }
  }
}

describe('two writers at once', () => {
  it('two windows labelling rows of the same fragments at the same time lose nothing', async () => {
    const a = window();
    const b = window();
    const [ia, ib] = [await open(a), await open(b)];
    const intended: Intended = new Map();
    await Promise.all([
      labelLoop(a, ia.id, 'A', Array.from({ length: 20 }, (_, i) => 2 * i), intended),
      labelLoop(b, ib.id, 'B', Array.from({ length: 20 }, (_, i) => 2 * i + 1), intended),
    ]);
    expect(intended.size).toBeGreaterThan(30);
    const disk = await labelsOnDisk();
    expect(disk.size).toBe(2000);
    for (const [k, v] of intended) expect([k, disk.get(k)]).toEqual([k, v.value]);
  }, 60_000);

  it('a window that has not seen another window\'s writes still labels the rows it shows (last write wins)', async () => {
    const a = window();
    const b = window();
    const [ia, ib] = [await open(a), await open(b)];
    const shown = ((await a.dispatch('rows:page', { id: ia.id, offset: 100, limit: 3 })) as { value: RowPage }).value.rows.map((r) => Number(r.values.key));
    // B labels positions 100 and 101 first: those rows move to new row ids that A has never seen.
    expect(await b.dispatch('labels:set', { id: ib.id, viewId: null, column: 'quality', value: 'bad', positions: [100, 101] })).toMatchObject({ ok: true });
    // A, still at the old version, labels 100-102: all three get A's label, and A is told to refresh its views.
    expect(await a.dispatch('labels:set', { id: ia.id, viewId: null, column: 'quality', value: 'good', positions: [100, 101, 102] })).toMatchObject({ ok: true, value: { updated: 3, reopenView: true } });
    const disk = await labelsOnDisk();
    expect(shown.map((k) => disk.get(k))).toEqual(['good', 'good', 'good']);
    expect(disk.size).toBe(2000);
  }, 60_000);

  it('the app and a script writing at the same time both keep every label', async () => {
    const w = window();
    const info = await open(w);
    // The script labels keys 1500-1539 (positions 1500-1539 of the table as first written) one by one.
    const child = run(['script', String(KEY0 + 1500), String(KEY0 + 1540), 'S']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    const intended: Intended = new Map();
    await labelLoop(w, info.id, 'good', Array.from({ length: 30 }, (_, i) => 200 + i), intended);
    expect(await exited, stderr).toBe(0);
    const disk = await labelsOnDisk();
    expect(intended.size).toBe(30);
    for (const [k, v] of intended) expect([k, disk.get(k)]).toEqual([k, v.value]);
    for (let k = KEY0 + 1500; k < KEY0 + 1540; k++) expect([k, disk.get(k)]).toEqual([k, 'S']);
    expect(disk.size).toBe(2000);
  }, 90_000);
});

describe('a writer killed in the middle of a write', () => {
  // Small label writes, a rewrite of every row, and new columns: each killed at a different moment.
  const rounds: Array<{ mode: string; args: string[]; what: string }> = [
    { mode: 'app', args: ['bad'], what: 'labelling rows one by one' },
    { mode: 'whole', args: ['good'], what: 'labelling the whole table' },
    { mode: 'derived', args: [], what: 'adding derived columns' },
    { mode: 'app', args: ['good'], what: 'labelling rows one by one, killed sooner' },
  ];
  for (const [round, { mode, args, what }] of rounds.entries()) {
    it(`leaves the dataset opening at its last good version while ${what}`, async () => {
      const child = run([mode, ...args]);
      const confirmedKeys: number[] = [];
      let confirmed = -1;
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          for (const m of d.toString().matchAll(/wrote (\d+) (\S+)/g)) {
            confirmed = Number(m[1]);
            if (/^\d+$/.test(m[2]!)) confirmedKeys.push(Number(m[2]));
          }
          if (confirmed >= 1 + (round % 2)) {
            // Mid-way through the next write, at a different moment each round.
            setTimeout(() => child.kill('SIGKILL'), 2 + 9 * round);
            resolve();
          }
        });
        child.on('close', (code) => code !== null && reject(new Error(`the writer stopped by itself (${code}): ${stderr}`)));
      });
      await new Promise((r) => child.once('close', r));
      const w = window();
      const info = await open(w);
      expect(info.rowCount).toBe(2000);
      const disk = await labelsOnDisk(); // throws on a duplicated row
      expect(disk.size).toBe(2000);
      if (mode === 'app') expect(confirmedKeys.map((k) => disk.get(k))).toEqual(confirmedKeys.map(() => args[0]));
      if (mode === 'whole') expect(new Set(disk.values())).toEqual(new Set([args[0]]));
      if (mode === 'derived') expect(info.columns.filter((c) => c.name.startsWith('area_')).length).toBeGreaterThanOrEqual(confirmed + 1);
      const page = ((await w.dispatch('rows:page', { id: info.id, offset: 0, limit: 1000 })) as { value: RowPage }).value.rows;
      expect(page).toHaveLength(1000);
      expect(page.every((r) => typeof r.values.caption === 'string')).toBe(true);
      // The app can keep writing after the crash.
      expect(await w.dispatch('labels:set', { id: info.id, viewId: null, column: 'quality', value: 'S', positions: [1999] })).toMatchObject({ ok: true });
    }, 60_000);
  }
});
