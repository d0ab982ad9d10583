import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe } from '../support/bridge';

test('on first start the demo is built with visible progress, then opened', async ({ page }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lx-first-start-'));
  const demo = path.join(dir, 'laion-demo.lance');
  const bridge = await startServe({ demo, env: { LANCE_EXPLORER_DEMO_ROWS: '300' } });
  try {
    await page.goto(bridge.openUrl);
    const screen = page.getByTestId('demo-build');
    await expect(screen).toContainText('Building the demo dataset');
    await expect(screen.getByRole('status')).toContainText(/Rendering images \d+ of 300|Writing the Lance table/);
    await expect.poll(() => page.getByTestId('demo-progress').evaluate((p: HTMLProgressElement) => p.value)).toBeGreaterThan(0);
    await expect(page.getByTestId('status-rows')).toHaveText('300 rows', { timeout: 60_000 });
    await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
    expect(existsSync(path.join(demo, '_versions'))).toBe(true);
  } finally {
    await bridge.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
