import { MAX_BLOCKS, REFRESH_ACTION_ID, renderQueryReply, renderTextReply, renderTransitionNotice } from '../../../src/chat/slack/blocks';
import { decodeSelection, encodeSelection } from '../../../src/chat/slack/button-value';
import { codeSpan, escapeMrkdwn, truncateMrkdwn } from '../../../src/chat/slack/mrkdwn';
import { isFreshSlackTimestamp } from '../../../src/chat/slack/request-timestamp-guard';
import { redactSecrets } from '../../../src/chat/slack/redacting-logger';
import { formatProgressBar } from '../../../src/chat/render/progress-bar';
import { ProviderError } from '../../../src/providers/errors';
import type { TaskStatus } from '../../../src/providers/types';
import { taskStatus } from '../../support/task-status';

function status(id: string, overrides: Partial<TaskStatus> = {}): TaskStatus {
  return taskStatus({ id, requestId: `req-${id}`, summary: { fact: 'written', text: 'In progress' }, ...overrides });
}

function allTexts(blocks: unknown): string[] {
  const texts: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'text' && typeof inner === 'string') texts.push(inner);
        else walk(inner);
      }
    }
  };
  walk(blocks);
  return texts;
}

describe('Slack Block Kit rendering', () => {
  it('given 50 statuses with long item lists, then the message stays within 50 blocks and 3000 characters per text', () => {
    const items = Array.from({ length: 200 }, (_, index) => ({ name: `https://example.com/${'x'.repeat(150)}/${index}`, state: 'running' as const, rawStatus: 'Refreshing', progress: 10 }));
    const statuses = Array.from({ length: 50 }, (_, index) => status(String(10_000 + index), { items }));
    const message = renderQueryReply(statuses, []);
    expect(message.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    for (const text of allTexts(message.blocks)) expect(text.length).toBeLessThanOrEqual(3000);
    expect(message.text).toBe('50 DCDN refresh tasks: 50 running');
  });

  it('given one task with 200 items, then ten are listed and the rest are counted as "and N more"', () => {
    const items = Array.from({ length: 200 }, (_, index) => ({ name: `http://example.com/${index}`, state: 'succeeded' as const, rawStatus: 'Complete', progress: 100 }));
    const texts = allTexts(renderQueryReply([status('1', { items })], []).blocks).join('\n');
    expect(texts).toContain('*Objects (200):*');
    expect(texts).toContain('…and 190 more');
  });

  it('given many provider failures, then the block limit still holds and the buttons stay last', () => {
    const failures = Array.from({ length: 40 }, (_, index) => ({
      refs: [{ kind: 'dcdn' as const, id: String(index) }],
      error: new ProviderError({ code: 'throttled', facts: { fact: 'vendor_code', cloud: 'alibaba' }, providerCode: 'Throttling.User', api: 'dcdn.DescribeDcdnRefreshTaskById' }),
    }));
    const message = renderQueryReply([], failures);
    expect(message.blocks.length).toBe(MAX_BLOCKS);
    expect(message.blocks.at(-1)).toMatchObject({ type: 'actions' });
    expect(allTexts(message.blocks).join('\n')).toContain('more blocks were cut');
  });

  it('given a not-found task, then it reads "Not found" and a failure reads what failed and whether retrying helps', () => {
    const failure = { refs: [{ kind: 'cdn' as const, id: '42' }], error: new ProviderError({ code: 'auth_failed', facts: { fact: 'vendor_code', cloud: 'tencent' }, providerCode: 'AuthFailure.SignatureFailure' }) };
    const texts = allTexts(renderQueryReply([status('7', { found: false, rawStatus: '', progress: null })], [failure]).blocks).join('\n');
    expect(texts).toContain('🔍 *DCDN refresh* `7` — *Not found*');
    expect(texts).toContain('⚠️ *Could not query CDN prefetch `42`.*');
    expect(texts).toContain('Retrying will not help');
    expect(texts).toContain('`AuthFailure.SignatureFailure`');
  });

  it('given mentions and links in IDs, items and messages, then every one is escaped', () => {
    const message = renderQueryReply(
      [status('<!channel>', { summary: { fact: 'vendor_text', text: '<@U123> see <https://evil|here>' }, items: [{ name: '<!here>`x`', state: 'failed', rawStatus: '<!everyone>', progress: null, note: { fact: 'vendor_text', text: '& <b>' } }] })],
      [],
    );
    const serialized = JSON.stringify(message);
    for (const forbidden of ['<!channel>', '<@U123>', '<https://evil|here>', '<!here>', '<!everyone>', '<b>']) expect(serialized).not.toContain(forbidden);
    expect(serialized).toContain('&amp; &lt;b&gt;');
  });

  it('given a transition with skipped states, then the thread reply says old -> new and the steps in between', () => {
    const message = renderTransitionNotice({
      previous: status('1', { state: 'pending', rawStatus: 'Pending' }),
      current: status('1', { state: 'succeeded', terminal: true, rawStatus: 'Complete', progress: 100 }),
      skippedStates: ['running'],
      changedItems: [],
      endReason: 'terminal',
      endFacts: null,
      durationMs: 3_600_000,
    });
    const texts = allTexts(message.blocks).join('\n');
    expect(texts).toContain('⏳ Pending → ✅ *Succeeded*');
    expect(texts).toContain('Passed through: Running');
    expect(texts).toContain('Total duration: 1h.');
    expect(message.text).toBe('DCDN refresh 1: Pending -&gt; Succeeded after 1h');
  });

  it('given an ending because a newer task replaced the watched one, then the reply names the newer task, the last known state and how to watch it', () => {
    const message = renderTransitionNotice({
      previous: null,
      current: status('201', { kind: 'tcss', state: 'running', rawStatus: 'Task_Running' }),
      skippedStates: [],
      changedItems: [],
      endReason: 'replaced',
      endFacts: null,
      durationMs: null,
      replacedBy: '202',
    });
    const texts = allTexts(message.blocks).join('\n');
    expect(texts).toContain('A newer TCSS refresh task, 202, replaced 201');
    expect(texts).toContain('201 was last seen Running');
    expect(texts).toContain('/task-status watch tcss');
  });

  it('given a long help text, then it is escaped and split into sections, not cut', () => {
    const text = `Usage: /task-status <kind>\n${'line of help\n'.repeat(400)}`;
    const message = renderTextReply(text);
    expect(message.blocks.length).toBeGreaterThan(1);
    expect(allTexts(message.blocks).join('')).toBe(escapeMrkdwn(text));
  });
});

describe('Slack text helpers', () => {
  it('given text with &, < and >, then escapeMrkdwn escapes each once', () => {
    expect(escapeMrkdwn('a & <!channel> > b')).toBe('a &amp; &lt;!channel&gt; &gt; b');
  });

  it('given a value with backticks and newlines, then codeSpan keeps it on one line inside one span', () => {
    expect(codeSpan('a`b\nc')).toBe('`aˋb c`');
  });

  it('given escaped text cut in the middle of an entity, then truncateMrkdwn drops the partial entity', () => {
    expect(truncateMrkdwn('abc&amp;def', 6)).toBe('abc…');
  });

  it('given progress values, then the bar is floored and clamped', () => {
    expect(formatProgressBar(0)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    expect(formatProgressBar(99)).toBe('▰▰▰▰▰▰▰▰▰▱ 99%');
    expect(formatProgressBar(150)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
    expect(formatProgressBar(null)).toBeNull();
  });

  it('given a selection, then the button value round-trips and hides user text; tampered values are refused', () => {
    const selection = { kind: 'dts' as const, ids: ['cafebabe-254f-11ea-8995-e92c139e6918'], region: 'ap-guangzhou', account: 'prod' };
    expect(decodeSelection(encodeSelection(selection)!)).toEqual(selection);
    // A value is input on the way back: what the parser would refuse, decoding refuses too.
    const forged = encodeSelection({ kind: 'dts', ids: ['<!channel>'], region: 'ap-guangzhou', account: 'prod' })!;
    expect(forged).not.toContain('<!channel>');
    expect(decodeSelection(forged)).toBeNull();
    expect(decodeSelection('{"v":1,"k":"dts","i":[]}')).toBeNull();
    expect(decodeSelection(`tw1.${Buffer.from('{"v":1,"k":"nope","i":[]}').toString('base64url')}`)).toBeNull();
    expect(decodeSelection(`tw1.${Buffer.from('{"v":2,"k":"cdn","i":[]}').toString('base64url')}`)).toBeNull();
  });

  it('given button values the command parser would refuse, then decoding refuses them: ID count, ID shape, region, account, TCSS IDs', () => {
    const ids = (count: number): string[] => Array.from({ length: count }, (_, index) => String(1000 + index));
    const value = (selection: Parameters<typeof encodeSelection>[0]): string => encodeSelection(selection)!;
    expect(decodeSelection(value({ kind: 'dcdn', ids: ids(50) }))).toEqual({ kind: 'dcdn', ids: ids(50) });
    expect(decodeSelection(value({ kind: 'dcdn', ids: ids(51) }))).toBeNull();
    expect(decodeSelection(value({ kind: 'dcdn', ids: ['11,12'] }))).toBeNull();
    expect(decodeSelection(value({ kind: 'redis', ids: ['18215.5'], region: 'ap-guangzhou' }))).toBeNull();
    expect(decodeSelection(value({ kind: 'cdn', ids: [] }))).toBeNull();
    expect(decodeSelection(value({ kind: 'tcss', ids: [] }))).toEqual({ kind: 'tcss', ids: [] });
    expect(decodeSelection(value({ kind: 'tcss', ids: ['1'] }))).toBeNull();
    expect(decodeSelection(value({ kind: 'redis', ids: ['18215'], region: 'AP GUANGZHOU' }))).toBeNull();
    expect(decodeSelection(value({ kind: 'cdn', ids: ['1'], account: '-x/../y' }))).toBeNull();
  });

  it('given a query reply, then its Refresh button carries a decodable selection of the tasks shown', () => {
    const message = renderQueryReply([status('11', { region: 'cn-hangzhou' }), status('12', { region: 'cn-hangzhou' })], []);
    const actions = message.blocks.find((block) => block.type === 'actions') as { elements: Array<{ action_id: string; value: string }> };
    const refresh = actions.elements.find((element) => element.action_id === REFRESH_ACTION_ID)!;
    expect(decodeSelection(refresh.value)).toEqual({ kind: 'dcdn', ids: ['11', '12'], region: 'cn-hangzhou', account: 'default' });
  });

  it('given timestamps around now, then only those within five minutes either way are fresh', () => {
    const now = 1_800_000_000_000;
    const seconds = now / 1000;
    expect(isFreshSlackTimestamp(String(seconds), now)).toBe(true);
    expect(isFreshSlackTimestamp(String(seconds - 300), now)).toBe(true);
    expect(isFreshSlackTimestamp(String(seconds + 300), now)).toBe(true);
    expect(isFreshSlackTimestamp(String(seconds - 301), now)).toBe(false);
    expect(isFreshSlackTimestamp(String(seconds + 301), now)).toBe(false);
    expect(isFreshSlackTimestamp(undefined, now)).toBe(false);
    expect(isFreshSlackTimestamp('12abc', now)).toBe(false);
  });

  it('given log text with configured secrets and token-shaped words, then all are redacted', () => {
    const line = redactSecrets('token xoxb-123-abc secret s3cr3t-value app xapp-1-A-b', ['s3cr3t-value']);
    expect(line).toBe('token [redacted] secret [redacted] app [redacted]');
  });
});
