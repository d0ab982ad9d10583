// Arrow values -> JSON-safe cells, and Arrow fields -> column descriptions.
// Column names are whatever the dataset says; nothing here assumes the LAION column set.
import { arrow, type ArrowField, type ArrowTable } from './lance';
import type { Cell, ColumnInfo, ColumnKind, EmbeddingMeta, LabelSpec } from '../../../shared/types';

const { DataType } = arrow;

export function columnKind(type: import('apache-arrow').DataType): { kind: ColumnKind; dim?: number } {
  if (DataType.isInt(type)) return { kind: 'int' };
  if (DataType.isFloat(type) || DataType.isDecimal(type)) return { kind: 'float' };
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isDictionary(type)) return { kind: 'string' };
  if (DataType.isBool(type)) return { kind: 'bool' };
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) return { kind: 'binary' };
  if (DataType.isFixedSizeList(type)) {
    const child = type.children[0]?.type;
    if (child && (DataType.isFloat(child) || DataType.isInt(child))) return { kind: 'vector', dim: type.listSize };
    return { kind: 'list' };
  }
  if (DataType.isList(type)) return { kind: 'list' };
  if (DataType.isStruct(type)) return { kind: 'struct' };
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return { kind: 'timestamp' };
  return { kind: 'other' };
}

export function describeField(field: ArrowField): ColumnInfo {
  const { kind, dim } = columnKind(field.type);
  const info: ColumnInfo = { name: field.name, type: String(field.type), kind, nullable: field.nullable };
  if (dim !== undefined) info.dim = dim;
  // Lance resolves a projected name as a field path, and a backtick in it breaks every read that
  // includes the column (even `select *`); renaming it works (evolve's fieldPath quotes it).
  if (field.name.includes('`')) info.unreadable = 'Lance cannot read a column whose name contains a backtick: rename it (Columns…) to see its values.';
  const label = field.metadata?.get(LABEL_METADATA_KEY);
  if (label) {
    try {
      const spec = JSON.parse(label) as LabelSpec;
      if (spec && typeof spec.type === 'string') info.label = spec;
    } catch {
      // someone else's metadata under our key: not a label column then
    }
  }
  const embedding = field.metadata?.get(EMBEDDING_METADATA_KEY);
  if (embedding && info.kind === 'vector') {
    try {
      const e = JSON.parse(embedding) as EmbeddingMeta;
      if (e && typeof e.space === 'string' && e.space.length <= 200) {
        info.embedding = { space: e.space };
        if (typeof e.model === 'string') info.embedding.model = e.model.slice(0, 200);
        if (typeof e.revision === 'string') info.embedding.revision = e.revision.slice(0, 100);
        if (e.tower === 'image' || e.tower === 'text') info.embedding.tower = e.tower;
      }
    } catch {
      // not ours
    }
  }
  return info;
}

/** Where a vector column's model is recorded (see EmbeddingMeta). */
export const EMBEDDING_METADATA_KEY = 'lancedb:tag:lance-explorer-embedding';

/** Where a label column's type and categories live: the field's own metadata (LanceDB's tag convention). */
export const LABEL_METADATA_KEY = 'lancedb:tag:lance-explorer-label';

const VECTOR_HEAD = 8;

/** Convert one Arrow value of the given column kind to a JSON-safe cell. */
export function toCell(value: unknown, kind: ColumnKind): Cell {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'int':
      return intCell(value);
    case 'float': {
      const n = Number(value);
      return Number.isFinite(n) ? n : String(n); // NaN/Infinity are not JSON
    }
    case 'string':
      return String(value);
    case 'bool':
      return Boolean(value);
    case 'binary':
      return { $binary: { bytes: (value as Uint8Array).byteLength ?? 0 } };
    case 'vector': {
      const arr = Array.from(value as Iterable<number>, Number);
      let sq = 0;
      for (const x of arr) sq += x * x;
      return { $vector: { dim: arr.length, head: arr.slice(0, VECTOR_HEAD).map(round6), norm: round6(Math.sqrt(sq)) } };
    }
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : typeof value === 'number' ? new Date(value).toISOString() : String(value);
    case 'list':
      return Array.from(value as Iterable<unknown>, (v) => genericCell(v));
    case 'struct':
    case 'other':
      return genericCell(value);
  }
}

function intCell(value: unknown): Cell {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  return Number(value);
}

function genericCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return intCell(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return { $binary: { bytes: value.byteLength } };
  if (value instanceof Date) return value.toISOString();
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return genericCell((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<unknown>, genericCell);
  if (typeof value === 'object') {
    const out: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = genericCell(v);
    return out;
  }
  return String(value);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * A decimal as Arrow JS hands it out (little-endian 32-bit words of a two's-complement integer) with
 * its scale applied: a number while its digits fit a double exactly, else the exact text.
 */
export function decimalCell(words: Uint32Array, scale: number): Cell {
  let v = 0n;
  for (let w = words.length - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[w] as number);
  if (words.length && ((words[words.length - 1] as number) & 0x80000000) !== 0) v -= 1n << BigInt(words.length * 32);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let digits = abs.toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  } else if (scale < 0) digits += '0'.repeat(-scale);
  const text = `${neg ? '-' : ''}${digits}`;
  return abs <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(text) : text;
}

/** Rows of an Arrow table as cell records, column by column (faster than row proxies). */
export function tableToCells(table: ArrowTable, columns: ColumnInfo[]): Record<string, Cell>[] {
  // Keyed by column names, which come from the dataset: without a prototype, a column named
  // __proto__ is a value like any other instead of a prototype change (JSON and IPC keep it).
  const rows: Record<string, Cell>[] = Array.from({ length: table.numRows }, () => Object.create(null) as Record<string, Cell>);
  for (const col of columns) {
    const vec = table.getChild(col.name);
    if (!vec) continue;
    if (DataType.isDecimal(vec.type)) {
      const scale = (vec.type as import('apache-arrow').Decimal).scale;
      for (let i = 0; i < table.numRows; i++) (rows[i] as Record<string, Cell>)[col.name] = vec.isValid(i) ? decimalCell(vec.get(i) as Uint32Array, scale) : null;
      continue;
    }
    // Float16's typed array holds the raw half-precision bits: read its values one by one.
    if ((col.kind === 'int' || col.kind === 'float') && !(DataType.isFloat(vec.type) && vec.type.precision === arrow.Precision.HALF)) {
      // Numeric columns in one typed-array read instead of a visitor call per value.
      const values = vec.toArray() as ArrayLike<number | bigint>;
      const checkNulls = vec.nullCount > 0;
      for (let i = 0; i < table.numRows; i++) {
        (rows[i] as Record<string, Cell>)[col.name] = checkNulls && !vec.isValid(i) ? null : toCell(values[i], col.kind);
      }
      continue;
    }
    if (col.kind === 'string' && DataType.isUtf8(vec.type)) {
      decodeUtf8Column(vec as import('apache-arrow').Vector<import('apache-arrow').Utf8>, col.name, rows);
      continue;
    }
    for (let i = 0; i < table.numRows; i++) {
      (rows[i] as Record<string, Cell>)[col.name] = toCell(vec.get(i), col.kind);
    }
  }
  return rows;
}

/** The _rowid column as one array; an empty result may come back without any columns at all. */
export function rowIdArray(table: ArrowTable): BigUint64Array {
  return (table.getChild('_rowid')?.toArray() as BigUint64Array | undefined) ?? new BigUint64Array();
}

/** Row ids come back as BigInt from `_rowid`; carried as decimal strings. */
export function rowIdsOf(table: ArrowTable): string[] {
  const vec = table.getChild('_rowid');
  if (!vec) return [];
  const out: string[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) out[i] = String(vec.get(i));
  return out;
}

/**
 * Strings straight from the Arrow buffers with Node's UTF-8 slice: several times faster than a
 * TextDecoder call per value through Arrow's visitor, and strings are most of a page's cells.
 */
function decodeUtf8Column(vec: import('apache-arrow').Vector<import('apache-arrow').Utf8>, name: string, rows: Record<string, Cell>[]): void {
  let row = 0;
  for (const data of vec.data) {
    const offsets = data.valueOffsets;
    const values = data.values;
    const buf = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    const checkNulls = data.nullCount > 0;
    for (let i = 0; i < data.length; i++, row++) {
      const target = rows[row] as Record<string, Cell>;
      if (checkNulls && !data.getValid(i)) target[name] = null;
      // Arrow JS slices valueOffsets with the data (offset 2 starts it at entry 2): index from 0.
      else target[name] = buf.toString('utf8', offsets[i] as number, offsets[i + 1] as number);
    }
  }
}
