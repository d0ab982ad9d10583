// Caption search, filters built from the schema (plus a raw SQL field), sort, and the controls of a
// similar-images view. Edits are local until applied (Enter or Apply); the result count shows at right.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { WholeNumberInput } from './WholeNumberInput';
import { ModelDialog } from './ModelDialog';
import { useMeaningModel, useQueryImage } from '../hooks/useMeaningModel';
import { api } from '../api/client';
import { formatCount } from '../format';
import { SIMILAR_DEFAULTS, type ColumnInfo, type DatasetInfo, type FilterCondition, type FilterOp, type FilterSpec, type Metric, type ViewInfo, type ViewSpec } from '../../../shared/types';
import { ErrorText } from './ErrorText';

interface Props {
  dataset: DatasetInfo;
  view: ViewInfo | null;
  busy: boolean;
  onApply(spec: ViewSpec | null): void;
  onExport(): void;
  onSaveTable(): void;
  onCode(): void;
}

const OPS: Record<string, Array<[FilterOp, string]>> = {
  int: [['between', 'between'], ['eq', '='], ['neq', '≠'], ['in', 'one of'], ['isNull', 'is empty'], ['notNull', 'is not empty']],
  float: [['between', 'between'], ['gte', '≥'], ['lte', '≤'], ['isNull', 'is empty'], ['notNull', 'is not empty']],
  string: [['contains', 'contains'], ['eq', 'is'], ['neq', 'is not'], ['in', 'one of'], ['isNull', 'is empty'], ['notNull', 'is not empty']],
  bool: [['eq', 'is']],
};
/** Caption matches whose mean embedding makes a "by meaning" query. */
const MEANING_HITS = 20;
const FILTERABLE = new Set(['int', 'float', 'string', 'bool']);
const DEFAULT_OP: Record<string, FilterOp> = { int: 'between', float: 'between', string: 'contains', bool: 'eq' };

function filterOf(spec: ViewSpec | undefined): FilterSpec | undefined {
  return spec?.filter;
}

