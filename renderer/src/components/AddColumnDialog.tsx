// Add a label column through a form: a safe name, a type (category with its values, yes/no, whole
// number, number, text) and an optional default. Errors come back from main with the reason.
import { useState } from 'react';
import { api } from '../api/client';
import type { DatasetInfo, LabelType } from '../../../shared/types';
import { Modal } from './Modal';

interface Props {
  dataset: DatasetInfo;
  /** Called after a change is committed, with a sentence saying what it was (for the Undo bar) and the dataset as the write left it. */
  onAdded(what: string, next: DatasetInfo): void;
  onClose(): void;
}

type Kind = LabelType | 'derived';

const TYPES: Array<[Kind, string]> = [
  ['category', 'Category (a fixed list of values)'],
  ['boolean', 'Yes / no'],
  ['integer', 'Whole number'],
  ['float', 'Number'],
  ['text', 'Free text'],
  ['derived', 'Derived: a SQL expression over other columns'],
];

export function AddColumnDialog({ dataset, onAdded, onClose }: Props) {
  const [name, setName] = useState('');
  const [type, setType] = useState<Kind>('category');
  const [expression, setExpression] = useState('');
  const [preview, setPreview] = useState<{ type: string; values: Array<string | number | boolean | null> } | null>(null);
  const [categories, setCategories] = useState('');
  const [def, setDef] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const cats = categories
    .split(/[\n,]/)
    .map((c) => c.trim())
    .filter(Boolean);

  const runPreview = async () => {
    setError(null);
    setPreview(null);
    const r = await api.previewDerivedColumn({ id: dataset.id, name: name.trim() || 'preview', expression });
    if (!r.ok) return setError(r.error.message);
    setPreview(r.value);
  };

  const add = async () => {
    setError(null);
    setBusy(true);
    if (type === 'derived') {
      const r = await api.addDerivedColumn({ id: dataset.id, name: name.trim(), expression });
      setBusy(false);
      if (!r.ok) return setError(r.error.message);
      return onAdded(`Added the derived column ${name.trim()}.`, r.value.dataset);
    }
    const defaultValue = def.trim() === '' ? null : type === 'boolean' ? def.trim() === 'true' : type === 'integer' || type === 'float' ? Number(def) : def;
    if (typeof defaultValue === 'number' && !Number.isFinite(defaultValue)) {
      setBusy(false);
      return setError(`The default "${def}" is not a number.`);
    }
    const r = await api.addLabelColumn({ id: dataset.id, name: name.trim(), type: type as LabelType, ...(type === 'category' ? { categories: cats } : {}), defaultValue });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    onAdded(`Added the column ${name.trim()}.`, r.value.dataset);
  };

  return (
    <Modal title="Add a column" testId="add-column-dialog" onClose={onClose}>
        <p className="muted small">A new column, empty or filled with the default; nothing existing is rewritten, and the dataset gets a new version (Versions… can go back).</p>
        <div className="form-grid">
          <label htmlFor="addcol-name">Name</label>
          <input id="addcol-name" autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. quality" spellCheck={false} data-testid="addcol-name" />
          <label htmlFor="addcol-type">Type</label>
          <select id="addcol-type" value={type} onChange={(e) => setType(e.target.value as Kind)} data-testid="addcol-type">
            {TYPES.map(([t, label]) => (
              <option key={t} value={t}>
                {label}
              </option>
            ))}
          </select>
          {type === 'category' && (
            <>
              <label htmlFor="addcol-cats">Values (comma or one per line; keys 1-9 will pick the first nine)</label>
              <textarea id="addcol-cats" rows={3} value={categories} onChange={(e) => setCategories(e.target.value)} placeholder="good, blurry, watermark" data-testid="addcol-categories" />
            </>
          )}
          {type === 'derived' && (
            <>
              <label htmlFor="addcol-expr">Expression</label>
              <textarea
                id="addcol-expr"
                rows={2}
                value={expression}
                onChange={(e) => {
                  setExpression(e.target.value);
                  setPreview(null);
                }}
                placeholder="CAST(width AS DOUBLE) / CAST(height AS DOUBLE)"
                spellCheck={false}
                data-testid="addcol-expression"
              />
            </>
          )}
          {type !== 'derived' && <DefaultField type={type} categories={cats} value={def} onChange={setDef} />}
        </div>
        <AlterColumns dataset={dataset} busy={busy} setBusy={setBusy} onError={setError} onDone={onAdded} />
        {preview && (
          <div className="plan-box" data-testid="addcol-preview">
            {preview.type}: {preview.values.map((v) => (v === null ? '∅' : typeof v === 'number' ? Number(v.toPrecision(6)) : String(v))).join(', ')}
            {preview.values.length ? ' …' : ' (no rows)'}
          </div>
        )}
        {error && (
          <div className="error-box" role="alert" data-testid="addcol-error">
            {error}
          </div>
        )}
        <div className="modal-actions">
          {type === 'derived' && (
            <button type="button" disabled={!expression.trim()} onClick={() => void runPreview()} data-testid="addcol-preview-button">
              Preview
            </button>
          )}
          <button type="button" className="primary" disabled={busy || !name.trim() || (type === 'derived' && !preview)} onClick={() => void add()} data-testid="addcol-add">
            Add column
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
    </Modal>
  );
}

