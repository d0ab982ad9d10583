/** @vitest-environment happy-dom */
// A typed count is never kept when it is wrong: the reason shows beside the field, the last good
// value is what the app uses, and leaving the field puts it back.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { WholeNumberInput } from './WholeNumberInput';

afterEach(cleanup);

function Field({ onChange }: { onChange(v: number): void }) {
  const [value, setValue] = useState(4);
  return <WholeNumberInput name="Parallel transfers" min={1} max={16} value={value} onChange={(v) => (setValue(v), onChange(v))} testId="n" />;
}

describe('a whole-number field', () => {
  it('passes on good values only, explains a bad one next to the field, and restores on leaving', () => {
    const onChange = vi.fn();
    render(<Field onChange={onChange} />);
    const input = screen.getByTestId('n') as HTMLInputElement;
    fireEvent.change(input, { target: { value: '12' } });
    expect(onChange).toHaveBeenLastCalledWith(12);
    expect(screen.queryByTestId('n-error')).toBeNull();
    for (const bad of ['0', '17', '2.5', 'lots', '']) {
      fireEvent.change(input, { target: { value: bad } });
      expect(input.value).toBe(bad); // what was typed stays while editing
      expect(screen.getByTestId('n-error').textContent).toBe('Parallel transfers is a whole number from 1 to 16');
      expect(input.getAttribute('aria-invalid')).toBe('true');
    }
    expect(onChange).toHaveBeenCalledTimes(1);
    const enter = fireEvent.keyDown(input, { key: 'Enter' });
    expect(enter).toBe(false); // Enter does not submit a bad value
    fireEvent.blur(input);
    expect(input.value).toBe('12');
    expect(screen.queryByTestId('n-error')).toBeNull();
  });
});
