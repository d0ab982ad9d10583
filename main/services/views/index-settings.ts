// How to search an index the app built from the advisor's advice (an HNSW graph's ef), by dataset and
// column, kept in the data folder so it lasts across restarts. LanceDB stores no search settings.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface SearchSettings {
  indexType: string;
  ef?: number;
  /** null: no re-ranking by the full vectors (the advisor measured the graph without it). */
  refineFactor?: number | null;
}

export class IndexSettings {
  private cache: Record<string, SearchSettings> | null = null;
  constructor(private readonly file: string) {}

  private static key(datasetPath: string, table: string, column: string): string {
    return `${path.resolve(datasetPath)}#${table}#${column}`;
  }

  private async all(): Promise<Record<string, SearchSettings>> {
    if (this.cache) return this.cache;
    try {
      const v = JSON.parse(await fs.readFile(this.file, 'utf8')) as unknown;
      this.cache = v && typeof v === 'object' ? (v as Record<string, SearchSettings>) : {};
    } catch {
      this.cache = {};
    }
    return this.cache;
  }

  async get(datasetPath: string, table: string, column: string): Promise<SearchSettings | null> {
    return (await this.all())[IndexSettings.key(datasetPath, table, column)] ?? null;
  }

  async set(datasetPath: string, table: string, column: string, s: SearchSettings | null): Promise<void> {
    const all = { ...(await this.all()) };
    const k = IndexSettings.key(datasetPath, table, column);
    if (s) all[k] = s;
    else delete all[k];
    this.cache = all;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await fs.writeFile(`${this.file}.tmp`, JSON.stringify(all, null, 2));
    await fs.rename(`${this.file}.tmp`, this.file);
  }
}
