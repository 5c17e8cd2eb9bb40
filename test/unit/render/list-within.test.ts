/** One list cutter for every platform: lines until the characters (as the platform counts them) or the lines run out. */
import { listWithin } from '../../../src/chat/render/list-within';

describe('listWithin', () => {
  it('given lines that all fit, then they are listed as they are', () => {
    expect(listWithin(['a', 'b'], { maxChars: 100, maxLines: 5, reserve: 10 })).toBe('a\nb');
  });

  it('given more lines than allowed, then the rest is counted', () => {
    expect(listWithin(['a', 'b', 'c', 'd'], { maxChars: 100, maxLines: 2, reserve: 10 })).toBe('a\nb\n…and 2 more');
  });

  it('given lines longer than the room left after the reserve, then the list stops before the first that does not fit', () => {
    // 5 + 1 per line: two lines take 12, a third would take 18 > 20 - 4.
    expect(listWithin(['aaaaa', 'bbbbb', 'ccccc'], { maxChars: 20, maxLines: 10, reserve: 4 })).toBe('aaaaa\nbbbbb\n…and 1 more');
  });

  it("given the platform's own measure, then lines are counted its way", () => {
    const double = (line: string): number => line.length * 2;
    expect(listWithin(['aaaaa', 'bbbbb'], { maxChars: 20, maxLines: 10, reserve: 4, measure: double })).toBe('aaaaa\n…and 1 more');
  });
});
