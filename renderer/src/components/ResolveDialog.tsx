// Resolve a view of duplicates: each group side by side with its suggested keeper (and why), the
// rule that picks keepers (reorder or leave out a criterion, and every keeper follows), then "mark
// the rest" for one group or for all: the keeper's key goes into a label column of every other row,
// in one write, offered for Undo like any other.
import { useEffect, useState } from 'react';
import { api, imageUrl } from '../api/client';
import { formatCount } from '../format';
import { Modal } from './Modal';
import type { DatasetInfo, KeeperCriterion, ResolvePlan, ViewInfo } from '../../../shared/types';
import { ErrorText } from './ErrorText';

const WORDS: Record<KeeperCriterion, string> = { resolution: 'largest resolution (width × height)', similarity: 'highest similarity', safe: 'not NSFW (UNLIKELY before UNSURE before NSFW)' };

interface Props {
  dataset: DatasetInfo;
  view: ViewInfo;
  onMarked(what: string, next: DatasetInfo): void;
  onClose(): void;
}

export function ResolveDialog({ dataset, view, onMarked, onClose }: Props) {
  const [rule, setRule] = useState<KeeperCriterion[] | null>(null);
  const [plan, setPlan] = useState<ResolvePlan | null>(null);
  const [column, setColumn] = useState('duplicate_of');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api.planResolve({ id: dataset.id, viewId: view.viewId, ...(rule ? { rule } : {}) }).then((r) => {
      if (!live) return;
      if (!r.ok) return setError(r.error.message);
      setPlan(r.value);
      if (!rule) setRule(r.value.rule);
    });
    return () => {
      live = false;
    };
  }, [dataset.id, view.viewId, rule]);

  const mark = async (group: number | null) => {
    if (!plan || !rule) return;
    const expectedRedundant = group === null ? plan.redundant : (plan.first[group]?.members.length ?? 1) - 1;
    setBusy(true);
    setError(null);
    const r = await api.markDuplicates({ id: dataset.id, viewId: view.viewId, rule, group, column: column.trim(), expectedRedundant });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    const what = `Marked ${formatCount(r.value.marked)} duplicates in ${column.trim()}`;
    setDone(`Marked ${formatCount(r.value.marked)} ${r.value.marked === 1 ? 'row' : 'rows'} in ${formatCount(r.value.groups)} ${r.value.groups === 1 ? 'group' : 'groups'} (version ${r.value.version}). Undo is in the bar above the grid.`);
    onMarked(what, r.value.dataset);
  };

  const move = (i: number, by: number) => setRule((r) => {
    if (!r) return r;
    const next = [...r];
    const [x] = next.splice(i, 1);
    next.splice(Math.max(0, Math.min(next.length, i + by)), 0, x as KeeperCriterion);
    return next;
  });
  const unused = (plan?.available ?? []).filter((c) => !rule?.includes(c));

  return (
    <Modal title="Resolve duplicates" testId="resolve-dialog" onClose={onClose} canClose={!busy} wide>
      {error && (
        <div className="error" role="alert" data-testid="resolve-error">
          <ErrorText text={error} />
        </div>
      )}
      {done ? (
        <p role="status" data-testid="resolve-done">
          {done}
        </p>
      ) : (
        plan &&
        rule && (
          <>
            <p>
              {formatCount(plan.groups)} {plan.groups === 1 ? 'group' : 'groups'}, {formatCount(plan.rows)} rows: marking the rest marks {formatCount(plan.redundant)}.
            </p>
            <fieldset className="resolve-rule" data-testid="resolve-rule">
              <legend>Keep, in each group, the row with</legend>
              <ol>
                {rule.map((c, i) => (
                  <li key={c}>
                    {WORDS[c]}
                    <button type="button" className="icon-button" aria-label={`Compare ${c} earlier`} disabled={i === 0} onClick={() => move(i, -1)}>
                      ↑
                    </button>
                    <button type="button" className="icon-button" aria-label={`Leave ${c} out`} onClick={() => setRule(rule.filter((x) => x !== c))} data-testid={`resolve-drop-${c}`}>
                      ×
                    </button>
                  </li>
                ))}
                <li className="muted">then the first in table order</li>
              </ol>
              {unused.map((c) => (
                <button key={c} type="button" onClick={() => setRule([...rule, c])} data-testid={`resolve-add-${c}`}>
                  + {WORDS[c]}
                </button>
              ))}
            </fieldset>
            <label>
              Write the keeper&apos;s {dataset.keyColumn} into{' '}
              <input value={column} onChange={(e) => setColumn(e.target.value)} aria-label="Label column for the keepers' keys" data-testid="resolve-column" />
            </label>
            <ol className="resolve-groups" data-testid="resolve-groups">
              {plan.first.map((g) => (
                <li key={g.index} className="resolve-group" data-testid="resolve-group">
                  <div className="resolve-members">
                    {g.members.map((m) => (
                      <figure key={m.rowId} className={m.rowId === g.keeper ? 'keeper' : undefined}>
                        {dataset.imageColumn && <img src={imageUrl(dataset, m.rowId)} alt={`${dataset.keyColumn} ${String(m.key)}`} loading="lazy" />}
                        <figcaption>
                          {m.rowId === g.keeper ? <strong data-testid="resolve-keeper">keep {String(m.key)}</strong> : String(m.key)}
                        </figcaption>
                      </figure>
                    ))}
                  </div>
                  <div className="resolve-group-actions">
                    <span className="muted">{g.why}</span>
                    <button type="button" disabled={busy || dataset.readOnly} onClick={() => void mark(g.index)} data-testid="resolve-mark-group">
                      Mark the rest
                    </button>
                  </div>
                </li>
              ))}
            </ol>
            {plan.groups > plan.first.length && <p className="muted">The first {plan.first.length} groups are shown; marking all uses the same rule on every group.</p>}
          </>
        )
      )}
      <div className="modal-actions">
        {!done && plan && (
          <button type="button" className="primary" disabled={busy || dataset.readOnly || !plan.redundant} onClick={() => void mark(null)} data-testid="resolve-mark-all">
            Mark the rest in all {formatCount(plan.groups)} groups ({formatCount(plan.redundant)} rows)
          </button>
        )}
        <button type="button" onClick={onClose} disabled={busy}>
          Close
        </button>
      </div>
    </Modal>
  );
}
