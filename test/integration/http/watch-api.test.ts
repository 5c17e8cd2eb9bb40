/**
 * `POST /api/watches` and `taskwatch watch` over real HTTP on 127.0.0.1: a real watch engine on
 * a real redis-server, the real Slack notifier against the fake Slack, the cloud sandbox.
 */
import { PassThrough } from 'node:stream';
import express from 'express';
import { SlackNotifier } from '../../../src/chat/slack/slack-notifier';
import { createSlackWebClient } from '../../../src/chat/slack/slack-web-client';
import { runWatchCommand } from '../../../src/cli/watch-command';
import { listen, type RunningHttpServer } from '../../../src/http/http-app';
import { RedisApiRateWindow, type ApiRateWindow } from '../../../src/http/api-rate-window';
import { createWatchApiRouter } from '../../../src/http/watch-api';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { createWatchEngine, type WatchEngine } from '../../../src/jobs/engines/watch-engine';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { TEST_WATCH_CONFIG, sandboxAccountsWithRefused } from '../../support/engine-settings';
import { channelPlatformNames } from '../../../src/chat/platforms';

const API_TOKEN = 'test-api-token-0123456789abcdef';

let redisServer: TestRedis;
let sandbox: CloudSandbox;
let slack: FakeSlack;
let registry: ClosableProviderRegistry;
let engine: WatchEngine;
let server: RunningHttpServer;
let base: string;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
  sandbox = await CloudSandbox.start();
  slack = await startFakeSlack();
  registry = createProviderRegistry({ accounts: sandboxAccountsWithRefused(sandbox.url), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 }, { rateBudget: new InMemoryRateBudget() });
  const notifier = new SlackNotifier({ client: createSlackWebClient({ apiUrl: slack.apiUrl, botToken: slack.botToken }) });
  engine = createWatchEngine({ connection: redisServer.url, prefix: uniqueQueueName('api'), providers: registry, notifiers: [notifier], watch: TEST_WATCH_CONFIG, role: 'web' });
  await engine.start();
  const app = express();
  app.use(createWatchApiRouter({ platforms: channelPlatformNames(), apiToken: API_TOKEN, watches: engine, providers: registry, rateLimitPerMinute: 10 }));
  server = await listen(app, 0, '127.0.0.1');
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await engine?.stop();
  registry?.close();
  await slack?.stop();
  await sandbox?.stop();
  await redisServer?.stop();
});

