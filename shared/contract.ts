// The typed contract: for every channel, the request schema (validated in main) and the
// response type (imported type-only by the renderer, so zod never ships in the renderer bundle).
import { z } from 'zod';
import { ID_PATTERN, type Channel, type ApiMethod, type CHANNELS, type EventName } from './channels';
import { MAX_EXAMPLES, MAX_LABEL_ROWS, STORAGE_OPTION_KEYS } from './types';
import type {
  AppInfo,
  CleanupPlan,
  DatasetInfo,
  DownloadPlan,
  IncompleteDownload,
  IndexSummary,
  DemoStatus,
  InspectResult,
  JobFinished,
  JobProgress,
  MergePreview,
  ModelStatus,
  InstalledModel,
  EmbedPlan,
  AdvisorReport,
  StatsStatus,
  ViewStats,
  ResolvePlan,
  NearStatus,
  MapStatus,
  MapPoints,
  MapColours,
  NearCount,
  RecentEntry,
  RowDetail,
  RowPage,
  ViewInfo,
  VersionDiff,
  VersionEntry,
} from './types';
import type { Result } from './result';

/** What every write answers: the new version and the dataset as it is after the write. */
export interface Committed {
  version: number;
  dataset: DatasetInfo;
}

/** Filesystem paths are typed by a person or picked in a dialog: bounded, no NUL bytes. */
const pathString = z
  .string()
  .min(1, 'a path is required')
  .max(4096, 'the path is too long')
  .refine((s) => !s.includes('\0'), 'the path contains a NUL byte');

/**
 * How the app reaches a LanceDB Cloud or Enterprise database (db://name): the API key (else
 * LANCEDB_API_KEY), the region (LanceDB Cloud's) and, for Enterprise, the host it answers at.
 */
const remoteOptions = z
  .object({
    apiKey: z.string().min(1).max(1024).optional(),
    region: z.string().regex(/^[a-z0-9-]{1,40}$/, 'a region is letters, digits and dashes (us-east-1)').optional(),
    hostOverride: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/i, 'the host is an http(s) address, e.g. https://lancedb.example.com')
      .optional(),
  })
  .strict();

/** Object storage options for s3://, gs://, az:// datasets (object_store's keys; main passes them to LanceDB). */
const storageOptions = z
  .partialRecord(z.enum(STORAGE_OPTION_KEYS), z.string().max(8192))
  .refine((o) => Object.keys(o).length <= STORAGE_OPTION_KEYS.length, 'too many storage options');

const mintedId = (what: string) => z.string().regex(new RegExp(`^${ID_PATTERN}$`), `not a ${what} id`);
const datasetId = mintedId('dataset session');
/** Row ids are unsigned 64-bit integers written in decimal. */
const rowId = z
  .string()
  .regex(/^\d{1,20}$/, 'not a row id')
  .refine((s) => !/^\d+$/.test(s) || BigInt(s) < 2n ** 64n, 'not a row id (larger than 64 bits)');
const tableName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^/\\\0]+$/, 'a table name cannot contain slashes')
  .refine((s) => s !== '.' && s !== '..', 'not a table name');

export const MAX_PAGE = 1000;
export const MAX_K = 1000;
export const MAX_SEARCH = 1000;

const columnName = z.string().min(1, 'a column is required').max(256, 'the column name is too long');
/** A cosine similarity threshold for near duplicates: below 0.5 a "group" would be most of a dataset. */
const nearThreshold = z.number().min(0.5, 'a threshold below 0.5 joins unrelated images').max(1);
const finite = z.number().refine(Number.isFinite, 'must be a finite number (not NaN or infinity)');
const viewId = mintedId('view');

const filterCondition = z
  .object({
    column: columnName,
    op: z.enum(['eq', 'neq', 'in', 'between', 'gte', 'lte', 'contains', 'isNull', 'notNull']),
    value: z.union([z.string().max(10_000), finite, z.boolean()]).optional(),
    values: z.array(z.union([z.string().max(10_000), finite])).max(1000).optional(),
    min: finite.optional(),
    max: finite.optional(),
  })
  .strict();