export function ViewBar({ dataset, view, busy, onApply, onExport, onSaveTable, onCode }: Props) {
  const spec = view?.spec;
  const [text, setText] = useState('');
  // Words: BM25 over the caption column. Meaning: the images nearest what the words mean: through the
  // column's own text model when it is here, else by captions (the mean vector of the best matches).
  const [mode, setMode] = useState<'words' | 'meaning'>(dataset.captionColumn ? 'words' : 'meaning');
  const canMean = dataset.vectorColumns.length > 0;
  const [conditions, setConditions] = useState<FilterCondition[]>([]);
  const [sql, setSql] = useState('');
  const [sort, setSort] = useState<{ column: string; descending: boolean } | null>(null);
  const [similar, setSimilar] = useState({ k: SIMILAR_DEFAULTS.k as number, metric: SIMILAR_DEFAULTS.metric as Metric, nprobes: SIMILAR_DEFAULTS.nprobes as number, refineFactor: SIMILAR_DEFAULTS.refineFactor as number, column: dataset.vectorColumns[0] ?? '' });

  const vectorColumn = similar.column || dataset.vectorColumns[0] || null;
  // An image given (dropped in any mode) before main said which model serves the column waits for that answer.
  const [pendingImage, setPendingImage] = useState<{ imageId: string; name: string } | null>(null);
  const model = useMeaningModel(dataset.id, vectorColumn, canMean && (mode === 'meaning' || spec?.kind === 'encoded' || pendingImage !== null));
  const hasModel = !!model.status?.model;
  const [modelDialog, setModelDialog] = useState(false);
  const [meaningError, setMeaningError] = useState<string | null>(null);
  // The first query after start loads the model: say so while it does.
  const [loadingModel, setLoadingModel] = useState(false);
  const knobs = useRef(similar);
  knobs.current = similar;
  const filterNow = useRef<FilterSpec | undefined>(undefined);
  const onImage = useCallback(
    (imageId: string, name: string) => {
      const k = knobs.current;
      if (model.status?.model?.state !== 'ready') setLoadingModel(true);
      onApply({ kind: 'encoded', imageId, imageName: name.slice(0, 300), k: k.k, metric: k.metric, nprobes: k.nprobes, refineFactor: k.refineFactor, column: k.column || (dataset.vectorColumns[0] as string), ...(filterNow.current ? { filter: filterNow.current } : {}) });
    },
    [onApply, dataset.vectorColumns, model.status],
  );
  const queryImage = useQueryImage(dataset.id, canMean, (imageId, name) => setPendingImage({ imageId, name }));
  useEffect(() => {
    if (!pendingImage || (!model.status && !model.error)) return;
    setPendingImage(null);
    if (model.status?.model) return onImage(pendingImage.imageId, pendingImage.name);
    setMeaningError(model.status?.offer ? 'Searching by an image needs the model: Get the model… first.' : (model.status?.why ?? model.error ?? 'Searching by an image needs a model for this column.'));
  }, [pendingImage, model.status, model.error, onImage]);
  const fileInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!busy) {
      if (loadingModel) model.refresh();
      setLoadingModel(false);
    }
  }, [busy]); // eslint-disable-line react-hooks/exhaustive-deps

  // Follow the applied view (history back/forward, a new similar search).
  useEffect(() => {
    setText(spec?.kind === 'search' || spec?.kind === 'meaning' || (spec?.kind === 'encoded' && spec.text !== undefined) ? (spec.text ?? '') : '');
    if (spec?.kind === 'search' || spec?.kind === 'meaning' || spec?.kind === 'encoded') setMode(spec.kind === 'search' ? 'words' : 'meaning');
    setConditions(filterOf(spec)?.conditions ?? []);
    setSql(filterOf(spec)?.sql ?? '');
    setSort(spec?.kind === 'browse' ? (spec.sort ?? null) : null);
    if (spec?.kind === 'similar' || spec?.kind === 'meaning' || spec?.kind === 'encoded') setSimilar({ k: spec.k, metric: spec.metric, nprobes: spec.nprobes, refineFactor: spec.refineFactor, column: spec.column });
  }, [spec]);

  const columns = dataset.columns.filter((c) => FILTERABLE.has(c.kind));
  const sortable = dataset.columns.filter((c) => ['int', 'float', 'string', 'bool', 'timestamp'].includes(c.kind));

  const build = (cs: FilterCondition[] = conditions): ViewSpec | null => {
    const filter: FilterSpec | undefined = cs.length || sql.trim() ? { conditions: cs, ...(sql.trim() ? { sql: sql.trim() } : {}) } : undefined;
    if (spec?.kind === 'similar') return { ...spec, ...similar, ...(filter ? { filter } : { filter: undefined }) };
    if (spec?.kind === 'encoded' && spec.imageId && !text.trim()) return { ...spec, ...similar, ...(filter ? { filter } : { filter: undefined }) };
    if ((spec?.kind === 'duplicates' || spec?.kind === 'region') && !text.trim()) return { ...spec, ...(filter ? { filter } : { filter: undefined }) };
    if (text.trim() && mode === 'meaning' && canMean && hasModel) {
      return { kind: 'encoded', text: text.trim(), ...similar, column: similar.column || (dataset.vectorColumns[0] as string), ...(filter ? { filter } : {}) };
    }
    if (text.trim() && dataset.captionColumn && mode === 'meaning' && canMean) {
      return { kind: 'meaning', text: text.trim(), via: 'captions', captionColumn: dataset.captionColumn, hits: MEANING_HITS, ...similar, column: similar.column || (dataset.vectorColumns[0] as string), ...(filter ? { filter } : {}) };
    }
    if (text.trim() && dataset.captionColumn) {
      return { kind: 'search', text: text.trim(), column: dataset.captionColumn, limit: 1000, ...(filter ? { filter } : {}) };
    }
    if (!filter && !sort) return null;
    return { kind: 'browse', ...(filter ? { filter } : {}), ...(sort ? { sort } : {}) };
  };
  filterNow.current = conditions.length || sql.trim() ? { conditions, ...(sql.trim() ? { sql: sql.trim() } : {}) } : undefined;
  const apply = () => {
    const next = build();
    setMeaningError(null);
    if (next?.kind === 'encoded' && model.status?.model?.state !== 'ready') setLoadingModel(true);
    if (!next && text.trim() && mode === 'meaning' && !dataset.captionColumn) {
      return setMeaningError(model.status?.offer ? 'Searching by a description needs the model: Get the model… first.' : (model.status?.why ?? 'No model for this column.'));
    }
    onApply(next);
  };
  const onEnter = (e: React.KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      apply();
    }
  };

  // Removing a condition leaves nothing to type: the view follows at once (it used to keep showing
  // "No rows match" until Apply).
  const removeCondition = (i: number) => {
    const next = conditions.filter((_, j) => j !== i);
    setConditions(next);
    onApply(build(next));
  };
  const update = (i: number, patch: Partial<FilterCondition>) => setConditions((cs) => cs.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const addCondition = (name: string) => {
    const col = columns.find((c) => c.name === name);
    if (col) setConditions((cs) => [...cs, { column: col.name, op: DEFAULT_OP[col.kind] ?? 'eq', ...(col.kind === 'bool' ? { value: true } : {}) }]);
  };

  const countText = !view
    ? `${formatCount(dataset.rowCount)} rows`
    : view.spec.kind === 'similar'
      ? `${formatCount(Math.max(0, view.count - 1))} nearest neighbours${examplesText(view.spec)}`
      : view.spec.kind === 'meaning'
        ? `${formatCount(view.count)} nearest by meaning`
        : view.spec.kind === 'encoded'
        ? `${formatCount(view.count)} nearest ${view.spec.imageId ? (view.spec.imageName ?? 'the image') : 'the description'}`
        : view.spec.kind === 'search'
        ? `${formatCount(view.count)} ${view.count === 1 ? 'result' : 'results'}`
        : view.spec.kind === 'region'
        ? `${formatCount(view.count)} rows inside the region drawn on the map`
        : view.spec.kind === 'duplicates'
        ? view.spec.near !== undefined
          ? `${formatCount(view.count)} rows with a near duplicate (by ${view.spec.column}, similarity ${view.spec.near} or more)`
          : `${formatCount(view.count)} rows with an exact duplicate (by ${view.spec.column})`
        : `${formatCount(view.count)} of ${formatCount(dataset.rowCount)} rows match`;

  return (
    <>
      <div className="viewbar" role="search" data-testid="viewbar">
        {spec?.kind === 'similar' ? (
          <SimilarControls title={dataset.imageColumn ? 'Similar images' : 'Similar rows'} vectorColumns={dataset.vectorColumns} value={similar} onChange={setSimilar} onEnter={onEnter} />
        ) : (
          (dataset.captionColumn || canMean) && (
            <>
              <input
                className="search"
                type="search"
                placeholder={mode === 'meaning' ? 'Describe an image…  (/), or drop or paste one' : `Search ${dataset.captionColumn}…  (/)`}
                aria-label={mode === 'meaning' ? 'Describe an image' : `Search ${dataset.captionColumn}`}
                value={text}
                onChange={(e) => setText(e.target.value)}
                onKeyDown={onEnter}
                data-testid="search-input"
              />
              {canMean && dataset.captionColumn && (
                <select
                  aria-label="Search by"
                  value={mode}
                  onChange={(e) => setMode(e.target.value as 'words' | 'meaning')}
                  title={
                    hasModel
                      ? `Words: captions that contain them (BM25). Meaning: the description through ${model.status?.model?.repo ?? 'the model'}'s text tower, then the nearest images.`
                      : 'Words: captions that contain them (BM25). Meaning: without the text model, images nearest the mean embedding of the best caption matches, so it also finds images whose captions never say the words.'
                  }
                  data-testid="search-mode"
                >
                  <option value="words">by words</option>
                  <option value="meaning">{hasModel || !model.status ? 'by meaning' : 'by meaning (captions)'}</option>
                </select>
              )}
              {canMean && mode === 'meaning' && (
                <>
                  <button type="button" onClick={() => fileInput.current?.click()} disabled={queryImage.busy} title="Search with an image file (or drop or paste one anywhere)" data-testid="query-image-button">
                    {queryImage.busy ? 'Reading…' : 'Image…'}
                  </button>
                  <input
                    ref={fileInput}
                    type="file"
                    accept="image/jpeg,image/png,image/gif,image/webp"
                    hidden
                    data-testid="query-image-input"
                    onChange={(e) => {
                      const f = e.target.files?.[0];
                      e.target.value = '';
                      if (f) queryImage.choose(f);
                    }}
                  />
                  {model.status && (
                    <button type="button" onClick={() => setModelDialog(true)} data-testid="get-model" title={model.status.model ? `Using ${model.status.model.repo ?? model.status.model.dir} (${model.status.model.dtype})` : (model.status.why ?? '')}>
                      {model.status.model ? 'Model…' : 'Get the model…'}
                    </button>
                  )}
                </>
              )}
              {(spec?.kind === 'meaning' || spec?.kind === 'encoded') && <SimilarControls title="Nearest" vectorColumns={dataset.vectorColumns} value={similar} onChange={setSimilar} onEnter={onEnter} />}
            </>
          )
        )}
        <select aria-label="Add a filter" value="" onChange={(e) => addCondition(e.target.value)} data-testid="add-filter">
          <option value="">+ Filter…</option>
          {columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        {spec?.kind !== 'similar' && spec?.kind !== 'search' && spec?.kind !== 'meaning' && spec?.kind !== 'encoded' && <SortControls columns={sortable} sort={sort} onSort={setSort} />}
        <button type="button" className="primary" onClick={apply} disabled={busy} data-testid="apply-view">
          {busy ? 'Working…' : 'Apply'}
        </button>
        {view && (
          <button type="button" onClick={() => onApply(null)} data-testid="clear-view">
            Clear
          </button>
        )}
        <button type="button" onClick={onExport} data-testid="export-button" title="Export the rows of this view as a manifest">
          Export…
        </button>
        <button type="button" onClick={onSaveTable} data-testid="save-table-button" title="Save the rows of this view as a new local Lance table">
          Save as table…
        </button>
        <button type="button" onClick={onCode} data-testid="code-button" title="Python and TypeScript that reproduce this view">
          {'</>'} Code
        </button>
        <span className="count" data-testid="view-count" role="status">
          {loadingModel && busy ? 'Loading the model (its first search after start)…' : countText}
          {view && !(loadingModel && busy) ? ` · ${view.tookMs} ms` : ''}
        </span>
      </div>
      {(meaningError || queryImage.error || model.error) && (
        <div className="error" role="alert" data-testid="meaning-error">
          <ErrorText text={meaningError ?? queryImage.error ?? model.error} />
        </div>
      )}
      {modelDialog && model.status && <ModelDialog datasetId={dataset.id} status={model.status} onClose={() => setModelDialog(false)} onReady={model.refresh} />}
      <div className="filter-editor" data-testid="filters">
          {conditions.map((c, i) => (
            <ConditionEditor key={i} datasetId={dataset.id} condition={c} column={columns.find((x) => x.name === c.column)} onChange={(p) => update(i, p)} onRemove={() => removeCondition(i)} onEnter={onEnter} />
          ))}
          <input className="sql" placeholder="Advanced: SQL where, e.g. width > 2 * height" value={sql} onChange={(e) => setSql(e.target.value)} onKeyDown={onEnter} aria-label="SQL filter" data-testid="sql-input" />
      </div>
    </>
  );
}

function ConditionEditor({
  datasetId,
  condition: c,
  column,
  onChange,
  onRemove,
  onEnter,
}: {
  datasetId: string;
  condition: FilterCondition;
  column: ColumnInfo | undefined;
  onChange(p: Partial<FilterCondition>): void;
  onRemove(): void;
  onEnter(e: React.KeyboardEvent): void;
}) {
  const kind = column?.kind ?? 'string';
  const numeric = kind === 'int' || kind === 'float';
  const suggest = useSuggestions(datasetId, column);
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  return (
    <span className="chip" data-testid="filter-chip" data-column={c.column}>
      <strong>{c.column}</strong>
      <select aria-label={`${c.column} operator`} value={c.op} onChange={(e) => onChange({ op: e.target.value as FilterOp })}>
        {(OPS[kind] ?? OPS.string!).map(([op, label]) => (
          <option key={op} value={op}>
            {label}
          </option>
        ))}
      </select>
      {c.op === 'between' && (
        <>
          <input className="num" aria-label={`${c.column} minimum`} placeholder="min" defaultValue={c.min ?? ''} onChange={(e) => onChange({ min: num(e.target.value) })} onKeyDown={onEnter} />
          <input className="num" aria-label={`${c.column} maximum`} placeholder="max" defaultValue={c.max ?? ''} onChange={(e) => onChange({ max: num(e.target.value) })} onKeyDown={onEnter} />
        </>
      )}
      {['eq', 'neq', 'gte', 'lte', 'contains'].includes(c.op) && kind !== 'bool' && (
        <>
          <input
            aria-label={`${c.column} value`}
            defaultValue={c.value === undefined ? '' : String(c.value)}
            onChange={(e) => onChange({ value: numeric ? num(e.target.value) : e.target.value })}
            onKeyDown={onEnter}
            onFocus={() => !numeric && suggest.load()}
            list={!numeric ? suggest.listId : undefined}
          />
          {!numeric && <Suggestions id={suggest.listId} values={suggest.values} />}
        </>
      )}
      {kind === 'bool' && c.op === 'eq' && (
        <select aria-label={`${c.column} value`} value={String(c.value ?? true)} onChange={(e) => onChange({ value: e.target.value === 'true' })}>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      )}
      {c.op === 'in' && (
        <input
          aria-label={`${c.column} values, comma separated`}
          placeholder="a, b, c"
          defaultValue={(c.values ?? []).join(', ')}
          onChange={(e) =>
            onChange({
              values: e.target.value
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean)
                .map((v) => (numeric ? Number(v) : v)),
            })
          }
          onKeyDown={onEnter}
        />
      )}
      <button type="button" aria-label={`Remove the ${c.column} filter`} onClick={onRemove}>
        ✕
      </button>
    </span>
  );
}

