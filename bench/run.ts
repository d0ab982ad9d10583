// npm run bench -- <generate|index|browse|search|download|evolve> [flags]
import { parseArgs } from './bench-support';
import { generate } from './generate';
import { browseBench } from './browse';
import { ensureSearchIndices } from './index-table';
import { searchBench } from './search';
import { downloadBench } from './download';
import { evolveBench } from './evolve';

const { command, flags } = parseArgs(process.argv.slice(2));
switch (command) {
  case 'generate': {
    const r = await generate({
      rows: Number(flags.rows ?? 100_000),
      imageSide: flags['image-side'] ? Number(flags['image-side']) : undefined,
      index: !flags['no-index'],
      force: !!flags.force,
      ...(typeof flags.out === 'string' ? { out: flags.out } : {}),
    });
    console.log(JSON.stringify({ bench: 'generate', path: r.path, seconds: Math.round(r.seconds), bytes: r.bytes, reused: r.reused }));
    break;
  }
  case 'index': {
    // Adds IVF_PQ + FTS to the cached (or given) table; slow at 1M rows (tens of minutes on 2 cores).
    const r = await generate({ rows: Number(flags.rows ?? 100_000), index: false });
    await ensureSearchIndices(typeof flags.path === 'string' ? flags.path : r.path);
    break;
  }
  case 'search':
    await searchBench(flags);
    break;
  case 'download':
    await downloadBench(flags);
    break;
  case 'browse':
    await browseBench(flags);
    break;
  case 'evolve':
    await evolveBench(flags);
    break;
  default:
    console.error('usage: npm run bench -- <generate|index|browse|search|download|evolve> [--rows N]');
    process.exit(2);
}
