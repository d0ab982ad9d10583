// LanceDB and apache-arrow, loaded through one CommonJS `require`.
// Why: LanceDB is CommonJS and requires apache-arrow itself; an ESM `import` of apache-arrow can load
// a second copy whose tables fail LanceDB's instanceof checks (large_binary columns then fail with
// "Unrecognized type id in schema: 19"). Everything in this app goes through these two handles.
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);

// LanceDB logs a warning per query in some cases (e.g. small-index k-means); the app reports errors itself.
process.env.LANCEDB_LOG ??= 'error';

// LanceDB's query memory pool is 100 MB unless told otherwise; a merge by key of a million rows (one
// version for a column written for every row) needs more: see writes/merge-by-key.ts. A quarter of
// this machine's memory, between 512 MB and 4 GB; a value the person set is kept. Read by LanceDB
// when a query starts, so it must be set before the first one.
process.env.LANCE_MEM_POOL_SIZE ??= String(Math.round(Math.min(4 * 1024 ** 3, Math.max(512 * 1024 ** 2, os.totalmem() / 4))));

// object_store takes BASE_URL from the environment for Google Cloud Storage; a relative one (vite and
// its test runner set "/") made every gs:// request panic inside LanceDB ("RelativeUrlWithoutBase").
// It means nothing to this app: an absolute one is left, anything else dropped before the first connect.
if (process.env.BASE_URL !== undefined && !/^https?:\/\//i.test(process.env.BASE_URL)) delete process.env.BASE_URL;

export const lancedb = require('@lancedb/lancedb') as typeof import('@lancedb/lancedb');
export const arrow = require('apache-arrow') as typeof import('apache-arrow');

export type LanceTable = import('@lancedb/lancedb').Table;
export type LanceConnection = import('@lancedb/lancedb').Connection;
export type ArrowTable = import('apache-arrow').Table;
export type ArrowField = import('apache-arrow').Field;
export type ArrowSchema = import('apache-arrow').Schema;
