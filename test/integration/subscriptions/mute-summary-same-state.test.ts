/**
 * A mute summary line about a watched task whose state did not change: the mute held a reply
 * about an item that failed inside a running task, and the summary must say which item, not
 * "running -> running". Real redis-server, the CDN API of the cloud sandbox through the real
 * provider, the watch engine and the subscription engine (mutes) on one manual clock.
 */
import type Redis from 'ioredis';
import { muteSummaryText } from '../../../src/chat/render/mute-summary-text';
import { createRedisConnection } from '../../../src/jobs/redis-connection';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';
import { MemoryNotifier, startStack, waitFor, type TestStack } from './subscription-setup';

const CHANNEL = { platform: 'slack', channelId: 'C-SAME' } as const;

let redisServer: TestRedis;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startTestRedis({ appendOnly: false });
  redis = createRedisConnection(redisServer.url);
});

afterAll(async () => {
  await redis?.quit();
  await redisServer?.stop();
});

describe('a mute summary of a task whose state did not change', () => {
  let clock: ManualClock;
  let sandbox: CloudSandbox;
  let stack: TestStack | null = null;
  const notifier = new MemoryNotifier();

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    sandbox = await CloudSandbox.start({ clock });
  });

  afterEach(async () => {
    await stack?.stop();
    await sandbox?.stop();
  });

  test('given a URL that failed inside a running prefetch while muted, then the summary says it is still running and names the URL', async () => {
    const prefix = uniqueQueueName('same');
    stack = await startStack({ redisUrl: redisServer.url, prefix, sandboxUrl: sandbox.url, notifier, now: () => clock.now() });
    const task = sandbox.addTask({
      kind: 'cdn',
      createdAt: clock.now(),
      items: [
        { name: 'https://www.example.com/ok.js', steps: [{ afterMs: 0, status: 'process', percent: 10 }] },
        { name: 'https://www.example.com/broken.js', steps: [{ afterMs: 0, status: 'process', percent: 10 }, { afterMs: 1000, status: 'fail', percent: 10 }] },
      ],
    });
    await stack.engine.watch({ refs: [{ kind: 'cdn', id: task }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('the card, running', () => notifier.of({ type: 'card', taskId: task, state: 'running' }).length > 0);
    await stack.subscriptions.mute(CHANNEL, 3_600_000, 'U1');
    clock.advance(1000);
    await waitFor('the item failure held', async () => (await redis.scard(`${prefix}:tw:sub:held-watches:slack:C-SAME`)) === 1);
    await stack.subscriptions.unmute(CHANNEL);

    const [summary] = await waitFor('summary', () => (notifier.of({ type: 'summary' }).length > 0 ? notifier.of({ type: 'summary' }) : null));
    const lines = summary?.summary ? muteSummaryText(summary.summary).lines : [];
    expect(lines).toEqual([`cdn ${task}: still running (process); 1 of 2 URLs failed: https://www.example.com/broken.js`]);
    expect(lines.join('\n')).not.toContain('running -> running');
  });
});
