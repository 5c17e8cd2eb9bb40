/**
 * The accounts file wired in end to end: a real file on disk loaded as `taskwatch start` loads
 * it, the real command handler and the real HTTP API over loopback, real providers (official
 * SDKs) against a cloud sandbox that knows two Tencent key pairs and owns each task by key.
 * The watch and subscription services are tiny recording implementations of their interfaces:
 * what is under test is whether the handler reaches them at all.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import express from 'express';
import { loadAccountSetup, type AccountSetup } from '../../../src/accounts/account-setup';
import { createAuditLog } from '../../../src/accounts/audit-log';
import { runStartCommand } from '../../../src/cli/start-command';
import { runWatchCommand } from '../../../src/cli/watch-command';
import { runCommandText } from '../../../src/commands/handle-command';
import type { CommandContext, CommandResult, CommandServices } from '../../../src/commands/types';
import { loadConfig } from '../../../src/config';
import { listen, type RunningHttpServer } from '../../../src/http/http-app';
import { createWatchApiRouter } from '../../../src/http/watch-api';
import type {
  MuteState,
  SubscribeRequest,
  SubscriptionService,
  SubscriptionSummary,
  UnmuteOutcome,
} from '../../../src/jobs/subscriptions/subscription-service';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { SandboxCredential } from '../../../src/sandbox/types';
import { ManualClock } from '../../../src/util/clock';
import { RecordingWatchService } from '../../support/recording-watch-service';
import { CHAT_PLATFORM_DEFINITIONS } from '../../../src/chat/platforms';
import { channelPlatformNames } from '../../../src/chat/platforms';

const PRODUCTION: SandboxCredential = { cloud: 'tencent', id: 'AKIDproductionWIRE00000000000', secret: 'production-tencent-secret-wire-0' };
const STAGING: SandboxCredential = { cloud: 'tencent', id: 'AKIDstagingWIRE000000000000000', secret: 'staging-tencent-secret-wire-00000' };
const PIPELINE_TOKEN = 'pipeline-token-0123456789abcdef0123456789';
const LEGACY_TOKEN = 'legacy-api-token-0123456789abcdef';
const SECRETS = [PRODUCTION.secret, STAGING.secret, PIPELINE_TOKEN, LEGACY_TOKEN];
const DISCORD_CHANNEL = '112233445566778899';

function accountsFile(endpoint: string): string {
  return `
accounts:
  production:
    provider: tencent
    secretId: { env: PRODUCTION_SECRET_ID }
    secretKey: { env: PRODUCTION_SECRET_KEY }
    endpoint: ${endpoint}
    access:
      slackChannels: [C0PROD]
      users: [U0ALICE]
  staging:
    provider: tencent
    secretId: { env: STAGING_SECRET_ID }
    secretKey: { file: ./staging-secret-key }
    endpoint: ${endpoint}
  crossed:
    provider: tencent
    secretId: { env: PRODUCTION_SECRET_ID }
    secretKey: { file: ./staging-secret-key }
    endpoint: ${endpoint}
channels:
  "slack:C0PROD": { tencent: production }
  "slack:C0STAGING": { account: staging }
apiTokens:
  deploy-pipeline:
    token: { env: PIPELINE_API_TOKEN }
    accounts: [production]
    channels: ["slack:C0PROD"]
`;
}

class RecordingSubscriptionService implements SubscriptionService {
  readonly requests: SubscribeRequest[] = [];
  async subscribe(request: SubscribeRequest): Promise<SubscriptionSummary> {
    this.requests.push(request);
    return {
      subscriptionId: 's1',
      number: 1,
      channel: request.channel,
      kind: request.kind,
      account: request.account ?? 'default',
      region: null,
      domain: null,
      statuses: [],
      createdBy: request.requestedBy,
      createdAt: '2026-11-23T12:00:00.000Z',
    };
  }
  async list(): Promise<SubscriptionSummary[]> {
    return [];
  }
  async unsubscribe(): Promise<SubscriptionSummary | null> {
    return null;
  }
  async unsubscribeAll(): Promise<number> {
    return 0;
  }
  async mute(): Promise<MuteState> {
    throw new Error('not used');
  }
  async unmute(): Promise<UnmuteOutcome> {
    throw new Error('not used');
  }
  async muteState(): Promise<MuteState | null> {
    return null;
  }
}

function slack(channelId: string, userId: string): CommandContext {
  return { platform: 'slack', channel: { platform: 'slack', channelId }, userId, groups: [] };
}

function textOf(result: CommandResult): string {
  if (!('text' in result)) throw new Error(`expected a text result, got ${result.type}`);
  return result.text;
}

function statusesOf(result: CommandResult): Extract<CommandResult, { type: 'statuses' }> {
  if (result.type !== 'statuses') throw new Error(`expected statuses, got ${JSON.stringify(result)}`);
  return result;
}

describe('access and several accounts, wired into the command handler and the HTTP API', () => {
  let sandbox: CloudSandbox;
  let directory: string;
  let env: Record<string, string>;
  let setup: AccountSetup;
  let registry: ClosableProviderRegistry;
  let watches: RecordingWatchService;
  let subscriptions: RecordingSubscriptionService;
  let auditLines: string[];
  let services: CommandServices;

  beforeEach(async () => {
    sandbox = await CloudSandbox.start({ clock: new ManualClock(), credentials: [PRODUCTION, STAGING] });
    directory = mkdtempSync(join(tmpdir(), 'taskwatch-access-'));
    writeFileSync(join(directory, 'staging-secret-key'), `${STAGING.secret}\n`);
    const path = join(directory, 'taskwatch.yml');
    writeFileSync(path, accountsFile(sandbox.url));
    env = {
      TASKWATCH_CONFIG: path,
      PRODUCTION_SECRET_ID: PRODUCTION.id,
      PRODUCTION_SECRET_KEY: PRODUCTION.secret,
      STAGING_SECRET_ID: STAGING.id,
      PIPELINE_API_TOKEN: PIPELINE_TOKEN,
    };
    const config = loadConfig(env, CHAT_PLATFORM_DEFINITIONS);
    if (!config.ok) throw new Error(config.problems.join('\n'));
    const loaded = loadAccountSetup({ config: config.config, env, exists: existsSync });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    setup = loaded.setup;
    registry = createProviderRegistry({ accounts: setup.accounts, rateLimits: config.config.rateLimits, providerTimeoutMs: 5000 }, { rateBudget: new InMemoryRateBudget() });
    watches = new RecordingWatchService();
    subscriptions = new RecordingSubscriptionService();
    auditLines = [];
    const audit = createAuditLog((line) => auditLines.push(line), { secrets: SECRETS });
    services = { providers: registry, watches, subscriptions, access: { policy: setup.policy, audit } };
  });

  afterEach(async () => {
    registry.close();
    await sandbox.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  const audited = (): Array<Record<string, unknown>> => auditLines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('given a user outside the allow list, then query, watch and subscribe are refused before any cloud call, watch or subscription', async () => {
    const task = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id });
    const mallory = slack('C0PROD', 'U0MALLORY');

    const query = await runCommandText(`cdn ${task}`, mallory, services);
    const watch = await runCommandText(`watch cdn ${task}`, mallory, services);
    const subscribe = await runCommandText('subscribe cdn', mallory, services);

    expect(textOf(query)).toBe('You are not allowed to query tasks with the Tencent Cloud account named "production". Ask a taskwatch admin to add you, or a group you belong to, to the account\'s access list.');
    expect(textOf(watch)).toContain('You are not allowed to watch tasks with the Tencent Cloud account named "production"');
    expect(textOf(subscribe)).toContain('You are not allowed to subscribe to tasks with the Tencent Cloud account named "production"');
    for (const result of [query, watch, subscribe]) expect(result).toMatchObject({ type: 'error', visibility: 'ephemeral' });
    expect(sandbox.calls).toEqual([]);
    expect(watches.requests).toEqual([]);
    expect(subscriptions.requests).toEqual([]);
    expect(audited()).toEqual([
      expect.objectContaining({ who: 'slack:U0MALLORY', where: 'slack:C0PROD', action: 'query', kind: 'cdn', ids: [task], account: 'production', outcome: 'refused', reason: 'user_not_allowed' }),
      expect.objectContaining({ action: 'watch', outcome: 'refused', reason: 'user_not_allowed' }),
      expect.objectContaining({ action: 'subscribe', kind: 'cdn', account: 'production', outcome: 'refused', reason: 'user_not_allowed' }),
    ]);
  });

  it('given the allowed user in the bound channel, then the query reaches the cloud with the production key and a watch uses the production account', async () => {
    const task = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id, items: [{ name: 'https://prod.example.com/a.js', steps: [{ afterMs: 0, status: 'done', percent: 100 }] }] });
    const alice = slack('C0PROD', 'U0ALICE');

    const result = statusesOf(await runCommandText(`cdn ${task}`, alice, services));
    expect(result.statuses).toEqual([expect.objectContaining({ id: task, found: true, account: 'production', rawStatus: 'done' })]);
    await runCommandText(`watch cdn ${task}`, alice, services);
    expect(watches.requests.map((request) => request.refs.map((ref) => ref.account))).toEqual([['production']]);
    expect(sandbox.calls.map((call) => call.credentialId)).toEqual([PRODUCTION.id]);
    expect(audited().map((line) => [line['action'], line['outcome']])).toEqual([
      ['query', 'allowed'],
      ['watch', 'allowed'],
    ]);
  });

  it('given a refused user, then the refusal is identical for an existing and a non-existing task', async () => {
    const existing = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id });
    const mallory = slack('C0PROD', 'U0MALLORY');
    const forExisting = textOf(await runCommandText(`cdn ${existing}`, mallory, services));
    const forMissing = textOf(await runCommandText('cdn 99999999', mallory, services));
    expect(forExisting).toBe(forMissing);
    expect(forExisting).not.toContain(existing);
    expect(sandbox.calls).toEqual([]);
  });

  it('given a channel not bound to the account, then it cannot use it, on Slack or on Discord, even for an allowed user', async () => {
    const task = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id });
    const inStaging = await runCommandText(`cdn ${task} account=production`, slack('C0STAGING', 'U0ALICE'), services);
    const onDiscord = await runCommandText(`watch cdn ${task} account=production`, { platform: 'discord', channel: { platform: 'discord', channelId: DISCORD_CHANNEL }, userId: '223344556677889900', groups: [] }, services);

    const expected = 'The Tencent Cloud account named "production" cannot be used in this channel. Use a channel that is allowed to, or ask a taskwatch admin to add this one to the account\'s access list.';
    expect(textOf(inStaging)).toBe(expected);
    expect(textOf(onDiscord)).toBe(expected);
    expect(sandbox.calls).toEqual([]);
    expect(watches.requests).toEqual([]);
    expect(audited().map((line) => [line['where'], line['reason']])).toEqual([
      ['slack:C0STAGING', 'channel_not_allowed'],
      [`discord:${DISCORD_CHANNEL}`, 'channel_not_allowed'],
    ]);
  });

  it('given two accounts with different keys, then each is queried with its own, and the channel default is used without account=', async () => {
    const done = [{ afterMs: 0, status: 'done', percent: 100 }];
    const productionTask = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id, items: [{ name: 'https://prod.example.com/a.js', steps: done }] });
    const stagingTask = sandbox.addTask({ kind: 'cdn', owner: STAGING.id, items: [{ name: 'https://staging.example.com/a.js', steps: done }] });

    // No account= anywhere: C0PROD defaults to production, C0STAGING to staging.
    const production = statusesOf(await runCommandText(`cdn ${productionTask}`, slack('C0PROD', 'U0ALICE'), services));
    const staging = statusesOf(await runCommandText(`cdn ${stagingTask}`, slack('C0STAGING', 'U0BOB'), services));
    // Staging's key does not see production's task: the cloud answers per key.
    const crossAsked = statusesOf(await runCommandText(`cdn ${productionTask}`, slack('C0STAGING', 'U0BOB'), services));

    expect(production.statuses).toEqual([expect.objectContaining({ found: true, account: 'production' })]);
    expect(staging.statuses).toEqual([expect.objectContaining({ found: true, account: 'staging' })]);
    expect(crossAsked.statuses).toEqual([expect.objectContaining({ found: false, account: 'staging' })]);
    expect(sandbox.calls.map((call) => [call.credentialId, call.errorCode])).toEqual([
      [PRODUCTION.id, null],
      [STAGING.id, null],
      [STAGING.id, null],
    ]);
  });

  it('given an account whose key does not match its key ID, then the sandbox rejects it and the reply holds no secret', async () => {
    const task = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id });
    const result = statusesOf(await runCommandText(`cdn ${task} account=crossed`, slack('C0STAGING', 'U0BOB'), services));
    expect(result.statuses).toEqual([]);
    expect(result.failures.map((failure) => failure.error.code)).toEqual(['auth_failed']);
    expect(sandbox.calls.map((call) => call.errorCode)).toEqual(['AuthFailure.SignatureFailure']);
    const rendered = JSON.stringify(result) + auditLines.join('\n');
    for (const secret of SECRETS) expect(rendered).not.toContain(secret);
  });

  it('given chat commands the parser refuses, then each is audited as refused with reason invalid_command, without the typed text', async () => {
    const alice = slack('C0PROD', 'U0ALICE');
    await runCommandText('watch cdn', alice, services);
    await runCommandText('frobnicate xoxb-0000-secret-looking', alice, services);
    expect(sandbox.calls).toEqual([]);
    expect(audited()).toEqual([
      { at: expect.any(String), who: 'slack:U0ALICE', platform: 'slack', where: 'slack:C0PROD', action: 'watch', kind: 'cdn', outcome: 'refused', reason: 'invalid_command' },
      { at: expect.any(String), who: 'slack:U0ALICE', platform: 'slack', where: 'slack:C0PROD', action: 'query', outcome: 'refused', reason: 'invalid_command' },
    ]);
    expect(auditLines.join('\n')).not.toContain('frobnicate');
  });

  it('given an unknown account name, then it is refused before any cloud call', async () => {
    const result = await runCommandText('cdn 1234 account=nope', slack('C0STAGING', 'U0BOB'), services);
    expect(textOf(result)).toContain('No Tencent Cloud account named "nope" is configured');
    expect(sandbox.calls).toEqual([]);
  });

  describe('POST /api/watches', () => {
    let server: RunningHttpServer;

    beforeEach(async () => {
      const app = express();
      const access = services.access as NonNullable<CommandServices['access']>;
      app.use(createWatchApiRouter({ platforms: channelPlatformNames(), apiToken: LEGACY_TOKEN, tokenName: 'legacy', watches, providers: registry, access }));
      server = await listen(app, 0, '127.0.0.1');
    });

    afterEach(async () => {
      await server.close();
    });

    const post = (token: string, body: unknown): Promise<Response> =>
      fetch(`http://127.0.0.1:${server.port}/api/watches`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });

    it('given a file token bound to another channel, then it answers 403 naming the channel and starts no watch', async () => {
      const response = await post(PIPELINE_TOKEN, { kind: 'cdn', ids: ['1234567'], account: 'production', channel: 'slack:C0STAGING' });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: 'forbidden', fields: { channel: expect.any(String) } });
      const outsideGrant = await post(PIPELINE_TOKEN, { kind: 'cdn', ids: ['1234567'], account: 'staging', channel: 'slack:C0PROD' });
      expect(outsideGrant.status).toBe(403);
      expect(await outsideGrant.json()).toEqual({ error: 'forbidden', fields: { account: expect.any(String) } });
      expect(watches.requests).toEqual([]);
      expect(audited()).toEqual([
        expect.objectContaining({ who: 'api:deploy-pipeline', platform: 'api', where: 'slack:C0STAGING', action: 'api.watches', outcome: 'refused', reason: 'channel_not_allowed' }),
        expect.objectContaining({ who: 'api:deploy-pipeline', account: 'staging', outcome: 'refused', reason: 'user_not_allowed' }),
      ]);
      for (const secret of SECRETS) expect(auditLines.join('\n')).not.toContain(secret);
    });

    it('given taskwatch watch with a token refused for that channel (403), then it exits 2, the usage/configuration code, and says which field', async () => {
      const out = new PassThrough();
      const err = new PassThrough();
      let errText = '';
      err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
      const code = await runWatchCommand(['cdn', '1234567', '--notify', 'slack:C0STAGING', '--account', 'production', '--api', `http://127.0.0.1:${server.port}`], {
        out,
        err,
        env: { API_TOKEN: PIPELINE_TOKEN },
      });
      expect(code).toBe(2);
      expect(errText).toContain('403');
      expect(errText).toContain('channel');
      expect(errText).not.toContain(PIPELINE_TOKEN);
      expect(watches.requests).toEqual([]);
    });

    it('given a body with a "__proto__" key, then it is refused as an unknown field like any other, and nothing is watched', async () => {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/watches`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${PIPELINE_TOKEN}` },
        // Written by hand: JSON.stringify of an object literal would not carry the key.
        body: '{"kind":"cdn","ids":["1234567"],"channel":"slack:C0PROD","__proto__":{"account":"staging"}}',
      });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(text).toBe('{"error":"invalid_request","fields":{"__proto__":"is not a field of this API"}}');
      expect(watches.requests).toEqual([]);
    });

    it('given an authenticated caller whose body is not JSON or is too large, then the 400 and 413 are audited under the token\'s name', async () => {
      const raw = (body: string): Promise<Response> =>
        fetch(`http://127.0.0.1:${server.port}/api/watches`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${PIPELINE_TOKEN}` }, body });
      expect((await raw('{"kind":')).status).toBe(400);
      expect((await raw(JSON.stringify({ kind: 'cdn', ids: ['1'], channel: 'slack:C0PROD', padding: 'x'.repeat(17 * 1024) }))).status).toBe(413);
      expect(audited()).toEqual([
        expect.objectContaining({ who: 'api:deploy-pipeline', platform: 'api', where: 'POST /api/watches', action: 'api.watches', outcome: 'refused', reason: 'invalid_request' }),
        expect.objectContaining({ who: 'api:deploy-pipeline', platform: 'api', where: 'POST /api/watches', action: 'api.watches', outcome: 'refused', reason: 'payload_too_large' }),
      ]);
    });

    it('given a flood of unauthenticated calls, then at most 10 a minute are audited, and the next line says how many were left out', async () => {
      const clock = new ManualClock();
      const app = express();
      const access = services.access as NonNullable<CommandServices['access']>;
      app.use(createWatchApiRouter({ platforms: channelPlatformNames(), apiToken: LEGACY_TOKEN, watches, providers: registry, access, now: () => clock.now() }));
      const flooded = await listen(app, 0, '127.0.0.1');
      try {
        const knock = (): Promise<Response> => fetch(`http://127.0.0.1:${flooded.port}/api/watches`, { method: 'POST', headers: { Authorization: 'Bearer guess-0123456789abcdefghijkl' }, body: '{}' });
        for (let call = 0; call < 30; call += 1) expect((await knock()).status).toBe(401);
        expect(audited()).toHaveLength(10);
        expect(audited().every((line) => line['reason'] === 'unauthorized' && line['suppressed'] === undefined)).toBe(true);
        clock.advance(60_000);
        expect((await knock()).status).toBe(401);
        expect(audited()).toHaveLength(11);
        expect(audited()[10]).toEqual(expect.objectContaining({ who: 'api:unknown', reason: 'unauthorized', suppressed: 20 }));
      } finally {
        await flooded.close();
      }
    });

    it('given a file token on its own channel, then the watch uses the channel default account', async () => {
      const response = await post(PIPELINE_TOKEN, { kind: 'cdn', ids: ['1234567'], channel: 'slack:C0PROD' });
      expect(response.status).toBe(201);
      expect(watches.requests.map((request) => [request.requestedBy, request.refs.map((ref) => ref.account)])).toEqual([['api:deploy-pipeline', ['production']]]);
    });

    it('given the legacy API_TOKEN, then it may watch on any account, but the account\'s own channel list still applies; an unknown token gets 401', async () => {
      // production allows only C0PROD: the legacy token may not send its cards elsewhere.
      const elsewhere = await post(LEGACY_TOKEN, { kind: 'cdn', ids: ['1234567'], account: 'production', channel: 'slack:C0ELSEWHERE' });
      expect(elsewhere.status).toBe(403);
      expect(await elsewhere.json()).toEqual({ error: 'forbidden', fields: { channel: expect.any(String) } });
      // staging has no access section, so any channel may use it, as before.
      const open = await post(LEGACY_TOKEN, { kind: 'cdn', ids: ['1234567'], account: 'staging', channel: 'slack:C0ELSEWHERE' });
      expect(open.status).toBe(201);
      const bound = await post(LEGACY_TOKEN, { kind: 'cdn', ids: ['1234567'], account: 'production', channel: 'slack:C0PROD' });
      expect(bound.status).toBe(201);
      const unknown = await post('not-a-token-0123456789abcdefgh', { kind: 'cdn', ids: ['1234567'], channel: 'slack:C0PROD' });
      expect(unknown.status).toBe(401);
      expect(watches.requests.map((request) => [request.channel, request.refs.map((ref) => ref.account)])).toEqual([
        [{ platform: 'slack', channelId: 'C0ELSEWHERE' }, ['staging']],
        [{ platform: 'slack', channelId: 'C0PROD' }, ['production']],
      ]);
      expect(audited().map((line) => [line['who'], line['where'], line['account'], line['outcome'], line['reason']])).toEqual([
        ['api:legacy', 'slack:C0ELSEWHERE', 'production', 'refused', 'channel_not_allowed'],
        ['api:legacy', 'slack:C0ELSEWHERE', 'staging', 'allowed', undefined],
        ['api:legacy', 'slack:C0PROD', 'production', 'allowed', undefined],
        ['api:unknown', 'POST /api/watches', undefined, 'refused', 'unauthorized'],
      ]);
      for (const secret of SECRETS) expect(auditLines.join('\n')).not.toContain(secret);
    });
  });

  describe('taskwatch start', () => {
    it('given a literal secret in the accounts file, then start-up stops with exit 2 and a message that names the field but not the value', async () => {
      const literal = 'LiteralSecretValue0123456789abcdef';
      const path = join(directory, 'literal.yml');
      writeFileSync(path, `accounts:\n  production:\n    provider: tencent\n    secretId: { env: PRODUCTION_SECRET_ID }\n    secretKey: "${literal}"\n`);
      const out = new PassThrough();
      const err = new PassThrough();
      let errText = '';
      err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
      const code = await runStartCommand([], { env: { ...env, TASKWATCH_CONFIG: path }, out, err, stdin: new PassThrough() });
      expect(code).toBe(2);
      expect(errText).toContain('taskwatch start: the accounts file has 1 problem');
      expect(errText).toContain('account "production": secretKey is written in the file as a literal value');
      expect(errText).not.toContain(literal);
    });
  });
});
