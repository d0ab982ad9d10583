// npm run bench -- hostile [--rows N] [--requests R] [--file-mb M]
// Replays the attack classes of issue 13 against the web bridge, in this process, and counts per class:
// inputs tried, refused, crashes, hangs over 10 s, HTTP 5xx, INTERNAL answers, and the peak memory.
// Where there is a raw way to compare with, it runs beside: the same filters sent to raw LanceDB, and
// the same labels file parsed on the main thread the way the app used to.
import fc from 'fast-check';
import { createWriteStream, promises as fs, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { lancedb } from '../main/services/dataset/lance';
import { createAppServices } from '../main/services/app-services';
import { startBridge, type Bridge } from '../main/bridge/server';
import { laionBatch, type LaionRow } from '../main/services/dataset/laion-schema';
import { syntheticBatches, writeSyntheticTable } from '../main/synthetic/synthetic-laion';
import { pngBomb } from '../main/test-support/png-bomb';
import { hostileButValid, hostileString, mutate, sqlish, validRequest } from '../main/test-support/hostile-inputs';
import { CHANNEL_NAMES, type Channel } from '../shared/channels';
import { requestSchemas } from '../shared/contract';
import { LIMITS } from '../main/services/writes/label-files';
import { generate } from './generate';
import { workCopy } from './cache';
import { num, type SuiteContext } from './suite';

const HANG_MS = 10_000;

interface Tally {
  tried: number;
  refused: number;
  crashes: number;
  hangs: number;
  http5xx: number;
  internal: number;
  peakMB: number;
}
const tally = (): Tally => ({ tried: 0, refused: 0, crashes: 0, hangs: 0, http5xx: 0, internal: 0, peakMB: 0 });

interface Reply {
  status: number;
  body: string;
  ms: number;
  json: { ok?: boolean; error?: { code?: string } } | null;
}

let crashes = 0;
const countCrash = () => crashes++;

/** Peak RSS above the start, sampled every 20 ms while `work` runs. */
async function peak<T>(work: () => Promise<T>): Promise<{ value: T; peakMB: number }> {
  const start = process.memoryUsage().rss;
  let top = start;
  const timer = setInterval(() => (top = Math.max(top, process.memoryUsage().rss)), 20);
  try {
    const value = await work();
    top = Math.max(top, process.memoryUsage().rss);
    // 0.1 MB at least: the sampler's resolution, and a ratio needs a number on both sides.
    return { value, peakMB: Math.max(0.1, Math.round((top - start) / 1e5) / 10) };
  } finally {
    clearInterval(timer);
  }
}

export async function hostileBench(ctx: SuiteContext) {
  const rows = num(ctx.flags, 'rows', 100_000);
  const requests = num(ctx.flags, 'requests', 2000);
  const fileMB = num(ctx.flags, 'file-mb', 500);
  const base = await generate({ rows });
  const copy = await workCopy(base, 'hostile'); // the fuzz writes (label columns, tags)
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-hostile-'));
  process.on('uncaughtException', countCrash);
  process.on('unhandledRejection', countCrash);
  const services = createAppServices({ platform: { carrier: 'web' }, dataDir: path.join(dir, 'home'), demoPath: path.join(dir, 'demo.lance'), env: { HF_ENDPOINT: 'http://127.0.0.1:9' }, demoRows: 20 });
  await fs.mkdir(path.join(dir, 'renderer'));
  await fs.writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
  const bridge = await startBridge({ services, rendererDir: path.join(dir, 'renderer') });
  try {
    ctx.figures.set('rows', rows).set('requests', requests).set('file_mb', fileMB);
    const fixtures = await makeFixtures(dir);
    await ctx.measure(base);
    const results: Record<string, Tally> = {};
    results.images = await images(bridge, fixtures.bombs);
    results.origins = await origins(bridge);
    results.files = await files(ctx, bridge, copy.path, dir, fileMB);
    results.queries = await queries(ctx, bridge, fixtures.small);
    results.requests = await fuzz(bridge, copy.path, dir, requests);
    results.datasets = await datasets(bridge, fixtures);
    const fields: Array<[keyof Tally, string]> = [['tried', 'tried'], ['refused', 'refused'], ['crashes', 'crashes'], ['hangs', 'hangs'], ['http5xx', '5xx'], ['internal', 'internal'], ['peakMB', 'peak_mb']];
    const keys: string[] = [];
    for (const [cls, t] of Object.entries(results)) {
      for (const [k, name] of fields) {
        ctx.figures.set(`${cls}_${name}`, t[k]);
        keys.push(`${cls}_${name}`);
      }
    }
    const total = Object.values(results).reduce((a, t) => ({ crashes: a.crashes + t.crashes, hangs: a.hangs + t.hangs, http5xx: a.http5xx + t.http5xx }), { crashes: 0, hangs: 0, http5xx: 0 });
    ctx.figures.set('crashes', total.crashes + crashes).set('hangs', total.hangs).set('total_5xx', total.http5xx);
    const alive = await post(bridge, 'app:info', {});
    ctx.figures.set('still_serving', alive.json?.ok === true);
    ctx.figures.table({
      title: 'Per attack class (refused: a 4xx or a Result error; for datasets, opened degraded or a clear error; peak: RSS above the start)',
      header: ['class', 'tried', 'refused', 'crashes', 'hangs > 10 s', 'HTTP 5xx', 'INTERNAL', 'peak MB'],
      rows: Object.entries(results).map(([cls, t]) => [cls, t.tried, t.refused, t.crashes, t.hangs, t.http5xx, t.internal, t.peakMB]),
      keys,
    });
    console.error(`\n${'class'.padEnd(10)} ${'tried'.padStart(6)} ${'refused'.padStart(8)} ${'crashes'.padStart(8)} ${'hangs'.padStart(6)} ${'5xx'.padStart(5)} ${'INTERNAL'.padStart(9)} ${'peak MB'.padStart(8)}`);
    for (const [cls, t] of Object.entries(results)) {
      console.error(`${cls.padEnd(10)} ${String(t.tried).padStart(6)} ${String(t.refused).padStart(8)} ${String(t.crashes).padStart(8)} ${String(t.hangs).padStart(6)} ${String(t.http5xx).padStart(5)} ${String(t.internal).padStart(9)} ${String(t.peakMB).padStart(8)}`);
    }
  } finally {
    await bridge.close();
    process.off('uncaughtException', countCrash);
    process.off('unhandledRejection', countCrash);
    await copy.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function request(bridge: Bridge, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: bridge.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        let json = null;
        try {
          json = JSON.parse(body);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0, json });
      });
    });
    req.setTimeout(60_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '', ms: performance.now() - t0, json: null }));
    req.end(opts.body);
  });
}

