// Find similar from a tile, as a person does it: hover, click the tile's button, and the result's
// first tile is the query row itself (its badge and its caption).
import { expect, type Locator, type Page } from '@playwright/test';

/** Runs find similar from `tile`; resolves once the query row leads the results, with that first tile and the caption. */
export async function findSimilarFrom(page: Page, tile: Locator): Promise<{ first: Locator; caption: string | null }> {
  const caption = await tile.getAttribute('title');
  await tile.hover();
  await tile.getByTestId('find-similar').click();
  const first = page.locator('[data-testid=tile][data-index="0"]');
  await expect(first.getByTestId('query-badge')).toBeVisible();
  await expect(first).toHaveAttribute('title', caption ?? '');
  return { first, caption };
}
