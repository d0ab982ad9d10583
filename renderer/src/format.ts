// Display formatting shared by the grid, the detail panel and the status bar.
import type { Cell } from '../../shared/types';

export { formatBytes } from '../../shared/format-bytes';
export { formatDuration } from '../../shared/format-duration';

export const formatCount = (n: number) => n.toLocaleString('en-US');

export function isHttpUrl(s: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(s);
}

export function cellText(cell: Cell): string {
  if (cell === null) return '—';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  if (typeof cell === 'object' && '$vector' in cell) {
    const v = (cell as { $vector: { dim: number; head: number[]; norm: number } }).$vector;
    // Three significant digits: embeddings of small magnitude read as [0.000, 0.000, …] with fixed decimals.
    const num = (x: number) => (x === 0 ? '0' : Math.abs(x) < 0.001 ? x.toExponential(2) : Number(x.toPrecision(3)).toString());
    return `${v.dim}-d vector, norm ${Number(v.norm.toPrecision(4))}: [${v.head.map(num).join(', ')}${v.dim > v.head.length ? ', …' : ''}]`;
  }
  if (typeof cell === 'object' && '$binary' in cell) {
    return `${formatCount((cell as { $binary: { bytes: number } }).$binary.bytes)} bytes`;
  }
  return JSON.stringify(cell);
}

/** EXIF arrives as JSON text; a flat object reads best as a table. Anything else stays text. */
export function parseExif(cell: Cell): Array<[string, string]> | null {
  if (typeof cell !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(cell);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    return Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  } catch {
    return null;
  }
}
