// The Parquet side of export: rows are buffered into row groups and encoded by hyparquet-writer, whose
// writer hands each finished group back to us so it goes through the same stream (and the same
// full-disk and cancel handling) as the text formats.
import { ByteWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import type { Cell, ColumnInfo, RowSummary } from '../../../shared/types';

/** Turns pages of rows into bytes or text for the export stream. */
export interface Sink {
  header(): string | Uint8Array;
  rows(rows: RowSummary[]): string | Uint8Array;
  end(): string | Uint8Array;
}

type BasicType = 'BOOLEAN' | 'INT64' | 'DOUBLE' | 'STRING' | 'JSON';

// Large enough for readers to skip efficiently, small enough that memory stays flat at 1M rows.
const ROW_GROUP = 50_000;

function basicType(col: ColumnInfo): BasicType {
  switch (col.kind) {
    case 'int':
      return 'INT64';
    case 'float':
      return 'DOUBLE';
    case 'bool':
      return 'BOOLEAN';
    case 'list':
    case 'struct':
    case 'other':
      return 'JSON';
    default:
      return 'STRING'; // strings, and timestamps as ISO text (what the grid shows)
  }
}

function convert(cell: Cell | undefined, type: BasicType): unknown {
  if (cell === null || cell === undefined) return null;
  switch (type) {
    case 'INT64':
      // int64 cells arrive as numbers when safe and decimal strings otherwise; both are exact here.
      return typeof cell === 'number' || typeof cell === 'string' ? BigInt(cell) : null;
    case 'DOUBLE':
      return typeof cell === 'number' ? cell : Number(cell);
    case 'BOOLEAN':
      return Boolean(cell);
    case 'JSON':
      return JSON.stringify(cell);
    default:
      return typeof cell === 'string' ? cell : JSON.stringify(cell);
  }
}

/** A ByteWriter whose bytes are taken away after each row group instead of growing for the whole file. */
class DrainingWriter extends ByteWriter {
  private chunks: Uint8Array[] = [];
  flush(): void {
    this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
    this.index = 0;
  }
  take(): Uint8Array {
    this.flush();
    const out = Buffer.concat(this.chunks);
    this.chunks = [];
    return out;
  }
}

export function parquetSink(columns: ColumnInfo[], withScore: boolean): Sink {
  const fields = [...columns.map((c) => ({ name: c.name, type: basicType(c) })), ...(withScore ? [{ name: 'score', type: 'DOUBLE' as const }] : [])];
  const writer = new DrainingWriter();
  const schema = schemaFromColumnData({ columnData: fields.map((f) => ({ name: f.name, data: [], type: f.type, nullable: true })) });
  const parquet = new ParquetWriter({ writer, schema, createdBy: 'Lance Explorer' });
  let buffered: RowSummary[] = [];
  const flushGroup = () => {
    if (buffered.length === 0) return;
    const rows = buffered;
    buffered = [];
    const columnData = fields.map((f) => ({
      name: f.name,
      type: f.type,
      data: rows.map((r) => (f.name === 'score' && withScore ? (r.score ?? null) : convert(r.values[f.name], f.type))),
    }));
    void parquet.write({ columnData: columnData as never, rowGroupSize: ROW_GROUP });
  };
  return {
    header: () => writer.take(),
    rows: (rows) => {
      buffered.push(...rows);
      if (buffered.length >= ROW_GROUP) flushGroup();
      return writer.take();
    },
    end: () => {
      flushGroup();
      void parquet.finish();
      return writer.take();
    },
  };
}
