/**
 * Stuck tasks are called out once: the watch engine end to end into the fake Slack (real
 * SlackNotifier and web client), a real redis-server, the cloud sandbox on the same manual clock
 * as the engine and the providers. A group's history is written straight into the engine's
 * duration store (how endings get there is proven in `card-estimate.test.ts`).
 */
import type { DurationGroup } from '../../../src/jobs/durations/duration-group';
import type { WatchEngine } from '../../../src/jobs/engines/watch-engine';
import type { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { ManualClock } from '../../../src/util/clock';
import type { FakeSlack } from '../../fakes/slack/fake-slack';
import { startSlackWorld, type SlackWorld } from '../../support/slack-world';
import { waitFor } from '../../support/wait';

const BOT_TOKEN = 'xoxb-stuck-task-test-0123456789-secret';
const MINUTE = 60_000;

let world: SlackWorld;
let clock: ManualClock;
let slack: FakeSlack;
let sandbox: CloudSandbox;
let engine: WatchEngine;

/** A watch engine on the shared Redis, prefix, providers and clock: a restart makes a new one like it. */
function newEngine(): WatchEngine {
  return world.newEngine();
}

beforeAll(async () => {
  world = await startSlackWorld({ name: 'stuck-task', botToken: BOT_TOKEN });
  ({ clock, slack, sandbox, engine } = world);
});

afterAll(async () => {
  await world?.stop();
});

/** A Redis task of `taskType`: preparing, running after 1 s, succeeded after `doneAfterMs` (sandbox clock). */
function plant(taskType: string, doneAfterMs: number): string {
  return sandbox.addTask({
    kind: 'redis',
    region: 'ap-guangzhou',
    attributes: { TaskType: taskType },
    steps: [
      { afterMs: 0, status: 'preparing' },
      { afterMs: 1000, status: 'running' },
      { afterMs: doneAfterMs, status: 'succeed' },
    ],
  });
}

/** `count` past endings of `taskType`, taking 1, 2, ... minutes. */
async function history(taskType: string, count: number): Promise<void> {
  const group: DurationGroup = { kind: 'redis', account: 'default', subtype: taskType, size: null };
  for (let minute = 1; minute <= count; minute += 1) {
    await engine.durations.record(group, `redis-past-${taskType}-${minute}`, { taskId: `past${minute}`, durationMs: minute * MINUTE, failed: false, endedAt: clock.now() });
  }
}

async function watchIn(channelId: string, id: string): Promise<void> {
  await engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou' }], channel: { platform: 'slack', channelId }, requestedBy: 'U1' });
}

/** The thread replies posted in a channel, as the fake Slack received them. */
function repliesIn(channelId: string): { text: string; broadcast: boolean }[] {
  return slack
    .callsOf('chat.postMessage')
    .filter((call) => call.status === 200 && call.body['channel'] === channelId && call.body['thread_ts'] !== undefined)
    .map((call) => ({ text: `${String(call.body['text'])} ${JSON.stringify(call.body['blocks'])}`, broadcast: String(call.body['reply_broadcast']) === 'true' }));
}

function stuckRepliesIn(channelId: string): { text: string; broadcast: boolean }[] {
  return repliesIn(channelId).filter((reply) => reply.text.includes('still running after'));
}

/**
 * Everything the channel's card shows now, blocks included: its last successful chat.update,
 * or its post (a card is posted showing its task's first check).
 */
function cardNow(channelId: string): string {
  const updates = slack.callsOf('chat.update').filter((call) => call.status === 200 && call.body['channel'] === channelId);
  const posted = slack.callsOf('chat.postMessage').filter((call) => call.status === 200 && call.body['channel'] === channelId && call.body['thread_ts'] === undefined);
  const last = updates[updates.length - 1] ?? posted[0];
  return last ? JSON.stringify(last.body['blocks']) : '';
}

/** Waits until the sandbox has answered `polls` more describe calls: the engine has looked again at the clock's time. */
async function pollsPass(polls: number): Promise<void> {
  const before = sandbox.calls.length;
  await waitFor(`${polls} more polls`, () => sandbox.calls.length >= before + polls);
}

test('given 10 past FLUSH_INSTANCE tasks (1 to 10 min), then a task still running after 16 min gets exactly one stuck reply, also across a worker restart, and its ending compares with usual', async () => {
  await history('FLUSH_INSTANCE', 10);
  const id = plant('FLUSH_INSTANCE', 60 * MINUTE);
  await watchIn('C-STUCK', id);
  await waitFor('the card shows the task running', () => cardNow('C-STUCK').includes(id));

  // p95 10 min; the threshold is max(1.5 x 10, 10 + 5) = 15 min: at 14 min nothing is said.
  clock.advance(14 * MINUTE);
  await pollsPass(3);
  expect(stuckRepliesIn('C-STUCK')).toEqual([]);
  expect(cardNow('C-STUCK')).not.toContain('longer than usual');

  clock.advance(2 * MINUTE);
  await waitFor('the stuck reply', () => stuckRepliesIn('C-STUCK').length > 0);
  const [stuck] = stuckRepliesIn('C-STUCK');
  expect(stuck?.text).toContain(`Redis task ${id} is still running after 16 min; 95% of 10 past redis FLUSH_INSTANCE tasks on default finished within 10 min`);
  // Shown in the channel too, like a failure.
  expect(stuck?.broadcast).toBe(true);
  await waitFor('the card is marked', () => cardNow('C-STUCK').includes('⚠ running longer than usual'));

  // Later polls, by this worker and by a new one on the same Redis, say nothing more.
  clock.advance(MINUTE);
  await pollsPass(3);
  await engine.stop();
  engine = newEngine();
  await engine.start();
  clock.advance(5 * MINUTE);
  await pollsPass(3);
  expect(stuckRepliesIn('C-STUCK')).toHaveLength(1);

  // It ends at 60 min: the ending says how long it took compared with usual (10th-90th percentile).
  clock.advance(38 * MINUTE);
  await waitFor('the ending reply', () => repliesIn('C-STUCK').some((reply) => reply.text.includes('Succeeded')));
  const ending = repliesIn('C-STUCK').find((reply) => reply.text.includes('Succeeded'));
  expect(ending?.text).toContain('took 60 min; usually 1-9 min');
  expect(stuckRepliesIn('C-STUCK')).toHaveLength(1);
  await waitFor('the ended card', () => !cardNow('C-STUCK').includes('Watching since'));
  expect(cardNow('C-STUCK')).not.toContain('longer than usual');
});

test('given only 9 past BACKUP_INSTANCE tasks, then a task running far past them gets no stuck reply, and its ending no comparison', async () => {
  await history('BACKUP_INSTANCE', 9);
  const id = plant('BACKUP_INSTANCE', 120 * MINUTE);
  await watchIn('C-FEW', id);
  await waitFor('the card shows the task', () => cardNow('C-FEW').includes(id));

  clock.advance(100 * MINUTE);
  await pollsPass(3);
  clock.advance(21 * MINUTE);
  await waitFor('the ending reply', () => repliesIn('C-FEW').some((reply) => reply.text.includes('Succeeded')));
  expect(stuckRepliesIn('C-FEW')).toEqual([]);
  expect(repliesIn('C-FEW').map((reply) => reply.text).join(' ')).not.toContain('usually');
  const cards = slack.callsOf('chat.update').filter((call) => call.body['channel'] === 'C-FEW');
  expect(JSON.stringify(cards.map((call) => call.body))).not.toContain('longer than usual');
});

test('given Slack refuses the card edit right after the stuck reply, then the card is still marked once Slack answers again, and the reply is not repeated', async () => {
  // A DCDN refresh whose one file stays at 10%: nothing changes but the time, so only the stuck fact asks for the card's edit.
  const files: DurationGroup = { kind: 'dcdn', account: 'default', subtype: 'file', size: '1' };
  for (let minute = 1; minute <= 10; minute += 1) {
    await engine.durations.record(files, `dcdn-past-${minute}`, { taskId: `past${minute}`, durationMs: minute * MINUTE, failed: false, endedAt: clock.now() });
  }
  const id = sandbox.addTask({ kind: 'dcdn', attributes: { ObjectType: 'file' }, items: [{ name: 'http://example.com/file.txt', steps: [{ afterMs: 0, status: 'Refreshing', percent: 10 }] }] });
  await engine.watch({ refs: [{ kind: 'dcdn', id }], channel: { platform: 'slack', channelId: 'C-EDIT' }, requestedBy: 'U1' });
  await waitFor('the card shows the task', () => cardNow('C-EDIT').includes(id));

  slack.rateLimit({ method: 'chat.update', channel: 'C-EDIT' }, 1, 1);
  clock.advance(16 * MINUTE);
  await waitFor('the stuck reply', () => stuckRepliesIn('C-EDIT').length > 0);
  await waitFor('the refused edit', () => slack.callsOf('chat.update').some((call) => call.status === 429 && call.body['channel'] === 'C-EDIT'));
  await waitFor('the card is marked after all', () => cardNow('C-EDIT').includes('⚠ running longer than usual'));
  expect(stuckRepliesIn('C-EDIT')).toHaveLength(1);
});
