/**
 * The demo tasks and the standalone `taskwatch sandbox` entry point: the demo walks every
 * kind through its lifecycle (checked on a ManualClock), and the standalone run prints what
 * a newcomer needs to point taskwatch at it.
 */
import { Writable } from 'node:stream';
import { TASK_KINDS, type TaskKind } from '../../../src/providers/types';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { DemoTaskIds } from '../../../src/sandbox/demo-tasks';
import { runStandaloneSandbox } from '../../../src/sandbox/standalone';
import { ManualClock } from '../../../src/util/clock';
import { dcdnClient, tencentClients } from './sandbox-clients';

const SECOND = 1000;

/** The ID of the demo task of `kind` called `name`. */
function demoId(ids: DemoTaskIds, kind: TaskKind, name: string): string {
  const id = ids.named[kind][name];
  if (id === undefined) throw new Error(`no ${kind} demo task called ${name}`);
  return id;
}

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
      cdnPrefetch: await cdnStatuses(demoId(ids, 'cdn', 'prefetch')),
      cdnWithInvalidUrl: await cdnStatuses(demoId(ids, 'cdn', 'withInvalidUrl')),
      cdnFailing: await cdnStatuses(demoId(ids, 'cdn', 'failing')),
      dcdn: dcdn.map((row) => `${row['Status']} ${row['Process']}`),
      dts: (await clients.dts.DescribeAsyncRequestInfo!({ AsyncRequestId: demoId(ids, 'dts', 'migration') }))['Status'],
      redis: (await clients.redis.DescribeTaskInfo!({ TaskId: Number(demoId(ids, 'redis', 'flush')) }))['Status'],
      tcss: Object.values(await clients.tcss.DescribeUnfinishRefreshTask!({})).slice(0, 2),
    };
  }

  it('given demo: true, then memorable IDs of every kind are planted', () => {
    expect(sandbox.demoTaskIds).toMatchObject({
      region: 'ap-guangzhou',
      named: {
        cdn: { prefetch: '2026000000000000001', withInvalidUrl: '2026000000000000002', failing: '2026000000000000003' },
        dcdn: { refresh: '20260000001', failing: '20260000002' },
        purge: { urls: '1767225600-demo0001', failing: '1767225600-demo0002' },
        redis: { flush: '20261' },
        tcss: { latest: '2026' },
      },
      byKind: { cdn: ['2026000000000000001', '2026000000000000002', '2026000000000000003'], tcss: ['2026'] },
    });
    for (const kind of TASK_KINDS) expect(sandbox.demoTaskIds?.byKind[kind].length).toBeGreaterThan(0);
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
      const demoStart = lines.indexOf('Demo tasks (they progress over the next two minutes):');
      expect(lines.slice(demoStart, demoStart + 17)).toEqual([
        'Demo tasks (they progress over the next two minutes):',
        '  cdn    2026000000000000001  3 URLs, prefetch completes',
        '  cdn    2026000000000000002  one URL ends invalid (origin answered 4xx/5xx)',
        '  cdn    2026000000000000003  prefetch fails',
        '  dcdn   20260000001  refresh completes',
        '  dcdn   20260000002  refresh fails',
        '  dts    cafebabe-2026-4000-8000-000000000001  (region ap-guangzhou)',
        '  purge  1767225600-demo0001  2 URLs, purge completes',
        '  purge  1767225600-demo0002  directory purge fails',
        '  redis  20261  (region ap-guangzhou)',
        '  tcss   latest task 2026',
        '',
        'Try:',
        '  taskwatch status cdn 2026000000000000001 --wait',
        '  taskwatch status dcdn 20260000001 20260000002',
        '  taskwatch status redis 20261 --region ap-guangzhou',
        '',
      ]);
      const answer = await tencentClients(sandbox).cdn.DescribePushTasks!({ TaskId: demoId(ids, 'cdn', 'prefetch') });
      expect(answer['TotalCount']).toBe(3);
    } finally {
      await sandbox.stop();
    }
  });
});
