import type { StatusCard } from '../../../src/jobs/notifier';
import { decodeWatchEndFacts, encodeWatchEndFacts, type WatchEndFacts } from '../../../src/jobs/watch-life/watch-end-facts';
import { UNWATCHED_ENDING, deadlineEnding, endingForError, endingForStatus, placeholderStatus } from '../../../src/jobs/watch-life/watch-policy';
import { readWatchRecord } from '../../../src/jobs/watch-life/watch-records';
import { ProviderError } from '../../../src/providers/errors';
import type { TaskStatus } from '../../../src/providers/types';
import { renderStatusCard as renderDiscordCard } from '../../../src/chat/discord/embeds';
import { renderStatusCard as renderSlackCard } from '../../../src/chat/slack/blocks';
import { cardWithEnding, endingSentences, watchEndingText } from '../../../src/chat/render/watch-end-text';
import { taskSummaryText } from '../../../src/chat/render/task-summary-text';
import { taskStatus } from '../../support/task-status';

const DAY = 86_400_000;
const CREATED = Date.parse('2026-11-23T12:00:00.000Z');

function status(overrides: Partial<TaskStatus> = {}): TaskStatus {
  return taskStatus({ createdAt: '2026-11-23T12:00:00.000Z', ...overrides });
}

/** The words a channel reads for an ending the policy decided, through the store's encoding. */
function wordsOf(facts: WatchEndFacts | null | undefined): string {
  if (!facts) throw new Error('no facts');
  const stored = decodeWatchEndFacts(encodeWatchEndFacts(facts));
  if (!stored) throw new Error('facts did not survive the store');
  return watchEndingText(stored);
}

