import type { TaskStatus } from '../../../src/providers/types';
import { itemNoteTextOf, taskSummaryText } from '../../../src/chat/render/task-summary-text';
import { JOB_VERSION, RECORD_VERSION, groupIdOf } from '../../../src/jobs/watch-life/watch-keys';
import { UnsupportedRecordVersionError, decodeStatus, encodeStatus, readTaskRecord, readWatchRecord, requireJobVersion } from '../../../src/jobs/watch-life/watch-records';

function status(overrides: Partial<TaskStatus> = {}): TaskStatus {
  return {
    kind: 'cdn',
    id: 'task-1',
    account: 'prod',
    region: null,
    found: true,
    state: 'running',
    terminal: false,
    rawStatus: 'process',
    progress: 40,
    summary: { fact: 'item_counts', operation: 'prefetch', total: 2, succeeded: 0, failed: 1, originRefused: 0 },
    items: [
      { name: 'https://example.com/a.js', state: 'running', rawStatus: 'process', progress: null },
      { name: 'https://example.com/b.js', state: 'failed', rawStatus: 'fail', progress: 0, note: { fact: 'vendor_text', text: 'origin answered 404' } },
    ],
    createdAt: '2026-11-23T12:00:00.000Z',
    updatedAt: '2026-11-23T12:00:03Z',
    requestId: 'req-1',
    observedAt: '2026-11-23T12:00:05.123Z',
    ...overrides,
  };
}

const IDENTITY = { kind: 'cdn', id: 'task-1', account: 'prod', region: null } as const;

