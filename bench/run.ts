// npm run bench -- <suite|all|generate|index|cache> [flags]; see docs/BENCHMARKS.md.
import { formatBytes, parseArgs } from './bench-support';
import { generate } from './generate';
import { searchTable } from './index-table';
import { listCache } from './cache';
import { runAll } from './all';
import { SUITES } from './suites';
import { num, runSuite } from './suite';

const USAGE = `usage: npm run bench -- <command> [flags]
  all --rows N          every suite in sequence; rewrites the generated section of docs/BENCHMARKS.md
                        (--doc FILE writes another file, --no-doc none)
  ${Object.keys(SUITES).join(' | ')} --rows N    one suite (--rounds R and the suite's own flags)
  generate --rows N     only the pristine table (--image-side PX, --out DIR, --force)
  index --rows N        only the table with the search indices (--force)
  cache                 list the cached tables, their size and whether each matches its record
common flags: --rounds R, --settle S (seconds to wait for the load to drop; --no-settle)`;

const { command, flags } = parseArgs(process.argv.slice(2));
try {
  if (command === 'all') {
    const { failures } = await runAll(flags);
    process.exitCode = failures.length ? 1 : 0;
  } else if (command && command in SUITES) {
    await runSuite(command, SUITES[command]!, flags);
  } else if (command === 'generate') {
    const e = await generate({
      rows: num(flags, 'rows', 100_000),
      ...(flags['image-side'] ? { imageSide: num(flags, 'image-side', 96) } : {}),
      ...(typeof flags.out === 'string' ? { out: flags.out } : {}),
      force: !!flags.force,
    });
    console.log(JSON.stringify({ suite: 'generate', path: e.path, seconds: Math.round(e.record.seconds), bytes: e.record.bytes, reused: e.reused }));
  } else if (command === 'index') {
    const e = await searchTable({ rows: num(flags, 'rows', 100_000), force: !!flags.force });
    console.log(JSON.stringify({ suite: 'index', path: e.path, seconds: Math.round(e.record.seconds), indices: e.record.indices, reused: e.reused }));
  } else if (command === 'cache') {
    for (const e of await listCache()) console.log(`${formatBytes(e.bytes).padStart(9)}  ${e.name}${e.problem ? `  (${e.problem})` : ''}`);
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (e) {
  console.error(`bench ${command}: ${(e as Error).message}`);
  process.exitCode = 1;
}
