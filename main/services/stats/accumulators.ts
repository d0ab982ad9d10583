// What each column contributes to the statistics, read batch by batch from one scan: numbers as
// they are, texts by a hash of their bytes (counted without decoding each one), lengths of lists
// and binaries from their offsets, vectors by their norms. Each keeps every row's value (or code), so
// the finish can bin them and a view's counts can be read off the codes later.
import { Growable } from './growable';
import { HashIds } from '../support/byte-hash';
import { histogram, NULL_CODE, OTHER_CODE } from './histogram';
import type { StatsFacet } from '../../../shared/types';

/** The part of an Arrow Data chunk the readers use (apache-arrow's Data, structurally). */
interface Chunk {
  length: number;
  offset: number;
  nullCount: number;
  nullBitmap?: Uint8Array | null;
  values?: ArrayLike<number | bigint> & { BYTES_PER_ELEMENT?: number };
  valueOffsets?: Int32Array | BigInt64Array;
  children?: Chunk[];
  type: { typeId: number; precision?: number; listSize?: number };
}
export interface ColumnVector {
  data: Chunk[];
  get(i: number): unknown;
  length: number;
}

/** Arrow's type ids (apache-arrow's Type enum) for the fast paths; anything else goes through get(). */
const INT = 2;
const FLOAT = 3;
const UTF8 = 5;
const BINARY = 4;
const LARGE_UTF8 = 20;
const LARGE_BINARY = 19;
const FIXED_SIZE_LIST = 16;
const LIST = 12;
const LARGE_LIST = 21;
const HALF = 0;

const valid = (d: Chunk, i: number) => {
  if (!d.nullCount || !d.nullBitmap) return true;
  const j = d.offset + i;
  return ((d.nullBitmap[j >> 3] as number) >> (j & 7)) & 1;
};

export interface Finished {
  facet: StatsFacet;
  codes: Uint8Array;
}

export interface Accumulator {
  readonly column: string;
  add(vec: ColumnVector): void;
  finish(): Finished[];
}

/** A number per row (NaN: none), for columns of numbers and for measures (lengths, norms). */
export class NumberReader {
  readonly values: Growable<Float64Array>;
  constructor(hint: number) {
    this.values = new Growable(Float64Array, hint);
  }

  add(vec: ColumnVector, measure: 'value' | 'length' | 'norm'): void {
    const out = this.values.reserve(vec.length);
    let k = this.values.length;
    let at = 0; // the chunk's first row within vec
    for (const d of vec.data) {
      const t = d.type.typeId;
      if (measure === 'value' && (t === INT || (t === FLOAT && d.type.precision !== HALF)) && d.values) {
        k = numbersInto(out, k, d);
      } else if (measure === 'length' && d.valueOffsets && (t === UTF8 || t === BINARY || t === LARGE_UTF8 || t === LARGE_BINARY || t === LIST || t === LARGE_LIST)) {
        const o = d.valueOffsets;
        const bytes = d.values as Uint8Array | undefined;
        const chars = (t === UTF8 || t === LARGE_UTF8) && bytes;
        for (let i = 0; i < d.length; i++) {
          if (!valid(d, i)) {
            out[k++] = NaN;
            continue;
          }
          const s = Number(o[i]);
          const e = Number(o[i + 1]);
          if (!chars) {
            out[k++] = e - s;
            continue;
          }
          // Characters, not bytes: every byte that does not continue a UTF-8 sequence starts one.
          let n = 0;
          for (let j = s; j < e; j++) if (((bytes[j] as number) & 0xc0) !== 0x80) n++;
          out[k++] = n;
        }
      } else if (measure === 'norm' && t === FIXED_SIZE_LIST && d.offset === 0 && d.children?.[0]?.values && d.children[0].offset === 0) {
        const v = d.children[0].values;
        const dim = d.type.listSize ?? 0;
        k = v instanceof Float32Array ? normsF32(out, k, d, v, dim) : normsAny(out, k, d, v as ArrayLike<number>, dim);
      } else {
        // Dates, decimals, half floats, dictionaries, sliced lists: the general (slower) getter.
        for (let i = 0; i < d.length; i++) out[k++] = measureOf(vec.get(at + i) as unknown, measure);
      }
      at += d.length;
    }
    this.values.length = k;
  }
}

// One loop per array type: a loop that sees several typed-array kinds runs several times slower.
function numbersInto(out: Float64Array, k: number, d: Chunk): number {
  const v = d.values;
  const n = d.length;
  const nulls = d.nullCount > 0;
  if (v instanceof BigInt64Array) for (let i = 0; i < n; i++) out[k++] = !nulls || valid(d, i) ? Number(v[i] as bigint) : NaN;
  else if (v instanceof Float64Array) for (let i = 0; i < n; i++) out[k++] = !nulls || valid(d, i) ? (v[i] as number) : NaN;
  else if (v instanceof Float32Array) for (let i = 0; i < n; i++) out[k++] = !nulls || valid(d, i) ? (v[i] as number) : NaN;
  else if (v instanceof Int32Array) for (let i = 0; i < n; i++) out[k++] = !nulls || valid(d, i) ? (v[i] as number) : NaN;
  else {
    const a = v as ArrayLike<number | bigint>;
    for (let i = 0; i < n; i++) out[k++] = !nulls || valid(d, i) ? Number(a[i]) : NaN;
  }
  return k;
}

