import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatch } from './dispatch';
import { createAppServices, type AppServices } from './services/app-services';
import { CHANNEL_NAMES } from '../shared/channels';
import { laionTable, tempDir } from './test-support/fixtures';
import path from 'node:path';

const tmp = tempDir();
let services: AppServices;
let dispatch: ReturnType<typeof createDispatch>;
let tablePath: string;

beforeAll(async () => {
  tablePath = await laionTable(tmp.dir, 'train', 300);
  services = createAppServices({
    dataDir: path.join(tmp.dir, 'home'),
    demoPath: path.join(tmp.dir, 'demo', 'laion-demo.lance'),
    platform: { carrier: 'web' },
  });
  dispatch = createDispatch(services);
});
afterAll(() => {
  services.dispose();
  tmp.cleanup();
});

/** Payloads that must be refused on every channel, whatever its schema. */
const HOSTILE: unknown[] = [
  'a string',
  42,
  [],
  { __proto__: { polluted: true }, extra: 1 },
  { path: '/tmp', id: 'x', unexpected: 'field' },
  { id: '../../etc/passwd', rowId: '1', offset: 0, limit: 1, path: '' },
];

describe('dispatch', () => {
  it('refuses unknown channels with a code, never by throwing', async () => {
    const r = await dispatch('fs:readFile', { path: '/etc/passwd' });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it.each(CHANNEL_NAMES)('validates every payload on %s', async (channel) => {
    for (const payload of HOSTILE) {
      const r = await dispatch(channel, payload);
      expect(r.ok, `${channel} accepted ${JSON.stringify(payload)}`).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_PAYLOAD');
        expect(r.error.message).toContain(channel);
      }
    }
  });

  it('names the field that is wrong', async () => {
    const r = await dispatch('rows:page', { id: 'abc', offset: -5, limit: 10 });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    if (!r.ok) expect(r.error.message).toMatch(/offset/);
    const big = await dispatch('rows:page', { id: 'abc', offset: 0, limit: 1_000_000 });
    if (!big.ok) expect(big.error.message).toMatch(/limit/);
    const nul = await dispatch('dataset:open', { path: '/tmp/a\0b' });
    if (!nul.ok) expect(nul.error.message).toMatch(/NUL/);
  });

  it('opens, pages, reads a row, remembers the dataset in the recent list', async () => {
    const open = await dispatch('dataset:open', { path: tablePath });
    expect(open.ok).toBe(true);
    if (!open.ok) return;
    const info = open.value as { id: string; rowCount: number };
    expect(info.rowCount).toBe(300);
    const page = await dispatch('rows:page', { id: info.id, offset: 250, limit: 100 });
    expect(page.ok && (page.value as { rows: unknown[] }).rows.length).toBe(50);
    const recent = await dispatch('recent:list', {});
    expect(recent.ok && (recent.value as Array<{ path: string }>)[0]?.path).toBe(tablePath);
    const forgot = await dispatch('recent:forget', { path: tablePath, table: 'train' });
    expect(forgot).toEqual({ ok: true, value: [] });
  });

  it('turns service failures into readable errors the UI can act on', async () => {
    const r = await dispatch('dataset:open', { path: path.join(tmp.dir, 'does-not-exist') });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const closed = await dispatch('rows:page', { id: 'neverOpened', offset: 0, limit: 10 });
    expect(closed).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/no longer open/) } });
  });

  it('says plainly that the web bridge has no native folder picker', async () => {
    const r = await dispatch('dialog:pick-dataset', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED', message: expect.stringMatching(/type the dataset path/) } });
  });

  it('reports the demo as missing before it is built', async () => {
    const r = await dispatch('demo:status', {});
    expect(r).toMatchObject({ ok: true, value: { state: 'missing' } });
  });
});
