// The virtualized grid of thumbnails and captions. Only the visible rows of tiles exist in the DOM;
// pages of row data are fetched around them. Keyboard: arrows, Page Up/Down, Home/End, Enter; Space,
// Ctrl+A and Escape select; 1-9 and 0 label (when a label column is chosen).
import { useCallback, useEffect, useRef } from 'react';
import type { RowPages } from '../hooks/useRowPages';
import type { Selection } from '../hooks/useSelection';
import { useScrollActivity } from '../hooks/useScrollActivity';
import { useElementSize, useScaledRows } from '../hooks/useScaledRows';
import { Tile } from './Tile';
import { imageQueue } from '../image-queue';
import { formatCount } from '../format';
import type { ColumnInfo, DatasetInfo, LabelSpec, RowSummary, ViewInfo } from '../../../shared/types';

const MIN_TILE = 180;
const CAPTION_H = 46;

/** What the grid and the table both take: the view's rows, the focus, selection and row actions. */
export interface RowsViewProps {
  dataset: DatasetInfo;
  /** The current view (filters, sort, similar, search); null for the plain table. */
  view: ViewInfo | null;
  focused: number;
  onFocus(index: number): void;
  onOpen(row: RowSummary): void;
  onFindSimilar(row: RowSummary): void;
  /** In a similar view, X on a result: search away from it too (null elsewhere). */
  onLessLike: ((row: RowSummary) => void) | null;
  /** Rows of the view (owned by the window, which also needs them to label by position). */
  pages: RowPages;
  selection: Selection;
  /** A digit pressed on the grid: label the selection. Null when the dataset cannot be labelled. */
  onLabelKey: ((digit: number) => void) | null;
}

interface Props extends RowsViewProps {
  /** Words to highlight in captions (caption search). */
  highlight: string[];
  /** Label columns whose values the tiles show. */
  labelColumns: Array<ColumnInfo & { label: LabelSpec }>;
}

