/**
 * The sandbox's CDN `DescribePurgeTasks`, driven through the real tencentcloud-sdk-nodejs cdn
 * client over loopback: the documented rows (no percent), Beijing times, filters, paging,
 * parameter errors, its own rate limit and injected faults.
 */
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { rejectionOf, TENCENT_DEMO, tencentClients, type TencentClients, type TencentSdkError } from './sandbox-clients';

const SECOND = 1000;

type Row = Record<string, unknown>;

describe('cloud sandbox, CDN DescribePurgeTasks through the real SDK', () => {
  let clock: ManualClock;
  let sandbox: CloudSandbox;
  let clients: TencentClients;

  beforeEach(async () => {
    // Every part here that judges task time runs on this clock; the expected Beijing times are
    // computed from it, so the test holds on any day.
    clock = new ManualClock(Date.now());
    sandbox = await CloudSandbox.start({ clock, credentials: [TENCENT_DEMO], rateLimits: false });
    clients = tencentClients(sandbox);
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const beijing = (epochMs: number): string => new Date(Math.floor(epochMs / 1000) * 1000 + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

  it('given a 2-URL purge, then one PurgeLog per URL with the documented fields and no percent, process -> done', async () => {
    const taskId = sandbox.addTask({
      kind: 'purge',
      items: ['a', 'b'].map((name) => ({ name: `https://www.example.com/${name}.js`, steps: [{ afterMs: 0, status: 'process' }, { afterMs: 20 * SECOND, status: 'done' }] })),
    });
    expect(taskId).toMatch(/^\d{10}-[0-9a-z]{8}$/);
    const first = await clients.cdn.DescribePurgeTasks!({ TaskId: taskId });
    expect(first['TotalCount']).toBe(2);
    expect(first['RequestId']).toMatch(/^[0-9a-f-]{36}$/);
    expect((first['PurgeLogs'] as Row[])[0]).toEqual({
      TaskId: taskId,
      Url: 'https://www.example.com/a.js',
      Status: 'process',
      PurgeType: 'url',
      FlushType: 'delete',
      CreateTime: beijing(clock.now()),
    });
    clock.advance(20 * SECOND);
    const done = (await clients.cdn.DescribePurgeTasks!({ TaskId: taskId }))['PurgeLogs'] as Row[];
    expect(done.map((row) => row['Status'])).toEqual(['done', 'done']);
  });

  it('given a Beijing-time window, PurgeType, Status, Keyword and paging, then only matching rows come back, newest first', async () => {
    const older = sandbox.addTask({ kind: 'purge', createdAt: clock.now() - 3600 * SECOND, items: [{ name: 'https://old.example.com/', steps: [{ afterMs: 0, status: 'fail' }] }], attributes: { PurgeType: 'path', FlushType: 'flush' } });
    const newer = sandbox.addTask({
      kind: 'purge',
      items: [
        { name: 'https://new.example.com/1', steps: [{ afterMs: 0, status: 'done' }] },
        { name: 'https://other.example.com/2', steps: [{ afterMs: 0, status: 'fail' }] },
      ],
    });
    const window = { StartTime: beijing(clock.now() - 7200 * SECOND), EndTime: beijing(clock.now()) };
    const all = await clients.cdn.DescribePurgeTasks!(window);
    expect((all['PurgeLogs'] as Row[]).map((row) => row['TaskId'])).toEqual([newer, newer, older]);
    expect((await clients.cdn.DescribePurgeTasks!({ StartTime: beijing(clock.now() - 60 * SECOND), EndTime: window.EndTime }))['TotalCount']).toBe(2);
    const paths = await clients.cdn.DescribePurgeTasks!({ ...window, PurgeType: 'path' });
    expect((paths['PurgeLogs'] as Row[]).map((row) => [row['TaskId'], row['PurgeType'], row['FlushType']])).toEqual([[older, 'path', 'flush']]);
    const failed = await clients.cdn.DescribePurgeTasks!({ ...window, Status: 'fail' });
    expect((failed['PurgeLogs'] as Row[]).map((row) => row['Url'])).toEqual(['https://other.example.com/2', 'https://old.example.com/']);
    const byHost = await clients.cdn.DescribePurgeTasks!({ ...window, Keyword: 'new.example.com' });
    expect((byHost['PurgeLogs'] as Row[]).map((row) => row['Url'])).toEqual(['https://new.example.com/1']);
    const page = await clients.cdn.DescribePurgeTasks!({ ...window, Offset: 1, Limit: 1 });
    expect(page['TotalCount']).toBe(3);
    expect((page['PurgeLogs'] as Row[]).map((row) => row['Url'])).toEqual(['https://other.example.com/2']);
  });

  it('given bad parameters, then the documented parameter errors; given an unknown TaskId, then an empty answer', async () => {
    const codes = await Promise.all(
      [{}, { TaskId: '1', Status: 'invalid' }, { TaskId: '1', PurgeType: 'everything' }, { TaskId: '1', Limit: 101 }, { TaskId: '1', Area: 'moon' }].map(
        async (params) => ((await rejectionOf(clients.cdn.DescribePurgeTasks!(params))) as TencentSdkError).code,
      ),
    );
    expect(codes).toEqual(Array(5).fill('InvalidParameter.CdnParamError'));
    const badDate = (await rejectionOf(clients.cdn.DescribePurgeTasks!({ StartTime: 'yesterday' }))) as TencentSdkError;
    expect(badDate.code).toBe('InvalidParameter.CdnStatInvalidDate');
    expect(await clients.cdn.DescribePurgeTasks!({ TaskId: '1534925187-5fbwwqut' })).toMatchObject({ TotalCount: 0, PurgeLogs: [] });
  });

  it('given a prefetch and a purge, then each API answers only its own tasks', async () => {
    const prefetch = sandbox.addTask({ kind: 'cdn' });
    const purge = sandbox.addTask({ kind: 'purge' });
    const window = { StartTime: beijing(clock.now() - 60 * SECOND), EndTime: beijing(clock.now()) };
    expect(((await clients.cdn.DescribePurgeTasks!(window))['PurgeLogs'] as Row[]).map((row) => row['TaskId'])).toEqual([purge]);
    expect(((await clients.cdn.DescribePushTasks!(window))['PushLogs'] as Row[]).map((row) => row['TaskId'])).toEqual([prefetch]);
  });

  it('given a fault injected for DescribePurgeTasks, then only that action fails, with the throttling code', async () => {
    sandbox.injectFault({ cloud: 'tencent', action: 'DescribePurgeTasks', type: 'throttle', count: 1 });
    await expect(clients.cdn.DescribePushTasks!({ TaskId: '1' })).resolves.toMatchObject({ TotalCount: 0 });
    const error = (await rejectionOf(clients.cdn.DescribePurgeTasks!({ TaskId: '1' }))) as TencentSdkError;
    expect(error.code).toBe('RequestLimitExceeded');
    await expect(clients.cdn.DescribePurgeTasks!({ TaskId: '1' })).resolves.toMatchObject({ TotalCount: 0 });
  });
});

describe('cloud sandbox, DescribePurgeTasks rate limit', () => {
  it('given the default limits and a burst of 40 purge calls, then 20 pass and 20 are refused, and DescribePushTasks keeps its own quota', async () => {
    // The limiter's time stands still, so the burst falls in one window however slowly it is sent.
    const frozen = Date.now();
    const sandbox = await CloudSandbox.start({ rateLimitNow: () => frozen });
    try {
      const { cdn } = tencentClients(sandbox);
      const results = await Promise.allSettled(Array.from({ length: 40 }, () => cdn.DescribePurgeTasks!({ TaskId: '1' })));
      const refused = results.filter((result) => result.status === 'rejected').map((result) => ((result as PromiseRejectedResult).reason as TencentSdkError).code);
      expect(refused).toEqual(Array(20).fill('RequestLimitExceeded'));
      await expect(cdn.DescribePushTasks!({ TaskId: '1' })).resolves.toMatchObject({ TotalCount: 0 });
    } finally {
      await sandbox.stop();
    }
  });
});
