// "Embed images…": a new vector column made by a model's vision tower, for a dataset that has none (or
// another model's). Shows what it would do (rows, what an earlier stop kept), runs as a job with
// progress and Stop (what is made is kept; Embed again resumes, even after a restart), then offers the
// vector index.
import { useEffect, useState } from 'react';
import { Modal } from './Modal';
import { jobPercent } from './JobFooter';
import { api } from '../api/client';
import { useJob } from '../hooks/useJob';
import { formatCount } from '../format';
import type { DatasetInfo, EmbedPlan, InstalledModel } from '../../../shared/types';
import type { IndexTarget } from './IndexBuildDialog';
import { ErrorText } from './ErrorText';

const KNOWN = { repo: 'Xenova/clip-vit-large-patch14', label: 'CLIP ViT-L/14 (OpenAI), quantized, about 430 MB' };

export function EmbedDialog({ dataset, onDone, onBuildIndex, onClose }: { dataset: DatasetInfo; onDone(what: string, next: DatasetInfo): void; onBuildIndex(t: IndexTarget): void; onClose(): void }) {
  const imageColumns = dataset.columns.filter((c) => c.kind === 'binary').map((c) => c.name);
  const [imageColumn, setImageColumn] = useState(dataset.imageColumn ?? imageColumns[0] ?? '');
  const taken = new Set(dataset.columns.map((c) => c.name));
  const [column, setColumn] = useState(taken.has('img_emb') ? 'clip_emb' : 'img_emb');
  const [models, setModels] = useState<InstalledModel[] | null>(null);
  const [choice, setChoice] = useState(0);
  const [plan, setPlan] = useState<EmbedPlan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [fetchJob, setFetchJob] = useState<string | null>(null);
  const job = useJob(jobId);
  const fetching = useJob(fetchJob);
  const running = !!jobId && !job.finished;
  const model = models?.[choice] ?? null;

  useEffect(() => {
    void api.installedModels({}).then((r) => (r.ok ? setModels(r.value) : setError(r.error.message)));
  }, [fetching.finished]);

  useEffect(() => {
    setPlan(null);
    if (!model || !imageColumn || !column.trim()) return;
    let live = true;
    void api.planEmbedding({ id: dataset.id, imageColumn, column: column.trim(), model: { dir: model.dir, dtype: model.dtype } }).then((r) => {
      if (!live) return;
      setError(r.ok ? null : r.error.message);
      if (r.ok) setPlan(r.value);
    });
    return () => {
      live = false;
    };
  }, [dataset.id, imageColumn, column, model, job.finished]);

  useEffect(() => {
    if (!job.finished?.ok) return;
    void api.datasetInfo({ id: dataset.id }).then((r) => r.ok && onDone(`embedded ${imageColumn} into ${column}`, r.value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [job.finished]);

  const start = async () => {
    if (!model) return;
    setError(null);
    const r = await api.startEmbedding({ id: dataset.id, imageColumn, column: column.trim(), model: { dir: model.dir, dtype: model.dtype } });
    if (!r.ok) return setError(r.error.message);
    setJobId(r.value.jobId);
  };
  const getKnown = async () => {
    setError(null);
    const r = await api.downloadModel({ id: dataset.id, repo: KNOWN.repo, revision: 'main', dtype: 'q8' });
    if (!r.ok) return setError(r.error.message);
    setFetchJob(r.value.jobId);
  };
  const finishedOk = job.finished?.ok;

  return (
    <Modal title="Embed images" testId="embed-dialog" onClose={onClose} canClose wide>
      <p>
        Every row's image goes through a model's vision tower into a new vector column, in batches. Stop keeps what is made; Embed again resumes where it stopped, even after a restart. The
        column's metadata records the model and its revision, so searches by meaning use the same model.
      </p>
      <label htmlFor="embed-image">Images from</label>
      <select id="embed-image" value={imageColumn} onChange={(e) => setImageColumn(e.target.value)} disabled={running}>
        {imageColumns.map((c) => (
          <option key={c}>{c}</option>
        ))}
      </select>
      <label htmlFor="embed-column">New column</label>
      <input id="embed-column" value={column} onChange={(e) => setColumn(e.target.value)} disabled={running} data-testid="embed-column" />
      <label htmlFor="embed-model">Model</label>
      {models && models.length > 0 ? (
        <select id="embed-model" value={choice} onChange={(e) => setChoice(Number(e.target.value))} disabled={running} data-testid="embed-model">
          {models.map((m, i) => (
            <option key={`${m.dir}#${m.dtype}`} value={i}>
              {m.repo ?? m.dir} · {m.dtype} · {m.dim}-d{m.space && m.space !== m.repo ? ` · ${m.space}` : ''}
            </option>
          ))}
        </select>
      ) : models ? (
        <div className="row tight" data-testid="embed-no-model">
          <span className="grow">No CLIP model is on this computer (none in the Hugging Face cache).</span>
          <button type="button" onClick={() => void getKnown()} disabled={!!fetchJob && !fetching.finished} data-testid="embed-get-model">
            {fetchJob && !fetching.finished ? `Fetching… ${jobPercent(fetching)}%` : `Get ${KNOWN.label}`}
          </button>
        </div>
      ) : (
        <p className="muted">Looking for models…</p>
      )}
      {plan && (
        <p data-testid="embed-plan">
          {formatCount(plan.rows)} images, {plan.batch} at a time{plan.done ? `; ${formatCount(plan.done)} already embedded by an earlier run (kept, not redone)` : ''}.
        </p>
      )}
      {jobId && (
        <div role="status" data-testid="embed-status">
          <progress max={100} value={jobPercent(job)} style={{ width: '100%' }} aria-label="Embedding progress" />
          <div>{job.finished ? (job.finished.ok ? (job.progress?.message ?? 'Done.') : job.finished.error) : (job.progress?.message ?? 'Starting…')}</div>
        </div>
      )}
      {error && (
        <div className="error" role="alert" data-testid="embed-error">
          <ErrorText text={error} />
        </div>
      )}
      <div className="row">
        {running ? (
          <button type="button" onClick={() => jobId && void api.cancelJob({ jobId })} data-testid="embed-stop">
            Stop (keeps what is made)
          </button>
        ) : finishedOk ? (
          <button type="button" className="primary" onClick={() => onBuildIndex({ column, kind: 'ivf_pq', metric: 'l2' })} data-testid="embed-build-index">
            Build the vector index…
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void start()} disabled={!plan} data-testid="embed-start">
            {plan?.done ? 'Resume' : 'Embed'}
          </button>
        )}
        <button type="button" onClick={onClose} data-testid="embed-close">
          Close
        </button>
      </div>
    </Modal>
  );
}
