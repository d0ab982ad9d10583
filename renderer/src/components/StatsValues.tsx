// Every value of a low-cardinality column (or a text column's top values) with its count over the
// whole dataset and, beside it, in the current view. A click filters to the value; Ctrl or Shift
// adds it to (or takes it from) the values already picked.
import { formatCount } from '../format';
import type { StatsFacet } from '../../../shared/types';

interface Props {
  facet: StatsFacet;
  view: { counts: number[]; nulls: number; other?: number } | null;
  onPick: ((value: string | number | boolean, add: boolean) => void) | null;
}

export function StatsValues({ facet, view, onPick }: Props) {
  const values = facet.values ?? [];
  const max = Math.max(1, ...facet.counts, facet.other ?? 0, facet.nulls);
  const row = (key: string, label: string, count: number, inView: number | null, pick: ((add: boolean) => void) | null, title?: string) => (
    <li key={key}>
      <button
        type="button"
        className="stats-value"
        disabled={!pick}
        title={title ?? (pick ? 'Filter to this value (Ctrl or Shift: add it to the values picked)' : undefined)}
        onClick={(e) => pick?.(e.ctrlKey || e.metaKey || e.shiftKey)}
        data-testid="stats-value"
      >
        <span className="stats-value-bar" style={{ width: `${(100 * count) / max}%` }} />
        {inView !== null && <span className="stats-value-bar view" style={{ width: `${(100 * inView) / max}%` }} />}
        <span className="stats-value-label">{label}</span>
        <span className="stats-value-count">
          {inView !== null && <span className="in-view">{formatCount(inView)} / </span>}
          {formatCount(count)}
        </span>
      </button>
    </li>
  );
  return (
    <ul className="stats-values">
      {values.map((v, i) => row(`v${i}`, String(v) === '' ? '(empty)' : String(v), facet.counts[i] as number, view ? (view.counts[i] ?? 0) : null, onPick ? (add) => onPick(v, add) : null))}
      {facet.other ? row('other', values.length ? `${formatCount(Math.max(0, (facet.distinct ?? 0) - values.length))} other values` : `every value different (${formatCount(facet.distinct ?? 0)})`, facet.other, view ? (view.other ?? 0) : null, null, values.length ? 'Values not listed (each seen less often)' : 'No value is repeated') : null}
      {facet.nulls ? row('null', 'no value (null)', facet.nulls, view ? view.nulls : null, null, 'Rows without a value') : null}
    </ul>
  );
}