const auth = (bridge: Bridge) => ({ Authorization: `Bearer ${bridge.token}`, Origin: bridge.url, 'Content-Type': 'application/json' });
const post = (bridge: Bridge, channel: string, payload: unknown, raw?: string) =>
  request(bridge, { method: 'POST', path: `/api/${channel}`, headers: auth(bridge), body: raw ?? JSON.stringify(payload) ?? '' });

/** `job`: work that reports progress and can be stopped (reading a 500 MB file): long, not hung. */
function count(t: Tally, r: Reply, opts: { refusedIf?: (r: Reply) => boolean; job?: boolean } = {}) {
  t.tried++;
  if (r.status === 0) t.crashes++;
  if (r.status >= 500) t.http5xx++;
  if (r.ms > HANG_MS && !opts.job) t.hangs++;
  if (r.json?.error?.code === 'INTERNAL') t.internal++;
  if ((opts.refusedIf ?? ((x) => x.status >= 400 || x.json?.ok === false))(r)) t.refused++;
}

interface Fixtures {
  bombs: string;
  small: string;
  damaged: string[];
}

async function makeFixtures(dir: string): Promise<Fixtures> {
  const db = await lancedb.connect(dir);
  // Images whose headers claim huge sizes, in every format the route reads, plus a real PNG bomb.
  const rows = (await syntheticBatches({ rows: 40, imageSide: 24 }).next()).value as LaionRow[];
  const u16le = (n: number) => [n & 255, n >> 8];
  const u24le = (n: number) => [n & 255, (n >> 8) & 255, n >> 16];
  const gif = Uint8Array.from([...Buffer.from('GIF89a'), ...u16le(65000), ...u16le(65000), 0, 0, 0]);
  const webp = Uint8Array.from([...Buffer.from('RIFF'), 30, 0, 0, 0, ...Buffer.from('WEBPVP8X'), 10, 0, 0, 0, 0, 0, 0, 0, ...u24le(16383), ...u24le(16383)]);
  const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0xff, 0xdc, 0xff, 0xdc, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);
  const bombs = [pngBomb(), gif, webp, jpeg];
  rows.forEach((r, i) => (r.image = bombs[i % bombs.length] as Uint8Array));
  (await db.createTable('bombs', laionBatch(rows))).close();
  (await writeSyntheticTable(dir, 'small', { rows: 500, imageSide: 16 })).close();
  // Damaged and odd datasets.
  const t = await writeSyntheticTable(dir, 'truncated', { rows: 20, imageSide: 16 });
  await t.addColumns([{ name: 'area', valueSql: 'width * height' }]);
  t.close();
  const versions = path.join(dir, 'truncated.lance', '_versions');
  const newest = (await Promise.all((await fs.readdir(versions)).map(async (f) => [f, (await fs.stat(path.join(versions, f))).mtimeMs] as const))).sort((a, b) => b[1] - a[1])[0]![0];
  await fs.truncate(path.join(versions, newest), 40);
  const missing = await writeSyntheticTable(dir, 'missing', { rows: 20, imageSide: 16 });
  missing.close();
  for (const f of await fs.readdir(path.join(dir, 'missing.lance', 'data'))) await fs.rm(path.join(dir, 'missing.lance', 'data', f));
  const odd = await db.createTable('odd', [{ key: 1, 'a`b': 1, "q'u\"o": 'x', 'Sp ace': 2, é名: 3 }]);
  await odd.addColumns([{ name: '__proto__', valueSql: "'p'" }]);
  odd.close();
  await fs.mkdir(path.join(dir, 'junk.lance', '_versions'), { recursive: true });
  await fs.writeFile(path.join(dir, 'junk.lance', '_versions', '1.manifest'), Buffer.alloc(4096, 7));
  await fs.writeFile(path.join(dir, 'file.lance'), 'not a folder');
  return {
    bombs: path.join(dir, 'bombs.lance'),
    small: path.join(dir, 'small.lance'),
    damaged: ['truncated', 'missing', 'odd', 'junk', 'file', 'nothing-here'].map((n) => path.join(dir, `${n}.lance`)),
  };
}

