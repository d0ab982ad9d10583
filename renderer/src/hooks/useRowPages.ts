// Pages of rows around what is visible, fetched on demand and kept in a small LRU.
// The grid asks for a range; this hook fetches the pages covering it (once each) and re-renders
// when they land. Errors are kept per page so one unreadable region does not blank the grid.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { latestByKey } from '../latest';
import type { RowSummary } from '../../../shared/types';

export const PAGE_SIZE = 200;
const MAX_PAGES = 60;
/**
 * How far past the view, in the direction of the scroll, the next page is asked for: half a page,
 * so it is usually there before its first tile is (a dataset in object storage or LanceDB Cloud
 * answers in tens of milliseconds, not one).
 */
export const PREFETCH_ROWS = PAGE_SIZE / 2;

type PageState = { rows: RowSummary[] } | { error: string } | 'loading';

export interface RowPages {
  row(index: number): RowSummary | undefined;
  pageError(index: number): string | null;
  ensure(first: number, last: number): void;
  retry(index: number): void;
}

/**
 * Pages of the plain table, or of a view (filters, sort, similar, search) when `viewId` is set.
 * A new `generation` (the dataset's version: labels written, a column added) fetches the loaded pages
 * again in place, keeping what is shown until the new rows land: no flash of empty tiles.
 */
export function useRowPages(datasetId: string | null, rowCount: number, viewId: string | null = null, generation = 0): RowPages {
  const pages = useRef(new Map<number, PageState>());
  const [, setTick] = useState(0);
  const bump = useCallback(() => setTick((t) => t + 1), []);
  // The newest request per page wins: a refetch after a write must not be overwritten by the
  // older fetch of the same page landing late, and a reply for another dataset or view is dropped.
  const tickets = useRef(latestByKey<number>());

  // A new dataset or view starts with no pages, decided while rendering: resetting in an effect ran
  // after the grid's own effect had asked for page 0, dropped that reply and asked again.
  const shownKey = useRef<string | null>(null);
  const key = `${datasetId ?? ''}\u0000${viewId ?? ''}`;
  // The version a page set was fetched at: a new dataset starts at its own, not at a change.
  const firstGeneration = useRef(generation);
  if (shownKey.current !== key) {
    shownKey.current = key;
    pages.current = new Map();
    tickets.current.reset();
    firstGeneration.current = generation;
  }

  const load = useCallback(
    (page: number, quiet = false) => {
      if (!datasetId) return;
      const map = pages.current;
      if (!quiet) map.set(page, 'loading');
      const request = { id: datasetId, offset: page * PAGE_SIZE, limit: PAGE_SIZE };
      const current = tickets.current.next(page);
      void (viewId ? api.getViewPage({ ...request, viewId }) : api.getPage(request)).then((r) => {
        if (!current() || pages.current !== map) return; // superseded, or a different dataset is open now
        map.set(page, r.ok ? { rows: r.value.rows } : { error: r.error.message });
        // Evict the oldest pages beyond the budget (Map keeps insertion order).
        while (map.size > MAX_PAGES) {
          const oldest = map.keys().next().value as number;
          map.delete(oldest);
        }
        bump();
      });
    },
    [datasetId, viewId, bump],
  );

  const lastFirst = useRef(0);
  const ensure = useCallback(
    (first: number, last: number) => {
      if (!datasetId || rowCount === 0) return;
      const down = first >= lastFirst.current;
      lastFirst.current = first;
      const lo = Math.max(0, Math.floor(first / PAGE_SIZE));
      const hi = Math.min(Math.floor((rowCount - 1) / PAGE_SIZE), Math.floor(last / PAGE_SIZE));
      for (let p = lo; p <= hi; p++) {
        const state = pages.current.get(p);
        if (state === undefined) load(p);
        else if (state !== 'loading' && 'rows' in state) {
          // Touch: move to the back of the LRU order.
          pages.current.delete(p);
          pages.current.set(p, state);
        }
      }
      // Then the page the scroll is heading into.
      const ahead = Math.floor((down ? Math.min(rowCount - 1, last + PREFETCH_ROWS) : Math.max(0, first - PREFETCH_ROWS)) / PAGE_SIZE);
      if (pages.current.get(ahead) === undefined) load(ahead);
    },
    [datasetId, rowCount, load],
  );

  const row = useCallback((index: number) => {
    const state = pages.current.get(Math.floor(index / PAGE_SIZE));
    if (!state || state === 'loading' || !('rows' in state)) return undefined;
    return state.rows[index % PAGE_SIZE];
  }, []);

  const pageError = useCallback((index: number) => {
    const state = pages.current.get(Math.floor(index / PAGE_SIZE));
    return state && state !== 'loading' && 'error' in state ? state.error : null;
  }, []);

  const retry = useCallback((index: number) => load(Math.floor(index / PAGE_SIZE)), [load]);

  useEffect(() => {
    if (generation === firstGeneration.current) return;
    firstGeneration.current = generation;
    for (const page of [...pages.current.keys()]) load(page, true);
  }, [generation, load]);

  return { row, pageError, ensure, retry };
}
