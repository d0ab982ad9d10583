// A hard-linked copy of a folder (a plain copy where links are refused, e.g. across disks): a Lance
// dataset's files are never rewritten in place, so a copy shares them and writes only what is new.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function linkCopy(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const e of await fs.readdir(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) await linkCopy(a, b);
    else
      await fs.link(a, b).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV' && err.code !== 'EPERM') throw err;
        await fs.copyFile(a, b);
      });
  }
}
