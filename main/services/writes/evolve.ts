// Evolve the schema: add a label column through a form. The column's type and categories are kept in
// the field's metadata, so any copy of the dataset knows them. Adding a column writes only that
// column (nothing existing is rewritten) and commits a new version.
import { arrow } from '../dataset/lance';
import { failure, errorText } from '../support/errors';
import { commitWrite, firstLine, type Committed } from './commit';
import { LABEL_METADATA_KEY } from '../dataset/cells';
import { laionSchema } from '../dataset/laion-schema';
import { labelLiteral } from './label-values';
import type { DatasetService } from '../dataset/dataset-service';
import type { LabelSpec, LabelType } from '../../../shared/types';
import { UNSAFE_NAMES } from '../support/names';
import { checkSqlExpression } from '../views/sql-expression';

export interface NewLabelColumn {
  name: string;
  type: LabelType;
  categories?: string[];
  defaultValue?: string | number | boolean | null;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED = new Set(['_rowid', '_rowaddr', '_distance', '_score', '_relevance_score', 'key']);
const MAX_CATEGORIES = 50;

export function arrowType(type: LabelType) {
  switch (type) {
    case 'boolean':
      return { type: new arrow.Bool(), sql: 'BOOLEAN' };
    case 'integer':
      return { type: new arrow.Int64(), sql: 'BIGINT' };
    case 'float':
      return { type: new arrow.Float64(), sql: 'DOUBLE' };
    default:
      return { type: new arrow.Utf8(), sql: 'STRING' };
  }
}

/** Check the form; returns the spec to store and the default as a SQL literal (or null). */
export function checkLabelColumn(existing: string[], req: NewLabelColumn): { spec: LabelSpec; literal: string | null } {
  const name = req.name;
  if (!NAME.test(name)) {
    throw failure('INVALID_PAYLOAD', `"${name.slice(0, 80)}" cannot be a column name: use letters, digits and "_", starting with a letter or "_" (64 at most).`);
  }
  if (RESERVED.has(name.toLowerCase()) || UNSAFE_NAMES.has(name)) throw failure('INVALID_PAYLOAD', `"${name}" is reserved; choose another name.`);
  if (existing.some((c) => c.toLowerCase() === name.toLowerCase())) throw failure('INVALID_PAYLOAD', `There is already a column named "${existing.find((c) => c.toLowerCase() === name.toLowerCase())}".`);
  const spec: LabelSpec = { type: req.type };
  if (req.type === 'category') {
    const cats = (req.categories ?? []).map((c) => c.trim());
    if (cats.length === 0) throw failure('INVALID_PAYLOAD', 'A category column needs at least one allowed value.');
    if (cats.length > MAX_CATEGORIES) throw failure('INVALID_PAYLOAD', `At most ${MAX_CATEGORIES} categories.`);
    for (const c of cats) {
      if (!c || c.length > 64 || /[\u0000-\u001f\u007f]/.test(c)) throw failure('INVALID_PAYLOAD', `"${c.slice(0, 80)}" cannot be a category: 1-64 printable characters.`);
    }
    const dup = cats.find((c, i) => cats.indexOf(c) !== i);
    if (dup) throw failure('INVALID_PAYLOAD', `The category "${dup}" is listed twice.`);
    spec.categories = cats;
  } else if (req.categories?.length) {
    throw failure('INVALID_PAYLOAD', 'Only category columns have a list of allowed values.');
  }
  const d = req.defaultValue;
  if (d === null || d === undefined || d === '') return { spec, literal: null };
  return { spec, literal: labelLiteral(spec, d, 'The default') };
}

/** A derived column's expression: one SQL expression over existing columns, never a statement. */
function checkExpression(expr: string): string {
  const e = expr.trim();
  if (!e) throw failure('INVALID_PAYLOAD', 'Write an expression, e.g. CAST(width AS DOUBLE) / CAST(height AS DOUBLE).');
  if (e.length > 2000) throw failure('INVALID_PAYLOAD', 'The expression is too long (2,000 characters at most).');
  if (/;|--|\/\*/.test(e)) throw failure('INVALID_PAYLOAD', 'The expression cannot contain ";" or comments: it is one expression over the columns, not a statement.');
  // The same allow-list as raw filters: over 1M rows, repeat() or lpad() would be a memory bomb.
  try {
    return checkSqlExpression(e);
  } catch (err) {
    throw failure('INVALID_PAYLOAD', `The expression is not valid: ${(err as Error).message}`);
  }
}

function cellOf(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  return String(v);
}

/** The first values the expression gives, and their type, before anything is committed. */
export async function previewDerived(datasets: DatasetService, datasetId: string, name: string, expression: string): Promise<{ type: string; values: Array<string | number | boolean | null> }> {
  const ds = datasets.get(datasetId);
  checkLabelColumn(ds.info.columns.map((c) => c.name), { name, type: 'text' });
  const expr = checkExpression(expression);
  try {
    const t = await ds.table.query().select({ [name]: expr }).limit(8).toArrow();
    const col = t.getChild(name);
    return { type: String(t.schema.fields[0]?.type ?? 'unknown'), values: Array.from({ length: t.numRows }, (_, i) => cellOf(col?.get(i))) };
  } catch (err) {
    const first = errorText(err).split('\n')[0]!.replace(/^.*?(Error during planning|Schema error|SQL error|Invalid|No field)/i, '$1').slice(0, 300);
    throw failure('INVALID_PAYLOAD', `The expression does not work on this table: ${first}`, errorText(err));
  }
}

/** Commit a derived column: computed once from the expression, for every row, as a new version. */
export async function addDerivedColumn(datasets: DatasetService, datasetId: string, name: string, expression: string): Promise<Committed> {
  datasets.writable(datasetId);
  await previewDerived(datasets, datasetId, name, expression); // the same checks, and a dry run
  return commitWrite(
    datasets,
    datasetId,
    {
      what: 'The column could not be added',
      note: `derived column ${name} = ${expression.trim().slice(0, 200)}`,
      otherwise: (text) => failure('INVALID_PAYLOAD', `The column "${name}" could not be computed: ${firstLine(text)}`, text),
    },
    (ds) => ds.table.addColumns([{ name, valueSql: checkExpression(expression) }]),
  );
}

export async function addLabelColumn(datasets: DatasetService, datasetId: string, req: NewLabelColumn): Promise<Committed> {
  const ds = datasets.writable(datasetId);
  const { spec, literal } = checkLabelColumn(
    ds.info.columns.map((c) => c.name),
    req,
  );
  const { type, sql } = arrowType(req.type);
  const metadata = { [LABEL_METADATA_KEY]: JSON.stringify(spec) };
  const done = await commitWrite(
    datasets,
    datasetId,
    {
      what: 'The column could not be added',
      note: `added label column ${req.name} (${spec.type}${spec.categories ? `: ${spec.categories.join(', ')}` : ''}${literal !== null ? `, default ${literal}` : ''})`,
      otherwise: (text) => failure('INTERNAL', `The column "${req.name}" could not be added.`, text),
    },
    async () => {
      if (literal === null) {
        // An all-null column: LanceDB records it in the schema, no data is written.
        await ds.table.addColumns(new arrow.Field(req.name, type, true, new Map(Object.entries(metadata))));
      } else {
        // A default has to be written; the label's description follows as a metadata-only version.
        await ds.table.addColumns([{ name: req.name, valueSql: `CAST(${literal} AS ${sql})` }]);
        await ds.table.updateFieldMetadata([{ path: req.name, metadata }]);
      }
    },
  );
  datasets.rows.readAhead(datasetId); // labelling comes next
  return done;
}

/** The original LAION columns: renaming or dropping one breaks tools that expect the schema. */
const PROTECTED = new Set(laionSchema().fields.map((f) => f.name));

/**
 * A top-level column as a Lance field path: Lance splits paths at dots and reads backticks as quotes,
 * so such names go in backticks with inner backticks doubled (a backtick name can only be renamed so).
 */
export const fieldPath = (name: string): string => (/[.`]/.test(name) ? `\`${name.replace(/`/g, '``')}\`` : name);

