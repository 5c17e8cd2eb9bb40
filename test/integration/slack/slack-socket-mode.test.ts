/**
 * Socket Mode against the fake Slack: `apps.connections.open` hands out a ws:// URL, the
 * fake sends `hello`, envelopes are acked with their `envelope_id`, and `disconnect` makes
 * the client reconnect.
 */
import { REFRESH_ACTION_ID } from '../../../src/chat/slack/blocks';
import { blockActionPayload, findButton, slashCommandForm } from '../../fakes/slack/signed-requests';
import { recordedBodies, startSlackHarness, textOfMessage, type SlackHarness } from './slack-harness';

const WAIT_MS = 10_000;

describe('Slack adapter in Socket Mode', () => {
  let harness: SlackHarness;
  let redisId = '';

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'socket' });
    redisId = harness.sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running' }, { afterMs: 60_000, status: 'succeed' }] });
    await harness.slack.waitForSocket(WAIT_MS);
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('given start, then it opened a connection with the app token and reports connected', () => {
    const open = harness.slack.callsOf('apps.connections.open');
    expect(open.length).toBeGreaterThanOrEqual(1);
    expect(open[0]?.headers.authorization).toBe(`Bearer ${harness.slack.appToken}`);
    expect(harness.slack.callsOf('auth.test')).toHaveLength(1);
    expect(harness.adapter.mode).toBe('socket');
    expect(harness.adapter.connected).toBe(true);
  });

  it('given a slash command envelope, then it is acked with its envelope_id before the answer is posted', async () => {
    const form = slashCommandForm({ text: `redis ${redisId} region=ap-guangzhou`, response_url: harness.slack.newResponseUrl() });
    const envelopeId = harness.slack.pushEnvelope('slash_commands', form);
    const ack = await harness.slack.waitForAck(envelopeId, WAIT_MS);
    expect(ack.envelopeId).toBe(envelopeId);
    const post = await harness.slack.waitForCall((call) => call.method === 'chat.postMessage' && textOfMessage(call.body).includes(redisId), WAIT_MS);
    expect(post.sequence).toBeGreaterThan(ack.sequence);
    expect(textOfMessage(post.body)).toContain('`running`');
  });

  it('given a Refresh button envelope, then it is acked and the message is updated in place', async () => {
    const post = await harness.slack.waitForCall((call) => call.method === 'chat.postMessage' && textOfMessage(call.body).includes(redisId), WAIT_MS);
    const ts = String(post.answer?.['ts']);
    harness.clock.advance(61_000);
    const button = findButton(post.body['blocks'], REFRESH_ACTION_ID)!;
    const envelopeId = harness.slack.pushEnvelope(
      'interactive',
      blockActionPayload({ button, channelId: 'C0OPS', messageTs: ts, messageBlocks: post.body['blocks'], responseUrl: harness.slack.newResponseUrl() }),
    );
    await harness.slack.waitForAck(envelopeId, WAIT_MS);
    const update = await harness.slack.waitForCall((call) => call.method === 'chat.update' && call.body['ts'] === ts, WAIT_MS);
    expect(textOfMessage(update.body)).toContain('`succeed`');
  });

  it('given Slack asks the client to disconnect, then it reconnects and keeps acking envelopes', async () => {
    const connectionsBefore = harness.slack.socketConnectionCount;
    harness.slack.sendDisconnect();
    await harness.slack.waitForCall((call) => call.method === 'apps.connections.open' && harness.slack.callsOf('apps.connections.open').length > connectionsBefore, WAIT_MS);
    // Bounded wait for the new websocket to be greeted.
    for (let attempt = 0; attempt < 100 && harness.slack.socketConnectionCount <= connectionsBefore; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(harness.slack.socketConnectionCount).toBe(connectionsBefore + 1);
    await harness.slack.waitForSocket(WAIT_MS);
    const responseUrl = harness.slack.newResponseUrl();
    const envelopeId = harness.slack.pushEnvelope('slash_commands', slashCommandForm({ text: 'help', response_url: responseUrl }));
    await harness.slack.waitForAck(envelopeId, WAIT_MS);
    const reply = await harness.slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
    expect(reply.body['response_type']).toBe('ephemeral');
  });

  it('given everything this suite sent, then no token appears in any reply or log line', () => {
    const bodies = recordedBodies(harness.slack);
    const logs = harness.logLines.join('\n');
    for (const secret of [harness.slack.botToken, harness.slack.appToken]) {
      expect(bodies).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/xox[a-z]-|xapp-/);
  });
});
