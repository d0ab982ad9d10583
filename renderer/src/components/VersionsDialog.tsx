// The dataset's history: every version newest first with what it changed, its tags and the current one
// marked; open any version read-only, restore one as a new version, tag, move or delete tags, and
// compare two versions.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import { formatCount } from '../format';
import type { DatasetInfo, VersionDiff, VersionEntry } from '../../../shared/types';
import { Modal } from './Modal';
import { CleanupPanel } from './CleanupPanel';

interface Props {
  dataset: DatasetInfo;
  /** Open the dataset at a version (read-only) or, with nothing given, its latest version. */
  onOpenVersion(at: { version?: number; tag?: string } | null): Promise<string | null>;
  /** A version was restored (as a new version): say so in the window, with Undo. */
  onRestored(version: number, previous: number): void;
  onClose(): void;
}

export function VersionsDialog({ dataset, onOpenVersion, onRestored, onClose }: Props) {
  const [history, setHistory] = useState<VersionEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tagFor, setTagFor] = useState<number | null>(null);
  const [tagName, setTagName] = useState('');
  const [confirmRestore, setConfirmRestore] = useState<number | null>(null);
  const [picked, setPicked] = useState<number[]>([]);
  const [diff, setDiff] = useState<VersionDiff | null>(null);

  const load = useCallback(async () => {
    const r = await api.listVersions({ id: dataset.id });
    if (!r.ok) return setError(r.error.message);
    setHistory(r.value);
  }, [dataset.id]);
  useEffect(() => void load(), [load]);

  const tag = async (action: 'create' | 'move' | 'delete', name: string, version?: number) => {
    setError(null);
    const r = await api.changeTag({ id: dataset.id, action, tag: name, ...(version !== undefined ? { version } : {}) });
    if (!r.ok) return setError(r.error.message);
    setTagFor(null);
    setTagName('');
    await load();
  };
  const restore = async (version: number) => {
    setError(null);
    const r = await api.restoreVersion({ id: dataset.id, version });
    setConfirmRestore(null);
    if (!r.ok) return setError(r.error.message);
    const err = await onOpenVersion(null);
    if (err) return setError(err);
    onRestored(version, dataset.version);
  };
  const open = async (at: { version?: number; tag?: string } | null) => {
    const err = await onOpenVersion(at);
    if (err) setError(err);
  };
  const togglePick = (v: number) => setPicked((p) => (p.includes(v) ? p.filter((x) => x !== v) : [...p.slice(-1), v]));
  useEffect(() => {
    setDiff(null);
    if (picked.length !== 2) return;
    const [a, b] = [...picked].sort((x, y) => x - y) as [number, number];
    void api.compareVersions({ id: dataset.id, from: a, to: b }).then((r) => (r.ok ? setDiff(r.value) : setError(r.error.message)));
  }, [picked, dataset.id]);
  const allTags = history?.flatMap((v) => v.tags) ?? [];

  return (
    <Modal title={<>Versions of {dataset.name}</>} testId="versions-dialog" onClose={onClose} wide>
        <p className="muted small">Every change to a Lance dataset is a new version; old ones stay until cleaned up. Tick two versions to compare them.</p>
        {error && (
          <div className="error-box" role="alert" data-testid="versions-error">
            {error}
          </div>
        )}
        {diff && <DiffBox diff={diff} />}
        <CleanupPanel dataset={dataset} onCleaned={() => void load()} />
        {!history && !error && <div className="muted">Reading the history…</div>}
        {history && (
          <table className="versions" data-testid="versions-table">
            <thead>
              <tr>
                <th aria-label="compare" />
                <th>Version</th>
                <th>When</th>
                <th>Rows</th>
                <th>What changed</th>
                <th>Tags</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {history.map((v) => (
                <tr key={v.version} data-testid="version-row" data-version={v.version} className={v.version === dataset.version ? 'current' : ''}>
                  <td>
                    <input type="checkbox" aria-label={`compare version ${v.version}`} checked={picked.includes(v.version)} onChange={() => togglePick(v.version)} />
                  </td>
                  <td>
                    {v.version}
                    {v.latest ? ' (latest)' : ''}
                    {v.version === dataset.version ? ' ◀ open' : ''}
                  </td>
                  <td title={v.timestamp}>{new Date(v.timestamp).toLocaleString()}</td>
                  <td>{formatCount(v.rows)}</td>
                  <td>
                    {v.change}
                    {v.note && (
                      <span className="version-note" data-testid="version-note" title="Recorded by Lance Explorer when it made this version">
                        {v.note}
                      </span>
                    )}
                  </td>
                  <TagCell
                    version={v}
                    allTags={allTags}
                    editing={tagFor === v.version}
                    name={tagName}
                    onName={setTagName}
                    onEdit={() => setTagFor(v.version)}
                    onTag={(action, name, version) => void tag(action, name, version)}
                    onOpenTag={(t) => void open({ tag: t })}
                  />
                  <td className="actions">
                    {v.version !== dataset.version && (
                      <button type="button" onClick={() => void open(v.latest ? null : { version: v.version })} data-testid="version-open">
                        {v.latest ? 'Open latest' : 'Open read-only'}
                      </button>
                    )}
                    {!v.latest && !dataset.readOnly &&
                      (confirmRestore === v.version ? (
                        <button type="button" className="primary" onClick={() => void restore(v.version)} data-testid="version-restore-confirm">
                          Restore as a new version?
                        </button>
                      ) : (
                        <button type="button" onClick={() => setConfirmRestore(v.version)} data-testid="version-restore">
                          Restore…
                        </button>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="modal-actions">
          <button type="button" onClick={onClose} data-testid="versions-close">
            Close
          </button>
        </div>
    </Modal>
  );
}

/** What changed between the two versions ticked: rows, columns, and which columns' values. */
function DiffBox({ diff }: { diff: VersionDiff }) {
  return (
    <div className="plan-box" data-testid="versions-diff">
      Version {diff.from} → {diff.to}: {formatCount(diff.rowsFrom)} → {formatCount(diff.rowsTo)} rows
      {diff.addedColumns.length ? ` · added ${diff.addedColumns.join(', ')}` : ''}
      {diff.droppedColumns.length ? ` · dropped ${diff.droppedColumns.join(', ')}` : ''}
      {diff.changedTypes.length ? ` · type changed: ${diff.changedTypes.join(', ')}` : ''}
      {!diff.addedColumns.length && !diff.droppedColumns.length && !diff.changedTypes.length ? ' · same columns' : ''}
      {diff.changedValues && (
        <span data-testid="versions-changed-values">
          {diff.changedValues.columns.length
            ? ` · values changed: ${diff.changedValues.columns.map((c) => `${c.name} (${formatCount(c.rows)} ${c.rows === 1 ? 'row' : 'rows'}${diff.changedValues!.sampled ? '+' : ''})`).join(', ')}`
            : ' · no values changed'}
        </span>
      )}
    </div>
  );
}

interface TagCellProps {
  version: VersionEntry;
  allTags: string[];
  /** The tag input is open on this row. */
  editing: boolean;
  name: string;
  onName(name: string): void;
  onEdit(): void;
  onTag(action: 'create' | 'move' | 'delete', name: string, version?: number): void;
  onOpenTag(tag: string): void;
}

/** A version's tags (open read-only, delete) and the input to add one, or move an existing one here. */
function TagCell({ version, allTags, editing, name, onName, onEdit, onTag, onOpenTag }: TagCellProps) {
  const save = () => onTag(allTags.includes(name.trim()) ? 'move' : 'create', name.trim(), version.version);
  return (
    <td>
      {version.tags.map((t) => (
        <span className="chip" key={t} data-testid="tag-chip">
          <button type="button" className="link-button" title={`Open tag ${t} read-only`} onClick={() => onOpenTag(t)}>
            {t}
          </button>
          <button type="button" className="icon-button" aria-label={`delete tag ${t}`} onClick={() => onTag('delete', t)}>
            ×
          </button>
        </span>
      ))}
      {editing ? (
        <span className="row tight">
          <input
            autoFocus
            value={name}
            placeholder="tag name"
            onChange={(e) => onName(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && save()}
            data-testid="tag-input"
          />
          <button type="button" onClick={save} data-testid="tag-save">
            {allTags.includes(name.trim()) ? 'Move here' : 'Tag'}
          </button>
        </span>
      ) : (
        <button type="button" className="link-button" onClick={onEdit} data-testid="tag-add">
          + tag
        </button>
      )}
    </td>
  );
}