/** The default a new column starts with: one of its categories, yes/no, or typed. */
function DefaultField({ type, categories, value, onChange }: { type: LabelType; categories: string[]; value: string; onChange(v: string): void }) {
  return (
    <>
      <label htmlFor="addcol-default">Default (optional)</label>
      {type === 'category' ? (
      <select id="addcol-default" value={value} onChange={(e) => onChange(e.target.value)} data-testid="addcol-default">
        <option value="">(empty)</option>
        {categories.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    ) : type === 'boolean' ? (
      <select id="addcol-default" value={value} onChange={(e) => onChange(e.target.value)} data-testid="addcol-default">
        <option value="">(empty)</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    ) : (
      <input id="addcol-default" value={value} onChange={(e) => onChange(e.target.value)} inputMode={type === 'text' ? 'text' : 'decimal'} data-testid="addcol-default" />
    )}
    </>
  );
}

/** Rename or drop a column, after a confirmation; LAION columns and the key need "I am sure". */
function AlterColumns({ dataset, busy, setBusy, onError, onDone }: { dataset: DatasetInfo; busy: boolean; setBusy(b: boolean): void; onError(m: string | null): void; onDone(what: string, next: DatasetInfo): void }) {
  const [target, setTarget] = useState('');
  const [newName, setNewName] = useState('');
  const [sure, setSure] = useState(false);
  const [confirmDrop, setConfirmDrop] = useState(false);
  const alter = async (action: 'rename' | 'drop') => {
    onError(null);
    setBusy(true);
    const r =
      action === 'rename'
        ? await api.renameColumn({ id: dataset.id, from: target, to: newName.trim(), insist: sure })
        : await api.dropColumn({ id: dataset.id, column: target, insist: sure });
    setBusy(false);
    setConfirmDrop(false);
    if (!r.ok) return onError(r.error.message);
    onDone(action === 'rename' ? `Renamed ${target} to ${newName.trim()}.` : `Dropped ${target}.`, r.value.dataset);
  };
  return (
    <fieldset className="columns-pick" data-testid="alter-columns">
      <legend>Rename or drop a column</legend>
      <div className="row tight">
        <select aria-label="Column to rename or drop" value={target} onChange={(e) => setTarget(e.target.value)} data-testid="alter-column">
          <option value="">(choose a column)</option>
          {dataset.columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        <input aria-label="New name" value={newName} placeholder="new name" onChange={(e) => setNewName(e.target.value)} spellCheck={false} data-testid="alter-new-name" />
        <button type="button" disabled={busy || !target || !newName.trim()} onClick={() => void alter('rename')} data-testid="alter-rename">
          Rename
        </button>
        {confirmDrop ? (
          <button type="button" className="primary" onClick={() => void alter('drop')} data-testid="alter-drop-confirm">
            Drop “{target}”? (older versions keep it)
          </button>
        ) : (
          <button type="button" disabled={busy || !target} onClick={() => setConfirmDrop(true)} data-testid="alter-drop">
            Drop…
          </button>
        )}
      </div>
      <label>
        <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} data-testid="alter-sure" /> I am sure (needed for the original LAION columns and the key)
      </label>
    </fieldset>
  );
}
