import { PassThrough } from 'node:stream';
import { TerminalChat } from '../../../src/chat/terminal/terminal-chat';
import { runCommandText } from '../../../src/commands/handle-command';
import { createProviderRegistry } from '../../../src/providers/registry';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';

describe('the terminal chat as a notifier', () => {
  test('given a mute summary, then it prints one numbered block: the title, then one indented line per task', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const providers = createProviderRegistry({ accounts: [], rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 1000 }, { rateBudget: new InMemoryRateBudget() });
    const chat = new TerminalChat({ input: new PassThrough(), output, services: { providers }, runCommand: runCommandText });
    try {
      const id = await chat.postSummary({ platform: 'terminal', channelId: 'local' }, {
        mutedAt: '2026-11-23T10:00:00.000Z',
        endedAt: '2026-11-23T11:00:00.000Z',
        changes: [{ kind: 'redis', id: '18215', from: 'pending', to: 'succeeded', rawStatus: 'succeed', endReason: 'terminal' }],
        newTasks: [],
      });
      expect(printed).toContain(`[summary #${id}] Notifications are back on. While this channel was muted (2026-11-23 10:00 to 2026-11-23 11:00 UTC):`);
      expect(printed).toContain('\n  redis 18215: pending -> succeeded (succeed); watch ended (terminal)');
    } finally {
      providers.close();
    }
  });
});
