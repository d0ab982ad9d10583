// Everything the dispatch function and the image route need, wired once per process.
// Electron's shell and the web bridge each build one of these; tests build their own.
import path from 'node:path';
import { AppEvents, JobRegistry } from './jobs/jobs';
import { DatasetService } from './dataset/dataset-service';
import { ViewService } from './views/views';
import { IndexService } from './writes/index-builder';
import { IndexCatalogue } from './views/index-catalogue';
import { IndexSettings } from './views/index-settings';
import { VersionService } from './versions/versions';
import { LabelService } from './writes/labels';
import { HubService } from './hub/hub-service';
import type { SecretStore } from './support/secret-store';
import { ModelsService } from './models/models-service';
import { EmbedService } from './writes/embed-column';
import { IndexAdvisor } from './writes/index-advisor';
import { StatsService } from './stats/stats-service';
import { NearDuplicates } from './near/near-service';
import { MapService } from './map/map-service';
import { DuplicateResolver } from './writes/resolve-duplicates';
import { RecentStore } from './dataset/recent';
import { Journal } from './dataset/journal';
import { DisplayPrefs } from './dataset/display-prefs';
import { ImageReferences } from './dataset/image-references';
import { DemoManager } from './demo/demo-manager';
import { ExportService } from './export/export';
import { MaterializeService } from './export/materialize';
import { failure } from './support/errors';
import { defaultDataDir, defaultDemoPath } from './support/paths';
import { CredentialVault } from './dataset/credential-vault';
import type { Credentials, RemoteOptions } from './dataset/storage-options';
import { isFarUri } from './dataset/dataset-locate';
import type { AppInfo, DatasetInfo, InspectResult } from '../../shared/types';

export interface Platform {
  carrier: 'electron' | 'web';
  /** A native folder picker; absent over the web bridge. */
  pickFolder?: () => Promise<string | null>;
  /** Encryption at rest for the Hub token (Electron's safeStorage); absent over the web bridge. */
  secrets?: SecretStore;
}

export interface AppServicesOptions {
  dataDir?: string;
  demoPath?: string;
  /** Build a smaller demo (tests). */
  demoRows?: number;
  /** Each filter-driven query's time budget in ms (tests use a tiny one). */
  queryBudgetMs?: number;
  /** How long a page, a row or an image may take to read in ms (tests use a short one). */
  readWaitMs?: number;
  platform: Platform;
  version?: string;
  startupPath?: string | null;
  /** Where HF_ENDPOINT and HF_TOKEN are read (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

type CredentialRequest = { storage?: Record<string, string> | undefined; remote?: RemoteOptions | undefined };

export interface AppServices {
  events: AppEvents;
  jobs: JobRegistry;
  datasets: DatasetService;
  views: ViewService;
  indices: IndexService;
  versions: VersionService;
  labels: LabelService;
  hub: HubService;
  models: ModelsService;
  embeddings: EmbedService;
  advisor: IndexAdvisor;
  stats: StatsService;
  near: NearDuplicates;
  map: MapService;
  duplicates: DuplicateResolver;
  recent: RecentStore;
  demo: DemoManager;
  exports: ExportService;
  subsets: MaterializeService;
  platform: Platform;
  /** Where the app keeps its own files (recent list, downloads, saved subsets). */
  dataDir: string;
  version: string;
  startupPath: string | null;
  /** What the window needs to know at start. */
  info(): AppInfo;
  /** Open a dataset (an older version or tag read-only) and remember it in the recent list. */
  open(req: { path: string; table?: string | undefined; version?: number | undefined; tag?: string | undefined } & CredentialRequest): Promise<DatasetInfo>;
  inspect(req: { path: string } & CredentialRequest): Promise<InspectResult>;
  /** Credentials kept for buckets and LanceDB Cloud databases (encrypted on the desktop). */
  credentials: CredentialVault;
  /** The platform's folder picker (desktop only). */
  pickDataset(): Promise<{ path: string } | null>;
  dispose(): void;
}

