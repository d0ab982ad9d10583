// The table view: every dataset as rows and columns, virtualized both ways (only the rows and columns
// in view exist in the DOM, so 100 columns and a million rows scroll like ten), with a sticky header.
// A header click sorts (ascending, descending, off); its edge resizes; drag a header onto another,
// or Alt+←/→ on it, to reorder; × hides (Columns… shows it again). Rows select, label and open the
// detail panel as tiles do, with the grid's keys (↑/↓ move, ←/→ scroll the columns).
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useScrollActivity } from '../hooks/useScrollActivity';
import { useTableColumns, type TableColumn, type TableColumns } from '../hooks/useTableColumns';
import { useTileImage } from '../hooks/useTileImage';
import { useElementSize, useScaledRows } from '../hooks/useScaledRows';
import { gridKey, EmptyGrid, type RowsViewProps } from './ThumbnailGrid';
import { pageErrorText } from './Tile';
import { imageQueue } from '../image-queue';
import { imageUrl } from '../api/client';
import { formatCount } from '../format';
import type { Cell, ColumnInfo, DatasetInfo, RowSummary } from '../../../shared/types';

const HEADER_H = 34;
const ROW_H = 32;
const IMAGE_ROW_H = 56;
const OVERSCAN_COLS = 2;
const SORTABLE = new Set(['int', 'float', 'string', 'bool', 'timestamp']);

interface Props extends RowsViewProps {
  /** The sort the view has (null: none); a header click asks for the next one. */
  sort: { column: string; descending: boolean } | null;
  /** null: this view keeps its own order (a search's ranking). */
  onSort: ((sort: { column: string; descending: boolean } | null) => void) | null;
}

