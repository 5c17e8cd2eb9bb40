/**
 * The four Tencent task APIs driven through the real tencentcloud-sdk-nodejs clients over
 * loopback, with a ManualClock moving each task through its documented raw statuses.
 */
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { SandboxCredential } from '../../../src/sandbox/types';
import { ManualClock } from '../../../src/util/clock';
import { rejectionOf, TENCENT_DEMO, tencentClients, type TencentClients, type TencentSdkError } from './sandbox-clients';

const OTHER_TENCENT: SandboxCredential = { cloud: 'tencent', id: 'AKIDsandboxOTHER000000000000000', secret: 'another-tencent-secret-for-tests' };
const SECOND = 1000;

describe('cloud sandbox, Tencent Cloud APIs through the real SDK', () => {
  let clock: ManualClock;
  let sandbox: CloudSandbox;
  let clients: TencentClients;

  beforeEach(async () => {
    // A fixed day: every part here that judges task time runs on this clock, and the expected
    // vendor timestamps below are written out for it.
    clock = new ManualClock(Date.UTC(2026, 10, 23, 12, 0, 0));
    sandbox = await CloudSandbox.start({ clock, credentials: [TENCENT_DEMO, OTHER_TENCENT], rateLimits: false });
    clients = tencentClients(sandbox, { region: 'ap-guangzhou' });
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  describe('CDN DescribePushTasks', () => {
    it('given a 3-URL prefetch, then one PushLog per URL follows process 0% -> 40% -> done with Beijing times', async () => {
      const taskId = sandbox.addTask({
        kind: 'cdn',
        items: ['a', 'b', 'c'].map((name) => ({
          name: `https://www.example.com/${name}.js`,
          steps: [
            { afterMs: 0, status: 'process', percent: 0 },
            { afterMs: 10 * SECOND, status: 'process', percent: 40 },
            { afterMs: 20 * SECOND, status: 'done', percent: 100 },
          ],
        })),
      });
      expect(taskId).toMatch(/^\d{19}$/);

      const first = await clients.cdn.DescribePushTasks!({ TaskId: taskId });
      expect(first['TotalCount']).toBe(3);
      expect(first['RequestId']).toMatch(/^[0-9a-f-]{36}$/);
      const logs = first['PushLogs'] as Record<string, unknown>[];
      expect(logs.map((log) => log['Url'])).toEqual(['https://www.example.com/a.js', 'https://www.example.com/b.js', 'https://www.example.com/c.js']);
      // ManualClock starts at 2026-11-23 12:00:00 UTC, which is 20:00:00 in Beijing.
      expect(logs[0]).toEqual({
        TaskId: taskId,
        Url: 'https://www.example.com/a.js',
        Status: 'process',
        Percent: 0,
        CreateTime: '2026-11-23 20:00:00',
        UpdateTime: '2026-11-23 20:00:00',
        Area: 'mainland',
      });

      clock.advance(10 * SECOND);
      const middle = (await clients.cdn.DescribePushTasks!({ TaskId: taskId }))['PushLogs'] as Record<string, unknown>[];
      expect(middle.map((log) => [log['Status'], log['Percent'], log['UpdateTime']])).toEqual(
        Array(3).fill(['process', 40, '2026-11-23 20:00:10']),
      );

      clock.advance(10 * SECOND);
      const done = (await clients.cdn.DescribePushTasks!({ TaskId: taskId }))['PushLogs'] as Record<string, unknown>[];
      expect(done.map((log) => log['Status'])).toEqual(['done', 'done', 'done']);
    });

    it('given URLs ending fail and invalid, then each raw status is reported per URL', async () => {
      const taskId = sandbox.addTask({
        kind: 'cdn',
        items: [
          { name: 'https://www.example.com/ok', steps: [{ afterMs: 0, status: 'done', percent: 100 }] },
          { name: 'https://www.example.com/404', steps: [{ afterMs: 0, status: 'invalid', percent: 0 }] },
          { name: 'https://www.example.com/broken', steps: [{ afterMs: 0, status: 'fail', percent: 10 }] },
        ],
      });
      const logs = (await clients.cdn.DescribePushTasks!({ TaskId: taskId }))['PushLogs'] as Record<string, unknown>[];
      expect(logs.map((log) => log['Status'])).toEqual(['done', 'invalid', 'fail']);

      const onlyInvalid = await clients.cdn.DescribePushTasks!({ TaskId: taskId, Status: 'invalid' });
      expect(onlyInvalid['TotalCount']).toBe(1);
      expect((onlyInvalid['PushLogs'] as Record<string, unknown>[])[0]!['Url']).toBe('https://www.example.com/404');
    });

    it('given neither TaskId nor StartTime, then InvalidParameter.CdnParamError', async () => {
      const error = (await rejectionOf(clients.cdn.DescribePushTasks!({}))) as TencentSdkError;
      expect(error.code).toBe('InvalidParameter.CdnParamError');
      expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('given a Beijing-time window, a keyword and paging, then only matching logs come back newest first', async () => {
      const older = sandbox.addTask({ kind: 'cdn', createdAt: clock.now() - 3600 * SECOND, items: [{ name: 'https://old.example.com/x', steps: [{ afterMs: 0, status: 'done' }] }] });
      const newer = sandbox.addTask({
        kind: 'cdn',
        items: [
          { name: 'https://new.example.com/1', steps: [{ afterMs: 0, status: 'done' }] },
          { name: 'https://new.example.com/2', steps: [{ afterMs: 0, status: 'done' }] },
          { name: 'https://other.example.com/3', steps: [{ afterMs: 0, status: 'done' }] },
        ],
      });

      const all = await clients.cdn.DescribePushTasks!({ StartTime: '2026-11-23 18:00:00', EndTime: '2026-11-23 20:00:00' });
      expect(all['TotalCount']).toBe(4);
      expect((all['PushLogs'] as Record<string, unknown>[]).map((log) => log['TaskId'])).toEqual([newer, newer, newer, older]);

      const window = await clients.cdn.DescribePushTasks!({ StartTime: '2026-11-23 19:30:00', EndTime: '2026-11-23 20:00:00' });
      expect(window['TotalCount']).toBe(3);

      const byDomain = await clients.cdn.DescribePushTasks!({ StartTime: '2026-11-23 18:00:00', Keyword: 'new.example.com' });
      expect((byDomain['PushLogs'] as Record<string, unknown>[]).map((log) => log['Url'])).toEqual(['https://new.example.com/1', 'https://new.example.com/2']);
      const byUrl = await clients.cdn.DescribePushTasks!({ StartTime: '2026-11-23 18:00:00', Keyword: 'https://other.example.com/3' });
      expect(byUrl['TotalCount']).toBe(1);

      const page = await clients.cdn.DescribePushTasks!({ StartTime: '2026-11-23 18:00:00', Offset: 1, Limit: 2 });
      expect(page['TotalCount']).toBe(4);
      expect((page['PushLogs'] as Record<string, unknown>[]).map((log) => log['Url'])).toEqual(['https://new.example.com/2', 'https://other.example.com/3']);

      const tooMany = (await rejectionOf(clients.cdn.DescribePushTasks!({ TaskId: newer, Limit: 101 }))) as TencentSdkError;
      expect(tooMany.code).toBe('InvalidParameter.CdnParamError');
    });

    it('given a TaskId nobody planted, then an empty answer rather than an error', async () => {
      const answer = await clients.cdn.DescribePushTasks!({ TaskId: '1111111111111111111' });
      expect(answer['TotalCount']).toBe(0);
      expect(answer['PushLogs']).toEqual([]);
    });
  });

  describe('DTS DescribeAsyncRequestInfo', () => {
    it('given a running request, then Status goes running -> success with Info', async () => {
      const id = sandbox.addTask({
        kind: 'dts',
        steps: [
          { afterMs: 0, status: 'running', message: 'isolating' },
          { afterMs: 30 * SECOND, status: 'success', message: 'ok' },
        ],
      });
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const running = await clients.dts.DescribeAsyncRequestInfo!({ AsyncRequestId: id });
      expect(running).toEqual({ Status: 'running', Info: 'isolating', RequestId: expect.any(String) });
      clock.advance(30 * SECOND);
      const done = await clients.dts.DescribeAsyncRequestInfo!({ AsyncRequestId: id });
      expect([done['Status'], done['Info']]).toEqual(['success', 'ok']);
    });

    it('given a request that fails, then Status failed', async () => {
      const id = sandbox.addTask({ kind: 'dts', steps: [{ afterMs: 0, status: 'failed', message: 'source unreachable' }] });
      const answer = await clients.dts.DescribeAsyncRequestInfo!({ AsyncRequestId: id });
      expect([answer['Status'], answer['Info']]).toEqual(['failed', 'source unreachable']);
    });

    it('given no region, then MissingParameter; given another region or an unknown ID, then ResourceNotFound', async () => {
      const id = sandbox.addTask({ kind: 'dts', region: 'ap-shanghai' });
      const regionless = tencentClients(sandbox);
      expect(((await rejectionOf(regionless.dts.DescribeAsyncRequestInfo!({ AsyncRequestId: id }))) as TencentSdkError).code).toBe('MissingParameter');
      expect(((await rejectionOf(clients.dts.DescribeAsyncRequestInfo!({ AsyncRequestId: id }))) as TencentSdkError).code).toBe('ResourceNotFound');
      const shanghai = tencentClients(sandbox, { region: 'ap-shanghai' });
      expect((await shanghai.dts.DescribeAsyncRequestInfo!({ AsyncRequestId: id }))['Status']).toBe('running');
      expect(((await rejectionOf(shanghai.dts.DescribeAsyncRequestInfo!({ AsyncRequestId: 'nope' }))) as TencentSdkError).code).toBe('ResourceNotFound');
    });
  });

  describe('Redis DescribeTaskInfo', () => {
    it('given a purge, then Status goes preparing -> running -> succeed with the documented fields', async () => {
      const id = sandbox.addTask({
        kind: 'redis',
        steps: [
          { afterMs: 0, status: 'preparing' },
          { afterMs: 5 * SECOND, status: 'running' },
          { afterMs: 15 * SECOND, status: 'succeed' },
        ],
        attributes: { TaskType: 'Redis cache purge process', InstanceId: 'crs-09u2u96z' },
      });
      expect(id).toMatch(/^\d+$/);
      const seen: string[] = [];
      for (const advance of [0, 5 * SECOND, 10 * SECOND]) {
        clock.advance(advance);
        const answer = await clients.redis.DescribeTaskInfo!({ TaskId: Number(id) });
        seen.push(answer['Status'] as string);
        expect(answer).toMatchObject({ StartTime: '2026-11-23 20:00:00', TaskType: 'Redis cache purge process', InstanceId: 'crs-09u2u96z', TaskMessage: '' });
      }
      expect(seen).toEqual(['preparing', 'running', 'succeed']);
    });

    it('given tasks ending failed and error, then those raw statuses with their TaskMessage', async () => {
      const failed = sandbox.addTask({ kind: 'redis', steps: [{ afterMs: 0, status: 'failed', message: 'instance busy' }] });
      const errored = sandbox.addTask({ kind: 'redis', steps: [{ afterMs: 0, status: 'error', message: 'running error' }] });
      const first = await clients.redis.DescribeTaskInfo!({ TaskId: Number(failed) });
      const second = await clients.redis.DescribeTaskInfo!({ TaskId: Number(errored) });
      expect([first['Status'], first['TaskMessage'], second['Status'], second['TaskMessage']]).toEqual(['failed', 'instance busy', 'error', 'running error']);
    });

    it('given a non-integer TaskId, then InvalidParameter.InvalidParameter; an unknown one, ResourceNotFound; no region, MissingParameter', async () => {
      expect(((await rejectionOf(clients.redis.DescribeTaskInfo!({ TaskId: 'abc' }))) as TencentSdkError).code).toBe('InvalidParameter.InvalidParameter');
      expect(((await rejectionOf(clients.redis.DescribeTaskInfo!({ TaskId: 1.5 }))) as TencentSdkError).code).toBe('InvalidParameter.InvalidParameter');
      expect(((await rejectionOf(clients.redis.DescribeTaskInfo!({ TaskId: 424242 }))) as TencentSdkError).code).toBe('ResourceNotFound');
      const regionless = tencentClients(sandbox);
      expect(((await rejectionOf(regionless.redis.DescribeTaskInfo!({ TaskId: 1 }))) as TencentSdkError).code).toBe('MissingParameter');
    });
  });

  describe('TCSS DescribeUnfinishRefreshTask', () => {
    it('given no task, then TaskId 0 and Task_NoExist', async () => {
      const answer = await clients.tcss.DescribeUnfinishRefreshTask!({});
      expect([answer['TaskId'], answer['TaskStatus']]).toEqual([0, 'Task_NoExist']);
    });

    it('given tasks, then the latest one goes Task_New -> Task_Running -> Task_Finish', async () => {
      sandbox.addTask({ kind: 'tcss', id: '100', createdAt: clock.now() - 60 * SECOND, steps: [{ afterMs: 0, status: 'Task_Error' }] });
      sandbox.addTask({
        kind: 'tcss',
        id: '101',
        steps: [
          { afterMs: 0, status: 'Task_New' },
          { afterMs: 5 * SECOND, status: 'Task_Running' },
          { afterMs: 10 * SECOND, status: 'Task_Finish' },
        ],
      });
      const seen: unknown[] = [];
      for (let step = 0; step < 3; step += 1) {
        const answer = await clients.tcss.DescribeUnfinishRefreshTask!({});
        seen.push([answer['TaskId'], answer['TaskStatus']]);
        clock.advance(5 * SECOND);
      }
      expect(seen).toEqual([
        [101, 'Task_New'],
        [101, 'Task_Running'],
        [101, 'Task_Finish'],
      ]);
    });

    it('given only an older task that ended in error, then Task_Error', async () => {
      sandbox.addTask({ kind: 'tcss', id: '100', steps: [{ afterMs: 0, status: 'Task_Error' }] });
      expect((await clients.tcss.DescribeUnfinishRefreshTask!({}))['TaskStatus']).toBe('Task_Error');
    });
  });

  describe('ownership and routing', () => {
    it('given tasks owned by another credential, then this credential neither sees nor is told about them', async () => {
      const cdnId = sandbox.addTask({ kind: 'cdn', owner: OTHER_TENCENT.id });
      const redisId = sandbox.addTask({ kind: 'redis', owner: OTHER_TENCENT.id });
      sandbox.addTask({ kind: 'tcss', owner: OTHER_TENCENT.id });
      const other = tencentClients(sandbox, { credential: OTHER_TENCENT, region: 'ap-guangzhou' });

      expect((await clients.cdn.DescribePushTasks!({ TaskId: cdnId }))['TotalCount']).toBe(0);
      expect((await other.cdn.DescribePushTasks!({ TaskId: cdnId }))['TotalCount']).toBe(1);
      expect(((await rejectionOf(clients.redis.DescribeTaskInfo!({ TaskId: Number(redisId) }))) as TencentSdkError).code).toBe('ResourceNotFound');
      expect((await other.redis.DescribeTaskInfo!({ TaskId: Number(redisId) }))['Status']).toBe('preparing');
      expect((await clients.tcss.DescribeUnfinishRefreshTask!({}))['TaskStatus']).toBe('Task_NoExist');
      expect((await other.tcss.DescribeUnfinishRefreshTask!({}))['TaskStatus']).toBe('Task_New');
    });

    it('given an unknown action or a wrong version, then InvalidAction or NoSuchVersion', async () => {
      const invalidAction = (await rejectionOf(clients.common('2018-06-06').request('DescribeNothing', {}))) as TencentSdkError;
      expect(invalidAction.code).toBe('InvalidAction');
      const wrongVersion = (await rejectionOf(clients.common('2017-01-01').request('DescribePushTasks', { TaskId: '1' }))) as TencentSdkError;
      expect(wrongVersion.code).toBe('NoSuchVersion');
    });

    it('given calls, then each is recorded with its credential, region, params and answered code', async () => {
      await clients.cdn.DescribePushTasks!({ TaskId: '1' });
      await rejectionOf(clients.redis.DescribeTaskInfo!({ TaskId: 7 }));
      expect(sandbox.calls.map(({ cloud, action, version, region, credentialId, params, errorCode }) => ({ cloud, action, version, region, credentialId, params, errorCode }))).toEqual([
        { cloud: 'tencent', action: 'DescribePushTasks', version: '2018-06-06', region: 'ap-guangzhou', credentialId: TENCENT_DEMO.id, params: { TaskId: '1' }, errorCode: null },
        { cloud: 'tencent', action: 'DescribeTaskInfo', version: '2018-04-12', region: 'ap-guangzhou', credentialId: TENCENT_DEMO.id, params: { TaskId: 7 }, errorCode: 'ResourceNotFound' },
      ]);
      sandbox.resetCalls();
      expect(sandbox.calls).toEqual([]);
    });
  });
});
