// Channel and event names: the one runtime list shared by main, preload and the web client.
// Kept free of any schema library so the sandboxed preload bundle stays tiny.

/** API method name (as the renderer calls it) -> channel name on the wire. */
export const CHANNELS = {
  appInfo: 'app:info',
  noteActivity: 'app:activity',
  inspectPath: 'dataset:inspect',
  openDataset: 'dataset:open',
  closeDataset: 'dataset:close',
  forgetCredentials: 'credentials:forget',
  addLabelColumn: 'evolve:add-label-column',
  previewDerivedColumn: 'evolve:preview-derived',
  addDerivedColumn: 'evolve:add-derived',
  renameColumn: 'evolve:rename-column',
  dropColumn: 'evolve:drop-column',
  planLabels: 'labels:plan',
  setLabels: 'labels:set',
  previewMerge: 'labels:merge-preview',
  mergeLabels: 'labels:merge',
  listVersions: 'versions:list',
  compareVersions: 'versions:compare',
  restoreVersion: 'versions:restore',
  planCleanup: 'versions:cleanup-plan',
  cleanUp: 'versions:cleanup',
  changeTag: 'tags:change',
  datasetInfo: 'dataset:info',
  setDisplay: 'dataset:display',
  getPage: 'rows:page',
  getRow: 'rows:get',
  openView: 'view:open',
  getViewPage: 'view:page',
  checkFilter: 'filter:check',
  topValues: 'column:top-values',
  defaultExportPath: 'export:default-path',
  startExport: 'export:start',
  saveAsTable: 'view:materialize',
  listIndices: 'index:list',
  buildIndex: 'index:build',
  planDownload: 'hub:plan',
  startDownload: 'hub:download',
  listIncompleteDownloads: 'hub:incomplete',
  discardDownload: 'hub:discard',
  hubTokenStatus: 'hub:token-status',
  setHubToken: 'hub:set-token',
  listRecent: 'recent:list',
  forgetRecent: 'recent:forget',
  demoStatus: 'demo:status',
  buildDemo: 'demo:build',
  cancelJob: 'job:cancel',
  jobStatus: 'job:status',
  pickDatasetFolder: 'dialog:pick-dataset',
  modelStatus: 'model:status',
  planModel: 'model:plan',
  downloadModel: 'model:download',
  useModelFolder: 'model:use-folder',
  putQueryImage: 'query:image',
  installedModels: 'embed:models',
  planEmbedding: 'embed:plan',
  startEmbedding: 'embed:start',
  discardEmbedding: 'embed:discard',
  adviseIndex: 'advisor:start',
  advisorReport: 'advisor:report',
  statsStatus: 'stats:status',
  startStats: 'stats:start',
  viewStats: 'stats:view',
  nearStatus: 'near:status',
  startNear: 'near:start',
  nearCount: 'near:count',
  mapStatus: 'map:status',
  startMap: 'map:start',
  mapPoints: 'map:points',
  mapColours: 'map:colours',
  mapMask: 'map:mask',
  planResolve: 'duplicates:plan',
  markDuplicates: 'duplicates:mark',
} as const;

export type ApiMethod = keyof typeof CHANNELS;
export type Channel = (typeof CHANNELS)[ApiMethod];

export const CHANNEL_NAMES: readonly Channel[] = Object.values(CHANNELS);

/** Events pushed from main to the renderer. */
export const EVENTS = {
  jobProgress: 'job:progress',
  jobFinished: 'job:finished',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];
export const EVENT_NAMES: readonly EventName[] = Object.values(EVENTS);

/** Ids minted by main (dataset sessions, views, jobs): short and url-safe; the contract and the image route check them. */
export const ID_PATTERN = '[A-Za-z0-9_-]{1,64}';

/** Path prefix of image URLs, identical in Electron (custom scheme) and over the web bridge (HTTP). */
export const IMAGE_ROUTE = '/image/';
/** Several rows' images in one response (`/images/<dataset>?rows=1,2,3`): see shared/image-batch.ts. */
export const IMAGES_ROUTE = '/images/';
/** The privileged scheme the Electron window is served from. */
export const APP_SCHEME = 'lance-explorer';
export const APP_HOST = 'app';
