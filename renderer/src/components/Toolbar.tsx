// The window's toolbar: open, download, view history, and the dataset's own actions (writes only
// where the dataset can be written).
import type { DatasetInfo } from '../../../shared/types';
import type { Dialog } from './Dialogs';
import type { Layout } from '../hooks/useLayout';

export function Toolbar({ dataset, show, statsOpen, onToggleStats, mapOpen, onToggleMap, layout, onLayout }: { dataset: DatasetInfo | null; show(d: Dialog): void; statsOpen: boolean; onToggleStats(): void; mapOpen: boolean; onToggleMap(): void; layout: Layout; onLayout(l: Layout): void }) {
  const writable = dataset && !dataset.readOnly;
  // LanceDB Cloud serves rows through its API: what reads every row or the table's files is not offered (and says why).
  const remote = dataset?.location === 'remote';
  const remoteWhy = 'Not offered for LanceDB Cloud or Enterprise tables: it reads every row or the table’s files, which the service does not hand out. Browse, filters, find similar and search work.';
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
        <button type="button" onClick={() => show({ kind: 'versions' })} disabled={remote} title={remote ? remoteWhy : 'History of versions and tags'} data-testid="versions-button">
          Versions…
        </button>
      )}
      {dataset && (
        <span className="segmented" role="group" aria-label="Show rows as">
          <button type="button" aria-pressed={layout === 'grid' && !mapOpen} onClick={() => onLayout('grid')} title="Rows as tiles (images and captions)" data-testid="layout-grid">
            Grid
          </button>
          <button type="button" aria-pressed={layout === 'table' && !mapOpen} onClick={() => onLayout('table')} title="Rows as a table of every column" data-testid="layout-table">
            Table
          </button>
        </span>
      )}
      {dataset && (
        <button type="button" onClick={() => show({ kind: 'display' })} title="Which column is the image and the caption, remote images, the vector searches use" data-testid="display-button">
          Display…
        </button>
      )}
      {dataset && (
        <button type="button" onClick={onToggleStats} aria-pressed={statsOpen} disabled={remote} title={remote ? remoteWhy : 'Statistics of every column over the whole dataset; click a bar to filter'} data-testid="stats-button">
          Statistics
        </button>
      )}
      {dataset && dataset.vectorColumns.length > 0 && (
        <button type="button" onClick={onToggleMap} aria-pressed={mapOpen} disabled={remote} title={remote ? remoteWhy : 'The embedding map: every row as a point; Shift+drag a region to open its rows in the grid'} data-testid="map-button">
          Map
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
      {writable && dataset.keyColumn && dataset.columns.some((c) => c.kind === 'binary') && (
        <button type="button" onClick={() => show({ kind: 'embed' })} title="Embed every image with a CLIP model into a new vector column" data-testid="embed-button">
          Embed images…
        </button>
      )}
      <button type="button" className="icon-button" onClick={() => show({ kind: 'keys' })} title="Keys (?)" aria-label="Keys" data-testid="keys-button">
        ?
      </button>
      {dataset && (
        <span className="toolbar-path" title={dataset.path} data-testid="toolbar-path">
          {middleShortened(dataset.path)}
        </span>
      )}
    </header>
  );
}

/** A long path with its middle left out: the start (the disk) and the end (the dataset) say most. */
export function middleShortened(path: string, max = 64): string {
  if (path.length <= max) return path;
  const tail = Math.ceil(max * 0.6);
  return `${path.slice(0, max - tail - 1)}…${path.slice(path.length - tail)}`;
}
