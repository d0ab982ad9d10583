// The grid of the current view (or the embedding map in its place) and, beside it, the detail panel
// of the row that is open (and, on the left, the statistics panel when it is open).
import type { ReactNode } from 'react';
import { ThumbnailGrid } from './ThumbnailGrid';
import { TableView } from './TableView';
import type { Layout } from '../hooks/useLayout';
import { DetailPanel } from './DetailPanel';
import { MapPane } from './MapPane';
import type { MapState } from '../hooks/useMap';
import type { Views } from '../hooks/useViews';
import type { RowPages } from '../hooks/useRowPages';
import type { Selection } from '../hooks/useSelection';
import type { Labelling } from '../hooks/useLabelling';
import type { DatasetInfo, RowSummary } from '../../../shared/types';

interface Props {
  dataset: DatasetInfo;
  views: Views;
  pages: RowPages;
  selection: Selection;
  labelling: Labelling;
  total: number;
  focused: number;
  onFocus(index: number): void;
  detail: RowSummary | null;
  onDetail(row: RowSummary): void;
  onCloseDetail(): void;
  /** A panel on the grid's left (the statistics). */
  side?: ReactNode;
  /** The embedding map, shown instead of the grid when open. */
  map?: MapState | null;
  onRegion?(polygon: Array<[number, number]>): void;
  onCluster?(cluster: number): void;
  layout?: Layout;
}

export function BrowsePane({ dataset, views, pages, selection, labelling, total, focused, onFocus, detail, onDetail, onCloseDetail, side, map, onRegion, onCluster, layout = 'grid' }: Props) {
  const view = views.view;
  // S or a tile's find-similar button: with several tiles selected, more like all of them (the one
  // asked from first); otherwise similar to that one row.
  const findSimilar = (row: RowSummary) => {
    const others = [...selection.positions].filter((i) => i !== row.index).sort((a, b) => a - b).map(pages.row).filter((r): r is RowSummary => !!r);
    if (selection.positions.size > 1 && selection.positions.has(row.index)) views.moreLike([row, ...others]);
    else views.findSimilar(row);
  };
  const lessLike = view?.spec.kind === 'similar' ? views.lessLike : null;
  // The table sorts by a header click where the view is the plain table or a filter (ranked results keep their order).
  const sortable = !view || view.spec.kind === 'browse';
  const browseSort = view?.spec.kind === 'browse' ? (view.spec.sort ?? null) : null;
  return (
    <div className="browse">
      {side}
      {map ? (
        <MapPane dataset={dataset} map={map} view={view} selected={[...selection.positions].map((i) => pages.row(i)?.rowId).filter((r): r is string => !!r)} onRegion={(p) => onRegion?.(p)} onCluster={(c) => onCluster?.(c)} onOpen={onDetail} />
      ) : layout === 'table' ? (
        <TableView
          key={`${dataset.id}:${view?.viewId ?? 'table'}`}
          dataset={dataset}
          pages={pages}
          selection={selection}
          onLabelKey={labelling.canLabel ? labelling.key : null}
          view={view}
          focused={focused}
          onFocus={onFocus}
          onOpen={onDetail}
          onFindSimilar={findSimilar}
          onLessLike={lessLike}
          sort={browseSort}
          onSort={
            sortable
              ? (sort) => {
                  const filter = view?.spec.filter;
                  views.apply(filter || sort ? { kind: 'browse', ...(filter ? { filter } : {}), ...(sort ? { sort } : {}) } : null);
                }
              : null
          }
        />
      ) : (
      <ThumbnailGrid
        key={`${dataset.id}:${view?.viewId ?? 'table'}`}
        dataset={dataset}
        pages={pages}
        selection={selection}
        onLabelKey={labelling.canLabel ? labelling.key : null}
        labelColumns={labelling.columns}
        view={view}
        highlight={view?.spec.kind === 'search' ? view.spec.text.split(/\s+/) : []}
        focused={focused}
        onFocus={onFocus}
        onOpen={onDetail}
        onFindSimilar={findSimilar}
        onLessLike={lessLike}
      />
      )}
      {detail && (
        <DetailPanel
          key={detail.rowId}
          dataset={dataset}
          row={detail}
          onClose={onCloseDetail}
          onFindSimilar={dataset.vectorColumns.length ? () => findSimilar(detail) : null}
          onLessLike={lessLike && !detail.isQuery ? () => lessLike(detail) : null}
          onLabel={labelling.canLabel ? labelling.apply : null}
          labelTargets={selection.count(total)}
        />
      )}
    </div>
  );
}
