/**
 * Slack user groups in access lists, through the real Slack adapter (real Bolt receiver over
 * loopback, the fake Slack answering `usergroups.list`, real providers against the cloud
 * sandbox): a member of an allowed `"@handle"` group may use the account, others may not, no
 * lookup is made when no rule names a group, and a rate-limited lookup still answers.
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
import { startFakeSlack, type FakeSlack, type FakeUserGroup, type RecordedCall } from '../../fakes/slack/fake-slack';
import { blockActionPayload, findButton, postInteraction, postSlashCommand } from '../../fakes/slack/signed-requests';
import { RecordingWatchService } from '../../support/recording-watch-service';

const SIGNING_SECRET = 'test-signing-secret-groups-5e6f7a8b';
const WAIT_MS = 10_000;
const PRODUCTION: SandboxCredential = { cloud: 'tencent', id: 'AKIDproductionGROUPS000000000', secret: 'production-tencent-secret-groups-0' };
const GROUPS: FakeUserGroup[] = [
  { handle: 'oncall', users: ['U0BOB', 'U0CAROL'] },
  { handle: 'marketing', users: ['U0MALLORY'] },
];
const REFUSED_QUERY = 'You are not allowed to query tasks with the Tencent Cloud account named';

/** One adapter with its own fake Slack, so each scenario counts its own `usergroups.list` calls. */
interface Setup {
  readonly slack: FakeSlack;
  readonly eventsUrl: string;
  readonly watches: RecordingWatchService;
  readonly logLines: string[];
  stop(): Promise<void>;
}

let sandbox: CloudSandbox;
let providers: ClosableProviderRegistry;

