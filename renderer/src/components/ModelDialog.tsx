// "Get the model…": the text and image towers a search by meaning needs, fetched from the Hub into
// the Hugging Face cache (sizes and free space first, progress, Stop keeps what arrived and asking
// again resumes), or a folder on this computer. Nothing is fetched before the person says Download.
import { useEffect, useState } from 'react';
import { Modal } from './Modal';
import { DownloadStatus } from './DownloadParts';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatBytes } from '../format';
import type { DownloadPlan, ModelDtype, ModelStatus } from '../../../shared/types';

const DTYPE_LABEL: Record<ModelDtype, string> = { q8: 'quantized (8-bit, smallest)', fp16: 'half precision (fp16)', fp32: 'full precision (fp32, largest)' };

export function ModelDialog({ datasetId, status, onClose, onReady }: { datasetId: string; status: ModelStatus; onClose(): void; onReady(): void }) {
  const offer = status.offer;
  const [dtype, setDtype] = useState<ModelDtype>(offer?.dtypes[0] ?? 'q8');
  const [plan, setPlan] = useState<(DownloadPlan & { present: boolean }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [folder, setFolder] = useState('');
  const job = useJob(jobId);
  const running = !!jobId && !job.finished;

  useEffect(() => {
    setPlan(null);
    setError(null);
    if (!offer) return;
    let live = true;
    void api.planModel({ repo: offer.repo, revision: offer.revision, dtype }).then((r) => {
      if (!live) return;
      if (r.ok) setPlan(r.value);
      else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [offer, dtype, job.finished]);

  useEffect(() => {
    if (job.finished && !job.finished.error) onReady();
  }, [job.finished, onReady]);

  const download = async () => {
    if (!offer) return;
    setError(null);
    const r = await api.downloadModel({ id: datasetId, column: status.space.column, repo: offer.repo, revision: offer.revision, dtype });
    if (!r.ok) return setError(r.error.message);
    setJobId(r.value.jobId);
  };
  const stop = () => jobId && void api.cancelJob({ jobId });
  const chooseFolder = async () => {
    setError(null);
    const r = await api.useModelFolder({ id: datasetId, column: status.space.column, path: folder.trim(), dtype });
    if (!r.ok) return setError(r.error.message);
    onReady();
    onClose();
  };
  const left = plan ? plan.totalBytes - plan.haveBytes : 0;

  return (
    <Modal title="Get the model" testId="model-dialog" onClose={onClose} canClose={!running} wide>
      <p>
        {status.space.column} is in the space of <strong>{status.space.label ?? status.space.space ?? 'an unnamed model'}</strong>
        {status.space.source === 'laion' ? ' (taken from the LAION schema: its metadata does not say)' : status.space.source === 'metadata' ? ' (from its metadata)' : ''}. A description or an image is put in that space by the
        same model's text or vision tower, then searched like a similar-images view.
      </p>
      {offer ? (
        <>
          <label htmlFor="model-dtype">
            {offer.repo} at {offer.revision}
          </label>
          <select id="model-dtype" value={dtype} onChange={(e) => setDtype(e.target.value as ModelDtype)} disabled={running} data-testid="model-dtype">
            {offer.dtypes.map((d) => (
              <option key={d} value={d}>
                {DTYPE_LABEL[d]}
                {offer.approxBytes[d] ? ` · about ${formatBytes(offer.approxBytes[d] as number)}` : ''}
              </option>
            ))}
          </select>
          <p className="muted small" data-testid="model-plan">
            {!plan && !error && 'Asking the Hub for the file sizes…'}
            {plan?.present && 'Already in the Hugging Face cache: nothing to fetch.'}
            {plan && !plan.present && (
              <>
                {plan.files} files, {formatBytes(plan.totalBytes)}
                {plan.haveBytes ? ` (${formatBytes(plan.haveBytes)} already here from an earlier stop)` : ''}
                {plan.freeBytes !== null ? `; ${formatBytes(plan.freeBytes)} free on that disk` : ''}. Into {plan.target}, where other Hub tools find it too.
              </>
            )}
          </p>
          {plan?.tooBig && <p className="error">Not enough free space for the {formatBytes(left)} left to fetch.</p>}
          {jobId && <DownloadStatus job={job} running={running} />}
          <div className="row">
            {running ? (
              <button type="button" onClick={stop} data-testid="model-stop">
                Stop (keeps what arrived)
              </button>
            ) : (
              <button type="button" className="primary" onClick={() => void download()} disabled={!plan || plan.tooBig} data-testid="model-download">
                {plan?.present ? 'Use it' : plan?.haveBytes ? 'Resume' : 'Download'}
              </button>
            )}
          </div>
        </>
      ) : (
        <p>{status.why}</p>
      )}
      <label htmlFor="model-folder">Or a model folder on this computer (config.json, tokenizer.json and onnx/ inside)</label>
      <div className="row tight">
        <input id="model-folder" value={folder} placeholder="/path/to/clip-vit-large-patch14" onChange={(e) => setFolder(e.target.value)} disabled={running} data-testid="model-folder" />
        <button type="button" onClick={() => void chooseFolder()} disabled={!folder.trim() || running} data-testid="model-use-folder">
          Use this folder
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="model-error">
          {error}
        </p>
      )}
      <p className="muted small">Looked for and saved in {status.cacheDir}. Set HF_HOME or HF_HUB_CACHE to use another cache.</p>
    </Modal>
  );
}
