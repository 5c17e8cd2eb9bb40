/** `subscribe` reads each kind's subscription capability from its descriptor: which kinds, which filters, which words. */
import { describeParseError, helpText, usageFor } from '../../../src/commands/messages';
import { parseCommand } from '../../../src/commands/parse-command';
import type { ParseError } from '../../../src/commands/types';
import { subscribableKinds } from '../../../src/providers/kinds';

function errorOf(text: string): ParseError {
  const result = parseCommand(text);
  if (result.ok) throw new Error(`expected "${text}" to be refused`);
  return result.error;
}

describe('subscribe, per kind', () => {
  it('given every subscribable kind, then subscriptions can sweep it: it lists by window or answers its latest task', () => {
    expect(subscribableKinds().length).toBeGreaterThan(0);
    for (const descriptor of subscribableKinds()) expect(descriptor.listsByWindow || descriptor.idRule === 'none').toBe(true);
  });

  it('given purge with every filter it has, then it parses, options before the kind too', () => {
    expect(parseCommand('subscribe purge status=fail,done region=overseas domain=https://www.example.com/x account=prod')).toEqual({
      ok: true,
      command: { type: 'subscribe', kind: 'purge', statuses: ['fail', 'done'], region: 'overseas', domain: 'www.example.com', account: 'prod' },
    });
    expect(parseCommand('subscribe status=process purge')).toMatchObject({ ok: true, command: { kind: 'purge', statuses: ['process'] } });
  });

  it('given purge with a status only prefetch has, then the reply names the purge statuses', () => {
    const error = errorOf('subscribe purge status=invalid');
    expect(error).toMatchObject({ code: 'invalid_option', option: 'status', kind: 'purge', token: 'invalid' });
    expect(describeParseError(error)).toContain('"invalid" is not a CDN purge status. Statuses: fail, done, process, e.g. status=fail.');
  });

  it('given cdn with a bad area, then the reply names the prefetch areas as before', () => {
    expect(describeParseError(errorOf('subscribe cdn region=ap-guangzhou'))).toContain(
      '"ap-guangzhou" is not a CDN prefetch area: CDN has no cloud region; use region=mainland|overseas|global.',
    );
  });

  it('given tcss with a filter it does not have, then the filter is an unknown option', () => {
    expect(errorOf('subscribe tcss status=fail')).toMatchObject({ code: 'unknown_option', token: 'status', kind: 'tcss' });
    expect(errorOf('subscribe tcss domain=www.example.com')).toMatchObject({ code: 'unknown_option', token: 'domain', kind: 'tcss' });
  });

  it('given a kind without the capability, then it is refused and the reply lists the kinds that have it', () => {
    const error = errorOf('subscribe dts');
    expect(error).toMatchObject({ code: 'unsupported_subscription_kind', kind: 'dts' });
    expect(describeParseError(error)).toContain('Subscriptions cover cdn (new CDN prefetch tasks), purge (new CDN purge tasks), tcss (TCSS asset refreshes), not dts.');
  });

  it('given a typo of a subscribable kind, then the nearest is suggested', () => {
    expect(errorOf('subscribe prge')).toMatchObject({ code: 'unknown_kind', suggestion: 'purge' });
  });

  it('given the usage and the help, then each subscribable kind has its own form with only its options', () => {
    const usage = usageFor('subscribe');
    expect(usage).toContain('/task-status subscribe purge [domain=<host>] [status=fail] [region=<mainland|overseas|global>] [account=<name>]');
    expect(usage).toContain('/task-status subscribe tcss [account=<name>]');
    expect(helpText()).toContain('/task-status subscribe purge [domain=<host>] [status=fail] [region=<area>] [account=<name>]');
  });
});
