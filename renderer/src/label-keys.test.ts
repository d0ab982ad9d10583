import { describe, expect, it } from 'vitest';
import { digitHints, valueForDigit } from './label-keys';

describe('label keys', () => {
  const category = { type: 'category' as const, categories: ['good', 'blurry', 'watermark'] };
  it('1-9 pick the categories in order, 0 clears, keys past the list do nothing', () => {
    expect(valueForDigit(category, 1)).toBe('good');
    expect(valueForDigit(category, 3)).toBe('watermark');
    expect(valueForDigit(category, 4)).toBeUndefined();
    expect(valueForDigit(category, 0)).toBeNull();
  });
  it('yes/no on 1 and 2, numbers are the digit, text has no keys', () => {
    expect(valueForDigit({ type: 'boolean' }, 1)).toBe(true);
    expect(valueForDigit({ type: 'boolean' }, 2)).toBe(false);
    expect(valueForDigit({ type: 'boolean' }, 3)).toBeUndefined();
    expect(valueForDigit({ type: 'integer' }, 7)).toBe(7);
    expect(valueForDigit({ type: 'text' }, 1)).toBeUndefined();
    expect(valueForDigit({ type: 'text' }, 0)).toBeNull();
  });
  it('hints list at most nine categories and always the clear key', () => {
    const many = { type: 'category' as const, categories: Array.from({ length: 12 }, (_, i) => `c${i}`) };
    const hints = digitHints(many);
    expect(hints.map(([d]) => d)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
    expect(hints.at(-1)).toEqual([0, null, 'clear']);
  });
});
