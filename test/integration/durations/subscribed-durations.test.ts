/**
 * A task nobody typed in is remembered too: a CDN subscription announces a new prefetch, the
 * watch engine follows it to its end, and its duration lands in its group, exactly as for a
 * watched task. Real redis-server, the sandbox on a manual clock, both engines as in production.
 */
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { waitFor } from '../../support/wait';
import { MemoryNotifier, startStack, type TestStack } from '../subscriptions/subscription-setup';

const CHANNEL = { platform: 'slack', channelId: 'C-SUB-DURATIONS' } as const;

let redisServer: TestRedis;
let sandbox: CloudSandbox;
let stack: TestStack;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
});

afterAll(async () => {
  await stack?.stop();
  await sandbox?.stop();
  await redisServer?.stop();
});

test('given a CDN subscription, then a new prefetch it announced that ends after 90 s is remembered with 90 s in its area and size', async () => {
  const clock = new ManualClock();
  sandbox = await CloudSandbox.start({ clock });
  const notifier = new MemoryNotifier();
  stack = await startStack({ redisUrl: redisServer.url, prefix: uniqueQueueName('subs-durations'), sandboxUrl: sandbox.url, notifier, now: () => clock.now() });
  await stack.subscriptions.subscribe({ channel: CHANNEL, kind: 'cdn', requestedBy: 'U1' });

  const id = sandbox.addTask({
    kind: 'cdn',
    attributes: { Area: 'overseas' },
    items: [{ name: 'https://www.example.com/new.js', steps: [{ afterMs: 0, status: 'process', percent: 0 }, { afterMs: 90_000, status: 'done', percent: 100 }] }],
  });
  await waitFor('the subscription announces the task', () => notifier.of({ type: 'card', taskId: id, state: 'running' }).length > 0);
  clock.advance(90_000);
  await waitFor('the task ends', () => notifier.of({ type: 'reply', taskId: id, state: 'succeeded', endReason: 'terminal' }).length > 0);

  const summaries = await waitFor('its duration is remembered', async () => {
    const found = await stack.engine.durations.summaries();
    return found.length > 0 ? found : null;
  });
  expect(summaries).toEqual([
    expect.objectContaining({ group: { kind: 'cdn', account: 'default', subtype: 'overseas', size: '1' }, count: 1, medianMs: 90_000, slowest: expect.objectContaining({ taskId: id }) }),
  ]);
});
