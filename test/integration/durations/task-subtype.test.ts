/**
 * The finer kind of a task that durations are grouped by, as the real SDKs read it from the
 * cloud sandbox: Redis TaskType, CDN Area, DCDN ObjectType.
 */
import { durationGroupOf } from '../../../src/jobs/durations/duration-group';
import { startHarness, type Harness } from '../providers/provider-harness';

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  await harness?.stop();
});

const RUNNING = [{ afterMs: 0, status: 'process', percent: 10 }];

test('given a Redis task, then its TaskType is its subtype', async () => {
  const id = harness.sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', attributes: { TaskType: 'BACKUP_INSTANCE' }, steps: [{ afterMs: 0, status: 'running' }] });
  const [status] = await harness.registry.get('redis').describe([id], { region: 'ap-guangzhou' });
  expect(status?.subtype).toBe('BACKUP_INSTANCE');
  expect(durationGroupOf(status!)).toEqual({ kind: 'redis', account: 'default', subtype: 'BACKUP_INSTANCE', size: null });
});

test('given a CDN prefetch of three URLs in one area, then the area is its subtype and the URLs fall in the 2-10 bucket', async () => {
  const id = harness.sandbox.addTask({
    kind: 'cdn',
    attributes: { Area: 'overseas' },
    items: ['a', 'b', 'c'].map((name) => ({ name: `https://www.example.com/${name}.js`, steps: RUNNING })),
  });
  const [status] = await harness.registry.get('cdn').describe([id]);
  expect(durationGroupOf(status!)).toEqual({ kind: 'cdn', account: 'default', subtype: 'overseas', size: '2-10' });
});

test('given a DCDN refresh of a directory, then the object type is its subtype', async () => {
  const id = harness.sandbox.addTask({
    kind: 'dcdn',
    attributes: { ObjectType: 'directory' },
    items: [{ name: 'http://example.com/static/', steps: [{ afterMs: 0, status: 'Refreshing', percent: 10 }] }],
  });
  const [status] = await harness.registry.get('dcdn').describe([id]);
  expect(durationGroupOf(status!)).toEqual({ kind: 'dcdn', account: 'default', subtype: 'directory', size: '1' });
});
