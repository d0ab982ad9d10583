// Where the Lance tables are, from a path a person typed or picked.
// A ".lance" directory is one table; a LanceDB database folder holds several "<name>.lance" tables.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { failure } from '../support/errors';
import type { InspectResult } from '../../../shared/types';

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** A Lance table directory has a `_versions` folder with at least one manifest. */
export async function isLanceTableDir(dir: string): Promise<boolean> {
  try {
    const entries = await fs.readdir(path.join(dir, '_versions'));
    return entries.some((e) => e.endsWith('.manifest'));
  } catch {
    return false;
  }
}

export async function inspectPath(input: string): Promise<InspectResult> {
  const p = path.resolve(input);
  let st;
  try {
    st = await fs.stat(p);
  } catch {
    throw failure('NOT_FOUND', `Nothing exists at ${p}.`);
  }
  if (!st.isDirectory()) {
    throw failure('NOT_A_DATASET', `${p} is a file. Choose a folder: a ".lance" dataset or a LanceDB database folder.`);
  }
  if (await isLanceTableDir(p)) {
    return { path: p, kind: 'table', tables: [tableNameOf(p)] };
  }
  let entries: string[];
  try {
    entries = await fs.readdir(p);
  } catch (err) {
    throw failure('IO', `The folder ${p} cannot be read.`, String(err));
  }
  const tables: string[] = [];
  for (const e of entries.sort()) {
    if (e.endsWith('.lance') && (await isDir(path.join(p, e))) && (await isLanceTableDir(path.join(p, e)))) {
      tables.push(e.slice(0, -'.lance'.length));
    }
  }
  return { path: p, kind: tables.length ? 'database' : 'none', tables };
}

function tableNameOf(dir: string): string {
  const base = path.basename(dir);
  return base.endsWith('.lance') ? base.slice(0, -'.lance'.length) : base;
}

/** The (database folder, table name) pair LanceDB needs to open what `inspectPath` found. */
export function connectionTarget(found: InspectResult, table?: string): { dbDir: string; table: string } {
  if (found.kind === 'none') {
    throw failure(
      'NOT_A_DATASET',
      `${found.path} is not a Lance dataset: it has no "_versions" folder and no "<name>.lance" tables inside.`,
    );
  }
  if (found.kind === 'table') {
    // LanceDB opens "<db>/<name>.lance" as table <name> of database <db>; a table folder without the
    // suffix cannot be addressed that way, so say so rather than open the wrong thing.
    if (!found.path.endsWith('.lance')) {
      throw failure('NOT_A_DATASET', `${found.path} looks like a Lance table, but its folder name must end in ".lance" to open it.`);
    }
    return { dbDir: path.dirname(found.path), table: found.tables[0] as string };
  }
  const chosen = table ?? (found.tables.length === 1 ? found.tables[0] : undefined);
  if (!chosen) {
    throw failure('NOT_A_DATASET', `${found.path} holds ${found.tables.length} tables (${found.tables.join(', ')}): choose one.`);
  }
  if (!found.tables.includes(chosen)) {
    throw failure('NOT_FOUND', `There is no table "${chosen}" in ${found.path}.`);
  }
  return { dbDir: found.path, table: chosen };
}

// ---- object storage: s3://, gs://, az:// ----

export const CLOUD_URI = /^(s3|s3a|gs|az|abfss?):\/\/[^/\s]+/i;
export const isCloudUri = (p: string) => CLOUD_URI.test(p);

/**
 * Where a dataset in object storage is, as LanceDB connects to it: "<scheme>://<bucket>/<path>/<name>.lance"
 * is table <name> of database "<scheme>://<bucket>/<path>"; anything else is a database whose tables
 * are listed (by the caller, which has the credentials).
 */
export function cloudLocation(uri: string): { dbUri: string; table: string | null } {
  const clean = uri.replace(/\/+$/, '');
  if (!CLOUD_URI.test(clean) || /\s/.test(clean) || clean.split('/').some((seg) => seg === '..')) {
    throw failure('INVALID_PAYLOAD', `${uri.slice(0, 200)} is not an object storage address: use s3://bucket/path/name.lance (or gs://, az://).`);
  }
  const m = /^(.*)\/([^/]+)\.lance$/.exec(clean);
  if (m && CLOUD_URI.test(m[1] as string)) return { dbUri: m[1] as string, table: m[2] as string };
  return { dbUri: clean, table: null };
}

// ---- LanceDB Cloud and Enterprise: db:// ----

export const REMOTE_URI = /^db:\/\/[a-z0-9][a-z0-9_-]*(?:\/[A-Za-z0-9_.-]+)?\/?$/i;
export const isRemoteUri = (p: string) => /^db:\/\//i.test(p);
/** Object storage or LanceDB Cloud: reached over a network, with credentials. */
export const isFarUri = (p: string) => isCloudUri(p) || isRemoteUri(p);

/** "db://name" is a database whose tables are listed; "db://name/table" is one of its tables. */
export function remoteLocation(uri: string): { dbUri: string; table: string | null } {
  const clean = uri.trim().replace(/\/+$/, '');
  if (!REMOTE_URI.test(clean) || clean.includes('..')) {
    throw failure('INVALID_PAYLOAD', `${uri.slice(0, 200)} is not a LanceDB Cloud address: use db://<database> or db://<database>/<table>.`);
  }
  const [, db, table] = /^(db:\/\/[^/]+)(?:\/(.+))?$/i.exec(clean) as RegExpExecArray;
  return { dbUri: db as string, table: table ? table.replace(/\.lance$/, '') : null };
}

/**
 * A dataset named on the command line: an address (s3://, gs://, az://, db://, hf://) as given, a
 * folder made absolute. (Resolving "s3://b/x" as a path made it "/cwd/s3:/b/x".)
 */
export function commandLineLocation(arg: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(arg) ? arg : path.resolve(arg);
}
