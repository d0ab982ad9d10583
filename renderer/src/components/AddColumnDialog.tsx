// Add a label column through a form: a safe name, a type (category with its values, yes/no, whole
// number, number, text) and an optional default. Errors come back from main with the reason.
import { useState } from 'react';
import { api } from '../api/client';
import type { DatasetInfo, LabelType } from '../../../shared/types';

interface Props {
  dataset: DatasetInfo;
  onAdded(): void;
  onClose(): void;
}

const TYPES: Array<[LabelType, string]> = [
  ['category', 'Category (a fixed list of values)'],
  ['boolean', 'Yes / no'],
  ['integer', 'Whole number'],
  ['float', 'Number'],
  ['text', 'Free text'],
];

export function AddColumnDialog({ dataset, onAdded, onClose }: Props) {
  const [name, setName] = useState('');
  const [type, setType] = useState<LabelType>('category');
  const [categories, setCategories] = useState('');
  const [def, setDef] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const cats = categories
    .split(/[\n,]/)
    .map((c) => c.trim())
    .filter(Boolean);

  const add = async () => {
    setError(null);
    setBusy(true);
    const defaultValue = def.trim() === '' ? null : type === 'boolean' ? def.trim() === 'true' : type === 'integer' || type === 'float' ? Number(def) : def;
    if (typeof defaultValue === 'number' && !Number.isFinite(defaultValue)) {
      setBusy(false);
      return setError(`The default "${def}" is not a number.`);
    }
    const r = await api.addLabelColumn({ id: dataset.id, name: name.trim(), type, ...(type === 'category' ? { categories: cats } : {}), defaultValue });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    onAdded();
  };

  return (
    <div className="modal-backdrop" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="addcol-title" data-testid="add-column-dialog">
        <h2 id="addcol-title">Add a label column</h2>
        <p className="muted small">A new column, empty or filled with the default; nothing existing is rewritten, and the dataset gets a new version (Versions… can go back).</p>
        <div className="form-grid">
          <label htmlFor="addcol-name">Name</label>
          <input id="addcol-name" autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. quality" spellCheck={false} data-testid="addcol-name" />
          <label htmlFor="addcol-type">Type</label>
          <select id="addcol-type" value={type} onChange={(e) => setType(e.target.value as LabelType)} data-testid="addcol-type">
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
          <label htmlFor="addcol-default">Default (optional)</label>
          {type === 'category' ? (
            <select id="addcol-default" value={def} onChange={(e) => setDef(e.target.value)} data-testid="addcol-default">
              <option value="">(empty)</option>
              {cats.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          ) : type === 'boolean' ? (
            <select id="addcol-default" value={def} onChange={(e) => setDef(e.target.value)} data-testid="addcol-default">
              <option value="">(empty)</option>
              <option value="true">yes</option>
              <option value="false">no</option>
            </select>
          ) : (
            <input id="addcol-default" value={def} onChange={(e) => setDef(e.target.value)} inputMode={type === 'text' ? 'text' : 'decimal'} data-testid="addcol-default" />
          )}
        </div>
        {error && (
          <div className="error-box" role="alert" data-testid="addcol-error">
            {error}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" className="primary" disabled={busy || !name.trim()} onClick={() => void add()} data-testid="addcol-add">
            Add column
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
