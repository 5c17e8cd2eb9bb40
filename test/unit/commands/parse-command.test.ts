import { MAX_COMMAND_LENGTH, parseCommand } from '../../../src/commands/parse-command';
import type { Command, ParseError, ParseResult } from '../../../src/commands/types';

function command(result: ParseResult): Command {
  if (!result.ok) throw new Error(`expected a command, got error ${JSON.stringify(result.error)}`);
  return result.command;
}

function error(result: ParseResult): ParseError {
  if (result.ok) throw new Error(`expected an error, got command ${JSON.stringify(result.command)}`);
  return result.error;
}

describe('parseCommand: help', () => {
  it.each(['', '   ', '\n\t', 'help', 'HELP', ' Help  ', 'help cdn 123'])('given %j, then it is help', (text) => {
    expect(command(parseCommand(text))).toEqual({ type: 'help' });
  });
});

describe('parseCommand: queries', () => {
  it('given a kind and one ID, then it is a query for that ID', () => {
    expect(command(parseCommand('cdn 1533031853231313311'))).toEqual({ type: 'query', kind: 'cdn', ids: ['1533031853231313311'] });
  });

  it('given IDs separated by spaces, commas and both, then every ID is kept in order', () => {
    expect(command(parseCommand('dcdn 1,2 3 , 4,,5, 6'))).toEqual({ type: 'query', kind: 'dcdn', ids: ['1', '2', '3', '4', '5', '6'] });
  });

  it('given a comma right after the kind, then the kind is still recognized', () => {
    expect(command(parseCommand('dcdn,7,8'))).toEqual({ type: 'query', kind: 'dcdn', ids: ['7', '8'] });
  });

  it('given duplicate IDs, then they collapse to one each, first order kept', () => {
    expect(command(parseCommand('redis 3 1 3 2 1'))).toEqual({ type: 'query', kind: 'redis', ids: ['3', '1', '2'] });
  });

  it('given one Redis TaskId written with leading zeros too, then it is one ID, without the zeros', () => {
    expect(command(parseCommand('watch redis 018215 18215 0018215 0 region=ap-guangzhou'))).toEqual({ type: 'watch', kind: 'redis', ids: ['18215', '0'], region: 'ap-guangzhou' });
  });

  it('given CDN IDs with leading zeros, then they are kept as typed (only Redis TaskIds are integers)', () => {
    expect(command(parseCommand('cdn 0123 123'))).toEqual({ type: 'query', kind: 'cdn', ids: ['0123', '123'] });
  });

  it('given 11 DCDN IDs, then all are accepted (the provider splits them)', () => {
    const ids = Array.from({ length: 11 }, (_, index) => String(1000 + index));
    expect(command(parseCommand(`dcdn ${ids.join(',')}`))).toEqual({ type: 'query', kind: 'dcdn', ids });
  });

  it('given exactly 50 distinct IDs, then they are accepted', () => {
    const ids = Array.from({ length: 50 }, (_, index) => String(index + 1));
    expect(command(parseCommand(`dcdn ${ids.join(' ')}`))).toMatchObject({ ids });
  });

  it('given 60 copies of one ID, then they collapse and are accepted', () => {
    expect(command(parseCommand(`cdn ${Array(60).fill('42').join(' ')}`))).toMatchObject({ ids: ['42'] });
  });

  it.each([
    ['region=ap-guangzhou'],
    ['--region ap-guangzhou'],
    ['--region=ap-guangzhou'],
    ['REGION=AP-Guangzhou'],
    ['-region ap-guangzhou'],
  ])('given the region as %j, then the query carries region ap-guangzhou', (option) => {
    expect(command(parseCommand(`dts cafebabe-254f-11ea-8995-e92c139e6918 ${option}`))).toEqual({
      type: 'query',
      kind: 'dts',
      ids: ['cafebabe-254f-11ea-8995-e92c139e6918'],
      region: 'ap-guangzhou',
    });
  });

  it('given account and region in every accepted form and position, then both are carried', () => {
    expect(command(parseCommand('redis account=prod 18215 --region ap-shanghai-fsi 18216'))).toEqual({
      type: 'query',
      kind: 'redis',
      ids: ['18215', '18216'],
      region: 'ap-shanghai-fsi',
      account: 'prod',
    });
    expect(command(parseCommand('redis 1 --account=prod'))).toMatchObject({ account: 'prod' });
    expect(command(parseCommand('redis 1 --account prod'))).toMatchObject({ account: 'prod' });
  });

  it('given options before the kind, then the query is still understood', () => {
    expect(command(parseCommand('region=ap-guangzhou redis 18215'))).toEqual({ type: 'query', kind: 'redis', ids: ['18215'], region: 'ap-guangzhou' });
  });

  it('given the same option twice with the same value, then it is accepted', () => {
    expect(command(parseCommand('redis 1 region=ap-guangzhou --region ap-guangzhou'))).toMatchObject({ region: 'ap-guangzhou' });
  });

  it('given a trailing comma after a region value, then the comma is ignored', () => {
    expect(command(parseCommand('redis 1, region=ap-guangzhou,'))).toMatchObject({ ids: ['1'], region: 'ap-guangzhou' });
  });

  it.each([
    ['prefetch', 'cdn'],
    ['push', 'cdn'],
    ['PUSH', 'cdn'],
    ['refresh', 'dcdn'],
    ['Refresh', 'dcdn'],
    ['CDN', 'cdn'],
    ['Redis', 'redis'],
  ])('given the kind word %j, then the kind is %s', (word, kind) => {
    expect(command(parseCommand(`${word} 123`))).toMatchObject({ type: 'query', kind, ids: ['123'] });
  });

  it('given tcss with no ID, then it is a query with no IDs', () => {
    expect(command(parseCommand('tcss'))).toEqual({ type: 'query', kind: 'tcss', ids: [] });
    expect(command(parseCommand('TCSS region=ap-guangzhou'))).toEqual({ type: 'query', kind: 'tcss', ids: [], region: 'ap-guangzhou' });
  });
});

