// A value for a label column, checked against the column's type and categories: the one place that
// decides what fits, for a label from the grid, a column's default and a cell of a merged file.
import { failure } from '../support/errors';
import { quoteString } from '../views/filter-sql';
import type { LabelSpec, LabelValue } from '../../../shared/types';

/**
 * The value as the column's type, or undefined when it does not fit; null or '' clears the label.
 * `lenient` (cells of a merged file) also reads yes/no/1/0 as booleans.
 */
export function coerceLabelValue(spec: LabelSpec, v: string | number | boolean | bigint | null, opts: { lenient?: boolean } = { lenient: true }): LabelValue | undefined {
  if (v === null || v === '') return null;
  switch (spec.type) {
    case 'category':
      return spec.categories?.includes(String(v)) ? String(v) : undefined;
    case 'text': {
      const s = String(v);
      return s.length <= 1000 && !s.includes('\0') ? s : undefined;
    }
    case 'boolean': {
      if (typeof v === 'boolean') return v;
      const s = String(v).trim().toLowerCase();
      const yes = opts.lenient ? ['true', 'yes', '1'] : ['true'];
      const no = opts.lenient ? ['false', 'no', '0'] : ['false'];
      return yes.includes(s) ? true : no.includes(s) ? false : undefined;
    }
    case 'integer': {
      const n = typeof v === 'number' || typeof v === 'bigint' ? Number(v) : String(v).trim() === '' ? NaN : Number(v);
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case 'float': {
      const n = typeof v === 'number' || typeof v === 'bigint' ? Number(v) : String(v).trim() === '' ? NaN : Number(v);
      return Number.isFinite(n) ? n : undefined;
    }
  }
}

/** Why a value does not fit the column; `what` starts the sentence ("The default", "The label"). */
function misfit(spec: LabelSpec, d: string | number | boolean, what: string): string {
  const shown = String(d).slice(0, 80);
  switch (spec.type) {
    case 'category':
      return `${what} "${shown}" is not one of the categories (${(spec.categories ?? []).join(', ')}).`;
    case 'text':
      return String(d).includes('\0') ? `${what} text cannot contain a NUL character.` : `${what} text is too long (1,000 characters at most).`;
    case 'boolean':
      return `${what} of a yes/no column is true or false.`;
    case 'integer':
      return `${what} "${shown}" is not a whole number.`;
    case 'float':
      return `${what} "${shown}" is not a finite number.`;
  }
}

/** A value for a label column as a SQL literal, checked strictly (a label or a default, not a file cell). */
export function labelLiteral(spec: LabelSpec, d: string | number | boolean, what: string): string {
  const v = coerceLabelValue(spec, d, { lenient: false });
  if (v === undefined || v === null) throw failure('INVALID_PAYLOAD', misfit(spec, d, what));
  return typeof v === 'string' ? quoteString(v) : String(v);
}
