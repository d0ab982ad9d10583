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
  /** Set on label columns the app added (kept in the field's metadata, so it travels with the data). */
  label?: LabelSpec;
  /** Why the app cannot read this column's values (it is shown, listed and renamable, not read). */
  unreadable?: string;
  /** For vector columns: which model's space the vectors are in, as the field's metadata records it. */
  embedding?: EmbeddingMeta;
}

/**
 * What a vector column's metadata says of its vectors (kept in the field's metadata, like labels):
 * the space (the model family whose text and image towers share it), the ONNX repository that made
 * them and its revision, and which tower.
 */
export interface EmbeddingMeta {
  space: string;
  model?: string;
  revision?: string;
  tower?: 'image' | 'text';
}

export type LabelType = 'category' | 'boolean' | 'integer' | 'float' | 'text';

/** A value for a label column; null clears it. */
export type LabelValue = string | number | boolean | null;

/** Rows labelled by selection (and followed to their new row ids) at most; larger sets label the whole view. */
export const MAX_LABEL_ROWS = 10_000;
/** Examples a similar view may search by (the selection's "more like these", "less like this"). */
export const MAX_EXAMPLES = 200;

export interface LabelSpec {
  type: LabelType;
  /** For category columns: the allowed values, in key order (1-9 label the first nine). */
  categories?: string[];
}

/** What merging a labels file would do, before anything is written. */
export interface MergePreview {
  file: string;
  format: 'csv' | 'jsonl' | 'parquet';
  keyColumn: string;
  /** Rows in the file. */
  rows: number;
  /** Distinct keys of the file found in the dataset, and not found (left out). */
  matched: number;
  unmatched: number;
  unmatchedSample: string[];
  /** The columns that merge: existing label columns, or new ones with an inferred type. */
  columns: Array<{ name: string; isNew: boolean; spec: LabelSpec; values: number }>;
  /** Columns of the file that do not merge, with why. */
  ignored: string[];
  /** Problems that stop the merge (first few), each naming its row. */
  problems: string[];
}

/** A column that may hold a dataset's images: what its first values are. */
export interface ImageCandidate {
  column: string;
  /** bytes: inline image bytes; reference: paths or URIs of image files. */
  kind: 'bytes' | 'reference';
  /** Of the values looked at, how many were images (bytes) or image references. */
  images: number;
  sampled: number;
  /** jpeg/png/… for bytes; http/file/cloud/path for references. */
  formats: string[];
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
  /** The column shown as the image, if any (LAION: "image"): bytes, or paths/URIs when imageKind is 'reference'. */
  imageColumn: string | null;
  imageKind?: 'bytes' | 'reference';
  /** Columns that may hold images, as the values looked at at open tell (the Display… choices). */
  imageCandidates?: ImageCandidate[];
  /** What the values did not settle and the app asks the person (remembered once answered). */
  asks?: Array<'image' | 'caption'>;
  /** Images by http(s) URL may be fetched for this dataset (off unless turned on). */
  remoteImages?: boolean;
  /** The folder relative image paths are resolved against (never outside it). */
  imageRoot?: string;
  /** Columns the grid shows on tiles. */
  captionColumn: string | null;
  keyColumn: string | null;
  vectorColumns: string[];
  isDemo: boolean;
  /** Opened at an older version or a tag: nothing can be changed through this session. */
  /** Why it is read-only: an old version or tag, read from the Hub, a folder this user cannot write, or damaged. */
  readOnlyWhy?: 'version' | 'online' | 'permissions' | 'damaged' | 'legacy' | 'remote';
  /**
   * Where the rows live when not in a folder on this machine: 'object-storage' (s3://, gs://, az://,
   * read and written through LanceDB) or 'remote' (a LanceDB Cloud or Enterprise table, db://, read
   * through its REST API: browse, filters, similar and search; what needs every row is not offered).
   */
  location?: 'object-storage' | 'remote';
  /** 'legacy': the data files are Lance's old format 0.1/0.2 (read by position; Upgrade… makes an editable copy). */
  fileFormat?: 'legacy';
  readOnly: boolean;
  /** The newest version could not be read: what is damaged (the session shows the newest readable one, read-only). */
  damaged?: string;
  /** The tag it was opened by, if any. */
  tag?: string;
}