export function createAppServices(opts: AppServicesOptions): AppServices {
  const dataDir = opts.dataDir ?? defaultDataDir();
  const demoPath = opts.demoPath ?? defaultDemoPath();
  const events = new AppEvents();
  const jobs = new JobRegistry(events);
  const datasets = new DatasetService({ demoPath, journal: new Journal(path.join(dataDir, 'journal')), display: new DisplayPrefs(path.join(dataDir, 'display.json')), imageReferences: new ImageReferences(path.join(dataDir, 'image-cache')), ...(opts.readWaitMs ? { readWaitMs: opts.readWaitMs } : {}) });
  const catalogue = new IndexCatalogue(datasets);
  const credentials = new CredentialVault(opts.platform.secrets ?? null);
  /** Credentials typed with the request, if any. */
  const typedWith = (req: CredentialRequest): Credentials | undefined =>
    req.storage || req.remote ? { ...(req.storage ? { storage: req.storage } : {}), ...(req.remote ? { remote: req.remote } : {}) } : undefined;
  /** Credentials typed with the request, else those kept for its bucket or database. */
  const credentialsFor = async (req: { path: string } & CredentialRequest): Promise<Credentials | undefined> =>
    typedWith(req) ?? (isFarUri(req.path) ? ((await credentials.recall(req.path)) ?? undefined) : undefined);
  const hub = new HubService(jobs, dataDir, opts.platform.secrets ?? null, opts.env ?? process.env);
  const models = new ModelsService(hub, dataDir, opts.env ?? process.env);
  const indexSettings = new IndexSettings(path.join(dataDir, 'index-search.json'));
  const near = new NearDuplicates(datasets, jobs, dataDir);
  const views = new ViewService(datasets, catalogue, opts.queryBudgetMs, models, indexSettings, near);
  const recent = new RecentStore(path.join(dataDir, 'recent.json'));
  const demo = new DemoManager(demoPath, jobs, opts.demoRows);
  const version = opts.version ?? '0.1.0';
  const startupPath = opts.startupPath ?? null;
  return {
    events,
    jobs,
    datasets,
    views,
    indices: new IndexService(datasets, catalogue, jobs, indexSettings),
    versions: new VersionService(datasets),
    labels: new LabelService(datasets, views),
    hub,
    models,
    embeddings: new EmbedService(datasets, models, jobs, dataDir),
    advisor: new IndexAdvisor(datasets, jobs, dataDir),
    stats: new StatsService(datasets, jobs, dataDir),
    near,
    map: new MapService(datasets, jobs, dataDir),
    duplicates: new DuplicateResolver(datasets, views),
    recent,
    demo,
    exports: new ExportService(datasets, views, jobs),
    subsets: new MaterializeService(datasets, views, jobs, dataDir),
    platform: opts.platform,
    credentials,
    dataDir,
    version,
    startupPath,
    info: () => ({ version, carrier: opts.platform.carrier, demoPath: demo.path, canPickFolder: !!opts.platform.pickFolder, startupPath, openSessions: datasets.openCount(), imageCache: { bytes: datasets.images.cachedBytes, capacityBytes: datasets.images.capacityBytes } }),
    async inspect(req) {
      return datasets.inspect(req.path, await credentialsFor(req));
    },
    async open(req) {
      const at = req.version !== undefined || req.tag !== undefined ? { ...(req.version !== undefined ? { version: req.version } : {}), ...(req.tag !== undefined ? { tag: req.tag } : {}) } : undefined;
      // Credentials typed now, else those kept for the bucket or database; the recent list keeps the address alone.
      const info = await datasets.openDataset(req.path, req.table, at, await credentialsFor(req));
      const typed = typedWith(req);
      // They worked: kept for the next table, version or run (encrypted on the desktop; this run only over the bridge).
      if (typed) await credentials.remember(req.path, typed);
      if (at) return info; // a read-only look at an old version is not a "recent dataset" of its own
      // Remembering is a convenience: a read-only data folder must not stop the dataset opening.
      await recent.add({ path: info.path, table: info.table, name: info.name, openedAt: new Date().toISOString(), rowCount: info.rowCount }).catch(() => {});
      return info;
    },
    async pickDataset() {
      if (!opts.platform.pickFolder) throw failure('UNSUPPORTED', 'Folder picking needs the desktop app; type the dataset path instead.');
      const picked = await opts.platform.pickFolder();
      return picked ? { path: picked } : null;
    },
    dispose: () => {
      datasets.closeAll();
      void models.close();
    },
  };
}
