// Confirm labelling every row of a view: how many rows, and what Lance rewrites for them (an updated
// row is written again with all its columns, images included).
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { formatBytes, formatCount } from '../format';
import { labelText } from '../label-keys';
import type { DatasetInfo, LabelValue, ViewInfo } from '../../../shared/types';
import { Modal } from './Modal';

interface Props {
  dataset: DatasetInfo;
  view: ViewInfo | null;
  column: string;
  value: LabelValue;
  onConfirm(expectedCount: number): void;
  onClose(): void;
}

export function LabelViewDialog({ dataset, view, column, value, onConfirm, onClose }: Props) {
  const [plan, setPlan] = useState<{ rows: number; bytes: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Cancel has the focus, not the write: Enter (or a second 1) must not label a whole view by accident.
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    void api.planLabels({ id: dataset.id, viewId: view?.viewId ?? null }).then((r) => (r.ok ? setPlan(r.value) : setError(r.error.message)));
  }, [dataset.id, view?.viewId]);
  useEffect(() => {
    if (plan) cancelRef.current?.focus();
  }, [plan]);
  return (
    <Modal title="Label the whole view?" testId="label-view-dialog" onClose={onClose}>
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
        {!plan && !error && <p className="muted">Counting…</p>}
        {plan && (
          <>
            <p data-testid="label-view-summary">
              Set <strong>{column}</strong> to <strong>{labelText(value)}</strong> on all <strong>{formatCount(plan.rows)}</strong> rows of{' '}
              {view ? 'this view' : 'the table'}.
            </p>
            <p className="muted">
              This is one new version; Undo or the version history brings the old labels back. Lance writes each changed row again with all its
              columns (about {formatBytes(plan.bytes)} for these rows).
            </p>
          </>
        )}
        <div className="modal-actions">
          <button ref={cancelRef} type="button" onClick={onClose} data-testid="label-view-cancel">
            Cancel
          </button>
          <button type="button" className="primary" disabled={!plan} onClick={() => plan && onConfirm(plan.rows)} data-testid="label-view-confirm">
            Label {plan ? formatCount(plan.rows) : ''} rows
          </button>
        </div>
    </Modal>
  );
}
