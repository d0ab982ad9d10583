// The code that reproduces the current view, in Python and TypeScript.
import { useRef, useState } from 'react';
import { pythonSnippet, typescriptSnippet } from '../code-snippet';
import type { DatasetInfo, ViewInfo } from '../../../shared/types';
import { Modal } from './Modal';

export function CodeDialog({ dataset, view, onClose }: { dataset: DatasetInfo; view: ViewInfo | null; onClose(): void }) {
  const [lang, setLang] = useState<'python' | 'typescript'>('python');
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const code = lang === 'python' ? pythonSnippet(dataset, view) : typescriptSnippet(dataset, view);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
    } catch {
      // No clipboard permission: select the text so Ctrl+C copies it.
      ref.current?.select();
    }
  };
  return (
    <Modal title="Reproduce this view in code" testId="code-dialog" onClose={onClose}>
        <div className="row">
          <button type="button" className={lang === 'python' ? 'primary' : ''} onClick={() => setLang('python')}>
            Python (lancedb)
          </button>
          <button type="button" className={lang === 'typescript' ? 'primary' : ''} onClick={() => setLang('typescript')}>
            TypeScript (@lancedb/lancedb)
          </button>
        </div>
        <textarea ref={ref} readOnly value={code} rows={10} className="code" data-testid="code-text" />
        <div className="modal-actions">
          <button type="button" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
    </Modal>
  );
}
