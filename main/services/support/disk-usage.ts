// How many bytes a folder's files take (a dataset's growth after a write, a cache entry's size).
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? await dirSize(p) : (await fs.stat(p)).size;
  }
  return total;
}
