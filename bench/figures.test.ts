import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { Figures, Rounds, median, spread } from './figures';
import { BEGIN, END, writeSection } from './report';
import { slowLink } from './slow-link';

describe('benchmark figures', () => {
  it('reports the median over rounds, the raw side, the median per-round ratio and the spread', () => {
    const f = new Figures('demo').set('rows', 10);
    f.pair('page_p95', 'ms', 'page', [10, 30, 20], [5, 10, 10]);
    const j = f.json();
    expect(j.suite).toBe('demo');
    expect(j.rows).toBe(10);
    expect(j.page_p95_ms).toBe(20);
    expect(j.raw_page_p95_ms).toBe(10);
    // per-round ratios 2, 3, 2 → median 2 (not 20/10 by coincidence: see the next case)
    expect(j.page_p95_ratio).toBe(2);
    expect(j.page_p95_spread).toBe(3);
    expect(j.raw_page_p95_spread).toBe(2);
    expect(j.page_p95_rounds).toBe(3);
    expect(j.unstable).toEqual(['page_p95']);
  });

  it('takes the ratio round by round, so a slow round on both sides does not skew it', () => {
    const f = new Figures('demo');
    f.pair('x', 'ms', 'x', [10, 100, 12], [9, 90, 11]);
    const j = f.json();
    expect(j.x_ratio).toBeCloseTo(10 / 9, 2);
    expect(j.unstable).toEqual(['x']);
  });

  it('turns rounds of samples into percentile figures, single-sided where there is no raw side', () => {
    const r = new Rounds(2);
    for (let i = 1; i <= 20; i++) {
      r.addApp(0, i);
      r.addApp(1, i * 1.5);
    }
    const j = new Figures('demo').latency('tile', 'tile', r, [50, 95]).json();
    expect(j.tile_p50_ms).toBe((10 + 15) / 2);
    expect(j.tile_p95_ms).toBe((19 + 28.5) / 2);
    expect(j).not.toHaveProperty('raw_tile_p95_ms');
    expect(j.unstable).toEqual([]);
  });

  it('median and spread of edge cases', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(spread([5])).toBe(1);
    expect(spread([0, 0])).toBe(1);
    expect(spread([0, 2])).toBe(Number.POSITIVE_INFINITY);
  });

  it('marks unstable figures in the table rows', () => {
    const f = new Figures('demo');
    f.pair('a', 'ms', 'steady', [10, 11], [9, 9.5]);
    f.pair('b', 'MBps', 'jumpy', [100, 300], [100, 110], { rawLabel: 'curl', higherIsBetter: true });
    const [a, b] = f.rows();
    expect(a!.stable).toBe('2 rounds');
    expect(b!.stable).toMatch(/unstable.*3x/);
    expect(b!.raw).toBe('105 MB/s (curl)');
    expect(b!.ratio).toMatch(/higher is better/);
  });
});

describe('the generated section of BENCHMARKS.md', () => {
  it('replaces only what lies between the markers, and appends a section where there is none', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lx-report-'));
    const doc = path.join(dir, 'B.md');
    await fs.writeFile(doc, `# B\n\nintro\n\n${BEGIN}\nold figures\n${END}\n\n## Analysis\n\nhand-written\n`);
    await writeSection(doc, 'new figures');
    const text = await fs.readFile(doc, 'utf8');
    expect(text).toBe(`# B\n\nintro\n\n${BEGIN}\nnew figures\n${END}\n\n## Analysis\n\nhand-written\n`);
    const bare = path.join(dir, 'C.md');
    await fs.writeFile(bare, '# C\n\nnotes\n');
    await writeSection(bare, 'figures');
    expect(await fs.readFile(bare, 'utf8')).toBe(`# C\n\nnotes\n\n## Latest run\n\n${BEGIN}\nfigures\n${END}\n`);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('the slow link', () => {
  it('adds its round trip to every request and shares its bandwidth between connections', async () => {
    const body = Buffer.alloc(1 << 20, 7); // 1 MiB
    const server = http.createServer((req, res) => {
      if (req.url === '/ping') return void res.end('pong');
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const target = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const link = slowLink({ bytesPerSecond: 8 * 1048576, rttMs: 40 }); // 8 MiB/s, 40 ms
    const front = await link.front(target);
    try {
      const agent = new http.Agent({ keepAlive: false });
      const get = (p: string) =>
        new Promise<Buffer>((resolve, reject) => {
          http.get(`${front}${p}`, { agent }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (d: Buffer) => parts.push(d));
            res.on('end', () => resolve(Buffer.concat(parts)));
          }).on('error', reject);
        });
      let t = performance.now();
      expect((await get('/ping')).toString()).toBe('pong');
      // a new connection: the request crosses once, the answer once; 40 ms at least
      expect(performance.now() - t).toBeGreaterThanOrEqual(38);
      t = performance.now();
      const two = await Promise.all([get('/big'), get('/big')]);
      const ms = performance.now() - t;
      expect(two.every((b) => b.equals(body))).toBe(true);
      // 2 MiB over 8 MiB/s shared: 250 ms at least, not 125 ms per connection in parallel
      expect(ms).toBeGreaterThanOrEqual(240);
      expect(ms).toBeLessThan(2000);
      expect(link.delivered).toBeGreaterThanOrEqual(2 * body.length);
    } finally {
      await link.close();
      server.close();
    }
  });
});
