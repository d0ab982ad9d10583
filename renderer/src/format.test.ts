// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { cellText } from './format';
import { chipColour } from './components/Tile';

describe('what cells and labels look like', () => {
  it('shows small embeddings with significant digits, and no "…" when the whole vector is shown', () => {
    expect(cellText({ $vector: { dim: 768, head: [0.00012, -0.0345, 0, 0.5], norm: 1 } } as never)).toBe('768-d vector, norm 1: [1.20e-4, -0.0345, 0, 0.5, …]');
    expect(cellText({ $vector: { dim: 2, head: [0.25, -1], norm: 1.0307764 } } as never)).toBe('2-d vector, norm 1.031: [0.25, -1]');
  });
  it('gives each label column its own colour, the same every time', () => {
    expect(chipColour('quality')).not.toBe(chipColour('source'));
    expect(chipColour('quality')).toBe(chipColour('quality'));
  });
});
