// Versions and tags of an open dataset: the history (what each version changed, inferred from the
// version's stats and schema), tags (create, move, delete), comparing two versions, and restoring an
// old version as a new one. Opening a version read-only is DatasetService.openDataset(…, { version }).
import { lancedb, type LanceTable } from '../dataset/lance';
import { failure, errorText } from '../support/errors';
import { rowIdArray } from '../dataset/cells';
import { keyIn } from '../views/filter-sql';
import type { DatasetService, OpenDataset } from '../dataset/dataset-service';
import type { VersionDiff, VersionEntry } from '../../../shared/types';
import { firstIdOf, maxFragment } from '../dataset/row-ids';
import { committed } from '../writes/commit';
import { UNSAFE_NAMES } from '../support/names';
import { planCleanup, runCleanup, type PlanDetail } from './cleanup';
import { describeChange, fileFacts, rowsAt, type Step } from './history-facts';
import { isLegacyReadError } from '../dataset/take-rows';
import { isCloudUri } from '../dataset/dataset-locate';
import type { CleanupPlan } from '../../../shared/types';

const TAG = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

export function checkTagName(tag: string): string {
  if (!TAG.test(tag)) throw failure('INVALID_PAYLOAD', `"${tag.slice(0, 80)}" cannot be a tag: start with a letter, then letters, digits, ".", "_" or "-" (64 at most).`);
  // Lance checks tags as git checks refs: no "..", no ending in "." or ".lock".
  if (tag.includes('..') || tag.endsWith('.') || tag.endsWith('.lock')) {
    throw failure('INVALID_PAYLOAD', `"${tag.slice(0, 80)}" cannot be a tag: it may not contain "..", or end with "." or ".lock".`);
  }
  if (UNSAFE_NAMES.has(tag)) throw failure('INVALID_PAYLOAD', `"${tag}" cannot be a tag.`);
  return tag;
}


type Schema = Map<string, string>;

export class VersionService {
  /** Schemas per dataset path and version: a version never changes, so this never goes stale. */
  private readonly schemas = new Map<string, Schema>();

  constructor(private readonly datasets: DatasetService) {}

  /** A second handle on the same table, for reading other versions without moving the session's. */
  private async sideHandle(ds: OpenDataset): Promise<LanceTable> {
    // The history is read from the table's manifests, which LanceDB Cloud does not hand out.
    if (ds.info.location === 'remote') throw failure('UNSUPPORTED', "The history of a LanceDB Cloud or Enterprise table is kept by that service: open its console to see versions and tags. The app shows the table's latest version.");
    const db = ds.connection ? await lancedb.connect(ds.connection.uri, ds.connection.options) : await lancedb.connect(ds.connectDir ?? (ds.info.path.replace(/\/[^/]+\.lance\/?$/, '') || '/'));
    return db.openTable(ds.info.table);
  }

  private async schemaAt(ds: OpenDataset, side: LanceTable, version: number): Promise<Schema> {
    const key = `${ds.info.path}@${version}`;
    let s = this.schemas.get(key);
    if (!s) {
      await side.checkout(version);
      s = new Map((await side.schema()).fields.map((f) => [f.name, String(f.type)]));
      this.schemas.set(key, s);
    }
    return s;
  }

  /**
   * Which columns' values differ between two versions, by key. Lance writes every updated or added
   * row into fragments newer than any the older version has, so only those rows are compared (up to
   * SAMPLE of them): a label written on 3 rows of a million costs a few milliseconds to find.
   */
  private async changedValues(ds: OpenDataset, side: LanceTable, older: number, newer: number): Promise<NonNullable<VersionDiff['changedValues']> | null> {
    const keyCol = ds.info.keyColumn;
    if (!keyCol || older === newer) return null;
    const [so, sn] = [await this.schemaAt(ds, side, older), await this.schemaAt(ds, side, newer)];
    if (!so.has(keyCol) || !sn.has(keyCol)) return null;
    // Images and vectors are not compared value by value (they are rewritten with their row, unchanged).
    const columns = [...sn.keys()].filter((c) => c !== keyCol && so.get(c) === sn.get(c) && !/Binary|FixedSizeList/i.test(sn.get(c)!));
    await side.checkout(older);
    const ids = rowIdArray(await side.query().withRowId().select([]).toArrow());
    const newest = maxFragment(ids);
    await side.checkout(newer);
    const fresh = await side
      .query()
      .where(`_rowid >= ${firstIdOf(newest + 1).toString()}`)
      .select([keyCol, ...columns])
      .limit(SAMPLE + 1)
      .toArrow();
    const sampled = fresh.numRows > SAMPLE;
    const n = Math.min(fresh.numRows, SAMPLE);
    const keyVec = fresh.getChild(keyCol)!;
    const keys = Array.from({ length: n }, (_, i) => String(keyVec.get(i)));
    const before = new Map<string, Record<string, unknown>>();
    await side.checkout(older);
    for (let i = 0; i < keys.length; i += 1000) {
      const old = await side.query().where(keyIn(ds.info, keys.slice(i, i + 1000))).select([keyCol, ...columns]).toArrow();
      for (let r = 0; r < old.numRows; r++) before.set(String(old.getChild(keyCol)!.get(r)), Object.fromEntries(columns.map((c) => [c, old.getChild(c)?.get(r)])));
    }
    const counts = new Map<string, number>();
    let added = 0;
    for (let r = 0; r < n; r++) {
      const prev = before.get(keys[r] as string);
      if (!prev) {
        added++;
        continue;
      }
      for (const c of columns) {
        if (!same(prev[c], fresh.getChild(c)?.get(r))) counts.set(c, (counts.get(c) ?? 0) + 1);
      }
    }
    return { columns: [...counts].map(([name, rows]) => ({ name, rows })), rowsCompared: n - added, sampled };
  }

