// Which column holds a dataset's images, found by looking at values rather than assumed from a type:
// a binary column is an image column when its first values are JPEG, PNG, GIF or WebP bytes (three
// text blobs are not images), and a string column is one when its values are paths or URIs of image
// files ("images/0001.jpg", "file:///…", "s3://…", "https://…"). Where the values do not settle it
// (two image columns, no caption-like name), the app asks the person and remembers the answer.
import { sniffImage } from './image-sniff';
import type { ArrowTable, LanceTable } from './lance';
import type { ColumnInfo, ImageCandidate } from '../../../shared/types';

/** Values looked at per column. */
const SAMPLE = 24;
/** Columns of each kind looked at (a table of hundreds of blobs is not read whole at open). */
const MAX_COLUMNS = 12;

const URI = /^(https?|file|s3|s3a|gs|gcs|az|abfss?):\/\//i;
const IMAGE_FILE = /\.(jpe?g|png|gif|webp|bmp|tiff?|avif)(?:[?#].*)?$/i;
const IMAGE_NAME = /^(image|img|jpeg|jpg|png|bytes|picture|photo|thumbnail|thumb)s?$/i;
const PATH_NAME = /(image|img|photo|picture|thumb|file|path|uri|url)/i;
const CAPTION_NAMES = ['caption', 'text', 'title', 'description', 'prompt', 'alt', 'label', 'name'];

/** The scheme of an image reference: http, file, s3 (also gs/az), or path (relative or absolute). */
export function referenceScheme(value: string): 'http' | 'file' | 'cloud' | 'path' | null {
  const v = value.trim();
  const m = URI.exec(v);
  if (m) {
    const s = (m[1] as string).toLowerCase();
    return s.startsWith('http') ? 'http' : s === 'file' ? 'file' : 'cloud';
  }
  if (v.length > 0 && v.length < 4096 && !/[\n\r\0]/.test(v) && IMAGE_FILE.test(v)) return 'path';
  return null;
}

const lookedAt = (columns: ColumnInfo[]) => ({
  binaries: columns.filter((c) => c.kind === 'binary' && !c.unreadable).slice(0, MAX_COLUMNS),
  strings: columns.filter((c) => c.kind === 'string' && !c.unreadable).slice(0, MAX_COLUMNS * 2),
});

/**
 * The first rows of every column looked at, with their row ids, in one read: an unfiltered limit is a
 * plain range (a request or two in object storage, where a filtered scan took ten times as long).
 * The same rows are the first screen, so their images can go straight into the image cache. Null
 * when they cannot be read together (each column is then read on its own).
 */
export async function readHead(table: LanceTable, columns: ColumnInfo[]): Promise<ArrowTable | null> {
  const { binaries, strings } = lookedAt(columns);
  if (!binaries.length && !strings.length) return null;
  try {
    return await table.query().withRowId().select([...binaries, ...strings].map((c) => c.name)).limit(SAMPLE * 2).toArrow();
  } catch {
    return null;
  }
}

export async function findImageCandidates(table: LanceTable, columns: ColumnInfo[], given?: ArrowTable | null): Promise<ImageCandidate[]> {
  const { binaries, strings } = lookedAt(columns);
  if (!binaries.length && !strings.length) return [];
  // A binary column with no value in the first rows is looked for further, with a filter.
  const head = given === undefined ? await readHead(table, columns) : given;
  const out: ImageCandidate[] = [];
  for (const c of binaries) {
    try {
      let vec = head?.getChild(c.name) ?? null;
      let n = head?.numRows ?? 0;
      if (!head || !hasValue(vec, n)) {
        const t = await table.query().where(`\`${c.name.replace(/`/g, '``')}\` IS NOT NULL`).select([c.name]).limit(SAMPLE).toArrow();
        vec = t.getChild(c.name);
        n = t.numRows;
      }
      let images = 0;
      let sampled = 0;
      const formats = new Set<string>();
      for (let i = 0; i < n && sampled < SAMPLE; i++) {
        const v = vec?.get(i) as Uint8Array | null;
        if (!v) continue;
        sampled++;
        const mime = sniffImage(v);
        if (mime) (images++, formats.add(mime.slice(6)));
      }
      out.push({ column: c.name, kind: 'bytes', images, sampled, formats: [...formats] });
    } catch {
      out.push({ column: c.name, kind: 'bytes', images: 0, sampled: 0, formats: [] });
    }
  }
  if (strings.length) {
    try {
      const t = head ?? (await table.query().select(strings.map((c) => c.name)).limit(SAMPLE * 2).toArrow());
      for (const c of strings) {
        const vec = t.getChild(c.name);
        let sampled = 0;
        let images = 0;
        const schemes = new Set<string>();
        for (let i = 0; i < t.numRows && sampled < SAMPLE; i++) {
          const v = vec?.get(i) as string | null;
          if (v === null || v === undefined || v === '') continue;
          sampled++;
          const s = referenceScheme(v);
          // A URI with no image extension counts only in a column named like one (…/photo?id=3).
          if (s && (IMAGE_FILE.test(v) || PATH_NAME.test(c.name))) (images++, schemes.add(s));
        }
        if (images > 0 && images * 2 >= sampled) out.push({ column: c.name, kind: 'reference', images, sampled, formats: [...schemes] });
      }
    } catch {
      // strings that cannot be read are not offered as images
    }
  }
  return out;
}

/** Whether any of the first n values is there. */
function hasValue(vec: { get(i: number): unknown } | null, n: number): boolean {
  for (let i = 0; i < n; i++) if (vec?.get(i) != null) return true;
  return false;
}

/** Mostly images among the values looked at. */
export const holdsImages = (c: ImageCandidate) => c.sampled > 0 && c.images * 2 >= c.sampled;

/**
 * The image column to show without asking, and whether to ask: inline bytes before references, a
 * column named like an image before others; two or more equally likely ones are asked about.
 */
export function pickImage(cands: ImageCandidate[]): { column: string | null; kind?: 'bytes' | 'reference'; ask: boolean } {
  for (const kind of ['bytes', 'reference'] as const) {
    const likely = cands.filter((c) => c.kind === kind && holdsImages(c));
    if (!likely.length) continue;
    const named = likely.filter((c) => IMAGE_NAME.test(c.column));
    const pick = named[0] ?? likely[0]!;
    return { column: pick.column, kind, ask: named.length !== 1 && likely.length > 1 };
  }
  return { column: null, ask: false };
}

/** The tile's caption: a column named like one; otherwise ask (when there are strings to choose from). */
export function pickCaption(columns: ColumnInfo[], imageColumn: string | null): { column: string | null; ask: boolean } {
  const strings = columns.filter((c) => c.kind === 'string' && !c.unreadable && c.name !== imageColumn);
  for (const n of CAPTION_NAMES) {
    const hit = strings.find((c) => c.name.toLowerCase() === n);
    if (hit) return { column: hit.name, ask: false };
  }
  return { column: null, ask: strings.length > 0 };
}
