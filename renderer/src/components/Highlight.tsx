// Caption text with the searched words marked.
import { Fragment } from 'react';

export function Highlight({ text, words }: { text: string; words: string[] }) {
  const terms = words.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 1);
  if (!terms.length) return <>{text}</>;
  const pattern = new RegExp(`(${terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  const parts = text.split(pattern);
  return (
    <>
      {parts.map((p, i) =>
        terms.includes(p.toLowerCase()) ? (
          <mark key={i} data-testid="match">
            {p}
          </mark>
        ) : (
          <Fragment key={i}>{p}</Fragment>
        ),
      )}
    </>
  );
}