/** Images whose claimed size would exhaust the page: every one must be refused (422), memory flat. */
async function images(bridge: Bridge, bombs: string): Promise<Tally> {
  const t = tally();
  const id = ((await post(bridge, 'dataset:open', { path: bombs })).json as { value: { id: string } }).value.id;
  const page = (await post(bridge, 'rows:page', { id, offset: 0, limit: 1000 })).json as { value: { rows: Array<{ rowId: string }> } };
  const { peakMB } = await peak(async () => {
    for (let round = 0; round < 5; round++) {
      for (const row of page.value.rows) {
        count(t, await request(bridge, { path: `/image/${id}/${row.rowId}`, headers: { Authorization: `Bearer ${bridge.token}` } }), { refusedIf: (x) => x.status === 422 });
      }
    }
  });
  t.peakMB = peakMB;
  return t;
}

/** Another origin trying to make the bridge act: every attempt refused, the token never set. */
async function origins(bridge: Bridge): Promise<Tally> {
  const t = tally();
  const trade = await new Promise<string>((resolve) => {
    http.get({ host: '127.0.0.1', port: bridge.port, path: `/?token=${bridge.token}` }, (res) => {
      res.resume();
      resolve(String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '');
    });
  });
  const port = bridge.port;
  const foreign = [`http://127.0.0.1:${port + 1}`, `http://localhost:${port}`, `http://localhost:${port + 1}`, 'https://evil.example', 'null'];
  const types = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json'];
  const body = JSON.stringify({ token: 'hf_attackerToken12345', remember: false });
  for (const origin of foreign) {
    for (const type of types) {
      for (const site of ['cross-site', 'same-site', undefined]) {
        const headers: Record<string, string> = { Origin: origin, 'Content-Type': type, Cookie: trade };
        if (site) headers['Sec-Fetch-Site'] = site;
        count(t, await request(bridge, { method: 'POST', path: `${bridge.base}api/hub:set-token`, headers, body }));
        count(t, await request(bridge, { method: 'POST', path: '/api/hub:set-token', headers, body }));
      }
    }
  }
  // The same page's cookie sent to the root (where another server would be given it) is no key there
  // for a browser, and images or the event stream asked for from another site are refused.
  for (const site of ['cross-site', 'same-site']) {
    for (const p of [`${bridge.base}events`, `${bridge.base}image/x/1`, bridge.base]) count(t, await request(bridge, { path: p, headers: { Cookie: trade, 'Sec-Fetch-Site': site } }));
  }
  for (const type of types.slice(0, 3)) {
    count(t, await request(bridge, { method: 'POST', path: `${bridge.base}api/hub:set-token`, headers: { Origin: bridge.url, 'Content-Type': type, Cookie: trade }, body }));
  }
  const status = (await post(bridge, 'hub:token-status', {})).json as { value?: { source: string } };
  if (status.value?.source === 'typed') t.crashes++; // an attack that acted is worse than a crash: counted, never expected
  return t;
}

