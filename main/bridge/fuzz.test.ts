// A seeded, bounded fuzz of every channel in the contract, through the bridge as a page would reach it.
// Payloads are mutations of a valid request (a field dropped, replaced by anything, an extra field),
// valid shapes carrying hostile strings (quotes, NUL, `__proto__`, planner bait, odd unicode), and
// arbitrary JSON. Every reply must be a Result over HTTP 2xx/4xx, never 5xx; input the contract calls
// invalid must never answer INTERNAL; and the server must still serve afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startBridge, type Bridge } from './server';
import { createAppServices } from '../services/app-services';
import { laionTable, tempDir } from '../test-support/fixtures';
import { CHANNEL_NAMES, type Channel } from '../../shared/channels';
import { requestSchemas } from '../../shared/contract';

const SEED = 20261201;
const tmp = tempDir();
let bridge: Bridge;
let datasetId = '';
let viewId = '';
let tablePath = '';

function post(pathname: string, body: string, contentType = 'application/json') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: bridge.port, path: pathname, method: 'POST', headers: { Authorization: `Bearer ${bridge.token}`, Origin: bridge.url, 'Content-Type': contentType } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  tablePath = await laionTable(tmp.dir, 'train', 60);
  await fs.mkdir(path.join(tmp.dir, 'renderer'), { recursive: true });
  await fs.writeFile(path.join(tmp.dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
  // A hub endpoint that refuses connections: downloads fail fast instead of reaching for the internet.
  const services = createAppServices({
    dataDir: path.join(tmp.dir, 'home'),
    demoPath: path.join(tmp.dir, 'demo.lance'),
    platform: { carrier: 'web' },
    env: { HF_ENDPOINT: 'http://127.0.0.1:9' },
    demoRows: 20,
  });
  bridge = await startBridge({ services, rendererDir: path.join(tmp.dir, 'renderer') });
  const opened = JSON.parse((await post('/api/dataset:open', JSON.stringify({ path: tablePath }))).body);
  datasetId = opened.value.id;
  const view = JSON.parse((await post('/api/view:open', JSON.stringify({ id: datasetId, spec: { kind: 'browse', filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNLIKELY' }] } } }))).body);
  viewId = view.value.viewId;
}, 60_000);
afterAll(async () => {
  await bridge.close();
  tmp.cleanup();
});

/** One valid request per channel: the starting point the mutations work from. */
function validRequest(channel: Channel): Record<string, unknown> {
  const id = datasetId;
  const inside = (name: string) => path.join(tmp.dir, 'out', name);
  const seeds: Record<Channel, Record<string, unknown>> = {
    'app:info': {},
    'dataset:inspect': { path: tablePath },
    'dataset:open': { path: tablePath },
    'dataset:close': { id: 'unknownSession' },
    'rows:page': { id, offset: 0, limit: 10 },
    'rows:get': { id, rowId: '1' },
    'view:open': { id, spec: { kind: 'browse', sort: { column: 'similarity', descending: true } } },
    'view:page': { id, viewId, offset: 0, limit: 5 },
    'filter:check': { id, filter: { conditions: [{ column: 'caption', op: 'contains', value: 'dog' }], sql: 'width > 10' } },
    'dataset:info': { id },
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
  };
  return seeds[channel];
}

/** Strings that have broken parsers, SQL planners and object lookups elsewhere. */
const hostileString = fc.oneof(
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
const sqlish: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
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

const anyValue = fc.oneof(fc.anything({ maxDepth: 2, maxKeys: 4 }), hostileString, fc.integer(), fc.double(), fc.constant(null), fc.constant(-1), fc.constant(2 ** 60));

/** Replace a value somewhere in a request (one level into nested objects and arrays). */
function mutate(seed: Record<string, unknown>): fc.Arbitrary<unknown> {
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
const hostileButValid: Array<(s: string, sql: string) => [Channel, unknown]> = [
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

type Reply = { status: number; result: { ok: boolean; error?: { code: string; message: string } } | null };

async function send(channel: string, payload: unknown, raw?: string): Promise<Reply> {
  let name: string;
  try {
    name = encodeURIComponent(channel).replace(/%3A/g, ':');
  } catch {
    name = `${channel.length}%ED%A0%80`; // a lone surrogate, as the bytes a raw client could send
  }
  const r = await post(`/api/${name}`, raw ?? JSON.stringify(payload) ?? '');
  let result: Reply['result'] = null;
  try {
    result = JSON.parse(r.body);
  } catch {
    result = null;
  }
  return { status: r.status, result };
}

function isResult(r: Reply['result']): boolean {
  if (!r || typeof r !== 'object' || typeof r.ok !== 'boolean') return false;
  return r.ok ? 'value' in r : typeof r.error?.code === 'string' && typeof r.error.message === 'string' && r.error.message.length > 0;
}

describe('fuzzing every channel through the bridge', () => {
  const seen = { requests: 0, invalid: 0, refused: 0 };
  const internal: string[] = [];

  it('answers every mutated request with a Result, never 5xx, and never INTERNAL for what the contract calls invalid', async () => {
    const channel = fc.constantFrom(...CHANNEL_NAMES);
    await fc.assert(
      fc.asyncProperty(channel.chain((c) => fc.tuple(fc.constant(c), mutate(validRequest(c)))), async ([c, payload]) => {
        const reply = await send(c, payload);
        seen.requests++;
        // What the server sees is the JSON (undefined fields vanish, NaN becomes null), and a missing
        // body (null) is "no fields", as both carriers send it for channels without any.
        const text = JSON.stringify(payload);
        const valid = requestSchemas[c].safeParse((text === undefined ? null : JSON.parse(text)) ?? {}).success;
        if (!valid) seen.invalid++;
        if (reply.result && !reply.result.ok) seen.refused++;
        expect(reply.status, `${c} ${JSON.stringify(payload)}`).toBeLessThan(500);
        expect(isResult(reply.result), `${c} ${JSON.stringify(payload)} -> ${JSON.stringify(reply.result)}`).toBe(true);
        if (!valid) expect(reply.result?.error?.code, `${c} ${JSON.stringify(payload)}`).toBe('INVALID_PAYLOAD');
        else if (reply.result?.error?.code === 'INTERNAL') internal.push(`${c} ${JSON.stringify(payload)}: ${reply.result.error.message}`);
      }),
      { seed: SEED, numRuns: 1200, endOnFailure: true },
    );
    expect(seen.invalid).toBeGreaterThan(600); // the mutations mostly leave the contract, as intended
  }, 240_000);

  it('copes with valid requests carrying hostile strings: a Result, never INTERNAL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(hostileButValid.length - 1), hostileString, sqlish, async (i, s, sql) => {
        const [c, payload] = (hostileButValid[i] as (s: string, sql: string) => [Channel, unknown])(s, sql);
        const reply = await send(c, payload);
        expect(reply.status, `${c} ${JSON.stringify(payload)}`).toBeLessThan(500);
        expect(isResult(reply.result), `${c} ${JSON.stringify(payload)} -> ${JSON.stringify(reply.result)}`).toBe(true);
        if (reply.result?.error?.code === 'INTERNAL') internal.push(`${c} ${JSON.stringify(payload)}: ${reply.result.error.message}`);
      }),
      { seed: SEED, numRuns: 900, endOnFailure: true },
    );
    expect(internal).toEqual([]);
  }, 240_000);

  it('answers unknown channels, bodies that are not JSON and odd content types with a 4xx Result', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, fc.string({ unit: 'binary', maxLength: 200 }), async (name, body) => {
        const unknown = await send(`x${name}`, {});
        expect(unknown.status).toBeLessThan(500);
        expect(isResult(unknown.result)).toBe(true);
        expect(unknown.result?.ok).toBe(false);
        const garbage = await send('rows:page', null, body);
        expect(garbage.status).toBeLessThan(500);
        expect(isResult(garbage.result)).toBe(true);
        expect(garbage.result?.ok).toBe(false);
      }),
      { seed: SEED, numRuns: 200, endOnFailure: true },
    );
  }, 120_000);

  it('still serves afterwards: the dataset pages and the view answers', async () => {
    const page = await send('rows:page', { id: datasetId, offset: 0, limit: 5 });
    expect(page.result).toMatchObject({ ok: true });
    const info = await send('app:info', {});
    expect(info.result).toMatchObject({ ok: true, value: { carrier: 'web' } });
  });
});
