import { PassThrough } from 'node:stream';
import { TerminalChat } from '../../../src/chat/terminal/terminal-chat';
import { runCommandText } from '../../../src/commands/handle-command';
import type { StuckFacts } from '../../../src/jobs/durations/stuck-threshold';
import { createProviderRegistry } from '../../../src/providers/registry';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { taskStatus } from '../../support/task-status';

const MINUTE = 60_000;
const FACTS: StuckFacts = {
  group: { kind: 'redis', account: 'production', subtype: 'FLUSH_INSTANCE', size: null },
  startedAt: 0,
  p95Ms: 12 * MINUTE,
  thresholdMs: 18 * MINUTE,
  usual: { lowMs: 3 * MINUTE, highMs: 6 * MINUTE, medianMs: 4 * MINUTE, count: 47 },
};

describe('the terminal chat and a stuck task', () => {
  test('given a stuck task, then it prints one thread line also sent to the channel, marks the card, and its ending compares with usual', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const providers = createProviderRegistry({ accounts: [], rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 1000 }, { rateBudget: new InMemoryRateBudget() });
    const chat = new TerminalChat({ input: new PassThrough(), output, services: { providers }, runCommand: runCommandText });
    const channel = { platform: 'terminal' as const, channelId: 'local' };
    try {
      await chat.postStuckReply(channel, '1', { kind: 'redis', id: '18215', state: 'running', facts: FACTS, elapsedMs: 41 * MINUTE }, { broadcast: true });
      expect(printed).toContain('↳ [thread #1, also sent to channel] ⚠ Redis task 18215 is still running after 41 min; 95% of 47 past redis FLUSH_INSTANCE tasks on production finished within 12 min.');
      const watch = { watchId: 'w1', startedAt: new Date().toISOString(), deadlineAt: new Date(Date.now() + 86_400_000).toISOString(), nextCheckAt: null, endReason: null };
      await chat.updateCard(channel, '1', { status: taskStatus({ kind: 'redis', id: '18215', state: 'running' }), watch, stuck: FACTS });
      expect(printed).toContain('⚠ running longer than usual');
      const ended = taskStatus({ kind: 'redis', id: '18215', state: 'succeeded', terminal: true });
      await chat.postThreadReply(channel, '1', { previous: null, current: ended, skippedStates: [], changedItems: [], endReason: 'terminal', endFacts: null, durationMs: 45 * MINUTE, usual: FACTS.usual }, { broadcast: false });
      expect(printed).toContain('took 45 min; usually 3-6 min');
    } finally {
      providers.close();
    }
  });
});
