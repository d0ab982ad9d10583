// Pieces of the Download dialog: unfinished downloads to resume, the token field, and a running
// download's progress (overall, per file in flight, retries).
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { formatBytes, formatDuration } from '../format';
import type { IncompleteDownload, JobFinished, JobProgress } from '../../../shared/types';

export function IncompleteDownloads({ list, onResume, onDiscard }: { list: IncompleteDownload[]; onResume(inc: IncompleteDownload): void; onDiscard(target: string): void }) {
  return (
    <div className="incomplete" data-testid="incomplete-downloads">
      <h3>Incomplete downloads</h3>
      {list.map((inc) => (
        <div className="row" key={inc.target} data-testid="incomplete-download">
          <span className="grow" title={inc.target}>
            {inc.repo}/{inc.folder}@{inc.revision}: {formatBytes(inc.haveBytes)} of {formatBytes(inc.totalBytes)}. Incomplete, resume?
          </span>
          <button type="button" className="primary" onClick={() => onResume(inc)} data-testid="resume-download">
            Resume
          </button>
          <button type="button" onClick={() => onDiscard(inc.target)} data-testid="discard-download">
            Discard
          </button>
        </div>
      ))}
    </div>
  );
}

/** A token for gated or private data: kept encrypted by the desktop app, for the session over the bridge. */
export function HubTokenField({ onError }: { onError(message: string): void }) {
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(true);
  const [note, setNote] = useState<string | null>(null);
  const [canStore, setCanStore] = useState(false);
  useEffect(() => {
    void api.hubTokenStatus({}).then((r) => {
      if (!r.ok) return;
      setCanStore(r.value.canStore);
      setNote(r.value.source === 'typed' ? 'Using the token you gave earlier.' : r.value.source === 'env' ? 'Using HF_TOKEN from the environment.' : null);
    });
  }, []);
  const save = async () => {
    const r = await api.setHubToken({ token: token.trim() || null, remember });
    if (!r.ok) return onError(r.error.message);
    setToken('');
    setNote(r.value.source === 'typed' ? (r.value.stored ? 'Token saved, encrypted by the system keychain.' : 'Token kept for this session only (it is never written unencrypted).') : 'Token cleared.');
  };
  return (
    <>
      <label htmlFor="dl-token">Token (gated or private data)</label>
      <div className="row tight">
        <input id="dl-token" type="password" value={token} placeholder="hf_…" autoComplete="off" onChange={(e) => setToken(e.target.value)} data-testid="dl-token" />
        {canStore ? (
          <label>
            <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} /> remember (encrypted)
          </label>
        ) : (
          <span className="muted small" title="Only the desktop app can encrypt it with the system keychain; it is never written in plain text.">
            this session only
          </span>
        )}
        <button type="button" onClick={() => void save()} data-testid="dl-token-save">
          Use token
        </button>
      </div>
      {note && (
        <p className="muted form-wide" data-testid="dl-token-note">
          {note}
        </p>
      )}
    </>
  );
}

export function DownloadStatus({ job, running }: { job: { progress: JobProgress | null; finished: JobFinished | null }; running: boolean }) {
  const d = job.progress?.download;
  const pct = d && d.bytesTotal ? Math.floor((100 * d.bytesDone) / d.bytesTotal) : job.finished?.ok ? 100 : 0;
  const finishedPath = job.finished?.ok ? job.finished.path : null;
  const stoppedAt = job.finished && !job.finished.ok ? job.finished.error : null;
  return (
    <div role="status" data-testid="dl-status" className="dl-status">
      <progress max={100} value={pct} style={{ width: '100%' }} />
      <div data-testid="dl-summary">
        {finishedPath
          ? `Done: ${d ? formatBytes(d.bytesTotal) : ''} in ${d?.filesTotal ?? ''} files, every file verified, at ${finishedPath}`
          : stoppedAt
            ? stoppedAt
            : d
              ? `${pct}% · ${formatBytes(d.bytesDone)} of ${formatBytes(d.bytesTotal)} · ${d.filesDone} of ${d.filesTotal} files · ${d.rate ? `${formatBytes(d.rate)}/s` : '…'} · ETA ${d.etaSeconds !== null ? formatDuration(d.etaSeconds) : '…'}`
              : (job.progress?.message ?? 'Starting…')}
      </div>
      {d?.retrying && running && <div className="muted" data-testid="dl-retrying">{d.retrying}</div>}
      {running && d && d.inFlight.length > 0 && (
        <ul className="in-flight" data-testid="dl-in-flight">
          {d.inFlight.map((f) => (
            <li key={f.path}>
              <span className="grow" title={f.path}>
                {f.path}
              </span>
              <progress max={Math.max(1, f.size)} value={f.done} /> {formatBytes(f.done)} / {formatBytes(f.size)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface ActionProps {
  running: boolean;
  finishedPath: string | null;
  /** Something is kept from an earlier attempt: the main button says Resume. */
  resumable: boolean;
  busy: boolean;
  tooBig: boolean;
  onBrowseOnline(): void;
  onCheck(): void;
  onStart(): void;
  onPause(): void;
  /** Stop and delete what was fetched (asked first here). */
  onCancel(): void;
  onOpen(path: string): void;
  /** After a finished download: the dialog as new, for the next one. */
  onNew(): void;
  onClose(): void;
}

/** Check / Download / Resume, then Pause and Cancel (with a confirmation) while it runs, then Open it. */
export function DownloadActions(p: ActionProps) {
  const [confirmCancel, setConfirmCancel] = useState(false);
  // A new run starts without the last one's question.
  useEffect(() => {
    if (!p.running) setConfirmCancel(false);
  }, [p.running]);
  const finishedPath = p.finishedPath;
  return (
      <div className="modal-actions">
        {!p.running && !finishedPath && (
          <>
            <button
              type="button"
              onClick={p.onBrowseOnline}
              title="Open it straight from the Hub through LanceDB: nothing is downloaded, every page is fetched over the network, so it is much slower."
              data-testid="dl-browse-online"
            >
              Browse online (slower)
            </button>
            <button type="button" disabled={p.busy} onClick={p.onCheck} data-testid="dl-check">
              Check
            </button>
            <button type="button" className="primary" disabled={p.busy || p.tooBig} onClick={p.onStart} data-testid="dl-start">
              {p.resumable ? 'Resume' : 'Download'}
            </button>
          </>
        )}
        {p.running &&
          (confirmCancel ? (
            <>
              <span>Delete what was fetched?</span>
              <button type="button" onClick={() => (setConfirmCancel(false), p.onCancel())} data-testid="dl-cancel-confirm">
                Yes, cancel and delete
              </button>
              <button type="button" onClick={() => setConfirmCancel(false)}>
                No
              </button>
            </>
          ) : (
            <>
              <button type="button" onClick={p.onPause} data-testid="dl-pause">
                Pause
              </button>
              <button type="button" onClick={() => setConfirmCancel(true)} data-testid="dl-cancel">
                Cancel
              </button>
            </>
          ))}
        {finishedPath && (
          <>
            <button type="button" onClick={p.onNew} data-testid="dl-new">
              Download another
            </button>
            <button type="button" className="primary" onClick={() => p.onOpen(finishedPath)} data-testid="dl-open">
              Open it
            </button>
          </>
        )}
        <button type="button" onClick={p.onClose} data-testid="dl-close">
          {p.running ? 'Close (keeps downloading)' : 'Close'}
        </button>
      </div>
  );
}
