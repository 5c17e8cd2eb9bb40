/**
 * Operating a running taskwatch over HTTP: liveness, readiness, Prometheus metrics, and the
 * queue dashboard behind ADMIN_TOKEN. The process runs in-process against a real Redis and the
 * cloud sandbox (no cloud credentials are configured).
 */
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../../src/config';
import { startTaskwatch, type RunningTaskwatch } from '../../../src/main';
import { createLogger, silentLogger } from '../../../src/observability/logger';
import { startTestRedis, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { CHAT_PLATFORM_DEFINITIONS } from '../../../src/chat/platforms';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

/** The sum of a metric's samples for one API, across its other labels. */
function metricSum(text: string, name: string, api: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(`api="${api}"`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('the operations HTTP endpoints', () => {
  let redis: TestRedis;
  let running: RunningTaskwatch;
  let base: string;
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let terminalOutput = '';

  beforeAll(async () => {
    redis = await startTestRedis();
    const loaded = loadConfig({ REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN, WATCH_INTERVAL_MS: '200' }, CHAT_PLATFORM_DEFINITIONS);
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    stdout.on('data', (chunk: Buffer) => (terminalOutput += chunk.toString('utf8')));
    running = await startTaskwatch({
      config: loaded.config,
      role: 'all',
      shell: true,
      stdin,
      stdout,
      logger: silentLogger(),
      mayInstallRedis: false,
    });
    base = `http://127.0.0.1:${running.httpPort}`;
  });

  afterAll(async () => {
    await running?.stop();
    await redis?.stop();
  });

  it('given a running process, then /healthz answers 200', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('given Redis reachable, then /readyz answers 200 with each check', async () => {
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', checks: { redis: true } });
  });

  it('given a query typed into the chat, then /metrics counts the command and the provider call', async () => {
    stdin.write('/task-status dts cafebabe-2026-4000-8000-000000000001\n');
    const deadline = Date.now() + 10_000;
    while (!terminalOutput.includes('cafebabe-2026-4000-8000-000000000001:') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const name of [
      'taskwatch_commands_total',
      'taskwatch_provider_calls_total',
      'taskwatch_provider_call_duration_seconds',
      'taskwatch_provider_throttles_total',
      'taskwatch_active_watches',
      'taskwatch_notifications_total',
      'taskwatch_queue_depth',
      'taskwatch_active_watches_by_account',
      'taskwatch_rate_budget_calls_total',
      'taskwatch_rate_budget_wait_seconds_total',
      'taskwatch_task_duration_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/taskwatch_commands_total\{platform="terminal",command="query",kind="dts",outcome="ok"\} 1/);
    expect(text).toMatch(/taskwatch_provider_calls_total\{api="[^"]*DescribeAsyncRequestInfo",result="ok"\} 1/);
    // The quota bucket is named by API, region and account, never by the key ID.
    expect(text).toMatch(/taskwatch_rate_budget_calls_total\{api="[^"]*DescribeAsyncRequestInfo",region="[a-z0-9-]+",account="default"\} 1/);
    expect(text).not.toMatch(/AKID/);
  });

  it('given a watch typed into the chat, then /metrics shows it under its kind and account', async () => {
    stdin.write('/task-status watch dts cafebabe-2026-4000-8000-000000000001\n');
    const deadline = Date.now() + 10_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(`${base}/metrics`)).text();
      if (/taskwatch_active_watches_by_account\{kind="dts",account="default"\} 1/.test(text)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(text).toMatch(/taskwatch_active_watches_by_account\{kind="dts",account="default"\} 1/);
  });

  it('given a subscription typed into the chat, then /metrics counts its window listings like any other provider call', async () => {
    stdin.write('/task-status subscribe cdn\n');
    // Every call spends the rate budget; a call the provider metrics miss would leave the two apart for good.
    const counts = await waitFor('every DescribePushTasks call counted as a provider call', async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const budget = metricSum(text, 'taskwatch_rate_budget_calls_total', 'cdn.DescribePushTasks');
      const calls = metricSum(text, 'taskwatch_provider_calls_total', 'cdn.DescribePushTasks');
      return budget > 0 && calls === budget ? { budget, calls } : null;
    });
    expect(counts.calls).toBeGreaterThan(0);
  });

  it('given no token, then /admin/queues answers 401; given the token, then 200', async () => {
    expect((await fetch(`${base}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${base}/admin/queues`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    const response = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<html');
  });

  it('given the 401 answer, then it does not echo the token', async () => {
    const response = await fetch(`${base}/admin/queues`, { headers: { authorization: 'Bearer some-guess' } });
    expect(await response.text()).not.toContain(ADMIN_TOKEN);
  });
});

describe('readiness when Redis goes away', () => {
  it('given Redis stopped under a running process, then /readyz answers 503 and /healthz still 200, and the outage is logged, briefly, only through the logger', async () => {
    const redis = await startTestRedis();
    const loaded = loadConfig({ REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1' }, CHAT_PLATFORM_DEFINITIONS);
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const logLines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const consoleError = jest.spyOn(console, 'error');
    const running = await startTaskwatch({
      config: loaded.config,
      role: 'web',
      shell: false,
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      logger: createLogger({ level: 'warn', pretty: false, destination }),
      mayInstallRedis: false,
    });
    try {
      const base = `http://127.0.0.1:${running.httpPort}`;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      redis.kill();
      const deadline = Date.now() + 15_000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        status = (await fetch(`${base}/readyz`)).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(503);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      // Several reconnect attempts later, the queues' connection errors went to the logger, once each.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(consoleError).not.toHaveBeenCalled();
      const queueErrors = logLines.filter((line) => line.includes('queue error') && line.includes('ECONNREFUSED'));
      expect(queueErrors.length).toBeGreaterThan(0);
      expect(queueErrors.length).toBeLessThanOrEqual(4);
      // Redis comes back: readiness recovers without a restart of taskwatch.
      await redis.restart();
      let recovered = 503;
      const recoveryDeadline = Date.now() + 15_000;
      while (recovered !== 200 && Date.now() < recoveryDeadline) {
        recovered = (await fetch(`${base}/readyz`)).status;
        if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(recovered).toBe(200);
    } finally {
      consoleError.mockRestore();
      await running.stop();
      await redis.stop().catch(() => undefined);
    }
  }, 30_000);
});
