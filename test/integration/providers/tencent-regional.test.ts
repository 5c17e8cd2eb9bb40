/** DTS and Redis specifics: a region is required, tasks live in one region, Redis IDs are integers. */
import { startHarness, providerErrorOf, type Harness } from './provider-harness';
import { providerFailureText } from '../../../src/commands/messages';
import { taskSummaryText } from '../../../src/chat/render/task-summary-text';

/** What a status says besides its state, in the words every surface shows. */
const wordsOf = (status: Parameters<typeof taskSummaryText>[0] | undefined): string => (status ? taskSummaryText(status) : '');

describe.each(['dts', 'redis'] as const)('regional provider %s', (kind) => {
  let harness: Harness | null = null;

  afterEach(async () => {
    await harness?.stop();
    harness = null;
  });

  it('given no region in the call or the account, then it is refused before any call with how to give one', async () => {
    harness = await startHarness({ region: null });
    const error = await providerErrorOf(harness.registry.get(kind).describe(['123']));
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(providerFailureText(error, 'cli')).toBe(`${kind === 'dts' ? 'DTS' : 'Redis'} needs a region: add region=<region> (e.g. ap-guangzhou)`);
    expect(harness.sandbox.calls).toHaveLength(0);
    expect(harness.registry.defaultRegion(kind)).toBeNull();
  });

  it('given a region in the call, then it overrides the account default and is reported on the status', async () => {
    harness = await startHarness({ region: 'ap-guangzhou' });
    const id = harness.sandbox.addTask({ kind, region: 'ap-shanghai' });
    const [status] = await harness.registry.get(kind).describe([id], { region: 'ap-shanghai' });
    expect(status).toMatchObject({ id, region: 'ap-shanghai', found: true });
    expect(harness.sandbox.calls[0]?.region).toBe('ap-shanghai');
  });

  it('given a task in another region than asked, then it is not found there', async () => {
    harness = await startHarness({ region: 'ap-guangzhou' });
    const id = harness.sandbox.addTask({ kind, region: 'ap-shanghai' });
    const [status] = await harness.registry.get(kind).describe([id]);
    expect(status).toMatchObject({ id, region: 'ap-guangzhou', found: false });
    expect(wordsOf(status)).toContain('ap-guangzhou');
  });
});

describe('redis provider', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.stop();
  });

  it('given a non-integer TaskId, then it is refused before any call', async () => {
    const error = await providerErrorOf(harness.registry.get('redis').describe(['12a']));
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(providerFailureText(error, 'cli')).toContain('whole numbers');
    expect(harness.sandbox.calls).toHaveLength(0);
  });

  it('given a task, then TaskId goes out as a JSON integer and the message names the task type, instance and task message', async () => {
    const id = harness.sandbox.addTask({
      kind: 'redis',
      steps: [{ afterMs: 0, status: 'error', message: 'disk full' }],
      attributes: { TaskType: 'Redis cache purge process', InstanceId: 'crs-09u2u96z' },
    });
    const [status] = await harness.registry.get('redis').describe([id]);
    expect(harness.sandbox.calls[0]?.params['TaskId']).toBe(Number(id));
    expect(status).toMatchObject({ state: 'failed', rawStatus: 'error', terminal: true });
    expect(status?.summary).toEqual({ fact: 'resource_task', taskType: 'Redis cache purge process', resourceId: 'crs-09u2u96z', vendorNote: 'disk full', stoppedOnError: true });
    expect(wordsOf(status)).toBe('Redis cache purge process on crs-09u2u96z: stopped on an error (disk full).');
  });
});

describe('dts provider', () => {
  it('given a task whose Info says something, then that is the message, passed through verbatim', async () => {
    const harness = await startHarness();
    try {
      const id = harness.sandbox.addTask({ kind: 'dts', steps: [{ afterMs: 0, status: 'failed', message: 'source database unreachable' }] });
      const [status] = await harness.registry.get('dts').describe([id]);
      expect(status).toMatchObject({ state: 'failed', summary: { fact: 'vendor_text', text: 'source database unreachable' } });
      expect(wordsOf(status)).toBe('source database unreachable');
    } finally {
      await harness.stop();
    }
  });
});
