// What the digit keys mean for a label column: 1-9 the first nine categories (yes/no for a boolean,
// the digit itself for numbers), 0 clears. Text columns have no keys: type in the label bar.
import type { LabelSpec, LabelType, LabelValue } from '../../shared/types';

/** undefined: the digit does nothing for this column. */
export function valueForDigit(spec: LabelSpec, digit: number): LabelValue | undefined {
  if (digit === 0) return null;
  switch (spec.type) {
    case 'category':
      return spec.categories?.[digit - 1];
    case 'boolean':
      return digit === 1 ? true : digit === 2 ? false : undefined;
    case 'integer':
    case 'float':
      return digit;
    default:
      return undefined;
  }
}

/** The keys shown beside a column's values, e.g. [[1, "good"], [2, "blurry"], [0, "clear"]]. */
export function digitHints(spec: LabelSpec): Array<[number, LabelValue, string]> {
  const hints: Array<[number, LabelValue, string]> = [];
  if (spec.type === 'category') (spec.categories ?? []).slice(0, 9).forEach((c, i) => hints.push([i + 1, c, c]));
  else if (spec.type === 'boolean') hints.push([1, true, 'yes'], [2, false, 'no']);
  else if (spec.type === 'integer' || spec.type === 'float') hints.push([1, 1, '1'], [2, 2, '2'], [3, 3, '3'], [4, 4, '4'], [5, 5, '5']);
  hints.push([0, null, 'clear']);
  return hints;
}

/** A typed-in value for a number or text column; empty clears the label. */
export function typedValue(type: LabelType, text: string): LabelValue {
  const v = text.trim();
  return v === '' ? null : type === 'text' ? v : Number(v);
}

export function labelText(value: LabelValue): string {
  return value === null ? 'no label' : value === true ? 'yes' : value === false ? 'no' : String(value);
}