/** Labels files: one large (requests answered meanwhile?), and malformed ones (each refused with a message). */
async function files(ctx: SuiteContext, bridge: Bridge, tablePath: string, dir: string, fileMB: number): Promise<Tally> {
  const t = tally();
  const id = ((await post(bridge, 'dataset:open', { path: tablePath })).json as { value: { id: string } }).value.id;
  const big = path.join(dir, 'big.csv');
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(big);
    out.on('error', reject);
    out.write('key,comment\n');
    const line = (i: number) => `${100_000_000 + (i % 5_000_000)},a comment about picture ${i} long enough to make the file big and then some more words and yet more\n`;
    let i = 0;
    let bytes = 0;
    const target = fileMB * 1e6;
    const more = () => {
      let ok = true;
      while (bytes < target && ok) {
        const l = line(i++);
        bytes += l.length;
        ok = out.write(l);
      }
      if (bytes < target) out.once('drain', more);
      else out.end(resolve);
    };
    more();
  });
  const pings: number[] = [];
  let stop = false;
  const pinger = (async () => {
    while (!stop) {
      const r = await post(bridge, 'app:info', {});
      pings.push(r.ms);
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  const { value: preview, peakMB } = await peak(() => post(bridge, 'labels:merge-preview', { id, path: big }));
  stop = true;
  await pinger;
  count(t, preview, { refusedIf: (x) => x.json?.ok === false, job: true });
  const pv = preview.json as { ok: boolean; value?: { rows: number; problems: string[] }; error?: { message: string } } | null;
  ctx.figures.set('big_file_answer', pv?.ok ? `${pv.value!.rows.toLocaleString('en-US')} rows read${pv.value!.problems.length ? `; first problem: ${pv.value!.problems[0]}` : ''}` : `refused: ${pv?.error?.message ?? preview.status}`);
  t.peakMB = peakMB;
  const previewMs = preview.ms;
  // The raw way: the whole file read and parsed on the main thread, as the app used to (same parser).
  const parsers = createRequire(import.meta.url)('../main/services/writes/label-parse.worker.cjs') as { parseCsvText(text: string, limits: typeof LIMITS): unknown };
  const rawStart = performance.now();
  let rawPeak = 0;
  try {
    rawPeak = (
      await peak(async () => {
        parsers.parseCsvText(readFileSync(big, 'utf8'), { ...LIMITS, maxRows: Number.MAX_SAFE_INTEGER });
      })
    ).peakMB;
  } catch (err) {
    // over V8's string limit (~512 MB of text): the old way could not even read it
    console.error(`  raw parse: ${(err as Error).message.slice(0, 200)}`);
  }
  const rawBlocked = performance.now() - rawStart;
  ctx.figures.pair('answer_while_parsing_max', 'ms', `slowest other request while a ${fileMB} MB labels file is read`, [Math.max(...pings)], [rawBlocked], { rawLabel: 'main thread blocked, parsed in place' });
  ctx.figures.pair('parse_peak', 'MB', `memory while reading the ${fileMB} MB file`, [peakMB], [rawPeak], { rawLabel: 'read whole' });
  ctx.figures.single('big_preview', 'ms', `preview of the ${fileMB} MB file (stops at the row limit or reads it all)`, [previewMs]);
  await fs.rm(big);

  const bad: Array<[string, string | Uint8Array]> = [
    ['ragged.csv', 'key,a\n1,2,3\n'],
    ['unclosed.csv', 'key,a\n1,"never closed\n'],
    ['long-line.csv', `key,a\n1,${'x'.repeat(2 * 1024 * 1024)}\n`],
    ['wide.csv', `${Array.from({ length: 400 }, (_, i) => `c${i}`).join(',')}\n`],
    ['proto.jsonl', '{"key": 100000001, "__proto__": "x"}\n'],
    ['nested.jsonl', '{"key": 1, "a": {"b": 1}}\n'],
    ['garbage.csv', Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256)],
    ['garbage.parquet', Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) % 256)],
    ['many-rows.parquet', new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'key', data: new Int32Array(6_000_000), type: 'INT32' }], rowGroupSize: 6_000_000 } as never))],
    ['empty.csv', ''],
    ['bom-only.csv', '\ufeff'],
  ];
  for (const [name, content] of bad) {
    const f = path.join(dir, name);
    writeFileSync(f, content);
    count(t, await post(bridge, 'labels:merge-preview', { id, path: f }), { refusedIf: (x) => x.json?.ok === false || ((x.json as { value?: { problems: string[] } })?.value?.problems.length ?? 0) > 0 });
  }
  return t;
}