function normsF32(out: Float64Array, k: number, d: Chunk, v: Float32Array, dim: number): number {
  for (let i = 0; i < d.length; i++) {
    if (d.nullCount && !valid(d, i)) {
      out[k++] = NaN;
      continue;
    }
    let s0 = 0;
    let s1 = 0;
    let j = i * dim;
    const e = j + dim;
    for (; j + 1 < e; j += 2) {
      const a = v[j] as number;
      const b = v[j + 1] as number;
      s0 += a * a;
      s1 += b * b;
    }
    if (j < e) s0 += (v[j] as number) * (v[j] as number);
    out[k++] = Math.sqrt(s0 + s1);
  }
  return k;
}

function normsAny(out: Float64Array, k: number, d: Chunk, v: ArrayLike<number>, dim: number): number {
  for (let i = 0; i < d.length; i++) {
    if (!valid(d, i)) {
      out[k++] = NaN;
      continue;
    }
    let s = 0;
    for (let j = i * dim, e = j + dim; j < e; j++) s += Number(v[j]) * Number(v[j]);
    out[k++] = Math.sqrt(s);
  }
  return k;
}

function measureOf(v: unknown, measure: 'value' | 'length' | 'norm'): number {
  if (v === null || v === undefined) return NaN;
  if (measure === 'value') return v instanceof Date ? v.getTime() : typeof v === 'object' && 'valueOf' in v ? Number((v as { valueOf(): unknown }).valueOf()) : Number(v);
  if (measure === 'length') return typeof v === 'string' ? [...v].length : ((v as { length?: number }).length ?? NaN);
  const xs = (v as { toArray?: () => ArrayLike<number> }).toArray?.() ?? (v as ArrayLike<number>);
  let s = 0;
  for (let j = 0; j < xs.length; j++) s += Number(xs[j]) ** 2;
  return Math.sqrt(s);
}

/** A histogram facet of a column's numbers or of a measure of its values. */
export class HistogramAccumulator implements Accumulator {
  readonly reader: NumberReader;
  constructor(
    readonly column: string,
    private readonly measure: 'value' | 'length' | 'norm',
    private readonly describe: Pick<StatsFacet, 'id' | 'label' | 'filter'> & { integer: boolean },
    hint: number,
  ) {
    this.reader = new NumberReader(hint);
  }
  add(vec: ColumnVector): void {
    this.reader.add(vec, this.measure);
  }
  finish(): Finished[] {
    const { facet, codes } = histogram(this.reader.values.values(), this.describe.integer);
    return [{ facet: { ...facet, id: this.describe.id, column: this.column, label: this.describe.label, filter: this.describe.filter }, codes }];
  }
}

/** Values listed in full below this many distinct values (NSFW, LICENSE, status, label columns). */
export const MAX_LISTED = 50;
/** Top values shown for other texts. */
export const TOP = 20;
/** Texts are decoded when first seen while there are few distinct ones, then only when seen twice. */
const DECODE_EARLY = 5000;
const decoder = new TextDecoder();

/**
 * Texts and booleans: every value's count, by a 64-bit hash of its bytes (two FNV-1a variants), and
 * each row's value code. A text column also gets a length histogram when it is not listed in full
 * (lengths in characters, counted in the same pass over the bytes).
 */
export class ValuesAccumulator implements Accumulator {
  private readonly hashed = new HashIds();
  /** Values that are not UTF-8 in Arrow (booleans, dictionaries), by their text. */
  private readonly byText = new Map<string | boolean, number>();
  private readonly counts = new Growable(Uint32Array, 1024);
  private readonly exemplars: Array<string | number | boolean | undefined> = [];
  /** Row codes: 0 no value, else the value's id + 1. */
  private readonly rowCodes: Growable<Uint32Array>;
  private readonly lengths: Growable<Float64Array> | null;

  constructor(
    readonly column: string,
    private readonly isText: boolean,
    hint: number,
  ) {
    this.rowCodes = new Growable(Uint32Array, hint);
    this.lengths = isText ? new Growable(Float64Array, hint) : null;
  }

  private get distinct(): number {
    return this.counts.length;
  }

  /** Count one more of value `id` (new: -1 - id from HashIds); returns the id. */
  private count(id: number): number {
    if (id < 0) {
      id = -1 - id;
      this.counts.push(1);
      this.exemplars.push(undefined);
      return id;
    }
    this.counts.increment(id);
    return id;
  }

  /** Whether value `id`'s text is wanted now: its first sight while few are known, else its second. */
  private wants(id: number, isNew: boolean): boolean {
    return isNew ? id < DECODE_EARLY : this.exemplars[id] === undefined;
  }

