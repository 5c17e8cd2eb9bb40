/**
 * The terminal chat as a person runs it: `taskwatch start` on a pseudo-terminal (util-linux
 * `script` gives it one), nothing configured. The screen is the conversation: between a command
 * and its answer nothing else may be printed (no log lines, no audit records).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../../support/wait';

const ROOT = path.join(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'taskwatch.js');

describe('the terminal chat on a terminal', () => {
  let dataDir: string;
  let child: ChildProcessWithoutNullStreams | null = null;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'taskwatch-screen-'));
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('given a query typed at the prompt, then the screen shows the command, the answer and the next prompt, and nothing else', async () => {
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? tmpdir(),
      TERM: 'dumb',
      TASKWATCH_DATA_DIR: dataDir,
      PORT: '0',
    };
    // `script -qfec CMD /dev/null`: run CMD on a new pseudo-terminal, copying its screen to our pipe.
    child = spawn('script', ['-qfec', `${process.execPath} ${BIN} start`, '/dev/null'], { cwd: ROOT, env, stdio: 'pipe' });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8').replace(/\r/g, '')));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));

    await waitFor('the first prompt', () => screen.includes('you> '), 30_000);
    const logFile = path.join(dataDir, 'taskwatch.log');
    expect(screen).toContain(`Logs and audit lines: ${logFile}`);
    // Let start-up finish writing, so that only what the command causes follows.
    await waitFor('start-up logged', () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('HTTP server listening'), 30_000);

    const before = screen.length;
    child.stdin.write('/task-status cdn 2026000000000000001\n');
    await waitFor('the answer and the next prompt', () => /bot> [\s\S]*you> $/.test(screen.slice(before)), 20_000);

    const lines = screen.slice(before).split('\n').filter((line) => line.trim() !== '');
    // The terminal echoes what was typed; then the answer; then the prompt.
    expect(lines[0]).toBe('/task-status cdn 2026000000000000001');
    expect(lines[1]).toMatch(/^bot> .*cdn 2026000000000000001: running \(process\)/);
    expect(lines[lines.length - 1]).toBe('you> ');
    for (const line of lines.slice(2, -1)) expect(line).toMatch(/^ {2}/); // the answer's own detail lines
    // The audit record of the query went to the log file instead.
    expect(readFileSync(logFile, 'utf8')).toMatch(/"audit":true.*"action":"query"/);

    // A watch's card is printed with the task's checked state, never a placeholder.
    const beforeWatch = screen.length;
    child.stdin.write('/task-status watch cdn 2026000000000000001\n');
    await waitFor('the watch answer and its card', () => /Watching 1 task/.test(screen.slice(beforeWatch)) && /cdn 2026000000000000001: running \(process\)/.test(screen.slice(beforeWatch)), 20_000);
    expect(screen.slice(beforeWatch)).not.toMatch(/unknown|Waiting for the first check|not checked/i);

    child.stdin.write('/quit\n');
    expect(await exited).toBe(0);
  }, 60_000);
});
