/**
 * Access through the real Slack adapter (real Bolt receiver over loopback, the fake Slack, real
 * providers against the cloud sandbox): the slash command's user and channel are the principal,
 * and the Refresh and Watch buttons are checked for whoever presses them, not for whoever asked.
 * The watch engine is a recording implementation of the WatchService interface.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createAuditLog } from '../../../src/accounts/audit-log';
import { REFRESH_ACTION_ID, WATCH_ACTION_ID } from '../../../src/chat/slack/blocks';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapter } from '../../../src/chat/slack/slack-adapter';
import type { ClosableProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { SandboxCredential } from '../../../src/sandbox/types';
import { productionAccount } from './production-account';
import { ManualClock } from '../../../src/util/clock';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack';
import { blockActionPayload, findButton, postInteraction, postSlashCommand } from '../../fakes/slack/signed-requests';
import { RecordingWatchService } from '../../support/recording-watch-service';
import type { CommandOutcome } from '../../../src/commands/types';

const SIGNING_SECRET = 'test-signing-secret-access-0a1b2c3d';
const WAIT_MS = 10_000;
const PRODUCTION: SandboxCredential = { cloud: 'tencent', id: 'AKIDproductionSLACK0000000000', secret: 'production-tencent-secret-slack-0' };

function textOf(body: Record<string, unknown>): string {
  return JSON.stringify(body);
}

describe('access through the Slack adapter', () => {
  let slack: FakeSlack;
  let sandbox: CloudSandbox;
  let providers: ClosableProviderRegistry;
  let adapter: SlackAdapter;
  let server: Server;
  let eventsUrl: string;
  const watches = new RecordingWatchService();
  const auditLines: string[] = [];
  const observed: CommandOutcome[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    sandbox = await CloudSandbox.start({ clock: new ManualClock(Date.now()), credentials: [PRODUCTION] });
    const production = productionAccount({ credential: PRODUCTION, sandboxUrl: sandbox.url, access: ['slackChannels: [C0PROD]', 'users: [U0ALICE]'], defaultChannel: 'slack:C0PROD' });
    providers = production.createProviders();
    const access = { policy: production.policy, audit: createAuditLog((line) => auditLines.push(line)) };
    const httpApp = express();
    adapter = createSlackAdapter({ config: { botToken: slack.botToken, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: slack.apiUrl }, services: { providers, watches, access, observer: { commandCompleted: (outcome) => observed.push(outcome) } }, httpApp });
    await adapter.start();
    server = await new Promise<Server>((resolve) => {
      const listening = httpApp.listen(0, '127.0.0.1', () => resolve(listening));
    });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  });

  afterAll(async () => {
    await adapter?.stop();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    providers?.close();
    await sandbox?.stop();
    await slack?.stop();
  });

  it('given a refused user, then the slash command and both buttons on an allowed user answer are refused, with no cloud call and no watch', async () => {
    const task = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id, items: [{ name: 'https://prod.example.com/a.js', steps: [{ afterMs: 0, status: 'process', percent: 50 }] }] });

    // Alice may: her answer is posted in the channel, with the buttons.
    await postSlashCommand(eventsUrl, { text: `cdn ${task}`, response_url: slack.newResponseUrl(), channel_id: 'C0PROD', user_id: 'U0ALICE' }, { signingSecret: SIGNING_SECRET });
    const post = await slack.waitForCall((call) => call.method === 'chat.postMessage' && textOf(call.body).includes(task), WAIT_MS);
    expect(sandbox.calls.map((call) => call.credentialId)).toEqual([PRODUCTION.id]);

    // Mallory may not: her own command...
    const commandUrl = slack.newResponseUrl();
    await postSlashCommand(eventsUrl, { text: `cdn ${task}`, response_url: commandUrl, channel_id: 'C0PROD', user_id: 'U0MALLORY' }, { signingSecret: SIGNING_SECRET });
    const commandReply = await slack.waitForCall((call) => call.method === 'response_url' && commandUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
    expect(textOf(commandReply.body)).toContain('You are not allowed to query tasks with the Tencent Cloud account named \\"production\\"');

    // ...and pressing the buttons under Alice's answer.
    const ts = String(post.answer?.['ts']);
    for (const [actionId, words] of [
      [REFRESH_ACTION_ID, 'query tasks'],
      [WATCH_ACTION_ID, 'watch tasks'],
    ] as const) {
      const responseUrl = slack.newResponseUrl();
      const button = findButton(post.body['blocks'], actionId);
      expect(button).not.toBeNull();
      await postInteraction(
        eventsUrl,
        blockActionPayload({ button: button!, channelId: 'C0PROD', messageTs: ts, messageBlocks: post.body['blocks'], responseUrl, userId: 'U0MALLORY' }),
        { signingSecret: SIGNING_SECRET },
      );
      const reply = await slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
      expect(textOf(reply.body)).toContain(`You are not allowed to ${words} with the Tencent Cloud account named`);
    }

    expect(sandbox.calls).toHaveLength(1);
    expect(watches.requests).toEqual([]);
    expect(slack.callsOf('chat.update')).toEqual([]);
    expect(auditLines.map((line) => JSON.parse(line) as Record<string, unknown>).map((line) => [line['who'], line['action'], line['outcome']])).toEqual([
      ['slack:U0ALICE', 'query', 'allowed'],
      ['slack:U0MALLORY', 'query', 'refused'],
      ['slack:U0MALLORY', 'query', 'refused'],
      ['slack:U0MALLORY', 'watch', 'refused'],
    ]);
  });

  it('given buttons pressed by an allowed and a refused user, then each press is one command to the metrics observer, refused with the words of the typed command', async () => {
    const task = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id, items: [{ name: 'https://prod.example.com/b.js', steps: [{ afterMs: 0, status: 'process', percent: 50 }] }] });
    await postSlashCommand(eventsUrl, { text: `cdn ${task}`, response_url: slack.newResponseUrl(), channel_id: 'C0PROD', user_id: 'U0ALICE' }, { signingSecret: SIGNING_SECRET });
    const post = await slack.waitForCall((call) => call.method === 'chat.postMessage' && textOf(call.body).includes(task), WAIT_MS);
    const ts = String(post.answer?.['ts']);

    /** Sends `/task-status <text>` or presses a button under Alice's answer; resolves to the ephemeral answer's text. */
    const replyTo = async (userId: string, input: { readonly text: string } | { readonly actionId: string }): Promise<string> => {
      const responseUrl = slack.newResponseUrl();
      if ('text' in input) {
        await postSlashCommand(eventsUrl, { text: input.text, response_url: responseUrl, channel_id: 'C0PROD', user_id: userId }, { signingSecret: SIGNING_SECRET });
      } else {
        const button = findButton(post.body['blocks'], input.actionId);
        await postInteraction(eventsUrl, blockActionPayload({ button: button!, channelId: 'C0PROD', messageTs: ts, messageBlocks: post.body['blocks'], responseUrl, userId }), { signingSecret: SIGNING_SECRET });
      }
      const reply = await slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
      return String(reply.body['text']);
    };

    const typedWatch = await replyTo('U0MALLORY', { text: `watch cdn ${task}` });
    observed.length = 0;
    const watchPress = await replyTo('U0MALLORY', { actionId: WATCH_ACTION_ID });
    const refreshPress = await replyTo('U0MALLORY', { actionId: REFRESH_ACTION_ID });
    expect(watchPress).toBe(typedWatch);
    expect(refreshPress).toContain('You are not allowed to query tasks with the Tencent Cloud account named');

    await postInteraction(eventsUrl, blockActionPayload({ button: findButton(post.body['blocks'], REFRESH_ACTION_ID)!, channelId: 'C0PROD', messageTs: ts, messageBlocks: post.body['blocks'], responseUrl: slack.newResponseUrl(), userId: 'U0ALICE' }), { signingSecret: SIGNING_SECRET });
    await slack.waitForCall((call) => call.method === 'chat.update', WAIT_MS);
    expect(await replyTo('U0ALICE', { actionId: WATCH_ACTION_ID })).toContain("Watching 1 task: each state change will be posted in this message's thread.");

    expect(observed.map((outcome) => [outcome.platform, outcome.command, outcome.kind, outcome.outcome])).toEqual([
      ['slack', 'watch', 'cdn', 'error'],
      ['slack', 'query', 'cdn', 'error'],
      ['slack', 'query', 'cdn', 'ok'],
      ['slack', 'watch', 'cdn', 'ok'],
    ]);
  });
});