describe('watch records', () => {
  test('given a status, then its compact encoding decodes to the same status and is smaller than its JSON', () => {
    const original = status();
    const encoded = encodeStatus(original, IDENTITY);
    expect(decodeStatus(encoded, IDENTITY)).toEqual(original);
    expect(encoded.length).toBeLessThan(JSON.stringify(original).length * 0.8);
  });

  test('given a status whose identity differs from its task record (TCSS "latest" resolved to a TaskId), then the difference is kept', () => {
    const original = status({ kind: 'tcss', id: '37393', account: 'prod', region: null, items: [] });
    const identity = { kind: 'tcss', id: 'latest', account: 'prod', region: null } as const;
    expect(decodeStatus(encodeStatus(original, identity), identity)).toEqual(original);
    expect(encodeStatus(original, identity)).not.toContain('"a":');
    // Without an identity nothing is left out, so any task record reads it back whole.
    expect(decodeStatus(encodeStatus(original), IDENTITY)).toEqual(original);
  });

  test('given a not-found terminal status without items or times, then it round-trips', () => {
    const original = status({ found: false, terminal: true, state: 'failed', rawStatus: '', progress: null, summary: null, items: [], createdAt: null, updatedAt: null, requestId: null });
    expect(decodeStatus(encodeStatus(original, IDENTITY), IDENTITY)).toEqual(original);
  });

  test('given a version-1 task hash (full status JSON, group and empty fields stored), then this release still reads it', () => {
    const stored = status({ kind: 'dts', region: 'ap-guangzhou', items: [] });
    const fields = {
      v: '1',
      kind: 'dts',
      account: 'prod',
      region: 'ap-guangzhou',
      id: 'task-1',
      groupId: 'dts-0123456789ab',
      seq: '3',
      pollingSince: '1700000000000',
      everFound: '1',
      endReason: '',
      status: JSON.stringify(stored),
    };
    const record = readTaskRecord('dts-abc', fields);
    expect(record).toMatchObject({ v: 1, kind: 'dts', account: 'prod', region: 'ap-guangzhou', id: 'task-1', groupId: 'dts-0123456789ab', seq: 3, everFound: true, endReason: null, pollingSince: 1700000000000 });
    expect(record?.status).toEqual(stored);
  });

  test('given a version-2 task hash (compact status, no group), then the status gets the task identity back and the group is derived', () => {
    const fields = { v: String(RECORD_VERSION), kind: 'cdn', account: 'prod', id: 'task-1', seq: '1', pollingSince: '5', status: encodeStatus(status(), IDENTITY) };
    const record = readTaskRecord('cdn-abc', fields);
    expect(record?.status).toEqual(status());
    expect(record?.groupId).toBe(groupIdOf({ kind: 'cdn', account: 'prod', region: null }));
    expect(record?.everFound).toBe(false);
    expect(record?.endReason).toBeNull();
  });

  test('given statuses an older release stored with sentences (message, item messages), then they read as written facts', () => {
    // Version 2 before summary facts: `m` and a string as an item row's fifth element.
    const compact = JSON.stringify({ s: 'failed', r: 'fail', t: 1, m: 'Prefetch failed for 1 of 1 URL.', i: [['https://example.com/b.js', 'failed', 'fail', 0, 'prefetch failed']], o: 5 });
    const fromCompact = decodeStatus(compact, IDENTITY);
    expect(fromCompact?.summary).toEqual({ fact: 'written', text: 'Prefetch failed for 1 of 1 URL.' });
    expect(fromCompact?.items[0]?.note).toEqual({ fact: 'written', text: 'prefetch failed' });
    expect(fromCompact ? taskSummaryText(fromCompact) : null).toBe('Prefetch failed for 1 of 1 URL.');
    // Version 1: the whole status as JSON, with `message` fields.
    const { summary: _summary, items: _items, ...identityAndState } = status();
    const versionOne = { ...identityAndState, message: 'Prefetch in progress: 0 of 1 URL done.', items: [{ name: 'https://example.com/a.js', state: 'running', rawStatus: 'process', progress: 10, message: 'slow origin' }] };
    const fromVersionOne = decodeStatus(JSON.stringify(versionOne), IDENTITY);
    expect(fromVersionOne).toEqual({
      ...identityAndState,
      summary: { fact: 'written', text: 'Prefetch in progress: 0 of 1 URL done.' },
      items: [{ name: 'https://example.com/a.js', state: 'running', rawStatus: 'process', progress: 10, note: { fact: 'written', text: 'slow origin' } }],
    });
    expect(fromVersionOne ? itemNoteTextOf(fromVersionOne.items[0] ?? {}) : null).toBe('slow origin');
  });

  test('given a status, then what is stored of its words is facts, never a sentence', () => {
    const encoded = encodeStatus(status(), IDENTITY);
    expect(JSON.parse(encoded)).toMatchObject({ x: { fact: 'item_counts', total: 2, failed: 1 } });
    expect(encoded).not.toContain('"m"');
    // Facts a later release added read as nothing to say, never as raw JSON.
    const later = JSON.stringify({ s: 'running', x: { fact: 'moon_phase', phase: 'full' }, i: [['a', 'failed', 'fail', null, { fact: 'cosmic_ray' }]], o: 5 });
    expect(decodeStatus(later, IDENTITY)).toMatchObject({ summary: null, items: [{ name: 'a', state: 'failed', rawStatus: 'fail', progress: null }] });
    expect(decodeStatus(later, IDENTITY)?.items[0]).not.toHaveProperty('note');
  });

  test('given a version-1 watch hash with empty end fields, then it reads as an active watch', () => {
    const fields = {
      v: '1',
      taskKey: 'cdn-abc',
      channel: 'slack:C1',
      requestedBy: 'U1',
      cardMessageId: '1.2',
      deliveredSeq: '2',
      cardSeq: '2',
      startedAt: '2026-11-23T12:00:00.000Z',
      deadlineAt: '2026-11-24T12:00:00.000Z',
      endReason: '',
      endMessage: '',
      endPosted: '',
      endCarded: '',
    };
    expect(readWatchRecord('w1', fields)).toMatchObject({ v: 1, deliveredSeq: 2, endReason: null, endFacts: null, endPosted: false, endCarded: false, cardMessageId: '1.2' });
  });

  test('given a record or job of an unknown version, then reading refuses it instead of misreading it', () => {
    expect(() => readTaskRecord('cdn-abc', { v: '3', kind: 'cdn' })).toThrow(UnsupportedRecordVersionError);
    expect(() => requireJobVersion({ v: JOB_VERSION + 1, watchId: 'w1' })).toThrow(UnsupportedRecordVersionError);
    expect(requireJobVersion({ v: 1, watchId: 'w1' })).toEqual({ v: 1, watchId: 'w1' });
  });
});
