/**
 * The terminal chat's thread line for a change that keeps the state's name: a task found and
 * then no longer found (a not-found status is `unknown`, like an unmapped raw status), or found
 * again. It must say "not found", as Slack and Discord do ("Unknown → Not found"), not
 * "unknown → unknown".
 */
import { PassThrough } from 'node:stream';
import { TerminalChat } from '../../../src/chat/terminal/terminal-chat';
import { runCommandText } from '../../../src/commands/handle-command';
import type { TransitionNotice } from '../../../src/jobs/notifier';
import { createProviderRegistry } from '../../../src/providers/registry';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { taskStatus } from '../../support/task-status';

async function printedFor(notice: TransitionNotice): Promise<string> {
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const providers = createProviderRegistry({ accounts: [], rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 1000 }, { rateBudget: new InMemoryRateBudget() });
  const chat = new TerminalChat({ input: new PassThrough(), output, services: { providers }, runCommand: runCommandText });
  try {
    await chat.postThreadReply({ platform: 'terminal', channelId: 'shell' }, '1', notice, { broadcast: false });
    return printed;
  } finally {
    providers.close();
  }
}

const base = { skippedStates: [], changedItems: [], endReason: null, endFacts: null, durationMs: null } as const;
const unmapped = taskStatus({ state: 'unknown', rawStatus: 'Weird', progress: null });
const missing = taskStatus({ found: false, state: 'unknown', rawStatus: '', progress: null });

describe('the terminal chat, a thread line about a task found or no longer found', () => {
  test('given a task in an unmapped state that is then not found, then the line says "unknown → not found"', async () => {
    const printed = await printedFor({ ...base, previous: unmapped, current: missing });
    expect(printed).toContain('dcdn 17772470184: unknown → not found');
    expect(printed).not.toContain('unknown → unknown');
  });

  test('given a running task that is then not found, then the line says "running → not found"', async () => {
    const printed = await printedFor({ ...base, previous: taskStatus({ progress: null }), current: missing });
    expect(printed).toContain('dcdn 17772470184: running → not found');
  });

  test('given a task not found and then found in an unmapped state, then the line says "not found → unknown"', async () => {
    const printed = await printedFor({ ...base, previous: missing, current: unmapped });
    expect(printed).toContain('dcdn 17772470184: not found → unknown (Weird)');
  });

  test('given a task that passed through another state and came back, then the line names the way, not "running → running"', async () => {
    const printed = await printedFor({ ...base, previous: taskStatus({ progress: null }), current: taskStatus({ progress: null }), skippedStates: ['pending'] });
    expect(printed).toContain('dcdn 17772470184: running → pending → running (Refreshing)');
    expect(printed).not.toContain('running → running');
  });

  test('given a change of state, then the line reads as before', async () => {
    const printed = await printedFor({ ...base, previous: taskStatus({ state: 'pending', rawStatus: 'Pending', progress: null }), current: taskStatus({ progress: null }), skippedStates: [] });
    expect(printed).toContain('dcdn 17772470184: pending → running (Refreshing)');
    const skipping = await printedFor({ ...base, previous: taskStatus({ state: 'pending', rawStatus: 'Pending', progress: null }), current: taskStatus({ state: 'succeeded', rawStatus: 'Complete', progress: null }), skippedStates: ['running'] });
    expect(skipping).toContain('dcdn 17772470184: pending → succeeded (via running) (Complete)');
  });
});
