// Where the e2e suite keeps its cached datasets (outside git) and finds the app.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = process.env.LANCE_EXPLORER_E2E_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'lance-explorer', 'e2e');
/** The full demo dataset, built once. */
export const DEMO = path.join(CACHE, 'demo', 'laion-demo.lance');
/** A generated 100k-row LAION-shaped table for the scroll test. */
export const BIG_DIR = path.join(CACHE, 'scroll-100k');
export const BIG = path.join(BIG_DIR, 'laion.lance');
export const BIG_ROWS = 100_000;
/** Small damaged or odd datasets, rebuilt each run. */
export const FIXTURES = path.join(CACHE, 'fixtures');