/** Conditions are ANDed; `sql` is an advanced raw `where` expression ANDed with them. */
const filterSpec = z
  .object({
    conditions: z.array(filterCondition).max(50),
    sql: z.string().max(10_000).optional(),
  })
  .strict();

/** A row named by its row id, with its key to find it again after a write moved it. */
const example = z.object({ rowId, key: z.union([z.string().max(1000), z.number().int()]).optional() }).strict();

/** What a search for the nearest vectors takes (find similar, by meaning): the column and the knobs. */
const nearestKnobs = {
  column: columnName,
  k: z.number().int('k must be a whole number').min(1, 'k must be at least 1').max(MAX_K, `k can be at most ${MAX_K}`),
  metric: z.enum(['l2', 'cosine', 'dot']),
  nprobes: z.number().int().min(1).max(10_000),
  refineFactor: z.number().int().min(1).max(100),
  filter: filterSpec.optional(),
};

const viewSpec = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('browse'),
      filter: filterSpec.optional(),
      sort: z.object({ column: columnName, descending: z.boolean() }).strict().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('similar'),
      /** The query row, by its row id in the open version. */
      rowId,
      /** Its key, to find it again when labelling moved it to a new row id (Back to an older view). */
      key: z.union([z.string().max(1000), z.number().int()]).optional(),
      /** More rows to search like ("more like these"): the query is the mean of their vectors and the row's. */
      alsoLike: z.array(example).max(MAX_EXAMPLES, `at most ${MAX_EXAMPLES} examples`).optional(),
      /** Rows to search away from ("less like this"): subtracted from the query at half weight. */
      unlike: z.array(example).max(MAX_EXAMPLES, `at most ${MAX_EXAMPLES} examples`).optional(),
      ...nearestKnobs,
    })
    .strict(),
  z
    .object({
      kind: z.literal('meaning'),
      /** What the person described ("a dog on a beach at sunset"). */
      text: z.string().trim().min(1, 'describe what you are looking for').max(1000),
      /**
       * How the text becomes a vector. 'captions': no model, the mean of the vectors of the rows whose
       * captions best match the words (relevance feedback), so it also finds images whose captions never
       * say them.
       */
      via: z.literal('captions'),
      captionColumn: columnName,
      /** How many caption matches make the query. */
      hits: z.number().int().min(1).max(MAX_EXAMPLES),
      ...nearestKnobs,
    })
    .strict(),
  z
    .object({
      kind: z.literal('encoded'),
      /**
       * A description or an image put in the column's space by the model that made it (the CLIP text
       * or vision tower), then the nearest vectors. Exactly one of text and imageId.
       */
      text: z.string().trim().min(1, 'describe what you are looking for').max(1000).optional(),
      /** A query image given through query:image (dropped, pasted or chosen). */
      imageId: z.string().regex(/^[0-9a-f]{32}$/, 'not a query image id').optional(),
      /** The file's name, for the view's title. */
      imageName: z.string().max(300).optional(),
      ...nearestKnobs,
    })
    .strict()
    .refine((s) => (s.text === undefined) !== (s.imageId === undefined), 'give a description or an image'),
  z
    .object({
      kind: z.literal('duplicates'),
      /** Rows whose values here are equal form a group: a checksum column (md5) or the image bytes; or a vector column with `near`. */
      column: columnName,
      /** Near duplicates: rows whose vectors' cosine similarity is at least this are joined (connected components). */
      near: nearThreshold.optional(),
      filter: filterSpec.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('region'),
      /** A lasso or box drawn on the map, in the map's coordinates: the rows whose (map_x, map_y) lie inside. */
      polygon: z.array(z.tuple([z.number().finite(), z.number().finite()])).min(3, 'draw a region of three points or more').max(5000, 'the region has too many points'),
      filter: filterSpec.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('search'),
      text: z.string().trim().min(1, 'type something to search for').max(1000),
      column: columnName,
      limit: z.number().int().min(1).max(MAX_SEARCH),
      filter: filterSpec.optional(),
    })
    .strict(),
]);

