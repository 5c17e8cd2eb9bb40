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
    expect(commandFromOptions('watch', { ...NO_OPTIONS, kind: 'cdn', ids: '1', progress: 'thread' })).toEqual({ ok: true, command: { type: 'watch', kind: 'cdn', ids: ['1'], progress: 'thread' } });
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

describe('commandFromOptions: subscriptions and mute', () => {
  test('given subscribe options, then the command equals the one parsed from the same text typed in Slack', () => {
    const fromDiscord = commandFromOptions('subscribe', { ...NO_OPTIONS, kind: 'cdn', domain: 'static.example.com', status: 'fail,invalid', account: 'production' });
    expect(fromDiscord).toEqual(parseCommand('subscribe cdn domain=static.example.com status=fail,invalid account=production'));
    expect(fromDiscord.ok).toBe(true);
  });

  test('given subscriptions, unmute, unsubscribe by number or all, and mute, then each maps to its command', () => {
    expect(commandFromOptions('subscriptions', NO_OPTIONS)).toEqual({ ok: true, command: { type: 'subscriptions' } });
    expect(commandFromOptions('unmute', NO_OPTIONS)).toEqual({ ok: true, command: { type: 'unmute' } });
    expect(commandFromOptions('unsubscribe', { ...NO_OPTIONS, number: 2 })).toEqual(parseCommand('unsubscribe 2'));
    expect(commandFromOptions('unsubscribe', { ...NO_OPTIONS, all: true })).toEqual(parseCommand('unsubscribe all'));
    expect(commandFromOptions('mute', { ...NO_OPTIONS, duration: '2h' })).toEqual({ ok: true, command: { type: 'mute', durationMs: 7_200_000 } });
  });

  test('given unsubscribe with neither a number nor all, then it is the parser error asking for one', () => {
    expect(commandFromOptions('unsubscribe', NO_OPTIONS)).toEqual(parseCommand('unsubscribe'));
    expect(commandFromOptions('unsubscribe', NO_OPTIONS).ok).toBe(false);
  });

  test.each([
    ['domain', { domain: 'a.com status=done' }],
    ['status', { status: 'fail invalid' }],
  ])('given a %s value with a space or "=", then it is refused, never split into another option', (option, values) => {
    const result = commandFromOptions('subscribe', { ...NO_OPTIONS, kind: 'cdn', ...values });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_option', option } });
  });

  test('given a mute duration with a space, then it is refused as invalid', () => {
    expect(commandFromOptions('mute', { ...NO_OPTIONS, duration: '2 h' })).toMatchObject({ ok: false, error: { code: 'invalid_option' } });
  });
});
