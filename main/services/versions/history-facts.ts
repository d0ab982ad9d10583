// What a version changed, told from what it holds rather than from what its writer wrote about it.
// Lance's version metadata (total_rows, total_deletion_file_rows) was left at 0 or wrong by older
// writers: a 2-row table "created with 0 rows", a delete shown as "index or metadata change". The row
// count of a version is counted at that version (checked out on a side handle; versions never
// change, so each is counted once per app run) wherever the metadata is missing or disagrees with the
// fragments its manifest lists, and the operation is inferred from the data and
// deletion files its manifest lists, compared with the version before.
import type { LanceTable } from '../dataset/lance';
import { readManifests, type ManifestFacts } from './manifests';

/** Rows per dataset path and version, counted. */
const counted = new Map<string, number>();
/** How many counts have been made (tests: a history whose metadata is right costs none). */
export const counts = { made: 0 };

/**
 * The rows at `version`. The metadata's figure when the manifest's fragments agree with it (or, with
 * no manifest to read, when it is there at all); otherwise counted at that version, once per run
 * (versions never change). `metadata` is also the answer when counting fails.
 */
export async function rowsAt(datasetPath: string, side: LanceTable, version: number, metadata: number, manifest?: number | null): Promise<number> {
  if (manifest !== undefined && manifest !== null && manifest === metadata) return metadata;
  if (manifest === undefined && metadata > 0) return metadata;
  const key = `${datasetPath}@${version}`;
  const known = counted.get(key);
  if (known !== undefined) return known;
  try {
    await side.checkout(version);
    const n = await side.countRows();
    counts.made++;
    counted.set(key, n);
    return n;
  } catch {
    return metadata;
  }
}

export interface FileFacts {
  data: Set<string>;
  deletions: Set<string>;
  /** What the fragments say they hold (null: a fragment does not say). */
  rows: number | null;
  /** Every file, sorted: two versions with the same key hold the same rows (a restore). */
  key: string;
}

/** The files of each version's manifest, for a local dataset (empty when they cannot be read). */
export async function fileFacts(tableDir: string): Promise<Map<number, FileFacts>> {
  const out = new Map<number, FileFacts>();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(tableDir)) return out; // hf://, s3://…: no manifests on disk
  let manifests: ManifestFacts[];
  try {
    ({ manifests } = await readManifests(tableDir));
  } catch {
    return out;
  }
  for (const m of manifests) {
    if (m.foreign) continue;
    const data = new Set(m.files.filter((f) => f.startsWith('data/')));
    const deletions = new Set(m.files.filter((f) => f.startsWith('_deletions/')));
    out.set(m.version, { data, deletions, rows: m.rows, key: [...m.files].sort().join('\n') });
  }
  return out;
}

const n = (x: number) => x.toLocaleString('en-US');

export interface Step {
  rows: number;
  /** The metadata's count of deleted rows (0 when its writer left none). */
  deleted: number;
  files: FileFacts | undefined;
}

/**
 * In words, what `now` changed from `prev`: columns from the schemas, rows from the counts, the
 * kind of operation from the files (appended, deleted from, rewritten, restored to an earlier
 * version's files). `earlier` maps each earlier version's file key to that version.
 */
export function describeChange(prev: Step | null, now: Step, added: string[], dropped: string[], earlier: Map<string, number>): string {
  if (!prev) return `created with ${n(now.rows)} rows`;
  const parts: string[] = [];
  if (added.length) parts.push(`added column${added.length > 1 ? 's' : ''} ${added.join(', ')}`);
  if (dropped.length) parts.push(`dropped column${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')}`);
  const d = now.rows - prev.rows;
  const a = prev.files;
  const b = now.files;
  if (a && b) {
    if (b.key !== a.key && earlier.has(b.key) && !added.length && !dropped.length) return `restored version ${earlier.get(b.key)}`;
    const newData = [...b.data].filter((f) => !a.data.has(f)).length;
    const goneData = [...a.data].filter((f) => !b.data.has(f)).length;
    const newDeletions = [...b.deletions].filter((f) => !a.deletions.has(f)).length;
    if (b.key === a.key) {
      if (!parts.length) parts.push('index or metadata change');
    } else if (goneData && newData) {
      if (d < 0) parts.push(`${n(d)} rows (deleted)`);
      if (d > 0) parts.push(`+${n(d)} rows`);
      parts.push(added.length || dropped.length ? 'data files rewritten' : 'data files rewritten (compaction)');
    } else if (newDeletions && newData && d === 0) {
      const updated = now.deleted - prev.deleted;
      parts.push(updated > 0 ? `${n(updated)} ${updated === 1 ? 'row' : 'rows'} updated` : 'rows updated');
    } else if (newDeletions && !newData) {
      parts.push(d < 0 ? `${n(d)} rows (deleted)` : 'rows deleted');
    } else if (newData && !goneData) {
      if (d > 0) parts.push(`+${n(d)} rows`);
      else if (d < 0) parts.push(`${n(d)} rows (deleted)`);
      else if (!added.length) parts.push(newDeletions ? 'rows updated' : 'data files added');
    } else if (goneData && !newData) {
      parts.push(d < 0 ? `${n(d)} rows (fragments removed)` : 'data files removed');
    }
    if (!parts.length) parts.push('index or metadata change');
    return parts.join('; ');
  }
  // No manifests to read (a remote dataset): the counts alone.
  if (d > 0) parts.push(`+${n(d)} rows`);
  if (d < 0) parts.push(`${n(d)} rows (deleted)`);
  const updated = now.deleted - prev.deleted;
  if (d === 0 && updated > 0) parts.push(`${n(updated)} ${updated === 1 ? 'row' : 'rows'} updated`);
  if (!parts.length) parts.push('index, metadata or file change');
  return parts.join('; ');
}
