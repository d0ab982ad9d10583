// The table view on a dataset of 100 columns of many types and no image: it opens as a table, cells
// are typed, only the columns and rows in view exist, a header click sorts, headers resize, hide,
// come back and move, and rows select and open the detail panel. On LAION-shaped data the table
// shows the image column as thumbnails, and the grid/table choice is remembered.
import { test, expect } from '@playwright/test';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServe, type RunningBridge } from '../support/bridge';
import { FIXTURES } from '../support/paths';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startServe({ dataset: path.join(FIXTURES, 'wide.lance') });
});
test.afterAll(async () => bridge.stop());

const cell = (page: import('@playwright/test').Page, row: number, column: string) => page.locator(`[data-testid=table-row][data-index="${row}"] [data-column="${column}"]`);

test('a dataset without images opens as a table of typed cells, virtualized both ways', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(bridge.openUrl);
  const table = page.getByTestId('table');
  await expect(table).toBeVisible();
  await expect(page.getByTestId('layout-table')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('table-columns-count')).toHaveText('100 of 100 columns');
  // Typed: numbers right-aligned, timestamps readable, structs and lists compact, vectors summarised.
  await expect(cell(page, 0, 'int_00')).toHaveText('0');
  await expect(cell(page, 0, 'int_00')).toHaveCSS('justify-content', 'flex-end');
  await expect(cell(page, 0, 'time_04')).toHaveText(/^2023-\d\d-\d\d \d\d:\d\d:\d\dZ?$/);
  await expect(cell(page, 0, 'struct_05')).toHaveText('{"a":23630,"b":"s0"}');
  await expect(cell(page, 0, 'list_06')).toHaveText('[3] 0, 6, 3');
  await expect(cell(page, 0, 'text_02')).toHaveCSS('justify-content', 'normal');
  // Only what is in view is in the page: far fewer cells than 100 columns x the rows shown.
  const rows = await page.getByTestId('table-row').count();
  const cells = await page.locator('[data-testid=table-row] [role=gridcell]').count();
  expect(cells).toBeLessThan(rows * 30);
  // Far right and far down: the last columns and the last row.
  await table.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  await expect(page.getByTestId('th-vec')).toBeVisible();
  await expect(cell(page, 0, 'vec')).toHaveText('4-d vector');
  await expect(page.getByTestId('th-int_00')).toHaveCount(0);
  await table.focus();
  await page.keyboard.press('End');
  await expect(cell(page, 2999, 'name')).toHaveText('thing number 2999');
  await expect(page.getByTestId('table-row').filter({ has: page.locator('[data-column=name]') }).last()).toBeVisible();
  // The header stays on top while scrolled.
  const header = await page.getByTestId('th-vec').boundingBox();
  const box = await table.boundingBox();
  expect(Math.abs((header?.y ?? 0) - (box?.y ?? 0))).toBeLessThan(4);
});

test('a header click sorts up, down and off; headers resize, hide, come back and move', async ({ page }) => {
  await page.goto(bridge.openUrl);
  await expect(page.getByTestId('table')).toBeVisible();
  const th = page.getByTestId('th-float_01');
  await th.click();
  await expect(th).toHaveText('float_01 ↑');
  const first = Number(await cell(page, 0, 'float_01').textContent());
  const second = Number(await cell(page, 1, 'float_01').textContent());
  expect(first).toBeLessThanOrEqual(second);
  await expect(page.getByTestId('view-count')).toContainText('3,000 of 3,000');
  await th.click();
  await expect(th).toHaveText('float_01 ↓');
  expect(Number(await cell(page, 0, 'float_01').textContent())).toBeGreaterThan(Number(await cell(page, 1, 'float_01').textContent()) - 1e-9);
  await th.click();
  await expect(th).toHaveText('float_01');
  await expect(cell(page, 0, 'int_00')).toHaveText('0');

  // Resize from the keyboard: wider by 16 px a press.
  const before = (await page.locator('[data-column=float_01].table-th').boundingBox())!.width;
  await page.getByTestId('resize-float_01').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await page.locator('[data-column=float_01].table-th').boundingBox())!.width).toBeCloseTo(before + 32, 0);
  // Hide, then show again from Columns….
  await page.getByRole('button', { name: 'Hide text_02' }).click();
  await expect(page.getByTestId('th-text_02')).toHaveCount(0);
  await expect(page.getByTestId('table-columns-count')).toHaveText('99 of 100 columns');
  await page.getByTestId('table-columns-button').click();
  await page.getByTestId('table-columns-menu').getByLabel('text_02').check();
  await expect(page.getByTestId('th-text_02')).toBeVisible();
  // Move int_00 one place right with Alt+→; the layout survives a reload.
  await page.getByTestId('th-int_00').focus();
  await page.keyboard.press('Alt+ArrowRight');
  const order = async () => page.locator('.table-th').evaluateAll((els) => els.slice(0, 3).map((e) => e.getAttribute('data-column')));
  await expect.poll(order).toEqual(['float_01', 'int_00', 'text_02']);
  await page.reload();
  await expect.poll(order).toEqual(['float_01', 'int_00', 'text_02']);
  await page.getByTestId('table-columns-button').click();
  await page.getByRole('button', { name: 'Show all, as first' }).click();
  await expect.poll(order).toEqual(['int_00', 'float_01', 'text_02']);
});

