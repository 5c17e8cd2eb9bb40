import { parseCommand } from '../../../src/commands/parse-command';
import { describeParseError } from '../../../src/commands/messages';
import type { ParseResult } from '../../../src/commands/types';

function parsed(text: string): ParseResult {
  return parseCommand(text);
}

describe('parseCommand: stats', () => {
  it.each([
    ['stats', { type: 'stats' }],
    ['STATS redis', { type: 'stats', kind: 'redis' }],
    ['stats prefetch account=production', { type: 'stats', kind: 'cdn', account: 'production' }],
    ['stats account=staging', { type: 'stats', account: 'staging' }],
    ['stats --account staging dcdn', { type: 'stats', kind: 'dcdn', account: 'staging' }],
  ])('given %j, then it is %j', (text, expected) => {
    expect(parsed(text)).toEqual({ ok: true, command: expected });
  });

  it.each([
    ['stats rdis', 'unknown_kind', /Did you mean "redis"\?/],
    ['stats redis cdn', 'unexpected_id', /Nothing may follow "stats", but "cdn" did/],
    ['stats redis region=ap-guangzhou', 'unknown_option', /stats takes only account=<name>/],
    ['stats account=', 'invalid_option', /account needs a value/],
    ['stats account=a account=b', 'duplicate_option', /given twice/],
  ])('given %j, then it fails with %s and the reply says why with the stats usage', (text, code, words) => {
    const result = parsed(text);
    if (result.ok) throw new Error('expected an error');
    expect(result.error.code).toBe(code);
    const reply = describeParseError(result.error);
    expect(reply).toMatch(words);
    expect(reply).toContain('Usage: /task-status stats [<kind>] [account=<name>]');
  });
});