// ---- Versions and tags ----

export interface VersionEntry {
  version: number;
  timestamp: string;
  rows: number;
  /** What changed from the version before, in words ("created", "+500 rows", "added column label"…). */
  change: string;
  /** What Lance Explorer did in this version, when it made it on this computer ("quality = good on 3 rows"). */
  note?: string;
  addedColumns: string[];
  droppedColumns: string[];
  tags: string[];
  /** The dataset's latest version. */
  latest: boolean;
}

export interface VersionDiff {
  from: number;
  to: number;
  rowsFrom: number;
  rowsTo: number;
  addedColumns: string[];
  droppedColumns: string[];
  /** Columns in both whose type changed. */
  changedTypes: string[];
  /**
   * Columns whose values differ, by key, among the rows written between the two versions (absent when
   * the dataset has no key). sampled: more rows were written than were compared.
   */
  changedValues?: { columns: Array<{ name: string; rows: number }>; rowsCompared: number; sampled: boolean };
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
  /** Distance (similar) or BM25 score (search) when the view has one. */
  score?: number;
  /** The query row of a similar view, pinned first. */
  isQuery?: boolean;
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
  /** Dataset sessions open in main (every window or page holds one; closed when it goes away). */
  openSessions: number;
  /** Main's image cache (bounded; shared by every session): how full it is, for the ui benchmark. */
  imageCache: { bytes: number; capacityBytes: number };
}

export interface JobProgress {
  jobId: string;
  kind: string;
  done: number;
  total: number;
  message: string;
  /** Downloads say more: rate, ETA, files, the transfers in flight. */
  download?: DownloadDetail;
  /** A job that commits on its way (the map: its PCA layout, then its UMAP one) names the version it wrote last. */
  committedVersion?: number;
}

export interface JobFinished {
  jobId: string;
  kind: string;
  ok: boolean;
  error: string | null;
  /** The raw text behind `error` (LanceDB's words), for the "Details" disclosure. */
  errorDetail?: string;
  /** Where the work left its result (a downloaded dataset, an export), when it has one. */
  path?: string;
}

// ---- Hub downloads ----

export interface DownloadFileProgress {
  path: string;
  done: number;
  size: number;
}

export interface DownloadDetail {
  phase: 'listing' | 'downloading' | 'publishing' | 'checking';
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  etaSeconds: number | null;
  filesDone: number;
  filesTotal: number;
  inFlight: DownloadFileProgress[];
  /** Set while a transfer waits to retry (rate limit, server error, dropped connection). */
  retrying: string | null;
}

export interface DownloadPlan {
  repo: string;
  revision: string;
  commit: string;
  folder: string;
  target: string;
  files: number;
  totalBytes: number;
  /** Already on disk from an earlier, stopped download of the same commit. */
  haveBytes: number;
  freeBytes: number | null;
  /** True when the free space is less than what is left to fetch. */
  tooBig: boolean;
}

export interface IncompleteDownload {
  target: string;
  repo: string;
  revision: string;
  commit: string;
  folder: string;
  haveBytes: number;
  totalBytes: number;
  startedAt: string;
}

// ---- Views: browse with filters and sort, find similar, caption search ----

// The filter and view specs are written once, as the contract's schemas; these are their types.
import type { FilterCondition, FilterSpec, ViewSpec } from './contract';
export type { FilterCondition, FilterSpec, ViewSpec };
export type FilterOp = FilterCondition['op'];

export type Metric = 'l2' | 'cosine' | 'dot';

/**
 * Find-similar defaults. nprobes and refine are chosen by `npm run bench -- search` at 1M rows so that
 * recall@10 against exact search stays >= 0.95 at the lowest latency (see docs/BENCHMARKS.md).
 */
export const SIMILAR_DEFAULTS = { k: 50, metric: 'l2', nprobes: 40, refineFactor: 5 } as const satisfies { k: number; metric: Metric; nprobes: number; refineFactor: number };

