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
  } else if (spec.kind === 'meaning') {
    const unit = spec.metric === 'cosine' ? ' / np.linalg.norm(v, axis=1, keepdims=True)' : '';
    lines.splice(0, 1, 'import lancedb', 'import numpy as np');
    lines.push(
      `# By captions (no text model): the mean ${spec.column} of the rows whose ${spec.captionColumn} best match the words`,
      `hits = tbl.search(${py(spec.text)}, query_type="fts", fts_columns=${py(spec.captionColumn)})${where}.select([${py(spec.column)}]).limit(${spec.hits}).to_list()`,
      `v = np.stack([h[${py(spec.column)}] for h in hits])`,
      `query = (v${unit}).mean(0)`,
      `df = (tbl.search(query, vector_column_name=${py(spec.column)})`,
      `      .metric(${py(spec.metric)}).nprobes(${spec.nprobes}).refine_factor(${spec.refineFactor})${where}`,
      `      .limit(${spec.k}).to_pandas())`,
    );
  } else if (spec.kind === 'similar' && (spec.alsoLike?.length || spec.unlike?.length)) {
    const { liked, unliked, keyCol } = exampleKeys(ds, view, spec);
    const unit = spec.metric === 'cosine' ? ' / np.linalg.norm(v, axis=1, keepdims=True)' : '';
    lines.splice(0, 1, 'import lancedb', 'import numpy as np');
    lines.push(
      `like, away = [${liked.join(', ')}], [${unliked.join(', ')}]  # ${keyCol} of the examples`,
      `def vectors(keys):`,
      `    rows = tbl.search().where(f"${keyCol} IN ({', '.join(map(repr, keys))})").select([${py(spec.column)}]).limit(len(keys)).to_list()`,
      `    v = np.stack([r[${py(spec.column)}] for r in rows])`,
      `    return v${unit}`,
      `query = vectors(like).mean(0)${unliked.length ? ' - 0.5 * vectors(away).mean(0)  # more like these, less like those' : '  # more like these'}`,
      `df = (tbl.search(query, vector_column_name=${py(spec.column)})`,
      `      .metric(${py(spec.metric)}).nprobes(${spec.nprobes}).refine_factor(${spec.refineFactor})${where}`,
      `      .limit(${spec.k + liked.length + unliked.length}).to_pandas())  # drop the examples themselves from df`,
    );
  } else if (spec.kind === 'similar') {
    const key = view?.queryKey ?? '<key of the query row>';
    lines.push(
      `query = tbl.search().where(${py(`${ds.keyColumn ?? 'key'} = ${key}`)}).select([${py(spec.column)}]).limit(1).to_list()[0][${py(spec.column)}]`,
      `df = (tbl.search(query, vector_column_name=${py(spec.column)})`,
      `      .metric(${py(spec.metric)}).nprobes(${spec.nprobes}).refine_factor(${spec.refineFactor})${where}`,
      `      .limit(${spec.k + 1}).to_pandas())  # includes the query row itself`,
    );
  } else if (spec.kind === 'encoded') {
    const space = view?.model?.space ?? 'openai/clip-vit-large-patch14';
    lines.push(
      `# ${spec.column} is in ${space}'s space: encode the query with the same model, unit length`,
      'from transformers import CLIPModel, CLIPProcessor',
      `model = CLIPModel.from_pretrained(${py(space)})`,
      `processor = CLIPProcessor.from_pretrained(${py(space)})`,
      spec.text !== undefined
        ? `q = model.get_text_features(**processor(text=[${py(spec.text)}], return_tensors="pt", padding=True))[0]`
        : `from PIL import Image\nq = model.get_image_features(**processor(images=Image.open(${py(spec.imageName ?? 'query.jpg')}), return_tensors="pt"))[0]`,
      'query = (q / q.norm()).tolist()',
      `df = (tbl.search(query, vector_column_name=${py(spec.column)})`,
      `      .metric(${py(spec.metric)}).nprobes(${spec.nprobes}).refine_factor(${spec.refineFactor})${where}`,
      `      .limit(${spec.k}).to_pandas())`,
    );
  } else if (spec.kind === 'duplicates' && spec.near !== undefined) {
    lines.push(
      'import numpy as np, networkx as nx',
      `df = tbl.search()${where}.select([${[ds.keyColumn, spec.column].filter(Boolean).map((c) => py(c as string)).join(', ')}]).limit(None).to_pandas()`,
      `X = np.stack(df[${py(spec.column)}].to_numpy()).astype(np.float32)`,
      'X /= np.linalg.norm(X, axis=1, keepdims=True)',
      `# near duplicates: rows joined when their cosine similarity is >= ${spec.near}, grouped as connected components`,
      '# (every pair, block by block: the app compares each row with its cluster and the cluster\'s border instead)',
      'g = nx.Graph()',
      'for i in range(0, len(X), 4096):',
      `    a, b = np.nonzero(X[i:i + 4096] @ X.T >= ${spec.near})`,
      '    g.add_edges_from((i + x, y) for x, y in zip(a, b) if i + x < y)',
      'groups = sorted((sorted(c) for c in nx.connected_components(g)), key=len, reverse=True)',
    );
  } else if (spec.kind === 'duplicates') {
    lines.push(
      `df = tbl.search()${where}.select([${[ds.keyColumn, spec.column].filter(Boolean).map((c) => py(c as string)).join(', ')}]).with_row_id(True).limit(None).to_pandas()`,
      `# exact duplicates: rows sharing ${spec.column}, largest groups first (the app hashes the bytes)`,
      `size = df.groupby(${py(spec.column)})[${py(spec.column)}].transform("size")`,
      `df = df[size > 1].assign(copies=size[size > 1]).sort_values(["copies", ${py(spec.column)}], ascending=[False, True])`,
    );
  } else if (spec.kind === 'region') {
    lines.push(
      'from matplotlib.path import Path',
      `region = Path(${JSON.stringify(spec.polygon.map(([x, y]) => [+x.toPrecision(6), +y.toPrecision(6)]))})`,
      `df = tbl.search()${where}.select([${[ds.keyColumn, 'map_x', 'map_y'].filter(Boolean).map((c) => py(c as string)).join(', ')}]).limit(None).to_pandas()`,
      '# the rows inside the region drawn on the map',
      'df = df[region.contains_points(df[["map_x", "map_y"]].to_numpy())]',
    );
  } else {
    lines.push(`df = tbl.search(${py(spec.text)}, query_type="fts", fts_columns=${py(spec.column)})${where}.limit(${spec.limit}).to_pandas()`);
  }
  return lines.filter((l, i) => l !== '' || i < 5).join('\n');
}

