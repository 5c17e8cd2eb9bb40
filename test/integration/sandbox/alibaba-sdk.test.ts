/**
 * DCDN DescribeDcdnRefreshTaskById driven through the real @alicloud/pop-core RPCClient over
 * loopback, with a ManualClock moving tasks through every documented raw status.
 */
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { SandboxCredential } from '../../../src/sandbox/types';
import { ManualClock } from '../../../src/util/clock';
import { ALIBABA_DEMO, dcdnClient, rejectionOf, type PopCoreClient } from './sandbox-clients';

const OTHER_ALIBABA: SandboxCredential = { cloud: 'alibaba', id: 'LTAIsandboxOTHER0000', secret: 'another-alibaba-secret-for-tests' };
const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;

interface PopCoreError {
  readonly name: string;
  readonly code: string;
  readonly data: Record<string, unknown>;
  readonly entry: { readonly response: { readonly statusCode: number } };
}

describe('cloud sandbox, Alibaba Cloud DCDN through the real pop-core client', () => {
  let clock: ManualClock;
  let sandbox: CloudSandbox;
  let client: PopCoreClient;

  beforeEach(async () => {
    // A fixed day: every part here that judges task time runs on this clock, and the expected
    // vendor timestamps below are written out for it.
    clock = new ManualClock(Date.UTC(2026, 10, 23, 12, 0, 0));
    sandbox = await CloudSandbox.start({ clock, credentials: [ALIBABA_DEMO, OTHER_ALIBABA], rateLimits: false });
    client = dcdnClient(sandbox);
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  it('given a refresh, then it goes Pending -> Refreshing -> Complete with the documented row shape', async () => {
    const id = sandbox.addTask({
      kind: 'dcdn',
      items: [
        {
          name: 'http://example.com/image_01.png',
          steps: [
            { afterMs: 0, status: 'Pending', percent: 0 },
            { afterMs: 10 * SECOND, status: 'Refreshing', percent: 50 },
            { afterMs: 20 * SECOND, status: 'Complete', percent: 100 },
          ],
        },
      ],
    });
    expect(id).toMatch(/^\d+$/);
    const seen: unknown[] = [];
    for (let step = 0; step < 3; step += 1) {
      const answer = await client.request('DescribeDcdnRefreshTaskById', { TaskId: id });
      const [row] = answer['Tasks'] as Record<string, unknown>[];
      seen.push([row!['Status'], row!['Process']]);
      expect(answer['TotalCount']).toBe(1);
      expect(answer['RequestId']).toMatch(/^[0-9A-F-]{36}$/);
      expect(row).toMatchObject({ CreationTime: '2026-11-23T12:00:00Z', ObjectType: 'file', ObjectPath: 'http://example.com/image_01.png', TaskId: id, Description: '' });
      clock.advance(10 * SECOND);
    }
    expect(seen).toEqual([
      ['Pending', '0%'],
      ['Refreshing', '50%'],
      ['Complete', '100%'],
    ]);
  });

  it('given a failed refresh and several IDs at once, then every row comes back with its Status and Description', async () => {
    const failed = sandbox.addTask({
      kind: 'dcdn',
      items: [{ name: 'http://example.com/a.png', steps: [{ afterMs: 0, status: 'Failed', percent: 20, message: 'Internal Error' }] }],
    });
    const directory = sandbox.addTask({
      kind: 'dcdn',
      attributes: { ObjectType: 'directory' },
      items: [
        { name: 'http://example.com/dir1/', steps: [{ afterMs: 0, status: 'Complete', percent: 100 }] },
        { name: 'http://example.com/dir2/', steps: [{ afterMs: 0, status: 'Refreshing', percent: 30 }] },
      ],
    });
    const answer = await client.request('DescribeDcdnRefreshTaskById', { TaskId: `${failed},${directory},99999999` });
    expect(answer['TotalCount']).toBe(3);
    expect((answer['Tasks'] as Record<string, unknown>[]).map((row) => [row['TaskId'], row['Status'], row['Process'], row['Description'], row['ObjectType']])).toEqual([
      [failed, 'Failed', '20%', 'Internal Error', 'file'],
      [directory, 'Complete', '100%', '', 'directory'],
      [directory, 'Refreshing', '30%', '', 'directory'],
    ]);
  });

  it('given 11 IDs, then HTTP 400 InvalidTaskId; given 10, then an answer', async () => {
    const ids = Array.from({ length: 11 }, (_, index) => String(1000 + index));
    const error = (await rejectionOf(client.request('DescribeDcdnRefreshTaskById', { TaskId: ids.join(',') }))) as PopCoreError;
    expect(error.code).toBe('InvalidTaskId');
    expect(error.name).toBe('InvalidTaskIdError');
    expect(error.entry.response.statusCode).toBe(400);
    expect(error.data).toMatchObject({ Code: 'InvalidTaskId', HostId: '127.0.0.1', Recommend: expect.stringContaining('InvalidTaskId') });
    expect(error.data['RequestId']).toMatch(/^[0-9A-F-]{36}$/);
    const ten = await client.request('DescribeDcdnRefreshTaskById', { TaskId: ids.slice(0, 10).join(',') });
    expect(ten['TotalCount']).toBe(0);
  });

  it('given a non-numeric ID, then InvalidTaskId.Malformed; given none, then MissingTaskId', async () => {
    expect(((await rejectionOf(client.request('DescribeDcdnRefreshTaskById', { TaskId: '123,abc' }))) as PopCoreError).code).toBe('InvalidTaskId.Malformed');
    expect(((await rejectionOf(client.request('DescribeDcdnRefreshTaskById', {}))) as PopCoreError).code).toBe('MissingTaskId');
  });

  it('given a task older than 3 days on the sandbox clock, then it is simply not returned', async () => {
    const id = sandbox.addTask({ kind: 'dcdn', createdAt: clock.now() - 3 * DAY + SECOND });
    expect((await client.request('DescribeDcdnRefreshTaskById', { TaskId: id }))['TotalCount']).toBe(1);
    clock.advance(2 * SECOND);
    const aged = await client.request('DescribeDcdnRefreshTaskById', { TaskId: id });
    expect([aged['TotalCount'], aged['Tasks']]).toEqual([0, []]);
  });

  it('given a task owned by another AccessKeyId, then only its owner sees it', async () => {
    const id = sandbox.addTask({ kind: 'dcdn', owner: OTHER_ALIBABA.id });
    expect((await client.request('DescribeDcdnRefreshTaskById', { TaskId: id }))['TotalCount']).toBe(0);
    expect((await dcdnClient(sandbox, { credential: OTHER_ALIBABA }).request('DescribeDcdnRefreshTaskById', { TaskId: id }))['TotalCount']).toBe(1);
  });

  it('given an unknown action, then 404 InvalidAction.NotFound; given a wrong version, then InvalidVersion', async () => {
    const unknownAction = (await rejectionOf(client.request('DescribeNothing', {}))) as PopCoreError;
    expect([unknownAction.entry.response.statusCode, unknownAction.code]).toEqual([404, 'InvalidAction.NotFound']);
    const wrongVersion = dcdnClient(sandbox, { apiVersion: '2014-11-11' });
    expect(((await rejectionOf(wrongVersion.request('DescribeDcdnRefreshTaskById', { TaskId: '1' }))) as PopCoreError).code).toBe('InvalidVersion');
  });

  it('given calls, then each is recorded with the AccessKeyId, the action parameters only and the answered code', async () => {
    await client.request('DescribeDcdnRefreshTaskById', { TaskId: '1' });
    await rejectionOf(client.request('DescribeDcdnRefreshTaskById', { TaskId: 'x' }));
    expect(sandbox.calls.map(({ cloud, action, version, credentialId, params, errorCode }) => ({ cloud, action, version, credentialId, params, errorCode }))).toEqual([
      { cloud: 'alibaba', action: 'DescribeDcdnRefreshTaskById', version: '2018-01-15', credentialId: ALIBABA_DEMO.id, params: { TaskId: '1' }, errorCode: null },
      { cloud: 'alibaba', action: 'DescribeDcdnRefreshTaskById', version: '2018-01-15', credentialId: ALIBABA_DEMO.id, params: { TaskId: 'x' }, errorCode: 'InvalidTaskId.Malformed' },
    ]);
  });

  it('given a form-encoded POST from pop-core, then it is verified and answered like GET', async () => {
    const id = sandbox.addTask({ kind: 'dcdn' });
    const answer = await client.request('DescribeDcdnRefreshTaskById', { TaskId: id }, { method: 'POST' });
    expect(answer['TotalCount']).toBe(1);
  });
});
