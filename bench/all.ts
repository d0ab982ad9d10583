// npm run bench -- all --rows N [--doc FILE | --no-doc] [suite flags]
// Every suite in sequence on tables in the state each needs (generating what is missing), the machine
// and its state recorded, then the generated section of docs/BENCHMARKS.md rewritten with this run's
// tables. A suite that fails is reported and the others still run; the command then exits non-zero.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate';
import { searchTable } from './index-table';
import { machine } from './machine';
import { renderRun, writeSection } from './report';
import { num, runSuite, type Flags, type SuiteFn, type SuiteResult } from './suite';
import { SUITES } from './suites';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The download suite moves whole tables for each round: it stays at this size when N is larger. */
export const DOWNLOAD_ROWS_MAX = 100_000;

export async function runAll(flags: Flags): Promise<{ suites: SuiteResult[]; failures: Array<{ suite: string; error: string }> }> {
  const rows = num(flags, 'rows', 100_000);
  const t0 = performance.now();
  const m = await machine();
  const log = (s: string) => process.stderr.write(s);
  const names = Object.keys(SUITES) as Array<keyof typeof SUITES>;
  const steps = names.length + 1;
  log(`[1/${steps}] tables for ${rows.toLocaleString()} rows (generated once, then cached)\n`);
  await generate({ rows });
  await searchTable({ rows });
  if (rows > DOWNLOAD_ROWS_MAX) await generate({ rows: DOWNLOAD_ROWS_MAX });
  const suites: SuiteResult[] = [];
  const failures: Array<{ suite: string; error: string }> = [];
  for (const [i, name] of names.entries()) {
    log(`[${i + 2}/${steps}] ${name}\n`);
    const suiteFlags = { ...flags, ...(name === 'download' ? { rows: String(Math.min(rows, DOWNLOAD_ROWS_MAX)) } : {}) };
    try {
      suites.push(await runSuite(name, SUITES[name] as SuiteFn, suiteFlags));
    } catch (e) {
      const error = (e as Error).message.split('\n')[0] ?? String(e);
      log(`${name} FAILED: ${(e as Error).stack ?? error}\n`);
      failures.push({ suite: name, error });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  if (!flags['no-doc']) {
    const doc = typeof flags.doc === 'string' ? path.resolve(flags.doc) : path.join(ROOT, 'docs', 'BENCHMARKS.md');
    const command = `npm run bench -- all ${process.argv.slice(3).join(' ')}`.trim();
    await writeSection(doc, renderRun({ machine: m, command, seconds, suites, failures }));
    log(`wrote the generated section of ${path.relative(process.cwd(), doc) || doc}\n`);
  }
  console.log(JSON.stringify({ suite: 'all', rows, seconds: Math.round(seconds), machine: m, suites: suites.map((s) => s.suite), failed: failures.map((f) => f.suite), unstable: suites.flatMap((s) => s.figures.unstable().map((u) => `${s.suite}.${u}`)) }));
  return { suites, failures };
}
