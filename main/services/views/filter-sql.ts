// Filters -> a Lance SQL `where` string. LanceDB's where() takes a string with no parameter binding
// ("key = 1 OR 1=1" returns every row), so every value is quoted and every column name escaped here,
// and a person's raw expression is checked before it runs.
import { failure } from '../support/errors';
import { checkSqlExpression } from './sql-expression';
import type { ColumnInfo, FilterCondition, FilterSpec } from '../../../shared/types';

/** Column names go in backticks (names such as NSFW or LICENSE are case-sensitive). */
export function quoteIdent(name: string): string {
  if (name.includes('`')) {
    throw failure('INVALID_PAYLOAD', `The column name ${JSON.stringify(name)} contains a backtick and cannot be used in a filter.`);
  }
  return `\`${name}\``;
}

export function quoteString(value: string): string {
  if (value.includes('\0')) throw failure('INVALID_PAYLOAD', 'A filter value cannot contain a NUL character.');
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * `key IN (…)` over the dataset's key column, for key values given as text (as they come from cells,
 * files and maps): whole numbers checked and unquoted for an integer key, text quoted.
 */
export function keyIn(info: { columns: ColumnInfo[]; keyColumn: string | null }, keys: string[]): string {
  const column = info.columns.find((c) => c.name === info.keyColumn);
  if (!column) throw failure('UNSUPPORTED', 'This dataset has no key column to find rows by.');
  const literals = keys.map((k) => {
    if (column.kind !== 'int') return quoteString(k);
    if (!/^-?\d{1,20}$/.test(k)) throw failure('INVALID_PAYLOAD', `"${k.slice(0, 40)}" is not a key of this dataset (${column.name} holds whole numbers).`);
    return k;
  });
  return `${quoteIdent(column.name)} IN (${literals.join(',')})`;
}

function quoteNumber(value: unknown, column: string): string {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw failure('INVALID_PAYLOAD', `The value for ${column} must be a finite number (got ${JSON.stringify(value)}).`);
  }
  return String(n);
}

function literal(col: ColumnInfo, value: unknown): string {
  if (col.kind === 'int' || col.kind === 'float') return quoteNumber(value, col.name);
  if (col.kind === 'bool') {
    if (typeof value !== 'boolean') throw failure('INVALID_PAYLOAD', `The value for ${col.name} must be true or false.`);
    return value ? 'true' : 'false';
  }
  if (col.kind === 'string') return quoteString(String(value));
  throw failure('INVALID_PAYLOAD', `Column ${col.name} (${col.type}) cannot be filtered by value.`);
}

const OPS_BY_KIND: Record<string, FilterCondition['op'][]> = {
  int: ['eq', 'neq', 'in', 'between', 'gte', 'lte', 'isNull', 'notNull'],
  float: ['eq', 'neq', 'between', 'gte', 'lte', 'isNull', 'notNull'],
  string: ['eq', 'neq', 'in', 'contains', 'isNull', 'notNull'],
  bool: ['eq', 'neq', 'isNull', 'notNull'],
  timestamp: ['isNull', 'notNull'],
};

export function conditionSql(c: FilterCondition, columns: ColumnInfo[]): string {
  const col = columns.find((x) => x.name === c.column);
  if (!col) throw failure('INVALID_PAYLOAD', `There is no column "${c.column}" in this dataset.`);
  const allowed = OPS_BY_KIND[col.kind] ?? ['isNull', 'notNull'];
  if (!allowed.includes(c.op)) {
    throw failure('INVALID_PAYLOAD', `"${c.op}" does not apply to ${col.name} (${col.kind}); use ${allowed.join(', ')}.`);
  }
  const id = quoteIdent(col.name);
  switch (c.op) {
    case 'eq':
      return `${id} = ${literal(col, c.value)}`;
    case 'neq':
      return `${id} <> ${literal(col, c.value)}`;
    case 'gte':
      return `${id} >= ${literal(col, c.value)}`;
    case 'lte':
      return `${id} <= ${literal(col, c.value)}`;
    case 'between': {
      if (c.min === undefined && c.max === undefined) throw failure('INVALID_PAYLOAD', `Give ${col.name} a minimum, a maximum or both.`);
      const parts: string[] = [];
      if (c.min !== undefined) parts.push(`${id} >= ${quoteNumber(c.min, col.name)}`);
      if (c.max !== undefined) parts.push(`${id} <= ${quoteNumber(c.max, col.name)}`);
      if (c.min !== undefined && c.max !== undefined && c.min > c.max) {
        throw failure('INVALID_PAYLOAD', `The range for ${col.name} is empty: ${c.min} is above ${c.max}.`);
      }
      return parts.join(' AND ');
    }
    case 'in': {
      const values = c.values ?? [];
      if (!values.length) throw failure('INVALID_PAYLOAD', `Choose at least one value of ${col.name}.`);
      return `${id} IN (${values.map((v) => literal(col, v)).join(', ')})`;
    }
    case 'contains': {
      const text = String(c.value ?? '');
      if (!text) throw failure('INVALID_PAYLOAD', `Type the text ${col.name} should contain.`);
      // strpos, not LIKE: no wildcard characters to escape, and case-insensitive through lower().
      return `strpos(lower(${id}), ${quoteString(text.toLowerCase())}) > 0`;
    }
    case 'isNull':
      return `${id} IS NULL`;
    case 'notNull':
      return `${id} IS NOT NULL`;
  }
}

/** Reasons to refuse a raw expression before LanceDB sees it (it is checked again by planning it). */
export function rawSqlProblem(sql: string): string | null {
  if (sql.includes(';')) return 'A filter is one expression: remove the ";".';
  if (/--|\/\*/.test(sql)) return 'Comments are not allowed in a filter expression.';
  if (sql.includes('\0')) return 'The expression contains a NUL character.';
  let depth = 0;
  let quote = false;
  let name = false; // inside `a column name`, where quotes and brackets are plain characters
  for (const ch of sql) {
    if (ch === '`' && !quote) name = !name;
    else if (name) continue;
    else if (ch === "'") quote = !quote;
    else if (!quote && ch === '(') depth++;
    else if (!quote && ch === ')' && --depth < 0) return 'A ")" has no matching "(".';
  }
  if (quote) return 'A quoted string is not closed (a \' is missing).';
  if (depth > 0) return 'A "(" is not closed.';
  return null;
}

/** The full where clause for a filter, or null when it filters nothing. */
export function filterSql(filter: FilterSpec | undefined, columns: ColumnInfo[]): string | null {
  if (!filter) return null;
  const parts = filter.conditions.map((c) => `(${conditionSql(c, columns)})`);
  const raw = filter.sql?.trim();
  if (raw) {
    const problem = rawSqlProblem(raw);
    if (problem) throw failure('INVALID_PAYLOAD', `The SQL filter is not valid: ${problem}`);
    let checked: string;
    try {
      checked = checkSqlExpression(raw);
    } catch (err) {
      throw failure('INVALID_PAYLOAD', `The SQL filter is not valid: ${(err as Error).message}`);
    }
    parts.push(`(${checked})`);
  }
  return parts.length ? parts.join(' AND ') : null;
}