/** The examples' keys as literals (a placeholder where the app does not know one). */
function exampleKeys(ds: DatasetInfo, view: ViewInfo | null, spec: Extract<ViewInfo['spec'], { kind: 'similar' }>) {
  const lit = (k: string | number | null | undefined) => (k === null || k === undefined ? "'<key>'" : typeof k === 'number' ? String(k) : py(k));
  return {
    keyCol: ds.keyColumn ?? 'key',
    liked: [lit(view?.queryKey ?? spec.key), ...(spec.alsoLike ?? []).map((e) => lit(e.key))],
    unliked: (spec.unlike ?? []).map((e) => lit(e.key)),
  };
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
  } else if (spec.kind === 'meaning') {
    const unit = spec.metric === 'cosine' ? '.map((v) => { const n = Math.hypot(...v); return v.map((x) => x / n); })' : '';
    lines.push(
      `// By captions (no text model): the mean ${spec.column} of the rows whose ${spec.captionColumn} best match the words`,
      `const hits = (await tbl.query().fullTextSearch(${py(spec.text)}, { columns: ${py(spec.captionColumn)} })${where}.select([${py(spec.column)}]).limit(${spec.hits}).toArray())`,
      `  .map((r) => Array.from(r[${py(spec.column)}] as ArrayLike<number>))${unit};`,
      `const query = hits[0]!.map((_, i) => hits.reduce((s, v) => s + v[i]!, 0) / hits.length);`,
      `const rows = await tbl.vectorSearch(query).column(${py(spec.column)})`,
      `  .distanceType(${py(spec.metric)}).nprobes(${spec.nprobes}).refineFactor(${spec.refineFactor})${where}`,
      `  .limit(${spec.k}).toArray();`,
    );
  } else if (spec.kind === 'similar' && (spec.alsoLike?.length || spec.unlike?.length)) {
    const { liked, unliked, keyCol } = exampleKeys(ds, view, spec);
    const unit = spec.metric === 'cosine' ? '.map((v) => { const n = Math.hypot(...v); return v.map((x) => x / n); })' : '';
    lines.push(
      `const vectors = async (keys: Array<string | number>) => (await tbl.query().where(\`${keyCol} IN (\${keys.map((k) => JSON.stringify(k).replace(/"/g, "'")).join(', ')})\`)`,
      `  .select([${py(spec.column)}]).limit(keys.length).toArray()).map((r) => Array.from(r[${py(spec.column)}] as ArrayLike<number>))${unit};`,
      `const mean = (vs: number[][]) => vs[0]!.map((_, i) => vs.reduce((s, v) => s + v[i]!, 0) / vs.length);`,
      `const like = mean(await vectors([${liked.join(', ')}]));`,
      unliked.length ? `const away = mean(await vectors([${unliked.join(', ')}]));` : '',
      `const query = ${unliked.length ? 'like.map((x, i) => x - 0.5 * away[i]!); // more like these, less like those' : 'like; // more like these'}`,
      `const rows = await tbl.vectorSearch(query).column(${py(spec.column)})`,
      `  .distanceType(${py(spec.metric)}).nprobes(${spec.nprobes}).refineFactor(${spec.refineFactor})${where}`,
      `  .limit(${spec.k + liked.length + unliked.length}).toArray(); // drop the examples themselves`,
    );
  } else if (spec.kind === 'similar') {
    const key = view?.queryKey ?? '<key of the query row>';
    lines.push(
      `const [q] = await tbl.query().where(${py(`${ds.keyColumn ?? 'key'} = ${key}`)}).select([${py(spec.column)}]).limit(1).toArray();`,
      `const rows = await tbl.vectorSearch(Array.from(q[${py(spec.column)}])).column(${py(spec.column)})`,
      `  .distanceType(${py(spec.metric)}).nprobes(${spec.nprobes}).refineFactor(${spec.refineFactor})${where}`,
      `  .limit(${spec.k + 1}).toArray(); // includes the query row itself`,
    );
  } else if (spec.kind === 'encoded') {
    const repo = view?.model?.repo ?? 'Xenova/clip-vit-large-patch14';
    const dtype = view?.model?.dtype ?? 'q8';
    const opts = `{ dtype: ${py(dtype)}, device: 'cpu' }`;
    lines.splice(1, 0, spec.text !== undefined ? "import { AutoTokenizer, CLIPTextModelWithProjection } from '@huggingface/transformers';" : "import { AutoProcessor, CLIPVisionModelWithProjection, RawImage } from '@huggingface/transformers';");
    lines.push(
      `// ${spec.column} is in ${view?.model?.space ?? repo}'s space: encode the query with the same model (${repo}), unit length`,
      `const MODEL = process.env.LX_MODEL_DIR ?? ${py(repo)}; // a local folder, or the Hub repository`,
      ...(spec.text !== undefined
        ? [
            'const tokenizer = await AutoTokenizer.from_pretrained(MODEL);',
            `const textModel = await CLIPTextModelWithProjection.from_pretrained(MODEL, ${opts});`,
            `const { text_embeds } = await textModel(tokenizer([${py(spec.text)}], { padding: true, truncation: true }));`,
            'const v = Array.from(text_embeds.data as Float32Array);',
          ]
        : [
            'const processor = await AutoProcessor.from_pretrained(MODEL);',
            `const visionModel = await CLIPVisionModelWithProjection.from_pretrained(MODEL, ${opts});`,
            `const { image_embeds } = await visionModel(await processor(await RawImage.read(${py(spec.imageName ?? 'query.jpg')})));`,
            'const v = Array.from(image_embeds.data as Float32Array);',
          ]),
      'const norm = Math.hypot(...v);',
      'const query = v.map((x) => x / norm);',
      `const rows = await tbl.vectorSearch(query).column(${py(spec.column)})`,
      `  .distanceType(${py(spec.metric)}).nprobes(${spec.nprobes}).refineFactor(${spec.refineFactor})${where}`,
      `  .limit(${spec.k}).toArray();`,
    );
  } else if (spec.kind === 'duplicates' && spec.near !== undefined) {
    lines.push(
      `const rows = await tbl.query()${where}.select([${[ds.keyColumn, spec.column].filter(Boolean).map((c) => py(c as string)).join(', ')}]).toArray();`,
      `const X = rows.map((r) => { const v = Array.from(r[${py(spec.column)}] as ArrayLike<number>); const n = Math.hypot(...v); return v.map((x) => x / n); });`,
      `// near duplicates: rows joined when their cosine similarity is >= ${spec.near}, grouped as connected components`,
      "// (every pair: the app compares each row with its cluster and the cluster's border instead)",
      'const parent = X.map((_, i) => i);',
      'const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));',
      'for (let i = 0; i < X.length; i++) for (let j = i + 1; j < X.length; j++) {',
      `  let s = 0; for (let d = 0; d < X[i].length; d++) s += X[i][d] * X[j][d];`,
      `  if (s >= ${spec.near}) parent[root(j)] = root(i);`,
      '}',
      'const byRoot = new Map<number, typeof rows>();',
      'rows.forEach((r, i) => byRoot.set(root(i), [...(byRoot.get(root(i)) ?? []), r]));',
      'const duplicates = [...byRoot.values()].filter((g) => g.length > 1).sort((a, b) => b.length - a.length);',
    );
  } else if (spec.kind === 'duplicates') {
    lines.push(
      `// exact duplicates: rows sharing ${spec.column}, largest groups first (the app hashes the bytes)`,
      `const rows = await tbl.query()${where}.select([${[ds.keyColumn, spec.column].filter(Boolean).map((c) => py(c as string)).join(', ')}]).withRowId().toArray();`,
      'const groups = new Map<string, typeof rows>();',
      `for (const r of rows) { const k = String(r[${py(spec.column)}]); groups.set(k, [...(groups.get(k) ?? []), r]); }`,
      'const duplicates = [...groups.values()].filter((g) => g.length > 1).sort((a, b) => b.length - a.length);',
    );
  } else if (spec.kind === 'region') {
    lines.push(
      `const region = ${JSON.stringify(spec.polygon.map(([x, y]) => [+x.toPrecision(6), +y.toPrecision(6)]))};`,
      '// even-odd rule: a point is inside when a ray from it crosses the outline an odd number of times',
      'const inside = (x: number, y: number) => region.reduce((io, [xa, ya], a) => { const [xb, yb] = region[(a + region.length - 1) % region.length]; return ya > y !== yb > y && x < xa + ((y - ya) * (xb - xa)) / (yb - ya) ? !io : io; }, false);',
      `const rows = (await tbl.query()${where}.select([${[ds.keyColumn, 'map_x', 'map_y'].filter(Boolean).map((c) => py(c as string)).join(', ')}]).toArray()).filter((r) => inside(r.map_x, r.map_y));`,
    );
  } else {
    lines.push(`const rows = await tbl.query().fullTextSearch(${py(spec.text)}, { columns: ${py(spec.column)} })${where}.limit(${spec.limit}).toArray();`);
  }
  return lines.filter((l, i) => l !== '' || i < 5).join('\n');
}
