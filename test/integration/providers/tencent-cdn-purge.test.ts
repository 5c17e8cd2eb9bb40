/**
 * CDN purge specifics, through the real SDK against the sandbox: one TaskId, many URLs or
 * directories; no percent; PurgeType and FlushType; paging; listing by time window.
 */
import { PURGE_KIND, TencentCdnPurgeProvider } from '../../../src/providers/tencent-cdn-purge';
import type { TaskStatus } from '../../../src/providers/types';
import { expectNoSecrets, providerErrorOf, startHarness, type Harness } from './provider-harness';
import { itemNoteTextOf, taskSummaryText } from '../../../src/chat/render/task-summary-text';

/** What a status says besides its state, in the words every surface shows. */
const wordsOf = (status: Parameters<typeof taskSummaryText>[0] | undefined): string => (status ? taskSummaryText(status) : '');

const done = [{ afterMs: 0, status: 'done' }];

describe('tencent cdn purge provider', () => {
  let harness: Harness;
  let provider: TencentCdnPurgeProvider;

  beforeEach(async () => {
    harness = await startHarness();
    const purge = harness.registry.get('purge');
    if (!(purge instanceof TencentCdnPurgeProvider)) throw new Error('the purge provider should be a TencentCdnPurgeProvider');
    provider = purge;
  });

  afterEach(async () => {
    await harness.stop();
  });

  async function describeOne(id: string): Promise<TaskStatus> {
    const [status] = await provider.describe([id]);
    return status as TaskStatus;
  }

  it('given one task with URLs in different states, then each URL is an item without progress and the task is running', async () => {
    const id = harness.sandbox.addTask({
      kind: 'purge',
      items: [
        { name: 'https://www.example.com/a.js', steps: done },
        { name: 'https://www.example.com/b.js', steps: [{ afterMs: 0, status: 'process' }] },
        { name: 'https://www.example.com/c.js', steps: [{ afterMs: 0, status: 'fail' }] },
      ],
    });
    const status = await describeOne(id);
    expect(status).toMatchObject({ kind: 'purge', id, found: true, state: 'running', terminal: false, rawStatus: 'process', progress: null, region: null });
    expect(wordsOf(status)).toBe('Purge in progress: 1 of 3 URLs done, 1 failed.');
    expect(status.items).toEqual([
      { name: 'https://www.example.com/a.js', state: 'succeeded', rawStatus: 'done', progress: null },
      { name: 'https://www.example.com/b.js', state: 'running', rawStatus: 'process', progress: null },
      { name: 'https://www.example.com/c.js', state: 'failed', rawStatus: 'fail', progress: null, note: { fact: 'item_failed', operation: 'purge' } },
    ]);
    expect(status.items.map(itemNoteTextOf)).toEqual([null, null, 'purge failed']);
    // Answered by the purge API, not the prefetch one.
    expect(harness.sandbox.calls[0]?.action).toBe('DescribePurgeTasks');
  });

  it('given every URL done, then the task succeeded and says how many URLs', async () => {
    const id = harness.sandbox.addTask({ kind: 'purge', items: [{ name: 'https://www.example.com/1', steps: done }, { name: 'https://www.example.com/2', steps: done }] });
    const status = await describeOne(id);
    expect(status).toMatchObject({ state: 'succeeded', terminal: true, rawStatus: 'done', summary: { fact: 'item_counts', operation: 'purge', total: 2, succeeded: 2, failed: 0 } });
    expect(wordsOf(status)).toBe('Purge done for 2 URLs.');
  });

  it('given one URL failed and the rest done, then the task failed', async () => {
    const id = harness.sandbox.addTask({ kind: 'purge', items: [{ name: 'https://www.example.com/1', steps: done }, { name: 'https://www.example.com/2', steps: [{ afterMs: 0, status: 'fail' }] }] });
    const status = await describeOne(id);
    expect(status).toMatchObject({ state: 'failed', terminal: true, rawStatus: 'fail' });
    expect(wordsOf(status)).toBe('Purge failed for 1 of 2 URLs.');
  });

  it('given the API answers Done in capitals, then it is still succeeded and the raw status is kept verbatim', async () => {
    const id = harness.sandbox.addTask({ kind: 'purge', items: [{ name: 'https://www.example.com/1', steps: [{ afterMs: 0, status: 'Done' }] }] });
    expect(await describeOne(id)).toMatchObject({ state: 'succeeded', rawStatus: 'Done' });
  });

  it('given a directory purge, then its PurgeType and FlushType become the subtype that groups durations', async () => {
    const id = harness.sandbox.addTask({ kind: 'purge', items: [{ name: 'https://www.example.com/static/', steps: done }], attributes: { PurgeType: 'path', FlushType: 'flush' } });
    expect((await describeOne(id)).subtype).toBe('path flush');
  });

  it('given the sandbox reports a Beijing CreateTime, then createdAt is the same instant in UTC, and there is no update time', async () => {
    const createdAt = harness.clock.now() - 45_000;
    const id = harness.sandbox.addTask({ kind: 'purge', createdAt, items: [{ name: 'https://www.example.com/x', steps: done }] });
    const status = await describeOne(id);
    expect(status.createdAt).toBe(new Date(Math.floor(createdAt / 1000) * 1000).toISOString());
    expect(status.updatedAt).toBeNull();
  });

  it('given a task with more URLs than one page holds, then every URL is fetched over several calls', async () => {
    const items = Array.from({ length: 130 }, (_, index) => ({ name: `https://www.example.com/file-${index}`, steps: done }));
    const id = harness.sandbox.addTask({ kind: 'purge', items });
    const status = await describeOne(id);
    expect(new Set(status.items.map((item) => item.name)).size).toBe(130);
    expect(harness.sandbox.calls.map((call) => call.params['Offset'])).toEqual([0, 100]);
    expect(harness.budget.acquisitions).toHaveLength(2);
  });

  it('given a prefetch task with the same ID, then the purge provider does not see it', async () => {
    const id = harness.sandbox.addTask({ kind: 'cdn', id: '1534925187-5fbwwqut' });
    expect(await describeOne(id)).toMatchObject({ found: false, state: 'unknown' });
  });

  it('given a malformed ID, then it is refused before any call, with the descriptor\'s ID shape and no secret', async () => {
    const error = await providerErrorOf(provider.describe(['<@U123>']));
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(harness.sandbox.calls).toHaveLength(0);
    expectNoSecrets(error);
  });

  it('given tasks inside and outside a window with areas and hosts, then listWindow filters by area and keyword', async () => {
    const base = harness.clock.now();
    const overseas = harness.sandbox.addTask({ kind: 'purge', createdAt: base - 30_000, items: [{ name: 'https://cdn.example.com/a', steps: done }], attributes: { Area: 'overseas' } });
    const mainland = harness.sandbox.addTask({ kind: 'purge', createdAt: base - 30_000, items: [{ name: 'https://www.example.org/b', steps: done }] });
    const window = { startTime: new Date(base - 60_000), endTime: new Date(base) };
    expect((await provider.listWindow({ ...window, region: 'overseas' })).tasks.map((task) => task.id)).toEqual([overseas]);
    expect((await provider.listWindow({ ...window, keyword: 'www.example.org' })).tasks.map((task) => task.id)).toEqual([mainland]);
    // A cloud region is not a purge area: it is not sent, so it filters nothing.
    expect((await provider.listWindow({ ...window, region: 'ap-guangzhou' })).tasks).toHaveLength(2);
    expect(harness.sandbox.calls.map((call) => call.params['Area'])).toEqual(['overseas', undefined, undefined]);
  });

  it('given its descriptor, then it declares what the API documents', () => {
    expect(PURGE_KIND).toMatchObject({ kind: 'purge', cloud: 'tencent', api: 'cdn.DescribePurgeTasks', listsByWindow: true, requiresRegion: false, idRule: 'token' });
    expect(PURGE_KIND.subscription?.statuses).toEqual(['fail', 'done', 'process']);
  });
});
