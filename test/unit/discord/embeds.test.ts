import { codeSpan, cutText, escapeDiscordMarkdown } from '../../../src/chat/discord/discord-markdown';
import { embedLength, renderQueryReply, renderTextReply, renderTransitionNotice } from '../../../src/chat/discord/embeds';
import type { TaskStatus } from '../../../src/providers/types';
import { taskStatus } from '../../support/task-status';

function status(id: string, overrides: Partial<TaskStatus> = {}): TaskStatus {
  return taskStatus({ id, requestId: `req-${id}`, ...overrides });
}

describe('Discord markdown', () => {
  test('given mentions, markdown and links, then escaping leaves none of them active', () => {
    const escaped = escapeDiscordMarkdown('@everyone <@123> **bold** [x](https://evil) `code` # head');
    expect(escaped).not.toMatch(/@everyone|@here/);
    expect(escaped).not.toMatch(/(^|[^\\])[*[\]()`<#]/);
  });

  test('given a backtick in a code span, then it cannot close the span', () => {
    expect(codeSpan('a`b\nc')).toBe('`aˋb c`');
  });

  test('given a cut that would end in a lone backslash, then the backslash is dropped', () => {
    expect(cutText('ab\\*cd', 4)).toBe('ab…');
  });
});

describe('embeds within Discord limits', () => {
  test('given 5 statuses with many items each, then every embed and the total stay within limits', () => {
    const items = Array.from({ length: 200 }, (_, index) => ({ name: `/path/${'x'.repeat(100)}/${index}`, state: 'running' as const, rawStatus: 'Refreshing', progress: 10 }));
    const reply = renderQueryReply(Array.from({ length: 5 }, (_, index) => status(String(index + 1), { items, summary: { fact: 'written', text: 'y'.repeat(2000) } })), []);
    expect(reply.embeds).toHaveLength(5);
    expect(reply.embeds.reduce((total, embed) => total + embedLength(embed), 0)).toBeLessThanOrEqual(6000);
    for (const embed of reply.embeds) {
      expect(embed.fields!.length).toBeLessThanOrEqual(25);
      for (const field of embed.fields!) expect([...field.value].length).toBeLessThanOrEqual(1024);
    }
    expect(JSON.stringify(reply.embeds)).toMatch(/…and \d+ more/);
  });

  test('given 50 statuses, then one compact embed lists them, cut with "and N more" if needed, and no buttons fit', () => {
    const reply = renderQueryReply(Array.from({ length: 50 }, (_, index) => status(String(17772470184 + index))), []);
    expect(reply.embeds).toHaveLength(1);
    expect([...(reply.embeds[0]!.description ?? '')].length).toBeLessThanOrEqual(4096);
    expect(reply.components).toEqual([]);
    expect(reply.content).toMatch(/Too many task IDs for buttons/);
  });

  test('given one status, then its buttons are Refresh, Watch and Stop watching with custom IDs of at most 100 characters', () => {
    const reply = renderQueryReply([status('17772470184')], []);
    const buttons = reply.components[0]!.components;
    expect(buttons.map((button) => button.label)).toEqual(['Refresh', 'Watch', 'Stop watching']);
    for (const button of buttons) expect(button.custom_id.length).toBeLessThanOrEqual(100);
  });

  test('given a transition with skipped states and an ending, then the notice says so', () => {
    const message = renderTransitionNotice({
      previous: status('1', { state: 'pending' }),
      current: status('1', { state: 'succeeded', terminal: true, rawStatus: 'Complete' }),
      skippedStates: ['running'],
      changedItems: [],
      endReason: 'terminal',
      endFacts: null,
      durationMs: 65_000,
    });
    const text = JSON.stringify(message.embeds);
    expect(text).toContain('Passed through');
    expect(text).toContain('Total duration: 1m 5s.');
  });

  test('given a text longer than a message, then it goes into an embed description', () => {
    const reply = renderTextReply('z'.repeat(3000));
    expect(reply.content).toBe('');
    expect(reply.embeds[0]?.description).toHaveLength(3000);
  });
});
