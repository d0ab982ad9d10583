// "Copy as code": the Python (lancedb) and TypeScript (@lancedb/lancedb) that reproduce a view.
import type { DatasetInfo, ViewInfo } from '../../shared/types';

const py = (s: string) => JSON.stringify(s);

function parentDir(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i > 0 ? p.slice(0, i) : p;
}

export function pythonSnippet(ds: DatasetInfo, view: ViewInfo | null): string {
  const cols = [ds.keyColumn, ds.captionColumn].filter(Boolean) as string[];
  const lines = ['import lancedb', '', `db = lancedb.connect(${py(parentDir(ds.path))})`, `tbl = db.open_table(${py(ds.table)})`];
  const where = view?.where ? `.where(${py(view.where)})` : '';
  const spec = view?.spec;
  if (!spec || spec.kind === 'browse') {
    lines.push(`df = tbl.search()${where}.select(${JSON.stringify(cols)}).limit(${view?.count ?? ds.rowCount}).to_pandas()`);
    if (spec?.kind === 'browse' && spec.sort) lines.push(`df = df.sort_values(${py(spec.sort.column)}, ascending=${spec.sort.descending ? 'False' : 'True'})`);
  } else if (spec.kind === 'similar') {
    const key = view?.queryKey ?? '<key of the query row>';
    lines.push(
      `query = tbl.search().where(${py(`${ds.keyColumn ?? 'key'} = ${key}`)}).select([${py(spec.column)}]).limit(1).to_list()[0][${py(spec.column)}]`,
      `df = (tbl.search(query, vector_column_name=${py(spec.column)})`,
      `      .metric(${py(spec.metric)}).nprobes(${spec.nprobes}).refine_factor(${spec.refineFactor})${where}`,
      `      .limit(${spec.k + 1}).to_pandas())  # includes the query row itself`,
    );
  } else {
    lines.push(`df = tbl.search(${py(spec.text)}, query_type="fts", fts_columns=${py(spec.column)})${where}.limit(${spec.limit}).to_pandas()`);
  }
  return lines.join('\n');
}

export function typescriptSnippet(ds: DatasetInfo, view: ViewInfo | null): string {
  const cols = [ds.keyColumn, ds.captionColumn].filter(Boolean) as string[];
  const lines = [
    "import * as lancedb from '@lancedb/lancedb';",
    '',
    `const db = await lancedb.connect(${py(parentDir(ds.path))});`,
    `const tbl = await db.openTable(${py(ds.table)});`,
  ];
  const where = view?.where ? `.where(${py(view.where)})` : '';
  const spec = view?.spec;
  if (!spec || spec.kind === 'browse') {
    const order = spec?.kind === 'browse' && spec.sort ? `.orderBy({ columnName: ${py(spec.sort.column)}, ascending: ${!spec.sort.descending} })` : '';
    lines.push(`const rows = await tbl.query()${where}${order}.select(${JSON.stringify(cols)}).limit(${view?.count ?? ds.rowCount}).toArray();`);
  } else if (spec.kind === 'similar') {
    const key = view?.queryKey ?? '<key of the query row>';
    lines.push(
      `const [q] = await tbl.query().where(${py(`${ds.keyColumn ?? 'key'} = ${key}`)}).select([${py(spec.column)}]).limit(1).toArray();`,
      `const rows = await tbl.vectorSearch(Array.from(q[${py(spec.column)}])).column(${py(spec.column)})`,
      `  .distanceType(${py(spec.metric)}).nprobes(${spec.nprobes}).refineFactor(${spec.refineFactor})${where}`,
      `  .limit(${spec.k + 1}).toArray(); // includes the query row itself`,
    );
  } else {
    lines.push(`const rows = await tbl.query().fullTextSearch(${py(spec.text)}, { columns: ${py(spec.column)} })${where}.limit(${spec.limit}).toArray();`);
  }
  return lines.join('\n');
}