/** Hostile filters on the issue's 500-row table: the app refuses or bounds them; raw LanceDB beside. */
async function queries(ctx: SuiteContext, bridge: Bridge, small: string): Promise<Tally> {
  const t = tally();
  const filters = [
    'caption = $1', 'width > ?', 'caption = :x', "caption = N'x'", "b = B'01'", "x = X'ff'",
    'length(repeat(caption, 150000)) > 0', "length(lpad(caption, 100000000, 'x')) > 0", 'array_length(range(0, 100000000)) > 0',
    "length(replace(caption, 'a', repeat('b', 10000))) > 0", 'CAST(width AS INT) / CAST(width - width AS INT) > 1',
    `${'('.repeat(500)}1${')'.repeat(500)} = 1`, `width IN (${Array.from({ length: 3000 }, (_, i) => i).join(',')})`,
    "regexp_like(caption, '(a|aa)+$')", "regexp_like(caption, '(((a{1,100}){1,100}){1,100})')", 'caption || caption || caption = caption',
  ];
  const id = ((await post(bridge, 'dataset:open', { path: small })).json as { value: { id: string } }).value.id;
  const app = await peak(async () => {
    for (const sql of filters) count(t, await post(bridge, 'view:open', { id, spec: { kind: 'browse', filter: { conditions: [], sql } } }));
  });
  t.peakMB = app.peakMB;
  // The raw way: the same where() strings straight to LanceDB.
  const raw = await (await lancedb.connect(path.dirname(small))).openTable('small');
  let rawFailed = 0;
  let rawSlowest = 0;
  const rawPeak = await peak(async () => {
    for (const sql of filters) {
      const t0 = performance.now();
      try {
        await raw.query().where(sql).withRowId().select([]).toArrow();
      } catch {
        rawFailed++;
      }
      rawSlowest = Math.max(rawSlowest, performance.now() - t0);
    }
  });
  raw.close();
  ctx.figures.pair('hostile_filters_peak', 'MB', `memory over ${filters.length} hostile filters (500 rows)`, [app.peakMB], [rawPeak.peakMB], { rawLabel: 'raw LanceDB where()' });
  ctx.figures.set('queries_raw_failed', rawFailed).set('queries_raw_slowest_ms', Math.round(rawSlowest));
  return t;
}

