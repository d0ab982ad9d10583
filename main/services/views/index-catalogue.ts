// Which indices an open dataset has, read once per session and kept (a session is pinned to its
// version, so they change only when the app builds one, and the builder says so). Views ask it which
// search to run; the index builder asks it what already exists and tells it when a build is done.
import { SizedLru } from '../support/lru';
import type { DatasetService } from '../dataset/dataset-service';
import type { IndexKind, IndexSummary } from '../../../shared/types';

export const VECTOR_INDEX = /ivf|hnsw|pq|vector/i;
export const TEXT_INDEX = /fts|inverted/i;

/** PQ trains 256 centroids per sub-vector; with fewer rows there is nothing to learn from. */
export const MIN_VECTOR_INDEX_ROWS = 256;

export interface IndexInfo {
  name: string;
  column: string;
  indexType: string;
  distanceType: string | null;
}

export class IndexCatalogue {
  private readonly indices = new SizedLru<string, Promise<IndexInfo[]>>(32);

  constructor(private readonly datasets: DatasetService) {}

  list(datasetId: string): Promise<IndexInfo[]> {
    let cached = this.indices.get(datasetId);
    if (!cached) {
      const ds = this.datasets.get(datasetId);
      cached = (async () => {
        const list = await ds.table.listIndices();
        return Promise.all(
          list.map(async (i) => ({
            name: i.name,
            column: i.columns[0] ?? '',
            indexType: i.indexType,
            distanceType: VECTOR_INDEX.test(i.indexType) ? ((await ds.table.indexStats(i.name))?.distanceType?.toLowerCase() ?? null) : null,
          })),
        );
      })();
      cached.catch(() => this.forget(datasetId));
      this.indices.set(datasetId, cached);
    }
    return cached;
  }

  /** The index of this kind on this column, if the dataset has one. */
  async find(datasetId: string, column: string, kind: IndexKind): Promise<IndexInfo | undefined> {
    const pattern = kind === 'ivf_pq' ? VECTOR_INDEX : TEXT_INDEX;
    return (await this.list(datasetId)).find((i) => i.column === column && pattern.test(i.indexType));
  }

  async summaries(datasetId: string): Promise<IndexSummary[]> {
    return (await this.list(datasetId)).map(summary);
  }

  /** A build committed: read the list again when next asked. */
  forget(datasetId: string): void {
    this.indices.deleteWhere((k) => k === datasetId);
  }
}

/** LanceDB says "IvfPq"; people (and LanceDB's docs) say IVF_PQ. */
export function indexLabel(indexType: string): string {
  return indexType.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

function summary(i: IndexInfo): IndexSummary {
  const metric = i.distanceType === 'l2' || i.distanceType === 'cosine' || i.distanceType === 'dot' ? i.distanceType : null;
  return { name: i.name, column: i.column, indexType: indexLabel(i.indexType), metric };
}
