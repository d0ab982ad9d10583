// The label bar: which label column the keys write to, the values with their keys, a free value for
// numbers and text, how many tiles a label goes to, and "label the whole view".
import { useState } from 'react';
import { digitHints, typedValue } from '../label-keys';
import type { Labelling } from '../hooks/useLabelling';
import type { Selection } from '../hooks/useSelection';
import { formatCount } from '../format';
import type { ColumnInfo, LabelSpec, LabelValue } from '../../../shared/types';

interface Props {
  columns: Array<ColumnInfo & { label: LabelSpec }>;
  column: ColumnInfo & { label: LabelSpec };
  onColumn(name: string): void;
  /** How many rows a label goes to now, and whether that is the whole view. */
  targetCount: number;
  all: boolean;
  total: number;
  busy: boolean;
  error: string | null;
  onApply(value: LabelValue): void;
  onSelectAll(): void;
  onClearSelection(): void;
  hasSelection: boolean;
}

export function LabelBar({ columns, column, onColumn, targetCount, all, total, busy, error, onApply, onSelectAll, onClearSelection, hasSelection }: Props) {
  const [free, setFree] = useState('');
  const spec = column.label;
  const typed = spec.type === 'text' || spec.type === 'integer' || spec.type === 'float';
  const applyFree = () => {
    if (free.trim()) onApply(typedValue(spec.type, free));
  };
  return (
    <div className="labelbar" role="toolbar" aria-label="Labels" data-testid="labelbar">
      <label>
        Label{' '}
        <select value={column.name} onChange={(e) => onColumn(e.target.value)} data-testid="label-column" aria-label="Label column" title="The label column the number keys write to">
          {columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <span className="keys">
        {digitHints(spec).map(([digit, value, text]) => (
          <button key={digit} type="button" disabled={busy} onClick={() => onApply(value)} title={`Press ${digit} on the grid`} data-testid={`label-key-${digit}`}>
            <kbd>{digit}</kbd>
            {text}
          </button>
        ))}
      </span>
      {typed && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            applyFree();
          }}
        >
          <input
            value={free}
            onChange={(e) => setFree(e.target.value)}
            type={spec.type === 'text' ? 'text' : 'number'}
            step={spec.type === 'float' ? 'any' : 1}
            placeholder={spec.type === 'text' ? 'text label' : 'value'}
            aria-label={`Value for ${column.name}`}
            data-testid="label-free"
            maxLength={1000}
          />{' '}
          <button type="submit" disabled={busy || !free.trim()}>
            Set
          </button>
        </form>
      )}
      {busy && <span className="muted">Writing…</span>}
      {error && (
        <span className="error" role="alert" data-testid="label-error">
          {error}
        </span>
      )}
      <span className="selection-count" data-testid="selection-count" aria-live="polite">
        {all ? `All ${formatCount(total)} rows of this view` : hasSelection ? `${formatCount(targetCount)} selected` : 'The focused image'}
      </span>
      {!all && (
        <button type="button" onClick={onSelectAll} title="Select every row of this view (Ctrl+A)" data-testid="select-all">
          Select all
        </button>
      )}
      {(hasSelection || all) && (
        <button type="button" onClick={onClearSelection} title="Clear the selection (Esc)" data-testid="clear-selection">
          Clear
        </button>
      )}
    </div>
  );
}


/**
 * The label bar as the window shows it: for the active label column, over the selection (or the
 * focused tile); every click hands the keyboard back to the grid, so the next key labels or moves.
 */
export function SelectionLabelBar({ labelling, selection, total, focusGrid }: { labelling: Labelling; selection: Selection; total: number; focusGrid(): void }) {
  const active = labelling.active;
  if (!labelling.canLabel || !active) return null;
  const back = (f: () => void) => () => (f(), focusGrid());
  return (
    <LabelBar
      columns={labelling.columns}
      column={active}
      onColumn={labelling.choose}
      targetCount={selection.count(total)}
      all={selection.all}
      total={total}
      busy={labelling.busy}
      error={labelling.error}
      onApply={(value) => (labelling.apply(active.name, value), focusGrid())}
      onSelectAll={back(selection.selectAll)}
      onClearSelection={back(selection.clear)}
      hasSelection={selection.positions.size > 0}
    />
  );
}
