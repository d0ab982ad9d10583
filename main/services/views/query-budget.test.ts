// Queries a person's filter drives are bounded: a time budget, a stop when the view is replaced, and
// filters that fail on the data answered as the filter's problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { lancedb } from '../dataset/lance';
import { createAppServices, type AppServices } from '../app-services';
import { createDispatch } from '../../dispatch';
import { tempDir } from '../../test-support/fixtures';

const tmp = tempDir();
const ROWS = 300_000;
let tablePath = '';

function servicesWith(queryBudgetMs?: number): AppServices {
  return createAppServices({ dataDir: path.join(tmp.dir, `home-${queryBudgetMs}`), demoPath: path.join(tmp.dir, 'demo.lance'), platform: { carrier: 'web' }, ...(queryBudgetMs ? { queryBudgetMs } : {}) });
}

beforeAll(async () => {
  // Plain columns, many batches: a scan takes long enough to be replaced or to run out of a small budget.
  const db = await lancedb.connect(tmp.dir);
  const rows = Array.from({ length: ROWS }, (_, i) => ({ key: i, width: i % 500, caption: `a photo of item ${i} on a table, number ${i * 7}` }));
  await db.createTable('train', rows);
  tablePath = path.join(tmp.dir, 'train.lance');
}, 120_000);
afterAll(() => tmp.cleanup());

describe('query budget', () => {
  it('stops a filter that runs past its budget and says to narrow it', async () => {
    const services = servicesWith(1);
    const dispatch = createDispatch(services);
    const info = (await dispatch('dataset:open', { path: tablePath })) as { ok: true; value: { id: string } };
    const sql = "regexp_like(caption, '(7.*){3}1') OR regexp_like(caption, 'item 9.*9.*9')";
    const t0 = performance.now();
    const view = await dispatch('view:open', { id: info.value.id, spec: { kind: 'browse', filter: { conditions: [], sql } } });
    expect(view).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: expect.stringMatching(/Filtering took longer than 1 ms: narrow the filter/) } });
    expect(performance.now() - t0).toBeLessThan(2000);
    const check = await dispatch('filter:check', { id: info.value.id, filter: { conditions: [], sql } });
    expect(check).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    // the same filter with the default budget finishes
    const normal = createDispatch(servicesWith());
    const again = (await normal('dataset:open', { path: tablePath })) as { ok: true; value: { id: string } };
    expect(await normal('view:open', { id: again.value.id, spec: { kind: 'browse', filter: { conditions: [], sql } } })).toMatchObject({ ok: true });
    services.dispose();
  });

  it('stops a view that a newer one replaced, at its next batch', async () => {
    const services = servicesWith();
    const dispatch = createDispatch(services);
    const info = (await dispatch('dataset:open', { path: tablePath })) as { ok: true; value: { id: string } };
    const id = info.value.id;
    const slow = dispatch('view:open', { id, spec: { kind: 'browse', filter: { conditions: [], sql: "regexp_like(caption, 'number')" } } });
    const newer = dispatch('view:open', { id, spec: { kind: 'browse', filter: { conditions: [{ column: 'width', op: 'eq', value: 3 }] } } });
    expect(await slow).toMatchObject({ ok: false, error: { code: 'CANCELLED', message: expect.stringMatching(/newer view replaced it/) } });
    expect(await newer).toMatchObject({ ok: true, value: { count: ROWS / 500 } });
    // a view of another dataset session is not replaced by this one
    const other = (await dispatch('dataset:open', { path: tablePath })) as { ok: true; value: { id: string } };
    const a = dispatch('view:open', { id, spec: { kind: 'browse', filter: { conditions: [], sql: "regexp_like(caption, 'number')" } } });
    const b = dispatch('view:open', { id: other.value.id, spec: { kind: 'browse', filter: { conditions: [{ column: 'width', op: 'eq', value: 3 }] } } });
    expect(await a).toMatchObject({ ok: true, value: { count: ROWS } });
    expect(await b).toMatchObject({ ok: true });
    services.dispose();
  });

  it('answers a filter that fails on the data as the filter\'s problem', async () => {
    const services = servicesWith();
    const dispatch = createDispatch(services);
    const info = (await dispatch('dataset:open', { path: tablePath })) as { ok: true; value: { id: string } };
    for (const channel of ['filter:check', 'view:open'] as const) {
      const filter = { conditions: [], sql: 'CAST(key AS INT) / CAST(width - width AS INT) > 1' };
      const r = await dispatch(channel, channel === 'view:open' ? { id: info.value.id, spec: { kind: 'browse', filter } } : { id: info.value.id, filter });
      expect(r, channel).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/failed on some rows: Divide by zero.*Change the filter/i) } });
    }
    services.dispose();
  });

  it('refuses the repeat() memory bomb before it runs', async () => {
    const services = servicesWith();
    const dispatch = createDispatch(services);
    const info = (await dispatch('dataset:open', { path: tablePath })) as { ok: true; value: { id: string } };
    const before = process.memoryUsage().rss;
    const r = await dispatch('view:open', { id: info.value.id, spec: { kind: 'browse', filter: { conditions: [], sql: 'length(repeat(caption, 150000)) > 0' } } });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', message: expect.stringMatching(/repeat\(\) is not allowed/) } });
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
    services.dispose();
  });
});
