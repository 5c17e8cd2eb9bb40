/**
 * `/task-status` end to end in HTTP mode: signed form posts into the real Bolt receiver,
 * replies into the fake Slack Web API, queries through the real providers into the sandbox.
 */
import { findButton, blockActionPayload, postInteraction, postSigned, postSlashCommand, signSlackRequest, slashCommandForm } from '../../fakes/slack/signed-requests';
import type { RecordedCall } from '../../fakes/slack/fake-slack';
import { REFRESH_ACTION_ID, WATCH_ACTION_ID } from '../../../src/chat/slack/blocks';
import { encodeSelection } from '../../../src/chat/slack/button-value';
import { recordedBodies, SIGNING_SECRET, startSlackHarness, textOfMessage, type SlackHarness } from './slack-harness';

const WAIT_MS = 10_000;

describe('Slack adapter over HTTP', () => {
  let harness: SlackHarness;
  const ids = { cdn: '', dcdn: '', dts: '', redis: '', tcss: '', slow: '' };

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'http', providerTimeoutMs: 1500 });
    const { sandbox } = harness;
    ids.cdn = sandbox.addTask({
      kind: 'cdn',
      items: [
        { name: 'https://example.com/a.png', steps: [{ afterMs: 0, status: 'process', percent: 40 }] },
        { name: 'https://example.com/b.png', steps: [{ afterMs: 0, status: 'done', percent: 100 }] },
      ],
    });
    ids.dcdn = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/image_01.png', steps: [{ afterMs: 0, status: 'Refreshing', percent: 50 }] }] });
    ids.dts = sandbox.addTask({ kind: 'dts', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running', message: 'copying' }] });
    ids.redis = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'succeed' }] });
    ids.tcss = sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_Running' }] });
    ids.slow = sandbox.addTask({
      kind: 'dcdn',
      items: [{ name: 'http://example.com/slow.css', steps: [{ afterMs: 0, status: 'Refreshing', percent: 10 }, { afterMs: 60_000, status: 'Complete', percent: 100 }] }],
    });
  });

  afterAll(async () => {
    await harness.stop();
  });

  afterEach(() => {
    harness.sandbox.clearFaults();
    harness.slack.clearRules();
  });

  /** Sends a command and waits for its answer: a channel message (postMessage) or a response_url post. */
  async function command(text: string, channelId = 'C0OPS'): Promise<{ ackStatus: number; ackSequence: number; responseUrl: string }> {
    const responseUrl = harness.slack.newResponseUrl();
    const answer = await postSlashCommand(harness.eventsUrl, { text, response_url: responseUrl, channel_id: channelId }, { signingSecret: SIGNING_SECRET });
    const ackSequence = harness.slack.mark(`ack ${responseUrl}`);
    return { ackStatus: answer.status, ackSequence, responseUrl };
  }

  const responseUrlId = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

  function waitForResponse(responseUrl: string): Promise<RecordedCall> {
    return harness.slack.waitForCall((call) => call.method === 'response_url' && call.responseUrlId === responseUrlId(responseUrl), WAIT_MS);
  }

  function waitForPost(after: number, channelId = 'C0OPS'): Promise<RecordedCall> {
    return harness.slack.waitForCall((call) => call.method === 'chat.postMessage' && call.sequence > after && call.body['channel'] === channelId, WAIT_MS);
  }

  it('given the adapter started, then Bolt verified the bot token with auth.test and it reports connected', () => {
    expect(harness.slack.callsOf('auth.test')).toHaveLength(1);
    expect(harness.adapter.connected).toBe(true);
    expect(harness.adapter.mode).toBe('http');
  });

  it.each([
    ['cdn', () => `cdn ${ids.cdn}`, 'Running', 'process'],
    ['dcdn', () => `refresh ${ids.dcdn}`, 'Running', 'Refreshing'],
    ['dts', () => `dts ${ids.dts} region=ap-guangzhou`, 'Running', 'running'],
    ['redis', () => `redis ${ids.redis} --region ap-guangzhou`, 'Succeeded', 'succeed'],
    ['tcss', () => 'tcss', 'Running', 'Task_Running'],
  ])('given a %s query, then it is acked and the channel message carries the state and raw status', async (_kind, text, state, rawStatus) => {
    const { ackStatus, ackSequence } = await command(text());
    expect(ackStatus).toBe(200);
    const post = await waitForPost(ackSequence);
    const message = textOfMessage(post.body);
    expect(message).toContain(`*${state}*`);
    expect(message).toContain(`\`${rawStatus}\``);
    expect(findButton(post.body['blocks'], REFRESH_ACTION_ID)).not.toBeNull();
    expect(findButton(post.body['blocks'], WATCH_ACTION_ID)).not.toBeNull();
  });

  it('given a CDN task with two URLs, then the message lists each URL with its raw status and a progress bar', async () => {
    const { ackSequence } = await command(`cdn ${ids.cdn}`);
    const message = textOfMessage((await waitForPost(ackSequence)).body);
    expect(message).toContain('https://example.com/a.png');
    expect(message).toContain('https://example.com/b.png');
    expect(message).toMatch(/Raw status: `process` +▰+▱+ \d+%/);
    expect(message).toContain('`process` 40%');
  });

  describe('given a request that is not authentic or not fresh', () => {
    const cases: Array<[string, (rawBody: string) => { timestamp: number; signature: string }]> = [
      ['a forged signature', () => ({ timestamp: Math.floor(Date.now() / 1000), signature: `v0=${'0'.repeat(64)}` })],
      ['a signature made with another secret', (rawBody) => {
        const timestamp = Math.floor(Date.now() / 1000);
        return { timestamp, signature: signSlackRequest('some-other-secret', timestamp, rawBody) };
      }],
      ['a stale timestamp (10 minutes old), correctly signed', (rawBody) => {
        const timestamp = Math.floor(Date.now() / 1000) - 600;
        return { timestamp, signature: signSlackRequest(SIGNING_SECRET, timestamp, rawBody) };
      }],
      ['a future timestamp (10 minutes ahead), correctly signed', (rawBody) => {
        const timestamp = Math.floor(Date.now() / 1000) + 600;
        return { timestamp, signature: signSlackRequest(SIGNING_SECRET, timestamp, rawBody) };
      }],
    ];

    it.each(cases)('given %s, then it gets 401 and runs nothing', async (_name, sign) => {
      harness.sandbox.resetCalls();
      const before = harness.slack.calls.length;
      const forgedUrl = harness.slack.newResponseUrl();
      const rawBody = new URLSearchParams(slashCommandForm({ text: `cdn ${ids.cdn}`, response_url: forgedUrl })).toString();
      const { timestamp, signature } = sign(rawBody);
      const answer = await postSigned(harness.eventsUrl, rawBody, { signingSecret: SIGNING_SECRET, timestamp, signature });
      expect(answer.status).toBe(401);

      // A genuine command sent afterwards is answered; by then the refused one would have run too.
      const genuine = await command('help');
      await waitForResponse(genuine.responseUrl);
      const newCalls = harness.slack.calls.slice(before);
      expect(newCalls.map((call) => call.method)).toEqual(['response_url']);
      expect(newCalls.some((call) => call.responseUrlId === responseUrlId(forgedUrl))).toBe(false);
      expect(harness.sandbox.calls).toHaveLength(0);
    });
  });

  it('given the provider hangs, then the ack arrives before any channel message, and the message explains the timeout', async () => {
    harness.sandbox.injectFault({ type: 'hang', cloud: 'alibaba', count: 1 });
    const { ackStatus, ackSequence } = await command(`dcdn ${ids.dcdn}`);
    expect(ackStatus).toBe(200);
    const post = await waitForPost(ackSequence);
    expect(post.sequence).toBeGreaterThan(ackSequence);
    const message = textOfMessage(post.body);
    expect(message).toContain('Could not query DCDN refresh');
    expect(message).toMatch(/try again/i);
    expect(message).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });

  it('given the provider throttles, then the message says so and that retrying soon helps, with no SDK text', async () => {
    harness.sandbox.injectFault({ type: 'throttle', cloud: 'tencent' });
    const { ackSequence } = await command(`cdn ${ids.cdn}`);
    const message = textOfMessage((await waitForPost(ackSequence)).body);
    expect(message).toContain('Could not query CDN prefetch');
    expect(message).toContain('try again in a few seconds');
    expect(message).not.toMatch(/TencentCloudSDK|Error:|\bat .+:\d+/);
  });

  describe('given bad input', () => {
    it('given empty text, then the usage is answered ephemerally and no cloud is called', async () => {
      harness.sandbox.resetCalls();
      const { ackStatus, responseUrl } = await command('');
      expect(ackStatus).toBe(200);
      const reply = await waitForResponse(responseUrl);
      expect(reply.body['response_type']).toBe('ephemeral');
      expect(textOfMessage(reply.body)).toContain('/task-status cdn 1533031853231313311');
      expect(harness.sandbox.calls).toHaveLength(0);
    });

    it('given 5,000 characters, then a short ephemeral error says it is too long', async () => {
      harness.sandbox.resetCalls();
      const { ackStatus, responseUrl } = await command(`cdn ${'1'.repeat(4996)}`);
      expect(ackStatus).toBe(200);
      const reply = await waitForResponse(responseUrl);
      expect(reply.body['response_type']).toBe('ephemeral');
      expect(textOfMessage(reply.body)).toContain('too long');
      expect(reply.rawBody.length).toBeLessThan(5000);
      expect(harness.sandbox.calls).toHaveLength(0);
    });

    it('given an unknown kind, then the reply suggests the nearest valid one', async () => {
      const { responseUrl } = await command('cnd 123');
      const reply = await waitForResponse(responseUrl);
      expect(reply.body['response_type']).toBe('ephemeral');
      expect(textOfMessage(reply.body)).toContain('Did you mean \\"cdn\\"?');
    });

    it('given 11 DCDN IDs, then one message lists all 11 and they were queried in two calls', async () => {
      const eleven = [ids.dcdn, ...Array.from({ length: 10 }, (_, index) => harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: `http://example.com/${index}`, steps: [{ afterMs: 0, status: 'Complete', percent: 100 }] }] }))];
      harness.sandbox.resetCalls();
      const { ackSequence } = await command(`dcdn ${eleven.join(',')}`);
      const post = await waitForPost(ackSequence);
      const message = textOfMessage(post.body);
      for (const id of eleven) expect(message).toContain(id);
      expect(message).toContain('11 DCDN refresh tasks');
      expect((post.body['blocks'] as unknown[]).length).toBeLessThanOrEqual(50);
      expect(harness.sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById')).toHaveLength(2);
    });

    it('given mrkdwn injection in the command text, then no special mention or link reaches Slack unescaped', async () => {
      const before = harness.slack.calls.length;
      const texts = ['<!channel> <@U0BOSS> <https://evil.example|click> <!here>', 'cdn <!channel> <@U0BOSS>', 'cdnn <!everyone>', 'dcdn 123 region=<!here>'];
      for (const text of texts) {
        const { ackSequence, responseUrl } = await command(text);
        // Each answer is either a channel message or an ephemeral reply, whichever the command calls for.
        await harness.slack.waitForCall(
          (call) => call.sequence > ackSequence && ((call.method === 'response_url' && call.responseUrlId === responseUrlId(responseUrl)) || call.method === 'chat.postMessage'),
          WAIT_MS,
        );
      }
      const sent = harness.slack.calls.slice(before).map((call) => call.rawBody + JSON.stringify(call.body)).join('\n');
      for (const forbidden of ['<!channel>', '<!here>', '<!everyone>', '<@U0BOSS>', '<https://evil.example|click>']) {
        expect(sent).not.toContain(forbidden);
      }
      expect(sent).toContain('&lt;!channel&gt;');
    });

    it('given a provider-reported object name with a mention in it, then the posted message escapes it', async () => {
      const id = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/<!here>/<@U0BOSS>.png', steps: [{ afterMs: 0, status: 'Complete', percent: 100 }] }] });
      const { ackSequence } = await command(`dcdn ${id}`);
      const post = await waitForPost(ackSequence);
      const sent = post.rawBody + JSON.stringify(post.body);
      expect(sent).not.toContain('<!here>');
      expect(sent).not.toContain('<@U0BOSS>');
      expect(sent).toContain('&lt;!here&gt;');
    });
  });

  it('given the Refresh button is pressed after the task changed, then the same message is updated in place with the new state', async () => {
    const { ackSequence } = await command(`dcdn ${ids.slow}`);
    const post = await waitForPost(ackSequence);
    const ts = String(post.answer?.['ts']);
    expect(textOfMessage(post.body)).toContain('`Refreshing`');
    harness.clock.advance(61_000);

    const button = findButton(post.body['blocks'], REFRESH_ACTION_ID)!;
    const payload = blockActionPayload({ button, channelId: 'C0OPS', messageTs: ts, messageBlocks: post.body['blocks'], responseUrl: harness.slack.newResponseUrl() });
    const answer = await postInteraction(harness.eventsUrl, payload, { signingSecret: SIGNING_SECRET });
    expect(answer.status).toBe(200);

    const update = await harness.slack.waitForCall((call) => call.method === 'chat.update' && call.body['ts'] === ts, WAIT_MS);
    expect(update.body['channel']).toBe('C0OPS');
    expect(textOfMessage(update.body)).toContain('`Complete`');
    expect(textOfMessage(update.body)).toContain('*Succeeded*');
    expect(harness.slack.messages.get(`C0OPS/${ts}`)?.updates).toBe(1);
    expect(harness.slack.callsOf('chat.postMessage').filter((call) => call.sequence > post.sequence && textOfMessage(call.body).includes(ids.slow))).toHaveLength(0);
  });

  it('given the Watch button and no watch engine, then the user is told ephemerally that watching is not available yet', async () => {
    const { ackSequence } = await command(`cdn ${ids.cdn}`);
    const post = await waitForPost(ackSequence);
    const ts = String(post.answer?.['ts']);
    const responseUrl = harness.slack.newResponseUrl();
    const button = findButton(post.body['blocks'], WATCH_ACTION_ID)!;
    const answer = await postInteraction(harness.eventsUrl, blockActionPayload({ button, channelId: 'C0OPS', messageTs: ts, messageBlocks: post.body['blocks'], responseUrl }), { signingSecret: SIGNING_SECRET });
    expect(answer.status).toBe(200);
    const reply = await waitForResponse(responseUrl);
    expect(reply.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(textOfMessage(reply.body)).toContain('not available yet');
  });

  it('given a forged button press, then it gets 401 and nothing is updated', async () => {
    const before = harness.slack.calls.length;
    const payload = blockActionPayload({
      button: { blockId: 'taskwatch_actions', actionId: REFRESH_ACTION_ID, text: 'Refresh', value: encodeSelection({ kind: 'cdn', ids: [ids.cdn] })! },
      channelId: 'C0OPS',
      messageTs: '1.000001',
      messageBlocks: [],
      responseUrl: harness.slack.newResponseUrl(),
    });
    const answer = await postInteraction(harness.eventsUrl, payload, { signingSecret: SIGNING_SECRET, signature: 'v0=deadbeef' });
    expect(answer.status).toBe(401);
    const genuine = await command('help');
    await waitForResponse(genuine.responseUrl);
    expect(harness.slack.calls.slice(before).map((call) => call.method)).toEqual(['response_url']);
  });

  it('given chat.postMessage is rate-limited in one channel, then that answer comes ephemerally at once and another channel is not held up', async () => {
    harness.slack.rateLimit({ method: 'chat.postMessage', channel: 'C0BUSY' }, 1, 30);
    const busy = await command(`cdn ${ids.cdn}`, 'C0BUSY');
    const fallback = await waitForResponse(busy.responseUrl);
    expect(fallback.body['response_type']).toBe('ephemeral');
    const fallbackText = textOfMessage(fallback.body);
    expect(fallbackText).toContain('Try again in 30 s');
    expect(fallbackText).toContain('`process`');

    // Retry-After is 30 s: a client that paused its queue would not post anything for that long.
    const other = await command(`cdn ${ids.cdn}`, 'C0OTHER');
    const post = await waitForPost(other.ackSequence, 'C0OTHER');
    expect(post.status).toBe(200);
    expect(harness.slack.calls.filter((call) => call.method === 'chat.postMessage' && call.body['channel'] === 'C0BUSY')).toHaveLength(1);
  });

  it('given everything this suite sent, then no token or signing secret appears in any reply or log line', () => {
    const bodies = recordedBodies(harness.slack);
    const logs = harness.logLines.join('\n');
    for (const secret of [harness.config.botToken, SIGNING_SECRET]) {
      expect(bodies).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/xox[a-z]-/);
    // The suite provoked warnings (a 429), so the log was really exercised.
    expect(logs).toContain('rate_limited');
  });
});
