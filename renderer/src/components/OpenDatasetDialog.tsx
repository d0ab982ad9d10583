// Open a dataset: type or pick a path, choose a table in a database folder, or reopen a recent one.
// Errors show here, in the dialog, where the person is looking.
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { formatCount } from '../format';
import type { AppInfo, InspectResult, RecentEntry } from '../../../shared/types';
import { Modal } from './Modal';
import { ErrorText } from './ErrorText';
import { StorageFields, cloudScheme, credentialsOf, emptyStorageForm, type StorageForm, type TypedCredentials } from './StorageFields';

interface Props {
  info: AppInfo | null;
  canClose: boolean;
  onOpen(path: string, table?: string, credentials?: TypedCredentials): Promise<string | null>;
  onOpenDemo(): void;
  onClose(): void;
}

export function OpenDatasetDialog({ info, canClose, onOpen, onOpenDemo, onClose }: Props) {
  const [path, setPath] = useState('');
  const [recent, setRecent] = useState<RecentEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tables, setTables] = useState<InspectResult | null>(null);
  const [storage, setStorage] = useState<StorageForm>(emptyStorageForm);
  const scheme = cloudScheme(path);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    inputRef.current?.focus();
    void api.listRecent({}).then((r) => r.ok && setRecent(r.value));
  }, []);

  const open = async (p: string, table?: string) => {
    setBusy(true);
    setError(null);
    try {
      const cloud = cloudScheme(p);
      const typed = cloud ? credentialsOf(cloud, storage) : undefined;
      if (!table) {
        const found = await api.inspectPath({ path: p, ...typed });
        if (!found.ok) return setError(found.error.message);
        if (found.value.kind === 'none') {
          return setError(`${found.value.path} is not a Lance dataset: it has no "_versions" folder and no "<name>.lance" tables.`);
        }
        if (found.value.kind === 'database' && found.value.tables.length > 1) return setTables(found.value);
      }
      const err = await onOpen(p, table, typed);
      if (err) setError(err);
    } finally {
      setBusy(false);
    }
  };

  const pick = async () => {
    const r = await api.pickDatasetFolder({});
    if (r.ok && r.value) {
      setPath(r.value.path);
      await open(r.value.path);
    } else if (!r.ok) setError(r.error.message);
  };

  const forget = async (e: RecentEntry) => {
    const r = await api.forgetRecent({ path: e.path, table: e.table });
    if (r.ok) setRecent(r.value);
  };

  return (
    <Modal title="Open a Lance dataset" testId="open-dialog" onClose={onClose} canClose={canClose}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim()) void open(path.trim());
          }}
        >
          <label htmlFor="dataset-path">Folder: a “.lance” dataset or a LanceDB database folder, or an address in object storage (s3://, gs://, az://), or a LanceDB Cloud database (db://)</label>
          <div className="row">
            <input
              id="dataset-path"
              ref={inputRef}
              value={path}
              onChange={(e) => setPath(e.target.value)}
              placeholder="/data/laion-1m/data/train.lance"
              spellCheck={false}
              data-testid="path-input"
            />
            {info?.canPickFolder && (
              <button type="button" onClick={() => void pick()}>
                Browse…
              </button>
            )}
            <button type="submit" className="primary" disabled={busy || !path.trim()} data-testid="open-submit">
              {busy ? 'Opening…' : 'Open'}
            </button>
          </div>
          {scheme && <StorageFields scheme={scheme} address={path} desktop={info?.carrier === 'electron'} form={storage} onChange={setStorage} />}
        </form>
        {error && (
          <div className="error-box" role="alert" data-testid="open-error">
            <ErrorText text={error} />
          </div>
        )}
        {tables && (
          <div className="tables" data-testid="table-choice">
            <p>{tables.path} holds several tables. Choose one:</p>
            {tables.tables.map((t) => (
              <button key={t} type="button" onClick={() => void open(tables.path, t)}>
                {t}
              </button>
            ))}
          </div>
        )}
        <h3>Recent</h3>
        {recent.length === 0 ? (
          <p className="muted">Datasets you open appear here.</p>
        ) : (
          <ul className="recent" data-testid="recent-list">
            {recent.map((e) => (
              <li key={`${e.path}::${e.table}`}>
                <button type="button" className="link" onClick={() => void open(e.path, e.table)} title={e.path}>
                  {e.name}
                </button>
                <span className="muted">
                  {formatCount(e.rowCount)} rows · {e.path}
                </span>
                <button type="button" className="icon-button" aria-label={`Forget ${e.name}`} onClick={() => void forget(e)}>
                  ✕
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onOpenDemo} data-testid="open-demo">
            Open the demo dataset
          </button>
          {canClose && (
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          )}
        </div>
    </Modal>
  );
}
