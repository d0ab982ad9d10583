// A second writer for the safety tests, in its own process: `tsx label-writer.ts <table dir> <mode> ...`
//   script <from> <to> <value>  label rows with key in [from, to) one by one with raw LanceDB, as a
//                              notebook would, printing "wrote <key>" after each commit
//   app <value>                 label one row after another through the app's own services until
//                              killed, printing "wrote <n> <key>" after each commit
//   whole <value>               label every row of the table at once (Lance rewrites them all), again
//                              and again, printing "wrote <n> all"
//   derived                     add derived columns one after another, printing "wrote <n> column"
import path from 'node:path';
import { lancedb } from '../services/dataset/lance';
import { openInApp } from './fixtures';

const [tablePath, mode, ...args] = process.argv.slice(2) as [string, string, ...string[]];

if (mode === 'script') {
  const [from, to, value] = [Number(args[0]), Number(args[1]), args[2] as string];
  const db = await lancedb.connect(path.dirname(tablePath));
  const table = await db.openTable(path.basename(tablePath, '.lance'));
  for (let k = from; k < to; k++) {
    // The way a person would write it: by key, retrying on a commit conflict.
    for (let attempt = 0; ; attempt++) {
      try {
        await table.update({ where: `key = ${k}`, valuesSql: { quality: `'${value}'` } });
        break;
      } catch (err) {
        if (attempt > 5) throw err;
      }
    }
    console.log(`wrote ${k}`);
  }
} else if (mode === 'app' || mode === 'whole' || mode === 'derived') {
  // Its own data folder: this process is another app window, not the test's.
  const { dispatch, info } = await openInApp(path.join(path.dirname(tablePath), 'writer'), tablePath);
  for (let n = 0; mode === 'whole'; n++) {
    const r = await dispatch('labels:set', { id: info.id, viewId: null, column: 'quality', value: args[0] as string, all: { expectedCount: info.rowCount } });
    if (!r.ok) throw new Error(r.error.message);
    console.log(`wrote ${n} all`);
  }
  for (let n = 0; mode === 'derived'; n++) {
    const r = await dispatch('evolve:add-derived', { id: info.id, name: `area_${process.pid}_${n}`, expression: 'width * height + 1' });
    if (!r.ok) throw new Error(r.error.message);
    console.log(`wrote ${n} column`);
  }
  for (let n = 0; ; n++) {
    const position = (n * 37 + 11) % info.rowCount;
    const page = await dispatch('rows:page', { id: info.id, offset: position, limit: 1 });
    if (!page.ok) throw new Error(page.error.message);
    const key = (page.value as { rows: Array<{ values: Record<string, unknown> }> }).rows[0]!.values.key;
    const r = await dispatch('labels:set', { id: info.id, viewId: null, column: 'quality', value: args[0] as string, positions: [position] });
    if (!r.ok) throw new Error(r.error.message);
    console.log(`wrote ${n} ${String(key)}`);
  }
}