function checkExisting(datasets: DatasetService, datasetId: string, column: string, insist: boolean, what: string) {
  const ds = datasets.writable(datasetId);
  const names = ds.info.columns.map((c) => c.name);
  if (!names.includes(column)) throw failure('NOT_FOUND', `There is no column "${column.slice(0, 80)}".`);
  if (PROTECTED.has(column) && !insist) {
    throw failure('FORBIDDEN', `"${column}" is one of the original LAION columns; ${what} it breaks tools that expect that schema. Tick "I am sure" to do it anyway.`);
  }
  if (column === ds.info.keyColumn && !insist) throw failure('FORBIDDEN', `"${column}" is the key that labels and manifests use. Tick "I am sure" to do it anyway.`);
  return { ds, names };
}

export async function renameColumn(datasets: DatasetService, datasetId: string, from: string, to: string, insist: boolean): Promise<Committed> {
  const { ds, names } = checkExisting(datasets, datasetId, from, insist, 'renaming');
  checkLabelColumn(names.filter((n) => n !== from), { name: to, type: 'text' });
  return commitWrite(
    datasets,
    datasetId,
    { what: `"${from}" could not be renamed`, note: `renamed column ${from} to ${to}`, otherwise: (text) => failure('INVALID_PAYLOAD', `"${from}" could not be renamed: ${firstLine(text)}`, text) },
    () => ds.table.alterColumns([{ path: fieldPath(from), rename: to }]),
  );
}

/** Drop a column: a metadata-only change in Lance (the data stays in older versions). */
export async function dropColumn(datasets: DatasetService, datasetId: string, column: string, insist: boolean): Promise<Committed> {
  const { ds, names } = checkExisting(datasets, datasetId, column, insist, 'dropping');
  if (names.length === 1) throw failure('INVALID_PAYLOAD', 'A table needs at least one column.');
  return commitWrite(
    datasets,
    datasetId,
    { what: `"${column}" could not be dropped`, note: `dropped column ${column}`, otherwise: (text) => failure('INVALID_PAYLOAD', `"${column}" could not be dropped: ${firstLine(text)}`, text) },
    () => ds.table.dropColumns([fieldPath(column)]),
  );
}