/** A filter condition: value for eq, neq, gte, lte, contains; values for in; min and max (inclusive) for between. */
export type FilterCondition = z.infer<typeof filterCondition>;
export type FilterSpec = z.infer<typeof filterSpec>;
export type ViewSpec = z.infer<typeof viewSpec>;

const position = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** null clears the label. */
const labelValue = z.union([z.string().max(1000), finite, z.boolean(), z.null()]);

const exportFormat = z.enum(['csv', 'jsonl', 'parquet']);
const versionNumber = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const hubRepo = z.string().trim().min(3, 'give a repository id like owner/name').max(200);
const hubRevision = z.string().trim().max(200);
const hubFolder = z.string().trim().max(500);
const modelDtype = z.enum(['q8', 'fp16', 'fp32']);
const whole = (max: number) => z.number().int().min(1).max(max);
const keeperCriterion = z.enum(['resolution', 'similarity', 'safe']);
const indexVariant = z
  .object({
    type: z.enum(['ivf_pq', 'ivf_rq', 'ivf_hnsw_sq']),
    label: z.string().max(200),
    params: z.object({ numPartitions: whole(65_536), numSubVectors: whole(4096).optional(), numBits: whole(8).optional(), m: whole(256).optional(), efConstruction: whole(10_000).optional() }).strict(),
    search: z.object({ nprobes: whole(10_000), refineFactor: whole(100).optional(), ef: whole(10_000).optional() }).strict(),
  })
  .strict();

