// Every field of one row: the full image, EXIF as a table, URLs as links that open in the system
// browser (Electron denies the new window and hands http(s) links to the OS), vectors summarised.
import { useEffect, useRef, useState } from 'react';
import { api, imageUrl } from '../api/client';
import { cellText, formatCount, isHttpUrl, parseExif } from '../format';
import { digitHints, typedValue } from '../label-keys';
import type { AppError } from '../../../shared/result';
import type { DatasetInfo, LabelValue, RowDetail, RowSummary } from '../../../shared/types';
import { useImageError } from '../hooks/useImageError';
import { ErrorText } from './ErrorText';

interface Props {
  dataset: DatasetInfo;
  row: RowSummary;
  onClose(): void;
  onFindSimilar: (() => void) | null;
  /** In a similar view, for a result: search away from it too. */
  onLessLike?: (() => void) | null;
  /** Set a label; null when the dataset cannot be labelled here (read-only, no label column). */
  onLabel: ((column: string, value: LabelValue) => void) | null;
  /** How many rows a label set here goes to (this row, or the selection that includes it). */
  labelTargets: number;
}

export function DetailPanel({ dataset, row, onClose, onFindSimilar, onLessLike, onLabel, labelTargets }: Props) {
  const [detail, setDetail] = useState<RowDetail | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const image = useImageError(imageUrl(dataset, row.rowId));
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    setDetail(null);
    setError(null);
    void api.getRow({ id: dataset.id, rowId: row.rowId }).then((r) => {
      if (!live) return;
      if (r.ok) setDetail(r.value);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [dataset.id, row.rowId]);

  useEffect(() => closeRef.current?.focus(), []);

  return (
    <aside
      className="detail"
      aria-label="Row details"
      data-testid="detail"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <header className="detail-head">
        <h2>Row {(row.index + 1).toLocaleString('en-US')}</h2>
        {onFindSimilar ? (
          <button type="button" onClick={onFindSimilar} data-testid="detail-find-similar">
            Find similar
          </button>
        ) : (
          <span className="muted" data-testid="no-similar" title="Find similar compares embedding vectors (a fixed-size list of floats, like LAION's img_emb); this dataset has no such column.">
            No vector column: find similar is unavailable
          </span>
        )}
        {onLessLike && (
          <button type="button" onClick={onLessLike} title="Search again, away from this image (X on the grid)" data-testid="detail-less-like">
            Less like this
          </button>
        )}
        <button ref={closeRef} type="button" className="icon-button" onClick={onClose} aria-label="Close details (Esc)">
          ✕
        </button>
      </header>
      {dataset.imageColumn && (
        <div className="detail-image">
          {image.error ? (
            <div className="tile-noimage" role="alert" data-testid="detail-image-error">
              {image.error.tooLarge || !/are not a JPEG/i.test(image.error.message) ? image.error.message : `The bytes in “${dataset.imageColumn}” are not a JPEG, PNG, GIF or WebP image.`}
            </div>
          ) : (
            <img src={imageUrl(dataset, row.rowId)} alt="" onError={image.onError} data-testid="detail-image" />
          )}
        </div>
      )}
      {onLabel && <LabelEditors dataset={dataset} values={detail?.values ?? row.values} onLabel={onLabel} targets={labelTargets} />}
      {error && (
        <div className="error-box" role="alert" data-testid="detail-error">
          <ErrorText text={error.message} />
        </div>
      )}
      {!detail && !error && <div className="muted">Loading fields…</div>}
      {detail && (
        <table className="fields" data-testid="fields">
          <tbody>
            {dataset.columns.map((col) => {
              const value = detail.values[col.name] ?? null;
              return (
                <tr key={col.name} data-field={col.name}>
                  <th scope="row" title={col.type}>
                    {col.name}
                    <span className="field-type">{col.type}</span>
                  </th>
                  <td>
                    {col.unreadable ? (
                      <span className="muted" data-testid="field-unreadable">
                        {col.unreadable}
                      </span>
                    ) : (
                      <FieldValue name={col.name} value={value} />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </aside>
  );
}

function FieldValue({ name, value }: { name: string; value: RowDetail['values'][string] }) {
  if (typeof value === 'string' && isHttpUrl(value)) {
    return (
      <a href={value} target="_blank" rel="noopener noreferrer" data-testid="external-link">
        {value}
      </a>
    );
  }
  const exif = name.toLowerCase() === 'exif' ? parseExif(value) : null;
  if (exif) {
    if (exif.length === 0) return <span className="muted">No EXIF fields</span>;
    return (
      <table className="exif" data-testid="exif-table">
        <tbody>
          {exif.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return <span className={value === null ? 'muted' : undefined}>{cellText(value)}</span>;
}

function LabelEditors({ dataset, values, onLabel, targets }: { dataset: DatasetInfo; values: RowDetail['values']; onLabel(column: string, value: LabelValue): void; targets: number }) {
  const columns = dataset.columns.filter((c) => c.label);
  if (!columns.length) return null;
  return (
    <section className="detail-labels" aria-label="Labels" data-testid="detail-labels">
      <h3>Labels · {targets > 1 ? `apply to the ${formatCount(targets)} selected images` : 'this image'}</h3>
      {columns.map((c) => {
        const spec = c.label!;
        const current = values[c.name] ?? null;
        return (
          <div key={c.name} className="label-row" data-column={c.name}>
            <span>{c.name}</span>
            {spec.type === 'category' || spec.type === 'boolean' ? (
              digitHints(spec).map(([digit, value, text]) => (
                <button key={digit} type="button" aria-pressed={value !== null && current === value} onClick={() => onLabel(c.name, value)} data-testid={`detail-label-${c.name}-${digit}`}>
                  {text}
                </button>
              ))
            ) : (
              <FreeLabel key={String(current)} type={spec.type} current={current === null ? '' : String(cellText(current))} onSet={(v) => onLabel(c.name, v)} name={c.name} />
            )}
          </div>
        );
      })}
    </section>
  );
}

function FreeLabel({ type, current, onSet, name }: { type: 'integer' | 'float' | 'text'; current: string; onSet(value: LabelValue): void; name: string }) {
  const [text, setText] = useState(current);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSet(typedValue(type, text));
      }}
    >
      <input value={text} onChange={(e) => setText(e.target.value)} type={type === 'text' ? 'text' : 'number'} step={type === 'float' ? 'any' : 1} aria-label={`${name} value`} maxLength={1000} />{' '}
      <button type="submit">Set</button>
    </form>
  );
}
