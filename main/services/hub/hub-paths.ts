// Paths from a Hub listing become paths on this disk: each one is checked before anything is written,
// so a hostile or broken listing cannot escape the target folder or create odd files.
import path from 'node:path';
import { failure } from '../support/errors';

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._\/-]{0,199}$/;
// Lance writes plain names: hex/uuid file names, "_versions", "_indices", "data", digits, dots, dashes.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._=+-]{0,254}$/;

export function checkRepoId(repo: string): string {
  if (!REPO_ID.test(repo) || repo.includes('..')) throw failure('INVALID_PAYLOAD', `"${repo}" is not a Hub repository id (owner/name, e.g. lance-format/laion-1m).`);
  return repo;
}

export function checkRevision(revision: string): string {
  if (!REVISION.test(revision) || revision.includes('..')) throw failure('INVALID_PAYLOAD', `"${revision}" is not a revision (a branch, tag or commit).`);
  return revision;
}

/** The folder inside the repository, without leading or trailing slashes; "" for the whole repo. */
export function checkRepoFolder(folder: string): string {
  const trimmed = folder.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  for (const seg of trimmed.split('/')) {
    if (!SEGMENT.test(seg) || seg === '.' || seg === '..') throw failure('INVALID_PAYLOAD', `"${folder}" is not a folder path inside the repository.`);
  }
  return trimmed;
}

/**
 * A listed file's path relative to the folder being downloaded, or a failure naming the entry.
 * Refuses: absolute paths, "..", ".", empty segments, backslashes, control or unusual characters, and
 * anything outside the requested folder.
 */
export function relativeListingPath(entryPath: string, folder: string): string {
  const bad = (why: string) => failure('INVALID_PAYLOAD', `The Hub listing has an unsafe path "${entryPath.slice(0, 200)}" (${why}); nothing was written.`);
  if (typeof entryPath !== 'string' || entryPath.length === 0 || entryPath.length > 1024) throw bad('empty or too long');
  if (entryPath.startsWith('/') || /^[A-Za-z]:/.test(entryPath)) throw bad('absolute');
  if (entryPath.includes('\\')) throw bad('backslash');
  const prefix = folder ? `${folder}/` : '';
  if (!entryPath.startsWith(prefix)) throw bad(`outside ${folder}`);
  const rel = entryPath.slice(prefix.length);
  const segments = rel.split('/');
  for (const seg of segments) {
    if (seg === '' || seg === '.' || seg === '..') throw bad('empty, "." or ".." segment');
    if (!SEGMENT.test(seg)) throw bad('unusual characters');
  }
  return segments.join('/');
}

/** Join a checked relative path under a root, and check the result really is inside it. */
export function inside(root: string, rel: string): string {
  const full = path.resolve(root, ...rel.split('/'));
  const base = path.resolve(root);
  if (full !== base && !full.startsWith(base + path.sep)) throw failure('INVALID_PAYLOAD', `"${rel}" would land outside ${root}.`);
  return full;
}

/** Manifests decide what a Lance folder opens as: they are written last, after every other file. */
export function isManifest(rel: string): boolean {
  return rel.startsWith('_versions/') || rel.startsWith('_refs/') || rel === '_latest.manifest';
}
