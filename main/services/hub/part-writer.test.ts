import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../test-support/fixtures';
import { openPart, openPartOnMainThread, type PartOpener } from './part-writer';

const tmp = tempDir('lx-part-');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Uint8Array) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

/** Buffers the size node:http hands out, each owning its memory (so they can be transferred). */
const chunksOf = (b: Uint8Array, size = 65536) => {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += size) out.push(Uint8Array.from(b.subarray(i, i + size)));
  return out;
};

describe.each([
  ['a worker thread', openPart],
  ['the main thread', openPartOnMainThread],
] as Array<[string, PartOpener]>)('part files written in %s', (_where, open) => {
  it('writes batches in order and hashes exactly what is on disk', async () => {
    const data = randomBytes(3_000_000);
    const file = path.join(tmp.dir, `a-${_where}.part`);
    const w = await open({ path: file, keep: 0, hash: { algo: 'sha256' } });
    const chunks = chunksOf(data);
    for (let i = 0; i < chunks.length; i += 16) await w.write(chunks.slice(i, i + 16));
    // A view into a shared buffer (Buffer's small pool) is copied, not transferred: the pool stays usable.
    const pooled = Buffer.from('tail');
    const before = Buffer.from('another pooled buffer');
    await w.write([pooled]);
    expect(before.toString()).toBe('another pooled buffer');
    expect(await w.finish()).toBe(sha256(Buffer.concat([data, pooled])));
    expect(sha256(await fs.readFile(file))).toBe(sha256(Buffer.concat([data, pooled])));
  });

  it('resumes: keeps (and hashes first) the given bytes, cuts what follows, appends the rest', async () => {
    const data = randomBytes(2_500_000);
    const file = path.join(tmp.dir, `b-${_where}.part`);
    // A part holding 1.2 MB, plus 300 kB that were written but not acknowledged.
    await fs.writeFile(file, Buffer.concat([data.subarray(0, 1_200_000), randomBytes(300_000)]));
    const w = await open({ path: file, keep: 1_200_000, hash: { algo: 'sha1', prefix: `blob ${data.length}\0` } });
    await w.write(chunksOf(data.subarray(1_200_000)));
    expect(await w.finish()).toBe(gitSha1(data));
    expect(Buffer.compare(await fs.readFile(file), data)).toBe(0);
  });

  it('says the disk is full with the errno code, and a part kept shorter than claimed is an error', async () => {
    const full = await open({ path: '/dev/full', keep: 0, hash: null });
    await expect(full.write([randomBytes(100_000)])).rejects.toMatchObject({ code: 'ENOSPC' });
    await full.close();
    const file = path.join(tmp.dir, `c-${_where}.part`);
    await fs.writeFile(file, randomBytes(1000));
    await expect(open({ path: file, keep: 5000, hash: { algo: 'sha256' } })).rejects.toThrow(/shorter than expected/);
    await expect(open({ path: path.join(tmp.dir, 'no', 'such', 'dir.part'), keep: 0, hash: null })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('closes without a digest, and the file can be opened again at once', async () => {
    const file = path.join(tmp.dir, `d-${_where}.part`);
    const data = randomBytes(1_000_000);
    const w = await open({ path: file, keep: 0, hash: { algo: 'sha256' } });
    await w.write(chunksOf(data));
    await w.close();
    await w.close(); // twice is fine
    await expect(w.write([randomBytes(10)])).rejects.toThrow(/closed/);
    const again = await open({ path: file, keep: data.length, hash: { algo: 'sha256' } });
    expect(await again.finish()).toBe(sha256(data));
    expect(existsSync(file)).toBe(true);
  });
});