describe('parseCommand: watch, unwatch, list', () => {
  it('given watch with a kind and IDs, then it is a watch command', () => {
    expect(command(parseCommand('watch prefetch 11, 12 region=ap-guangzhou'))).toEqual({ type: 'watch', kind: 'cdn', ids: ['11', '12'], region: 'ap-guangzhou' });
  });

  it('given unwatch with a kind and an ID, then it is an unwatch command', () => {
    expect(command(parseCommand('UNWATCH dcdn 5'))).toEqual({ type: 'unwatch', kind: 'dcdn', ids: ['5'] });
  });

  it('given unwatch all, then it is unwatch-all', () => {
    expect(command(parseCommand('unwatch all'))).toEqual({ type: 'unwatch-all' });
    expect(command(parseCommand('unwatch ALL'))).toEqual({ type: 'unwatch-all' });
  });

  it('given list, then it is list', () => {
    expect(command(parseCommand(' list '))).toEqual({ type: 'list' });
  });

  it('given watch tcss, then it watches the latest TCSS task', () => {
    expect(command(parseCommand('watch tcss'))).toEqual({ type: 'watch', kind: 'tcss', ids: [] });
  });

  it('given list followed by anything, then it is unexpected_id for list', () => {
    expect(error(parseCommand('list cdn'))).toEqual({ code: 'unexpected_id', token: 'cdn', subcommand: 'list' });
  });

  it('given unwatch all followed by anything, then it is unexpected_id for unwatch-all', () => {
    expect(error(parseCommand('unwatch all region=ap-guangzhou'))).toMatchObject({ code: 'unexpected_id', subcommand: 'unwatch-all' });
  });

  it('given watch with no kind, then it is missing_kind for watch', () => {
    expect(error(parseCommand('watch'))).toEqual({ code: 'missing_kind', subcommand: 'watch' });
  });

  it('given watch with an ID but no kind, then it is missing_kind naming the ID', () => {
    expect(error(parseCommand('watch 1533031853231313311'))).toEqual({ code: 'missing_kind', token: '1533031853231313311', subcommand: 'watch' });
  });

  it('given watch with a kind but no ID, then it is missing_id for that kind', () => {
    expect(error(parseCommand('watch cdn'))).toEqual({ code: 'missing_id', kind: 'cdn', subcommand: 'watch' });
  });

  it('given watch with progress=thread or progress=card, then the watch carries it; without it, nothing is added', () => {
    expect(command(parseCommand('watch dcdn 5 progress=thread'))).toEqual({ type: 'watch', kind: 'dcdn', ids: ['5'], progress: 'thread' });
    expect(command(parseCommand('watch dcdn 5 --progress CARD'))).toEqual({ type: 'watch', kind: 'dcdn', ids: ['5'], progress: 'card' });
    expect(command(parseCommand('watch dcdn 5'))).toEqual({ type: 'watch', kind: 'dcdn', ids: ['5'] });
  });

  it('given a bad, empty or twice-given progress, or progress on a query or unwatch, then each is its own error', () => {
    expect(error(parseCommand('watch dcdn 5 progress=everything'))).toEqual({ code: 'invalid_option', option: 'progress', token: 'everything', subcommand: 'watch', kind: 'dcdn' });
    expect(error(parseCommand('watch dcdn 5 progress='))).toEqual({ code: 'invalid_option', option: 'progress', subcommand: 'watch', kind: 'dcdn' });
    expect(error(parseCommand('watch dcdn 5 progress=card progress=thread'))).toMatchObject({ code: 'duplicate_option', option: 'progress' });
    expect(error(parseCommand('dcdn 5 progress=thread'))).toMatchObject({ code: 'unknown_option', token: 'progress', subcommand: 'query' });
    expect(error(parseCommand('unwatch dcdn 5 progress=thread'))).toMatchObject({ code: 'unknown_option', token: 'progress', subcommand: 'unwatch' });
  });

  it('given unwatch with a mistyped kind, then it suggests the kind', () => {
    expect(error(parseCommand('unwatch rdis 5'))).toEqual({ code: 'unknown_kind', token: 'rdis', suggestion: 'redis', subcommand: 'unwatch' });
  });
});

