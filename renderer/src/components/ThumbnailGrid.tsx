// The virtualized grid of thumbnails and captions. Only the visible rows of tiles exist in the DOM;
// pages of row data are fetched around them. Keyboard: arrows, Page Up/Down, Home/End, Enter.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRowPages } from '../hooks/useRowPages';
import { ScaledScroller, observeRealRect } from './scaled-scroll';
import { Tile } from './Tile';
import { formatCount } from '../format';
import type { DatasetInfo, RowSummary } from '../../../shared/types';

const MIN_TILE = 180;
const CAPTION_H = 46;

interface Props {
  dataset: DatasetInfo;
  focused: number;
  onFocus(index: number): void;
  onOpen(row: RowSummary): void;
}

export function ThumbnailGrid({ dataset, focused, onFocus, onOpen }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const pages = useRowPages(dataset.id, dataset.rowCount);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const cols = Math.max(1, Math.floor(size.width / MIN_TILE));
  const tileW = size.width > 0 ? size.width / cols : MIN_TILE;
  const rowH = Math.round(tileW + CAPTION_H);
  const gridRows = Math.ceil(dataset.rowCount / cols);
  const [scroller] = useState(() => new ScaledScroller());
  scroller.el = scrollRef.current;
  scroller.virtualTotal = gridRows * rowH;

  const virtualizer = useVirtualizer({
    count: gridRows,
    // The virtualizer sees a stand-in that maps virtual pixels onto the capped real element.
    getScrollElement: () => {
      scroller.el = scrollRef.current;
      return scroller.el ? (scroller as unknown as HTMLDivElement) : null;
    },
    estimateSize: () => rowH,
    overscan: 2,
    observeElementRect: observeRealRect(scroller),
  });

  useEffect(() => virtualizer.measure(), [rowH, cols, virtualizer]);
  // When the column count changes (window resized, detail panel opened) keep the focused tile in view.
  const focusedRef = useRef(focused);
  focusedRef.current = focused;
  useEffect(() => {
    if (cols > 0) virtualizer.scrollToIndex(Math.floor(focusedRef.current / cols), { align: 'auto' });
  }, [cols, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const firstRow = items[0]?.index ?? 0;
  const lastRow = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    pages.ensure(firstRow * cols, (lastRow + 1) * cols - 1);
  }, [firstRow, lastRow, cols, pages]);

  const visibleRows = Math.max(1, Math.floor(size.height / rowH));
  const moveTo = useCallback(
    (index: number) => {
      const clamped = Math.min(Math.max(0, index), dataset.rowCount - 1);
      onFocus(clamped);
      virtualizer.scrollToIndex(Math.floor(clamped / cols), { align: 'auto' });
    },
    [cols, dataset.rowCount, onFocus, virtualizer],
  );

  const onKeyDown = (e: React.KeyboardEvent) => {
    const steps: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: cols,
      ArrowUp: -cols,
      PageDown: cols * visibleRows,
      PageUp: -cols * visibleRows,
    };
    if (e.key in steps) moveTo(focused + (steps[e.key] as number));
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(dataset.rowCount - 1);
    else if (e.key === 'Enter') {
      const row = pages.row(focused);
      if (row) onOpen(row);
    } else return;
    e.preventDefault();
  };

  if (dataset.rowCount === 0) {
    return (
      <div className="empty-state" data-testid="grid-empty">
        <h2>This dataset has no rows</h2>
        <p>
          {dataset.name} at version {dataset.version} is empty. Open another dataset or another version.
        </p>
      </div>
    );
  }

  // The virtualizer's offsets are virtual; shift rendered rows back into the real (capped) spacer.
  const shift = scroller.scrollTop - (scrollRef.current?.scrollTop ?? 0);
  const physicalHeight = scroller.physicalTotal;

  return (
    <div
      ref={scrollRef}
      className="grid-scroll"
      tabIndex={0}
      role="grid"
      aria-label={`${dataset.name}: ${formatCount(dataset.rowCount)} rows`}
      aria-rowcount={gridRows}
      aria-colcount={cols}
      data-testid="grid"
      data-cols={cols}
      onKeyDown={onKeyDown}
    >
      <div className="grid-spacer" style={{ height: physicalHeight }}>
        {items.map((item) => (
          <div
            key={item.key}
            role="row"
            aria-rowindex={item.index + 1}
            className="grid-row"
            style={{ transform: `translateY(${item.start - shift}px)`, height: rowH }}
          >
            {Array.from({ length: cols }, (_, c) => {
              const index = item.index * cols + c;
              if (index >= dataset.rowCount) return null;
              return (
                <Tile
                  key={index}
                  index={index}
                  width={tileW}
                  height={rowH}
                  dataset={dataset}
                  row={pages.row(index)}
                  error={pages.pageError(index)}
                  focused={index === focused}
                  onClick={() => onFocus(index)}
                  onOpen={onOpen}
                  onRetry={() => pages.retry(index)}
                />
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
