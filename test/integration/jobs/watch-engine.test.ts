/**
 * The watch engine end to end on a real redis-server: real providers and SDKs against the
 * cloud sandbox (driven by a manual clock), BullMQ workers in this process or in child
 * processes, and a notifier that records into Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type Redis from 'ioredis';
import type { DurationGroup } from '../../../src/jobs/durations/duration-group';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { uniqueQueueName, type TestRedis } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { waitFor } from '../../support/wait';
import { startTestEngine, type EngineSetup, type TestEngine } from './engine-setup';
import { REFUSED_ACCOUNT, REFUSED_SECRET, TEST_WATCH_CONFIG } from '../../support/engine-settings';
import { recordedEvents, type RecordedEvent } from './recording-notifier';

const CHANNEL = { platform: 'slack', channelId: 'C-ONE' } as const;
const OTHER_CHANNEL = { platform: 'slack', channelId: 'C-TWO' } as const;
const MINUTE = 60_000;

let fixture: RedisFixture;
let redisServer: TestRedis;
let redis: Redis;

beforeAll(async () => {
  fixture = await startRedisFixture();
  ({ server: redisServer, redis } = fixture);
});

afterAll(async () => {
  await fixture?.stop();
});

/** A sandbox with a manual clock, and a unique prefix for the engine's keys. */
async function startWorld(): Promise<{ sandbox: CloudSandbox; clock: ManualClock; prefix: string; events: (filter?: Partial<RecordedEvent>) => Promise<RecordedEvent[]> }> {
  const clock = new ManualClock();
  const sandbox = await CloudSandbox.start({ clock });
  const prefix = uniqueQueueName('watch');
  const events = async (filter: Partial<RecordedEvent> = {}): Promise<RecordedEvent[]> =>
    (await recordedEvents(redis, prefix)).filter((event) =>
      Object.entries(filter).every(([key, value]) => (event as unknown as Record<string, unknown>)[key] === value),
    );
  return { sandbox, clock, prefix, events };
}

/** A Redis task going preparing -> running -> succeed at 0, 1 s and 2 s on the sandbox clock. */
function plantRedisTask(sandbox: CloudSandbox, options: { runningAt?: number; doneAt?: number } = {}): string {
  return sandbox.addTask({
    kind: 'redis',
    region: 'ap-guangzhou',
    steps: [
      { afterMs: 0, status: 'preparing' },
      { afterMs: options.runningAt ?? 1000, status: 'running' },
      { afterMs: options.doneAt ?? 2000, status: 'succeed' },
    ],
  });
}