  async history(datasetId: string): Promise<VersionEntry[]> {
    const ds = this.datasets.get(datasetId);
    const side = await this.sideHandle(ds);
    try {
      const [versions, tags, notes] = await Promise.all([side.listVersions(), side.tags().then((t) => t.list()), this.datasets.notesFor(ds.info.path)]);
      const tagsOf = new Map<number, string[]>();
      for (const [name, contents] of Object.entries(tags)) {
        const v = Number((contents as { version?: number | bigint }).version);
        tagsOf.set(v, [...(tagsOf.get(v) ?? []), name]);
      }
      const latest = Math.max(...versions.map((v) => v.version));
      const out: VersionEntry[] = [];
      const files = await fileFacts(ds.info.path);
      const earlier = new Map<string, number>();
      let prev: (Step & { schema: Schema }) | null = null;
      for (const v of versions.sort((a, b) => a.version - b.version)) {
        const fileFactsAt = files.get(v.version);
        const rows = await rowsAt(ds.info.path, side, v.version, Number(v.metadata.total_rows ?? 0), files.size ? (fileFactsAt?.rows ?? null) : undefined);
        const deleted = Number(v.metadata.total_deletion_file_rows ?? 0);
        const schema = await this.schemaAt(ds, side, v.version);
        const added = prev ? [...schema.keys()].filter((c) => !prev!.schema.has(c)) : [];
        const dropped = prev ? [...prev.schema.keys()].filter((c) => !schema.has(c)) : [];
        const now: Step = { rows, deleted, files: fileFactsAt };
        out.push({
          version: v.version,
          timestamp: v.timestamp.toISOString(),
          rows,
          change: describeChange(prev, now, added, dropped, earlier),
          ...(notes.has(v.version) ? { note: notes.get(v.version) as string } : {}),
          addedColumns: added,
          droppedColumns: dropped,
          tags: (tagsOf.get(v.version) ?? []).sort(),
          latest: v.version === latest,
        });
        if (now.files && !earlier.has(now.files.key)) earlier.set(now.files.key, v.version);
        prev = { ...now, schema };
      }
      return out.reverse();
    } finally {
      side.close();
    }
  }

  async compare(datasetId: string, from: number, to: number): Promise<VersionDiff> {
    const ds = this.datasets.get(datasetId);
    const side = await this.sideHandle(ds);
    try {
      const versions = await side.listVersions();
      const find = (n: number) => versions.find((v) => v.version === n) ?? versionMissing(n);
      const files = await fileFacts(ds.info.path);
      const [a, b] = [find(from), find(to)];
      const [sa, sb] = [await this.schemaAt(ds, side, from), await this.schemaAt(ds, side, to)];
      const diff: VersionDiff = {
        from,
        to,
        rowsFrom: await rowsAt(ds.info.path, side, from, Number(a.metadata.total_rows ?? 0), files.size ? (files.get(from)?.rows ?? null) : undefined),
        rowsTo: await rowsAt(ds.info.path, side, to, Number(b.metadata.total_rows ?? 0), files.size ? (files.get(to)?.rows ?? null) : undefined),
        addedColumns: [...sb.keys()].filter((c) => !sa.has(c)),
        droppedColumns: [...sa.keys()].filter((c) => !sb.has(c)),
        changedTypes: [...sb.keys()].filter((c) => sa.has(c) && sa.get(c) !== sb.get(c)),
      };
      // Old-format files cannot be read by row id: the diff then says what changed without the values.
      const values = await this.changedValues(ds, side, Math.min(from, to), Math.max(from, to)).catch((err: unknown) => {
        if (isLegacyReadError(err)) return null;
        throw err;
      });
      if (values) diff.changedValues = values;
      return diff;
    } finally {
      side.close();
    }
  }

  /** Make an old version the newest one again: a new version with its content; nothing is lost. */
  async restore(datasetId: string, version: number): Promise<{ version: number }> {
    const ds = this.datasets.writable(datasetId);
    try {
      await ds.table.checkout(version);
      await ds.table.restore();
    } catch (err) {
      await ds.table.checkoutLatest().catch(() => {});
      throw failure('NOT_FOUND', `Version ${version} could not be restored: it does not exist or was cleaned up.`, errorText(err));
    }
    await ds.table.checkoutLatest();
    // Rows and schema may differ now: the caller opens the dataset again for a fresh session, so the
    // reply is the version alone.
    this.datasets.rows.lost(datasetId);
    return { version: (await committed(this.datasets, datasetId, `restored version ${version}`)).version };
  }

