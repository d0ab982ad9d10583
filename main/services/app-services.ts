// Everything the dispatch function and the image route need, wired once per process.
// Electron's shell and the web bridge each build one of these; tests build their own.
import path from 'node:path';
import { AppEvents, JobRegistry } from './jobs';
import { DatasetService } from './dataset-service';
import { ViewService } from './views';
import { IndexService } from './index-builder';
import { IndexCatalogue } from './index-catalogue';
import { VersionService } from './versions';
import { LabelService } from './labels';
import { HubService, type SecretStore } from './hub/hub-service';
import { RecentStore } from './recent';
import { Journal } from './journal';
import { DemoManager } from './demo/demo-manager';
import { defaultDataDir, defaultDemoPath } from './paths';

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
  platform: Platform;
  version?: string;
  startupPath?: string | null;
  /** Where HF_ENDPOINT and HF_TOKEN are read (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

export interface AppServices {
  events: AppEvents;
  jobs: JobRegistry;
  datasets: DatasetService;
  views: ViewService;
  indices: IndexService;
  versions: VersionService;
  labels: LabelService;
  hub: HubService;
  recent: RecentStore;
  demo: DemoManager;
  platform: Platform;
  /** Where the app keeps its own files (recent list, downloads, saved subsets). */
  dataDir: string;
  version: string;
  startupPath: string | null;
  dispose(): void;
}

export function createAppServices(opts: AppServicesOptions): AppServices {
  const dataDir = opts.dataDir ?? defaultDataDir();
  const demoPath = opts.demoPath ?? defaultDemoPath();
  const events = new AppEvents();
  const jobs = new JobRegistry(events);
  const datasets = new DatasetService({ demoPath, journal: new Journal(path.join(dataDir, 'journal')) });
  const catalogue = new IndexCatalogue(datasets);
  const views = new ViewService(datasets, catalogue);
  return {
    events,
    jobs,
    datasets,
    views,
    indices: new IndexService(datasets, catalogue, jobs),
    versions: new VersionService(datasets),
    labels: new LabelService(datasets, views),
    hub: new HubService(jobs, dataDir, opts.platform.secrets ?? null, opts.env ?? process.env),
    recent: new RecentStore(path.join(dataDir, 'recent.json')),
    demo: new DemoManager(demoPath, jobs, opts.demoRows),
    platform: opts.platform,
    dataDir,
    version: opts.version ?? '0.1.0',
    startupPath: opts.startupPath ?? null,
    dispose: () => datasets.closeAll(),
  };
}
