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
import { hostileButValid as hostileButValidOf, hostileString, mutate, sqlish, validRequest as validRequestOf } from '../test-support/hostile-inputs';

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
const targets = () => ({ datasetId, viewId, tablePath, dir: tmp.dir });
const validRequest = (c: Channel) => validRequestOf(targets(), c);

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
      fc.asyncProperty(fc.nat(hostileButValidOf(targets()).length - 1), hostileString, sqlish, async (i, s, sql) => {
        const [c, payload] = (hostileButValidOf(targets())[i] as (s: string, sql: string) => [Channel, unknown])(s, sql);
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
