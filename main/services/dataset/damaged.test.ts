// Damaged datasets degrade, not die: a truncated newest manifest opens the newest readable version,
// read-only, saying what is damaged; odd column names open, display, sort and filter.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fs, readdirSync, statSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arrow, lancedb } from './lance';
import { createAppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { tempDir } from '../../test-support/fixtures';
import type { DatasetInfo, RowDetail, RowPage, ViewInfo } from '../../../shared/types';

const tmp = tempDir('lx-damaged-');
afterAll(() => tmp.cleanup());
const app = () => {
  const services = createAppServices({ dataDir: path.join(tmp.dir, 'home'), demoPath: path.join(tmp.dir, 'demo.lance'), platform: { carrier: 'web' } });
  return { services, dispatch: createDispatch(services) };
};
type Ok<T> = { ok: true; value: T };

describe('a truncated newest manifest', () => {
  it('opens the newest readable version read-only with what is damaged, and older versions still open', async () => {
    const db = await lancedb.connect(tmp.dir);
    const t = await db.createTable('train', [{ key: 1, caption: 'one' }]);
    await t.add([{ key: 2, caption: 'two' }]);
    await t.add([{ key: 3, caption: 'three' }]);
    t.close();
    const tablePath = path.join(tmp.dir, 'train.lance');
    const versions = path.join(tablePath, '_versions');
    const newest = readdirSync(versions)
      .filter((f) => f.endsWith('.manifest'))
      .sort((a, b) => statSync(path.join(versions, b)).mtimeMs - statSync(path.join(versions, a)).mtimeMs)[0] as string;
    truncateSync(path.join(versions, newest), 40);
    const before = readdirSync(versions).map((f) => [f, statSync(path.join(versions, f)).size]);

    const { services, dispatch } = app();
    const r = (await dispatch('dataset:open', { path: tablePath })) as Ok<DatasetInfo>;
    expect(r).toMatchObject({ ok: true, value: { version: 2, rowCount: 2, readOnly: true, path: tablePath } });
    expect(r.value.damaged).toMatch(/The manifest of version 3 \(40 bytes\) cannot be read \(file size is too small\)\. Showing version 2, read-only/);
    const page = (await dispatch('rows:page', { id: r.value.id, offset: 0, limit: 10 })) as Ok<RowPage>;
    expect(page.value.rows.map((x) => x.values.caption)).toEqual(['one', 'two']);
    // writes are refused, not attempted
    expect(await dispatch('evolve:add-label-column', { id: r.value.id, name: 'q', type: 'text' })).toMatchObject({ ok: false });
    // an older version opens (through the same stand-in)
    const v1 = (await dispatch('dataset:open', { path: tablePath, version: 1 })) as Ok<DatasetInfo>;
    expect(v1).toMatchObject({ ok: true, value: { version: 1, rowCount: 1 } });
    const history = await dispatch('versions:list', { id: r.value.id });
    expect(history.ok, JSON.stringify(history)).toBe(true);
    // nothing in the dataset changed; the stand-in folders go when the sessions close
    expect(readdirSync(versions).map((f) => [f, statSync(path.join(versions, f)).size])).toEqual(before);
    const standIns = () => readdirSync(os.tmpdir()).filter((f) => f.startsWith('lx-recovered-'));
    const open = standIns().length;
    expect(open).toBeGreaterThanOrEqual(2);
    await dispatch('dataset:close', { id: r.value.id });
    await dispatch('dataset:close', { id: v1.value.id });
    await new Promise((res) => setTimeout(res, 100));
    expect(standIns().length).toBe(open - 2);
    services.dispose();
  });

  it('still says clearly when no version can be read', async () => {
    const db = await lancedb.connect(path.join(tmp.dir, 'all'));
    const t = await db.createTable('t', [{ a: 1 }]);
    await t.add([{ a: 2 }]);
    t.close();
    const versions = path.join(tmp.dir, 'all', 't.lance', '_versions');
    for (const f of readdirSync(versions)) truncateSync(path.join(versions, f), 10);
    const { services, dispatch } = app();
    expect(await dispatch('dataset:open', { path: path.join(tmp.dir, 'all', 't.lance') })).toMatchObject({ ok: false, error: { code: 'DATASET_CORRUPT', message: expect.stringMatching(/manifest is missing or damaged/) } });
    services.dispose();
  });
});

describe('odd column names', () => {
  it('open, display, sort and filter; a backtick name is listed, explained and can be renamed', async () => {
    const dir = path.join(tmp.dir, 'odd');
    await fs.mkdir(dir);
    const db = await lancedb.connect(dir);
    const n = 30;
    const ints = (f: (i: number) => number) => Int32Array.from({ length: n }, (_, i) => f(i));
    const data = arrow.tableFromArrays({
      key: ints((i) => i),
      caption: Array.from({ length: n }, (_, i) => `c${i}`),
      'a`b': ints((i) => i),
      "q'u\"o": Array.from({ length: n }, (_, i) => `x${i}`),
      'Sp ace': ints((i) => i * 2),
      é名: ints((i) => i % 3),
    });
    const made = await db.createTable('odd', data);
    // A column named __proto__ (Arrow's JS builders cannot name one, Lance can)
    await made.addColumns([{ name: '__proto__', valueSql: "concat('p', CAST(key AS STRING))" }]);
    made.close();
    const tablePath = path.join(dir, 'odd.lance');
    const { services, dispatch } = app();
    const r = (await dispatch('dataset:open', { path: tablePath })) as Ok<DatasetInfo>;
    expect(r.ok).toBe(true);
    const id = r.value.id;
    expect(r.value.columns.find((c) => c.name === 'a`b')?.unreadable).toMatch(/backtick: rename it/);
    const page = (await dispatch('rows:page', { id, offset: 0, limit: 3 })) as Ok<RowPage>;
    const first = page.value.rows[0]!.values;
    expect(first["q'u\"o"]).toBe('x0');
    expect(first['Sp ace']).toBe(0);
    expect(first['é名']).toBe(0);
    expect(Object.getOwnPropertyDescriptor(first, '__proto__')?.value).toBe('p0');
    // through JSON (the bridge) the value survives as a plain field
    expect(Object.getOwnPropertyDescriptor(JSON.parse(JSON.stringify(first)), '__proto__')?.value).toBe('p0');
    const detail = (await dispatch('rows:get', { id, rowId: page.value.rows[1]!.rowId })) as Ok<RowDetail>;
    expect(detail.value.values['Sp ace']).toBe(2);

    for (const column of ["q'u\"o", 'Sp ace', 'é名']) {
      const sorted = (await dispatch('view:open', { id, spec: { kind: 'browse', sort: { column, descending: true } } })) as Ok<ViewInfo>;
      expect(sorted, column).toMatchObject({ ok: true, value: { count: 30 } });
      const filtered = await dispatch('view:open', { id, spec: { kind: 'browse', filter: { conditions: [{ column, op: 'notNull' }] } } });
      expect(filtered, column).toMatchObject({ ok: true, value: { count: 30 } });
    }
    const sortedPage = (await dispatch('view:page', { id, viewId: ((await dispatch('view:open', { id, spec: { kind: 'browse', sort: { column: 'Sp ace', descending: true } } })) as Ok<ViewInfo>).value.viewId, offset: 0, limit: 2 })) as Ok<RowPage>;
    expect(sortedPage.value.rows.map((x) => x.values['Sp ace'])).toEqual([58, 56]);
    expect(await dispatch('view:open', { id, spec: { kind: 'browse', filter: { conditions: [{ column: "q'u\"o", op: 'eq', value: "x1' OR '1'='1" }] } } })).toMatchObject({ ok: true, value: { count: 0 } });
    const raw = await dispatch('filter:check', { id, filter: { conditions: [], sql: "`Sp ace` > 40 AND `é名` = 1 AND `q'u\"o` LIKE 'x%'" } });
    expect(raw, JSON.stringify(raw)).toMatchObject({ ok: true, value: { count: 3 } });
    // the backtick column: sorting says why; renaming makes it readable
    expect(await dispatch('view:open', { id, spec: { kind: 'browse', sort: { column: 'a`b', descending: false } } })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/backtick/) } });
    expect(await dispatch('evolve:rename-column', { id, from: 'a`b', to: 'a_b' })).toMatchObject({ ok: true });
    const again = (await dispatch('rows:page', { id, offset: 0, limit: 2 })) as Ok<RowPage>;
    expect(again.value.rows.map((x) => x.values.a_b)).toEqual([0, 1]);
    services.dispose();
    expect(existsSync(tablePath)).toBe(true);
  });
});