  add(vec: ColumnVector): void {
    const out = this.rowCodes.reserve(vec.length);
    const lens = this.lengths?.reserve(vec.length);
    let k = this.rowCodes.length;
    let at = 0;
    for (const d of vec.data) {
      const t = d.type.typeId;
      const bytes = d.values as Uint8Array | undefined;
      const o = d.valueOffsets;
      if ((t === UTF8 || t === LARGE_UTF8) && bytes && o) {
        const large = t === LARGE_UTF8;
        for (let i = 0; i < d.length; i++) {
          if (!valid(d, i)) {
            if (lens) lens[k] = NaN;
            out[k++] = 0;
            continue;
          }
          const s = large ? Number(o[i]) : (o[i] as number);
          const e = large ? Number(o[i + 1]) : (o[i + 1] as number);
          let h1 = 0x811c9dc5;
          let h2 = 0x01000193 ^ (e - s);
          let chars = 0;
          for (let j = s; j < e; j++) {
            const b = bytes[j] as number;
            h1 = Math.imul(h1 ^ b, 16777619);
            h2 = Math.imul(h2 ^ b, 0x5bd1e995);
            h2 ^= h2 >>> 15;
            // Characters, not bytes: every byte that does not continue a UTF-8 sequence starts one.
            if ((b & 0xc0) !== 0x80) chars++;
          }
          const found = this.hashed.idOf(h1 | 0, h2 | 0);
          const id = this.count(found);
          if (this.wants(id, found < 0)) this.exemplars[id] = decoder.decode(bytes.subarray(s, e));
          if (lens) lens[k] = chars;
          out[k++] = id + 1;
        }
      } else {
        for (let i = 0; i < d.length; i++) {
          const v = vec.get(at + i) as unknown;
          if (v === null || v === undefined) {
            if (lens) lens[k] = NaN;
            out[k++] = 0;
            continue;
          }
          const key = typeof v === 'boolean' ? v : String(v);
          const known = this.byText.get(key);
          if (known === undefined) this.byText.set(key, this.distinct);
          const id = this.count(known ?? -1 - this.distinct);
          if (this.wants(id, known === undefined)) this.exemplars[id] = key;
          if (lens) lens[k] = typeof key === 'string' ? [...key].length : NaN;
          out[k++] = id + 1;
        }
      }
      at += d.length;
    }
    this.rowCodes.length = k;
    if (this.lengths) this.lengths.length = k;
  }

  finish(): Finished[] {
    const rowCodes = this.rowCodes.values();
    const counts = this.counts.values();
    const rows = rowCodes.length;
    const distinct = this.distinct;
    let nulls = 0;
    for (let i = 0; i < rows; i++) if (rowCodes[i] === 0) nulls++;
    const listed = distinct <= MAX_LISTED && this.exemplars.every((e) => e !== undefined && (typeof e !== 'string' || e.length <= 200));
    // Ids by count, most frequent first (ties by value, so the order does not depend on the scan).
    let chosen: number[] = [];
    if (listed) chosen = Array.from({ length: distinct }, (_, i) => i);
    else for (let i = 0; i < distinct; i++) if ((counts[i] as number) >= 2 && this.exemplars[i] !== undefined) chosen.push(i);
    chosen.sort((a, b) => (counts[b] as number) - (counts[a] as number) || String(this.exemplars[a]).localeCompare(String(this.exemplars[b])));
    if (!listed) chosen = chosen.slice(0, TOP);
    const rank = new Uint8Array(distinct).fill(OTHER_CODE);
    chosen.forEach((id, r) => (rank[id] = r));
    const codes = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const c = rowCodes[i] as number;
      codes[i] = c === 0 ? NULL_CODE : (rank[c - 1] as number);
    }
    const shown = chosen.map((i) => counts[i] as number);
    const facet: StatsFacet = {
      id: `${this.column}:values`,
      column: this.column,
      label: listed ? 'every value' : `top values (of ${distinct.toLocaleString('en-US')} distinct)`,
      type: listed ? 'values' : 'top',
      rows,
      nulls,
      values: chosen.map((i) => this.exemplars[i] as string | number | boolean),
      counts: shown,
      distinct,
      filter: { by: 'column' },
    };
    if (!listed) facet.other = rows - nulls - shown.reduce((a, b) => a + b, 0);
    const out: Finished[] = [{ facet, codes }];
    if (this.lengths && this.isText && !listed) {
      const h = histogram(this.lengths.values(), true);
      out.push({ facet: { ...h.facet, id: `${this.column}:length`, column: this.column, label: 'length in characters', filter: { by: 'sql', expression: `char_length(${quoteIdent(this.column)})` } }, codes: h.codes });
    }
    return out;
  }
}

/** As the filters quote names (a name with a backtick is unreadable and has no statistics). */
export function quoteIdent(name: string): string {
  return `\`${name}\``;
}
