// Clean up a dataset folder: remove versions older than N days (the latest, tagged ones and any a
// window has open stay) and the files only they used, and files no version uses at all (left by a
// write that was killed before it committed). The plan is computed first, so the person sees what
// goes and how many bytes come back before anything is deleted. Manifests go first, then files: a
// clean-up stopped half-way leaves only unused files, which the next one finds.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readManifests } from './manifests';
import type { CleanupPlan } from '../../../shared/types';

const DAY = 86_400_000;

export interface PlanInput {
  tableDir: string;
  latest: number;
  tags: Record<string, number>;
  /** Versions a session has open (they stay). */
  inUse: number[];
  olderThanDays: number;
  /** Also remove unused files newer than the cut-off (only safe when nothing else is writing). */
  includeRecentUnfinished: boolean;
  now?: number;
}

export interface PlanDetail extends CleanupPlan {
  manifests: string[];
  files: string[];
}

async function listFiles(dir: string, prefix: string): Promise<Array<{ rel: string; bytes: number; mtimeMs: number }>> {
  const out: Array<{ rel: string; bytes: number; mtimeMs: number }> = [];
  let names: string[] = [];
  try {
    names = await fs.readdir(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const st = await fs.stat(path.join(dir, name)).catch(() => null);
    if (st?.isFile()) out.push({ rel: `${prefix}/${name}`, bytes: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}

export async function planCleanup(input: PlanInput): Promise<PlanDetail> {
  const now = input.now ?? Date.now();
  const cutoff = now - input.olderThanDays * DAY;
  const { manifests, damaged } = await readManifests(input.tableDir);
  const empty: PlanDetail = {
    olderThanDays: input.olderThanDays,
    removeVersions: [],
    keptVersions: manifests.length,
    unfinishedFiles: 0,
    unfinishedBytes: 0,
    removeFiles: 0,
    bytes: 0,
    blocked: null,
    manifests: [],
    files: [],
  };
  if (damaged.length) return { ...empty, blocked: `${damaged.length} manifest${damaged.length === 1 ? ' is' : 's are'} damaged (${damaged.slice(0, 3).join(', ')}); nothing is removed while the history cannot be read in full.` };
  if (manifests.some((m) => m.foreign)) return { ...empty, blocked: 'This dataset uses files kept outside its folder (a shallow clone or imported files); the app removes nothing from it.' };

  const tagged = new Set(Object.values(input.tags).map(Number));
  const inUse = new Set(input.inUse);
  const keep = manifests.filter((m) => m.version === input.latest || tagged.has(m.version) || inUse.has(m.version) || m.timestamp >= cutoff);
  const remove = manifests.filter((m) => !keep.includes(m));
  const usedByKept = new Set(keep.flatMap((m) => m.files));
  const usedByAny = new Set(manifests.flatMap((m) => m.files));

  const onDisk = [...(await listFiles(path.join(input.tableDir, 'data'), 'data')), ...(await listFiles(path.join(input.tableDir, '_deletions'), '_deletions'))];
  const unfinished = onDisk.filter((f) => !usedByAny.has(f.rel));
  const files = [
    ...onDisk.filter((f) => usedByAny.has(f.rel) && !usedByKept.has(f.rel)),
    ...unfinished.filter((f) => input.includeRecentUnfinished || f.mtimeMs < cutoff),
  ];
  return {
    ...empty,
    removeVersions: remove.map((m) => m.version),
    keptVersions: keep.length,
    unfinishedFiles: unfinished.length,
    unfinishedBytes: unfinished.reduce((a, f) => a + f.bytes, 0),
    removeFiles: files.length,
    bytes: files.reduce((a, f) => a + f.bytes, 0) + remove.reduce((a, m) => a + m.bytes, 0),
    manifests: remove.map((m) => m.file),
    files: files.map((f) => path.join(input.tableDir, f.rel)),
  };
}

/** Carry out a plan: manifests first (the versions go), then the files only they used. */
export async function runCleanup(plan: PlanDetail): Promise<{ removedVersions: number; removedFiles: number; bytes: number }> {
  for (const m of plan.manifests) await fs.rm(m, { force: true });
  let removedFiles = 0;
  for (const f of plan.files) {
    await fs.rm(f, { force: true });
    removedFiles++;
  }
  return { removedVersions: plan.manifests.length, removedFiles, bytes: plan.bytes };
}
