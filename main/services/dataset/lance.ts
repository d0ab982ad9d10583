// LanceDB and apache-arrow, loaded through one CommonJS `require`.
// Why: LanceDB is CommonJS and requires apache-arrow itself; an ESM `import` of apache-arrow can load
// a second copy whose tables fail LanceDB's instanceof checks (large_binary columns then fail with
// "Unrecognized type id in schema: 19"). Everything in this app goes through these two handles.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// LanceDB logs a warning per query in some cases (e.g. small-index k-means); the app reports errors itself.
process.env.LANCEDB_LOG ??= 'error';

export const lancedb = require('@lancedb/lancedb') as typeof import('@lancedb/lancedb');
export const arrow = require('apache-arrow') as typeof import('apache-arrow');

export type LanceTable = import('@lancedb/lancedb').Table;
export type LanceConnection = import('@lancedb/lancedb').Connection;
export type ArrowTable = import('apache-arrow').Table;
export type ArrowField = import('apache-arrow').Field;
export type ArrowSchema = import('apache-arrow').Schema;
