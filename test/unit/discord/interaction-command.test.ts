import { commandFromOptions, NO_OPTIONS } from '../../../src/chat/discord/interaction-command';
import { describeParseError } from '../../../src/commands/messages';
import { parseCommand } from '../../../src/commands/parse-command';

describe('commandFromOptions', () => {
  test('given query options, then the command equals the one parsed from the same text typed in Slack', () => {
    const result = commandFromOptions('query', { ...NO_OPTIONS, kind: 'redis', ids: '18215, 18216', region: 'AP-Guangzhou', account: 'prod' });
    expect(result).toEqual(parseCommand('redis 18215, 18216 region=AP-Guangzhou account=prod'));
    expect(result).toEqual({ ok: true, command: { type: 'query', kind: 'redis', ids: ['18215', '18216'], region: 'ap-guangzhou', account: 'prod' } });
  });

  test('given watch and unwatch, then they carry their subcommand', () => {
    expect(commandFromOptions('watch', { ...NO_OPTIONS, kind: 'cdn', ids: '1' })).toEqual({ ok: true, command: { type: 'watch', kind: 'cdn', ids: ['1'] } });
    expect(commandFromOptions('unwatch', { ...NO_OPTIONS, kind: 'cdn', ids: '1' })).toEqual({ ok: true, command: { type: 'unwatch', kind: 'cdn', ids: ['1'] } });
  });

  test('given unwatch with all and nothing else, then it is unwatch-all; with a kind too, then it is an error', () => {
    expect(commandFromOptions('unwatch', { ...NO_OPTIONS, all: true })).toEqual({ ok: true, command: { type: 'unwatch-all' } });
    expect(commandFromOptions('unwatch', { ...NO_OPTIONS, all: true, kind: 'cdn' }).ok).toBe(false);
  });

  test('given unwatch with nothing, then the error asks for a kind', () => {
    const result = commandFromOptions('unwatch', NO_OPTIONS);
    expect(result.ok ? null : result.error.code).toBe('missing_kind');
  });

  test('given list, help or an unknown subcommand, then they map to list and help', () => {
    expect(commandFromOptions('list', NO_OPTIONS)).toEqual({ ok: true, command: { type: 'list' } });
    expect(commandFromOptions('help', NO_OPTIONS)).toEqual({ ok: true, command: { type: 'help' } });
    expect(commandFromOptions(null, NO_OPTIONS)).toEqual({ ok: true, command: { type: 'help' } });
  });

  test('given an unknown kind, then the error text is the same as Slack gets for the same words', () => {
    const discord = commandFromOptions('query', { ...NO_OPTIONS, kind: 'dcnd', ids: '1' });
    const slack = parseCommand('dcnd 1');
    expect(discord.ok || slack.ok).toBe(false);
    if (!discord.ok && !slack.ok) expect(describeParseError(discord.error)).toBe(describeParseError(slack.error));
  });

  test.each(['watch', 'list', 'all', 'cdn 1 region=x', 'c d n', '--region'])('given the kind %j, then it is refused as an unknown kind and never reinterpreted', (kind) => {
    const result = commandFromOptions('query', { ...NO_OPTIONS, kind, ids: '123' });
    expect(result.ok ? null : result.error.code).toBe('unknown_kind');
  });

  test('given a region or account with spaces, then it is refused as invalid', () => {
    for (const options of [{ region: 'ap guangzhou' }, { account: 'my account' }]) {
      const result = commandFromOptions('query', { ...NO_OPTIONS, kind: 'redis', ids: '1', ...options });
      expect(result.ok ? null : result.error.code).toBe('invalid_option');
    }
  });
});