describe('watch ending words (facts from the policy, words from src/chat/render)', () => {
  test('given each ending the policy decides, then the channel reads the same sentence as before the words moved', () => {
    expect(wordsOf(endingForStatus(status({ state: 'succeeded', terminal: true }), true, CREATED)?.facts)).toBe('The task succeeded; watching stopped.');
    expect(wordsOf(endingForStatus(status({ state: 'failed', terminal: true }), true, CREATED)?.facts)).toBe('The task failed; watching stopped.');
    expect(wordsOf(deadlineEnding(60_000, 'running').facts)).toBe('Stopped watching after the 1m deadline. The task was still running.');
    expect(wordsOf(deadlineEnding(86_400_000, null).facts)).toBe('Stopped watching after the 1d deadline.');
    expect(wordsOf(endingForStatus(status({ found: false }), true, CREATED)?.facts)).toBe(
      'Alibaba Cloud DCDN no longer reports this task (it keeps only the last 3 days), so watching stopped.',
    );
    expect(wordsOf(endingForStatus(status(), true, CREATED + 3 * DAY + 1)?.facts)).toBe(
      'This DCDN task is older than 3 days, beyond what Alibaba Cloud reports, so watching stopped.',
    );
    expect(wordsOf(endingForStatus(status({ kind: 'redis', region: 'ap-guangzhou', found: false, summary: { fact: 'not_in_region' } }), true, CREATED)?.facts)).toBe(
      'The task can no longer be found, so watching stopped. Redis has no task with this ID in ap-guangzhou.',
    );
    expect(wordsOf(endingForStatus(status({ kind: 'redis', found: false, summary: null }), true, CREATED)?.facts)).toBe('The task can no longer be found, so watching stopped.');
    expect(wordsOf(endingForStatus(status({ found: false, summary: { fact: 'not_retained', retentionMs: 3 * DAY } }), false, CREATED)?.facts)).toBe(
      'No such task: DCDN task 17772470184: not found, or older than 3 days (DCDN keeps only the last 3 days).',
    );
    expect(wordsOf(endingForError(new ProviderError({ code: 'auth_failed', facts: { fact: 'vendor_code', cloud: 'tencent' }, providerCode: 'AuthFailure.SecretIdNotFound' }))?.facts)).toBe(
      'Tencent Cloud refused the credentials (AuthFailure.SecretIdNotFound): check the SecretId and SecretKey. Watching stopped.',
    );
    const denied = new ProviderError({ code: 'permission_denied', facts: { fact: 'vendor_code', cloud: 'alibaba' }, providerCode: 'Forbidden.RAM', requestId: 'r-9', api: 'dcdn.DescribeDcdnRefreshTaskById' });
    expect(wordsOf(endingForError(denied)?.facts)).toBe('These Alibaba Cloud credentials are not allowed to call dcdn.DescribeDcdnRefreshTaskById (Forbidden.RAM, RequestId r-9). Watching stopped.');
    expect(wordsOf(UNWATCHED_ENDING.facts)).toBe('Watching stopped on request.');
  });

  test('given the facts as stored, then they are JSON codes and figures, not sentences', () => {
    const stored = encodeWatchEndFacts(deadlineEnding(60_000, 'running').facts);
    expect(JSON.parse(stored)).toEqual({ fact: 'deadline_reached', deadlineMs: 60_000, state: 'running' });
    expect(stored).not.toMatch(/watching/i);
    const missing = encodeWatchEndFacts(endingForStatus(status({ kind: 'dts', region: 'ap-guangzhou', found: false, summary: { fact: 'not_in_region' } }), false, CREATED)?.facts ?? null);
    expect(JSON.parse(missing)).toEqual({ fact: 'task_missing', everFound: false, answer: { kind: 'dts', id: '17772470184', region: 'ap-guangzhou', rawStatus: 'Refreshing', summary: { fact: 'not_in_region' } } });
    expect(missing).not.toMatch(/no task/i);
  });

  test('given a missing task an older release stored with its sentence (detail), then the sentence is shown as written', () => {
    const stored = decodeWatchEndFacts('{"fact":"task_missing","everFound":false,"detail":"DTS has no task with this ID in ap-guangzhou."}');
    expect(stored).toEqual({ fact: 'task_missing', everFound: false, detail: 'DTS has no task with this ID in ap-guangzhou.' });
    expect(watchEndingText(stored as WatchEndFacts)).toBe('No such task: DTS has no task with this ID in ap-guangzhou.');
  });

  test('given a watch hash an older release wrote with a sentence, then the sentence is shown as written', () => {
    const record = readWatchRecord('w1', { v: '2', taskKey: 'dcdn-1', channel: 'slack:C1', endReason: 'terminal', endMessage: 'The task succeeded; watching stopped.' });
    expect(record?.endFacts).toEqual({ fact: 'written', text: 'The task succeeded; watching stopped.' });
    expect(endingSentences({ current: status(), endReason: 'terminal', endFacts: record?.endFacts ?? null })).toEqual(['The task succeeded; watching stopped.']);
    expect(decodeWatchEndFacts('42')).toEqual({ fact: 'written', text: '42' });
  });

  test('given no stored ending, or facts this release cannot read, then the ending is worded by its reason alone', () => {
    expect(decodeWatchEndFacts('')).toBeNull();
    expect(decodeWatchEndFacts(undefined)).toBeNull();
    expect(decodeWatchEndFacts('{"fact":"moon_landed"}')).toBeNull();
    expect(decodeWatchEndFacts('{"fact":"beyond_retention","kind":"nebula","retentionMs":1,"seen":"too_old"}')).toBeNull();
    expect(endingSentences({ current: status(), endReason: 'channel_gone', endFacts: null })).toEqual([
      'Stopped watching: this channel or the status card can no longer be posted to.',
    ]);
  });

  test('given a watch that ended before any answer, then every card shows the ending in place of a status message', () => {
    const facts = endingForError(new ProviderError({ code: 'auth_failed', facts: { fact: 'vendor_code', cloud: 'tencent' }, providerCode: 'AuthFailure.SecretIdNotFound' }))?.facts;
    if (!facts) throw new Error('no facts');
    const card: StatusCard = {
      status: placeholderStatus({ kind: 'redis', id: 'crs-1', account: 'default', region: 'ap-guangzhou' }, '2026-11-23T12:00:00.000Z'),
      watch: { watchId: 'w1', startedAt: '2026-11-23T12:00:00.000Z', deadlineAt: '2026-11-24T12:00:00.000Z', nextCheckAt: null, endReason: 'auth_failed' },
      unansweredEnding: facts,
    };
    const words = 'Tencent Cloud refused the credentials (AuthFailure.SecretIdNotFound): check the SecretId and SecretKey. Watching stopped.';
    expect(taskSummaryText(cardWithEnding(card).status)).toBe(words);
    expect(JSON.stringify(renderSlackCard(card).blocks)).toContain(words);
    expect(renderDiscordCard(card).embeds[0]?.description).toBe(
      'Tencent Cloud refused the credentials \\(AuthFailure\\.SecretIdNotFound\\)\\: check the SecretId and SecretKey\\. Watching stopped\\.',
    );
    // A card of an answered task keeps the status's own summary.
    const answered: StatusCard = { status: status({ summary: { fact: 'item_counts', operation: 'refresh', total: 3, succeeded: 1, failed: 0, originRefused: 0 } }) };
    expect(cardWithEnding(answered)).toBe(answered);
  });
});
