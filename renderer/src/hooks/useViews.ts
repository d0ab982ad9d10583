// The current view of the open dataset, opened through the API, kept in the browser history so Back
// and Forward move between views (browse, filter, similar-of-X, search).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { DatasetInfo, RowSummary, ViewInfo, ViewSpec } from '../../../shared/types';

interface HistoryState {
  lx: true;
  datasetId: string;
  spec: ViewSpec | null;
}

export interface Views {
  view: ViewInfo | null;
  busy: boolean;
  error: string | null;
  apply(spec: ViewSpec | null): void;
  findSimilar(row: RowSummary): void;
}

export function useViews(dataset: DatasetInfo | null, onChange: () => void): Views {
  const [view, setView] = useState<ViewInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = useRef<ViewInfo | null>(null);
  current.current = view;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  const open = useCallback(
    async (spec: ViewSpec | null, push: boolean) => {
      if (!dataset) return;
      setError(null);
      if (!spec) {
        setView(null);
        onChangeRef.current();
        if (push) history.pushState({ lx: true, datasetId: dataset.id, spec: null } satisfies HistoryState, '', '#');
        return;
      }
      setBusy(true);
      const r = await api.openView({ id: dataset.id, spec });
      setBusy(false);
      if (!r.ok) return setError(r.error.message);
      setView(r.value);
      onChangeRef.current();
      const hash = `#${encodeURIComponent(JSON.stringify(spec))}`;
      if (push) history.pushState({ lx: true, datasetId: dataset.id, spec } satisfies HistoryState, '', hash);
    },
    [dataset],
  );

  // A new dataset starts at its plain table, as the current history entry.
  useEffect(() => {
    setView(null);
    setError(null);
    if (dataset) history.replaceState({ lx: true, datasetId: dataset.id, spec: null } satisfies HistoryState, '', '#');
  }, [dataset]);

  useEffect(() => {
    const onPop = (e: PopStateEvent) => {
      const state = e.state as HistoryState | null;
      if (!state?.lx || !dataset || state.datasetId !== dataset.id) return;
      void open(state.spec, false);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [dataset, open]);

  const apply = useCallback((spec: ViewSpec | null) => void open(spec, true), [open]);

  const findSimilar = useCallback(
    (row: RowSummary) => {
      if (!dataset?.vectorColumns.length) return;
      const prev = current.current?.spec;
      void open(
        {
          kind: 'similar',
          rowId: row.rowId,
          column: prev?.kind === 'similar' ? prev.column : (dataset.vectorColumns[0] as string),
          k: prev?.kind === 'similar' ? prev.k : 50,
          metric: prev?.kind === 'similar' ? prev.metric : 'l2',
          nprobes: prev?.kind === 'similar' ? prev.nprobes : 20,
          refineFactor: prev?.kind === 'similar' ? prev.refineFactor : 10,
          // Filters carry over: similar images among the rows you were looking at.
          ...(prev?.filter ? { filter: prev.filter } : {}),
        },
        true,
      );
    },
    [dataset, open],
  );

  return { view, busy, error, apply, findSimilar };
}