/** Starts a worker in a child process; resolves once it is polling. */
async function spawnWorker(setup: EngineSetup): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(__dirname, '..', '..', '..', 'scripts', 'run-ts.js'), join(__dirname, 'worker-process.ts'), JSON.stringify(setup)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${errors}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}: ${errors}`));
    });
  });
  return child;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
  clearTimeout(timer);
}

/**
 * The state a channel's card shows now: its last post or edit. A card posted after the first
 * check already shows that state and is never edited to it, so tests ask for this rather than
 * for an edit.
 */
function cardStateIn(events: readonly RecordedEvent[], channel: string): string | null {
  const cards = events.filter((event) => (event.type === 'card' || event.type === 'update') && event.channel === channel);
  return cards[cards.length - 1]?.state ?? null;
}

/** How many cards (by message) show `state` now. */
function cardsShowing(events: readonly RecordedEvent[], state: string): number {
  const latest = new Map<string, string | null>();
  for (const event of events) if (event.type === 'card' || event.type === 'update') latest.set(event.messageId, event.state);
  return [...latest.values()].filter((shown) => shown === state).length;
}

function repliesIn(events: readonly RecordedEvent[], channel: string): RecordedEvent[] {
  return events.filter((event) => event.type === 'reply' && event.channel === channel);
}

describe('watch engine, in one process', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let running: TestEngine;

  beforeEach(async () => {
    world = await startWorld();
    running = await startTestEngine({ redisUrl: redisServer.url, prefix: world.prefix, sandboxUrl: world.sandbox.url, role: 'all' }, () => world.clock.now());
  });

  afterEach(async () => {
    await running?.stop();
    await world?.sandbox.stop();
  });

  test('given a DCDN refresh whose progress alone moves (30% -> 70%), then the card is edited and the thread hears only the ending', async () => {
    const id = world.sandbox.addTask({
      kind: 'dcdn',
      items: [
        {
          name: 'http://example.com/progress.png',
          steps: [
            { afterMs: 0, status: 'Refreshing', percent: 30 },
            { afterMs: 1000, status: 'Refreshing', percent: 70 },
            { afterMs: 2000, status: 'Complete', percent: 100 },
          ],
        },
      ],
    });
    await running.engine.watch({ refs: [{ kind: 'dcdn', id }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('card shows 30%', async () => (await world.events({ type: 'card', progress: 30 })).length > 0);
    world.clock.advance(1000);
    await waitFor('card shows 70%', async () => (await world.events({ type: 'update', progress: 70 })).length > 0);
    world.clock.advance(1000);
    await waitFor('card ends succeeded', async () => (await world.events({ type: 'update', state: 'succeeded', endReason: 'terminal' })).length > 0);

    const replies = repliesIn(await world.events(), 'slack:C-ONE');
    expect(replies.map((reply) => [reply.previousState, reply.state, reply.endReason])).toEqual([['running', 'succeeded', 'terminal']]);
  });

  test('given a CDN prefetch in which one URL fails while the others run, then that failure gets its own thread reply', async () => {
    const id = world.sandbox.addTask({
      kind: 'cdn',
      items: [
        { name: 'https://www.example.com/ok.js', steps: [{ afterMs: 0, status: 'process', percent: 10 }, { afterMs: 1000, status: 'process', percent: 60 }, { afterMs: 2000, status: 'done', percent: 100 }] },
        { name: 'https://www.example.com/broken.js', steps: [{ afterMs: 0, status: 'process', percent: 10 }, { afterMs: 1000, status: 'fail', percent: 0 }] },
      ],
    });
    await running.engine.watch({ refs: [{ kind: 'cdn', id }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('card shows running', async () => (await world.events({ type: 'card', state: 'running' })).length > 0);
    world.clock.advance(1000);
    await waitFor('a reply about the failed URL', async () => (await world.events({ type: 'reply' })).length > 0);
    const [reply] = await world.events({ type: 'reply' });
    expect(reply).toMatchObject({ previousState: 'running', endReason: null });
  });

  test('given a DCDN task going pending -> running -> succeeded, then each transition gets exactly one thread reply and the card ends succeeded', async () => {
    const id = world.sandbox.addTask({
      kind: 'dcdn',
      items: [
        {
          name: 'http://example.com/a.png',
          steps: [
            { afterMs: 0, status: 'Pending', percent: 0 },
            { afterMs: 1000, status: 'Refreshing', percent: 50 },
            { afterMs: 2000, status: 'Complete', percent: 100 },
          ],
        },
      ],
    });
    const [summary] = await running.engine.watch({ refs: [{ kind: 'dcdn', id }], channel: CHANNEL, requestedBy: 'U1' });
    expect(summary?.cardMessageId).toBeTruthy();
    const again = await running.engine.watch({ refs: [{ kind: 'dcdn', id }], channel: CHANNEL, requestedBy: 'U2' });
    expect(again[0]?.watchId).toBe(summary?.watchId);

    await waitFor('card shows pending', async () => (await world.events({ type: 'card', state: 'pending' })).length > 0);
    world.clock.advance(1000);
    await waitFor('reply running', async () => (await world.events({ type: 'reply', state: 'running' })).length > 0);
    world.clock.advance(1000);
    await waitFor('card ends succeeded', async () => (await world.events({ type: 'update', state: 'succeeded', endReason: 'terminal' })).length > 0);
    // Let any stray duplicate arrive before counting.
    await waitFor('notify queue drained', async () => {
      const counts = await running.engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    });

    const events = await world.events();
    expect(events.filter((event) => event.type === 'card')).toHaveLength(1);
    const replies = repliesIn(events, 'slack:C-ONE');
    expect(replies.map((reply) => [reply.previousState, reply.state])).toEqual([
      ['pending', 'running'],
      ['running', 'succeeded'],
    ]);
    expect(replies[1]).toMatchObject({ endReason: 'terminal', broadcast: false });
    expect(replies[1]?.durationMs).toBe(2000);
    const updates = events.filter((event) => event.type === 'update');
    expect(updates[updates.length - 1]).toMatchObject({ state: 'succeeded', endReason: 'terminal' });
    expect(await running.engine.list(CHANNEL)).toEqual([]);
  });

  test('given a task already finished when watched, then its card is first posted with the final state and its thread hears only the ending, not the same state twice', async () => {
    const id = world.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/done.png', steps: [{ afterMs: 0, status: 'Complete', percent: 100 }] }] });
    await running.engine.watch({ refs: [{ kind: 'dcdn', id }], channel: CHANNEL, requestedBy: 'U1' });
    expect(await world.events({ type: 'card' })).toEqual([expect.objectContaining({ taskId: id, state: 'succeeded' })]);
    await waitFor('card ends succeeded', async () => (await world.events({ type: 'update', state: 'succeeded', endReason: 'terminal' })).length > 0);
    await waitFor('notify queue drained', async () => {
      const counts = await running.engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    });
    const replies = repliesIn(await world.events(), 'slack:C-ONE');
    expect(replies.map((reply) => [reply.previousState ?? null, reply.state, reply.endReason])).toEqual([[null, 'succeeded', 'terminal']]);
  });

  test('given two channels watching one task and a 429 on the first, then the second channel gets every reply first and the first gets one catch-up reply', async () => {
    const id = plantRedisTask(world.sandbox);
    await running.engine.watch({ refs: [{ kind: 'redis', id }], channel: CHANNEL, requestedBy: 'U1' });
    await running.engine.watch({ refs: [{ kind: 'redis', id }], channel: OTHER_CHANNEL, requestedBy: 'U2' });
    const listed = await running.engine.list(OTHER_CHANNEL);
    expect(listed).toHaveLength(1);
    expect(listed[0]?.nextCheckAt).not.toBeNull();
    await waitFor('both cards pending', async () => {
      const events = await world.events();
      return cardStateIn(events, 'slack:C-ONE') === 'pending' && cardStateIn(events, 'slack:C-TWO') === 'pending';
    });

    await redis.sadd(`${world.prefix}:blocked`, 'C-ONE');
    world.clock.advance(1000);
    await waitFor('C-TWO hears running', async () => (await world.events({ type: 'reply', channel: 'slack:C-TWO', state: 'running' })).length > 0);
    world.clock.advance(1000);
    await waitFor('C-TWO hears succeeded', async () => (await world.events({ type: 'reply', channel: 'slack:C-TWO', state: 'succeeded' })).length > 0);
    expect((await world.events({ type: 'rate_limited', channel: 'slack:C-ONE' })).length).toBeGreaterThan(0);
    expect(await world.events({ type: 'reply', channel: 'slack:C-ONE' })).toEqual([]);

    await redis.srem(`${world.prefix}:blocked`, 'C-ONE');
    await waitFor('C-ONE catches up', async () => (await world.events({ type: 'update', channel: 'slack:C-ONE', endReason: 'terminal' })).length > 0);

    const replies = repliesIn(await world.events(), 'slack:C-ONE');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ previousState: 'pending', state: 'succeeded', skippedStates: ['running'], endReason: 'terminal' });
    // Shared polling: both channels hang off one task record, polled as one.
    const taskKeys = (await redis.keys(`${world.prefix}:tw:task:*`)).filter((key) => !/:(history|subscribers|status)$/.test(key));
    expect(taskKeys).toHaveLength(1);
  });

  test('given two watch commands for one task and channel at once, then one card is posted and both answers name it', async () => {
    const id = plantRedisTask(world.sandbox);
    const request = { refs: [{ kind: 'redis' as const, id }], channel: CHANNEL, requestedBy: 'U1' };
    const [first, second] = await Promise.all([running.engine.watch(request), running.engine.watch({ ...request, requestedBy: 'U2' })]);
    expect(first?.[0]?.cardMessageId).toBeTruthy();
    expect(second?.[0]?.cardMessageId).toBe(first?.[0]?.cardMessageId);

    world.clock.advance(2000);
    await waitFor('card ends succeeded', async () => (await world.events({ type: 'update', state: 'succeeded', endReason: 'terminal' })).length > 0);
    const events = await world.events();
    expect(events.filter((event) => event.type === 'card')).toHaveLength(1);
    expect(cardsShowing(events, 'succeeded')).toBe(1);
    expect(cardsShowing(events, 'unknown')).toBe(0);
  });

  test('given a watch re-watched while its unwatch ending is still owed, then the watch carries on on its card and no ending stays owed', async () => {
    const id = plantRedisTask(world.sandbox);
    const ref = { kind: 'redis' as const, id };
    const [summary] = await running.engine.watch({ refs: [ref], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('card pending', async () => (await world.events({ type: 'card', state: 'pending' })).length > 0);
    // The channel refuses every post, so the unwatch's ending cannot be told yet.
    await redis.sadd(`${world.prefix}:blocked`, CHANNEL.channelId);
    expect(await running.engine.unwatch(CHANNEL, [ref])).toBe(1);
    await waitFor('ending refused once', async () => (await world.events({ type: 'rate_limited' })).length > 0);
    const [again] = await running.engine.watch({ refs: [ref], channel: CHANNEL, requestedBy: 'U1' });
    expect(again?.cardMessageId).toBe(summary?.cardMessageId);
    expect(again?.endReason).toBeNull();
    await redis.srem(`${world.prefix}:blocked`, CHANNEL.channelId);

    world.clock.advance(2000);
    await waitFor('card ends succeeded', async () => (await world.events({ type: 'update', state: 'succeeded', endReason: 'terminal' })).length > 0);
    await waitFor('notify queue drained', async () => {
      const counts = await running.engine.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    });
    const events = await world.events();
    expect(events.filter((event) => event.type === 'card')).toHaveLength(1);
    const replies = repliesIn(events, 'slack:C-ONE');
    expect(replies.filter((reply) => reply.endReason !== null).map((reply) => reply.endReason)).toEqual(['terminal']);
    const [taskKey] = (await redis.keys(`${world.prefix}:tw:task:*`)).filter((key) => !/:(history|subscribers|status)$/.test(key));
    expect(await redis.hget(taskKey as string, 'endingsOwed')).toBeNull();
  });

  test('given a watched TCSS refresh replaced by a newer one before its end was seen, then its thread names the new task and its watch ends with its own last state', async () => {
    const steps = [{ afterMs: 0, status: 'Task_Running' }, { afterMs: 60_000, status: 'Task_Finish' }];
    const first = world.sandbox.addTask({ kind: 'tcss', steps });
    await running.engine.watch({ refs: [{ kind: 'tcss', id: 'latest' }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('card shows the first refresh running', async () => (await world.events({ type: 'card', taskId: first, state: 'running' })).length > 0);

    world.clock.advance(1000);
    const second = world.sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_Running' }, { afterMs: 1000, status: 'Task_Finish' }] });
    world.clock.advance(2000);
    const [ending] = await waitFor('an ending', async () => world.events({ type: 'reply' }).then((found) => (found.some((reply) => reply.endReason) ? found.filter((reply) => reply.endReason) : null)));
    expect(ending).toMatchObject({ taskId: first, state: 'running', endReason: 'replaced', replacedBy: second });
    await waitFor('card ends replaced', async () => (await world.events({ type: 'update', endReason: 'replaced' })).length > 0);
    const events = await world.events();
    expect(events.filter((event) => event.taskId === second)).toEqual([]);
    expect(repliesIn(events, 'slack:C-ONE')).toHaveLength(1);
  });

  test('given a throttling storm, then the watch survives and finishes', async () => {
    const id = plantRedisTask(world.sandbox);
    await running.engine.watch({ refs: [{ kind: 'redis', id }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('card pending', async () => (await world.events({ type: 'card', state: 'pending' })).length > 0);
    world.sandbox.injectFault({ cloud: 'tencent', action: 'DescribeTaskInfo', type: 'throttle', count: 6 });
    world.clock.advance(2000);
    await waitFor('finished', async () => (await world.events({ type: 'reply', state: 'succeeded', endReason: 'terminal' })).length > 0, 30_000);
    const throttled = world.sandbox.calls.filter((call) => call.errorCode !== null && /Limit|Throttl|TooMany/i.test(call.errorCode));
    expect(throttled.length).toBeGreaterThan(0);
    expect((await world.events({ type: 'reply' })).filter((reply) => reply.endReason !== null && reply.endReason !== 'terminal')).toEqual([]);
  });

  test('given refused credentials, then the watch ends saying so, without the secret', async () => {
    const id = plantRedisTask(world.sandbox);
    await running.engine.watch({ refs: [{ kind: 'redis', id, account: REFUSED_ACCOUNT }], channel: CHANNEL, requestedBy: 'U1' });
    const [reply] = await waitFor('auth ending', async () => world.events({ type: 'reply', endReason: 'auth_failed' }).then((found) => (found.length ? found : null)));
    expect(reply?.endMessage).toMatch(/credential/i);
    expect(reply?.endMessage).toMatch(/stopped/i);
    expect(JSON.stringify(await world.events())).not.toContain(REFUSED_SECRET);
    expect(await running.engine.list(CHANNEL)).toEqual([]);
  });

  test('given an unknown DCDN ID, then the watch ends as not found in words', async () => {
    await running.engine.watch({ refs: [{ kind: 'dcdn', id: '987654321' }], channel: CHANNEL, requestedBy: 'U1' });
    const [reply] = await waitFor('not-found ending', async () => world.events({ type: 'reply', endReason: 'not_found' }).then((found) => (found.length ? found : null)));
    expect(reply?.endMessage).toMatch(/No such task/);
  });

  test('given unwatch, then polling stops and the thread says the watch was stopped', async () => {
    const id = plantRedisTask(world.sandbox, { runningAt: 600_000, doneAt: 1_200_000 });
    await running.engine.watch({ refs: [{ kind: 'redis', id }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('card pending', async () => (await world.events({ type: 'card', state: 'pending' })).length > 0);
    expect(await running.engine.unwatch(CHANNEL, [{ kind: 'redis', id }])).toBe(1);
    await waitFor('unwatched reply', async () => (await world.events({ type: 'reply', endReason: 'unwatched' })).length > 0);
    const callsAfter = world.sandbox.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(world.sandbox.calls.length).toBe(callsAfter);
    expect(await running.engine.list(CHANNEL)).toEqual([]);
  });
});

describe('watch engine records', () => {
  test('given a watch unwatched while its task runs on, then once its ending is told its task and watch records expire, and its idle poll group and sweep are removed', async () => {
    const world = await startWorld();
    const running = await startTestEngine({ redisUrl: redisServer.url, prefix: world.prefix, sandboxUrl: world.sandbox.url, role: 'all' }, () => world.clock.now());
    try {
      const id = plantRedisTask(world.sandbox, { runningAt: 600_000, doneAt: 1_200_000 });
      const [summary] = await running.engine.watch({ refs: [{ kind: 'redis', id }], channel: CHANNEL, requestedBy: 'U1' });
      await waitFor('card pending', async () => (await world.events({ type: 'card', state: 'pending' })).length > 0);
      const [groupId] = await redis.hkeys(`${world.prefix}:tw:groups`);
      expect(groupId).toBeTruthy();
      expect(await running.engine.unwatch(CHANNEL, [{ kind: 'redis', id }])).toBe(1);
      await waitFor('unwatched reply and card', async () => (await world.events({ type: 'update', endReason: 'unwatched' })).length > 0 && (await world.events({ type: 'reply', endReason: 'unwatched' })).length > 0);

      const [taskKey] = (await redis.keys(`${world.prefix}:tw:task:*`)).filter((key) => !/:(history|subscribers|status)$/.test(key));
      await waitFor('the watch record expires', async () => (await redis.ttl(`${world.prefix}:tw:watch:${summary?.watchId}`)) > 0);
      expect(await redis.ttl(taskKey as string)).toBeGreaterThan(0);
      expect(await redis.ttl(`${taskKey}:status`)).toBeGreaterThan(0);
      // A group with nothing to poll is forgotten, and so is its self-rescheduling sweep.
      await waitFor('the idle group is removed', async () => (await redis.hexists(`${world.prefix}:tw:groups`, groupId as string)) === 0);
      await waitFor('its sweep is gone', async () => (await running.engine.queues[0]?.getJob(`sweep-${groupId}`)) === undefined);

      // Watching again brings them back, and the records stop expiring.
      await running.engine.watch({ refs: [{ kind: 'redis', id }], channel: CHANNEL, requestedBy: 'U1' });
      expect(await redis.ttl(taskKey as string)).toBe(-1);
      expect(await redis.hexists(`${world.prefix}:tw:groups`, groupId as string)).toBe(1);
      await waitFor('a sweep again', async () => (await running.engine.queues[0]?.getJob(`sweep-${groupId}`)) !== undefined);
    } finally {
      await running.stop();
      await world.sandbox.stop();
    }
  });
});

describe('watch engine deadline', () => {
  test('given a watch past its deadline, then it ends with a deadline message', async () => {
    const world = await startWorld();
    const running = await startTestEngine(
      { redisUrl: redisServer.url, prefix: world.prefix, sandboxUrl: world.sandbox.url, role: 'all', watch: { ...TEST_WATCH_CONFIG, deadlineMs: 60_000 } },
      () => world.clock.now(),
    );
    try {
      const id = plantRedisTask(world.sandbox, { runningAt: 1000, doneAt: 3_600_000 });
      await running.engine.watch({ refs: [{ kind: 'redis', id }], channel: CHANNEL, requestedBy: 'U1' });
      await waitFor('card pending', async () => (await world.events({ type: 'card', state: 'pending' })).length > 0);
      world.clock.advance(61_000);
      const [reply] = await waitFor('deadline ending', async () => world.events({ type: 'reply', endReason: 'deadline' }).then((found) => (found.length ? found : null)));
      expect(reply?.endMessage).toMatch(/deadline/);
      expect(reply?.endMessage).toMatch(/1m/);
    } finally {
      await running.stop();
      await world.sandbox.stop();
    }
  });
});

describe('watch engine across processes', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let web: TestEngine;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    world = await startWorld();
    // The worker children judge time by the real clock, and a manual clock cannot follow the test
    // into them, so the web engine judges time by the real clock too. The manual clock drives only
    // the sandbox: the cloud's tasks move when the test says so.
    web = await startTestEngine({ redisUrl: redisServer.url, prefix: world.prefix, sandboxUrl: world.sandbox.url, role: 'web' });
  });

  afterEach(async () => {
    for (const child of children.splice(0)) await stopChild(child, 'SIGKILL');
    await web?.stop();
    await world?.sandbox.stop();
  });

  const setup = (): EngineSetup => ({ redisUrl: redisServer.url, prefix: world.prefix, sandboxUrl: world.sandbox.url, role: 'worker' });

  /** True once Redis records every watch told up to its task's latest change, and past `seq`: no reply is in flight. */
  const toldPast = async (watched: ReadonlyArray<{ readonly watchId: string }>, seq: number): Promise<boolean> => {
    for (const { watchId } of watched) {
      const [deliveredSeq, taskKey] = await redis.hmget(`${world.prefix}:tw:watch:${watchId}`, 'deliveredSeq', 'taskKey');
      const latest = await redis.hget(`${world.prefix}:tw:task:${taskKey ?? ''}`, 'seq');
      if (Number(deliveredSeq) <= seq || Number(deliveredSeq) < Number(latest)) return false;
    }
    return true;
  };

  test('given a worker killed with SIGKILL mid-watch and restarted, then the watch continues with nothing lost or doubled', async () => {
    const ids = [plantRedisTask(world.sandbox), plantRedisTask(world.sandbox)];
    children.push(await spawnWorker(setup()));
    const watched = await web.engine.watch({ refs: ids.map((id) => ({ kind: 'redis', id })), channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('cards pending', async () => (await world.events({ type: 'card', state: 'pending' })).length >= 2);
    world.clock.advance(1000);
    await waitFor('a running reply', async () => (await world.events({ type: 'reply', state: 'running' })).length >= 1);
    // Killed with no reply between the platform and Redis: a kill in that window repeats the
    // reply (at-least-once), which the before_post/after_post tests below pin down exactly.
    await waitFor('the running replies recorded told', () => toldPast(watched, 1));
    await stopChild(children[0] as ChildProcess, 'SIGKILL');

    world.clock.advance(1000);
    children.push(await spawnWorker(setup()));
    // Counted by card: two deliveries of one watch may both edit its card to the ending (card
    // edits are idempotent and not under the claim), so two edits can be one card.
    const ended = async (type: 'update' | 'reply'): Promise<number> => new Set((await world.events({ type, endReason: 'terminal' })).map((event) => event.messageId)).size;
    await waitFor('both ended', async () => (await ended('update')) >= 2 && (await ended('reply')) >= 2, 30_000);

    const replies = await world.events({ type: 'reply' });
    const byMessage = new Map<string, string[]>();
    for (const reply of replies) byMessage.set(reply.messageId, [...(byMessage.get(reply.messageId) ?? []), reply.state ?? '']);
    expect(byMessage.size).toBe(2);
    for (const states of byMessage.values()) {
      // Each card's thread hears "succeeded" exactly once, and "running" at most once (it may be folded into the ending).
      expect(states.filter((state) => state === 'succeeded')).toHaveLength(1);
      expect(states.filter((state) => state === 'running').length).toBeLessThanOrEqual(1);
      expect(states[states.length - 1]).toBe('succeeded');
    }
  });

  // The window a kill can hit: the chat platform has accepted a reply, and the worker dies
  // before Redis records it told (markTold under the delivery claim). The restarted worker
  // cannot know the platform has it, and posts it again: at-least-once, a repeat of that one
  // reply. Killed before the post, it is told once. Either way nothing is lost, and the
  // ending (posted after the restart) is told once.
  test.each([
    ['before_post', 1],
    ['after_post', 2],
  ] as const)('given a worker killed %s of a thread reply and restarted, then nothing is lost, the ending is told once, and that reply %i time(s)', async (when, times) => {
    const ids = [plantRedisTask(world.sandbox), plantRedisTask(world.sandbox)];
    const crashing = await spawnWorker({ ...setup(), crashAtReply: { state: 'running', when } });
    children.push(crashing);
    const watched = await web.engine.watch({ refs: ids.map((id) => ({ kind: 'redis', id })), channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('cards pending', async () => (await world.events({ type: 'card', state: 'pending' })).length >= 2);
    world.clock.advance(1000);
    await waitFor('the worker killed at the reply', () => crashing.signalCode === 'SIGKILL', 20_000);
    const postedBeforeKill = await world.events({ type: 'reply', state: 'running', pid: crashing.pid as number });
    expect(postedBeforeKill).toHaveLength(when === 'after_post' ? 1 : 0);

    // Restarted while the task still runs: the killed delivery is retried before anything newer.
    children.push(await spawnWorker(setup()));
    await waitFor('the running state told in both threads', () => toldPast(watched, 1), 60_000);
    world.clock.advance(1000);
    const ended = async (type: 'update' | 'reply'): Promise<number> => new Set((await world.events({ type, endReason: 'terminal' })).map((event) => event.messageId)).size;
    await waitFor('both ended', async () => (await ended('update')) >= 2 && (await ended('reply')) >= 2, 30_000);

    const byMessage = new Map<string, string[]>();
    for (const reply of await world.events({ type: 'reply' })) byMessage.set(reply.messageId, [...(byMessage.get(reply.messageId) ?? []), reply.state ?? '']);
    expect(byMessage.size).toBe(2);
    for (const [messageId, states] of byMessage) {
      const hit = postedBeforeKill.some((reply) => reply.messageId === messageId);
      expect(states).toEqual([...Array<string>(hit ? times : 1).fill('running'), 'succeeded']);
    }
  });

  // The stuck reply has the same window as a thread reply: taken under a lease (owed -> telling)
  // before the post, recorded told right after it. Killed before the post, the restarted worker
  // runs the same delivery job again, takes its own lease back and tells it once; killed after
  // the platform accepted it, it cannot know, and posts it again: twice, never lost.
  test.each([
    ['before_post', 1],
    ['after_post', 2],
  ] as const)('given a worker killed %s of a stuck reply and restarted, then the stuck reply is told %i time(s), and never again', async (when, times) => {
    // 10 past FLUSH_INSTANCE tasks of 1 to 10 min: stuck after max(1.5 x 10, 10 + 5) = 15 min.
    const group: DurationGroup = { kind: 'redis', account: 'default', subtype: 'FLUSH_INSTANCE', size: null };
    for (let minute = 1; minute <= 10; minute += 1) {
      await web.engine.durations.record(group, `redis-past-${minute}`, { taskId: `past${minute}`, durationMs: minute * MINUTE, failed: false, endedAt: world.clock.now() });
    }
    // Started 20 min before the sandbox's now, which is the workers' real now: both clocks agree
    // the task has run past its threshold, on whatever day the test runs.
    const id = world.sandbox.addTask({
      kind: 'redis',
      region: 'ap-guangzhou',
      createdAt: world.clock.now() - 20 * MINUTE,
      attributes: { TaskType: 'FLUSH_INSTANCE' },
      steps: [
        { afterMs: 0, status: 'running' },
        { afterMs: 40 * MINUTE, status: 'succeed' },
      ],
    });
    const crashing = await spawnWorker({ ...setup(), crashAtReply: { reply: 'stuck', state: 'running', when } });
    children.push(crashing);
    const [watched] = await web.engine.watch({ refs: [{ kind: 'redis', id }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('the worker killed at the stuck reply', () => crashing.signalCode === 'SIGKILL', 20_000);
    const postedBeforeKill = await world.events({ type: 'stuck' });
    expect(postedBeforeKill).toHaveLength(when === 'after_post' ? 1 : 0);

    children.push(await spawnWorker(setup()));
    await waitFor('the stuck reply after the restart', async () => (await world.events({ type: 'stuck' })).length >= times, 20_000);
    const stuckKey = `${world.prefix}:tw:dur:stuck:${watched?.watchId ?? ''}`;
    await waitFor('the stuck reply recorded told', async () => (await redis.hget(stuckKey, 'state')) === 'told', 30_000);
    // Later polls and the ending's delivery say it no more.
    world.clock.advance(21 * MINUTE);
    await waitFor('the ending', async () => (await world.events({ type: 'reply', endReason: 'terminal' })).length >= 1, 30_000);

    const stuck = await world.events({ type: 'stuck' });
    expect(stuck).toHaveLength(times);
    expect(stuck.every((reply) => reply.messageId === watched?.cardMessageId && reply.taskId === id && reply.broadcast === true)).toBe(true);
    expect((await world.events({ type: 'reply' })).map((reply) => reply.state)).toEqual(['succeeded']);
  }, 90_000);

  test('given two worker processes on one Redis, then each transition is posted once', async () => {
    children.push(await spawnWorker(setup()), await spawnWorker(setup()));
    const ids = [plantRedisTask(world.sandbox), plantRedisTask(world.sandbox), plantRedisTask(world.sandbox)];
    await web.engine.watch({ refs: ids.map((id) => ({ kind: 'redis', id })), channel: CHANNEL, requestedBy: 'U1' });
    await web.engine.watch({ refs: ids.map((id) => ({ kind: 'redis', id })), channel: OTHER_CHANNEL, requestedBy: 'U2' });
    await waitFor('cards pending', async () => cardsShowing(await world.events(), 'pending') >= 6);
    world.clock.advance(1000);
    await waitFor('running replies', async () => (await world.events({ type: 'reply', state: 'running' })).length >= 6);
    world.clock.advance(1000);
    await waitFor('all ended', async () => (await world.events({ type: 'reply', endReason: 'terminal' })).length >= 6, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const replies = await world.events({ type: 'reply' });
    const seen = replies.map((reply) => `${reply.messageId}|${reply.state}`);
    expect(new Set(seen).size).toBe(seen.length);
    expect(replies).toHaveLength(12);
  });
});

describe('watch engine, the check before the cards', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  let web: TestEngine;

  beforeEach(async () => {
    world = await startWorld();
    // A web process only: nothing polls, so every call the sandbox sees is a check before a card.
    web = await startTestEngine({ redisUrl: redisServer.url, prefix: world.prefix, sandboxUrl: world.sandbox.url, role: 'web' }, () => world.clock.now());
  });

  afterEach(async () => {
    await web?.stop();
    await world?.sandbox.stop();
  });

  test('given a watch of 12 DCDN tasks, then they are checked in two calls (10 IDs a call) and each card is first posted with its own state', async () => {
    const ids = Array.from({ length: 12 }, (_, index) =>
      world.sandbox.addTask({ kind: 'dcdn', items: [{ name: `http://example.com/${index}.png`, steps: [{ afterMs: 0, status: index % 2 === 0 ? 'Pending' : 'Refreshing', percent: 0 }] }] }),
    );
    const summaries = await web.engine.watch({ refs: ids.map((id) => ({ kind: 'dcdn' as const, id })), channel: CHANNEL, requestedBy: 'U1' });
    expect(summaries.map((summary) => summary.state)).toEqual(ids.map((_, index) => (index % 2 === 0 ? 'pending' : 'running')));
    expect(world.sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById')).toHaveLength(2);
    const cards = await world.events({ type: 'card' });
    expect(cards.map((card) => [card.taskId, card.state])).toEqual(ids.map((id, index) => [id, index % 2 === 0 ? 'pending' : 'running']));

    // Watched again in the channel: the running watches post no card and make no check.
    await web.engine.watch({ refs: ids.map((id) => ({ kind: 'dcdn' as const, id })), channel: CHANNEL, requestedBy: 'U2' });
    expect(world.sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById')).toHaveLength(2);
    // In another channel: the task's recorded status is shown, again without a check.
    await web.engine.watch({ refs: [{ kind: 'dcdn', id: ids[0] as string }], channel: OTHER_CHANNEL, requestedBy: 'U2' });
    expect(world.sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById')).toHaveLength(2);
    expect(await world.events({ type: 'card', channel: 'slack:C-TWO' })).toEqual([expect.objectContaining({ taskId: ids[0], state: 'pending' })]);
  });

  test('given the cloud refusing the credentials, then the card says why instead of a state, and the watch still starts', async () => {
    const id = world.sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou' });
    const [summary] = await web.engine.watch({ refs: [{ kind: 'redis', id, account: REFUSED_ACCOUNT }], channel: CHANNEL, requestedBy: 'U1' });
    expect(summary?.state).toBeNull();
    expect(await world.events({ type: 'card' })).toEqual([expect.objectContaining({ taskId: id, state: 'unknown', unchecked: 'auth_failed' })]);
    expect(JSON.stringify(await world.events())).not.toContain(REFUSED_SECRET);
  });
});
