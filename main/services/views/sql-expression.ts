// A person's raw SQL (a filter's `where`, a derived column's expression) is parsed here into a small
// tree and written out again, so LanceDB only ever sees constructs this file emits: columns, literals,
// the operators below and an allow-list of functions. That refuses, with a message pointing at the
// spot, what would otherwise reach LanceDB's planner and panic (`$1`, `?`, `:x`, N'x', B'01'), and
// functions whose output grows with an argument (`repeat`, `lpad`, `range`, …: 8 s and 2 GB for one
// filter over 500 rows). The list is in the README; a function missing from it is a one-line change.
import { failure } from '../support/errors';

/** Functions a filter or derived column may call (each checked to plan in Lance). Lower case. */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  // text
  'lower', 'upper', 'initcap', 'length', 'char_length', 'character_length', 'octet_length', 'strpos', 'starts_with',
  'ends_with', 'contains', 'left', 'right', 'btrim', 'ltrim', 'rtrim', 'concat', 'reverse', 'regexp_like',
  'regexp_match', 'regexp_count',
  // numbers
  'abs', 'round', 'trunc', 'sqrt', 'cbrt', 'exp', 'ln', 'log', 'log2', 'log10', 'power', 'pow', 'signum', 'greatest',
  'least', 'coalesce', 'nullif', 'isnan', 'iszero',
  // lists
  'array_length', 'cardinality', 'array_has', 'array_has_any', 'array_has_all',
  // dates
  'date_part', 'date_trunc', 'now',
]);

/** Types CAST and TRY_CAST may convert to (what Lance's SQL accepts). Upper case. */
export const CAST_TYPES: ReadonlySet<string> = new Set([
  'TINYINT', 'SMALLINT', 'INT', 'INTEGER', 'BIGINT', 'FLOAT', 'DOUBLE', 'STRING', 'BOOLEAN', 'DATE', 'TIMESTAMP',
]);

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'TRUE', 'FALSE', 'IN', 'BETWEEN', 'LIKE', 'ILIKE', 'CAST', 'TRY_CAST', 'AS', 'UNSIGNED']);
const MAX_DEPTH = 64;
/** Texts joined by || and concat(): each join can repeat a column's bytes once more per row. */
const MAX_JOINS = 32;
const MAX_INT = 2n ** 63n;

type Token =
  | { t: 'num'; text: string; at: number }
  | { t: 'str'; value: string; at: number }
  | { t: 'ident'; name: string; quoted: boolean; at: number }
  | { t: 'op'; op: string; at: number }
  | { t: 'end'; at: number };

const OPERATORS = ['<=', '>=', '<>', '!=', '||', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ',', '.'];