export interface ViewInfo {
  viewId: string;
  spec: ViewSpec;
  count: number;
  /** The SQL the app built from the filter (shown to the person, used in "copy as code"). */
  where: string | null;
  /** For similar: whether the vector index was used; for search: whether the BM25 index was. */
  usedIndex: boolean | null;
  /** What the person should know about how the result was made. */
  notes: string[];
  tookMs: number;
  /** For similar: the key of the query row (rows are identified by key outside this session). */
  queryKey?: string | number | null;
  /** The index this view would use if it existed: the UI offers to build it. */
  missingIndex?: { column: string; kind: IndexKind } | null;
  /** For encoded views: the model whose tower made the query (for "copy as code"). */
  model?: { repo: string | null; space: string | null; dtype: ModelDtype };
}

/** Indices the app can build: IVF_PQ for vectors, BM25 (inverted) for text. */
export type IndexKind = 'ivf_pq' | 'fts';

export interface IndexSummary {
  name: string;
  column: string;
  /** LanceDB's own name for it: IVF_PQ, FTS, BTREE… */
  indexType: string;
  /** For vector indices, the metric it was trained for. */
  metric: Metric | null;
}

/** Manifest formats; Parquet keeps column types, the text formats open anywhere. */
export type ExportFormat = 'csv' | 'jsonl' | 'parquet';

/** What Clean up… would remove, computed before anything is deleted. */
export interface CleanupPlan {
  olderThanDays: number;
  /** Versions that would go (older than the cut-off, untagged, not the latest, not open). */
  removeVersions: number[];
  keptVersions: number;
  /** Files no version uses (left by writes that did not finish), whatever their age. */
  unfinishedFiles: number;
  unfinishedBytes: number;
  /** Files that would be deleted: those only removed versions used, and unused ones past the cut-off. */
  removeFiles: number;
  /** Bytes that come back: those files and the removed versions' manifests. */
  bytes: number;
  /** Why nothing can be removed (a damaged manifest, files outside the folder), or null. */
  blocked: string | null;
}

// ---- Models (search by meaning) ----

export type ModelDtype = 'q8' | 'fp16' | 'fp32';

/** Which model's space a vector column is in, and how the app knows. */
export interface ModelSpace {
  column: string;
  dim: number;
  /** The model family ("openai/clip-vit-large-patch14"), or null when nothing says. */
  space: string | null;
  /** metadata: the column's own; laion: inferred from LAION's schema and card; unknown. */
  source: 'metadata' | 'laion' | 'unknown';
  /** The ONNX repository that runs it. */
  onnx: string | null;
  revision: string | null;
  label: string | null;
}

export interface ModelStatus {
  space: ModelSpace;
  /** The model a search by meaning uses now, or null. */
  model: {
    repo: string | null;
    dir: string;
    dtype: ModelDtype;
    /** hub-cache: found in the Hugging Face cache (put there by this app or another Hub tool); folder: chosen by the person. */
    from: 'hub-cache' | 'folder';
    /** loading: its first query after start loads it (seconds for the real towers). */
    state: 'idle' | 'loading' | 'ready' | 'failed';
    /** Something to know about it (a space that could not be checked). */
    warning: string | null;
  } | null;
  /** What "Get the model…" fetches, when the space names a repository. */
  offer: { repo: string; revision: string; dtypes: ModelDtype[]; approxBytes: Partial<Record<ModelDtype, number>> } | null;
  /** Where the Hugging Face cache is (models are looked for and saved there). */
  cacheDir: string;
  /** Why no model can serve this column, when none can. */
  why: string | null;
}

/** A CLIP model on this computer (in the Hugging Face cache, or a folder chosen before). */
export interface InstalledModel {
  repo: string | null;
  dir: string;
  dtype: ModelDtype;
  commit: string | null;
  /** The model family its vectors belong to (what the new column's metadata will say). */
  space: string | null;
  dim: number;
}

/** What an embedding job would do. */
export interface EmbedPlan {
  rows: number;
  /** Rows already embedded by an earlier, stopped run (resumed, not redone). */
  done: number;
  model: InstalledModel;
  column: string;
  imageColumn: string;
  batch: number;
}

