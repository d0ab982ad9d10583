// A whole-number field that never keeps a bad value: what is typed stays in the field while it is
// edited, a value out of range says why next to it (and is not passed on), and leaving the field puts
// the last good value back. Used wherever a count or a limit is typed (k, parallel transfers, days).
import { useState } from 'react';

interface Props {
  /** What the number is, as the message names it ("k", "Parallel transfers"). */
  name: string;
  min: number;
  max: number;
  value: number;
  onChange(v: number): void;
  /** Enter in the field (a bad value does not get through). */
  onEnter?(e: React.KeyboardEvent): void;
  id?: string;
  disabled?: boolean;
  testId: string;
}

export function WholeNumberInput({ name, min, max, value, onChange, onEnter, id, disabled, testId }: Props) {
  const [draft, setDraft] = useState<string | null>(null);
  const text = draft ?? String(value);
  const good = (t: string) => /^\d+$/.test(t.trim()) && Number(t) >= min && Number(t) <= max;
  const bad = !good(text);
  return (
    <>
      <input
        id={id}
        className="num"
        inputMode="numeric"
        value={text}
        disabled={disabled}
        aria-invalid={bad}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && bad) return e.preventDefault();
          onEnter?.(e);
        }}
        onChange={(e) => {
          const t = e.target.value;
          setDraft(t);
          if (good(t)) onChange(Number(t));
        }}
        onBlur={() => setDraft(null)}
        data-testid={testId}
      />
      {bad && (
        <span className="field-error" role="alert" data-testid={`${testId}-error`}>
          {name} is a whole number from {min.toLocaleString('en-US')} to {max.toLocaleString('en-US')}
        </span>
      )}
    </>
  );
}