export function ThumbnailGrid({ dataset, view, highlight, focused, onFocus, onOpen, onFindSimilar, onLessLike, pages, selection, onLabelKey, labelColumns }: Props) {
  const total = view ? view.count : dataset.rowCount;
  const scrollRef = useRef<HTMLDivElement>(null);
  useScrollActivity(scrollRef);
  const size = useElementSize(scrollRef);
  const cols = Math.max(1, Math.floor(size.width / MIN_TILE));
  const tileW = size.width > 0 ? size.width / cols : MIN_TILE;
  const rowH = Math.round(tileW + CAPTION_H);
  const gridRows = Math.ceil(total / cols);
  const { virtualizer, scroller, shift } = useScaledRows(scrollRef, gridRows, rowH, { overscan: 2 });

  useEffect(() => virtualizer.measure(), [cols, virtualizer]);
  // When the column count changes (window resized, detail panel opened) keep the focused tile in view.
  const focusedRef = useRef(focused);
  focusedRef.current = focused;
  useEffect(() => {
    if (cols > 0) virtualizer.scrollToIndex(Math.floor(focusedRef.current / cols), { align: 'auto' });
  }, [cols, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const firstRow = items[0]?.index ?? 0;
  const lastRow = items[items.length - 1]?.index ?? 0;
  // The tiles actually in view (the items include the overscan): their images are fetched first.
  // Told while rendering, so the queue ranks against the view this frame shows (idempotent).
  const inView = virtualizer.range ?? { startIndex: firstRow, endIndex: lastRow };
  imageQueue.setView(inView.startIndex * cols, (inView.endIndex + 1) * cols - 1);
  useEffect(() => {
    pages.ensure(firstRow * cols, (lastRow + 1) * cols - 1);
  }, [firstRow, lastRow, cols, pages]);

  const visibleRows = Math.max(1, Math.floor(size.height / rowH));
  const moveTo = useCallback(
    (index: number) => {
      const clamped = Math.min(Math.max(0, index), total - 1);
      onFocus(clamped);
      virtualizer.scrollToIndex(Math.floor(clamped / cols), { align: 'auto' });
    },
    [cols, total, onFocus, virtualizer],
  );

  const onKeyDown = (e: React.KeyboardEvent) => {
    const handled = gridKey(e, { focused, cols, visibleRows, total, moveTo, selection, onLabelKey, canFindSimilar: dataset.vectorColumns.length > 0, row: pages.row, onOpen, onFindSimilar, onLessLike });
    if (handled) e.preventDefault();
  };

  if (total === 0) return <EmptyGrid dataset={dataset} view={view} />;

  const physicalHeight = scroller.physicalTotal;

  return (
    <div
      ref={scrollRef}
      className="grid-scroll"
      tabIndex={0}
      role="grid"
      aria-label={`${dataset.name}: ${formatCount(total)} rows`}
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
              if (index >= total) return null;
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
                  selected={selection.isSelected(index, focused)}
                  labelColumns={labelColumns}
                  onClick={(e) => {
                    const mods = { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey };
                    selection.click(index, focused, mods);
                    onFocus(index);
                  }}
                  onOpen={onOpen}
                  onFindSimilar={dataset.vectorColumns.length ? onFindSimilar : null}
                  scoreLabel={view?.spec.kind === 'similar' || view?.spec.kind === 'meaning' || view?.spec.kind === 'encoded' ? 'distance' : view?.spec.kind === 'search' ? 'score' : view?.spec.kind === 'duplicates' ? 'copies' : null}
                  highlight={highlight}
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

/**
 * The grid's keys: arrows, Page Up/Down, Home/End move the focus; Enter opens; S finds similar (more
 * like the selection when several are selected); X in a similar view searches away from a result; Space,
 * Ctrl+A and Escape change the selection; digits label. True when the key was the grid's.
 */
export function gridKey(
  e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean },
  g: {
    focused: number;
    cols: number;
    visibleRows: number;
    total: number;
    moveTo(index: number): void;
    selection: Selection;
    onLabelKey: ((digit: number) => void) | null;
    canFindSimilar: boolean;
    row(index: number): RowSummary | undefined;
    onOpen(row: RowSummary): void;
    onFindSimilar(row: RowSummary): void;
    onLessLike: ((row: RowSummary) => void) | null;
  },
): boolean {
  const steps: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: g.cols, ArrowUp: -g.cols, PageDown: g.cols * g.visibleRows, PageUp: -g.cols * g.visibleRows };
  const plain = !e.ctrlKey && !e.metaKey;
  const row = () => g.row(g.focused);
  if (e.key in steps) g.moveTo(g.focused + (steps[e.key] as number));
  else if (e.key === 'Home') g.moveTo(0);
  else if (e.key === 'End') g.moveTo(g.total - 1);
  else if (e.key === 'Enter') {
    const r = row();
    if (r) g.onOpen(r);
  } else if ((e.key === 's' || e.key === 'S') && plain && g.canFindSimilar) {
    const r = row();
    if (r) g.onFindSimilar(r);
  } else if ((e.key === 'x' || e.key === 'X') && plain && g.onLessLike) {
    const r = row();
    if (r && !r.isQuery) g.onLessLike(r);
  } else if (e.key === ' ') g.selection.toggle(g.focused, g.focused);
  else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') g.selection.selectAll();
  else if (e.key === 'Escape' && (g.selection.all || g.selection.positions.size)) g.selection.clear();
  else if (/^[0-9]$/.test(e.key) && plain && !e.altKey && g.onLabelKey) g.onLabelKey(Number(e.key));
  else return false;
  return true;
}

/** What an empty grid says: nothing found, no rows match, or an empty dataset. */
export function EmptyGrid({ dataset, view }: { dataset: DatasetInfo; view: ViewInfo | null }) {
  return (
    <div className="empty-state" data-testid="grid-empty">
      {view && view.spec.kind !== 'browse' ? (
        <>
          <h2>Nothing found</h2>
          <p>No rows match. Loosen the filters or try other words.</p>
        </>
      ) : view ? (
        <>
          <h2>No rows match these filters</h2>
          <p>Remove a filter to see rows again.</p>
        </>
      ) : (
        <>
          <h2>This dataset has no rows</h2>
          <p>
            {dataset.name} at version {dataset.version} is empty. Open another dataset or another version.
          </p>
        </>
      )}
    </div>
  );
}
