/**
 * Where audit lines go, seen the way an operator sees them: `taskwatch start` as a child
 * process with standard output and standard error kept apart (two pipes), so that
 * `taskwatch start | jq -c 'select(.audit)'` is what is tested, not a merged stream.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestRedis, type TestRedis } from '../../support/redis';

const ROOT = path.join(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'taskwatch.js');
const API_TOKEN = 'audit-stream-api-token-0123456789abcdef';

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

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly port: number;
  readonly exited: Promise<number | null>;
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '');
const isAuditLine = (line: string): boolean => {
  try {
    return (JSON.parse(line) as { audit?: unknown }).audit === true;
  } catch {
    return false;
  }
};

describe('the audit stream of taskwatch start, with standard output and standard error apart', () => {
  let redis: TestRedis;
  let directory: string;
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(async () => {
    redis = await startTestRedis({ appendOnly: false });
    directory = mkdtempSync(path.join(tmpdir(), 'taskwatch-audit-'));
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await redis?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  /** The log file the terminal chat's run writes (default data folder `.data` under the working directory). */
  function terminalLog(): string {
    const file = path.join(directory, '.data', 'taskwatch.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  async function start(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Started> {
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? tmpdir(),
      REDIS_URL: redis.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      API_TOKEN,
      ...extraEnv,
    };
    const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd: directory, env, stdio: 'pipe' });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // With the terminal chat, the log goes to the data folder's file instead of standard error.
    const listening = (await waitFor(() => (args.includes('--shell') ? terminalLog() : stderr), /^.*"msg":"HTTP server listening".*$/m, 30_000))[0];
    const port = (JSON.parse(listening) as { port: number }).port;
    return { child, stdout: () => stdout, stderr: () => stderr, port, exited };
  }

  /** One refused API call without a token and one with a body that is not JSON: two audit lines. */
  async function twoRefusedCalls(port: number): Promise<void> {
    const url = `http://127.0.0.1:${port}/api/watches`;
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${API_TOKEN}`, 'Content-Type': 'application/json' }, body: '{"kind":' })).status).toBe(400);
  }

  async function stop(started: Started): Promise<void> {
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  }

  it('given no terminal chat, then every audit line is on standard output, standard output holds nothing else, and none is on standard error', async () => {
    const started = await start([]);
    await twoRefusedCalls(started.port);
    await waitFor(() => started.stdout(), /(?:.*"audit":true.*\n){2}/, 10_000);
    await stop(started);

    const out = lines(started.stdout());
    expect(out).toHaveLength(2);
    // What `jq -c 'select(.audit)'` sees: JSON lines, each marked, at level info, message audit.
    const entries = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toEqual([
      expect.objectContaining({ audit: true, level: 30, msg: 'audit', who: 'api:unknown', action: 'api.watches', outcome: 'refused', reason: 'unauthorized' }),
      expect.objectContaining({ audit: true, level: 30, msg: 'audit', who: 'api:api', outcome: 'refused', reason: 'invalid_request' }),
    ]);
    expect(lines(started.stderr()).filter(isAuditLine)).toEqual([]);
    expect(started.stdout() + started.stderr()).not.toContain(API_TOKEN);
  });

  it('given the terminal chat owns standard output, then audit lines go to the log file in the data folder and never into the conversation', async () => {
    const started = await start(['--shell']);
    await waitFor(() => started.stdout(), /you> /, 30_000);
    started.child.stdin.write('/task-status help\n');
    await twoRefusedCalls(started.port);
    await waitFor(() => terminalLog(), /(?:.*"audit":true.*\n){3}/, 10_000);
    started.child.stdin.end();
    expect(await started.exited).toBe(0);

    expect(started.stdout()).not.toContain('"audit"');
    expect(lines(started.stderr()).filter(isAuditLine)).toEqual([]);
    expect(lines(terminalLog()).filter(isAuditLine).map((line) => (JSON.parse(line) as { action: string }).action)).toEqual(['help', 'api.watches', 'api.watches']);
  });

  it('given TASKWATCH_AUDIT_FILE, then audit lines are appended to that file and to neither stream', async () => {
    const file = path.join(directory, 'audit.jsonl');
    const started = await start([], { TASKWATCH_AUDIT_FILE: file });
    await twoRefusedCalls(started.port);
    await stop(started);

    const written = lines(readFileSync(file, 'utf8'));
    expect(written.map((line) => (JSON.parse(line) as { reason: string }).reason)).toEqual(['unauthorized', 'invalid_request']);
    expect(written.every(isAuditLine)).toBe(true);
    expect(started.stdout()).toBe('');
    expect(lines(started.stderr()).filter(isAuditLine)).toEqual([]);
  });

  it('given a TASKWATCH_AUDIT_FILE that cannot be opened, then start-up stops, naming the setting, instead of losing audit lines later', () => {
    const result = spawnSync(process.execPath, [BIN, 'start'], {
      cwd: directory,
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', REDIS_URL: redis.url, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', TASKWATCH_AUDIT_FILE: path.join(directory, 'missing-folder', 'audit.jsonl') },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('TASKWATCH_AUDIT_FILE names a file that cannot be opened for appending (ENOENT)');
  });
});