/** A vector index to build: LanceDB's kind, its settings, and how it is searched. */
export interface IndexVariant {
  type: 'ivf_pq' | 'ivf_rq' | 'ivf_hnsw_sq';
  label: string;
  params: { numPartitions: number; numSubVectors?: number; numBits?: number; m?: number; efConstruction?: number };
  /** refineFactor absent: no re-ranking by the full vectors (an HNSW graph's SQ distances are close enough). */
  search: { nprobes: number; refineFactor?: number; ef?: number };
}

/** The index advisor's measurements on a sample of queries. */
export interface AdvisorReport {
  column: string;
  metric: Metric;
  rows: number;
  queries: number;
  results: Array<{ id: string; label: string; variant: IndexVariant | null; buildSeconds: number | null; p50Ms: number; p95Ms: number; recallAt10: number; error?: string }>;
  /** The result to build (fastest that keeps the current recall), or null when the current one is best. */
  best: string | null;
}

// ---- Statistics of the whole dataset ----

/**
 * One chart of a column's statistics: a histogram of numbers (the values, or something measured from
 * them: a text's length, a list's length, a vector's norm, an image's width), or every value with its
 * count (low-cardinality text and booleans), or the top values of a text column.
 */
export interface StatsFacet {
  /** Unique in the dataset's statistics ("caption:length"); filtered counts are keyed by it. */
  id: string;
  column: string;
  /** What is counted, in words ("length in characters", "norm", "aspect (width / height)"). */
  label: string;
  type: 'histogram' | 'values' | 'top';
  /** Rows counted by this facet (every row), and those with no value. */
  rows: number;
  nulls: number;
  /** Histogram: bins+1 edges (the last bin includes its upper edge); integer: whole-number bins. */
  edges?: number[];
  integer?: boolean;
  /** The numbers are dates (milliseconds since 1970, UTC). */
  dates?: boolean;
  min?: number | null;
  max?: number | null;
  mean?: number | null;
  median?: number | null;
  /** values/top: the values, most frequent first (top: at most 20, each seen at least twice). */
  values?: Array<string | number | boolean>;
  /** Per bin (histogram) or per value (values, top), over the whole dataset. */
  counts: number[];
  /** top: rows with another value; distinct: how many different values there are. */
  other?: number;
  distinct?: number;
  /**
   * How a click or a brush on this chart filters: a column's own values ("column"), a SQL expression
   * of it ("sql", for lengths and the aspect), or not at all (a vector's norm, sizes read from bytes).
   */
  filter: { by: 'column' } | { by: 'sql'; expression: string } | { by: 'none'; why: string };
}

export interface ColumnStats {
  column: string;
  kind: ColumnKind;
  facets: StatsFacet[];
  /** Why this column has no statistics (a struct, an unreadable type). */
  why?: string;
}

export interface DatasetStats {
  version: number;
  rows: number;
  computedAt: string;
  tookMs: number;
  columns: ColumnStats[];
  /** Image width, height and aspect: from the dataset's width and height columns, or read from the images. */
  images?: { column: string; source: 'columns' | 'bytes'; facets: StatsFacet[] };
}

/** The statistics the panel shows: those of the open version, or an older version's while it computes. */
export interface StatsStatus {
  stats: DatasetStats | null;
  /** stats is of an older version than the open one (null: nothing computed yet). */
  stale: boolean;
  /** The job computing the open version's statistics, when one runs. */
  jobId: string | null;
}

/** A view's counts beside the overall ones: per facet, aligned with its counts, plus its nulls. */
export interface ViewStats {
  version: number;
  /** Rows in the view, and of those the rows the statistics know (all, unless a write moved some). */
  rows: number;
  matched: number;
  facets: Record<string, { counts: number[]; nulls: number; other?: number }>;
}

// ---- Near duplicates ----

/** Each row's nearest neighbour's cosine similarity, in bins of `width` from `from` to 1. */
export interface NearestHistogram {
  from: number;
  width: number;
  counts: number[];
  /** Rows whose nearest neighbour is less similar than `from`. */
  below: number;
  /** Rows with no usable vector, or alone in the table. */
  none: number;
}

