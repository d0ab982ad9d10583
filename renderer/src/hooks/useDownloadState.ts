// A download outlives its dialog: the form and the job stay here while the dialog is closed.
import { useState } from 'react';
import { DEFAULT_FORM, type DownloadForm } from '../components/DownloadDialog';
import type { DownloadState } from '../components/Dialogs';

export function useDownloadState(): DownloadState {
  const [form, setForm] = useState<DownloadForm>(DEFAULT_FORM);
  const [jobId, setJobId] = useState<string | null>(null);
  return {
    form,
    setForm,
    jobId,
    started(id, target) {
      setJobId(id);
      setForm((f) => ({ ...f, target }));
    },
    reset() {
      setJobId(null);
      setForm(DEFAULT_FORM);
    },
  };
}
