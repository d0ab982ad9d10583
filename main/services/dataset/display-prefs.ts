// How a person chose to see a dataset, kept per dataset (path and table) in the data folder so the
// next open shows it the same way: which column is the image, which string is the tile's caption,
// which vector column searches use first, whether images by URL may be fetched, and the folder
// relative image paths are resolved against. Only what the person chose is kept; the rest is
// worked out again at each open (a dataset can change between opens).
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface DisplayChoice {
  /** null: no image column (the person said so). */
  image?: string | null;
  caption?: string | null;
  vector?: string;
  /** Fetch http(s) image references (off unless turned on, per dataset). */
  remote?: boolean;
  /** Where relative image paths are resolved (default: the folder holding the table). */
  root?: string;
}

export class DisplayPrefs {
  private cache: Record<string, DisplayChoice> | null = null;
  private writing: Promise<void> = Promise.resolve();
  constructor(private readonly file: string) {}

  private static key(datasetPath: string, table: string): string {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(datasetPath) ? `${datasetPath}#${table}` : `${path.resolve(datasetPath)}#${table}`;
  }

  private async all(): Promise<Record<string, DisplayChoice>> {
    if (this.cache) return this.cache;
    try {
      const v = JSON.parse(await fs.readFile(this.file, 'utf8')) as unknown;
      this.cache = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, DisplayChoice>) : {};
    } catch {
      this.cache = {}; // none yet, or damaged: choices are asked again
    }
    return this.cache;
  }

  async get(datasetPath: string, table: string): Promise<DisplayChoice> {
    const c = (await this.all())[DisplayPrefs.key(datasetPath, table)];
    return c && typeof c === 'object' ? c : {};
  }

  async set(datasetPath: string, table: string, change: DisplayChoice): Promise<DisplayChoice> {
    const all = { ...(await this.all()) };
    const k = DisplayPrefs.key(datasetPath, table);
    const next = { ...(all[k] ?? {}), ...change };
    all[k] = next;
    this.cache = all;
    // One write at a time, the last one winning; a full disk loses only the memory of the choice.
    this.writing = this.writing.then(async () => {
      try {
        await fs.mkdir(path.dirname(this.file), { recursive: true });
        await fs.writeFile(`${this.file}.tmp`, JSON.stringify(this.cache, null, 2));
        await fs.rename(`${this.file}.tmp`, this.file);
      } catch {
        // kept for this run
      }
    });
    await this.writing;
    return next;
  }
}
