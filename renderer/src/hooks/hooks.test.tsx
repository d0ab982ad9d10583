/** @vitest-environment happy-dom */
// The renderer's request-driven state, tested against a scripted API: replies are held and released
// in whatever order the test chooses, as a slow bridge or a busy main process delivers them.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import type { DatasetInfo, RowPage, ViewInfo, ViewSpec } from '../../../shared/types';

type Pending = { args: Record<string, unknown>; resolve(v: unknown): void };
const calls: Record<string, Pending[]> = { getPage: [], getViewPage: [], openView: [] };
const deferred = (name: string) => (args: Record<string, unknown>) => new Promise((resolve) => calls[name]!.push({ args, resolve }));

vi.mock('../api/client', () => ({
  api: { getPage: deferred('getPage'), getViewPage: deferred('getViewPage'), openView: deferred('openView') },
}));

const { useRowPages, PAGE_SIZE } = await import('./useRowPages');
const { useViews } = await import('./useViews');
const { useSelection } = await import('./useSelection');

const page = (offset: number, tag: string): { ok: true; value: RowPage } => ({
  ok: true,
  value: { offset, rows: Array.from({ length: PAGE_SIZE }, (_, i) => ({ rowId: `${tag}-${offset + i}`, index: offset + i, values: {} })) },
});
const settle = () => act(async () => {});

beforeEach(() => {
  for (const k of Object.keys(calls)) calls[k] = [];
});
afterEach(() => vi.clearAllMocks());

describe('useRowPages: the page cache', () => {
  it('fetches each page once, however often the grid asks, and shows rows when they land', async () => {
    const { result } = renderHook(() => useRowPages('ds', 10_000));
    act(() => result.current.ensure(0, 450));
    act(() => result.current.ensure(10, 300));
    expect(calls.getPage!.map((c) => c.args.offset)).toEqual([0, 200, 400]);
    expect(result.current.row(5)).toBeUndefined();
    await act(async () => calls.getPage![1]!.resolve(page(200, 'a')));
    expect(result.current.row(250)?.rowId).toBe('a-250');
    expect(result.current.row(5)).toBeUndefined();
  });

  it('keeps an error per page, so one unreadable region does not blank the grid, and retries it', async () => {
    const { result } = renderHook(() => useRowPages('ds', 10_000));
    act(() => result.current.ensure(0, 399));
    await act(async () => {
      calls.getPage![0]!.resolve({ ok: false, error: { code: 'IO', message: 'unreadable fragment' } });
      calls.getPage![1]!.resolve(page(200, 'a'));
    });
    expect(result.current.pageError(10)).toBe('unreadable fragment');
    expect(result.current.row(210)?.rowId).toBe('a-210');
    act(() => result.current.retry(10));
    // Pages 0 and 1 in view, page 2 ahead of the scroll, then page 0 again.
    expect(calls.getPage!.map((c) => c.args.offset)).toEqual([0, 200, 400, 0]);
  });

  it('asks for the page the scroll is heading into before its first row is in view, down and up', async () => {
    const { result } = renderHook(() => useRowPages('ds', 10_000));
    act(() => result.current.ensure(2000, 2040));
    expect(calls.getPage!.map((c) => c.args.offset)).toEqual([2000]);
    act(() => result.current.ensure(2080, 2120)); // within half a page of the next one
    expect(calls.getPage!.map((c) => c.args.offset)).toEqual([2000, 2200]);
    act(() => result.current.ensure(2160, 2200)); // on down: the page ahead is asked for already
    act(() => result.current.ensure(2120, 2160)); // back up, far from the page above: nothing new
    expect(calls.getPage).toHaveLength(2);
    act(() => result.current.ensure(2030, 2070)); // near the top of the page: the one above is next
    expect(calls.getPage!.map((c) => c.args.offset)).toEqual([2000, 2200, 1800]);
    act(() => result.current.ensure(9960, 9999)); // the last page: nothing beyond it
    expect(calls.getPage!.map((c) => c.args.offset)).toEqual([2000, 2200, 1800, 9800]);
  });

  it('refetches loaded pages in place on a new version, and an older reply landing late does not win', async () => {
    let generation = 1;
    const { result, rerender } = renderHook(() => useRowPages('ds', 10_000, null, generation));
    act(() => result.current.ensure(0, 10));
    const first = calls.getPage![0]!;
    generation = 2; // a label was written before the first fetch came back
    rerender();
    await settle();
    expect(calls.getPage).toHaveLength(2);
    await act(async () => calls.getPage![1]!.resolve(page(0, 'new')));
    await act(async () => first.resolve(page(0, 'old')));
    expect(result.current.row(0)?.rowId).toBe('new-0');
  });

  it('drops a reply for the dataset or view that is no longer shown', async () => {
    let view: string | null = null;
    const { result, rerender } = renderHook(() => useRowPages('ds', 10_000, view));
    act(() => result.current.ensure(0, 10));
    view = 'v1';
    rerender();
    await act(async () => calls.getPage![0]!.resolve(page(0, 'table')));
    expect(result.current.row(0)).toBeUndefined();
    act(() => result.current.ensure(0, 10));
    await act(async () => calls.getViewPage![0]!.resolve(page(0, 'view')));
    expect(result.current.row(0)?.rowId).toBe('view-0');
  });

  it('keeps at most its budget of pages, evicting the least recently used', async () => {
    const { result } = renderHook(() => useRowPages('ds', 1_000_000));
    for (let p = 0; p < 70; p++) {
      act(() => result.current.ensure(p * PAGE_SIZE, p * PAGE_SIZE));
      await act(async () => calls.getPage!.at(-1)!.resolve(page(p * PAGE_SIZE, 'x')));
      if (p === 30) act(() => result.current.ensure(0, 0)); // page 0 is looked at again: kept
    }
    expect(result.current.row(0)?.rowId).toBe('x-0');
    expect(result.current.row(PAGE_SIZE)).toBeUndefined(); // page 1: long unused, evicted
    expect(result.current.row(69 * PAGE_SIZE)?.rowId).toBe(`x-${69 * PAGE_SIZE}`);
  });
});

