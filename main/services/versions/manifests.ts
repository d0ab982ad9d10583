// What each version of a Lance dataset references, read from its manifest files directly: the
// version, its time, and the data and deletion files of its fragments. The Node binding has no
// "prune only" call (its optimize() also compacts, and refuses when a tagged version is old), so the
// app finds files no kept version needs itself. Only the fields read here are decoded; anything the
// app does not understand (files of another base path) makes it keep everything.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface ManifestFacts {
  file: string;
  bytes: number;
  version: number;
  /** Milliseconds since the epoch; 0 when the manifest has none. */
  timestamp: number;
  /** Paths relative to the dataset folder (data/…, _deletions/…). */
  files: string[];
  /** Files elsewhere (shallow clones, imported files): the app then removes nothing. */
  foreign: boolean;
  /**
   * Rows the fragments say they hold (physical rows minus deleted ones), or null when a fragment
   * does not say (older writers left physical_rows or num_deleted_rows out): then only a count knows.
   */
  rows: number | null;
}

type Field = { no: number; wire: number; int: bigint; bytes: Uint8Array | null };

function readVarint(buf: Uint8Array, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const b = buf[i] as number;
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [result, i + 1];
    shift += 7n;
  }
  throw new Error('a protobuf varint runs past its message');
}

/** The fields of one protobuf message (wire types 0, 1, 2 and 5). */
function* fieldsOf(buf: Uint8Array): Generator<Field> {
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, n] = readVarint(buf, at);
      at = n;
      yield { no, wire, int: v, bytes: null };
    } else if (wire === 2) {
      const [len, n] = readVarint(buf, at);
      const end = n + Number(len);
      if (end > buf.length) throw new Error('a protobuf field runs past its message');
      yield { no, wire, int: 0n, bytes: buf.subarray(n, end) };
      at = end;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`protobuf wire type ${wire} is not one Lance writes`);
  }
}

const utf8 = new TextDecoder();

/** Decode the manifest message itself (the bytes after its u32 length). */
export function decodeManifest(msg: Uint8Array): Omit<ManifestFacts, 'file' | 'bytes'> {
  let version = 0;
  let timestamp = 0;
  let foreign = false;
  const files: string[] = [];
  let rows: number | null = 0;
  for (const f of fieldsOf(msg)) {
    if (f.no === 3 && f.wire === 0) version = Number(f.int);
    else if (f.no === 18) foreign = true; // base_paths: files may live outside this folder
    else if (f.no === 7 && f.bytes) {
      let seconds = 0n;
      let nanos = 0n;
      for (const t of fieldsOf(f.bytes)) {
        if (t.no === 1) seconds = t.int;
        else if (t.no === 2) nanos = t.int;
      }
      timestamp = Number(seconds) * 1000 + Math.floor(Number(nanos) / 1e6);
    } else if (f.no === 2 && f.bytes) {
      let fragmentId = 0n;
      let deletion: Uint8Array | null = null;
      let physical = 0n;
      for (const g of fieldsOf(f.bytes)) {
        if (g.no === 1 && g.wire === 0) fragmentId = g.int;
        else if (g.no === 4 && g.wire === 0) physical = g.int;
        else if (g.no === 2 && g.bytes) {
          for (const h of fieldsOf(g.bytes)) {
            if (h.no === 1 && h.bytes) files.push(`data/${utf8.decode(h.bytes)}`);
            else if (h.no === 7 && h.wire === 0 && h.int !== 0n) foreign = true; // base_id
          }
        } else if (g.no === 3 && g.bytes) deletion = g.bytes;
        else if (g.no === 6) foreign = true; // external row id files: not tracked here, keep all
      }
      if (deletion) {
        let type = 0n;
        let readVersion = 0n;
        let id = 0n;
        let deleted = 0n;
        for (const d of fieldsOf(deletion)) {
          if (d.no === 1) type = d.int;
          else if (d.no === 2) readVersion = d.int;
          else if (d.no === 3) id = d.int;
          else if (d.no === 4 && d.wire === 0) deleted = d.int;
          else if (d.no === 7 && d.wire === 0 && d.int !== 0n) foreign = true;
        }
        files.push(`_deletions/${fragmentId}-${readVersion}-${id}.${type === 1n ? 'bin' : 'arrow'}`);
        // A deletion file that does not say how many rows it deletes: unknown.
        if (rows !== null) rows = deleted > 0n ? rows - Number(deleted) : null;
      }
      if (rows !== null) rows = physical > 0n ? rows + Number(physical) : null;
    }
  }
  return { version, timestamp, files, foreign, rows };
}

/** A manifest file: [… | u32 length | Manifest | … | u64 position | u16 major | u16 minor | "LANC"]. */
export async function readManifest(file: string): Promise<ManifestFacts> {
  const buf = await fs.readFile(file);
  if (buf.length < 16 || buf.subarray(buf.length - 4).toString('latin1') !== 'LANC') throw new Error(`${path.basename(file)} is not a Lance manifest`);
  const pos = Number(buf.readBigUInt64LE(buf.length - 16));
  if (pos + 4 > buf.length) throw new Error(`${path.basename(file)} is damaged`);
  const len = buf.readUInt32LE(pos);
  if (pos + 4 + len > buf.length) throw new Error(`${path.basename(file)} is damaged`);
  return { file, bytes: buf.length, ...decodeManifest(buf.subarray(pos + 4, pos + 4 + len)) };
}

/** Every manifest of a dataset folder; damaged ones are listed apart (their files are kept). */
export async function readManifests(tableDir: string): Promise<{ manifests: ManifestFacts[]; damaged: string[] }> {
  const dir = path.join(tableDir, '_versions');
  const manifests: ManifestFacts[] = [];
  const damaged: string[] = [];
  for (const name of await fs.readdir(dir)) {
    if (!name.endsWith('.manifest')) continue;
    try {
      manifests.push(await readManifest(path.join(dir, name)));
    } catch {
      damaged.push(name);
    }
  }
  return { manifests: manifests.sort((a, b) => a.version - b.version), damaged };
}
