// The Hugging Face cache, as huggingface_hub lays it out, so a model fetched by other Hub tools is
// found and reused, and one fetched here is theirs too:
//
//   $HF_HUB_CACHE (or $HF_HOME/hub, or ~/.cache/huggingface/hub)/
//     models--<owner>--<name>/refs/<revision>          the commit the revision pointed at
//     models--<owner>--<name>/snapshots/<commit>/<file> the files at that commit
//
// huggingface_hub links snapshot files to blobs/<hash>; it also writes real files where links are
// not available, and readers (ours, transformers, huggingface_hub) read snapshots either way. The
// app's downloader writes real files.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return path.resolve(env.HF_HUB_CACHE);
  const home = env.HF_HOME ? path.resolve(env.HF_HOME) : path.join(env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache'), 'huggingface');
  return path.join(home, 'hub');
}

export const repoFolder = (repo: string) => `models--${repo.split('/').join('--')}`;

export function snapshotDir(cache: string, repo: string, commit: string): string {
  return path.join(cache, repoFolder(repo), 'snapshots', commit);
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** Whether every file is in the folder (links followed: a dangling one does not count). */
export async function hasFiles(dir: string, files: string[]): Promise<boolean> {
  for (const f of files) if (!(await exists(path.join(dir, ...f.split('/'))))) return false;
  return true;
}

/**
 * A snapshot of the repository holding every file asked for: the one `refs/<revision>` points at
 * first, then any other (newest first), or null.
 */
export async function findSnapshot(cache: string, repo: string, files: string[], revision = 'main'): Promise<{ dir: string; commit: string } | null> {
  const root = path.join(cache, repoFolder(repo));
  const ref = await fs.readFile(path.join(root, 'refs', ...revision.split('/')), 'utf8').then(
    (s) => s.trim(),
    () => null,
  );
  const candidates: string[] = [];
  if (ref && /^[0-9a-f]{40}$/.test(ref)) candidates.push(ref);
  const listed = await fs.readdir(path.join(root, 'snapshots'), { withFileTypes: true }).catch(() => []);
  const others = await Promise.all(
    listed
      .filter((e) => e.isDirectory() && /^[0-9a-f]{40}$/.test(e.name) && e.name !== ref)
      .map(async (e) => ({ name: e.name, t: (await fs.stat(path.join(root, 'snapshots', e.name))).mtimeMs })),
  );
  candidates.push(...others.sort((a, b) => b.t - a.t).map((o) => o.name));
  for (const commit of candidates) {
    const dir = path.join(root, 'snapshots', commit);
    if (await hasFiles(dir, files)) return { dir, commit };
  }
  return null;
}

/** Record what a revision pointed at, as huggingface_hub does after a download. */
export async function writeRef(cache: string, repo: string, revision: string, commit: string): Promise<void> {
  const file = path.join(cache, repoFolder(repo), 'refs', ...revision.split('/'));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(`${file}.tmp`, commit);
  await fs.rename(`${file}.tmp`, file);
}

/** The repository a folder inside the cache belongs to ("models--a--b/snapshots/…" → "a/b"), or null. */
export function repoOfCachePath(dir: string): string | null {
  const parts = path.resolve(dir).split(path.sep);
  const i = parts.lastIndexOf('snapshots');
  const m = i > 0 ? /^models--([^-].*?)--(.+)$/.exec(parts[i - 1] ?? '') : null;
  return m ? `${m[1]}/${m[2]}` : null;
}
