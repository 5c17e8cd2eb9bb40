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
import { REFUSED_ACCOUNT, REFUSED_SECRET } from '../../support/engine-settings';

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

test('given a watch that ends before any answer (refused credentials), then its ending reply says why once and its card says why', async () => {
  const id = sandbox.addTask({ kind: 'redis', steps: [{ afterMs: 0, status: 'running' }] });
  await engine.watch({ refs: [{ kind: 'redis', id, region: 'ap-guangzhou', account: REFUSED_ACCOUNT }], channel: { platform: 'slack', channelId: 'C-REFUSED' }, requestedBy: 'U1' });
  await waitFor('the ending reply', () => repliesIn('C-REFUSED').some((reply) => reply.includes('Watching stopped.')));
  const ending = repliesIn('C-REFUSED').find((reply) => reply.includes('Watching stopped.')) ?? '';
  // The stand-in status of a task never answered carries no words; the ending is said once.
  expect(occurrences(ending, 'Watching stopped.')).toBe(1);
  expect(ending).toMatch(/refused the credentials/);
  await waitFor('the card shows the ending', () => cardNow('C-REFUSED').includes('Watching stopped.'));
  expect(cardNow('C-REFUSED')).toMatch(/refused the credentials/);
  expect(JSON.stringify(slack.calls)).not.toContain(REFUSED_SECRET);
});

test('given a TCSS refresh replaced by a newer one before any answer about it, then its card says the watch stopped and does not wait for a first check', async () => {
  const first = sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_Running' }] });
  const second = sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_Running' }] });
  await engine.watch({ refs: [{ kind: 'tcss', id: first }], channel: { platform: 'slack', channelId: 'C-REPLACED' }, requestedBy: 'U1' });
  await waitFor('the ending reply', () => repliesIn('C-REPLACED').some((reply) => reply.includes(second)));
  await waitFor('the card shows the ending', () => cardNow('C-REPLACED').includes('a newer task replaced this one'));
  expect(cardNow('C-REPLACED')).not.toMatch(/Waiting for the first check/);
});
