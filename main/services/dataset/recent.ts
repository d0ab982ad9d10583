// The recent-datasets list: a small JSON file in the app's data folder, written atomically
// so a crash mid-write never leaves the app unable to start.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RecentEntry } from '../../../shared/types';

const MAX_ENTRIES = 20;

export class RecentStore {
  constructor(private readonly file: string) {}

  async list(): Promise<RecentEntry[]> {
    try {
      const parsed: unknown = JSON.parse(await fs.readFile(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter(isEntry).slice(0, MAX_ENTRIES) : [];
    } catch {
      return []; // missing or unreadable: start with an empty list rather than fail the app
    }
  }

  async add(entry: RecentEntry): Promise<RecentEntry[]> {
    const rest = (await this.list()).filter((e) => !(e.path === entry.path && e.table === entry.table));
    const next = [entry, ...rest].slice(0, MAX_ENTRIES);
    await this.write(next);
    return next;
  }

  async forget(p: string, table: string): Promise<RecentEntry[]> {
    const next = (await this.list()).filter((e) => !(e.path === p && e.table === table));
    await this.write(next);
    return next;
  }

  private async write(entries: RecentEntry[]): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(entries, null, 2));
    await fs.rename(tmp, this.file);
  }
}

function isEntry(x: unknown): x is RecentEntry {
  const e = x as RecentEntry;
  return !!e && typeof e.path === 'string' && typeof e.table === 'string' && typeof e.name === 'string';
}
