// A dataset whose newest manifest is truncated or unreadable: LanceDB refuses to open it at all, even
// though every older version is intact. Lance picks the newest manifest by listing `_versions/`, so
// the app builds a read-only stand-in: a temporary folder of symbolic links to the dataset's files
// with the damaged manifests left out, and opens that. Nothing in the dataset is touched.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lancedb, type LanceTable } from './lance';
import { errorText } from '../support/errors';

export interface Recovered {
  table: LanceTable;
  /** The version the stand-in opens at (the newest readable one, or the one asked for). */
  version: number;
  /** What is damaged, in a sentence for the banner. */
  damaged: string;
  /** The stand-in database folder (other handles connect here, not to the damaged dataset). */
  dir: string;
  /** Remove the stand-in folder (the dataset itself is untouched). */
  dispose(): Promise<void>;
}

interface Manifest {
  file: string;
  version: number;
  bytes: number;
}

/** Lance names manifests "<version>.manifest" (V1) or "<u64::MAX - version>.manifest" (V2, so they list newest first). */
function versionOf(file: string): number | null {
  const m = /^(\d{1,20})\.manifest$/.exec(file);
  if (!m) return null;
  const n = BigInt(m[1] as string);
  return Number(n >= 2n ** 63n ? 2n ** 64n - 1n - n : n);
}

const MAX_TRIES = 20;

export async function openNewestReadable(tableDir: string, tableName: string, at: { version?: number; tag?: string } | undefined, openError: unknown): Promise<Recovered | null> {
  const versionsDir = path.join(tableDir, '_versions');
  let entries: string[];
  try {
    entries = await fs.readdir(versionsDir);
  } catch {
    return null; // no version folder at all: nothing to fall back to
  }
  const manifests: Manifest[] = [];
  for (const file of entries) {
    const version = versionOf(file);
    if (version === null) continue;
    const st = await fs.stat(path.join(versionsDir, file)).catch(() => null);
    if (st?.isFile()) manifests.push({ file, version, bytes: st.size });
  }
  manifests.sort((a, b) => b.version - a.version);
  if (manifests.length < 2) return null;

  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-recovered-'));
  const dispose = () => fs.rm(root, { recursive: true, force: true }).catch(() => {});
  try {
    const mirror = path.join(root, `${tableName}.lance`);
    await fs.mkdir(path.join(mirror, '_versions'), { recursive: true });
    for (const entry of await fs.readdir(tableDir)) {
      if (entry !== '_versions') await fs.symlink(path.join(tableDir, entry), path.join(mirror, entry));
    }
    for (const m of manifests) await fs.symlink(path.join(versionsDir, m.file), path.join(mirror, '_versions', m.file));

    const skipped: Array<Manifest & { why: string }> = [];
    let lastError = firstWords(errorText(openError));
    for (let i = 0; i < Math.min(manifests.length - 1, MAX_TRIES); i++) {
      // Leave out the newest remaining manifest and try again.
      const bad = manifests[i] as Manifest;
      skipped.push({ ...bad, why: lastError });
      await fs.rm(path.join(mirror, '_versions', bad.file));
      let table: LanceTable | null = null;
      try {
        table = await (await lancedb.connect(root)).openTable(tableName);
        if (at?.tag !== undefined || at?.version !== undefined) await table.checkout((at.tag ?? at.version) as string | number);
        await table.query().limit(1).toArrow(); // readable, not only openable
        const version = await table.version();
        const names = skipped.map((s) => `version ${s.version} (${s.bytes.toLocaleString('en-US')} bytes)`).join(', ');
        return {
          table,
          version,
          damaged: `The manifest of ${names} cannot be read${skipped[0]?.why ? ` (${skipped[0].why})` : ''}. Showing version ${version}, read-only; older versions open as usual.`,
          dir: root,
          dispose,
        };
      } catch (err) {
        table?.close();
        lastError = firstWords(errorText(err));
      }
    }
    await dispose();
    return null;
  } catch {
    await dispose();
    return null;
  }
}

/** "file size is too small" out of LanceDB's "lance error: LanceError(IO): file size is too small, /usr/…". */
export function firstWords(text: string): string {
  const m = /LanceError\(\w+\):\s*([^,]+)/.exec(text);
  return (m?.[1] ?? text.split('\n')[0] ?? '').trim().slice(0, 120);
}