  /** What Clean up… would remove, before anything is deleted. */
  async cleanupPlan(datasetId: string, olderThanDays: number, includeRecentUnfinished: boolean): Promise<CleanupPlan> {
    const { manifests: _m, files: _f, ...plan } = await this.plan(datasetId, olderThanDays, includeRecentUnfinished);
    return plan;
  }

  /** Remove what the plan the person saw lists; refused when the plan changed since (preview again). */
  async cleanUp(datasetId: string, olderThanDays: number, includeRecentUnfinished: boolean, expectedBytes: number): Promise<{ removedVersions: number; removedFiles: number; bytes: number }> {
    this.datasets.writable(datasetId);
    const plan = await this.plan(datasetId, olderThanDays, includeRecentUnfinished);
    if (plan.blocked) throw failure('UNSUPPORTED', plan.blocked);
    if (plan.bytes !== expectedBytes) throw failure('INVALID_PAYLOAD', 'What Clean up would remove has changed since it was shown (another write?). Look again.');
    let done;
    try {
      done = await runCleanup(plan);
    } catch (err) {
      throw failure('IO', `Clean up stopped: ${errorText(err).split('\n')[0]}. What was removed is gone; the rest is as it was, and every kept version still opens.`, errorText(err));
    }
    await this.datasets.noteChange(datasetId, `cleaned up: ${done.removedVersions} old versions, ${done.removedFiles} files`).catch(() => {});
    return done;
  }

  private async plan(datasetId: string, olderThanDays: number, includeRecentUnfinished: boolean): Promise<PlanDetail> {
    const ds = this.datasets.get(datasetId);
    if (ds.info.path.startsWith('hf://')) throw failure('UNSUPPORTED', 'A dataset read from the Hub cannot be cleaned up from here.');
    if (isCloudUri(ds.info.path)) throw failure('UNSUPPORTED', 'Clean up reads the manifests from disk: a dataset in object storage cannot be cleaned up from here yet.');
    const input = { tableDir: ds.info.path, inUse: this.datasets.openVersions(ds.info.path), olderThanDays, includeRecentUnfinished };
    let side: LanceTable | null = null;
    let latest: number;
    const tagVersions: Record<string, number> = {};
    try {
      side = await this.sideHandle(ds);
      const [versions, tags] = await Promise.all([side.listVersions(), side.tags().then((t) => t.list())]);
      for (const [name, contents] of Object.entries(tags)) tagVersions[name] = Number((contents as { version?: number | bigint }).version);
      latest = Math.max(...versions.map((v) => v.version));
    } catch (err) {
      // A history LanceDB cannot list: the plan says why nothing can go (a damaged manifest), or this fails.
      const plan = await planCleanup({ ...input, latest: ds.info.version, tags: {} });
      if (plan.blocked) return plan;
      throw failure('DATASET_CORRUPT', 'The version history could not be read, so nothing can be cleaned up.', errorText(err));
    } finally {
      side?.close();
    }
    return planCleanup({ ...input, latest, tags: tagVersions });
  }

  async tag(datasetId: string, action: 'create' | 'move' | 'delete', name: string, version?: number): Promise<{ tags: Record<string, number> }> {
    const ds = this.datasets.get(datasetId); // tags do not change data: allowed from a read-only view too
    if (ds.info.location === 'remote') this.datasets.writable(datasetId); // but not through LanceDB Cloud: it says why
    checkTagName(name);
    const tags = await ds.table.tags();
    const existing = await tags.list();
    try {
      if (action === 'create') {
        if (name in existing) throw failure('INVALID_PAYLOAD', `The tag "${name}" already exists (version ${Number(existing[name]!.version)}). Move it instead.`);
        await tags.create(name, version as number);
      } else if (action === 'move') {
        if (!(name in existing)) throw failure('NOT_FOUND', `There is no tag "${name}".`);
        await tags.update(name, version as number);
      } else {
        if (!(name in existing)) throw failure('NOT_FOUND', `There is no tag "${name}".`);
        await tags.delete(name);
      }
    } catch (err) {
      if ((err as { code?: string }).code) throw err;
      throw failure('INVALID_PAYLOAD', `The tag could not be ${action === 'create' ? 'created' : action === 'move' ? 'moved' : 'deleted'}: ${errorText(err).split('\n')[0]}`, errorText(err));
    }
    const after = await tags.list();
    return { tags: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Number((v as { version: number }).version)])) };
  }
}

/** Rows compared at most when looking for changed values. */
const SAMPLE = 5000;

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  return String(a) === String(b) && typeof a === typeof b;
}

/** Throws: the shared `fail` returns a Result instead, so this one has its own name. */
function versionMissing(n: number): never {
  throw failure('NOT_FOUND', `Version ${n} does not exist in this dataset.`);
}