type SimilarSettings = { k: number; metric: Metric; nprobes: number; refineFactor: number; column: string };

/** A similar view's knobs: the vector column, k, the metric, nprobes and the refine factor. */
function SimilarControls({ title = 'Similar images', vectorColumns, value, onChange, onEnter }: { title?: string; vectorColumns: string[]; value: SimilarSettings; onChange(v: SimilarSettings): void; onEnter(e: React.KeyboardEvent): void }) {
  return (
    <>
      <strong>{title}</strong>
      {vectorColumns.length > 1 && (
        <select aria-label="Vector column" value={value.column} onChange={(e) => onChange({ ...value, column: e.target.value })}>
          {vectorColumns.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      )}
      <WholeNumber label="k" min={1} max={1000} value={value.k} onEnter={onEnter} onChange={(k) => onChange({ ...value, k })} testId="similar-k" />
      <select aria-label="Metric" value={value.metric} onChange={(e) => onChange({ ...value, metric: e.target.value as Metric })} data-testid="similar-metric">
        <option value="l2">L2</option>
        <option value="cosine">cosine</option>
        <option value="dot">dot</option>
      </select>
      <WholeNumber label="nprobes" title="Index partitions to probe: more is slower and finds more" min={1} max={10_000} value={value.nprobes} onEnter={onEnter} onChange={(nprobes) => onChange({ ...value, nprobes })} testId="similar-nprobes" />
      <WholeNumber label="refine" title="Re-rank this many times k candidates with exact distances" min={1} max={100} value={value.refineFactor} onEnter={onEnter} onChange={(refineFactor) => onChange({ ...value, refineFactor })} testId="similar-refine" />
    </>
  );
}

/** Sort by a scalar column, ascending or descending; "Table order" is none. */
function SortControls({ columns, sort, onSort }: { columns: ColumnInfo[]; sort: { column: string; descending: boolean } | null; onSort(s: { column: string; descending: boolean } | null): void }) {
  return (
    <>
      <select
        aria-label="Sort by"
        value={sort?.column ?? ''}
        onChange={(e) => onSort(e.target.value ? { column: e.target.value, descending: sort?.descending ?? false } : null)}
        data-testid="sort-column"
      >
        <option value="">Table order</option>
        {columns.map((c) => (
          <option key={c.name} value={c.name}>
            Sort: {c.name}
          </option>
        ))}
      </select>
      {sort && (
        <button type="button" onClick={() => onSort({ ...sort, descending: !sort.descending })} aria-label="Toggle sort direction" data-testid="sort-direction">
          {sort.descending ? '↓ desc' : '↑ asc'}
        </button>
      )}
    </>
  );
}

function WholeNumber(props: { label: string; title?: string; min: number; max: number; value: number; onChange(v: number): void; onEnter(e: React.KeyboardEvent): void; testId: string }) {
  const { label, title, ...rest } = props;
  return (
    <label title={title}>
      {label} <WholeNumberInput name={label} {...rest} />
    </label>
  );
}

/**
 * What a text filter's value could be: a label column's categories, else the column's most frequent
 * values over the whole table (asked for once, when the field is first focused).
 */
function useSuggestions(datasetId: string, column: ColumnInfo | undefined): { listId: string; values: Array<{ value: string; count: number | null }>; load(): void } {
  const listId = useId();
  const [values, setValues] = useState<Array<{ value: string; count: number | null }>>(() => (column?.label?.categories ?? []).map((value) => ({ value, count: null })));
  const [asked, setAsked] = useState(false);
  const load = () => {
    if (asked || !column || column.label?.categories?.length) return;
    setAsked(true);
    void api.topValues({ id: datasetId, column: column.name, limit: 30 }).then((r) => r.ok && setValues(r.value.values));
  };
  return { listId, values, load };
}

function Suggestions({ id, values }: { id: string; values: Array<{ value: string; count: number | null }> }) {
  return (
    <datalist id={id} data-testid="filter-suggestions">
      {values.map((v) => (
        <option key={v.value} value={v.value}>
          {v.count === null ? '' : `${formatCount(v.count)} rows`}
        </option>
      ))}
    </datalist>
  );
}

/** " of 3 images, away from 1" for a similar view searched by several examples; "" for one row. */
function examplesText(spec: Extract<ViewSpec, { kind: 'similar' }>): string {
  const liked = 1 + (spec.alsoLike?.length ?? 0);
  const unliked = spec.unlike?.length ?? 0;
  if (liked === 1 && !unliked) return '';
  return ` of ${formatCount(liked)} ${liked === 1 ? 'image' : 'images'}${unliked ? `, away from ${formatCount(unliked)}` : ''}`;
}
