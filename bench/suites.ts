// The suites `npm run bench -- all` runs, in order. A new suite (ui, hostile, meaning, overview, map,
// remote) is a function of a SuiteContext (bench/suite.ts) that reports through its Figures, listed here.
import { browseBench } from './browse';
import { searchBench } from './search';
import { evolveBench } from './evolve';
import { downloadBench } from './download';
import { hostileBench } from './hostile';
import { uiBench } from './ui';
import { meaningBench } from './meaning';
import { overviewBench } from './overview';
import { mapBench } from './map';
import { tableBench } from './table';
import { remoteBench } from './remote';
import type { SuiteFn } from './suite';

export const SUITES: Record<string, SuiteFn> = {
  browse: browseBench,
  search: searchBench,
  evolve: evolveBench,
  download: downloadBench,
  hostile: hostileBench,
  ui: uiBench,
  meaning: meaningBench,
  overview: overviewBench,
  map: mapBench,
  table: tableBench,
  remote: remoteBench,
};
