import { cutToken, MAX_TOKEN_LENGTH } from '../../../src/commands/cut-token';

describe('cutToken', () => {
  it('given a short token, then it is returned unchanged', () => {
    expect(cutToken('<!channel>')).toBe('<!channel>');
  });

  it('given a token of exactly the maximum length, then it is not cut', () => {
    const token = 'a'.repeat(MAX_TOKEN_LENGTH);
    expect(cutToken(token)).toBe(token);
  });

  it('given a long token, then it is cut to the maximum with an ellipsis', () => {
    const cut = cutToken('b'.repeat(10_000));
    expect(cut).toBe(`${'b'.repeat(MAX_TOKEN_LENGTH - 1)}…`);
  });

  it('given emoji around the cut, then no surrogate pair is split', () => {
    const cut = cutToken('😀'.repeat(40));
    expect(Array.from(cut)).toHaveLength(MAX_TOKEN_LENGTH);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(cut)).toBe(false);
  });

  it('given newlines, control, bidi and zero-width characters, then they are removed', () => {
    expect(cutToken('a\nb\u0000c\u202Ed\u200Be\u2066f')).toBe('abcdef');
  });

  it('given a long run of invisible characters before the text, then the result is still marked as cut', () => {
    expect(cutToken(`${'\u200B'.repeat(500)}abc`)).toBe('…');
  });
});
