// Every dialog from the keyboard alone: opened with Enter on its button, focus inside it, Tab and
// Shift+Tab go round its controls (never to the page behind), each stop visibly focused, Escape closes
// it and focus is back on the button that opened it.
import { test, expect, type Page } from '@playwright/test';
import { startServe, type RunningBridge } from '../support/bridge';
import { DIALOGS } from '../support/dialogs';

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startServe();
});
test.afterAll(async () => bridge.stop());

/** Where focus is: inside the dialog or not, what it is, and whether it shows a ring. */
const focusNow = (page: Page, dialog: string) =>
  page.evaluate((id) => {
    const e = document.activeElement as HTMLElement;
    const cs = getComputedStyle(e);
    const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
    const inside = !!document.querySelector(`[data-testid="${id}"]`)?.contains(e);
    return { inside, ring, name: `${e.tagName} ${e.getAttribute('data-testid') ?? e.getAttribute('aria-label') ?? e.textContent?.trim().slice(0, 30) ?? ''}` };
  }, dialog);

for (const [button, dialog] of DIALOGS) {
  test(`${dialog}: keyboard only, focus stays inside, Escape returns it to ${button}`, async ({ page }) => {
    await page.goto(bridge.openUrl);
    await expect(page.getByTestId('tile').first().locator('img')).toBeVisible();
    await page.getByTestId(button).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId(dialog)).toBeVisible();
    expect((await focusNow(page, dialog)).inside, 'focus moved into the dialog').toBe(true);

    const forward: string[] = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const f = await focusNow(page, dialog);
      expect(f.inside, `Tab ${i + 1} left the dialog for ${f.name}`).toBe(true);
      expect(f.ring, `${f.name} has no visible focus`).toBe(true);
      if (forward.includes(f.name)) break; // went round
      forward.push(f.name);
    }
    expect(forward.length).toBeGreaterThan(0);
    // Shift+Tab goes round the other way, staying inside
    for (let i = 0; i < forward.length + 1; i++) {
      await page.keyboard.press('Shift+Tab');
      expect((await focusNow(page, dialog)).inside, `Shift+Tab ${i + 1}`).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(page.getByTestId(dialog)).toBeHidden();
    await expect(page.getByTestId(button)).toBeFocused();
  });
}
