/**
 * The demo tasks and the standalone `taskwatch sandbox` entry point: the demo walks every
 * kind through its lifecycle (checked on a ManualClock), and the standalone run prints what
 * a newcomer needs to point taskwatch at it.
 */
import { Writable } from 'node:stream';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { runStandaloneSandbox } from '../../../src/sandbox/standalone';
import { ManualClock } from '../../../src/util/clock';
import { dcdnClient, tencentClients } from './sandbox-clients';

const SECOND = 1000;

describe('cloud sandbox, demo tasks', () => {
  let clock: ManualClock;
  let sandbox: CloudSandbox;

  beforeAll(async () => {
    clock = new ManualClock();
    sandbox = await CloudSandbox.start({ clock, demo: true, rateLimits: false });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  async function snapshot(): Promise<Record<string, unknown>> {
    const ids = sandbox.demoTaskIds!;
    const clients = tencentClients(sandbox, { region: ids.region });
    const cdnStatuses = async (id: string) =>
      ((await clients.cdn.DescribePushTasks!({ TaskId: id }))['PushLogs'] as Record<string, unknown>[]).map((log) => `${log['Status']} ${log['Percent']}`);
    const dcdn = (await dcdnClient(sandbox).request('DescribeDcdnRefreshTaskById', { TaskId: ids.byKind.dcdn.join(',') }))['Tasks'] as Record<string, unknown>[];
    return {
      cdnPrefetch: await cdnStatuses(ids.cdn.prefetch),
      cdnWithInvalidUrl: await cdnStatuses(ids.cdn.withInvalidUrl),
      cdnFailing: await cdnStatuses(ids.cdn.failing),
      dcdn: dcdn.map((row) => `${row['Status']} ${row['Process']}`),
      dts: (await clients.dts.DescribeAsyncRequestInfo!({ AsyncRequestId: ids.dts }))['Status'],
      redis: (await clients.redis.DescribeTaskInfo!({ TaskId: Number(ids.redis) }))['Status'],
      tcss: Object.values(await clients.tcss.DescribeUnfinishRefreshTask!({})).slice(0, 2),
    };
  }

  it('given demo: true, then memorable IDs of every kind are planted', () => {
    expect(sandbox.demoTaskIds).toMatchObject({
      region: 'ap-guangzhou',
      cdn: { prefetch: '2026000000000000001', withInvalidUrl: '2026000000000000002', failing: '2026000000000000003' },
      dcdn: { refresh: '20260000001', failing: '20260000002' },
      redis: '20261',
      tcss: '2026',
    });
  });

  it('given the clock at start, then every demo task is at its first step', async () => {
    expect(await snapshot()).toEqual({
      cdnPrefetch: ['process 0', 'process 0', 'process 0'],
      cdnWithInvalidUrl: ['process 0', 'process 0'],
      cdnFailing: ['process 0'],
      dcdn: ['Pending 0%', 'Pending 0%'],
      dts: 'running',
      redis: 'preparing',
      tcss: [2026, 'Task_New'],
    });
  });

  it('given 35 seconds, then the demo tasks are mid-flight', async () => {
    clock.advance(35 * SECOND);
    expect(await snapshot()).toEqual({
      cdnPrefetch: ['process 40', 'process 40', 'process 40'],
      cdnWithInvalidUrl: ['process 40', 'invalid 0'],
      cdnFailing: ['process 30'],
      dcdn: ['Refreshing 30%', 'Refreshing 20%'],
      dts: 'running',
      redis: 'running',
      tcss: [2026, 'Task_Running'],
    });
  });

  it('given two minutes, then every demo task has reached its terminal status', async () => {
    clock.advance(85 * SECOND);
    expect(await snapshot()).toEqual({
      cdnPrefetch: ['done 100', 'done 100', 'done 100'],
      cdnWithInvalidUrl: ['done 100', 'invalid 0'],
      cdnFailing: ['fail 30'],
      dcdn: ['Complete 100%', 'Failed 20%'],
      dts: 'success',
      redis: 'succeed',
      tcss: [2026, 'Task_Finish'],
    });
  });
});

describe('cloud sandbox, standalone run', () => {
  it('given the default options, then it prints the endpoint, the env vars and the demo task IDs, and answers', async () => {
    let printed = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        printed += chunk.toString('utf8');
        callback();
      },
    });
    const sandbox = await runStandaloneSandbox({ out });
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ids = sandbox.demoTaskIds!;
      const lines = printed.split('\n');
      expect(lines).toEqual(
        expect.arrayContaining([
          `  export TENCENTCLOUD_ENDPOINT=${sandbox.url}`,
          `  export ALIBABA_CLOUD_DCDN_ENDPOINT=${sandbox.url}`,
          `  export TENCENTCLOUD_SECRET_ID=${sandbox.credentials[0]!.id}`,
          `  export ALIBABA_CLOUD_ACCESS_KEY_ID=${sandbox.credentials[1]!.id}`,
        ]),
      );
      expect(printed).toContain('TENCENTCLOUD_SECRET_KEY=');
      expect(printed).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET=');
      for (const id of Object.values(ids.byKind).flat()) expect(printed).toContain(id);
      const answer = await tencentClients(sandbox).cdn.DescribePushTasks!({ TaskId: ids.cdn.prefetch });
      expect(answer['TotalCount']).toBe(3);
    } finally {
      await sandbox.stop();
    }
  });
});
