// What the page asks the app for: nothing twice on start or on a view change, and a page that goes
// away closes its dataset session.
import { test, expect, type Page } from '@playwright/test';
import { startServe, type RunningBridge } from '../support/bridge';
import { BIG } from '../support/paths';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startServe({ dataset: BIG });
});
test.afterAll(async () => bridge.stop());

function recordCalls(page: Page) {
  const calls: Array<{ channel: string; body: string }> = [];
  page.on('request', (r) => {
    const m = /\/api\/([^/?]+)$/.exec(r.url());
    if (m) calls.push({ channel: decodeURIComponent(m[1] as string), body: r.postData() ?? '' });
  });
  return calls;
}
const same = (calls: Array<{ channel: string; body: string }>) => {
  const seen = new Map<string, number>();
  for (const c of calls) seen.set(`${c.channel} ${c.body}`, (seen.get(`${c.channel} ${c.body}`) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${n}x ${k}`);
};

test('no request is made twice on start or when the view changes', async ({ page }) => {
  const calls = recordCalls(page);
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  await page.waitForTimeout(500);
  expect(calls.filter((c) => c.channel === 'rows:page' && c.body.includes('"offset":0'))).toHaveLength(1);
  expect(same(calls)).toEqual([]);

  calls.length = 0;
  await page.getByTestId('sql-input').fill('width > 20');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('rows match');
  await page.waitForTimeout(500);
  expect(calls.filter((c) => c.channel === 'view:open')).toHaveLength(1);
  expect(calls.filter((c) => c.channel === 'view:page' && c.body.includes('"offset":0'))).toHaveLength(1);
  expect(same(calls)).toEqual([]);
});

test('a page that goes away closes its dataset session', async ({ page }) => {
  const sessions = async () => ((await (await page.request.post(`${new URL(page.url()).origin}${new URL(page.url()).pathname}api/app:info`, { headers: { 'Content-Type': 'application/json', Origin: new URL(page.url()).origin }, data: {} })).json()) as { value: { openSessions: number } }).value.openSessions;
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  const first = await sessions();
  for (let i = 0; i < 8; i++) {
    await page.reload();
    await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
  }
  await expect.poll(sessions).toBeLessThanOrEqual(first);
});
