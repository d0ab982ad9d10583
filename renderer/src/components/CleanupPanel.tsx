// Clean up… in the Versions dialog: files left by writes that did not finish are counted as soon as
// the dialog opens; the panel shows what would go (versions older than N days, untagged, not the
// latest, not open; files only they used; unused files) and how many bytes come back, before the
// person confirms.
import { useCallback, useEffect, useState } from 'react';
import { WholeNumberInput } from './WholeNumberInput';
import { api } from '../api/client';
import { formatBytes, formatCount } from '../format';
import type { CleanupPlan, DatasetInfo } from '../../../shared/types';
import { ErrorText } from './ErrorText';

interface Props {
  dataset: DatasetInfo;
  /** After a clean-up (the dialog reads the history again). */
  onCleaned(): void;
}

export function CleanupPanel({ dataset, onCleaned }: Props) {
  const [open, setOpen] = useState(false);
  const [days, setDays] = useState(7);
  const [recent, setRecent] = useState(false);
  const [plan, setPlan] = useState<CleanupPlan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const look = useCallback(async () => {
    const r = await api.planCleanup({ id: dataset.id, olderThanDays: days, includeRecentUnfinished: recent });
    if (r.ok) {
      setPlan(r.value);
      setError(null);
    } else setError(r.error.message);
  }, [dataset.id, days, recent]);
  useEffect(() => void look(), [look]);

  const clean = async () => {
    if (!plan) return;
    setBusy(true);
    const r = await api.cleanUp({ id: dataset.id, olderThanDays: days, includeRecentUnfinished: recent, expectedBytes: plan.bytes });
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return void look();
    }
    setOpen(false);
    setDone(`Cleaned up: ${formatCount(r.value.removedVersions)} old versions and ${formatCount(r.value.removedFiles)} files removed, ${formatBytes(r.value.bytes)} back.`);
    onCleaned();
    void look();
  };

  if (dataset.readOnly) return null;
  return (
    <div className="plan-box" data-testid="cleanup">
      {done && (
        <p role="status" data-testid="cleanup-done">
          {done}
        </p>
      )}
      {plan && plan.unfinishedFiles > 0 && (
        <p data-testid="cleanup-unfinished">
          {formatCount(plan.unfinishedFiles)} {plan.unfinishedFiles === 1 ? 'file' : 'files'} ({formatBytes(plan.unfinishedBytes)}) {plan.unfinishedFiles === 1 ? 'belongs' : 'belong'} to no
          version: left by writes that did not finish.
        </p>
      )}
      {!open ? (
        <button type="button" onClick={() => setOpen(true)} data-testid="cleanup-open">
          Clean up…
        </button>
      ) : (
        <>
          <div className="row">
            <label>
              Remove versions older than{' '}
              <WholeNumberInput name="Days" min={0} max={36500} value={days} onChange={setDays} testId="cleanup-days" /> days
            </label>
            <label title="Files of a write still in progress look unused too: tick this only when nothing else is writing to this dataset.">
              <input type="checkbox" checked={recent} onChange={(e) => setRecent(e.target.checked)} data-testid="cleanup-recent" /> also unused files newer than that (nothing else is writing)
            </label>
          </div>
          {plan?.blocked ? (
            <div className="error-box" role="alert">
              <ErrorText text={plan.blocked} />
            </div>
          ) : (
            plan && (
              <p data-testid="cleanup-plan">
                {plan.removeVersions.length
                  ? `${formatCount(plan.removeVersions.length)} ${plan.removeVersions.length === 1 ? 'version' : 'versions'} go (${plan.removeVersions.length > 6 ? `${plan.removeVersions.slice(0, 6).join(', ')}, …` : plan.removeVersions.join(', ')})`
                  : 'No version goes'}
                ; {formatCount(plan.keptVersions)} stay (the latest, tagged and open ones, and those newer than {days} days). {formatCount(plan.removeFiles)} {plan.removeFiles === 1 ? 'file is' : 'files are'} deleted:{' '}
                <strong>{formatBytes(plan.bytes)} back</strong>. Index files are kept. Removed versions cannot be opened again.
              </p>
            )
          )}
          {error && (
            <div className="error-box" role="alert" data-testid="cleanup-error">
              <ErrorText text={error} />
            </div>
          )}
          <div className="modal-actions">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="button" className="primary" disabled={busy || !plan || !!plan.blocked || plan.removeFiles + plan.removeVersions.length === 0} onClick={() => void clean()} data-testid="cleanup-confirm">
              {busy ? 'Cleaning up…' : plan ? `Remove ${formatBytes(plan.bytes)}` : 'Remove'}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
