// The window's toolbar: open, download, view history, and the dataset's own actions (writes only
// where the dataset can be written).
import type { DatasetInfo } from '../../../shared/types';
import type { Dialog } from './Dialogs';

export function Toolbar({ dataset, show }: { dataset: DatasetInfo | null; show(d: Dialog): void }) {
  const writable = dataset && !dataset.readOnly;
  return (
    <header className="toolbar">
      <h1>Lance Explorer</h1>
      <button type="button" onClick={() => show({ kind: 'open' })} title="Open a dataset (Ctrl+O)" data-testid="open-button">
        Open…
      </button>
      <button type="button" onClick={() => show({ kind: 'download' })} title="Download a Lance dataset from the Hugging Face Hub" data-testid="download-button">
        Download…
      </button>
      <button type="button" className="icon-button" onClick={() => history.back()} title="Previous view (Alt+Left)" aria-label="Previous view" data-testid="history-back">
        ◀
      </button>
      <button type="button" className="icon-button" onClick={() => history.forward()} title="Next view (Alt+Right)" aria-label="Next view">
        ▶
      </button>
      {dataset && (
        <button type="button" onClick={() => show({ kind: 'versions' })} title="History of versions and tags" data-testid="versions-button">
          Versions…
        </button>
      )}
      {writable && (
        <button type="button" onClick={() => show({ kind: 'add-column' })} title="Add a label column" data-testid="add-column-button">
          Add column…
        </button>
      )}
      {writable && dataset.keyColumn && (
        <button type="button" onClick={() => show({ kind: 'merge' })} title="Merge labels from a CSV, JSON Lines or Parquet file keyed by key" data-testid="merge-button">
          Merge labels…
        </button>
      )}
      {dataset && (
        <span className="toolbar-path" title={dataset.path}>
          {dataset.path}
        </span>
      )}
    </header>
  );
}
