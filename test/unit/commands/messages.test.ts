import {
  COMMAND_NAME,
  describeParseError,
  describeProviderError,
  exampleFor,
  helpText,
  missingRegionText,
  unwatchedText,
  watchingText,
  watchListText,
} from '../../../src/commands/messages';
import { parseCommand } from '../../../src/commands/parse-command';
import type { ParseError, ParseErrorCode } from '../../../src/commands/types';
import { watchSummary } from '../../support/recording-watch-service';
import { ProviderError } from '../../../src/providers/errors';
import { TASK_KINDS } from '../../../src/providers/types';
import { kindDescriptor } from '../../../src/providers/kinds';

function parseErrorOf(text: string): ParseError {
  const result = parseCommand(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to fail`);
  return result.error;
}

/** One real input per parse error code the parser emits, as a user would type it. */
const INPUT_FOR_CODE: ReadonlyArray<[ParseErrorCode, string]> = [
  ['too_long', `cdn ${'1 '.repeat(2600)}`],
  ['unknown_kind', 'cnd 123'],
  ['missing_kind', '1533031853231313311'],
  ['missing_id', 'redis region=ap-guangzhou'],
  ['unexpected_id', 'tcss 99'],
  ['id_too_long', `dts ${'f'.repeat(200)}`],
  ['invalid_id', 'redis abc'],
  ['too_many_ids', `dcdn ${Array.from({ length: 51 }, (_, index) => index + 1).join(',')}`],
  ['unknown_option', 'dts x regoin=ap-guangzhou'],
  ['invalid_option', 'dts x region=guangzhou'],
  ['duplicate_option', 'dts x region=ap-guangzhou region=ap-beijing'],
  ['unknown_subcommand', 'wacth cdn 1'],
];

describe('describeParseError', () => {
  it.each(INPUT_FOR_CODE)('given a %s error from real input, then the reply names the problem and shows the correct form', (code, text) => {
    const error = parseErrorOf(text);
    expect(error.code).toBe(code);
    const reply = describeParseError(error);
    expect(reply).toContain(COMMAND_NAME);
    // Short: a few lines, never the whole input.
    expect(reply.split('\n').length).toBeLessThanOrEqual(3);
    expect(reply.length).toBeLessThan(400);
  });

  it('given an unknown kind with a suggestion, then the reply suggests it and lists the kinds', () => {
    const reply = describeParseError(parseErrorOf('cnd 123'));
    expect(reply).toContain('Unknown task kind "cnd"');
    expect(reply).toContain('Did you mean "cdn"?');
    expect(TASK_KINDS).toEqual(expect.arrayContaining(['cdn', 'purge', 'tcss']));
    expect(reply).toContain(TASK_KINDS.join(', '));
    expect(reply).toMatch(/\bcdn, dcdn\b/);
  });

  it('given an option typo, then the reply suggests region', () => {
    expect(describeParseError(parseErrorOf('redis 1 regoin=ap-guangzhou'))).toContain('Did you mean "region"?');
  });

  it('given tcss with an ID, then the reply says tcss takes no ID', () => {
    expect(describeParseError(parseErrorOf('tcss 99'))).toMatch(/^tcss takes no task ID/);
  });

  it('given a non-integer Redis ID, then the reply says Redis IDs are whole numbers with an example', () => {
    const reply = describeParseError(parseErrorOf('redis abc'));
    expect(reply).toContain('"abc" is not a valid Redis task ID');
    expect(reply).toContain('whole numbers');
    expect(reply).toContain(exampleFor('redis'));
  });

  it('given a watch error, then the usage line is the watch form', () => {
    expect(describeParseError(parseErrorOf('watch cdn'))).toContain(`${COMMAND_NAME} watch cdn`);
  });

  it('given empty_id and missing_region codes (not emitted by the parser today), then they still have text', () => {
    expect(describeParseError({ code: 'empty_id', kind: 'cdn' })).toContain('empty');
    expect(describeParseError({ code: 'missing_region', kind: 'dts' })).toContain('DTS needs a region');
  });

  it('given a payload of 5000 characters, then the reply quotes none of it', () => {
    const payload = `<!channel>${'A'.repeat(4990)}`;
    const reply = describeParseError(parseErrorOf(`cdn ${payload}`));
    expect(reply).not.toContain('<!channel>');
    expect(reply).not.toContain('AAAA');
  });

  it('given a long mention payload as a Redis ID, then the reply quotes only the cut token', () => {
    const payload = `<!channel>${'B'.repeat(100)}`;
    const reply = describeParseError(parseErrorOf(`redis ${payload}`));
    expect(reply).toContain(`"<!channel>${'B'.repeat(21)}…"`);
    expect(reply).not.toContain('B'.repeat(22));
  });
});

describe('helpText', () => {
  const help = helpText();

  it('given the help text, then it has one example per kind and the watch commands', () => {
    for (const kind of TASK_KINDS) expect(help).toContain(exampleFor(kind));
    expect(help).toContain(`${COMMAND_NAME} watch`);
    expect(help).toContain(`${COMMAND_NAME} unwatch all`);
    expect(help).toContain(`${COMMAND_NAME} list`);
  });

  it.each(TASK_KINDS)('given the %s example, then the parser accepts it as a query of that kind', (kind) => {
    const result = parseCommand(kindDescriptor(kind).exampleArguments);
    expect(result).toMatchObject({ ok: true, command: { type: 'query', kind } });
    expect(parseCommand(`watch ${kindDescriptor(kind).exampleArguments}`)).toMatchObject({ ok: true, command: { type: 'watch', kind } });
  });
});

describe('describeProviderError', () => {
  it('given a throttled error on two tasks, then the reply names them, says retrying helps and gives the code', () => {
    const error = new ProviderError({ code: 'throttled', facts: { fact: 'vendor_code', cloud: 'tencent' }, providerCode: 'RequestLimitExceeded', requestId: 'req-1', api: 'cdn.DescribePushTasks' });
    const reply = describeProviderError(error, [
      { kind: 'cdn', id: '11' },
      { kind: 'cdn', id: '12' },
    ]);
    expect(reply).toContain('Could not query CDN 11, 12');
    expect(reply).toContain('Tencent Cloud is throttling cdn.DescribePushTasks (RequestLimitExceeded, RequestId req-1); try again shortly.');
    expect(reply).toContain('try again in a few seconds');
    expect(reply).toContain('code RequestLimitExceeded, RequestId req-1');
  });

  it('given refused credentials while watching, then the reply says retrying will not help', () => {
    const error = new ProviderError({ code: 'auth_failed', facts: { fact: 'vendor_code', cloud: 'tencent' }, providerCode: 'AuthFailure.SecretIdNotFound' });
    const reply = describeProviderError(error, [{ kind: 'redis', id: '5' }], 'watch');
    expect(reply).toMatch(/^Could not watch Redis 5: Tencent Cloud refused the credentials \(AuthFailure\.SecretIdNotFound\): check the SecretId and SecretKey\. Retrying will not help/);
  });

  it('given many refs, then the list is cut with "and N more"', () => {
    const refs = Array.from({ length: 12 }, (_, index) => ({ kind: 'dcdn' as const, id: String(index) }));
    expect(describeProviderError(new ProviderError({ code: 'unavailable', facts: { fact: 'http_status', cloud: 'alibaba', withRequestId: true }, httpStatus: 503 }), refs)).toContain('DCDN 0, 1, 2, 3, 4 and 7 more');
  });
});

describe('watch texts', () => {
  const summary = watchSummary('w1', { kind: 'dts', id: 'cafebabe-1', region: 'ap-guangzhou' }, { platform: 'slack', channelId: 'C1' });

  it('given one started watch, then the reply names the task, region, state and next check', () => {
    const text = watchingText([summary]);
    expect(text).toContain('Watching 1 task;');
    expect(text).toContain('dts cafebabe-1 [region ap-guangzhou]: running (running), next check 2026-11-23 12:00 UTC');
  });

  it('given an empty list, then the reply says nothing is watched and how to start', () => {
    expect(watchListText([])).toContain(`No task is being watched in this channel. Start with ${COMMAND_NAME} watch`);
  });

  it('given two watches in a list, then both appear with their account when not default', () => {
    const text = watchListText([summary, { ...summary, watchId: 'w2', ref: { kind: 'cdn', id: '9', region: 'ap-guangzhou', account: 'prod' }, state: null, rawStatus: null }]);
    expect(text).toContain('Watching 2 tasks in this channel:');
    expect(text).toContain('cdn 9 [region ap-guangzhou, account prod]: not checked yet');
  });

  it('given unwatch counts, then the reply says how many stopped', () => {
    expect(unwatchedText(0, false)).toBe('None of those tasks is being watched in this channel.');
    expect(unwatchedText(0, true)).toBe('No task is being watched in this channel.');
    expect(unwatchedText(3, true)).toBe('Stopped watching 3 tasks in this channel.');
    expect(unwatchedText(1, false)).toBe('Stopped watching 1 task.');
  });

  it('given a kind that needs a region, then the missing-region text names the kind and shows an example', () => {
    expect(missingRegionText('dts')).toContain(`DTS needs a region: add region=<region>, e.g. ${exampleFor('dts')}`);
  });
});