/** Seeded mutations of every channel's requests and malformed HTTP: no 5xx, no INTERNAL for invalid input. */
async function fuzz(bridge: Bridge, tablePath: string, dir: string, requests: number): Promise<Tally> {
  const t = tally();
  const opened = (await post(bridge, 'dataset:open', { path: tablePath })).json as { value: { id: string } };
  const view = (await post(bridge, 'view:open', { id: opened.value.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'NSFW', op: 'eq', value: 'UNLIKELY' }] } } })).json as { value: { viewId: string } };
  const targets = { datasetId: opened.value.id, viewId: view.value.viewId, tablePath, dir };
  const mutated = fc.sample(fc.constantFrom(...CHANNEL_NAMES).chain((c) => fc.tuple(fc.constant(c as Channel), mutate(validRequest(targets, c)))), { seed: 20261201, numRuns: Math.round(requests * 0.7) });
  const valid = hostileButValid(targets);
  const shaped = fc.sample(fc.tuple(fc.nat(valid.length - 1), hostileString, sqlish), { seed: 7, numRuns: Math.round(requests * 0.3) });
  const { peakMB } = await peak(async () => {
    for (const [c, payload] of mutated) {
      const text = JSON.stringify(payload);
      const invalid = !requestSchemas[c].safeParse((text === undefined ? null : JSON.parse(text)) ?? {}).success;
      const r = await post(bridge, c, payload);
      count(t, r);
      if (!invalid && r.json?.error?.code === 'INTERNAL') t.internal--; // counted only for input the contract calls invalid
    }
    for (const [i, s, sql] of shaped) {
      const [c, payload] = (valid[i] as (s: string, sql: string) => [Channel, unknown])(s, sql);
      count(t, await post(bridge, c, payload));
    }
    for (const [method, p, headers, body] of [
      ['POST', '/api/%E0%A4%A', auth(bridge), '{}'],
      ['TRACE', '/', { Authorization: `Bearer ${bridge.token}` }, undefined],
      ['GET', '/', { Authorization: `Bearer ${bridge.token}`, Host: `user@127.0.0.1:${bridge.port}` }, undefined],
      ['POST', '/api/rows:get', auth(bridge), JSON.stringify({ id: opened.value.id, rowId: '99999999999999999999' })],
      ['POST', '/api/rows:page', auth(bridge), 'x'.repeat(2 * 1024 * 1024)],
      ['POST', '/api/rows:page', auth(bridge), '{"id": '],
      ['GET', '/image/abc/18446744073709551616', { Authorization: `Bearer ${bridge.token}` }, undefined],
    ] as const) {
      count(t, await request(bridge, { method, path: p, headers: { ...headers }, ...(body ? { body } : {}) }));
    }
  });
  t.peakMB = peakMB;
  return t;
}

/** Damaged and odd datasets: each opens (degraded) or gets a clear error, never INTERNAL. */
async function datasets(bridge: Bridge, fixtures: Fixtures): Promise<Tally> {
  const t = tally();
  const { peakMB } = await peak(async () => {
    for (const p of fixtures.damaged) {
      const r = await post(bridge, 'dataset:open', { path: p });
      count(t, r, { refusedIf: (x) => x.json?.ok === false || !!(x.json as { value?: { damaged?: string } })?.value?.damaged });
      const id = (r.json as { value?: { id: string } })?.value?.id;
      if (id) count(t, await post(bridge, 'rows:page', { id, offset: 0, limit: 10 }), { refusedIf: () => false });
    }
  });
  t.peakMB = peakMB;
  return t;
}