export const requestSchemas = {
  'app:info': z.object({}).strict(),
  /** The person is scrolling: background scans wait for a quiet moment. */
  'app:activity': z.object({}).strict(),
  'dataset:inspect': z.object({ path: pathString, storage: storageOptions.optional(), remote: remoteOptions.optional() }).strict(),
  /** version or tag: open that version read-only. */
  'dataset:open': z.object({ path: pathString, table: tableName.optional(), version: versionNumber.optional(), tag: z.string().min(1).max(64).optional(), storage: storageOptions.optional(), remote: remoteOptions.optional() }).strict(),
  /** Drop the credentials kept for an address's bucket or database (this run's and the encrypted copy). */
  'credentials:forget': z.object({ path: pathString }).strict(),
  'dataset:close': z.object({ id: datasetId }).strict(),
  'rows:page': z
    .object({
      id: datasetId,
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      limit: z.number().int().min(1).max(MAX_PAGE),
    })
    .strict(),
  'rows:get': z.object({ id: datasetId, rowId }).strict(),
  'view:open': z.object({ id: datasetId, spec: viewSpec }).strict(),
  'view:page': z
    .object({ id: datasetId, viewId, offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), limit: z.number().int().min(1).max(MAX_PAGE) })
    .strict(),
  'filter:check': z.object({ id: datasetId, filter: filterSpec }).strict(),
  /** The most frequent values of a text column (filter suggestions), over the whole table. */
  'column:top-values': z.object({ id: datasetId, column: columnName, limit: z.number().int().min(1).max(100) }).strict(),
  'dataset:info': z.object({ id: datasetId }).strict(),
  /** How to see the dataset (Display…): null image or caption means none; root '' goes back to the default. */
  'dataset:display': z
    .object({
      id: datasetId,
      image: columnName.nullable().optional(),
      caption: columnName.nullable().optional(),
      vector: columnName.optional(),
      remote: z.boolean().optional(),
      root: z.union([pathString, z.literal('')]).optional(),
    })
    .strict(),
  'evolve:add-label-column': z
    .object({
      id: datasetId,
      name: z.string().min(1, 'give the column a name').max(64, 'the name is too long (64 at most)'),
      type: z.enum(['category', 'boolean', 'integer', 'float', 'text']),
      categories: z.array(z.string().max(64)).max(50).optional(),
      defaultValue: z.union([z.string().max(1000), finite, z.boolean()]).nullable().optional(),
    })
    .strict(),
  'evolve:preview-derived': z.object({ id: datasetId, name: z.string().min(1).max(64), expression: z.string().max(2000) }).strict(),
  'evolve:add-derived': z.object({ id: datasetId, name: z.string().min(1).max(64), expression: z.string().max(2000) }).strict(),
  'evolve:rename-column': z.object({ id: datasetId, from: columnName, to: z.string().min(1).max(64), insist: z.boolean().optional() }).strict(),
  'evolve:drop-column': z.object({ id: datasetId, column: columnName, insist: z.boolean().optional() }).strict(),
  /** positions: a selection in the view (or the plain table when viewId is null); omitted: the whole view. */
  'labels:plan': z.object({ id: datasetId, viewId: viewId.nullable(), positions: z.array(position).max(MAX_LABEL_ROWS).optional() }).strict(),
  'labels:set': z
    .object({
      id: datasetId,
      viewId: viewId.nullable(),
      column: columnName,
      value: labelValue,
      positions: z.array(position).min(1, 'select at least one image').max(MAX_LABEL_ROWS, `select at most ${MAX_LABEL_ROWS} images, or label the whole view`).optional(),
      /** The row ids the person saw at those positions: a view that changed meanwhile is refused. */
      rowIds: z.array(rowId).max(MAX_LABEL_ROWS).optional(),
      all: z.object({ expectedCount: z.number().int().min(0) }).strict().optional(),
    })
    .strict()
    .refine((r) => (r.positions === undefined) !== (r.all === undefined), 'give either positions or all')
    .refine((r) => r.rowIds === undefined || r.rowIds.length === r.positions?.length, 'rowIds must match positions one to one'),
  /** jobId: minted by the page, so it can follow the reading's progress (job:progress) and cancel it (job:cancel). */
  'labels:merge-preview': z.object({ id: datasetId, path: pathString, jobId: mintedId('job').optional() }).strict(),
  'labels:merge': z.object({ id: datasetId, path: pathString, expectedMatched: z.number().int().min(0), jobId: mintedId('job').optional() }).strict(),
  'versions:list': z.object({ id: datasetId }).strict(),
  'versions:compare': z.object({ id: datasetId, from: versionNumber, to: versionNumber }).strict(),
  'versions:restore': z.object({ id: datasetId, version: versionNumber }).strict(),
  'versions:cleanup-plan': z.object({ id: datasetId, olderThanDays: z.number().int().min(0).max(36500), includeRecentUnfinished: z.boolean() }).strict(),
  /** expectedBytes: what the plan the person saw said; a changed plan is refused (preview again). */
  'versions:cleanup': z.object({ id: datasetId, olderThanDays: z.number().int().min(0).max(36500), includeRecentUnfinished: z.boolean(), expectedBytes: z.number().int().min(0) }).strict(),
  'tags:change': z
    .object({ id: datasetId, action: z.enum(['create', 'move', 'delete']), tag: z.string().min(1).max(64), version: versionNumber.optional() })
    .strict()
    .refine((r) => r.action === 'delete' || r.version !== undefined, 'a version is required to create or move a tag'),
  'index:list': z.object({ id: datasetId }).strict(),
  /** variant: another vector index (the advisor's); it replaces the column's current one. */
  'index:build': z.object({ id: datasetId, column: columnName, kind: z.enum(['ivf_pq', 'fts']), metric: z.enum(['l2', 'cosine', 'dot']).optional(), variant: indexVariant.optional() }).strict(),
  'export:default-path': z.object({ id: datasetId, format: exportFormat }).strict(),
  'export:start': z
    .object({
      id: datasetId,
      viewId: viewId.nullable(),
      format: exportFormat,
      columns: z.array(columnName).max(500),
      path: pathString,
      overwrite: z.boolean().optional(),
    })
    .strict(),
  /** target: omitted for the default (under the app's data folder). */
  'hub:plan': z.object({ repo: hubRepo, revision: hubRevision, folder: hubFolder, target: pathString.optional() }).strict(),
  'hub:download': z
    .object({ repo: hubRepo, revision: hubRevision, folder: hubFolder, target: pathString.optional(), parallel: z.number().int().min(1).max(16).optional() })
    .strict(),
  'hub:incomplete': z.object({}).strict(),
  'hub:discard': z.object({ target: pathString }).strict(),
  'hub:token-status': z.object({}).strict(),
  'hub:set-token': z.object({ token: z.string().max(300).nullable(), remember: z.boolean() }).strict(),
  'view:materialize': z
    .object({ id: datasetId, viewId: viewId.nullable(), columns: z.array(columnName).max(500), target: pathString.optional(), indices: z.boolean().optional() })
    .strict(),
  'recent:list': z.object({}).strict(),
  'recent:forget': z.object({ path: pathString, table: tableName }).strict(),
  'demo:status': z.object({}).strict(),
  'demo:build': z.object({ force: z.boolean().optional() }).strict(),
  'job:cancel': z.object({ jobId: mintedId('job') }).strict(),
  'job:status': z.object({ jobId: mintedId('job') }).strict(),
  'dialog:pick-dataset': z.object({}).strict(),
  'model:status': z.object({ id: datasetId, column: columnName }).strict(),
  'model:plan': z.object({ repo: hubRepo, revision: hubRevision, dtype: modelDtype }).strict(),
  'model:download': z.object({ id: datasetId, column: columnName.optional(), repo: hubRepo, revision: hubRevision, dtype: modelDtype, parallel: z.number().int().min(1).max(16).optional() }).strict(),
  'model:use-folder': z.object({ id: datasetId, column: columnName, path: pathString, dtype: modelDtype }).strict(),
  'embed:models': z.object({}).strict(),
  'embed:plan': z.object({ id: datasetId, imageColumn: columnName, column: z.string().min(1, 'name the new column').max(64), model: z.object({ dir: pathString, dtype: modelDtype }).strict() }).strict(),
  'embed:start': z.object({ id: datasetId, imageColumn: columnName, column: z.string().min(1, 'name the new column').max(64), model: z.object({ dir: pathString, dtype: modelDtype }).strict() }).strict(),
  'embed:discard': z.object({ id: datasetId, column: columnName }).strict(),
  'advisor:start': z.object({ id: datasetId, column: columnName, queries: z.number().int().min(5).max(500).optional() }).strict(),
  'advisor:report': z.object({ jobId: mintedId('job') }).strict(),
  'stats:status': z.object({ id: datasetId }).strict(),
  'near:status': z.object({ id: datasetId, column: columnName }).strict(),
  'map:status': z.object({ id: datasetId }).strict(),
  'map:start': z.object({ id: datasetId, column: columnName, mode: z.enum(['make', 'extend']) }).strict(),
  'map:points': z.object({ id: datasetId }).strict(),
  'map:colours': z.object({ id: datasetId, column: columnName }).strict(),
  /** viewId null: every row (nothing greyed). */
  'map:mask': z.object({ id: datasetId, viewId: viewId.nullable() }).strict(),
  'near:start': z.object({ id: datasetId, column: columnName }).strict(),
  'near:count': z.object({ id: datasetId, column: columnName, threshold: nearThreshold }).strict(),
  'stats:start': z.object({ id: datasetId }).strict(),
  /** viewId null: the plain table (the overall counts). */
  'stats:view': z.object({ id: datasetId, viewId: viewId.nullable() }).strict(),
  'duplicates:plan': z.object({ id: datasetId, viewId, rule: z.array(keeperCriterion).max(3).optional() }).strict(),
  /** group: a group's index in the view, or null for every group; expectedRedundant: what the plan said. */
  'duplicates:mark': z
    .object({ id: datasetId, viewId, rule: z.array(keeperCriterion).max(3).optional(), group: z.number().int().min(0).nullable(), column: z.string().min(1, 'name the column').max(64), expectedRedundant: z.number().int().min(0) })
    .strict(),
  /** An image to search with, as base64 (at most 20 MB of file). */
  'query:image': z.object({ id: datasetId, bytes: z.string().min(1).max(28_000_000, 'the image is too large (20 MB at most)') }).strict(),
} satisfies Record<Channel, z.ZodType>;