export interface NearResult {
  column: string;
  version: number;
  rows: number;
  computedAt: string;
  tookMs: number;
  /** Clusters the rows were compared within (1: every pair was compared). */
  clusters: number;
  /** Neighbours kept per row. */
  neighbours: number;
  histogram: NearestHistogram;
  /** Rows whose vector is null, zero or not finite. */
  unusable: number;
  /** Rows a stopped run had already compared when this one went on from it. */
  resumedFrom?: number;
}

export interface NearStatus {
  /** The newest computed result for this column (null: none yet). */
  result: NearResult | null;
  /** The result is of an older version than the open one. */
  stale: boolean;
  /** Whether its groups can be opened at the open version (the rows have not changed since). */
  usable: boolean;
  jobId: string | null;
  /** A stopped job's progress, which a start resumes from. */
  resumable: { done: number; total: number } | null;
  /** The default threshold (cosine similarity). */
  defaultThreshold: number;
}

export interface NearCount {
  threshold: number;
  groups: number;
  rows: number;
  redundant: number;
  largest: number[];
}

// ---- The embedding map ----

export interface MapInfo {
  /** The vector column the map was made from. */
  column: string;
  /** PCA first (seconds); UMAP when its fit on a sample is done. */
  method: 'pca' | 'umap';
  /** The version the map was first made at (rows added since are placed by extending it). */
  madeAtVersion: number;
  /** Rows on the map. */
  rows: number;
  clusters: number;
  /** Each cluster's name: its captions' most distinctive words (c-TF-IDF), best first. */
  names: string[][];
  /** Each cluster's centre on the map (where its name goes). */
  centres?: Array<[number, number]>;
  /** The share of the variance each PCA axis holds (0 for UMAP). */
  explained: [number, number];
  /** Rows the UMAP layout was fitted on. */
  sample?: number;
  /** The epoch a stopped UMAP fit went on from. */
  resumedFromEpoch?: number;
  /** Milliseconds per stage of the job that made it (read, clusters, pca, graph, umap, place). */
  stages?: Record<string, number>;
  tookMs: number;
}

export interface MapStatus {
  map: MapInfo | null;
  /** Rows without a place on the map (added since, or without a usable vector). */
  missing: number;
  jobId: string | null;
  /** A stopped UMAP fit this version can go on from. */
  resumable: { epoch: number } | null;
}

/** Every row's place for drawing, as base64 of little-endian arrays (Float32 x, y; Uint8 cluster; Float64 row id). */
export interface MapPoints {
  map: MapInfo;
  count: number;
  x: string;
  y: string;
  cluster: string;
  rowIds: string;
}

/** Each point's colour code (base64 Uint8, in the points' order; 255 for null) and what the codes mean. */
export interface MapColours {
  column: string;
  kind: 'values' | 'range';
  codes: string;
  legend: Array<{ label: string; count: number }>;
  nulls: number;
}

// ---- Resolving duplicates ----

/** What makes a copy the one to keep, compared in the order given (ties: the first in table order). */
export type KeeperCriterion = 'resolution' | 'similarity' | 'safe';

export interface DuplicateGroup {
  index: number;
  /** The keeper first, then the others in table order. */
  members: Array<{ rowId: string; key: string | number | null }>;
  keeper: string;
  /** Which criterion picked the keeper ("largest resolution"). */
  why: string;
}

export interface ResolvePlan {
  groups: number;
  rows: number;
  /** Rows "mark the rest" would mark across all groups. */
  redundant: number;
  rule: KeeperCriterion[];
  /** The criteria this dataset's columns allow. */
  available: KeeperCriterion[];
  /** The label column the keepers' keys go to. */
  column: string;
  /** The first groups, with their keepers. */
  first: DuplicateGroup[];
}

/**
 * The storage options the app passes to LanceDB for datasets in object storage (object_store's own
 * key names). Anything else is refused at the contract.
 */
export const STORAGE_OPTION_KEYS = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_region',
  'aws_endpoint',
  'aws_virtual_hosted_style_request',
  'aws_profile',
  'allow_http',
  'google_service_account',
  'google_service_account_key',
  'azure_storage_account_name',
  'azure_storage_account_key',
  'azure_storage_sas_key',
  'azure_storage_endpoint',
  'timeout',
  'connect_timeout',
] as const;