function refuse(sql: string, at: number, why: string): never {
  const near = sql.slice(at, at + 20).split('\n')[0];
  throw failure('INVALID_PAYLOAD', `${why} (at character ${at + 1}${near ? `: "${near}"` : ''}).`);
}

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const at = i;
    if (ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) refuse(sql, at, "A quoted string is not closed (a ' is missing)");
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql[i];
        i++;
      }
      out.push({ t: 'str', value, at });
      continue;
    }
    if (ch === '`') {
      const close = sql.indexOf('`', i + 1);
      if (close < 0) refuse(sql, at, 'A `quoted` column name is not closed');
      const name = sql.slice(i + 1, close);
      if (!name) refuse(sql, at, 'A `quoted` column name is empty');
      out.push({ t: 'ident', name, quoted: true, at });
      i = close + 1;
      continue;
    }
    if (ch === '"') refuse(sql, at, "Use `backticks` around column names and 'single quotes' around text");
    const num = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i));
    if (num) {
      const text = num[0];
      if (/[A-Za-z_]/.test(sql[i + text.length] ?? '')) refuse(sql, at, 'A number runs into letters');
      if (!Number.isFinite(Number(text))) refuse(sql, at, 'The number is too large');
      if (/^\d+$/.test(text) && BigInt(text) >= MAX_INT) refuse(sql, at, 'The whole number is too large (64-bit at most)');
      out.push({ t: 'num', text, at });
      i += text.length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
    if (word) {
      i += word[0].length;
      // N'x', B'01', X'ff', E'\n' and friends: string prefixes LanceDB's planner does not implement.
      if (sql[i] === "'") refuse(sql, at, `Prefixed strings such as ${word[0]}'…' are not supported: write a plain 'text'`);
      out.push({ t: 'ident', name: word[0], quoted: false, at });
      continue;
    }
    const odd = /^(?:>>|<<|::|->|=>|==|[&|^~!\[\]{}#])/.exec(sql.slice(i));
    if (odd && !sql.startsWith('||', i) && !sql.startsWith('!=', i)) {
      refuse(sql, at, `"${odd[0]}" is not an operator here: a filter is a boolean expression of comparisons (=, <>, <, <=, >, >=), AND, OR, NOT, IN, BETWEEN, LIKE, IS NULL and arithmetic (+ - * / %)`);
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (op) {
      out.push({ t: 'op', op, at });
      i += op.length;
      continue;
    }
    if (ch === '$' || ch === '?' || ch === ':' || ch === '@') refuse(sql, at, 'Parameters ($1, ?, :name) are not supported: write the value itself');
    if (ch === ';') refuse(sql, at, 'A filter is one expression: remove the ";"');
    refuse(sql, at, `"${ch}" is not part of a filter expression`);
  }
  out.push({ t: 'end', at: sql.length });
  return out;
}

/** The tree, kept only as far as writing it out needs: each node is its emitted text and its precedence. */
interface Node {
  sql: string;
  /** 0 OR, 1 AND, 2 NOT, 3 comparison/IS/IN/BETWEEN/LIKE, 4 ||, 5 + -, 6 * / %, 7 unary minus, 8 primary. */
  prec: number;
}

const quoteName = (name: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name.toUpperCase()) ? name : `\`${name}\``);

class Parser {
  private pos = 0;
  private depth = 0;
  private joins = 0;
  private join(at: number): void {
    if (++this.joins > MAX_JOINS) refuse(this.sql, at, `The expression joins too many texts (${MAX_JOINS} at most)`);
  }
  constructor(
    private readonly sql: string,
    private readonly tokens: Token[],
  ) {}

  private get tok(): Token {
    return this.tokens[this.pos] as Token;
  }
  private atEnd(): boolean {
    return this.tok.t === 'end';
  }
  private isOp(op: string): boolean {
    const t = this.tok;
    return t.t === 'op' && t.op === op;
  }
  private isWord(word: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return !!t && t.t === 'ident' && !t.quoted && t.name.toUpperCase() === word;
  }
  private expectOp(op: string, what: string): void {
    if (!this.isOp(op)) refuse(this.sql, this.tok.at, `Expected "${op}" ${what}`);
    this.pos++;
  }
  private wrap(n: Node, min: number): string {
    return n.prec < min ? `(${n.sql})` : n.sql;
  }
  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) refuse(this.sql, this.tok.at, `The expression nests deeper than ${MAX_DEPTH} levels`);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  parse(): string {
    if (this.atEnd()) refuse(this.sql, 0, 'The expression is empty');
    const n = this.or();
    if (!this.atEnd()) refuse(this.sql, this.tok.at, this.isOp(')') ? 'A ")" has no matching "("' : 'Unexpected text after the expression');
    return n.sql;
  }

  private or(): Node {
    let left = this.and();
    while (this.isWord('OR')) {
      this.pos++;
      const right = this.and();
      left = { sql: `${this.wrap(left, 0)} OR ${this.wrap(right, 1)}`, prec: 0 };
    }
    return left;
  }
  private and(): Node {
    let left = this.not();
    while (this.isWord('AND')) {
      this.pos++;
      const right = this.not();
      left = { sql: `${this.wrap(left, 1)} AND ${this.wrap(right, 2)}`, prec: 1 };
    }
    return left;
  }
  private not(): Node {
    if (this.isWord('NOT')) {
      this.pos++;
      const inner = this.nested(() => this.not());
      return { sql: `NOT ${this.wrap(inner, 2)}`, prec: 2 };
    }
    return this.predicate();
  }
  private predicate(): Node {
    const left = this.concat();
    const l = this.wrap(left, 4);
    const t = this.tok;
    if (t.t === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.op)) {
      this.pos++;
      return { sql: `${l} ${t.op} ${this.wrap(this.concat(), 4)}`, prec: 3 };
    }
    if (this.isWord('IS')) {
      this.pos++;
      const not = this.isWord('NOT') ? (this.pos++, ' NOT') : '';
      const what = this.tok.t === 'ident' && !this.tok.quoted ? this.tok.name.toUpperCase() : '';
      if (!['NULL', 'TRUE', 'FALSE'].includes(what)) refuse(this.sql, this.tok.at, 'Expected NULL, TRUE or FALSE after IS');
      this.pos++;
      return { sql: `${l} IS${not} ${what}`, prec: 3 };
    }
    const negated = this.isWord('NOT') && (this.isWord('IN', 1) || this.isWord('BETWEEN', 1) || this.isWord('LIKE', 1) || this.isWord('ILIKE', 1));
    if (negated) this.pos++;
    const not = negated ? 'NOT ' : '';
    if (this.isWord('IN')) {
      this.pos++;
      this.expectOp('(', 'after IN');
      const items: string[] = [];
      do {
        if (items.length) this.pos++;
        items.push(this.nested(() => this.or()).sql);
      } while (this.isOp(','));
      this.expectOp(')', 'to close the IN list');
      return { sql: `${l} ${not}IN (${items.join(', ')})`, prec: 3 };
    }
    if (this.isWord('BETWEEN')) {
      this.pos++;
      const low = this.wrap(this.concat(), 4);
      if (!this.isWord('AND')) refuse(this.sql, this.tok.at, 'Expected AND in BETWEEN … AND …');
      this.pos++;
      const high = this.wrap(this.concat(), 4);
      return { sql: `${l} ${not}BETWEEN ${low} AND ${high}`, prec: 3 };
    }
    if (this.isWord('LIKE') || this.isWord('ILIKE')) {
      const op = (this.tok as { name: string }).name.toUpperCase();
      this.pos++;
      return { sql: `${l} ${not}${op} ${this.wrap(this.concat(), 4)}`, prec: 3 };
    }
    if (negated) refuse(this.sql, this.tok.at, 'Expected IN, BETWEEN or LIKE after NOT');
    return left;
  }
  private concat(): Node {
    let left = this.additive();
    while (this.isOp('||')) {
      this.join(this.tok.at);
      this.pos++;
      const right = this.additive();
      // Always in brackets: SQL dialects disagree on where || binds.
      left = { sql: `(${this.wrap(left, 5)} || ${this.wrap(right, 5)})`, prec: 8 };
    }
    return left;
  }
  /** One level of left-associative operators: `next (op next)*`. */
  private level(ops: string[], prec: number, next: () => Node): Node {
    let left = next();
    for (;;) {
      const t = this.tok;
      if (t.t !== 'op' || !ops.includes(t.op)) return left;
      this.pos++;
      const right = next();
      left = { sql: `${this.wrap(left, prec)} ${t.op} ${this.wrap(right, prec + 1)}`, prec };
    }
  }
  private additive(): Node {
    return this.level(['+', '-'], 5, () => this.multiplicative());
  }
  private multiplicative(): Node {
    return this.level(['*', '/', '%'], 6, () => this.unary());
  }
  private unary(): Node {
    if (this.isOp('-') || this.isOp('+')) {
      const op = (this.tok as { op: string }).op;
      this.pos++;
      const inner = this.nested(() => this.unary());
      // "- -1" and "--1": a space keeps two minus signs from reading as a comment.
      return { sql: `${op}${inner.sql.startsWith('-') || inner.sql.startsWith('+') ? ' ' : ''}${this.wrap(inner, 7)}`, prec: 7 };
    }
    return this.primary();
  }
  private primary(): Node {
    const t = this.tok;
    if (t.t === 'num') {
      this.pos++;
      return { sql: t.text, prec: 8 };
    }
    if (t.t === 'str') {
      this.pos++;
      if (t.value.includes('\0')) refuse(this.sql, t.at, 'Text in a filter cannot contain a NUL character');
      return { sql: `'${t.value.replace(/'/g, "''")}'`, prec: 8 };
    }
    if (t.t === 'op' && t.op === '(') {
      this.pos++;
      const inner = this.nested(() => this.or());
      if (!this.isOp(')')) refuse(this.sql, t.at, 'A "(" is not closed');
      this.pos++;
      return { sql: `(${inner.sql})`, prec: 8 };
    }
    if (t.t !== 'ident') refuse(this.sql, t.at, t.t === 'end' ? 'The expression ends too early' : `Unexpected "${(t as { op: string }).op}"`);
    const upper = t.name.toUpperCase();
    if (!t.quoted && ['NULL', 'TRUE', 'FALSE'].includes(upper)) {
      this.pos++;
      return { sql: upper, prec: 8 };
    }
    if (!t.quoted && (upper === 'CAST' || upper === 'TRY_CAST')) return this.cast(upper);
    const next = this.tokens[this.pos + 1];
    if (!t.quoted && next?.t === 'op' && next.op === '(') return this.call(t.name, t.at);
    if (!t.quoted && KEYWORDS.has(upper)) refuse(this.sql, t.at, `${upper} cannot stand here (a column named ${t.name} goes in \`backticks\`)`);
    // A column, or a field of a struct column (a.b).
    const parts = [quoteName(t.name)];
    this.pos++;
    while (this.isOp('.')) {
      this.pos++;
      const f = this.tok;
      if (f.t !== 'ident') refuse(this.sql, f.at, 'Expected a field name after "."');
      parts.push(quoteName(f.name));
      this.pos++;
    }
    return { sql: parts.join('.'), prec: 8 };
  }
  private call(name: string, at: number): Node {
    const fn = name.toLowerCase();
    if (!ALLOWED_FUNCTIONS.has(fn)) {
      refuse(this.sql, at, `The function ${name}() is not allowed in filters (see the README for the list)`);
    }
    this.pos += 2;
    const args: string[] = [];
    if (!this.isOp(')')) {
      do {
        if (args.length) this.pos++;
        if (fn === 'concat') this.join(this.tok.at);
        args.push(this.nested(() => this.or()).sql);
      } while (this.isOp(','));
    }
    this.expectOp(')', `to close ${fn}(`);
    return { sql: `${fn}(${args.join(', ')})`, prec: 8 };
  }
  private cast(kind: string): Node {
    this.pos++;
    this.expectOp('(', `after ${kind}`);
    const inner = this.nested(() => this.or());
    if (!this.isWord('AS')) refuse(this.sql, this.tok.at, `Expected AS in ${kind}(… AS type)`);
    this.pos++;
    const ty = this.tok;
    const type = ty.t === 'ident' && !ty.quoted ? ty.name.toUpperCase() : '';
    if (!CAST_TYPES.has(type)) refuse(this.sql, ty.at, `${kind} can convert to ${[...CAST_TYPES].join(', ')}`);
    this.pos++;
    const unsigned = this.isWord('UNSIGNED') && /INT/.test(type) ? (this.pos++, ' UNSIGNED') : '';
    this.expectOp(')', `to close ${kind}(`);
    return { sql: `${kind}(${inner.sql} AS ${type}${unsigned})`, prec: 8 };
  }
}

/**
 * Check a raw expression and return the text LanceDB will run: the same expression, written out from
 * its parsed form (keywords in capitals, single spaces, odd column names in backticks).
 */
export function checkSqlExpression(sql: string): string {
  return new Parser(sql, tokenize(sql)).parse();
}
