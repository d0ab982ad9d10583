// Inputs an attacker would send to the app: mutations of valid requests for every channel, hostile
// strings, generated SQL, and valid shapes carrying them. Shared by the fuzz test (main/bridge/
// fuzz.test.ts) and `npm run bench -- hostile`, so both replay the same attack classes.
import fc from 'fast-check';
import path from 'node:path';
import type { Channel } from '../../shared/channels';

export interface Targets {
  datasetId: string;
  viewId: string;
  tablePath: string;
  /** A scratch folder for paths the requests name. */
  dir: string;
}

export function validRequest(t: Targets, channel: Channel): Record<string, unknown> {
  const id = t.datasetId;
  const viewId = t.viewId;
  const tablePath = t.tablePath;
  const inside = (name: string) => path.join(t.dir, 'out', name);
  const seeds: Record<Channel, Record<string, unknown>> = {
    'app:info': {},
    'app:activity': {},
    'dataset:inspect': { path: tablePath },
    'dataset:open': { path: tablePath },
    'dataset:close': { id: 'unknownSession' },
    'credentials:forget': { path: 's3://bucket' },
    'rows:page': { id, offset: 0, limit: 10 },
    'rows:get': { id, rowId: '1' },
    'view:open': { id, spec: { kind: 'browse', sort: { column: 'similarity', descending: true } } },
    'view:page': { id, viewId, offset: 0, limit: 5 },
    'column:top-values': { id, column: 'NSFW', limit: 10 },
    'filter:check': { id, filter: { conditions: [{ column: 'caption', op: 'contains', value: 'dog' }], sql: 'width > 10' } },
    'dataset:info': { id },
    'dataset:display': { id, caption: 'caption' },
    'evolve:add-label-column': { id, name: 'fuzz_label', type: 'category', categories: ['a', 'b'] },
    'evolve:preview-derived': { id, name: 'fuzz_area', expression: 'width * height' },
    'evolve:add-derived': { id, name: 'fuzz_area', expression: 'width * height' },
    'evolve:rename-column': { id, from: 'fuzz_label', to: 'fuzz_label2' },
    'evolve:drop-column': { id, column: 'fuzz_label2' },
    'labels:plan': { id, viewId: null, positions: [0, 1] },
    'labels:set': { id, viewId: null, column: 'fuzz_label', value: 'a', positions: [0] },
    'labels:merge-preview': { id, path: inside('labels.csv') },
    'labels:merge': { id, path: inside('labels.csv'), expectedMatched: 1 },
    'versions:list': { id },
    'versions:compare': { id, from: 1, to: 2 },
    'versions:restore': { id, version: 1 },
    'versions:cleanup-plan': { id, olderThanDays: 7, includeRecentUnfinished: false },
    'versions:cleanup': { id, olderThanDays: 7, includeRecentUnfinished: false, expectedBytes: 12345 },
    'tags:change': { id, action: 'create', tag: 'fuzz', version: 1 },
    'index:list': { id },
    'index:build': { id, column: 'caption', kind: 'fts' },
    'export:default-path': { id, format: 'csv' },
    'export:start': { id, viewId: null, format: 'jsonl', columns: ['caption'], path: inside('export.jsonl') },
    'hub:plan': { repo: 'owner/name', revision: 'main', folder: 'data' },
    'hub:download': { repo: 'owner/name', revision: 'main', folder: 'data', target: inside('download') },
    'hub:incomplete': {},
    'hub:discard': { target: inside('download') },
    'hub:token-status': {},
    'hub:set-token': { token: null, remember: false },
    'view:materialize': { id, viewId: null, columns: ['caption'], target: inside('subset.lance') },
    'recent:list': {},
    'recent:forget': { path: tablePath, table: 'train' },
    'demo:status': {},
    'demo:build': {},
    'job:cancel': { jobId: 'nojob' },
    'job:status': { jobId: 'nojob' },
    'dialog:pick-dataset': {},
    'model:status': { id, column: 'img_emb' },
    'model:plan': { repo: 'owner/name', revision: 'main', dtype: 'q8' },
    'model:download': { id, column: 'img_emb', repo: 'owner/name', revision: 'main', dtype: 'q8' },
    'model:use-folder': { id, column: 'img_emb', path: inside('model'), dtype: 'q8' },
    'query:image': { id, bytes: 'iVBORw0KGgo=' },
    'embed:models': {},
    'embed:plan': { id, imageColumn: 'image', column: 'fuzz_emb', model: { dir: inside('model'), dtype: 'q8' } },
    'embed:start': { id, imageColumn: 'image', column: 'fuzz_emb', model: { dir: inside('model'), dtype: 'q8' } },
    'embed:discard': { id, column: 'fuzz_emb' },
    'advisor:start': { id, column: 'img_emb', queries: 5 },
    'advisor:report': { jobId: 'nojob' },
    'stats:status': { id },
    'stats:start': { id },
    'near:status': { id, column: 'img_emb' },
    'near:start': { id, column: 'img_emb' },
    'near:count': { id, column: 'img_emb', threshold: 0.94 },
    'map:status': { id },
    'map:start': { id, column: 'img_emb', mode: 'make' },
    'map:points': { id },
    'map:colours': { id, column: 'NSFW' },
    'map:mask': { id, viewId },
    'stats:view': { id, viewId },
    'duplicates:plan': { id, viewId },
    'duplicates:mark': { id, viewId, group: 0, column: 'duplicate_of', expectedRedundant: 0 },
  };
  return seeds[channel];
}

