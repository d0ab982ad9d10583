// Domain types carried by the contract. Plain JSON-safe data only: int64 values arrive as
// numbers when they are safe integers and as decimal strings otherwise.

export type Cell = string | number | boolean | null | CellVector | CellBinary | Cell[] | { [k: string]: Cell };

/** A vector cell is summarised: 768 floats per row would dominate every page. */
export interface CellVector {
  $vector: { dim: number; head: number[]; norm: number };
}
/** A binary cell is never sent inline; the renderer asks for it by URL. */
export interface CellBinary {
  $binary: { bytes: number };
}

export type ColumnKind = 'int' | 'float' | 'string' | 'bool' | 'binary' | 'vector' | 'list' | 'struct' | 'timestamp' | 'other';

export interface ColumnInfo {
  name: string;
  /** Arrow type as text, e.g. "FixedSizeList[768]<Float32>". */
  type: string;
  kind: ColumnKind;
  nullable: boolean;
  /** For vector columns. */
  dim?: number;
}

export interface DatasetInfo {
  /** Session handle for this open dataset; not a path. */
  id: string;
  path: string;
  /** The table name inside a LanceDB database folder ("train" for data/train.lance). */
  table: string;
  name: string;
  version: number;
  rowCount: number;
  columns: ColumnInfo[];
  /** The column that holds image bytes, if any (LAION: "image"). */
  imageColumn: string | null;
  /** Columns the grid shows on tiles. */
  captionColumn: string | null;
  keyColumn: string | null;
  vectorColumns: string[];
  isDemo: boolean;
}

export interface InspectResult {
  path: string;
  /** "table": a .lance directory; "database": a folder of tables; "none": neither. */
  kind: 'table' | 'database' | 'none';
  tables: string[];
}

export interface RowSummary {
  /** Stable for this dataset version; used in image URLs and detail requests. */
  rowId: string;
  index: number;
  values: Record<string, Cell>;
}

export interface RowPage {
  offset: number;
  rows: RowSummary[];
}

export interface RowDetail {
  rowId: string;
  values: Record<string, Cell>;
  imageUrl: string | null;
}

export interface RecentEntry {
  path: string;
  table: string;
  name: string;
  openedAt: string;
  rowCount: number;
}

export type DemoState = 'ready' | 'missing' | 'building' | 'failed';

export interface DemoStatus {
  state: DemoState;
  path: string;
  rows: number | null;
  jobId: string | null;
  error: string | null;
}

export interface AppInfo {
  version: string;
  carrier: 'electron' | 'web';
  demoPath: string;
  canPickFolder: boolean;
  /** A dataset named on the command line, opened instead of the demo at start. */
  startupPath: string | null;
}

export interface JobProgress {
  jobId: string;
  kind: string;
  done: number;
  total: number;
  message: string;
}

export interface JobFinished {
  jobId: string;
  kind: string;
  ok: boolean;
  error: string | null;
}