export interface Responses {
  'app:info': AppInfo;
  'app:activity': { noted: true };
  'dataset:inspect': InspectResult;
  'dataset:open': DatasetInfo;
  'dataset:close': { closed: boolean };
  'credentials:forget': { forgotten: boolean };
  'rows:page': RowPage;
  'rows:get': RowDetail;
  'view:open': ViewInfo;
  'view:page': RowPage;
  'filter:check': { where: string | null; count: number };
  'column:top-values': { values: Array<{ value: string; count: number }>; distinct: number; rows: number };
  'dataset:info': DatasetInfo;
  'dataset:display': DatasetInfo;
  /** Writes answer with the dataset as it is after them (version, schema, row count). */
  'evolve:add-label-column': Committed;
  'evolve:preview-derived': { type: string; values: Array<string | number | boolean | null> };
  'evolve:add-derived': Committed;
  'evolve:rename-column': Committed;
  'evolve:drop-column': Committed;
  'labels:plan': { rows: number; bytes: number };
  /** reopenView: rows moved in a way the open views could not follow; open the view again. */
  'labels:set': Committed & { updated: number; reopenView: boolean };
  'labels:merge-preview': MergePreview;
  'labels:merge': Committed & { updated: number; added: string[] };
  'versions:list': VersionEntry[];
  'versions:compare': VersionDiff;
  /** The window opens the dataset again after a restore (a new session), so only the version. */
  'versions:restore': { version: number };
  'versions:cleanup-plan': CleanupPlan;
  'versions:cleanup': { removedVersions: number; removedFiles: number; bytes: number };
  'tags:change': { tags: Record<string, number> };
  'index:list': IndexSummary[];
  /** estimateSeconds: how long the build should take on this machine class (LanceDB gives no progress). */
  'index:build': { jobId: string; estimateSeconds: number };
  'export:default-path': { path: string };
  'export:start': { jobId: string; path: string; rows: number };
  /** defaultTarget: where the dialog suggests saving, for the repo and folder asked about. */
  'hub:plan': DownloadPlan & { defaultTarget: string };
  'hub:download': { jobId: string; target: string };
  'hub:incomplete': IncompleteDownload[];
  'hub:discard': { discarded: boolean };
  'hub:token-status': { source: 'typed' | 'env' | 'none'; canStore: boolean };
  'hub:set-token': { source: 'typed' | 'env' | 'none'; stored: boolean };
  'view:materialize': { jobId: string; target: string; rows: number };
  'recent:list': RecentEntry[];
  'recent:forget': RecentEntry[];
  'demo:status': DemoStatus;
  'demo:build': { jobId: string };
  'job:cancel': { cancelled: boolean };
  'job:status': { running: boolean; progress: JobProgress | null; finished: JobFinished | null };
  /** null when the person closed the dialog. */
  'dialog:pick-dataset': { path: string } | null;
  'model:status': ModelStatus;
  /** present: the files are already in the cache (nothing to fetch). */
  'model:plan': DownloadPlan & { present: boolean };
  'model:download': { jobId: string; target: string };
  'model:use-folder': ModelStatus;
  'query:image': { imageId: string; width: number; height: number; format: string };
  'embed:models': InstalledModel[];
  'embed:plan': EmbedPlan;
  'embed:start': { jobId: string };
  'embed:discard': { discarded: boolean };
  'advisor:start': { jobId: string };
  'advisor:report': AdvisorReport;
  'stats:status': StatsStatus;
  'near:status': NearStatus;
  'map:status': MapStatus;
  'map:start': { jobId: string };
  'map:points': MapPoints;
  'map:colours': MapColours;
  'map:mask': { count: number; inView: number; mask: string };
  'near:start': { jobId: string };
  'near:count': NearCount;
  'stats:start': { jobId: string };
  'stats:view': ViewStats;
  'duplicates:plan': ResolvePlan;
  'duplicates:mark': Committed & { marked: number; groups: number };
}

export type Requests = { [C in Channel]: z.input<(typeof requestSchemas)[C]> };

export interface EventPayloads {
  'job:progress': JobProgress;
  'job:finished': JobFinished;
}

/** The API the renderer sees: one function per channel plus `on` for events. */
export type Api = {
  [M in ApiMethod]: (req: Requests[(typeof CHANNELS)[M]]) => Promise<Result<Responses[(typeof CHANNELS)[M]]>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
};
