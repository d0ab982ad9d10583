// Download a Lance dataset from the Hugging Face Hub: check first (commit, files, size, free space),
// then a job with overall and per-file progress, rate and ETA, Pause/Resume and Cancel. The job
// outlives the dialog: closing it keeps the download running, and reopening shows it again.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatBytes, formatDuration } from '../format';
import type { DownloadPlan, IncompleteDownload } from '../../../shared/types';
import { Modal } from './Modal';

export interface DownloadForm {
  repo: string;
  revision: string;
  folder: string;
  target: string;
  parallel: number;
}

interface Props {
  form: DownloadForm;
  onForm(f: DownloadForm): void;
  jobId: string | null;
  onStarted(jobId: string, target: string): void;
  /** Opens a dataset; resolves to an error message to show here, or null when it opened. */
  onOpen(path: string): Promise<string | null>;
  onClose(): void;
}

export const DEFAULT_FORM: DownloadForm = { repo: 'lance-format/laion-1m', revision: 'main', folder: 'data/train.lance', target: '', parallel: 4 };

export function DownloadDialog({ form, onForm, jobId, onStarted, onOpen, onClose }: Props) {
  const [plan, setPlan] = useState<(DownloadPlan & { defaultTarget: string }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [incomplete, setIncomplete] = useState<IncompleteDownload[]>([]);
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(true);
  const [tokenNote, setTokenNote] = useState<string | null>(null);
  const [canStore, setCanStore] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const job = useJob(jobId);
  const running = !!jobId && !job.finished;
  const d = job.progress?.download;

  const refreshIncomplete = () => void api.listIncompleteDownloads({}).then((r) => r.ok && setIncomplete(r.value));
  useEffect(refreshIncomplete, [job.finished]);
  useEffect(() => {
    void api.hubTokenStatus({}).then((r) => {
      if (r.ok) setCanStore(r.value.canStore);
      if (r.ok) setTokenNote(r.value.source === 'typed' ? 'Using the token you gave earlier.' : r.value.source === 'env' ? 'Using HF_TOKEN from the environment.' : null);
    });
  }, []);

  const set = (patch: Partial<DownloadForm>) => {
    setPlan(null);
    onForm({ ...form, ...patch });
  };

  const saveToken = async () => {
    const r = await api.setHubToken({ token: token.trim() || null, remember });
    if (!r.ok) return setError(r.error.message);
    setToken('');
    setTokenNote(r.value.source === 'typed' ? (r.value.stored ? 'Token saved, encrypted by the system keychain.' : 'Token kept for this session only (it is never written unencrypted).') : 'Token cleared.');
  };

  const check = async (f: DownloadForm = form): Promise<boolean> => {
    setError(null);
    setBusy(true);
    const r = await api.planDownload({ repo: f.repo, revision: f.revision, folder: f.folder, ...(f.target.trim() ? { target: f.target.trim() } : {}) });
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return false;
    }
    setPlan(r.value);
    if (!f.target) onForm({ ...f, target: r.value.target });
    return true;
  };

  const start = async (f: DownloadForm = form) => {
    setError(null);
    setConfirmCancel(false);
    const target = f.target.trim() || plan?.target;
    const r = await api.startDownload({ repo: f.repo, revision: f.revision, folder: f.folder, ...(target ? { target } : {}), parallel: f.parallel });
    if (!r.ok) return setError(r.error.message);
    onStarted(r.value.jobId, r.value.target);
  };

  const resume = (inc: IncompleteDownload) => {
    const f = { ...form, repo: inc.repo, revision: inc.revision, folder: inc.folder, target: inc.target };
    onForm(f);
    void start(f);
  };

  const discard = async (target: string) => {
    const r = await api.discardDownload({ target });
    if (!r.ok) setError(r.error.message);
    refreshIncomplete();
  };

  const cancel = async () => {
    if (!jobId) return;
    await api.cancelJob({ jobId });
    setConfirmCancel(false);
    // Cancel = stop and remove what was fetched; Pause keeps it for Resume.
    const wait = setInterval(() => {
      void api.jobStatus({ jobId }).then(async (s) => {
        if (s.ok && !s.value.running) {
          clearInterval(wait);
          await discard(form.target || plan?.target || '');
        }
      });
    }, 200);
  };

  const openAndReport = async (p: string) => {
    setError(null);
    setBusy(true);
    const err = await onOpen(p);
    setBusy(false);
    if (err) setError(err);
  };

  const pct = d && d.bytesTotal ? Math.floor((100 * d.bytesDone) / d.bytesTotal) : job.finished?.ok ? 100 : 0;
  const finishedPath = job.finished?.ok ? job.finished.path : null;
  const stoppedAt = job.finished && !job.finished.ok ? job.finished.error : null;

  return (
    <Modal title="Download from the Hugging Face Hub" testId="download-dialog" onClose={onClose} wide>
        {incomplete.length > 0 && !running && (
          <div className="incomplete" data-testid="incomplete-downloads">
            <h3>Incomplete downloads</h3>
            {incomplete.map((inc) => (
              <div className="row" key={inc.target} data-testid="incomplete-download">
                <span className="grow" title={inc.target}>
                  {inc.repo}/{inc.folder}@{inc.revision}: {formatBytes(inc.haveBytes)} of {formatBytes(inc.totalBytes)}. Incomplete, resume?
                </span>
                <button type="button" className="primary" onClick={() => resume(inc)} data-testid="resume-download">
                  Resume
                </button>
                <button type="button" onClick={() => void discard(inc.target)} data-testid="discard-download">
                  Discard
                </button>
              </div>
            ))}
          </div>
        )}
        <div className="form-grid">
          <label htmlFor="dl-repo">Repository</label>
          <input id="dl-repo" value={form.repo} onChange={(e) => set({ repo: e.target.value, target: '' })} disabled={running} spellCheck={false} data-testid="dl-repo" />
          <label htmlFor="dl-revision">Revision</label>
          <input id="dl-revision" value={form.revision} onChange={(e) => set({ revision: e.target.value })} disabled={running} spellCheck={false} data-testid="dl-revision" />
          <label htmlFor="dl-folder">Path in the repository</label>
          <input id="dl-folder" value={form.folder} onChange={(e) => set({ folder: e.target.value, target: '' })} disabled={running} spellCheck={false} data-testid="dl-folder" />
          <label htmlFor="dl-target">Save to</label>
          <input id="dl-target" value={form.target} placeholder="(suggested after Check)" onChange={(e) => set({ target: e.target.value })} disabled={running} spellCheck={false} data-testid="dl-target" />
          <label htmlFor="dl-parallel">Parallel transfers</label>
          <input id="dl-parallel" className="num" type="number" min={1} max={16} value={form.parallel} onChange={(e) => set({ parallel: Math.max(1, Math.min(16, Number(e.target.value) || 1)) })} disabled={running} />
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
            <button type="button" onClick={() => void saveToken()} data-testid="dl-token-save">
              Use token
            </button>
          </div>
        </div>
        {tokenNote && <p className="muted" data-testid="dl-token-note">{tokenNote}</p>}
        {plan && !jobId && (
          <div className={plan.tooBig ? 'error-box' : 'plan-box'} data-testid="dl-plan">
            Commit {plan.commit.slice(0, 10)} · {plan.files.toLocaleString('en-US')} files · {formatBytes(plan.totalBytes)}
            {plan.haveBytes > 0 ? ` · ${formatBytes(plan.haveBytes)} already here (resumes)` : ''} · {plan.freeBytes === null ? 'free space unknown' : `${formatBytes(plan.freeBytes)} free`}
            {plan.tooBig ? ' — not enough free space for what is left to fetch.' : ''}
          </div>
        )}
        {error && (
          <div className="error-box" role="alert" data-testid="dl-error">
            {error}
          </div>
        )}
        {jobId && (
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
        )}
        <p className="muted small">
          Files are staged next to the target and verified (sha256 or git hash) before anything becomes a dataset; version manifests come last. A stopped download resumes where it left off, even after a restart.
        </p>
        <div className="modal-actions">
          {!running && !finishedPath && (
            <>
              <button
                type="button"
                onClick={() => void openAndReport(`hf://datasets/${form.repo.trim()}/${form.folder.trim().replace(/^\/+|\/+$/g, '')}`)}
                title="Open it straight from the Hub through LanceDB: nothing is downloaded, every page is fetched over the network, so it is much slower."
                data-testid="dl-browse-online"
              >
                Browse online (slower)
              </button>
              <button type="button" disabled={busy} onClick={() => void check()} data-testid="dl-check">
                Check
              </button>
              <button type="button" className="primary" disabled={busy || (plan?.tooBig ?? false)} onClick={() => void start()} data-testid="dl-start">
                {stoppedAt || (plan && plan.haveBytes > 0) ? 'Resume' : 'Download'}
              </button>
            </>
          )}
          {running &&
            (confirmCancel ? (
              <>
                <span>Delete what was fetched?</span>
                <button type="button" onClick={() => void cancel()} data-testid="dl-cancel-confirm">
                  Yes, cancel and delete
                </button>
                <button type="button" onClick={() => setConfirmCancel(false)}>
                  No
                </button>
              </>
            ) : (
              <>
                <button type="button" onClick={() => void api.cancelJob({ jobId: jobId as string })} data-testid="dl-pause">
                  Pause
                </button>
                <button type="button" onClick={() => setConfirmCancel(true)} data-testid="dl-cancel">
                  Cancel
                </button>
              </>
            ))}
          {finishedPath && (
            <button type="button" className="primary" onClick={() => void openAndReport(finishedPath)} data-testid="dl-open">
              Open it
            </button>
          )}
          <button type="button" onClick={onClose} data-testid="dl-close">
            {running ? 'Close (keeps downloading)' : 'Close'}
          </button>
        </div>
    </Modal>
  );
}
