// The layering rules, checked on the source: no import cycles in main/, services know nothing of
// Electron, and the renderer imports the contract's types only.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

/** Relative imports of a file, resolved to files, with whether each is type-only. */
function imports(file: string): Array<{ to: string; typeOnly: boolean; spec: string }> {
  const text = readFileSync(file, 'utf8');
  const out: Array<{ to: string; typeOnly: boolean; spec: string }> = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)) {
    const spec = m[3] as string;
    const typeOnly = !!m[2];
    if (!spec.startsWith('.')) {
      out.push({ to: spec, typeOnly, spec });
      continue;
    }
    const base = path.resolve(path.dirname(file), spec);
    const to = ['.ts', '.tsx', '/index.ts'].map((e) => base + e).find((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
    if (to) out.push({ to, typeOnly, spec });
  }
  return out;
}

describe('the import graph', () => {
  it('has no cycles in main/ (type-only imports included)', () => {
    const files = sources(path.join(ROOT, 'main'));
    const graph = new Map(files.map((f) => [f, imports(f).filter((i) => i.to.startsWith(path.join(ROOT, 'main'))).map((i) => i.to)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const g of graph.get(f) ?? []) {
        if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g].map((x) => path.relative(ROOT, x)).join(' -> '));
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('lets each folder of main/services import only the folders its README names', () => {
    const root = path.join(ROOT, 'main', 'services');
    const folders = readdirSync(root).filter((n) => statSync(path.join(root, n)).isDirectory());
    const wrong: string[] = [];
    for (const folder of folders) {
      const readme = readFileSync(path.join(root, folder, 'README.md'), 'utf8');
      const allowed = new Set(
        (/May import: (.*?)\.?\s*$/m.exec(readme)?.[1] ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x && x !== 'nothing in services'),
      );
      allowed.add(folder);
      for (const f of sources(path.join(root, folder))) {
        for (const i of imports(f)) {
          if (!i.to.startsWith(root + path.sep)) continue;
          const target = path.relative(root, i.to).split(path.sep);
          if (target.length === 1) wrong.push(`${path.relative(ROOT, f)} imports ${i.spec} (the wiring at the top of services)`);
          else if (!allowed.has(target[0] as string)) wrong.push(`${path.relative(ROOT, f)} imports ${i.spec} (${folder} may import ${[...allowed].join(', ')})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps Electron out of main/services and the schema library out of the renderer', () => {
    const services = sources(path.join(ROOT, 'main', 'services')).filter((f) => imports(f).some((i) => i.to === 'electron'));
    expect(services.map((f) => path.relative(ROOT, f))).toEqual([]);
    const renderer = sources(path.join(ROOT, 'renderer', 'src')).flatMap((f) =>
      imports(f)
        .filter((i) => i.to === 'zod' || (i.to.includes(`${path.sep}shared${path.sep}contract`) && !i.typeOnly))
        .map((i) => `${path.relative(ROOT, f)} imports ${i.spec}`),
    );
    expect(renderer).toEqual([]);
  });
});