function post(body: unknown, token: string | null = API_TOKEN): Promise<Response> {
  return fetch(`${base}/api/watches`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function io(): { out: PassThrough; err: PassThrough; text: () => { out: string; err: string } } {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (chunk: Buffer) => (chunks.out += chunk.toString()));
  err.on('data', (chunk: Buffer) => (chunks.err += chunk.toString()));
  return { out, err, text: () => chunks };
}

describe('POST /api/watches', () => {
  // The rate test runs last: it spends this token's budget.
  test('given a valid request, then it answers 201 with the watch IDs and the card is in the channel', async () => {
    const id = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou' });
    const response = await post({ kind: 'redis', ids: [id], region: 'ap-guangzhou', channel: 'slack:C-API' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { watches: Array<{ id: string; kind: string; taskId: string; channel: string }> };
    expect(body.watches).toHaveLength(1);
    expect(body.watches[0]).toMatchObject({ kind: 'redis', taskId: id, channel: 'slack:C-API' });
    expect(body.watches[0]?.id).toMatch(/^w[0-9a-f]+$/);
    const card = slack.callsOf('chat.postMessage').find((call) => call.body['channel'] === 'C-API');
    expect(card).toBeDefined();
    expect(JSON.stringify(card?.body)).toContain(id);
  });

  test('given one Redis task ID written with and without leading zeros, then it is one watch of one task', async () => {
    const id = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou' });
    const both = await post({ kind: 'redis', ids: [`0${id}`, id], region: 'ap-guangzhou', channel: 'slack:C-ZEROS' });
    expect(both.status).toBe(201);
    const first = ((await both.json()) as { watches: Array<{ id: string; taskId: string }> }).watches;
    expect(first).toEqual([expect.objectContaining({ taskId: id })]);
    // A later request with another spelling finds the same running watch.
    const again = await post({ kind: 'redis', ids: [`00${id}`], region: 'ap-guangzhou', channel: 'slack:C-ZEROS' });
    expect(again.status).toBe(201);
    expect(((await again.json()) as { watches: Array<{ id: string; taskId: string }> }).watches).toEqual([expect.objectContaining({ id: first[0]?.id, taskId: id })]);
    expect(slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === 'C-ZEROS')).toHaveLength(1);
  });

  test('given bad fields, then it answers 400 naming each field', async () => {
    const response = await post({ kind: 'redis', ids: ['not-a-number'], channel: 'irc:#x' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; fields: Record<string, string> };
    expect(body.error).toBe('invalid_request');
    expect(Object.keys(body.fields).sort()).toEqual(['channel', 'ids']);
    const unknownKind = await post({ kind: 'ftp', ids: ['1'], channel: 'slack:C1' });
    expect(((await unknownKind.json()) as { fields: Record<string, string> }).fields['kind']).toMatch(/cdn/);
    const notJson = await post('{"kind":');
    expect(notJson.status).toBe(400);
  });

  /** Runs `use` against a router of its own, so that these requests leave the shared token's rate alone. */
  const withOwnServer = async (use: (ownBase: string) => Promise<void>): Promise<void> => {
    const app = express();
    app.use(createWatchApiRouter({ platforms: channelPlatformNames(), apiToken: API_TOKEN, watches: engine, providers: registry }));
    const own = await listen(app, 0, '127.0.0.1');
    try {
      await use(`http://127.0.0.1:${own.port}`);
    } finally {
      await own.close();
    }
  };

  test('given "progress": "thread", then the watch starts and its card is first posted with the checked state; a bad progress is a 400 naming the field', () =>
    withOwnServer(async (ownBase) => {
      const post = (body: unknown): Promise<Response> =>
        fetch(`${ownBase}/api/watches`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_TOKEN}` }, body: JSON.stringify(body) });
      const id = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/api.png', steps: [{ afterMs: 0, status: 'Refreshing', percent: 40 }] }] });
      const response = await post({ kind: 'dcdn', ids: [id], channel: 'slack:C-API-PROGRESS', progress: 'thread' });
      expect(response.status).toBe(201);
      const body = (await response.json()) as { watches: Array<{ taskId: string; state: string | null }> };
      expect(body.watches).toEqual([expect.objectContaining({ taskId: id, state: 'running' })]);
      const card = slack.callsOf('chat.postMessage').find((call) => call.body['channel'] === 'C-API-PROGRESS');
      expect(String(card?.body['text'])).toBe(`DCDN refresh ${id}: Running (Refreshing)`);
      expect(JSON.stringify(card?.body)).toContain('40%');

      const bad = await post({ kind: 'dcdn', ids: [id], channel: 'slack:C-API-PROGRESS', progress: 'always' });
      expect(bad.status).toBe(400);
      const fields = ((await bad.json()) as { fields: Record<string, string> }).fields;
      expect(Object.keys(fields)).toEqual(['progress']);
      expect(fields['progress']).toMatch(/card.*thread/);
  }));

  test('given the CLI with --progress thread, then the API is asked for it; with another value, then it exits 2 and sends nothing', () =>
    withOwnServer(async (base) => {
      const id = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/cli-progress.png', steps: [{ afterMs: 0, status: 'Refreshing', percent: 10 }] }] });
      const sent: unknown[] = [];
      const recordingFetch: typeof fetch = async (input, init) => {
        sent.push(JSON.parse(String(init?.body)));
        return fetch(input, init);
      };
      const streams = io();
      const code = await runWatchCommand(['dcdn', id, '--notify', 'slack:C-CLI-PROGRESS', '--progress', 'thread', '--api', base], { out: streams.out, err: streams.err, env: { API_TOKEN }, fetch: recordingFetch });
      expect(streams.text().err).toBe('');
      expect(code).toBe(0);
      expect(sent).toEqual([expect.objectContaining({ kind: 'dcdn', ids: [id], progress: 'thread' })]);

      const refused = io();
      const refusedCode = await runWatchCommand(['dcdn', id, '--notify', 'slack:C-CLI-PROGRESS', '--progress', 'loud', '--api', base], { out: refused.out, err: refused.err, env: { API_TOKEN }, fetch: recordingFetch });
      expect(refusedCode).toBe(2);
      expect(refused.text().err).toMatch(/--progress must be card or thread/);
      expect(sent).toHaveLength(1);
  }));

  test('given no token or a wrong one, then it answers 401 without echoing the token', async () => {
    expect((await post({ kind: 'cdn', ids: ['1'], channel: 'slack:C1' }, null)).status).toBe(401);
    const wrong = await post({ kind: 'cdn', ids: ['1'], channel: 'slack:C1' }, 'wrong-token-value-123');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('wrong-token-value-123');
  });

  test('given a body over 16 KB, then it answers 413', async () => {
    const response = await post({ kind: 'cdn', ids: ['1'], channel: 'slack:C1', padding: 'x'.repeat(17 * 1024) });
    expect(response.status).toBe(413);
  });

  test('given the same request sent twice at once (a client retry), then both answer the one watch and one card is posted', async () => {
    const id = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou' });
    const body = { kind: 'redis', ids: [id], region: 'ap-guangzhou', channel: 'slack:C-TWICE' };
    const responses = await Promise.all([post(body), post(body)]);
    expect(responses.map((response) => response.status)).toEqual([201, 201]);
    const answers = (await Promise.all(responses.map((response) => response.json()))) as Array<{ watches: Array<{ id: string }> }>;
    expect(answers[1]?.watches[0]?.id).toBe(answers[0]?.watches[0]?.id);
    const cards = slack.callsOf('chat.postMessage').filter((call) => call.body['channel'] === 'C-TWICE');
    expect(cards).toHaveLength(1);
  });

  test('given the CLI with --notify, then it prints the watch ID and the card is posted to that channel', async () => {
    const id = sandbox.addTask({ kind: 'cdn', items: [{ name: 'https://www.example.com/cli.js', steps: [{ afterMs: 0, status: 'process' }] }] });
    const streams = io();
    const code = await runWatchCommand(['cdn', id, '--notify', 'slack:C-CLI', '--api', base], { out: streams.out, err: streams.err, env: { API_TOKEN } });
    expect(streams.text().err).toBe('');
    expect(code).toBe(0);
    expect(streams.text().out).toMatch(new RegExp(`^w[0-9a-f]+\\tcdn\\t${id}\\n$`));
    expect(slack.callsOf('chat.postMessage').some((call) => call.body['channel'] === 'C-CLI' && JSON.stringify(call.body).includes(id))).toBe(true);
  });

  test.each(['/taskwatch/', '/taskwatch'])('given the bot behind a base path (--api ...%s), then the CLI posts under that path and never sends the token to the host root', async (basePath) => {
    const seen: Array<{ path: string; hasToken: boolean }> = [];
    const proxied = express();
    proxied.use((request, _response, next) => {
      seen.push({ path: request.originalUrl, hasToken: request.headers.authorization !== undefined });
      next();
    });
    proxied.use('/taskwatch', createWatchApiRouter({ platforms: channelPlatformNames(), apiToken: API_TOKEN, watches: engine, providers: registry }));
    const behindPath = await listen(proxied, 0, '127.0.0.1');
    try {
      const id = sandbox.addTask({ kind: 'cdn', items: [{ name: 'https://www.example.com/base-path.js', steps: [{ afterMs: 0, status: 'process' }] }] });
      const streams = io();
      const code = await runWatchCommand(['cdn', id, '--notify', 'slack:C-BASE', '--api', `http://127.0.0.1:${behindPath.port}${basePath}`], { out: streams.out, err: streams.err, env: { API_TOKEN } });
      expect(streams.text().err).toBe('');
      expect(code).toBe(0);
      expect(seen).toEqual([{ path: '/taskwatch/api/watches', hasToken: true }]);
    } finally {
      await behindPath.close();
    }
  });

  test('given --api with a query or fragment, then it is a usage problem and nothing is sent', async () => {
    const streams = io();
    expect(await runWatchCommand(['cdn', '123', '--notify', 'slack:C1', '--api', `${base}/?x=1`], { out: streams.out, err: streams.err, env: { API_TOKEN } })).toBe(2);
    expect(streams.text().err).toMatch(/--api/);
  });

  test('given the CLI without API_TOKEN or with bad usage, then it exits 2 and says what is missing', async () => {
    const missing = io();
    expect(await runWatchCommand(['cdn', '123', '--notify', 'slack:C1', '--api', base], { out: missing.out, err: missing.err, env: {} })).toBe(2);
    expect(missing.text().err).toMatch(/API_TOKEN/);
    const usage = io();
    expect(await runWatchCommand(['cdn', '123'], { out: usage.out, err: usage.err, env: { API_TOKEN } })).toBe(2);
    expect(usage.text().err).toMatch(/--notify/);
    const unreachable = io();
    expect(await runWatchCommand(['cdn', '123', '--notify', 'slack:C1', '--api', 'http://127.0.0.1:1'], { out: unreachable.out, err: unreachable.err, env: { API_TOKEN } })).toBe(1);
  });

  test('given more requests than the per-token rate, then it answers 429 with Retry-After', async () => {
    let limited: Response | null = null;
    for (let attempt = 0; attempt < 15 && limited === null; attempt += 1) {
      const response = await post({ kind: 'ftp', ids: ['1'], channel: 'slack:C1' });
      if (response.status === 429) limited = response;
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the per-token rate across web processes', () => {
  const startApi = async (rateWindow: ApiRateWindow): Promise<{ url: string; server: RunningHttpServer }> => {
    const app = express();
    app.use(createWatchApiRouter({ platforms: channelPlatformNames(), apiToken: API_TOKEN, watches: engine, providers: registry, rateWindow }));
    const running = await listen(app, 0, '127.0.0.1');
    return { url: `http://127.0.0.1:${running.port}/api/watches`, server: running };
  };
  const send = (url: string): Promise<Response> =>
    // A body with an unknown kind: counted, answered 400, and no watch is started.
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_TOKEN}` }, body: JSON.stringify({ kind: 'nope', ids: ['1'], channel: 'slack:C1' }) });

  test('given two web processes counting in one Redis, then a token over its limit is refused by either, with Retry-After', async () => {
    const redis = createRedisConnection(redisServer.url);
    const prefix = uniqueQueueName('api-rate');
    const first = await startApi(new RedisApiRateWindow(redis, 3, prefix));
    const second = await startApi(new RedisApiRateWindow(redis, 3, prefix));
    try {
      const statuses = [];
      for (const url of [first.url, second.url, first.url]) statuses.push((await send(url)).status);
      expect(statuses).toEqual([400, 400, 400]);
      const limited = await send(second.url);
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // The counter is keyed by a digest: the token itself is not in Redis.
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).not.toContain(API_TOKEN);
    } finally {
      await first.server.close();
      await second.server.close();
      await redis.quit();
    }
  });

  test('given the rate window unreachable, then a request is answered on its merits instead of hanging or failing', async () => {
    const unreachable: ApiRateWindow = { take: () => new Promise<number>(() => undefined) };
    const failing: ApiRateWindow = { take: () => Promise.reject(new Error('Connection is closed.')) };
    for (const rateWindow of [unreachable, failing]) {
      const api = await startApi(rateWindow);
      try {
        expect((await send(api.url)).status).toBe(400);
      } finally {
        await api.server.close();
      }
    }
  });
});
