// Labelling from the grid: which label column the digit keys write to, the write in flight and its
// error, and where a label goes (the selection, the focused tile, or, after a confirmation, the whole
// view). After a write the session picks up the new version, and an open detail panel shows the same
// position again (the row has a new id: Lance rewrites an updated row).
import { useEffect, useMemo, useRef, useState } from 'react';
import { latest } from '../latest';
import { api } from '../api/client';
import { labelText, valueForDigit } from '../label-keys';
import { formatCount } from '../format';
import type { Views } from './useViews';
import type { Selection } from './useSelection';
import type { ColumnInfo, DatasetInfo, LabelSpec, LabelValue, RowSummary } from '../../../shared/types';

export type LabelColumn = ColumnInfo & { label: LabelSpec };

interface Deps {
  dataset: DatasetInfo | null;
  views: Views;
  selection: Selection;
  focused: number;
  row(position: number): RowSummary | undefined;
  detail: RowSummary | null;
  setDetail(row: RowSummary): void;
  changed(ds: DatasetInfo, what: string, next: DatasetInfo): void;
  /** Ask before labelling the whole view. */
  confirmWholeView(column: string, value: LabelValue): void;
}

export interface Labelling {
  columns: LabelColumn[];
  active: LabelColumn | null;
  choose(name: string): void;
  canLabel: boolean;
  busy: boolean;
  error: string | null;
  /** A label for the selection (or the focused tile); a whole-view selection asks first. */
  apply(column: string, value: LabelValue): void;
  /** A digit key pressed in the grid. */
  key(digit: number): void;
  /** The whole view, once confirmed with the row count the person saw. */
  applyToView(column: string, value: LabelValue, expectedCount: number): Promise<void>;
}

export function useLabelling(d: Deps): Labelling {
  const { dataset, views, selection } = d;
  // Kept by identity across renders: every tile gets it.
  const schema = dataset?.columns;
  const columns = useMemo(() => (schema?.filter((c) => c.label) ?? []) as LabelColumn[], [schema]);
  const [name, setName] = useState<string | null>(null);
  const active = columns.find((c) => c.name === name) ?? columns[0] ?? null;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const canLabel = !!dataset && !dataset.readOnly && columns.length > 0;
  // The detail panel is refreshed after a write; a row opened meanwhile must not be replaced.
  const detailTicket = useRef(latest());
  const shownDetail = d.detail;
  useEffect(() => detailTicket.current.reset(), [shownDetail?.rowId]);
  // Another dataset (or another session of this one) starts without the last one's error.
  const datasetId = dataset?.id;
  useEffect(() => setError(null), [datasetId]);

  const write = async (column: string, value: LabelValue, target: { positions: number[]; rowIds?: string[] } | { all: { expectedCount: number } }) => {
    if (!dataset) return;
    setBusy(true);
    setError(null);
    const r = await api.setLabels({ id: dataset.id, viewId: views.view?.viewId ?? null, column, value, ...target });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    const n = r.value.updated;
    d.changed(dataset, `Labelled ${formatCount(n)} ${n === 1 ? 'row' : 'rows'}: ${column} = ${labelText(value)}`, r.value.dataset);
    if (r.value.reopenView) {
      // Rows moved in ways the session could not follow (another writer, a large write): look again.
      selection.clear();
      views.refresh();
    }
    if (d.detail) {
      const viewId = views.view?.viewId;
      const at = { id: dataset.id, offset: d.detail.index, limit: 1 };
      const current = detailTicket.current.next();
      const page = await (viewId && !r.value.reopenView ? api.getViewPage({ ...at, viewId }) : api.getPage(at));
      if (current() && page.ok && page.value.rows[0]) d.setDetail(page.value.rows[0]);
    }
  };

  const apply = (column: string, value: LabelValue) => {
    if (!canLabel || busy) return;
    if (selection.all) return d.confirmWholeView(column, value);
    const positions = selection.positions.size ? [...selection.positions].sort((a, b) => a - b) : [d.focused];
    const rows = positions.map((p) => d.row(p));
    // The row ids the person is looking at: if the rows moved meanwhile, the write is refused, never misplaced.
    const rowIds = rows.every((r) => r) ? rows.map((r) => (r as RowSummary).rowId) : undefined;
    void write(column, value, { positions, ...(rowIds ? { rowIds } : {}) });
  };

  return {
    columns,
    active,
    choose: setName,
    canLabel,
    busy,
    error,
    apply,
    key(digit) {
      if (!active) return;
      const value = valueForDigit(active.label, digit);
      if (value === undefined) {
        setError(active.label.type === 'text' ? `"${active.name}" takes text: type it in the label bar.` : `No value on key ${digit} for "${active.name}".`);
        return;
      }
      apply(active.name, value);
    },
    applyToView: (column, value, expectedCount) => write(column, value, { all: { expectedCount } }),
  };
}