/** Strings that have broken parsers, SQL planners and object lookups elsewhere. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    '__proto__', 'constructor', 'prototype', '', ' ', '\0', 'a\0b', "'", '"', '`', '\\', '%', '%00', '../..', '/', '.', '..',
    '$1', '?', ':x', "N'x'", "B'01'", "X'ff'", "E'\\n'", '1e309', '-0', 'NaN', 'Infinity', '9'.repeat(30),
    "caption = 'a' OR 1=1 --", 'width > 0; DROP TABLE x', 'length(repeat(caption, 1000)) > 0', '((((((((((1))))))))))',
    '\u202e', '\ud800', '🐕'.repeat(50), 'é'.normalize('NFD'), 'x'.repeat(5000),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
/** Expressions built from the dataset's columns, functions (allowed or not), operators and literals. */
export const sqlish: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('width', 'height', 'similarity', 'caption', 'NSFW', 'key', 'img_emb', '`odd name`', 'nope', '1', '0', '-1', '2.5', "'a'", "''", 'NULL', 'TRUE', '9223372036854775807'),
    fc.tuple(tie('e'), fc.constantFrom('=', '<>', '<', '>=', '+', '-', '*', '/', '%', '||', 'AND', 'OR', 'LIKE', 'IS NOT', 'IN'), tie('e')).map(([a, op, b]) => (op === 'IN' ? `${a} IN (${b})` : `${a} ${op} ${b}`)),
    fc.tuple(fc.constantFrom('lower', 'length', 'abs', 'regexp_like', 'concat', 'coalesce', 'CAST', 'repeat', 'lpad', 'range', 'arrow_cast', 'sum', 'now'), fc.array(tie('e'), { maxLength: 3 })).map(([f, args]) =>
      f === 'CAST' ? `CAST(${args[0] ?? 'width'} AS DOUBLE)` : `${f}(${args.join(', ')})`,
    ),
    tie('e').map((e) => `(${e})`),
    tie('e').map((e) => `NOT ${e}`),
  ),
})).e;

export const anyValue = fc.oneof(fc.anything({ maxDepth: 2, maxKeys: 4 }), hostileString, fc.integer(), fc.double(), fc.constant(null), fc.constant(-1), fc.constant(2 ** 60));

/** Replace a value somewhere in a request (one level into nested objects and arrays). */
export function mutate(seed: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(seed);
  const withKey = (k: string, v: unknown) => ({ ...seed, [k]: v });
  const variants: fc.Arbitrary<unknown>[] = [
    fc.tuple(hostileString, anyValue).map(([k, v]) => withKey(k, v)), // an extra field
    anyValue, // not an object at all, or an unrelated one
  ];
  if (keys.length) {
    variants.push(fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(seed).filter(([key]) => key !== k)))); // one dropped
    variants.push(fc.tuple(fc.constantFrom(...keys), anyValue).map(([k, v]) => withKey(k, v))); // one replaced by anything
    variants.push(fc.tuple(fc.constantFrom(...keys), hostileString).map(([k, v]) => withKey(k, v))); // one replaced by a hostile string
    const nested = keys.filter((k) => seed[k] !== null && typeof seed[k] === 'object');
    if (nested.length) {
      variants.push(
        fc.tuple(fc.constantFrom(...nested), hostileString, anyValue).map(([k, inner, v]) => {
          const n = seed[k];
          if (Array.isArray(n)) return withKey(k, [...n, v]);
          return withKey(k, { ...(n as object), [inner]: v });
        }),
      );
    }
  }
  return fc.oneof(...variants);
}

/** Valid requests whose strings are hostile: the validator lets them through, the services must cope. */
export const hostileButValid = (t: Targets): Array<(s: string, sql: string) => [Channel, unknown]> => {
  const datasetId = t.datasetId;
  const tmp = { dir: t.dir };
  return [
  (_, sql) => ['filter:check', { id: datasetId, filter: { conditions: [], sql } }],
  (_, sql) => ['view:open', { id: datasetId, spec: { kind: 'browse', filter: { conditions: [], sql } } }],
  (_, sql) => ['evolve:preview-derived', { id: datasetId, name: 'fuzz_derived', expression: sql }],
  (s) => ['filter:check', { id: datasetId, filter: { conditions: [], sql: s } }],
  (s) => ['filter:check', { id: datasetId, filter: { conditions: [{ column: s, op: 'eq', value: s }] } }],
  (s) => ['filter:check', { id: datasetId, filter: { conditions: [{ column: 'caption', op: 'contains', value: s }] } }],
  (s) => ['view:open', { id: datasetId, spec: { kind: 'browse', sort: { column: s, descending: false } } }],
  (s) => ['view:open', { id: datasetId, spec: { kind: 'search', text: s.trim() ? s : 'x', column: 'caption', limit: 5 } }],
  (s) => ['view:open', { id: datasetId, spec: { kind: 'browse', filter: { conditions: [{ column: 'width', op: 'in', values: [s, 1] }] } } }],
  (s) => ['evolve:preview-derived', { id: datasetId, name: 'x', expression: s }],
  (s) => ['evolve:add-label-column', { id: datasetId, name: s || 'x', type: 'text' }],
  (s) => ['tags:change', { id: datasetId, action: 'create', tag: s || 'x', version: 1 }],
  (s) => ['dataset:inspect', { path: s || 'x' }],
  (s) => ['rows:get', { id: datasetId, rowId: /^\d{1,20}$/.test(s) ? s : '18446744073709551615' }],
  (s) => ['hub:plan', { repo: s.length >= 3 ? s : 'a/b', revision: s, folder: s }],
  (s) => ['labels:merge-preview', { id: datasetId, path: path.join(tmp.dir, s || 'x') }],
];
};
