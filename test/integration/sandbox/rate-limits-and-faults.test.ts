/**
 * Rate limits and injected faults, seen through the real SDKs: what each fault looks like to
 * the client library a provider will have to interpret.
 */
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { SandboxCredential } from '../../../src/sandbox/types';
import { ManualClock } from '../../../src/util/clock';
import { ALIBABA_DEMO, dcdnClient, rejectionOf, TENCENT_DEMO, tencentClients, type TencentSdkError } from './sandbox-clients';

const OTHER_TENCENT: SandboxCredential = { cloud: 'tencent', id: 'AKIDsandboxOTHER000000000000000', secret: 'another-tencent-secret-for-tests' };

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting for ${what}.`);
}

describe('cloud sandbox, rate limits', () => {
  let sandbox: CloudSandbox;
  // The limiter's time stands still unless a test moves it, so a burst falls in one window
  // however slowly this machine sends it.
  let limiterNow = Date.UTC(2026, 10, 23, 12, 0, 0);
  const rateLimitNow = (): number => limiterNow;

  afterEach(async () => {
    await sandbox.stop();
  });

  it('given the default limits and a burst of 40 CDN calls, then 20 pass, 20 are refused with RequestLimitExceeded and another SecretId is unaffected', async () => {
    sandbox = await CloudSandbox.start({ credentials: [TENCENT_DEMO, OTHER_TENCENT], rateLimitNow });
    const { cdn } = tencentClients(sandbox);
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => cdn.DescribePushTasks!({ TaskId: '1' })));
    const refused = results.filter((result) => result.status === 'rejected').map((result) => ((result as PromiseRejectedResult).reason as TencentSdkError).code);
    expect(refused).toEqual(Array.from({ length: 20 }, () => 'RequestLimitExceeded'));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(20);

    const other = tencentClients(sandbox, { credential: OTHER_TENCENT });
    await expect(other.cdn.DescribePushTasks!({ TaskId: '1' })).resolves.toMatchObject({ TotalCount: 0 });
  });

  it('given the default limits and a burst of 50 DCDN calls, then 30 pass and 20 get HTTP 429 TooManyRequests', async () => {
    sandbox = await CloudSandbox.start({ rateLimitNow });
    const client = dcdnClient(sandbox);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.request('DescribeDcdnRefreshTaskById', { TaskId: '1' })));
    const refused = results.filter((result) => result.status === 'rejected').map((result) => (result as PromiseRejectedResult).reason as { code: string; entry: { response: { statusCode: number } } });
    expect(refused.map((error) => `${error.entry.response.statusCode} ${error.code}`)).toEqual(Array.from({ length: 20 }, () => '429 TooManyRequests'));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(30);
  });

  it('given configured limits of 2 per second, then a burst of 6 admits 2, and a call a second later is admitted again', async () => {
    sandbox = await CloudSandbox.start({ rateLimits: { tencentPerSecond: 2, dcdnPerSecond: 2 }, rateLimitNow });
    const { tcss } = tencentClients(sandbox);
    await Promise.allSettled(Array.from({ length: 6 }, () => tcss.DescribeUnfinishRefreshTask!({})));
    expect(sandbox.calls.map((call) => call.errorCode ?? 'ok').sort()).toEqual(['RequestLimitExceeded', 'RequestLimitExceeded', 'RequestLimitExceeded', 'RequestLimitExceeded', 'ok', 'ok']);

    limiterNow += 1000;
    await expect(tcss.DescribeUnfinishRefreshTask!({})).resolves.toBeDefined();
    expect(sandbox.calls.at(-1)?.errorCode).toBeNull();
  });

  it('given limits turned off, then a burst of 40 is answered in full', async () => {
    sandbox = await CloudSandbox.start({ rateLimits: false });
    const { cdn } = tencentClients(sandbox);
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => cdn.DescribePushTasks!({ TaskId: '1' })));
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
  });
});

describe('cloud sandbox, injected faults', () => {
  let sandbox: CloudSandbox;

  beforeEach(async () => {
    sandbox = await CloudSandbox.start({ clock: new ManualClock(), rateLimits: false });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  it('given http500 and http503, then the Tencent SDK throws with httpCode 500 / 503', async () => {
    const { cdn } = tencentClients(sandbox);
    sandbox.injectFault({ type: 'http500', count: 1 });
    sandbox.injectFault({ type: 'http503', count: 1 });
    const first = (await rejectionOf(cdn.DescribePushTasks!({ TaskId: '1' }))) as TencentSdkError;
    const second = (await rejectionOf(cdn.DescribePushTasks!({ TaskId: '1' }))) as TencentSdkError;
    expect([first.httpCode, second.httpCode]).toEqual([500, 503]);
    await expect(cdn.DescribePushTasks!({ TaskId: '1' })).resolves.toMatchObject({ TotalCount: 0 });
    expect(sandbox.calls.map((call) => call.errorCode)).toEqual(['fault:http500', 'fault:http503', null]);
  });

  it('given http500, then pop-core throws InternalError; given http503, then pop-core resolves a body without Code or Tasks', async () => {
    const client = dcdnClient(sandbox);
    sandbox.injectFault({ type: 'http500', cloud: 'alibaba', count: 1 });
    const error = (await rejectionOf(client.request('DescribeDcdnRefreshTaskById', { TaskId: '1' }))) as { code: string };
    expect(error.code).toBe('InternalError');
    sandbox.injectFault({ type: 'http503', cloud: 'alibaba', count: 1 });
    const silentFailure = await client.request('DescribeDcdnRefreshTaskById', { TaskId: '1' });
    expect(silentFailure['Code']).toBeUndefined();
    expect(silentFailure['Tasks']).toBeUndefined();
    expect(silentFailure['Message']).toEqual(expect.stringContaining('unavailable'));
  });

  it('given throttle, then each cloud answers its real throttling error', async () => {
    sandbox.injectFault({ type: 'throttle', count: 2 });
    const tencent = (await rejectionOf(tencentClients(sandbox).cdn.DescribePushTasks!({ TaskId: '1' }))) as TencentSdkError;
    const alibaba = (await rejectionOf(dcdnClient(sandbox).request('DescribeDcdnRefreshTaskById', { TaskId: '1' }))) as {
      code: string;
      entry: { response: { statusCode: number } };
    };
    expect(tencent.code).toBe('RequestLimitExceeded');
    expect([alibaba.entry.response.statusCode, alibaba.code]).toEqual([429, 'TooManyRequests']);
  });

  it('given html, then the Tencent SDK sees HTTP 502 and pop-core throws a plain non-Error object', async () => {
    sandbox.injectFault({ type: 'html', count: 2 });
    const tencent = (await rejectionOf(tencentClients(sandbox).cdn.DescribePushTasks!({ TaskId: '1' }))) as TencentSdkError;
    expect(tencent.httpCode).toBe(502);
    const alibaba = await rejectionOf(dcdnClient(sandbox).request('DescribeDcdnRefreshTaskById', { TaskId: '1' }));
    expect(alibaba instanceof Error).toBe(false);
    expect(alibaba).toMatchObject({ name: 'SyntaxError' });
  });

  it('given hang, then both SDKs give up at their own timeout', async () => {
    sandbox.injectFault({ type: 'hang' });
    const tencent = (await rejectionOf(tencentClients(sandbox, { reqTimeoutSeconds: 1 }).cdn.DescribePushTasks!({ TaskId: '1' }))) as TencentSdkError;
    expect(tencent.message).toMatch(/timeout/i);
    const alibaba = (await rejectionOf(dcdnClient(sandbox, { timeoutMs: 300 }).request('DescribeDcdnRefreshTaskById', { TaskId: '1' }))) as Error;
    expect(alibaba.name).toMatch(/Timeout/);
    expect(sandbox.calls.map((call) => call.errorCode)).toEqual(['fault:hang', 'fault:hang']);
  });

  it('given a fault filtered by cloud and action with a count, then only matching calls are hit, that many times', async () => {
    const clients = tencentClients(sandbox, { region: 'ap-guangzhou' });
    const redisId = Number(sandbox.addTask({ kind: 'redis' }));
    sandbox.injectFault({ type: 'throttle', cloud: 'tencent', action: 'DescribeTaskInfo', count: 1 });
    sandbox.injectFault({ type: 'http500', cloud: 'alibaba' });
    await expect(clients.cdn.DescribePushTasks!({ TaskId: '1' })).resolves.toBeDefined();
    expect(((await rejectionOf(clients.redis.DescribeTaskInfo!({ TaskId: redisId }))) as TencentSdkError).code).toBe('RequestLimitExceeded');
    await expect(clients.redis.DescribeTaskInfo!({ TaskId: redisId })).resolves.toMatchObject({ Status: 'preparing' });
    expect(((await rejectionOf(dcdnClient(sandbox).request('DescribeDcdnRefreshTaskById', { TaskId: '1' }))) as { code: string }).code).toBe('InternalError');
    sandbox.clearFaults();
    await expect(dcdnClient(sandbox).request('DescribeDcdnRefreshTaskById', { TaskId: '1' })).resolves.toMatchObject({ TotalCount: 0 });
  });

  it('given a hung request, then stop() still resolves and the client sees its socket closed', async () => {
    const own = await CloudSandbox.start({ rateLimits: false });
    own.injectFault({ type: 'hang' });
    const pending = rejectionOf(dcdnClient(own, { timeoutMs: 20_000 }).request('DescribeDcdnRefreshTaskById', { TaskId: '1' }));
    await waitFor(() => own.calls.length === 1, 'the hung call to arrive');
    await own.stop();
    const error = (await pending) as { message: string };
    expect(error.message).toMatch(/socket hang up|ECONNRESET/i);
    expect(error.message).not.toContain(ALIBABA_DEMO.secret);
  });
});
