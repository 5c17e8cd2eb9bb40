import { matchesFilter, mergeListedTasks } from '../../../src/jobs/subscriptions/subscription-filter';
import type { TaskStatus } from '../../../src/providers/types';
import { parseCommand } from '../../../src/commands/parse-command';
import { describeParseError } from '../../../src/commands/messages';

function task(id: string, createdAt: string, items: Array<[string, string]>): TaskStatus {
  return {
    kind: 'cdn', id, account: 'default', region: null, found: true, state: 'running', terminal: false, rawStatus: 'process', progress: null, summary: null,
    items: items.map(([name, rawStatus]) => ({ name, state: 'running', rawStatus, progress: null })),
    createdAt, updatedAt: null, requestId: null, observedAt: createdAt,
  };
}

describe('matchesFilter', () => {
  const created = Date.parse('2026-01-01T00:00:10.500Z');
  test('given a task created in the same second as the subscription, then it matches', () => {
    expect(matchesFilter({ domain: null, statuses: [], createdAtMs: created }, task('1', '2026-01-01T00:00:10.000Z', [['https://a.example.com/x', 'process']]))).toBe(true);
  });
  test('given a task created a second earlier, then it does not match', () => {
    expect(matchesFilter({ domain: null, statuses: [], createdAtMs: created }, task('1', '2026-01-01T00:00:09.000Z', [['https://a.example.com/x', 'process']]))).toBe(false);
  });
  test('given a domain, then the URL host is compared exactly and case-insensitively', () => {
    const filter = { domain: 'a.example.com', statuses: [], createdAtMs: 0 };
    expect(matchesFilter(filter, task('1', '2026-01-01T00:00:10Z', [['https://A.Example.com/x (overseas)', 'process']]))).toBe(true);
    expect(matchesFilter(filter, task('2', '2026-01-01T00:00:10Z', [['https://b.a.example.com/x', 'process'], ['https://example.com/a.example.com', 'process']]))).toBe(false);
  });
  test('given statuses, then any URL in one of them matches', () => {
    const filter = { domain: null, statuses: ['fail', 'invalid'], createdAtMs: 0 };
    expect(matchesFilter(filter, task('1', '2026-01-01T00:00:10Z', [['https://a/x', 'done'], ['https://a/y', 'Invalid']]))).toBe(true);
    expect(matchesFilter(filter, task('2', '2026-01-01T00:00:10Z', [['https://a/x', 'done']]))).toBe(false);
  });
});

describe('mergeListedTasks', () => {
  test('given one task split over two listings, then its items are united', () => {
    const merged = mergeListedTasks([[task('1', '2026-01-01T00:00:10Z', [['u1', 'process']])], [task('1', '2026-01-01T00:00:10Z', [['u2', 'fail'], ['u1', 'process']])]]);
    expect(merged.get('1')?.items.map((item) => item.name)).toEqual(['u1', 'u2']);
  });
});

describe('parsing the subscription commands', () => {
  test('given subscribe cdn with every option, then the selection is complete', () => {
    expect(parseCommand('subscribe cdn domain=https://WWW.Example.com/x status=fail,invalid region=overseas account=prod')).toEqual({
      ok: true,
      command: { type: 'subscribe', kind: 'cdn', domain: 'www.example.com', statuses: ['fail', 'invalid'], region: 'overseas', account: 'prod' },
    });
  });
  test('given subscribe with a kind that cannot be subscribed, then the reply names the kinds that can', () => {
    const parsed = parseCommand('subscribe redis');
    expect(parsed).toMatchObject({ ok: false, error: { code: 'unsupported_subscription_kind', kind: 'redis' } });
    if (!parsed.ok) expect(describeParseError(parsed.error)).toMatch(/cdn .*tcss/);
  });
  test('given a bad status or a domain on tcss, then it is refused', () => {
    expect(parseCommand('subscribe cdn status=broken')).toMatchObject({ ok: false, error: { code: 'invalid_option', option: 'status', token: 'broken' } });
    expect(parseCommand('subscribe tcss domain=a.com')).toMatchObject({ ok: false, error: { code: 'unknown_option' } });
  });
  test('given mute, unmute, subscriptions and unsubscribe, then each parses', () => {
    expect(parseCommand('mute 1h30m')).toEqual({ ok: true, command: { type: 'mute', durationMs: 5_400_000 } });
    expect(parseCommand('mute 8d')).toMatchObject({ ok: false, error: { code: 'invalid_duration', token: '8d' } });
    expect(parseCommand('mute')).toMatchObject({ ok: false, error: { code: 'invalid_duration' } });
    expect(parseCommand('unmute')).toEqual({ ok: true, command: { type: 'unmute' } });
    expect(parseCommand('subscriptions')).toEqual({ ok: true, command: { type: 'subscriptions' } });
    expect(parseCommand('unsubscribe 2')).toEqual({ ok: true, command: { type: 'unsubscribe', number: 2 } });
    expect(parseCommand('unsubscribe all')).toEqual({ ok: true, command: { type: 'unsubscribe-all' } });
    expect(parseCommand('unsubscribe zero')).toMatchObject({ ok: false, error: { code: 'invalid_subscription_number' } });
  });
});
