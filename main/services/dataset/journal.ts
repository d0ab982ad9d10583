// What this app did to a dataset, per version, in words ("quality = good on 3 rows"). Lance keeps no
// description of an operation that the Node binding can read, and an update says only how many rows it
// deleted and rewrote; the history shows these notes beside what it infers. One JSON Lines file per
// dataset path under the app's data folder; a note that cannot be written is simply missing.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export class Journal {
  constructor(private readonly dir: string) {}

  private fileOf(datasetPath: string): string {
    return path.join(this.dir, `${createHash('sha1').update(path.resolve(datasetPath)).digest('hex').slice(0, 20)}.jsonl`);
  }

  async record(datasetPath: string, version: number, note: string): Promise<void> {
    try {
      await fs.mkdir(this.dir, { recursive: true });
      await fs.appendFile(this.fileOf(datasetPath), `${JSON.stringify({ version, note, at: new Date().toISOString() })}\n`);
    } catch {
      // A read-only or full data folder: the change itself is done; only its description is lost.
    }
  }

  /** version -> note; the last note wins for a version (a restore makes numbers unique anyway). */
  async notes(datasetPath: string): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    let text = '';
    try {
      text = await fs.readFile(this.fileOf(datasetPath), 'utf8');
    } catch {
      return out;
    }
    for (const line of text.split('\n')) {
      try {
        const e = JSON.parse(line) as { version?: unknown; note?: unknown };
        if (typeof e.version === 'number' && typeof e.note === 'string') out.set(e.version, e.note.slice(0, 300));
      } catch {
        // a torn last line after a crash
      }
    }
    return out;
  }
}
