/**
 * The terminal chat's thread lines for a reply whose state did not change: said once, not
 * "running → running", with a failed item counted and named (issue 15).
 */
import { PassThrough } from 'node:stream';
import { TerminalChat } from '../../../src/chat/terminal/terminal-chat';
import { runCommandText } from '../../../src/commands/handle-command';
import type { TransitionNotice } from '../../../src/jobs/notifier';
import { createProviderRegistry } from '../../../src/providers/registry';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import type { TaskItem } from '../../../src/providers/types';
import { taskStatus } from '../../support/task-status';

const url = (name: string, state: TaskItem['state']): TaskItem => ({ name, state, rawStatus: state === 'failed' ? 'fail' : 'process', progress: null });

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

describe('the terminal chat, a thread line whose state did not change', () => {
  test('given a URL failing inside a running prefetch, then the line says "still running" and the next names the URL', async () => {
    const cdn = (items: TaskItem[]) => taskStatus({ kind: 'cdn', id: '1533031853231313311', rawStatus: 'process', progress: null, items });
    const previous = cdn([url('https://www.example.com/ok.js', 'running'), url('https://www.example.com/broken.js', 'running')]);
    const current = cdn([url('https://www.example.com/ok.js', 'running'), url('https://www.example.com/broken.js', 'failed')]);
    const printed = await printedFor({ ...base, previous, current, changedItems: [current.items[1] as TaskItem] });
    expect(printed).toContain('↳ [thread #1] 🔄 cdn 1533031853231313311: still running (process)\n      1 of 2 URLs failed: https://www.example.com/broken.js\n');
    expect(printed).not.toContain('running → running');
  });

  test('given a watch stopped on request, then the state is said once, with why the watch ended', async () => {
    const printed = await printedFor({ ...base, previous: taskStatus({ progress: null }), current: taskStatus({ progress: null }), endReason: 'unwatched', endFacts: { fact: 'unwatched' } });
    expect(printed).toContain('↳ [thread #1] 🔄 dcdn 17772470184: running (Refreshing)\n      Watching stopped on request.\n');
    expect(printed).not.toContain('→');
  });
});
