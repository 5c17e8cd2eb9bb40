/** DCDN specifics: batches of at most 10 IDs, object-path items, the 3-day window, pop-core's pitfalls. */
import RPCClient from '@alicloud/pop-core';
import { inspect } from 'node:util';
import type { TaskStatus } from '../../../src/providers/types';
import { ALIBABA_CREDENTIAL, expectNoSecrets, providerErrorOf, startHarness, type Harness } from './provider-harness';
import { taskSummaryText } from '../../../src/chat/render/task-summary-text';

/** What a status says besides its state, in the words every surface shows. */
const wordsOf = (status: Parameters<typeof taskSummaryText>[0] | undefined): string => (status ? taskSummaryText(status) : '');

const COMPLETE = [{ afterMs: 0, status: 'Complete', percent: 100 }];

describe('alibaba dcdn provider', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.stop();
  });

  it('given 23 IDs, then they go out in calls of at most 10 and come back merged in request order', async () => {
    const planted = Array.from({ length: 22 }, () => harness.sandbox.addTask({ kind: 'dcdn' }));
    // An unknown ID in the middle, so order cannot come from the answers alone.
    const requested = [...planted.slice(0, 11), '424242', ...planted.slice(11)].reverse();
    const statuses = await harness.registry.get('dcdn').describe(requested);

    expect(statuses.map((status) => status.id)).toEqual(requested);
    expect(statuses.filter((status) => !status.found).map((status) => status.id)).toEqual(['424242']);
    const calls = harness.sandbox.calls;
    expect(calls).toHaveLength(3);
    const batches = calls.map((call) => String(call.params['TaskId']).split(','));
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(10);
    expect(batches.flat().sort()).toEqual([...requested].sort());
    expect(harness.budget.acquisitions).toHaveLength(3);
  });

  it('given the same ID twice, then it is asked for once and answered twice', async () => {
    const id = harness.sandbox.addTask({ kind: 'dcdn' });
    const statuses = await harness.registry.get('dcdn').describe([id, id]);
    expect(statuses.map((status) => status.id)).toEqual([id, id]);
    expect(harness.sandbox.calls[0]?.params['TaskId']).toBe(id);
  });

  it('given a task with several object paths, then each path is an item with its own status and percent', async () => {
    const id = harness.sandbox.addTask({
      kind: 'dcdn',
      items: [
        { name: 'http://example.com/a.png', steps: COMPLETE },
        { name: 'http://example.com/b.png', steps: [{ afterMs: 0, status: 'Refreshing', percent: 50 }] },
      ],
    });
    const [status] = await harness.registry.get('dcdn').describe([id]);
    expect(status).toMatchObject({ state: 'running', rawStatus: 'Refreshing', progress: 75, terminal: false });
    expect(status?.items).toEqual([
      { name: 'http://example.com/a.png', state: 'succeeded', rawStatus: 'Complete', progress: 100 },
      { name: 'http://example.com/b.png', state: 'running', rawStatus: 'Refreshing', progress: 50 },
    ]);
  });

  it('given a failed object path with a description, then the item and the task say why', async () => {
    const id = harness.sandbox.addTask({
      kind: 'dcdn',
      items: [{ name: 'http://example.com/a.png', steps: [{ afterMs: 0, status: 'Failed', percent: 0, message: 'Internal Error' }] }],
    });
    const [status] = (await harness.registry.get('dcdn').describe([id])) as [TaskStatus];
    expect(status.items[0]?.note).toEqual({ fact: 'vendor_text', text: 'Internal Error' });
    expect(wordsOf(status)).toContain('Internal Error');
    expect(status.state).toBe('failed');
  });

  it('given a task created four days ago, then it comes back found: false saying DCDN keeps only 3 days', async () => {
    const now = harness.clock.now();
    const old = harness.sandbox.addTask({ kind: 'dcdn', createdAt: now - 4 * 24 * 3_600_000, items: [{ name: 'http://example.com/old.png', steps: COMPLETE }] });
    const fresh = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/new.png', steps: COMPLETE }] });
    const statuses = await harness.registry.get('dcdn').describe([old, fresh]);
    expect(statuses.map((status) => status.found)).toEqual([false, true]);
    expect(wordsOf(statuses[0])).toContain('not found, or older than 3 days (DCDN keeps only the last 3 days)');
  });

  it('given a 503 whose JSON has no Code, then it is unavailable rather than an empty success', async () => {
    const id = harness.sandbox.addTask({ kind: 'dcdn' });
    harness.sandbox.injectFault({ cloud: 'alibaba', type: 'http503', count: 1 });
    const error = await providerErrorOf(harness.registry.get('dcdn').describe([id]));
    expect(error).toMatchObject({ code: 'unavailable', httpStatus: 503, retryable: true });
    expectNoSecrets(error);
  });

  it('given a non-numeric ID, then it is refused before any call', async () => {
    const error = await providerErrorOf(harness.registry.get('dcdn').describe(['12,34']));
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(harness.sandbox.calls).toHaveLength(0);
  });

  it("given pop-core's own error for a refused signature, then its message holds the AccessKeyId, which is why the provider never passes it on", async () => {
    const client = new RPCClient({
      accessKeyId: ALIBABA_CREDENTIAL.id,
      accessKeySecret: 'wrong-secret-for-this-check',
      endpoint: harness.sandbox.url,
      apiVersion: '2018-01-15',
    });
    let raw: unknown;
    try {
      await client.request('DescribeDcdnRefreshTaskById', { TaskId: '1' });
    } catch (error) {
      raw = error;
    }
    expect(inspect(raw)).toContain(ALIBABA_CREDENTIAL.id);
    harness = await restartWithWrongSecret(harness);
    const error = await providerErrorOf(harness.registry.get('dcdn').describe(['1']));
    expect(error.code).toBe('auth_failed');
    expectNoSecrets(error);
  });
});

async function restartWithWrongSecret(previous: Harness): Promise<Harness> {
  await previous.stop();
  return startHarness({ alibabaSecret: 'wrong-secret-for-this-check' });
}
