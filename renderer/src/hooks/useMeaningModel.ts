// The model a search by meaning uses for a vector column: what main says of it (present, loading,
// offered, refused), asked again after it was fetched or a folder was chosen. And query images:
// dropped, pasted or chosen files, handed to main (which checks them) and searched with.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { ModelStatus } from '../../../shared/types';

export function useMeaningModel(datasetId: string | null, column: string | null, wanted: boolean): { status: ModelStatus | null; error: string | null; refresh(): void } {
  const [status, setStatus] = useState<ModelStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // Another dataset or column: forget the old answer (a refresh keeps it shown until the new one).
  useEffect(() => {
    setStatus(null);
    setError(null);
  }, [datasetId, column]);
  useEffect(() => {
    if (!datasetId || !column || !wanted) return;
    let live = true;
    void api.modelStatus({ id: datasetId, column }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setStatus(r.value);
        setError(null);
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [datasetId, column, wanted, tick]);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  return { status, error, refresh };
}

/** The file as base64 (the contract's carrier for a query image). */
function base64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

export const MAX_QUERY_IMAGE_MB = 20;

/**
 * Images to search with: a dropped or pasted image anywhere in the window, or one chosen with the
 * button. Each is sent to main (checked there) and `onImage` opens the view.
 */
export function useQueryImage(datasetId: string | null, enabled: boolean, onImage: (imageId: string, name: string) => void): { choose(file: File): void; busy: boolean; error: string | null; clearError(): void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choose = useCallback(
    (file: File) => {
      if (!datasetId) return;
      setError(null);
      if (file.size > MAX_QUERY_IMAGE_MB * 1024 * 1024) return setError(`${file.name} is ${Math.round(file.size / 1e6)} MB; at most ${MAX_QUERY_IMAGE_MB} MB.`);
      setBusy(true);
      void base64(file)
        .then((bytes) => api.putQueryImage({ id: datasetId, bytes }))
        .then((r) => {
          if (r.ok) onImage(r.value.imageId, file.name || 'pasted image');
          else setError(r.error.message);
        })
        .catch((e: unknown) => setError(`The image could not be read: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => setBusy(false));
    },
    [datasetId, onImage],
  );
  useEffect(() => {
    if (!enabled) return;
    const imageOf = (items: DataTransferItemList | undefined | null, files: FileList | undefined | null): File | null => {
      for (const f of files ?? []) if (f.type.startsWith('image/')) return f;
      for (const it of items ?? []) if (it.kind === 'file' && it.type.startsWith('image/')) return it.getAsFile();
      return null;
    };
    const onDragOver = (e: DragEvent) => {
      if ([...(e.dataTransfer?.items ?? [])].some((i) => i.kind === 'file')) e.preventDefault();
    };
    const onDrop = (e: DragEvent) => {
      const f = imageOf(e.dataTransfer?.items, e.dataTransfer?.files);
      if (!f) return;
      e.preventDefault();
      choose(f);
    };
    const onPaste = (e: ClipboardEvent) => {
      // Text pasted into a field stays text; an image pasted anywhere is a query.
      const f = imageOf(e.clipboardData?.items, e.clipboardData?.files);
      if (!f) return;
      e.preventDefault();
      choose(f);
    };
    document.addEventListener('dragover', onDragOver);
    document.addEventListener('drop', onDrop);
    document.addEventListener('paste', onPaste);
    return () => {
      document.removeEventListener('dragover', onDragOver);
      document.removeEventListener('drop', onDrop);
      document.removeEventListener('paste', onPaste);
    };
  }, [enabled, choose]);
  return { choose, busy, error, clearError: () => setError(null) };
}
