// The current view of the open dataset, opened through the API, kept in the browser history so Back
// and Forward move between views (browse, filter, similar-of-X, search).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { latest } from '../latest';
import { MAX_EXAMPLES, SIMILAR_DEFAULTS, type DatasetInfo, type RowSummary, type ViewInfo, type ViewSpec } from '../../../shared/types';

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
  /** Similar to the first row and like the others ("more like these"). */
  moreLike(rows: RowSummary[]): void;
  /** In a similar view: the same search, away from this row too. */
  lessLike(row: RowSummary): void;
  /** Open the current view again (an index was built): same history entry. */
  refresh(): void;
}

export function useViews(dataset: DatasetInfo | null, onChange: () => void): Views {
  const [view, setView] = useState<ViewInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = useRef<ViewInfo | null>(null);
  current.current = view;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  // Views asked for quickly one after another: only the last one asked for is shown.
  const tickets = useRef(latest());

  const open = useCallback(
    async (spec: ViewSpec | null, push: boolean) => {
      if (!dataset) return;
      const current = tickets.current.next();
      setError(null);
      if (!spec) {
        // Back to the plain table: tell main, so a filtered view still computing stops (the plain
        // view costs nothing to open and its reply is not needed).
        void api.openView({ id: dataset.id, spec: { kind: 'browse' } });
        setBusy(false);
        setView(null);
        onChangeRef.current();
        if (push) history.pushState({ lx: true, datasetId: dataset.id, spec: null } satisfies HistoryState, '', location.pathname + location.search);
        return;
      }
      setBusy(true);
      const r = await api.openView({ id: dataset.id, spec });
      if (!current()) return;
      setBusy(false);
      if (!r.ok) return setError(r.error.message);
      setView(r.value);
      onChangeRef.current();
      const hash = `#${encodeURIComponent(JSON.stringify(spec))}`;
      if (push) history.pushState({ lx: true, datasetId: dataset.id, spec } satisfies HistoryState, '', hash);
    },
    [dataset],
  );

  // A new dataset starts at its plain table, as the current history entry. Keyed on the id: the same
  // dataset at a new version (an index built) keeps its view.
  const datasetId = dataset?.id ?? null;
  useEffect(() => {
    tickets.current.reset();
    setView(null);
    setError(null);
    setBusy(false);
    if (datasetId) history.replaceState({ lx: true, datasetId, spec: null } satisfies HistoryState, '', location.pathname + location.search);
  }, [datasetId]);

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

  /** A similar view of `query` (and like `more`), away from `unlike`, with the last view's knobs. */
  const similarOf = useCallback(
    (query: Example, more: Example[] = [], unlike: Example[] = []) => {
      if (!dataset?.vectorColumns.length) return;
      const last = current.current?.spec;
      // The knobs of the last similar or meaning view carry over.
      const prev = last?.kind === 'similar' || last?.kind === 'meaning' || last?.kind === 'encoded' ? last : null;
      void open(
        {
          kind: 'similar',
          ...query,
          ...(more.length ? { alsoLike: more.slice(0, MAX_EXAMPLES) } : {}),
          ...(unlike.length ? { unlike: unlike.slice(-MAX_EXAMPLES) } : {}),
          column: prev?.column ?? (dataset.vectorColumns[0] as string),
          k: prev?.k ?? SIMILAR_DEFAULTS.k,
          metric: prev?.metric ?? SIMILAR_DEFAULTS.metric,
          nprobes: prev?.nprobes ?? SIMILAR_DEFAULTS.nprobes,
          refineFactor: prev?.refineFactor ?? SIMILAR_DEFAULTS.refineFactor,
          // Filters carry over: similar images among the rows you were looking at.
          ...(last?.filter ? { filter: last.filter } : {}),
        },
        true,
      );
    },
    [dataset, open],
  );
  const findSimilar = useCallback(
    (row: RowSummary) => {
      if (dataset) similarOf(exampleOf(dataset, row));
    },
    [dataset, similarOf],
  );
  /** "More like these": the first row is the query shown first; each is one example. */
  const moreLike = useCallback(
    (rows: RowSummary[]) => {
      const [first, ...more] = rows;
      if (dataset && first) similarOf(exampleOf(dataset, first), more.map((r) => exampleOf(dataset, r)));
    },
    [dataset, similarOf],
  );
  /** "Less like this", from a similar view: the same examples, now also away from this row. */
  const lessLike = useCallback(
    (row: RowSummary) => {
      const spec = current.current?.spec;
      if (spec?.kind !== 'similar' || !dataset || row.rowId === spec.rowId) return;
      const query = { rowId: spec.rowId, ...(spec.key !== undefined ? { key: spec.key } : {}) };
      similarOf(query, spec.alsoLike ?? [], [...(spec.unlike ?? []), exampleOf(dataset, row)]);
    },
    [dataset, similarOf],
  );

  const refresh = useCallback(() => {
    const spec = current.current?.spec;
    if (spec) void open(spec, false);
  }, [open]);

  return { view, busy, error, apply, findSimilar, moreLike, lessLike, refresh };
}

type Example = { rowId: string; key?: string | number };

/** A row as an example: its row id, and its key to find it again after a write moved it. */
function exampleOf(dataset: DatasetInfo, row: RowSummary): Example {
  const key = dataset.keyColumn ? row.values[dataset.keyColumn] : undefined;
  return { rowId: row.rowId, ...(typeof key === 'string' || typeof key === 'number' ? { key } : {}) };
}
