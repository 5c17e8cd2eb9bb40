import { renderStatusCard as renderDiscordCard, renderTransitionNotice as renderDiscordNotice } from '../../../src/chat/discord/embeds';
import { comparedWithUsualText, stuckCardMark, stuckReplyText, stuckSentence } from '../../../src/chat/render/stuck-text';
import { renderStatusCard as renderSlackCard, renderTransitionNotice as renderSlackNotice } from '../../../src/chat/slack/blocks';
import type { StuckFacts, StuckNotice } from '../../../src/jobs/durations/stuck-threshold';
import type { StatusCard, TransitionNotice } from '../../../src/jobs/notifier';
import { taskStatus } from '../../support/task-status';

const MINUTE = 60_000;
const FACTS: StuckFacts = {
  group: { kind: 'redis', account: 'production', subtype: 'FLUSH_INSTANCE', size: null },
  startedAt: 0,
  p95Ms: 12 * MINUTE,
  thresholdMs: 18 * MINUTE,
  usual: { lowMs: 3 * MINUTE, highMs: 6 * MINUTE, medianMs: 4 * MINUTE, count: 47 },
};
const NOTICE: StuckNotice = { kind: 'redis', id: '18215', state: 'running', facts: FACTS, elapsedMs: 41 * MINUTE };

describe('the words for a stuck task', () => {
  it('given a task running 41 min in a group whose 95th percentile is 12 min, then the reply reads as the issue words it', () => {
    expect(stuckSentence(NOTICE)).toBe('still running after 41 min; 95% of 47 past redis FLUSH_INSTANCE tasks on production finished within 12 min');
    expect(stuckReplyText(NOTICE)).toBe('⚠ Redis task 18215 is still running after 41 min; 95% of 47 past redis FLUSH_INSTANCE tasks on production finished within 12 min.');
  });

  it('given a pending task of a sized CDN group, then it says pending and names the size', () => {
    const facts: StuckFacts = { ...FACTS, group: { kind: 'cdn', account: 'default', subtype: 'mainland', size: '2-10' } };
    expect(stuckSentence({ ...NOTICE, kind: 'cdn', state: 'pending', facts })).toContain('still pending after 41 min; 95% of 47 past cdn mainland tasks of 2-10 URLs on default');
  });

  it('given an ending, then it compares with usual; the card is marked in Slack and Discord', () => {
    expect(comparedWithUsualText(45 * MINUTE, FACTS.usual)).toBe('took 45 min; usually 3-6 min');
    expect(stuckCardMark('running')).toBe('⚠ running longer than usual');
    const card: StatusCard = {
      status: taskStatus({ kind: 'redis', id: '18215', state: 'running' }),
      stuck: FACTS,
      watch: { watchId: 'w1', startedAt: '2026-11-23T12:00:00.000Z', deadlineAt: '2026-11-24T12:00:00.000Z', nextCheckAt: null, endReason: null },
    };
    expect(JSON.stringify(renderSlackCard(card).blocks)).toContain('⚠ running longer than usual');
    expect(JSON.stringify(renderDiscordCard(card).embeds)).toContain('⚠ running longer than usual');
    const ended = taskStatus({ kind: 'redis', id: '18215', state: 'succeeded', terminal: true });
    const notice: TransitionNotice = { previous: null, current: ended, skippedStates: [], changedItems: [], endReason: 'terminal', endFacts: null, durationMs: 45 * MINUTE, usual: FACTS.usual };
    expect(JSON.stringify(renderSlackNotice(notice).blocks)).toContain('took 45 min; usually 3-6 min');
    // Discord's markdown escaping ("3\\-6") shows as "3-6" to readers.
    const fields = (renderDiscordNotice(notice).embeds[0]?.fields ?? []).map((field) => field.value).join('\n');
    expect(fields.replace(/\\(.)/g, '$1')).toContain('⏱ took 45 min; usually 3-6 min');
  });
});
