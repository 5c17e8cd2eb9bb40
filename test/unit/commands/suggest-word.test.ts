import { editDistance, suggestWord } from '../../../src/commands/suggest-word';

describe('editDistance', () => {
  it.each([
    ['cdn', 'cdn', 0],
    ['cnd', 'cdn', 1],
    ['regoin', 'region', 1],
    ['rdis', 'redis', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3],
  ])('given %j and %j, then the distance is %d', (left, right, distance) => {
    expect(editDistance(left, right)).toBe(distance);
  });
});

describe('suggestWord', () => {
  const words = ['cdn', 'dcdn', 'dts', 'redis', 'tcss', 'prefetch', 'push', 'refresh', 'watch', 'unwatch', 'list', 'help'];

  it('given a swapped letter, then it suggests the word', () => {
    expect(suggestWord('cnd', words)).toBe('cdn');
    expect(suggestWord('Wacth', words)).toBe('watch');
  });

  it('given a word two edits from a long candidate, then it suggests it', () => {
    expect(suggestWord('prefeth', words)).toBe('prefetch');
    expect(suggestWord('refesh', words)).toBe('refresh');
  });

  it('given a word two edits from a short candidate, then it suggests nothing', () => {
    expect(suggestWord('abc', ['cdn', 'dts'])).toBeNull();
  });

  it('given an unrelated or very long word, then it suggests nothing', () => {
    expect(suggestWord('banana', words)).toBeNull();
    expect(suggestWord('x'.repeat(1000), words)).toBeNull();
  });

  it('given a one-letter word, then it suggests nothing rather than any one-letter-away word', () => {
    expect(suggestWord('x', ['xy'])).toBeNull();
    expect(suggestWord('', words)).toBeNull();
  });
});
