/**
 * The watch engine's Slack notifier against the fake Web API: cards, in-place edits, thread
 * replies with broadcast, and a 429 surfacing as NotifierRateLimitedError without a retry.
 */
import { createSlackNotifier } from '../../../src/chat/slack/slack-notifier';
import { NotifierRateLimitedError, type ChannelAddress, type TransitionNotice } from '../../../src/jobs/notifier';
import type { TaskStatus } from '../../../src/providers/types';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack';
import { textOfMessage } from './slack-harness';
import { taskStatus } from '../../support/task-status';

const channel: ChannelAddress = { platform: 'slack', channelId: 'C0WATCH' };

function status(overrides: Partial<TaskStatus>): TaskStatus {
  return taskStatus({
    kind: 'cdn',
    id: '1533031853231313311',
    rawStatus: 'process',
    progress: 40,
    summary: { fact: 'written', text: 'Prefetch in progress' },
    items: [{ name: 'https://example.com/<!channel>.png', state: 'running', rawStatus: 'process', progress: 40 }],
    createdAt: '2026-11-23T12:00:00.000Z',
    observedAt: '2026-11-23T12:00:05.000Z',
    ...overrides,
  });
}

describe('SlackNotifier', () => {
  let slack: FakeSlack;
  const logLines: string[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
  });

  afterAll(async () => {
    await slack.stop();
  });

  afterEach(() => slack.clearRules());

  const notifier = () =>
    createSlackNotifier(
      { botToken: slack.botToken, apiUrl: slack.apiUrl, signingSecret: null, appToken: null },
      { info: (line: unknown) => logLines.push(String(line)), warn: (line: unknown) => logLines.push(String(line)), error: (line: unknown) => logLines.push(String(line)) },
    );

  it('given a card, then it is posted in the channel and its ts comes back; an update edits that same message', async () => {
    const slackNotifier = notifier();
    const watch = { watchId: 'w1', startedAt: '2026-11-23T12:00:00.000Z', deadlineAt: '2026-11-24T12:00:00.000Z', nextCheckAt: '2026-11-23T12:00:10.000Z', endReason: null };
    const ts = await slackNotifier.postCard(channel, { status: status({}), watch });
    expect(slack.messages.get(`C0WATCH/${ts}`)).toBeDefined();
    const posted = slack.callsOf('chat.postMessage').at(-1)!;
    expect(textOfMessage(posted.body)).toContain('Watching since');
    expect(textOfMessage(posted.body)).not.toContain('<!channel>');

    await slackNotifier.updateCard(channel, ts, { status: status({ state: 'succeeded', terminal: true, rawStatus: 'done', progress: 100 }), watch: { ...watch, nextCheckAt: null, endReason: 'terminal' } });
    const update = slack.callsOf('chat.update').at(-1)!;
    expect(update.body).toMatchObject({ channel: 'C0WATCH', ts });
    expect(textOfMessage(update.body)).toContain('*Succeeded*');
    expect(slack.messages.get(`C0WATCH/${ts}`)?.updates).toBe(1);
  });

  it('given a terminal failure notice with broadcast, then it is a thread reply broadcast to the channel, with old -> new state and duration', async () => {
    const notice: TransitionNotice = {
      previous: status({}),
      current: status({ state: 'failed', terminal: true, rawStatus: 'fail', progress: 100 }),
      skippedStates: [],
      changedItems: [{ name: 'https://example.com/a.png', state: 'failed', rawStatus: 'fail', progress: 100, note: { fact: 'vendor_text', text: 'origin answered 404' } }],
      endReason: 'terminal',
      endFacts: null,
      durationMs: 125_000,
    };
    await notifier().postThreadReply(channel, '1700000000.000100', notice, { broadcast: true });
    const reply = slack.callsOf('chat.postMessage').at(-1)!;
    expect(reply.body).toMatchObject({ channel: 'C0WATCH', thread_ts: '1700000000.000100', reply_broadcast: 'true' });
    const text = textOfMessage(reply.body);
    expect(text).toContain('Running → ❌ *Failed*');
    expect(text).toContain('origin answered 404');
    expect(text).toContain('Total duration: 2m 5s.');
  });

  it('given Slack answers 429, then postThreadReply throws NotifierRateLimitedError with Retry-After and makes one attempt only', async () => {
    slack.rateLimit({ method: 'chat.postMessage', channel: 'C0SLOW' }, 1, 7);
    const before = slack.callsOf('chat.postMessage').length;
    const notice: TransitionNotice = { previous: null, current: status({}), skippedStates: [], changedItems: [], endReason: null, endFacts: null, durationMs: null };
    const attempt = notifier().postThreadReply({ platform: 'slack', channelId: 'C0SLOW' }, '1.000001', notice, { broadcast: false });
    await expect(attempt).rejects.toBeInstanceOf(NotifierRateLimitedError);
    await expect(attempt).rejects.toMatchObject({ retryAfterMs: 7000 });
    expect(slack.callsOf('chat.postMessage').length - before).toBe(1);
    // Another channel is served at once.
    await notifier().postThreadReply(channel, '1.000001', notice, { broadcast: false });
    expect(slack.callsOf('chat.postMessage').at(-1)?.status).toBe(200);
  });

  it('given a refused call, then the error names the method and Slack reason but no token', async () => {
    const broken = createSlackNotifier({ botToken: 'xoxb-wrong-token-123456', apiUrl: slack.apiUrl, signingSecret: null, appToken: null });
    const failure = await broken.postCard(channel, { status: status({}) }).catch((error: unknown) => error as Error);
    expect(String((failure as Error).message)).toBe('Slack chat.postMessage failed: invalid_auth');
    expect(JSON.stringify(failure)).not.toContain('xoxb-wrong-token-123456');
    expect(logLines.join('\n')).not.toContain(slack.botToken);
  });

  it('given a suspended subscription notice, then one channel message (not in a thread) says which account and why', async () => {
    const ts = await notifier().postNotice(channel, { type: 'subscription_suspended', kind: 'cdn', account: 'production', reason: 'channel_not_allowed' });
    const call = slack.callsOf('chat.postMessage').at(-1);
    expect(call?.status).toBe(200);
    expect(ts).not.toBe('');
    expect(call?.body['thread_ts']).toBeUndefined();
    expect(textOfMessage(call?.body ?? {})).toContain('The subscription to new CDN prefetch tasks of the account "production" is suspended: this channel may no longer use that account.');
  });

  it('given a mute summary, then one channel message (not in a thread) lists every task, with the cloud\'s words escaped', async () => {
    const ts = await notifier().postSummary(channel, {
      mutedAt: '2026-11-23T10:00:00.000Z',
      endedAt: '2026-11-23T11:00:00.000Z',
      changes: [{ kind: 'dts', id: 'dts-1', from: 'running', to: 'failed', rawStatus: '<!channel> failed', endReason: 'terminal' }],
      newTasks: [{ kind: 'cdn', id: '1533031853231313311', state: 'running', rawStatus: 'process' }],
    });
    const call = slack.callsOf('chat.postMessage').at(-1);
    expect(call?.status).toBe(200);
    expect(ts).not.toBe('');
    expect(call?.body['thread_ts']).toBeUndefined();
    const text = textOfMessage(call?.body ?? {});
    expect(text).toContain('While this channel was muted (2026-11-23 10:00 to 2026-11-23 11:00 UTC)');
    // Slack mrkdwn: &, < and > are sent as entities, and Slack shows them as the characters.
    expect(text).toContain('dts dts-1: running -&gt; failed (&lt;!channel&gt; failed)');
    expect(text).toContain('New cdn task 1533031853231313311');
    expect(text).not.toContain('<!channel>');
  });
});