/** A cell as text for the table: compact, one line (the detail panel shows everything). */
export function tableCellText(cell: Cell | undefined, c: ColumnInfo): string {
  if (cell === null || cell === undefined) {
    if (c.kind === 'vector') return `${c.dim ?? '?'}-d vector`;
    if (c.kind === 'binary') return 'bytes';
    return '—';
  }
  if (typeof cell === 'number') {
    if (c.kind === 'timestamp') return new Date(cell).toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z');
    return Number.isInteger(cell) ? String(cell) : String(Number(cell.toPrecision(6)));
  }
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  if (typeof cell === 'string') {
    if (c.kind === 'timestamp') return cell.replace('T', ' ').replace(/\.000(?=Z?$)/, '');
    return cell.length > 300 ? `${cell.slice(0, 300)}…` : cell;
  }
  if (Array.isArray(cell)) {
    const head = cell.slice(0, 4).map((x) => (x !== null && typeof x === 'object' ? JSON.stringify(x) : String(x)));
    return `[${cell.length}] ${head.join(', ')}${cell.length > 4 ? ', …' : ''}`;
  }
  if (typeof cell === 'object' && '$vector' in cell) return `${(cell as { $vector: { dim: number } }).$vector.dim}-d vector`;
  if (typeof cell === 'object' && '$binary' in cell) return `${formatCount((cell as { $binary: { bytes: number } }).$binary.bytes)} bytes`;
  const text = JSON.stringify(cell);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

const numeric = (c: ColumnInfo) => c.kind === 'int' || c.kind === 'float';

export function TableView({ dataset, view, focused, onFocus, onOpen, onFindSimilar, onLessLike, pages, selection, onLabelKey, sort, onSort }: Props) {
  const total = view ? view.count : dataset.rowCount;
  const columns = useTableColumns(dataset);
  const scrollRef = useRef<HTMLDivElement>(null);
  useScrollActivity(scrollRef);
  const size = useElementSize(scrollRef);
  const [scrollLeft, setScrollLeft] = useState(0);
  const [menu, setMenu] = useState(false);
  const showsImage = !!dataset.imageColumn && columns.shown.some((c) => c.info.name === dataset.imageColumn);
  const rowH = showsImage ? IMAGE_ROW_H : ROW_H;
  // The sticky header sits above the first row.
  const { virtualizer, scroller, shift } = useScaledRows(scrollRef, total, rowH, { overscan: 6, paddingStart: HEADER_H });

  // Columns in view, from their widths and the horizontal scroll.
  const offsets = useMemo(() => {
    const out: number[] = [0];
    for (const c of columns.shown) out.push((out[out.length - 1] as number) + c.width);
    return out;
  }, [columns.shown]);
  const totalWidth = offsets[offsets.length - 1] as number;
  let firstCol = 0;
  while (firstCol < columns.shown.length - 1 && (offsets[firstCol + 1] as number) < scrollLeft) firstCol++;
  let lastCol = firstCol;
  while (lastCol < columns.shown.length - 1 && (offsets[lastCol] as number) < scrollLeft + size.width) lastCol++;
  const from = Math.max(0, firstCol - OVERSCAN_COLS);
  const to = Math.min(columns.shown.length - 1, lastCol + OVERSCAN_COLS);
  const visibleCols = columns.shown.slice(from, to + 1).map((c, i) => ({ ...c, left: offsets[from + i] as number }));

  const items = virtualizer.getVirtualItems();
  const firstRow = items[0]?.index ?? 0;
  const lastRow = items[items.length - 1]?.index ?? 0;
  const inView = virtualizer.range ?? { startIndex: firstRow, endIndex: lastRow };
  if (showsImage) imageQueue.setView(inView.startIndex, inView.endIndex);
  useEffect(() => {
    pages.ensure(firstRow, lastRow);
  }, [firstRow, lastRow, pages]);

  const visibleRows = Math.max(1, Math.floor((size.height - HEADER_H) / rowH));
  const moveTo = useCallback(
    (index: number) => {
      const clamped = Math.min(Math.max(0, index), total - 1);
      onFocus(clamped);
      virtualizer.scrollToIndex(clamped, { align: 'auto' });
    },
    [total, onFocus, virtualizer],
  );
  const onKeyDown = (e: React.KeyboardEvent) => {
    // A header control's own keys (sort and hide buttons, resize handles, the Columns menu) stay its own.
    if (e.target !== e.currentTarget && (e.target as HTMLElement).closest('button, input, select, [role=separator], [role=dialog]')) return;
    if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && !e.altKey) {
      const el = scrollRef.current;
      const step = e.key === 'ArrowRight' ? 1 : -1;
      const target = Math.min(columns.shown.length - 1, Math.max(0, firstCol + step));
      el?.scrollTo({ left: offsets[target] as number });
      e.preventDefault();
      return;
    }
    const handled = gridKey(e, { focused, cols: 1, visibleRows, total, moveTo, selection, onLabelKey, canFindSimilar: dataset.vectorColumns.length > 0, row: pages.row, onOpen, onFindSimilar, onLessLike });
    if (handled) e.preventDefault();
  };

  const canSort = (c: ColumnInfo) => !!onSort && SORTABLE.has(c.kind);
  const nextSort = (c: ColumnInfo) => {
    if (!onSort || !SORTABLE.has(c.kind)) return;
    if (!sort || sort.column !== c.name) onSort({ column: c.name, descending: false });
    else if (!sort.descending) onSort({ column: c.name, descending: true });
    else onSort(null);
  };

  if (total === 0) return <EmptyGrid dataset={dataset} view={view} />;

  return (
    <div className="table-pane">
      <div className="table-bar">
        <span className="muted" data-testid="table-columns-count">
          {columns.shown.length} of {columns.all.length} columns
        </span>
        <button type="button" onClick={() => setMenu((m) => !m)} aria-expanded={menu} data-testid="table-columns-button">
          Columns…
        </button>
        {menu && <ColumnsMenu columns={columns} onClose={() => setMenu(false)} />}
      </div>
      <div
        ref={scrollRef}
        className="table-scroll"
        tabIndex={0}
        role="grid"
        aria-label={`${dataset.name}: ${formatCount(total)} rows, ${columns.shown.length} columns`}
        aria-rowcount={total + 1}
        aria-colcount={columns.shown.length}
        data-testid="table"
        onKeyDown={onKeyDown}
        onScroll={(e) => {
          const left = (e.target as HTMLDivElement).scrollLeft;
          if (left !== scrollLeft) setScrollLeft(left);
        }}
      >
        <div className="table-spacer" style={{ height: scroller.physicalTotal + HEADER_H, width: totalWidth }}>
          <div className="table-header" role="row" aria-rowindex={1} style={{ width: totalWidth, height: HEADER_H }}>
            {visibleCols.map((c) => (
              <HeaderCell key={c.info.name} column={c} left={c.left} sort={sort?.column === c.info.name ? sort : null} sortable={canSort(c.info)} onSort={() => nextSort(c.info)} columns={columns} />
            ))}
          </div>
          {items.map((item) => {
            const row = pages.row(item.index);
            const error = pages.pageError(item.index);
            return (
              <TableRow
                key={item.key}
                index={item.index}
                top={item.start - shift}
                height={rowH}
                width={totalWidth}
                row={row}
                error={error}
                cols={visibleCols}
                dataset={dataset}
                focused={item.index === focused}
                selected={selection.isSelected(item.index, focused)}
                onClick={(e) => {
                  selection.click(item.index, focused, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey });
                  onFocus(item.index);
                }}
                onOpen={onOpen}
                onRetry={() => pages.retry(item.index)}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

function HeaderCell({ column, left, sort, sortable, onSort, columns }: { column: TableColumn; left: number; sort: { descending: boolean } | null; sortable: boolean; onSort(): void; columns: TableColumns }) {
  const c = column.info;
  const drag = useRef<{ x: number; width: number } | null>(null);
  return (
    <div
      className={`table-th${numeric(c) ? ' num' : ''}`}
      role="columnheader"
      aria-sort={sort ? (sort.descending ? 'descending' : 'ascending') : 'none'}
      style={{ left, width: column.width }}
      data-column={c.name}
      draggable
      onDragStart={(e) => e.dataTransfer.setData('text/x-lx-column', c.name)}
      onDragOver={(e) => e.dataTransfer.types.includes('text/x-lx-column') && e.preventDefault()}
      onDrop={(e) => {
        const moved = e.dataTransfer.getData('text/x-lx-column');
        if (moved) columns.moveBefore(moved, c.name);
      }}
    >
      <button
        type="button"
        className="table-th-name"
        title={`${c.name}: ${c.type}${sortable ? ' (click to sort; Alt+←/→ to move)' : ' (Alt+←/→ to move)'}`}
        onClick={sortable ? onSort : undefined}
        aria-disabled={!sortable}
        data-testid={`th-${c.name}`}
        onKeyDown={(e) => {
          if (e.altKey && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
            columns.move(c.name, e.key === 'ArrowRight' ? 1 : -1);
            e.preventDefault();
          }
        }}
      >
        {c.name}
        {sort ? (sort.descending ? ' ↓' : ' ↑') : ''}
      </button>
      <button type="button" className="table-th-hide" aria-label={`Hide ${c.name}`} title={`Hide ${c.name}`} onClick={() => columns.toggle(c.name)}>
        ×
      </button>
      <div
        className="table-th-resize"
        role="separator"
        aria-orientation="vertical"
        aria-label={`Width of ${c.name}`}
        aria-valuenow={column.width}
        tabIndex={0}
        data-testid={`resize-${c.name}`}
        onKeyDown={(e) => {
          if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
            columns.setWidth(c.name, column.width + (e.key === 'ArrowRight' ? 16 : -16));
            e.preventDefault();
            e.stopPropagation();
          }
        }}
        onPointerDown={(e) => {
          (e.target as HTMLElement).setPointerCapture(e.pointerId);
          drag.current = { x: e.clientX, width: column.width };
          e.preventDefault();
          e.stopPropagation();
        }}
        onPointerMove={(e) => {
          if (drag.current) columns.setWidth(c.name, drag.current.width + e.clientX - drag.current.x);
        }}
        onPointerUp={() => (drag.current = null)}
      />
    </div>
  );
}

const TableRow = memo(function TableRow(p: {
  index: number;
  top: number;
  height: number;
  width: number;
  row: RowSummary | undefined;
  error: string | null;
  cols: Array<TableColumn & { left: number }>;
  dataset: DatasetInfo;
  focused: boolean;
  selected: boolean;
  onClick(e: React.MouseEvent): void;
  onOpen(row: RowSummary): void;
  onRetry(): void;
}) {
  const { row } = p;
  return (
    <div
      role="row"
      aria-rowindex={p.index + 2}
      aria-selected={p.selected}
      className={`table-row${p.focused ? ' focused' : ''}${p.selected ? ' selected' : ''}${p.index % 2 ? ' odd' : ''}`}
      style={{ transform: `translateY(${p.top + HEADER_H}px)`, height: p.height, width: p.width }}
      data-testid="table-row"
      data-index={p.index}
      data-row-id={row?.rowId}
      onClick={p.onClick}
      onMouseDown={(e) => e.shiftKey && e.preventDefault()}
      onDoubleClick={() => row && p.onOpen(row)}
    >
      {p.error ? (
        <div className="table-td" role="gridcell" style={{ left: p.cols[0]?.left ?? 0, width: 400 }} title={p.error}>
          {pageErrorText(p.error)}{' '}
          <button type="button" onClick={(e) => (e.stopPropagation(), p.onRetry())}>
            Retry
          </button>
        </div>
      ) : (
        p.cols.map((c) => {
          if (c.info.name === p.dataset.imageColumn) return <ImageCell key={c.info.name} left={c.left} width={c.width} dataset={p.dataset} row={row} index={p.index} />;
          const text = row ? tableCellText(row.values[c.info.name], c.info) : '';
          const empty = !row || row.values[c.info.name] === null || row.values[c.info.name] === undefined;
          return (
            <div key={c.info.name} role="gridcell" className={`table-td${numeric(c.info) ? ' num' : ''}${empty ? ' muted' : ''}`} style={{ left: c.left, width: c.width }} title={text.length > 20 ? text : undefined} data-column={c.info.name}>
              {text}
            </div>
          );
        })
      )}
    </div>
  );
});

function ImageCell({ left, width, dataset, row, index }: { left: number; width: number; dataset: DatasetInfo; row: RowSummary | undefined; index: number }) {
  const image = useTileImage(row ? imageUrl(dataset, row.rowId) : '', index);
  return (
    <div role="gridcell" className="table-td table-img" style={{ left, width }}>
      {image.url ? <img src={image.url} alt="" draggable={false} onError={image.onDecodeError} /> : image.error ? <span className="muted" title={image.error.message}>no image</span> : null}
    </div>
  );
}

function ColumnsMenu({ columns, onClose }: { columns: TableColumns; onClose(): void }) {
  return (
    <div className="table-menu" role="dialog" aria-label="Columns" data-testid="table-columns-menu" onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), onClose())}>
      {columns.all.map(({ info, hidden }) => (
        <label key={info.name}>
          <input type="checkbox" checked={!hidden} onChange={() => columns.toggle(info.name)} /> {info.name} <span className="muted">{info.kind}</span>
        </label>
      ))}
      <div className="row">
        <button type="button" onClick={columns.reset}>
          Show all, as first
        </button>
        <button type="button" onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  );
}
