// Download a Lance dataset from the Hugging Face Hub: check first (commit, files, size, free space),
// then a job with overall and per-file progress, rate and ETA, Pause/Resume and Cancel. The job
// outlives the dialog: closing it keeps the download running, and reopening shows it again.
import { useEffect, useState } from 'react';
import { WholeNumberInput } from './WholeNumberInput';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatBytes } from '../format';
import type { DownloadPlan, IncompleteDownload } from '../../../shared/types';
import { Modal } from './Modal';
import { DownloadActions, DownloadStatus, HubTokenField, IncompleteDownloads } from './DownloadParts';
import { ErrorText } from './ErrorText';

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
  onNew(): void;
  /** Opens a dataset; resolves to an error message to show here, or null when it opened. */
  onOpen(path: string): Promise<string | null>;
  onClose(): void;
}

export const DEFAULT_FORM: DownloadForm = { repo: 'lance-format/laion-1m', revision: 'main', folder: 'data/train.lance', target: '', parallel: 4 };

export function DownloadDialog({ form, onForm, jobId, onStarted, onNew, onOpen, onClose }: Props) {
  const [plan, setPlan] = useState<(DownloadPlan & { defaultTarget: string }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [incomplete, setIncomplete] = useState<IncompleteDownload[]>([]);
  const job = useJob(jobId);
  const running = !!jobId && !job.finished;

  const refreshIncomplete = () => void api.listIncompleteDownloads({}).then((r) => r.ok && setIncomplete(r.value));
  useEffect(refreshIncomplete, [job.finished]);

  const set = (patch: Partial<DownloadForm>) => {
    setPlan(null);
    onForm({ ...form, ...patch });
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

  const finishedPath = job.finished?.ok ? job.finished.path : null;
  const stoppedAt = job.finished && !job.finished.ok ? job.finished.error : null;

  return (
    <Modal title="Download from the Hugging Face Hub" testId="download-dialog" onClose={onClose} wide>
        {incomplete.length > 0 && !running && <IncompleteDownloads list={incomplete} onResume={resume} onDiscard={(t) => void discard(t)} />}
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
          <span>
            <WholeNumberInput id="dl-parallel" name="Parallel transfers" min={1} max={16} value={form.parallel} onChange={(parallel) => set({ parallel })} disabled={running} testId="dl-parallel" />
          </span>
          <HubTokenField onError={setError} />
        </div>
        {plan && !jobId && (
          <div className={plan.tooBig ? 'error-box' : 'plan-box'} data-testid="dl-plan">
            Commit {plan.commit.slice(0, 10)} · {plan.files.toLocaleString('en-US')} files · {formatBytes(plan.totalBytes)}
            {plan.haveBytes > 0 ? ` · ${formatBytes(plan.haveBytes)} already here (resumes)` : ''} · {plan.freeBytes === null ? 'free space unknown' : `${formatBytes(plan.freeBytes)} free`}
            {plan.tooBig ? ' — not enough free space for what is left to fetch.' : ''}
          </div>
        )}
        {error && (
          <div className="error-box" role="alert" data-testid="dl-error">
            <ErrorText text={error} />
          </div>
        )}
        {jobId && <DownloadStatus job={job} running={running} />}
        <p className="muted small">
          Files are staged next to the target and verified (sha256 or git hash) before anything becomes a dataset; version manifests come last. A stopped download resumes where it left off, even after a restart.
        </p>
        <DownloadActions
          running={running}
          finishedPath={finishedPath ?? null}
          resumable={!!stoppedAt || (!!plan && plan.haveBytes > 0)}
          busy={busy}
          tooBig={plan?.tooBig ?? false}
          onBrowseOnline={() => void openAndReport(`hf://datasets/${form.repo.trim()}/${form.folder.trim().replace(/^\/+|\/+$/g, '')}`)}
          onCheck={() => void check()}
          onStart={() => void start()}
          onPause={() => void api.cancelJob({ jobId: jobId as string })}
          onCancel={() => void cancel()}
          onOpen={(p) => void openAndReport(p)}
          onNew={() => {
            setPlan(null);
            setError(null);
            onNew();
          }}
          onClose={onClose}
        />
    </Modal>
  );
}
