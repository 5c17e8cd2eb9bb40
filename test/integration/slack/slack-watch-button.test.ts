/**
 * The "Watch" button hands the query message to the watch engine as its status card. The
 * engine is an in-test implementation of the WatchService interface (the BullMQ engine has
 * its own tests); what is under test is what the adapter asks of it.
 */
import { WATCH_ACTION_ID } from '../../../src/chat/slack/blocks';
import { encodeSelection } from '../../../src/chat/slack/button-value';
import { AccessPolicy } from '../../../src/accounts/access-policy';
import { createAuditLog } from '../../../src/accounts/audit-log';
import { blockActionPayload, findButton, postInteraction, postSlashCommand } from '../../fakes/slack/signed-requests';
import { SIGNING_SECRET, startSlackHarness, textOfMessage, type SlackHarness } from './slack-harness';
import { RecordingWatchService } from '../../support/recording-watch-service';

const WAIT_MS = 10_000;

describe('Slack Watch button', () => {
  let harness: SlackHarness;
  const watches = new RecordingWatchService();

  const auditLines: string[] = [];

  beforeAll(async () => {
    const access = { policy: AccessPolicy.allowAll(), audit: createAuditLog((line) => auditLines.push(line)) };
    harness = await startSlackHarness({ mode: 'http', watches, services: { access } });
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('given Watch is pressed on a query reply listing several tasks, then the engine is asked to watch those tasks, each with a card of its own', async () => {
    const ids = [1, 2].map((index) => harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: `http://example.com/${index}`, steps: [{ afterMs: 0, status: 'Refreshing', percent: 5 }] }] }));
    const answer = await postSlashCommand(harness.eventsUrl, { text: `dcdn ${ids.join(' ')}`, response_url: harness.slack.newResponseUrl(), channel_id: 'C0OPS' }, { signingSecret: SIGNING_SECRET });
    expect(answer.status).toBe(200);
    const post = await harness.slack.waitForCall((call) => call.method === 'chat.postMessage' && textOfMessage(call.body).includes(ids[0]!), WAIT_MS);
    const ts = String(post.answer?.['ts']);

    const responseUrl = harness.slack.newResponseUrl();
    const button = findButton(post.body['blocks'], WATCH_ACTION_ID)!;
    const press = await postInteraction(
      harness.eventsUrl,
      blockActionPayload({ button, channelId: 'C0OPS', messageTs: ts, messageBlocks: post.body['blocks'], responseUrl, userId: 'U0BOB' }),
      { signingSecret: SIGNING_SECRET },
    );
    expect(press.status).toBe(200);
    const reply = await harness.slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
    expect(textOfMessage(reply.body)).toContain('Watching 2 tasks');
    expect(watches.requests).toEqual([
      {
        refs: ids.map((id) => ({ kind: 'dcdn', id, account: 'default' })),
        channel: { platform: 'slack', channelId: 'C0OPS' },
        requestedBy: 'U0BOB',
      },
    ]);
  });

  it.each([
    ['51 IDs, one over the limit', { kind: 'dcdn' as const, ids: Array.from({ length: 51 }, (_, index) => String(704225600 + index)) }],
    ['a DCDN ID that smuggles a second ID', { kind: 'dcdn' as const, ids: ['704225667,704225668'] }],
    ['a Redis ID that is not an integer', { kind: 'redis' as const, ids: ['18215; DROP'], region: 'ap-guangzhou' }],
    ['a malformed region', { kind: 'redis' as const, ids: ['18215'], region: 'ap guangzhou' }],
    ['a malformed account', { kind: 'cdn' as const, ids: ['1234567'], account: '../production' }],
    ['a TCSS selection with IDs', { kind: 'tcss' as const, ids: ['1'] }],
  ])('given a forged Watch button value with %s, then the press is refused as a stale button and nothing is watched', async (_label, selection) => {
    const before = watches.requests.length;
    const value = encodeSelection(selection);
    expect(value).not.toBeNull();
    const responseUrl = harness.slack.newResponseUrl();
    const press = await postInteraction(
      harness.eventsUrl,
      blockActionPayload({ button: { blockId: 'taskwatch_actions', actionId: WATCH_ACTION_ID, value: value as string, text: 'Watch' }, channelId: 'C0OPS', messageTs: '1700000000.000100', messageBlocks: [], responseUrl, userId: 'U0BOB' }),
      { signingSecret: SIGNING_SECRET },
    );
    expect(press.status).toBe(200);
    const reply = await harness.slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
    expect(textOfMessage(reply.body)).toContain('This button no longer works. Run /task-status watch again.');
    expect(watches.requests).toHaveLength(before);
    // A forged value is an attempt: it leaves an audit line, without the value.
    const last = JSON.parse(auditLines.at(-1) ?? '{}') as Record<string, unknown>;
    expect(last).toEqual({ at: expect.any(String), who: 'slack:U0BOB', platform: 'slack', where: 'slack:C0OPS', action: 'watch', outcome: 'refused', reason: 'invalid_button' });
    expect(auditLines.join('\n')).not.toContain(value as string);
  });

  it('given Watch is pressed on a query reply about one task, then that message becomes its card', async () => {
    const id = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/one', steps: [{ afterMs: 0, status: 'Refreshing', percent: 5 }] }] });
    await postSlashCommand(harness.eventsUrl, { text: `dcdn ${id}`, response_url: harness.slack.newResponseUrl(), channel_id: 'C0OPS' }, { signingSecret: SIGNING_SECRET });
    const post = await harness.slack.waitForCall((call) => call.method === 'chat.postMessage' && textOfMessage(call.body).includes(id), WAIT_MS);
    const ts = String(post.answer?.['ts']);
    const responseUrl = harness.slack.newResponseUrl();
    const button = findButton(post.body['blocks'], WATCH_ACTION_ID)!;
    await postInteraction(
      harness.eventsUrl,
      blockActionPayload({ button, channelId: 'C0OPS', messageTs: ts, messageBlocks: post.body['blocks'], responseUrl, userId: 'U0BOB' }),
      { signingSecret: SIGNING_SECRET },
    );
    const reply = await harness.slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
    expect(textOfMessage(reply.body)).toContain("in this message's thread");
    expect(watches.requests[watches.requests.length - 1]).toEqual({
      refs: [{ kind: 'dcdn', id, account: 'default' }],
      channel: { platform: 'slack', channelId: 'C0OPS' },
      requestedBy: 'U0BOB',
      cardMessageId: ts,
    });
  });
});
