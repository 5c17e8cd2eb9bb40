/**
 * The newcomer's path: `npm start` with nothing configured starts a local redis-server, the
 * cloud sandbox and the terminal chat; a query and a watch typed into the chat are answered;
 * SIGTERM stops everything cleanly, leaving no redis-server behind.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processState } from '../../../src/runtime/data-dir-redis';

const ROOT = path.join(__dirname, '..', '..', '..');

/** Waits (bounded) until `read()` matches, polling every 50 ms. */
async function waitFor(read: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = read().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${read().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether `pid` exists, a zombie included: taskwatch must have reaped its redis-server when it exits. */
function processExists(pid: number): boolean {
  return processState(pid) !== 'gone';
}

describe('npm start with nothing configured', () => {
  let dataDir: string;
  let child: ChildProcessWithoutNullStreams | null = null;
  let stdout = '';
  let stderr = '';

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'taskwatch-start-'));
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('given a query and a watch typed into the terminal chat, then replies and a thread update arrive, and SIGTERM exits 0 with no redis-server left', async () => {
    // Only the essentials of a fresh shell: no cloud, chat or Redis settings. The data directory
    // and HTTP port are set so the test neither touches ./.data nor collides with port 3000.
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? tmpdir(),
      TASKWATCH_DATA_DIR: dataDir,
      PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
    child = spawn('npm', ['start', '--silent', '--', '--shell'], { cwd: ROOT, env, stdio: 'pipe' });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));

    await waitFor(() => stdout, /you> /, 30_000);
    expect(stdout).toContain('local cloud sandbox');
    // The terminal chat's screen is the conversation: the log is in the data folder, its path in the banner.
    const logFile = path.join(dataDir, 'taskwatch.log');
    expect(stdout).toContain(`Logs and audit lines: ${logFile}`);
    const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    const startedLine = (await waitFor(log, /^.*"msg":"started local redis-server".*$/m, 10_000))[0];
    const started = JSON.parse(startedLine) as { pid: number; redisPid: number };
    const redisPid = started.redisPid;
    expect(processExists(redisPid)).toBe(true);

    child.stdin.write('/task-status cdn 2026000000000000001\n');
    await waitFor(() => stdout, /bot> .*cdn 2026000000000000001: running \(process\)/, 20_000);

    child.stdin.write('/task-status watch tcss\n');
    await waitFor(() => stdout, /\[card #1\]/, 20_000);
    // The demo TCSS task moves from Task_New to Task_Running within seconds: one thread reply.
    await waitFor(() => stdout, /↳ \[thread #1\] .*tcss \S+: .*→ running \(Task_Running\)/, 60_000);

    // SIGTERM goes to the taskwatch process itself, as a process supervisor would send it;
    // npm then reports its child's exit code.
    process.kill(started.pid, 'SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(log()).toContain('"msg":"stopped"');
    expect(log()).toContain(`"sandboxUrl":"http://127.0.0.1:`);
    expect(processExists(redisPid)).toBe(false);
    expect(stdout + stderr).not.toMatch(/at .+\.js:\d+:\d+/); // no stack traces
  }, 120_000);
});
