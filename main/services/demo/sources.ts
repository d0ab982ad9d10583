// The demo's images and their real descriptions, from packages the app installs from the npm registry:
// Twemoji artwork (CC-BY 4.0) named by emoji-datasource, and national flags from svg-country-flags
// (public domain). See docs/DEMO-DATA.md for licences and what each column means.
import { createRequire } from 'node:module';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface DemoSource {
  /** Provenance URI, also the seed of the row's stable key. */
  url: string;
  file: string;
  /** A raster twin to fall back on when the SVG defeats the rasterizer. */
  fallbackFile?: string;
  imagePath: string;
  caption: string;
  license: string;
  artist: string;
}

interface EmojiRecord {
  name: string | null;
  unified: string;
  non_qualified: string | null;
  category: string;
  subcategory: string;
  sort_order: number;
  has_img_twitter: boolean;
}

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

/** Twemoji names files by code points in lowercase hex without leading zeros, mostly without FE0F. */
function twemojiCandidates(e: EmojiRecord): string[] {
  const forms = [e.unified, e.non_qualified, e.unified.replace(/-FE0F/g, '')].filter((x): x is string => !!x);
  const names = forms.map((f) =>
    f
      .split('-')
      .map((cp) => cp.toLowerCase().replace(/^0+(?=.)/, ''))
      .join('-'),
  );
  return [...new Set(names)];
}

function sentence(s: string): string {
  const lower = s.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

async function emojiSources(log: (line: string) => void): Promise<DemoSource[]> {
  const svgDir = packageDir('@twemoji/svg');
  const twVersion = packageVersion('@twemoji/svg');
  const emoji = require('emoji-datasource/emoji.json') as EmojiRecord[];
  const available = new Set(await fs.readdir(svgDir));
  const out: DemoSource[] = [];
  let missing = 0;
  for (const e of emoji) {
    // Skin-tone swatches carry no picture of their own.
    if (!e.name || e.category === 'Component') continue;
    const file = twemojiCandidates(e).find((n) => available.has(`${n}.svg`));
    if (!file) {
      missing++;
      continue;
    }
    const sub = e.subcategory.replace(/-/g, ' ');
    out.push({
      url: `npm:@twemoji/svg@${twVersion}/${file}.svg`,
      file: path.join(svgDir, `${file}.svg`),
      imagePath: `${file}.svg`,
      caption: `${sentence(e.name)} emoji (${e.category.toLowerCase()}, ${sub})`,
      license: 'CC-BY-4.0',
      artist: 'Twitter, Inc and other contributors (Twemoji)',
    });
  }
  if (missing) log(`emoji: ${missing} names have no Twemoji ${twVersion} artwork (newer emoji); skipped`);
  return out;
}

async function flagSources(): Promise<DemoSource[]> {
  const dir = packageDir('svg-country-flags');
  const version = packageVersion('svg-country-flags');
  const countries = JSON.parse(await fs.readFile(path.join(dir, 'countries.json'), 'utf8')) as Record<string, string>;
  return Object.entries(countries).map(([code, name]) => {
    const lower = code.toLowerCase();
    return {
      url: `npm:svg-country-flags@${version}/svg/${lower}.svg`,
      file: path.join(dir, 'svg', `${lower}.svg`),
      fallbackFile: path.join(dir, 'png250px', `${lower}.png`),
      imagePath: `${lower}.svg`,
      caption: `The national flag of ${name}`,
      license: 'public-domain',
      artist: 'svg-country-flags contributors',
    };
  });
}

export async function demoSources(log: (line: string) => void = () => {}): Promise<DemoSource[]> {
  return [...(await emojiSources(log)), ...(await flagSources())];
}
