// The exact column set of lance-format/laion-1m (data/train.lance), for the demo and the benchmark table.
import { arrow } from './lance';

export const EMBEDDING_DIM = 768;

export function laionSchema(): import('apache-arrow').Schema {
  const { Schema, Field, Int64, LargeBinary, Utf8, Float64, Float32, FixedSizeList } = arrow;
  return new Schema([
    new Field('key', new Int64(), false),
    new Field('image', new LargeBinary(), true),
    new Field('image_path', new Utf8(), true),
    new Field('caption', new Utf8(), true),
    new Field('url', new Utf8(), true),
    new Field('NSFW', new Utf8(), true),
    new Field('LICENSE', new Utf8(), true),
    new Field('similarity', new Float64(), true),
    new Field('width', new Int64(), true),
    new Field('height', new Int64(), true),
    new Field('original_width', new Int64(), true),
    new Field('original_height', new Int64(), true),
    new Field('exif', new Utf8(), true),
    new Field('md5', new Utf8(), true),
    new Field('status', new Utf8(), true),
    new Field('error_message', new Utf8(), true),
    new Field('img_emb', new FixedSizeList(EMBEDDING_DIM, new Field('item', new Float32(), true)), true),
  ]);
}

export interface LaionRow {
  key: number;
  image: Uint8Array;
  image_path: string;
  caption: string;
  url: string;
  NSFW: string;
  LICENSE: string;
  similarity: number;
  width: number;
  height: number;
  original_width: number;
  original_height: number;
  exif: string;
  md5: string;
  status: string;
  error_message: string | null;
  img_emb: Float32Array;
}

/** Rows -> an Arrow table built with LanceDB's own apache-arrow copy. */
export function laionBatch(rows: LaionRow[]): import('apache-arrow').Table {
  const schema = laionSchema();
  const { makeVector, vectorFromArray, Table, FixedSizeList, Field, Float32, LargeBinary } = arrow;
  const col = <K extends keyof LaionRow>(k: K) => rows.map((r) => r[k]);
  const flat = new Float32Array(rows.length * EMBEDDING_DIM);
  rows.forEach((r, i) => flat.set(r.img_emb, i * EMBEDDING_DIM));
  const fsl = new FixedSizeList(EMBEDDING_DIM, new Field('item', new Float32(), true));
  const emb = makeVector({
    type: fsl,
    length: rows.length,
    nullCount: 0,
    child: makeVector({ type: new Float32(), data: flat, length: flat.length }).data[0],
  } as never);
  const image = vectorFromArray(col('image'), new LargeBinary());
  const fields = schema.fields;
  const data: Record<string, import('apache-arrow').Vector> = {};
  for (const f of fields) {
    if (f.name === 'img_emb') data[f.name] = emb;
    else if (f.name === 'image') data[f.name] = image;
    else if (arrow.DataType.isInt(f.type)) {
      // Int64 builders take BigInt; a plain number throws "Cannot convert … to a BigInt".
      const values = col(f.name as keyof LaionRow).map((v) => (v == null ? null : BigInt(v as number)));
      data[f.name] = vectorFromArray(values as never, f.type);
    } else data[f.name] = vectorFromArray(col(f.name as keyof LaionRow) as never, f.type);
  }
  return new Table(schema, data as never);
}
