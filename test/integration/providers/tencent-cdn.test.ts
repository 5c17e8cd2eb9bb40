/** CDN specifics: one TaskId, many URLs; `invalid` prefetches; paging; listing by time window. */
import { TencentCdnProvider } from '../../../src/providers/tencent-cdn';
import type { TaskStatus } from '../../../src/providers/types';
import { startHarness, type Harness } from './provider-harness';
import { itemNoteTextOf, taskSummaryText } from '../../../src/chat/render/task-summary-text';

/** What a status says besides its state, in the words every surface shows. */
const wordsOf = (status: Parameters<typeof taskSummaryText>[0] | undefined): string => (status ? taskSummaryText(status) : '');

describe('tencent cdn provider', () => {
  let harness: Harness;
  let provider: TencentCdnProvider;

  beforeEach(async () => {
    harness = await startHarness();
    const cdn = harness.registry.get('cdn');
    if (!(cdn instanceof TencentCdnProvider)) throw new Error('the cdn provider should be a TencentCdnProvider');
    provider = cdn;
  });

  afterEach(async () => {
    await harness.stop();
  });

  async function describeOne(id: string): Promise<TaskStatus> {
    const [status] = await provider.describe([id]);
    return status as TaskStatus;
  }

  it('given one task with three URLs in different states, then each URL is an item and the task is running with the mean progress', async () => {
    const id = harness.sandbox.addTask({
      kind: 'cdn',
      items: [
        { name: 'https://www.example.com/a.js', steps: [{ afterMs: 0, status: 'done', percent: 100 }] },
        { name: 'https://www.example.com/b.js', steps: [{ afterMs: 0, status: 'process', percent: 40 }] },
        { name: 'https://www.example.com/c.js', steps: [{ afterMs: 0, status: 'invalid', percent: 0 }] },
      ],
    });
    const status = await describeOne(id);
    expect(status).toMatchObject({ state: 'running', terminal: false, rawStatus: 'process', progress: 47 });
    expect(status.items).toEqual([
      { name: 'https://www.example.com/a.js', state: 'succeeded', rawStatus: 'done', progress: 100 },
      { name: 'https://www.example.com/b.js', state: 'running', rawStatus: 'process', progress: 40 },
      { name: 'https://www.example.com/c.js', state: 'failed', rawStatus: 'invalid', progress: 0, note: { fact: 'origin_refused' } },
    ]);
    expect(status.summary).toEqual({ fact: 'item_counts', operation: 'prefetch', total: 3, succeeded: 1, failed: 1, originRefused: 1 });
    expect(wordsOf(status)).toBe('Prefetch in progress: 1 of 3 URLs done, 1 failed.');
    expect(status.items.map(itemNoteTextOf)).toEqual([null, null, 'origin answered with a 4xx/5xx status']);
  });

  it('given every URL done, then the task succeeded and says how many URLs', async () => {
    const done = [{ afterMs: 0, status: 'done', percent: 100 }];
    const id = harness.sandbox.addTask({
      kind: 'cdn',
      items: [
        { name: 'https://www.example.com/1', steps: done },
        { name: 'https://www.example.com/2', steps: done },
      ],
    });
    const status = await describeOne(id);
    expect(status).toMatchObject({ state: 'succeeded', terminal: true, rawStatus: 'done', progress: 100 });
    expect(wordsOf(status)).toBe('Prefetch done for 2 URLs.');
  });

  it('given the other URLs settled and one invalid, then the task failed and says the origin answered with an error status', async () => {
    const id = harness.sandbox.addTask({
      kind: 'cdn',
      items: [
        { name: 'https://www.example.com/ok', steps: [{ afterMs: 0, status: 'done', percent: 100 }] },
        { name: 'https://www.example.com/missing', steps: [{ afterMs: 0, status: 'invalid', percent: 0 }] },
      ],
    });
    const status = await describeOne(id);
    expect(status).toMatchObject({ state: 'failed', terminal: true, rawStatus: 'invalid' });
    expect(wordsOf(status)).toMatch(/origin answered with a 4xx\/5xx status/);
  });

  it('given the sandbox reports Beijing times, then createdAt and updatedAt are the same instants in UTC', async () => {
    const createdAt = Date.UTC(2026, 10, 23, 1, 2, 3);
    harness.clock.set(createdAt + 45_000);
    const id = harness.sandbox.addTask({
      kind: 'cdn',
      createdAt,
      items: [{ name: 'https://www.example.com/x', steps: [{ afterMs: 0, status: 'process', percent: 0 }, { afterMs: 30_000, status: 'process', percent: 40 }] }],
    });
    const status = await describeOne(id);
    expect(status.createdAt).toBe('2026-11-23T01:02:03.000Z');
    expect(status.updatedAt).toBe('2026-11-23T01:02:33.000Z');
  });

  it('given a task with more URLs than one page holds, then every URL is fetched over several calls', async () => {
    const items = Array.from({ length: 130 }, (_, index) => ({ name: `https://www.example.com/file-${index}`, steps: [{ afterMs: 0, status: 'done', percent: 100 }] }));
    const id = harness.sandbox.addTask({ kind: 'cdn', items });
    const status = await describeOne(id);
    expect(status.items).toHaveLength(130);
    expect(new Set(status.items.map((item) => item.name)).size).toBe(130);
    const calls = harness.sandbox.calls;
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.params['Offset'])).toEqual([0, 100]);
    expect(harness.budget.acquisitions).toHaveLength(2);
  });

  it('given several IDs, then one status per ID comes back in request order', async () => {
    const first = harness.sandbox.addTask({ kind: 'cdn' });
    const second = harness.sandbox.addTask({ kind: 'cdn' });
    const statuses = await provider.describe([second, 'no-such-task', first]);
    expect(statuses.map((status) => [status.id, status.found])).toEqual([
      [second, true],
      ['no-such-task', false],
      [first, true],
    ]);
  });

  it('given tasks inside and outside a time window, then listPushTasks groups the window\'s rows by TaskId', async () => {
    const base = Date.UTC(2026, 10, 23, 10, 0, 0);
    harness.clock.set(base + 600_000);
    const done = [{ afterMs: 0, status: 'done', percent: 100 }];
    const old = harness.sandbox.addTask({ kind: 'cdn', createdAt: base - 3_600_000, items: [{ name: 'https://www.example.com/old', steps: done }] });
    const recent = harness.sandbox.addTask({
      kind: 'cdn',
      createdAt: base + 60_000,
      items: [
        { name: 'https://www.example.com/r1', steps: done },
        { name: 'https://www.example.com/r2', steps: [{ afterMs: 0, status: 'fail', percent: 0 }] },
      ],
    });
    const page = await provider.listPushTasks({ startTime: new Date(base), endTime: new Date(base + 600_000) });
    expect(page.tasks.map((task) => task.id)).toEqual([recent]);
    expect(page.tasks.map((task) => task.id)).not.toContain(old);
    expect(page.tasks[0]).toMatchObject({ state: 'failed', createdAt: new Date(base + 60_000).toISOString() });
    expect(page.tasks[0]?.items).toHaveLength(2);
    expect(page.totalCount).toBe(2);
    expect(page.requestId).toEqual(expect.any(String));
    expect(harness.sandbox.calls[0]?.params).toMatchObject({ StartTime: '2026-11-23 18:00:00', EndTime: '2026-11-23 18:10:00' });
  });

  it('given a status filter, then listPushTasks passes it on and only matching rows come back', async () => {
    const done = [{ afterMs: 0, status: 'done', percent: 100 }];
    const failing = [{ afterMs: 0, status: 'fail', percent: 0 }];
    harness.sandbox.addTask({ kind: 'cdn', items: [{ name: 'https://www.example.com/d', steps: done }] });
    const failedId = harness.sandbox.addTask({ kind: 'cdn', items: [{ name: 'https://www.example.com/f', steps: failing }] });
    const now = harness.clock.now();
    const page = await provider.listPushTasks({ startTime: new Date(now - 60_000), endTime: new Date(now + 1000), status: 'fail' });
    expect(page.tasks.map((task) => task.id)).toEqual([failedId]);
  });

  it('given an http_proxy pointing nowhere, then the SDK still reaches the loopback sandbox directly', async () => {
    const id = harness.sandbox.addTask({ kind: 'cdn' });
    const saved = process.env['http_proxy'];
    process.env['http_proxy'] = 'http://127.0.0.1:9';
    try {
      const status = await describeOne(id);
      expect(status.found).toBe(true);
    } finally {
      if (saved === undefined) delete process.env['http_proxy'];
      else process.env['http_proxy'] = saved;
    }
  });
});
