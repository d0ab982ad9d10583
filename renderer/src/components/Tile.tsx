// One tile: the thumbnail (by URL, never bytes over IPC) and the caption.
import { memo } from 'react';
import type { ColumnInfo, DatasetInfo, LabelSpec, RowSummary } from '../../../shared/types';
import { cellText } from '../format';
import { Highlight } from './Highlight';
import { useTileImage } from '../hooks/useTileImage';
import { imageUrl } from '../api/client';

interface Props {
  index: number;
  width: number;
  height: number;
  dataset: DatasetInfo;
  row: RowSummary | undefined;
  error: string | null;
  focused: boolean;
  /** Part of what a label goes to (the selection, or the focused tile when nothing is selected). */
  selected: boolean;
  /** Label columns whose values show on the tile. */
  labelColumns: Array<ColumnInfo & { label: LabelSpec }>;
  onClick(e: React.MouseEvent): void;
  onOpen(row: RowSummary): void;
  onFindSimilar: ((row: RowSummary) => void) | null;
  scoreLabel: 'distance' | 'score' | 'copies' | null;
  highlight: string[];
  onRetry(): void;
}

export const Tile = memo(function Tile({ index, width, height, dataset, row, error, focused, selected, labelColumns, onClick, onOpen, onFindSimilar, scoreLabel, highlight, onRetry }: Props) {
  const image = useTileImage(row && dataset.imageColumn ? imageUrl(dataset, row.rowId) : '', index);
  const caption = row && dataset.captionColumn ? cellText(row.values[dataset.captionColumn] ?? null) : '';
  const key = row && dataset.keyColumn ? cellText(row.values[dataset.keyColumn] ?? null) : null;
  // A category shows its value; other labels show "column=value" (a bare "true" or "3" says little).
  const labels = row
    ? labelColumns
        .filter((c) => row.values[c.name] !== null && row.values[c.name] !== undefined)
        .map((c) => {
          const text = cellText(row.values[c.name] ?? null);
          return [c.name, c.label.type === 'category' ? text : `${c.name}=${text}`] as const;
        })
    : [];
  return (
    <div
      role="gridcell"
      aria-selected={selected}
      className={`tile${focused ? ' focused' : ''}${selected ? ' selected' : ''}${row?.isQuery ? ' query' : ''}`}
      style={{ width, height }}
      data-testid="tile"
      data-index={index}
      data-key={key ?? undefined}
      data-row-id={row?.rowId}
      onClick={onClick}
      onMouseDown={(e) => e.shiftKey && e.preventDefault() /* no text selection on Shift-click */}
      onDoubleClick={() => row && onOpen(row)}
      title={caption}
    >
      <div className="tile-image">
        {error ? (
          <div className="tile-error" role="alert" title={error}>
            <span data-testid="tile-error-text">{pageErrorText(error)}</span>
            <button
              type="button"
              onClick={(e) => {
                e.stopPropagation();
                onRetry();
              }}
            >
              Retry
            </button>
          </div>
        ) : !row ? (
          <div className="tile-placeholder" aria-label="loading" />
        ) : !dataset.imageColumn ? (
          <div className="tile-noimage">No image column</div>
        ) : image.error ? (
          <div className="tile-noimage" data-testid="tile-broken" title={image.error.message}>
            {image.error.tooLarge ? `Too large to show (${image.error.size} px)` : brokenText(image.error.message)}
          </div>
        ) : image.url ? (
          <img src={image.url} alt={caption} decoding="async" draggable={false} onError={image.onDecodeError} />
        ) : (
          <div className="tile-placeholder" aria-label="loading image" />
        )}
      </div>
      {row && (row.isQuery || (scoreLabel && row.score !== undefined)) && (
        <div className="tile-badges">
          {row.isQuery ? (
            <span className="badge query-badge" data-testid="query-badge">
              query
            </span>
          ) : (
            <span className="badge" data-testid="tile-score" title={scoreLabel === 'copies' ? 'Rows in this group of duplicates' : (scoreLabel ?? '')}>
              {scoreLabel === 'copies' ? `×${row.score ?? ''}` : `${scoreLabel === 'distance' ? 'd ' : ''}${row.score?.toFixed(4) ?? ''}`}
            </span>
          )}
        </div>
      )}
      {labels.length > 0 && (
        <div className="tile-labels">
          {labels.slice(0, 3).map(([c, v]) => (
            <span key={c} className="label-chip" data-testid="tile-label" data-column={c} title={c} style={{ background: chipColour(c) }}>
              {v}
            </span>
          ))}
        </div>
      )}
      {row && onFindSimilar && (
        <button
          type="button"
          className="tile-similar"
          // Not a tab stop: with one per tile, Tab walked through every visible tile before leaving the
          // grid; from the keyboard, S on the focused tile does the same.
          tabIndex={-1}
          title={`Find similar ${dataset.imageColumn ? 'images' : 'rows'} (S); with several selected, more like all of them`}
          aria-label={`Find similar ${dataset.imageColumn ? 'images' : 'rows'}`}
          data-testid="find-similar"
          onClick={(e) => {
            e.stopPropagation();
            onFindSimilar(row);
          }}
        >
          ≈
        </button>
      )}
      <div className="tile-caption">
        <span className="tile-index">#{(index + 1).toLocaleString('en-US')}</span> <Highlight text={caption} words={highlight} />
      </div>
    </div>
  );
});

/** Each label column its own colour (a hue from its name), so two labels on a tile tell apart at a glance. */
export function chipColour(column: string): string {
  let h = 0;
  for (const ch of column) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return `hsl(${h} 55% 30% / 0.92)`;
}

/** An unreadable page's few words on its tiles; the whole sentence is the tooltip. */
export function pageErrorText(message: string): string {
  return storageText(message) ?? (/took too long/i.test(message) ? 'Took too long' : 'Rows unreadable');
}

/** Object storage refusing, throttling, unreachable or silent, in a few words; null for anything else. */
function storageText(message: string): string | null {
  if (/refused access|refused the (?:credentials|API key)/i.test(message)) return 'Storage refused access';
  if (/slow down|503/i.test(message)) return 'Storage busy (503)';
  if (/no answer came in time/i.test(message)) return 'No answer in time';
  if (/could not be reached|network/i.test(message)) return 'Storage unreachable';
  return null;
}

/** A broken tile's few words; the whole reason is its tooltip and in the detail panel. */
export function brokenText(message: string): string {
  // The read itself failed (the storage, not the image): say so, not "not an image".
  if (/^Reading images failed/.test(message)) return storageText(message) ?? 'Could not read the image';
  if (/Remote images are off/i.test(message)) return 'Remote images are off';
  if (/leads outside the image folder/i.test(message)) return 'Path outside the image folder';
  if (/no image file|There is no image/i.test(message)) return 'Image file not found';
  if (/could not be fetched|answered HTTP|did not arrive/i.test(message)) return 'Could not fetch the image';
  if (/object storage are not read yet/i.test(message)) return 'Not readable from this storage yet';
  if (/need credentials/i.test(message)) return 'Storage credentials needed';
  if (/refused the image|allow HTTP is off|refused the service account/i.test(message)) return 'Storage refused the image';
  return 'Not a readable image';
}
