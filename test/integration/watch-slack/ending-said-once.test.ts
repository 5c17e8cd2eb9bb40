/**
 * The ending of a watch is said once: the watch engine end to end into the fake Slack (real
 * SlackNotifier and web client), a real redis-server, the cloud sandbox on the engine's manual
 * clock. A thread reply that ends a watch used to carry the ending's sentence on two lines.
 */
import type { WatchEngine } from '../../../src/jobs/engines/watch-engine';
import type { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import type { FakeSlack } from '../../fakes/slack/fake-slack';
import { startSlackWorld, type SlackWorld } from '../../support/slack-world';
import { waitFor } from '../../support/wait';

const BOT_TOKEN = 'xoxb-ending-once-test-0123456789-secret';

let world: SlackWorld;
let clock: ManualClock;
let slack: FakeSlack;
let sandbox: CloudSandbox;
let engine: WatchEngine;

beforeAll(async () => {
  world = await startSlackWorld({ name: 'ending-once', botToken: BOT_TOKEN, clock: new ManualClock(Date.now()) });
  ({ clock, slack, sandbox, engine } = world);
});

afterAll(async () => {
  await world?.stop();
});

/** Every thread reply in a channel: its blocks as posted, one string each. */
function repliesIn(channelId: string): string[] {
  return slack
    .callsOf('chat.postMessage')
    .filter((call) => call.status === 200 && call.body['channel'] === channelId && call.body['thread_ts'] !== undefined)
    .map((call) => JSON.stringify(call.body['blocks']));
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** The card as last drawn: its first post (after the first check) or its latest edit. */
function cardNow(channelId: string): string {
  const drawn = slack.calls.filter(
    (call) =>
      call.status === 200 &&
      call.body['channel'] === channelId &&
      (call.method === 'chat.update' || (call.method === 'chat.postMessage' && call.body['thread_ts'] === undefined)),
  );
  return JSON.stringify(drawn[drawn.length - 1]?.body['blocks'] ?? '');
}

test('given a watched task that succeeds, then its ending reply says "watching stopped" once', async () => {
  const id = sandbox.addTask({ kind: 'redis', steps: [{ afterMs: 0, status: 'running' }, { afterMs: 60_000, status: 'succeed' }] });
  await engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou' }], channel: { platform: 'slack', channelId: 'C-DONE' }, requestedBy: 'U1' });
  await waitFor('the card shows the task', () => cardNow('C-DONE').includes(id));

  clock.advance(60_000);
  await waitFor('the ending reply', () => repliesIn('C-DONE').some((reply) => reply.includes('watching stopped')));
  const ending = repliesIn('C-DONE').find((reply) => reply.includes('watching stopped')) ?? '';
  expect(occurrences(ending, 'The task succeeded; watching stopped.')).toBe(1);
  expect(ending).toContain('Total duration: 1m');
  expect(ending).not.toContain(BOT_TOKEN);
});

test('given a watch stopped on request, then its ending reply says so once', async () => {
  const id = sandbox.addTask({ kind: 'redis', steps: [{ afterMs: 0, status: 'running' }] });
  await engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou' }], channel: { platform: 'slack', channelId: 'C-STOP' }, requestedBy: 'U1' });
  await waitFor('the card shows the task', () => cardNow('C-STOP').includes(id));

  await engine.unwatch({ platform: 'slack', channelId: 'C-STOP' }, [{ kind: 'redis', id, region: 'ap-guangzhou' }]);
  await waitFor('the ending reply', () => repliesIn('C-STOP').some((reply) => reply.includes('Watching stopped on request.')));
  const ending = repliesIn('C-STOP').find((reply) => reply.includes('Watching stopped on request.')) ?? '';
  expect(occurrences(ending, 'Watching stopped on request.')).toBe(1);
});