describe('useViews: the view shown is the last one asked for', () => {
  const dataset = { id: 'ds', vectorColumns: ['img_emb'], keyColumn: 'key' } as unknown as DatasetInfo;
  const viewOf = (viewId: string, spec: ViewSpec): { ok: true; value: ViewInfo } => ({
    ok: true,
    value: { viewId, spec, count: 3, where: null, usedIndex: null, notes: [], tookMs: 1 },
  });

  it('ignores the reply to an older filter that arrives after the newer one', async () => {
    const onChange = vi.fn();
    const { result } = renderHook(() => useViews(dataset, onChange));
    const a: ViewSpec = { kind: 'search', text: 'cat', column: 'caption', limit: 100 };
    const b: ViewSpec = { kind: 'search', text: 'dog', column: 'caption', limit: 100 };
    act(() => result.current.apply(a));
    act(() => result.current.apply(b));
    await act(async () => calls.openView![1]!.resolve(viewOf('vb', b)));
    await act(async () => calls.openView![0]!.resolve(viewOf('va', a)));
    expect(result.current.view?.viewId).toBe('vb');
    expect(result.current.busy).toBe(false);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('an older failure does not put an error over the newer view', async () => {
    const { result } = renderHook(() => useViews(dataset, () => {}));
    const a: ViewSpec = { kind: 'search', text: 'x', column: 'caption', limit: 100 };
    act(() => result.current.apply(a));
    act(() => result.current.apply(null));
    await act(async () => calls.openView![0]!.resolve({ ok: false, error: { code: 'INVALID_PAYLOAD', message: 'bad' } }));
    expect(result.current.error).toBeNull();
    expect(result.current.view).toBeNull();
  });
});

describe('useSelection', () => {
  it('click focuses, Ctrl-click adds (keeping the focused tile), Shift-click takes a range, Escape clears', () => {
    const { result } = renderHook(() => useSelection());
    expect(result.current.count(100)).toBe(1); // nothing selected: the focused tile
    act(() => result.current.click(5, 2, { toggle: true, range: false }));
    expect([...result.current.positions].sort((a, b) => a - b)).toEqual([2, 5]);
    act(() => result.current.click(8, 5, { toggle: false, range: true }));
    expect([...result.current.positions].sort((a, b) => a - b)).toEqual([5, 6, 7, 8]);
    act(() => result.current.toggle(6, 8));
    expect(result.current.isSelected(6, 8)).toBe(false);
    act(() => result.current.selectAll());
    expect(result.current.all).toBe(true);
    expect(result.current.count(1234)).toBe(1234);
    act(() => result.current.clear());
    expect(result.current.positions.size).toBe(0);
    expect(result.current.all).toBe(false);
  });
});
