/**
 * Watch limits on `POST /api/watches`, over real HTTP on 127.0.0.1: the real watch engine on a
 * real redis-server, the real Slack notifier against the fake Slack, the cloud sandbox, the
 * quota counted in Redis. Small limits, so each test goes past one.
 */
import express from 'express';
import { AccessPolicy } from '../../../src/accounts/access-policy';
import { createAuditLog } from '../../../src/accounts/audit-log';
import { SlackNotifier } from '../../../src/chat/slack/slack-notifier';
import { createSlackWebClient } from '../../../src/chat/slack/slack-web-client';
import { listen, type RunningHttpServer } from '../../../src/http/http-app';
import { createWatchApiRouter } from '../../../src/http/watch-api';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { createWatchEngine, type WatchEngine } from '../../../src/jobs/engines/watch-engine';
import { WatchQuota, type WatchLimits } from '../../../src/jobs/watch-quota';
import { WatchStore } from '../../../src/jobs/watch-life/watch-store';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { TEST_WATCH_CONFIG, sandboxAccountsWithRefused } from '../../support/engine-settings';
import { channelPlatformNames } from '../../../src/chat/platforms';

const API_TOKEN = 'quota-test-api-token-0123456789abcdef';
const UNLIMITED: WatchLimits = { activePerChannel: 1000, activePerUser: 1000, activePerToken: 1000, newPerMinutePerUser: 1000, newPerMinutePerToken: 1000 };

let redisServer: TestRedis;
let sandbox: CloudSandbox;
let slack: FakeSlack;
let registry: ClosableProviderRegistry;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
  sandbox = await CloudSandbox.start();
  slack = await startFakeSlack();
  registry = createProviderRegistry({ accounts: sandboxAccountsWithRefused(sandbox.url), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 }, { rateBudget: new InMemoryRateBudget() });
});

afterAll(async () => {
  registry?.close();
  await slack?.stop();
  await sandbox?.stop();
  await redisServer?.stop();
});

describe('watch limits of POST /api/watches', () => {
  let engine: WatchEngine;
  let server: RunningHttpServer;
  let auditLines: string[];
  let redis: ReturnType<typeof createRedisConnection>;
  let channelSeq = 0;

  /** Starts an engine and the API with `limits` under a fresh prefix. */
  async function serve(limits: Partial<WatchLimits>): Promise<void> {
    const prefix = uniqueQueueName('quota');
    const notifier = new SlackNotifier({ client: createSlackWebClient({ apiUrl: slack.apiUrl, botToken: slack.botToken }) });
    engine = createWatchEngine({ connection: redisServer.url, prefix, providers: registry, notifiers: [notifier], watch: TEST_WATCH_CONFIG, role: 'web' });
    await engine.start();
    redis = createRedisConnection(redisServer.url);
    const quota = new WatchQuota(redis, new WatchStore(redis, `${prefix}:tw`), `${prefix}:tw:quota`, { ...UNLIMITED, ...limits });
    auditLines = [];
    const access = { policy: AccessPolicy.allowAll(), audit: createAuditLog((line) => auditLines.push(line)) };
    const app = express();
    app.use(createWatchApiRouter({ platforms: channelPlatformNames(), apiToken: API_TOKEN, tokenName: 'pipeline', watches: engine, providers: registry, access, quota }));
    server = await listen(app, 0, '127.0.0.1');
  }

  afterEach(async () => {
    await server?.close();
    await engine?.stop();
    await redis?.quit();
  });

  const post = (ids: readonly string[], channel: string): Promise<Response> =>
    fetch(`http://127.0.0.1:${server.port}/api/watches`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_TOKEN}` },
      body: JSON.stringify({ kind: 'cdn', ids, channel }),
    });

  const newChannel = (): string => `slack:CQUOTA${(channelSeq += 1)}`;
  const tasks = (count: number): string[] => Array.from({ length: count }, () => sandbox.addTask({ kind: 'cdn' }));
  const cardsFor = (id: string): number => slack.callsOf('chat.postMessage').filter((call) => JSON.stringify(call.body).includes(id)).length;
  const refusals = (): Array<Record<string, unknown>> => auditLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['reason'] === 'limit_exceeded');

  it('given a token at its limit of active watches, then a further watch is refused with 403 limit_exceeded, audited, and never started', async () => {
    await serve({ activePerToken: 3 });
    const [first, second, third, fourth] = tasks(4) as [string, string, string, string];
    expect((await post([first, second], newChannel())).status).toBe(201);
    expect((await post([third], newChannel())).status).toBe(201);

    const channel = newChannel();
    const refused = await post([fourth], channel);
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toEqual({ error: 'limit_exceeded', limit: 'active_per_token', max: 3, message: expect.stringContaining('This token already has its limit of 3 active watches.') });
    expect(String(body['message'])).toContain('/task-status unwatch');
    expect(cardsFor(fourth)).toBe(0);
    expect(await engine.list({ platform: 'slack', channelId: channel.slice('slack:'.length) })).toEqual([]);
    expect(refusals()).toEqual([expect.objectContaining({ who: 'api:pipeline', where: channel, action: 'api.watches', ids: [fourth], outcome: 'refused', reason: 'limit_exceeded' })]);
  });

  it('given watches of the token that ended, then their room comes back', async () => {
    await serve({ activePerToken: 2 });
    const channel = newChannel();
    const [first, second, third] = tasks(3) as [string, string, string];
    expect((await post([first, second], channel)).status).toBe(201);
    expect((await post([third], channel)).status).toBe(403);
    await engine.unwatch({ platform: 'slack', channelId: channel.slice('slack:'.length) }, [{ kind: 'cdn', id: first }]);
    expect((await post([third], channel)).status).toBe(201);
  });

  it('given more new watches a minute than the token may start, then 429 with Retry-After and limit_exceeded', async () => {
    await serve({ newPerMinutePerToken: 3 });
    expect((await post(tasks(3), newChannel())).status).toBe(201);
    const late = tasks(1)[0] as string;
    const refused = await post([late], newChannel());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ error: 'limit_exceeded', limit: 'new_per_minute_per_token', max: 3, retryAfterSeconds: expect.any(Number), message: expect.stringContaining('at most 3 watches a minute') });
    expect(cardsFor(late)).toBe(0);
    expect(refusals()).toHaveLength(1);
  });

  it('given a channel at its limit of active watches, then the token is refused there but not elsewhere', async () => {
    await serve({ activePerChannel: 2 });
    const full = newChannel();
    expect((await post(tasks(2), full)).status).toBe(201);
    const refused = await post(tasks(1), full);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'limit_exceeded', limit: 'active_per_channel', max: 2 });
    expect((await post(tasks(1), newChannel())).status).toBe(201);
  });
});
