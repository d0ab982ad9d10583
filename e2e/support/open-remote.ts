// The start of every object-storage and LanceDB Cloud spec: the bridge on a small local fixture, its
// grid shown, then the Open dialog, where the remote address and its fields are typed.
import { expect, type Locator, type Page } from '@playwright/test';
import path from 'node:path';
import { startServe, type RunningBridge } from './bridge';
import { FIXTURES } from './paths';

export async function openDialogOnFixture(page: Page): Promise<{ bridge: RunningBridge; dialog: Locator }> {
  const bridge = await startServe({ dataset: path.join(FIXTURES, 'bad-images.lance') });
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('status-rows')).toHaveText('40 rows');
  await page.keyboard.press('Control+o');
  return { bridge, dialog: page.getByTestId('open-dialog') };
}