async function startSetup(users: string, options: { readonly userGroupsCacheMs?: number } = {}): Promise<Setup> {
  const slack = await startFakeSlack({ userGroups: GROUPS });
  const { policy } = productionAccount({ credential: PRODUCTION, sandboxUrl: sandbox.url, access: ['slackChannels: [C0PROD]', `users: ${users}`], defaultChannel: 'slack:C0PROD' });
  const watches = new RecordingWatchService();
  const access = { policy, audit: createAuditLog(() => undefined) };
  const logLines: string[] = [];
  const logger = {
    info: (...parts: unknown[]) => logLines.push(`INFO ${parts.map(String).join(' ')}`),
    warn: (...parts: unknown[]) => logLines.push(`WARN ${parts.map(String).join(' ')}`),
    error: (...parts: unknown[]) => logLines.push(`ERROR ${parts.map(String).join(' ')}`),
  };
  const httpApp = express();
  const adapter: SlackAdapter = createSlackAdapter({
    config: { botToken: slack.botToken, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: slack.apiUrl },
    services: { providers, watches, access },
    httpApp,
    logger,
    ...options,
  });
  await adapter.start();
  const server = await new Promise<Server>((resolve) => {
    const listening = httpApp.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    slack,
    eventsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`,
    watches,
    logLines,
    stop: async () => {
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await slack.stop();
    },
  };
}

function textOf(body: Record<string, unknown>): string {
  return JSON.stringify(body);
}

function addTask(): string {
  return sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id, items: [{ name: 'https://prod.example.com/a.js', steps: [{ afterMs: 0, status: 'process', percent: 50 }] }] });
}

/** Sends `/task-status cdn <task>` as `userId`; resolves with the channel post or the ephemeral reply, whichever it got. */
async function command(setup: Setup, userId: string, task: string): Promise<RecordedCall> {
  const from = setup.slack.mark(`command by ${userId}`);
  const responseUrl = setup.slack.newResponseUrl();
  const answer = await postSlashCommand(setup.eventsUrl, { text: `cdn ${task}`, response_url: responseUrl, channel_id: 'C0PROD', user_id: userId }, { signingSecret: SIGNING_SECRET });
  expect(answer.status).toBe(200);
  return setup.slack.waitForCall(
    (call) =>
      call.sequence > from &&
      ((call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-')) || (call.method === 'chat.postMessage' && textOf(call.body).includes(task))),
    WAIT_MS,
  );
}

/** Presses a button of `post` as `userId`; returns the interaction's response URL. */
async function press(setup: Setup, post: RecordedCall, actionId: string, userId: string): Promise<string> {
  const responseUrl = setup.slack.newResponseUrl();
  const button = findButton(post.body['blocks'], actionId);
  expect(button).not.toBeNull();
  await postInteraction(
    setup.eventsUrl,
    blockActionPayload({ button: button!, channelId: 'C0PROD', messageTs: String(post.answer?.['ts']), messageBlocks: post.body['blocks'], responseUrl, userId }),
    { signingSecret: SIGNING_SECRET },
  );
  return responseUrl;
}

function replyTo(setup: Setup, responseUrl: string): Promise<RecordedCall> {
  return setup.slack.waitForCall((call) => call.method === 'response_url' && responseUrl.endsWith(call.responseUrlId ?? '-'), WAIT_MS);
}

beforeAll(async () => {
  sandbox = await CloudSandbox.start({ clock: new ManualClock(Date.now()), credentials: [PRODUCTION] });
  // The providers only need the account; each set-up brings its own access rules.
  providers = productionAccount({ credential: PRODUCTION, sandboxUrl: sandbox.url, access: ['slackChannels: [C0PROD]'], defaultChannel: 'slack:C0PROD' }).createProviders();

});

afterAll(async () => {
  providers?.close();
  await sandbox?.stop();
});

describe('given an access list that names the Slack group "@oncall"', () => {
  let setup: Setup;

  beforeAll(async () => {
    setup = await startSetup('["@oncall"]');
  });

  afterAll(async () => {
    await setup?.stop();
  });

  it('given a member of @oncall, then the command and both buttons are allowed, all from one usergroups.list call with include_users', async () => {
    const task = addTask();
    const post = await command(setup, 'U0BOB', task);
    expect(post.method).toBe('chat.postMessage');

    const refreshFrom = setup.slack.mark('refresh by U0BOB');
    await press(setup, post, REFRESH_ACTION_ID, 'U0BOB');
    const update = await setup.slack.waitForCall((call) => call.sequence > refreshFrom && call.method === 'chat.update', WAIT_MS);
    expect(update.body['ts']).toBe(post.answer?.['ts']);

    const watchReply = await replyTo(setup, await press(setup, post, WATCH_ACTION_ID, 'U0BOB'));
    expect(textOf(watchReply.body)).toContain('Watching');
    expect(setup.watches.requests.map((request) => [request.requestedBy, request.refs.map((ref) => ref.account)])).toEqual([['U0BOB', ['production']]]);

    const lookups = setup.slack.callsOf('usergroups.list');
    expect(lookups).toHaveLength(1);
    expect(lookups[0]?.body['include_users']).toBe('true');
    // The lookup comes after the command arrived and before the answer was posted.
    expect(lookups[0]!.sequence).toBeLessThan(post.sequence);
  });

  it('given a user only in another group, then the command and both buttons under a member answer are refused, with no cloud call', async () => {
    const task = addTask();
    const post = await command(setup, 'U0CAROL', task);
    expect(post.method).toBe('chat.postMessage');
    const cloudCalls = sandbox.calls.length;

    const refusal = await command(setup, 'U0MALLORY', task);
    expect(refusal.method).toBe('response_url');
    expect(textOf(refusal.body)).toContain(REFUSED_QUERY);
    for (const [actionId, words] of [
      [REFRESH_ACTION_ID, 'query tasks'],
      [WATCH_ACTION_ID, 'watch tasks'],
    ] as const) {
      const reply = await replyTo(setup, await press(setup, post, actionId, 'U0MALLORY'));
      expect(textOf(reply.body)).toContain(`You are not allowed to ${words} with the Tencent Cloud account named`);
    }

    expect(sandbox.calls).toHaveLength(cloudCalls);
    expect(setup.watches.requests.map((request) => request.requestedBy)).not.toContain('U0MALLORY');
    expect(setup.slack.callsOf('chat.update').filter((call) => call.body['ts'] === post.answer?.['ts'])).toEqual([]);
    // Still the one answer from the first test: it is cached for every user.
    expect(setup.slack.callsOf('usergroups.list')).toHaveLength(1);
  });
});

describe('given an access list that names Slack users only', () => {
  let setup: Setup;

  beforeAll(async () => {
    setup = await startSetup('[U0ALICE]');
  });

  afterAll(async () => {
    await setup?.stop();
  });

  it('given commands and button presses, then access is decided by user ID and usergroups.list is never called', async () => {
    const task = addTask();
    const post = await command(setup, 'U0ALICE', task);
    expect(post.method).toBe('chat.postMessage');
    const refusal = await command(setup, 'U0BOB', task);
    expect(textOf(refusal.body)).toContain(REFUSED_QUERY);
    const watchReply = await replyTo(setup, await press(setup, post, WATCH_ACTION_ID, 'U0BOB'));
    expect(textOf(watchReply.body)).toContain('You are not allowed to watch tasks');

    expect(setup.slack.callsOf('usergroups.list')).toEqual([]);
  });
});

describe('given usergroups.list is rate limited or slow', () => {
  let setup: Setup;

  beforeAll(async () => {
    // A zero cache makes every command ask again, so the 429s below hit an expired answer.
    setup = await startSetup('["@oncall"]', { userGroupsCacheMs: 0 });
  });

  afterAll(async () => {
    await setup?.stop();
  });

  it('given a 429 with nothing cached, then a member is refused at once; once Slack answers, allowed; a later 429 keeps the last answer', async () => {
    const task = addTask();

    setup.slack.rateLimit({ method: 'usergroups.list' }, 1, 0);
    const refusal = await command(setup, 'U0BOB', task);
    expect(refusal.method).toBe('response_url');
    expect(textOf(refusal.body)).toContain(REFUSED_QUERY);

    const allowed = await command(setup, 'U0BOB', task);
    expect(allowed.method).toBe('chat.postMessage');

    setup.slack.rateLimit({ method: 'usergroups.list' }, 1, 0);
    const fromCache = await command(setup, 'U0BOB', task);
    expect(fromCache.method).toBe('chat.postMessage');
    // ...and the stale answer grants nothing new: a non-member is still refused.
    setup.slack.rateLimit({ method: 'usergroups.list' }, 1, 0);
    expect(textOf((await command(setup, 'U0MALLORY', task)).body)).toContain(REFUSED_QUERY);

    expect(setup.slack.callsOf('usergroups.list').map((call) => call.status)).toEqual([429, 200, 429, 429]);
    const warnings = setup.logLines.filter((line) => line.includes('usergroups.list'));
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    expect(warnings.every((line) => line.includes('rate_limited'))).toBe(true);
    expect(setup.logLines.join('\n')).not.toContain(setup.slack.botToken);
  });

  it('given a slow usergroups.list, then the slash command is acknowledged before Slack answers the lookup', async () => {
    const task = addTask();
    setup.slack.delay({ method: 'usergroups.list' }, 1500, 1);
    const from = setup.slack.mark('slow lookup');
    const responseUrl = setup.slack.newResponseUrl();
    const answer = await postSlashCommand(setup.eventsUrl, { text: `cdn ${task}`, response_url: responseUrl, channel_id: 'C0PROD', user_id: 'U0BOB' }, { signingSecret: SIGNING_SECRET });
    expect(answer.status).toBe(200);
    const acked = setup.slack.mark('acknowledged');
    const lookup = await setup.slack.waitForCall((call) => call.sequence > from && call.method === 'usergroups.list', WAIT_MS);
    const post = await setup.slack.waitForCall((call) => call.sequence > from && call.method === 'chat.postMessage' && textOf(call.body).includes(task), WAIT_MS);
    expect(acked).toBeLessThan(lookup.sequence);
    expect(lookup.sequence).toBeLessThan(post.sequence);
  });
});
