// Which model a vector column's space needs, and which files of its ONNX repository the app runs.
//
// A column says its space in its metadata (EmbeddingMeta, written by the app's embedding job and by
// anyone who follows the convention). LAION's `img_emb` says nothing, but the dataset's schema and
// card do: CLIP ViT-L/14, 768 dimensions, so a LAION-shaped column gets that space, said as inferred.
import type { ColumnInfo, DatasetInfo } from '../../../shared/types';
import type { ModelSpace, ModelDtype } from '../../../shared/types';

export interface KnownSpace {
  /** The model the vectors come from (its text and image towers share the space). */
  space: string;
  label: string;
  dim: number;
  /** The ONNX conversion the app downloads for it. */
  onnx: string;
  /** Approximate sizes of the towers per dtype (from the repository's listing), for the dialog before it lists. */
  bytes: Record<ModelDtype, number>;
}

export const KNOWN_SPACES: KnownSpace[] = [
  {
    space: 'openai/clip-vit-large-patch14',
    label: 'CLIP ViT-L/14 (OpenAI)',
    dim: 768,
    onnx: 'Xenova/clip-vit-large-patch14',
    bytes: { q8: 432e6, fp16: 857e6, fp32: 1715e6 },
  },
];

/** The ONNX file suffix transformers.js reads for each dtype. */
const SUFFIX: Record<ModelDtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized' };

/** What the app needs of a CLIP ONNX repository for one dtype: required, and taken when listed. */
export function modelFiles(dtype: ModelDtype): { required: string[]; optional: string[] } {
  const s = SUFFIX[dtype];
  return {
    required: ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', `onnx/text_model${s}.onnx`, `onnx/vision_model${s}.onnx`],
    optional: ['special_tokens_map.json'],
  };
}

export const LAION_COLUMNS = ['caption', 'url', 'NSFW', 'similarity', 'md5'];

/** The space of a vector column: from its metadata, else inferred for LAION's img_emb, else unknown. */
export function columnSpace(info: Pick<DatasetInfo, 'columns' | 'isDemo'>, column: ColumnInfo): ModelSpace {
  const dim = column.dim ?? 0;
  if (info.isDemo && !column.embedding) {
    // LAION's schema, but the demo's vectors are colour and layout features made without CLIP.
    return { column: column.name, dim, space: null, source: 'unknown', onnx: null, revision: null, label: "the demo's colour and layout features" };
  }
  if (column.embedding) {
    const known = KNOWN_SPACES.find((k) => k.space === column.embedding?.space);
    return {
      column: column.name,
      dim,
      space: column.embedding.space,
      source: 'metadata',
      onnx: column.embedding.model ?? known?.onnx ?? null,
      revision: column.embedding.revision ?? null,
      label: known?.label ?? column.embedding.space,
    };
  }
  const names = new Set(info.columns.map((c) => c.name));
  if (column.name === 'img_emb' && dim === 768 && LAION_COLUMNS.every((c) => names.has(c))) {
    const k = KNOWN_SPACES[0] as KnownSpace;
    return { column: column.name, dim, space: k.space, source: 'laion', onnx: k.onnx, revision: null, label: k.label };
  }
  return { column: column.name, dim, space: null, source: 'unknown', onnx: null, revision: null, label: null };
}

/** The space a model folder belongs to: a known conversion's, else what its config.json names. */
export function spaceOfModel(repo: string | null, config: { _name_or_path?: unknown }): string | null {
  const known = KNOWN_SPACES.find((k) => k.onnx === repo || k.space === repo);
  if (known) return known.space;
  const named = typeof config._name_or_path === 'string' ? config._name_or_path : null;
  const byName = KNOWN_SPACES.find((k) => k.onnx === named || k.space === named);
  return byName?.space ?? named ?? repo;
}
