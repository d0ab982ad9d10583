import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lancedb from '@lancedb/lancedb';
import { ALLOWED_FUNCTIONS, CAST_TYPES, checkSqlExpression } from './sql-expression';
import { tempDir } from '../../test-support/fixtures';

const check = (sql: string) => checkSqlExpression(sql);
const refusal = (sql: string): string => {
  try {
    checkSqlExpression(sql);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${sql} was accepted`);
};

describe('raw SQL expressions', () => {
  it('writes a plain expression out as it was written', () => {
    expect(check('width >= 16 AND key < 100000100')).toBe('width >= 16 AND key < 100000100');
    expect(check("caption LIKE '%dog%' or NSFW = 'UNLIKELY'")).toBe("caption LIKE '%dog%' OR NSFW = 'UNLIKELY'");
    expect(check('not (width > 1)')).toBe('NOT (width > 1)');
    expect(check('width NOT BETWEEN 1 AND 5 AND height not in (1, 2)')).toBe('width NOT BETWEEN 1 AND 5 AND height NOT IN (1, 2)');
    expect(check("lower(caption) ILIKE 'a%' AND url IS NOT NULL")).toBe("lower(caption) ILIKE 'a%' AND url IS NOT NULL");
    expect(check('CAST(width AS DOUBLE) / CAST(height AS double)')).toBe('CAST(width AS DOUBLE) / CAST(height AS DOUBLE)');
    expect(check("caption = 'it''s'")).toBe("caption = 'it''s'");
    expect(check('- -width < 0')).toBe('- -width < 0');
    expect(check('meta.width > 3')).toBe('meta.width > 3');
  });

  it('keeps precedence: what LanceDB runs groups the same way the person wrote it', () => {
    expect(check('a = 1 OR b = 2 AND c = 3')).toBe('a = 1 OR b = 2 AND c = 3');
    expect(check('(a = 1 OR b = 2) AND c = 3')).toBe('(a = 1 OR b = 2) AND c = 3');
    expect(check('a - (b - c) > 0')).toBe('a - (b - c) > 0');
    expect(check("caption || 'x' = 'ax'")).toBe("(caption || 'x') = 'ax'");
  });

  it('puts odd column names in backticks, and keeps backticked ones', () => {
    expect(check('`Sp ace` = 1')).toBe('`Sp ace` = 1');
    expect(check("`q'uote` > 1")).toBe("`q'uote` > 1");
    expect(check('`é名` = true')).toBe('`é名` = TRUE');
    expect(check('`and` = 1')).toBe('`and` = 1');
  });

  it('refuses what LanceDB planner panics on, before it sees it', () => {
    for (const sql of ['caption = $1', 'width > ?', 'caption = :x', "caption = N'x'", "b = B'01'", "b = X'ff'", "c = E'\\n'", 'x = @v']) {
      expect(refusal(sql), sql).toMatch(/not supported|Parameters/);
    }
  });

  it('refuses functions outside the allow-list, by name', () => {
    expect(refusal('length(repeat(caption, 150000)) > 0')).toMatch(/repeat\(\) is not allowed/);
    expect(refusal("lpad(caption, 100000000, 'x') = 'a'")).toMatch(/lpad\(\) is not allowed/);
    expect(refusal('array_length(range(0, 1000000000)) > 0')).toMatch(/range\(\) is not allowed/);
    expect(refusal("replace(caption, 'a', 'bbbbbbbbbb') = ''")).toMatch(/replace\(\) is not allowed/);
    expect(refusal("CAST(width AS VARCHAR) = '1'")).toMatch(/CAST can convert to/);
    expect(refusal(`length(concat(${Array(40).fill('caption').join(', ')})) > 0`)).toMatch(/joins too many texts/);
    expect(refusal(`length(${Array(40).fill('caption').join(' || ')}) > 0`)).toMatch(/joins too many texts/);
    expect(check(`length(${Array(8).fill('caption').join(' || ')}) > 0`)).toContain('||');
  });

  it('refuses malformed input with where it went wrong', () => {
    expect(refusal("caption = 'unclosed")).toMatch(/not closed/);
    expect(refusal('(width > 1')).toMatch(/not closed/);
    expect(refusal('width > 1)')).toMatch(/no matching/);
    expect(refusal('width >> 1')).toMatch(/boolean expression/);
    expect(refusal('"caption" = 1')).toMatch(/backticks/);
    expect(refusal('width = 99999999999999999999')).toMatch(/too large/);
    expect(refusal('width = 1e999')).toMatch(/too large/);
    expect(refusal('width ==1')).toMatch(/not an operator/);
    expect(refusal('width IS 3')).toMatch(/NULL, TRUE or FALSE/);
    expect(refusal('AND = 1')).toMatch(/backticks/);
    expect(refusal('')).toMatch(/empty/);
    expect(refusal(`${'('.repeat(100)}1${')'.repeat(100)}`)).toMatch(/deeper/);
    expect(refusal('width > 1 width')).toMatch(/Unexpected text/);
    expect(refusal("caption = 'a\0b'")).toMatch(/NUL/);
    expect(refusal('width > 1 at character')).toMatch(/at character 11/);
  });
});

describe('every allowed function and cast type plans in Lance', () => {
  const tmp = tempDir();
  let table: lancedb.Table;
  beforeAll(async () => {
    const db = await lancedb.connect(tmp.dir);
    table = await db.createTable('t', [{ n: 1, x: 0.5, s: 'a b' }]);
  });
  afterAll(() => tmp.cleanup());

  const calls: Record<string, string> = {
    concat: "concat(s, 'x') = 'a'",
    strpos: "strpos(s, 'a') > 0",
    starts_with: "starts_with(s, 'a')",
    ends_with: "ends_with(s, 'a')",
    contains: "contains(s, 'a')",
    left: "left(s, 1) = 'a'",
    right: "right(s, 1) = 'a'",
    regexp_like: "regexp_like(s, 'a.')",
    regexp_match: "regexp_match(s, 'a.') IS NOT NULL",
    regexp_count: "regexp_count(s, 'a') > 0",
    power: 'power(n, 2) > 0',
    pow: 'pow(n, 2) > 0',
    greatest: 'greatest(n, 2) > 0',
    least: 'least(n, 2) > 0',
    coalesce: 'coalesce(n, 2) > 0',
    nullif: 'nullif(n, 2) > 0',
    log: 'log(n + 1) > 0',
    round: 'round(x) > 0',
    trunc: 'trunc(x) > 0',
    isnan: 'isnan(x)',
    iszero: 'iszero(n)',
    array_length: 'array_length(make_array(n)) > 0',
    cardinality: 'cardinality(make_array(n)) > 0',
    array_has: 'array_has(make_array(n), 1)',
    array_has_any: 'array_has_any(make_array(n), make_array(1))',
    array_has_all: 'array_has_all(make_array(n), make_array(1))',
    date_part: "date_part('year', now()) > 0",
    date_trunc: "date_trunc('day', now()) IS NOT NULL",
    now: 'now() IS NOT NULL',
  };
  const textFns = new Set(['lower', 'upper', 'initcap', 'length', 'char_length', 'character_length', 'octet_length', 'btrim', 'ltrim', 'rtrim', 'reverse']);
  for (const fn of ALLOWED_FUNCTIONS) {
    it(`${fn}()`, async () => {
      const sql = calls[fn] ?? (textFns.has(fn) ? `${fn}(s) IS NOT NULL` : `${fn}(x) IS NOT NULL`);
      // make_array is not itself allowed to a person; here it only builds a list to test the list functions on
      const checked = sql.includes('make_array') ? sql : check(sql);
      await expect(table.query().where(checked).limit(1).toArrow()).resolves.toBeDefined();
    });
  }
  for (const type of CAST_TYPES) {
    it(`CAST(… AS ${type})`, async () => {
      await expect(table.query().where(check(`TRY_CAST(${type === "DATE" ? "s" : "n"} AS ${type}) IS NOT NULL`)).limit(1).toArrow()).resolves.toBeDefined();
    });
  }
});