test('rows select, filter and open the detail panel as tiles do', async ({ page }) => {
  await page.goto(bridge.openUrl);
  const table = page.getByTestId('table');
  await expect(table).toBeVisible();
  await page.locator('[data-testid=table-row][data-index="2"]').click();
  await page.locator('[data-testid=table-row][data-index="5"]').click({ modifiers: ['Shift'] });
  await expect(page.locator('[data-testid=table-row][aria-selected=true]')).toHaveCount(4);
  await page.keyboard.press('Escape');
  // Nothing selected: labels go to the focused row, as on the grid.
  await expect(page.locator('[data-testid=table-row][aria-selected=true]')).toHaveCount(1);
  await expect(page.locator('[data-testid=table-row][aria-selected=true]')).toHaveAttribute('data-index', '5');
  await page.getByPlaceholder(/Advanced: SQL where/).fill('int_00 < 5000');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('view-count')).toContainText('rows match');
  for (let r = 0; r < 5; r++) expect(Number(await cell(page, r, 'int_00').textContent())).toBeLessThan(5000);
  // A click on a cell in view (the middle of a 100-column row is far off to the right).
  await cell(page, 0, 'int_00').click();
  await expect(table).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('.table-row.focused')).toHaveAttribute('data-index', '1');
  await page.keyboard.press('Enter');
  const detail = page.getByTestId('detail');
  await expect(detail).toBeVisible();
  await expect(detail.locator('[data-field=int_00]')).toContainText(String(await cell(page, 1, 'int_00').textContent()));
});

test('rows label from the keyboard as tiles do, and the label shows in its column', async ({ page }) => {
  // A copy: the other tests read the fixture as it was made.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lx-e2e-wide-'));
  cpSync(path.join(FIXTURES, 'wide.lance'), path.join(dir, 'wide.lance'), { recursive: true });
  const b = await startServe({ dataset: path.join(dir, 'wide.lance') });
  try {
    await page.goto(b.openUrl);
    const table = page.getByTestId('table');
    await expect(table).toBeVisible();
    await page.getByTestId('add-column-button').click();
    await page.getByTestId('addcol-name').fill('quality');
    await page.getByTestId('addcol-categories').fill('good, blurry');
    await page.getByTestId('addcol-add').click();
    await expect(page.getByTestId('add-column-dialog')).toBeHidden();
    await expect(page.getByTestId('table-columns-count')).toHaveText('101 of 101 columns');
    await page.locator('[data-testid=table-row][data-index="1"]').click();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('selection-count')).toHaveText('2 selected');
    await page.keyboard.press('2');
    await expect(page.getByTestId('undo-bar')).toContainText('Labelled 2 rows: quality = blurry');
    await table.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    await expect(cell(page, 1, 'quality')).toHaveText('blurry');
    await expect(cell(page, 2, 'quality')).toHaveText('blurry');
    await expect(cell(page, 0, 'quality')).toHaveText('—');
    await expect(cell(page, 1, 'name')).toHaveText('thing number 1');
  } finally {
    await b.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LAION-shaped data: the table shows thumbnails, and the grid or table choice is kept', async ({ page }) => {
  const b = await startServe({ dataset: path.join(FIXTURES, 'bad-images.lance') });
  try {
    await page.goto(b.openUrl);
    await expect(page.getByTestId('grid')).toBeVisible();
    await page.getByTestId('layout-table').click();
    await expect(page.getByTestId('table')).toBeVisible();
    await expect(page.locator('[data-testid=table-row][data-index="1"] .table-img img')).toBeVisible();
    await expect(page.locator('[data-testid=table-row][data-index="0"] .table-img')).toContainText('no image');
    await page.reload();
    await expect(page.getByTestId('table')).toBeVisible();
    await page.getByTestId('layout-grid').click();
    await expect(page.getByTestId('grid')).toBeVisible();
  } finally {
    await b.stop();
  }
});
