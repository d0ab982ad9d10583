// Everything the dispatch function and the image route need, wired once per process.
// Electron's shell and the web bridge each build one of these; tests build their own.
import path from 'node:path';
import { AppEvents, JobRegistry } from './jobs';
import { DatasetService } from './dataset-service';
import { ViewService } from './views';
import { IndexService } from './index-builder';
import { RecentStore } from './recent';
import { DemoManager } from './demo/demo-manager';
import { defaultDataDir, defaultDemoPath } from './paths';

export interface Platform {
  carrier: 'electron' | 'web';
  /** A native folder picker; absent over the web bridge. */
  pickFolder?: () => Promise<string | null>;
}

export interface AppServicesOptions {
  dataDir?: string;
  demoPath?: string;
  /** Build a smaller demo (tests). */
  demoRows?: number;
  platform: Platform;
  version?: string;
  startupPath?: string | null;
}

export interface AppServices {
  events: AppEvents;
  jobs: JobRegistry;
  datasets: DatasetService;
  views: ViewService;
  indices: IndexService;
  recent: RecentStore;
  demo: DemoManager;
  platform: Platform;
  version: string;
  startupPath: string | null;
  dispose(): void;
}

export function createAppServices(opts: AppServicesOptions): AppServices {
  const dataDir = opts.dataDir ?? defaultDataDir();
  const demoPath = opts.demoPath ?? defaultDemoPath();
  const events = new AppEvents();
  const jobs = new JobRegistry(events);
  const datasets = new DatasetService({ demoPath });
  const views = new ViewService(datasets);
  return {
    events,
    jobs,
    datasets,
    views,
    indices: new IndexService(datasets, views, jobs),
    recent: new RecentStore(path.join(dataDir, 'recent.json')),
    demo: new DemoManager(demoPath, jobs, opts.demoRows),
    platform: opts.platform,
    version: opts.version ?? '0.1.0',
    startupPath: opts.startupPath ?? null,
    dispose: () => datasets.closeAll(),
  };
}