describe('parseCommand: errors', () => {
  it('given 5000 characters, then it is too_long', () => {
    expect(error(parseCommand(`cdn ${'1'.repeat(4996)}`))).toEqual({ code: 'too_long' });
  });

  it('given exactly the maximum length, then it is parsed (and an over-long ID is refused on its own)', () => {
    const text = `cdn ${'1'.repeat(MAX_COMMAND_LENGTH - 4)}`;
    expect(text).toHaveLength(MAX_COMMAND_LENGTH);
    expect(error(parseCommand(text))).toMatchObject({ code: 'id_too_long', kind: 'cdn' });
  });

  it('given an unknown kind close to cdn, then it suggests cdn', () => {
    expect(error(parseCommand('cnd 123'))).toEqual({ code: 'unknown_kind', token: 'cnd', suggestion: 'cdn', subcommand: 'query' });
  });

  it('given a mistyped alias, then it suggests the alias', () => {
    expect(error(parseCommand('prefech 123'))).toMatchObject({ code: 'unknown_kind', suggestion: 'prefetch' });
  });

  it('given an unknown word far from every kind, then it is unknown_kind without a suggestion', () => {
    expect(error(parseCommand('banana 123'))).toEqual({ code: 'unknown_kind', token: 'banana', subcommand: 'query' });
  });

  it('given an ID where the kind should be, then it is missing_kind', () => {
    expect(error(parseCommand('1533031853231313311'))).toEqual({ code: 'missing_kind', token: '1533031853231313311', subcommand: 'query' });
  });

  it('given only options, then it is missing_kind', () => {
    expect(error(parseCommand('region=ap-guangzhou'))).toEqual({ code: 'missing_kind', subcommand: 'query' });
  });

  it('given a mistyped subcommand, then it is unknown_subcommand with a suggestion', () => {
    expect(error(parseCommand('wach cdn 1'))).toEqual({ code: 'unknown_subcommand', token: 'wach', suggestion: 'watch' });
    expect(error(parseCommand('lsit'))).toEqual({ code: 'unknown_subcommand', token: 'lsit', suggestion: 'list' });
  });

  it.each(['cdn', 'dcdn', 'dts', 'redis'] as const)('given %s with no ID, then it is missing_id', (kind) => {
    expect(error(parseCommand(kind))).toEqual({ code: 'missing_id', kind, subcommand: 'query' });
  });

  it('given only commas after the kind, then it is missing_id', () => {
    expect(error(parseCommand('cdn , ,,'))).toEqual({ code: 'missing_id', kind: 'cdn', subcommand: 'query' });
  });

  it('given tcss with an ID, then it is unexpected_id', () => {
    expect(error(parseCommand('tcss 12345'))).toEqual({ code: 'unexpected_id', kind: 'tcss', token: '12345', subcommand: 'query' });
  });

  it('given 51 distinct IDs, then it is too_many_ids', () => {
    const ids = Array.from({ length: 51 }, (_, index) => String(index + 1));
    expect(error(parseCommand(`dcdn ${ids.join(',')}`))).toEqual({ code: 'too_many_ids', kind: 'dcdn', subcommand: 'query' });
  });

  it('given a Redis ID that is not an integer, then it is invalid_id with the token', () => {
    expect(error(parseCommand('redis 12a region=ap-guangzhou'))).toEqual({ code: 'invalid_id', kind: 'redis', token: '12a', subcommand: 'query' });
  });

  it('given an ID over 128 characters, then it is id_too_long with the token cut', () => {
    const result = error(parseCommand(`dts ${'a'.repeat(129)}`));
    expect(result).toMatchObject({ code: 'id_too_long', kind: 'dts' });
    expect(result.token).toBe(`${'a'.repeat(31)}…`);
  });

  it('given an option typo, then it is unknown_option suggesting region', () => {
    expect(error(parseCommand('dts abc regoin=ap-guangzhou'))).toEqual({ code: 'unknown_option', token: 'regoin', suggestion: 'region', kind: 'dts', subcommand: 'query' });
    expect(error(parseCommand('dts abc --regin ap-guangzhou'))).toMatchObject({ code: 'unknown_option', token: 'regin', suggestion: 'region' });
    expect(error(parseCommand('dts abc --acount=x'))).toMatchObject({ code: 'unknown_option', suggestion: 'account' });
  });

  it('given an unknown option far from every option, then there is no suggestion', () => {
    expect(error(parseCommand('dts abc --json'))).toEqual({ code: 'unknown_option', token: 'json', kind: 'dts', subcommand: 'query' });
  });

  it.each(['region=', '--region', '--region=', 'account='])('given the option %j without a value, then it is invalid_option without a token', (option) => {
    const result = error(parseCommand(`redis 1 ${option}`));
    expect(result.code).toBe('invalid_option');
    expect(result.option).toBe(option.includes('account') ? 'account' : 'region');
    expect(result.token).toBeUndefined();
  });

  it('given --region followed by another option, then the region has no value', () => {
    expect(error(parseCommand('redis 1 --region --account prod'))).toMatchObject({ code: 'invalid_option', option: 'region' });
  });

  it.each(['guangzhou', 'a-b', 'ap_guangzhou', 'ap-', 'ap-guang-zhou-x-y', '<!channel>'])('given the malformed region %j, then it is invalid_option', (region) => {
    expect(error(parseCommand(`redis 1 region=${region}`))).toMatchObject({ code: 'invalid_option', option: 'region', token: region });
  });

  it('given a malformed account name, then it is invalid_option', () => {
    expect(error(parseCommand('cdn 1 account=<@U123>'))).toMatchObject({ code: 'invalid_option', option: 'account', token: '<@U123>' });
  });

  it('given two different regions, then it is duplicate_option', () => {
    expect(error(parseCommand('redis 1 region=ap-guangzhou --region ap-beijing'))).toEqual({
      code: 'duplicate_option',
      option: 'region',
      token: 'region',
      kind: 'redis',
      subcommand: 'query',
    });
  });
});

