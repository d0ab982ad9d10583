// What the view says about itself (an exact search, a missing index) and its error, with the offer
// to build the missing index where the dataset can be written.
import type { DatasetInfo, ViewInfo } from '../../../shared/types';
import type { IndexTarget } from './IndexBuildDialog';
import { ErrorText } from './ErrorText';

/** Below this, exact search is already fast: no index to compare. */
const ADVISOR_MIN_ROWS = 1000;

export function ViewNotes({ dataset, view, error, onBuildIndex, onAdvise, onResolve }: { dataset: DatasetInfo; view: ViewInfo | null; error: string | null; onBuildIndex(t: IndexTarget): void; onAdvise(column: string): void; onResolve(): void }) {
  const missing = view?.missingIndex;
  const spec = view?.spec;
  const vectorColumn = spec && (spec.kind === 'similar' || spec.kind === 'meaning' || spec.kind === 'encoded') && view?.usedIndex && dataset.rowCount >= ADVISOR_MIN_ROWS ? spec.column : null;
  return (
    <>
      {error && (
        <div className="view-error" role="alert" data-testid="view-error">
          <ErrorText text={error} />
        </div>
      )}
      {(!!view?.notes.length || vectorColumn) && view && (
        <div className="view-notes" data-testid="view-notes">
          {view.notes.join(' ')}
          {missing && !dataset.readOnly && (
            <button
              type="button"
              className="link-button"
              data-testid="build-index"
              onClick={() => onBuildIndex({ column: missing.column, kind: missing.kind, metric: view.spec.kind === 'similar' || view.spec.kind === 'meaning' || view.spec.kind === 'encoded' ? view.spec.metric : 'l2' })}
            >
              {missing.kind === 'ivf_pq' ? `Build an IVF_PQ index on ${missing.column}…` : `Build a full-text index on ${missing.column}…`}
            </button>
          )}
          {spec?.kind === 'duplicates' && view.count > 0 && !dataset.readOnly && dataset.keyColumn && (
            <button type="button" className="link-button" data-testid="resolve-button" onClick={onResolve} title="Choose a keeper in each group and mark the rest">
              Resolve…
            </button>
          )}
          {vectorColumn && (
            <button type="button" className="link-button" data-testid="compare-indices" onClick={() => onAdvise(vectorColumn)} title="Time the current index against LanceDB's other kinds on a copy, and build the fastest">
              Compare indices…
            </button>
          )}
        </div>
      )}
    </>
  );
}
