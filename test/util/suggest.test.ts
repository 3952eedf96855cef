import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearest } from '../../src/util/suggest.js';

describe('suggestions', () => {
  it('edit distance', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('mirro', 'mirror')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('only the nearest tier, only typo-close, cut-short names count as one edit', () => {
    expect(nearest('--jsn', ['--json', '--jobs', '--exclude'])).toEqual(['--json']);
    expect(nearest('--no-def', ['--no-default-packages', '--nodocs'])).toEqual(['--no-default-packages']);
    expect(nearest('--zzzzzz', ['--json', '--mirror'])).toEqual([]);
    expect(didYouMean('centoss:7', ['centos:4', 'centos:7'])).toBe('did you mean centos:7?');
    expect(didYouMean('ab', ['ac', 'ad', 'ae'])).toBe('did you mean ac, ad or ae?');
  });
});