describe('parseCommand: hostile input', () => {
  it.each(['<!channel>', '<@U123>', '<http://x|y>', '*bold*', '<!here|here>'])(
    'given the mrkdwn payload %j as a DCDN ID, then it is rejected as invalid_id',
    (payload) => {
      expect(error(parseCommand(`dcdn ${payload}`))).toMatchObject({ code: 'invalid_id', kind: 'dcdn', token: payload });
    },
  );

  it.each(['<!channel>', '<@U123>', '<http://x|y>', '*bold*'])('given the mrkdwn payload %j as a Redis ID, then it is rejected as invalid_id', (payload) => {
    expect(error(parseCommand(`redis ${payload} region=ap-guangzhou`))).toMatchObject({ code: 'invalid_id', kind: 'redis' });
  });

  it.each(['<!channel>', '<@U123>', '<http://x|y>', '*bold*'])(
    'given the mrkdwn payload %j as a CDN ID, then it is rejected as invalid_id and never queried',
    (payload) => {
      expect(error(parseCommand(`cdn ${payload}`))).toMatchObject({ code: 'invalid_id', kind: 'cdn' });
    },
  );

  it('given a mention in the kind position, then the error token is the mention cut, and nothing else of the input', () => {
    const result = error(parseCommand(`<!channel> ${'x'.repeat(100)}`));
    expect(result).toEqual({ code: 'unknown_kind', token: '<!channel>', subcommand: 'query' });
  });

  it('given a very long unknown kind, then the token is cut to a safe length', () => {
    const result = error(parseCommand(`${'z'.repeat(500)} 1`));
    expect(result.code).toBe('unknown_kind');
    expect(Array.from(result.token ?? '').length).toBeLessThanOrEqual(32);
  });

  it('given control and bidi characters in a bad token, then they are removed from the error token', () => {
    const result = error(parseCommand('redis 1\u202E2\u0007'));
    expect(result).toMatchObject({ code: 'invalid_id', token: '12' });
  });

  it('given a prototype-property name as a kind, then it is an unknown kind, not a crash', () => {
    expect(error(parseCommand('constructor 1'))).toMatchObject({ code: 'unknown_kind' });
    expect(error(parseCommand('__proto__ 1'))).toMatchObject({ code: 'unknown_kind' });
  });

  it('given a negative number as a Redis ID, then it is an invalid ID, not an option', () => {
    expect(error(parseCommand('redis -5 region=ap-guangzhou'))).toMatchObject({ code: 'invalid_id', token: '-5' });
  });

  it('given 4000 characters of commas and spaces after a kind, then it answers missing_id', () => {
    const text = `cdn ${', '.repeat(1998)}`;
    expect(text.length).toBeLessThanOrEqual(MAX_COMMAND_LENGTH);
    expect(error(parseCommand(text))).toMatchObject({ code: 'missing_id' });
  });
});
