// Another web server on this machine (another port of 127.0.0.1) serves a page that tries to make the
// bridge act: form posts, no-cors fetches in every content type a page may send without asking, an
// image and an iframe of the app. Nothing may change, and nothing may be readable.
import { test, expect } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { FIXTURES } from '../support/paths';

let bridge: RunningBridge;
let attacker: http.Server;
let attackerUrl = '';
const seen: string[] = [];
/** Every header the other server was sent: the bridge's token must never be among them. */
const headersSeen: string[] = [];

const page = (target: string) => `<!doctype html><meta charset="utf-8"><title>elsewhere</title>
<iframe name="sink" style="display:none"></iframe>
<form id="f" method="POST" action="${target}/api/hub:set-token" enctype="text/plain" target="sink">
  <input name='{"token":"hf_attackerForm1234","remember":false,"x":"' value='"}'>
</form>
<form id="g" method="POST" action="${target}/api/recent:forget" target="sink"><input name="path" value="/x"><input name="table" value="y"></form>
<iframe id="frame" src="${target}/"></iframe>
<img id="img" src="${target}/">
<img id="own" src="/pixel.png">
<script>
  const T = ${JSON.stringify(target)};
  const body = JSON.stringify({ token: 'hf_attackerFetch1234', remember: false });
  const tries = [
    fetch(T + '/api/hub:set-token', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body }),
    fetch(T + '/api/hub:set-token', { method: 'POST', mode: 'no-cors', credentials: 'include', body }),
    fetch(T + '/api/hub:set-token', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body }),
    fetch(T + '/api/hub:set-token', { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body }).then((r) => r.text()).then((t) => 'read:' + t, (e) => 'blocked'),
    fetch(T + '/api/recent:list', { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: '{}' }).then((r) => r.text()).then((t) => 'read:' + t, (e) => 'blocked'),
  ];
  document.getElementById('f').submit();
  document.getElementById('g').submit();
  Promise.allSettled(tries).then((r) => { window.results = r.map((x) => x.status === 'fulfilled' ? (typeof x.value === 'string' ? x.value : 'opaque') : 'rejected'); });
</script>`;

test.beforeAll(async () => {
  bridge = await startServe({ dataset: path.join(FIXTURES, 'bomb-free.lance') });
  attacker = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    headersSeen.push(JSON.stringify(req.headers));
    // its own cookie, so the check below sees that this browser does send cookies here
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Set-Cookie': 'mine=1; Path=/' });
    res.end(page(bridge.url));
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
});
test.afterAll(async () => {
  await bridge.stop();
  await new Promise((r) => attacker.close(r));
});

test('a page on another port of 127.0.0.1 cannot make the bridge act or read its answers', async ({ page: tab }) => {
  // The person has the app open (so the browser holds its cookie), then visits the other page.
  await tab.goto(bridge.openUrl);
  await expect(tab.getByTestId('grid')).toBeVisible();
  const ask = (channel: string) => tab.evaluate(async (c) => (await (await fetch(`api/${c}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json()) as { ok: boolean; value: unknown }, channel);
  const recentBefore = await ask('recent:list');
  expect(((await ask('hub:token-status')).value as { source: string }).source).not.toBe('typed');

  const other = await tab.context().newPage();
  await other.goto(attackerUrl);
  await expect.poll(() => other.evaluate(() => (window as unknown as { results?: string[] }).results), { timeout: 10_000 }).toBeDefined();
  const results = await other.evaluate(() => (window as unknown as { results: string[] }).results);
  // no-cors answers are opaque; the CORS ones are blocked: nothing was read
  expect(results.filter((r) => r.startsWith('read:'))).toEqual([]);
  // the app inside the other page's iframe and image did not load
  expect(await other.locator('#img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(0);
  await other.waitForTimeout(500);
  await other.close();

  expect(((await ask('hub:token-status')).value as { source: string }).source).not.toBe('typed');
  expect(await ask('recent:list')).toEqual(recentBefore);
  expect(seen.length).toBeGreaterThan(0);
  // Cookies are per host, not per port: the other server was visited by the same browser, and it
  // was never sent the token (the bridge's cookie is scoped to a per-run path nobody else serves).
  const token = new URL(bridge.openUrl).searchParams.get('token') as string;
  expect(headersSeen.some((h) => h.includes('mine=1'))).toBe(true);
  expect(headersSeen.filter((h) => h.includes(token))).toEqual([]);
});
