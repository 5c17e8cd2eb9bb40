/**
 * Stopping the way supervisors stop things. `npm start` is started as Docker or systemd start it
 * (its own process group and session, no terminal), the signal goes to the npm process, and
 * afterwards nothing may be left: no node, no redis-server, the HTTP port free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processState } from '../../../src/runtime/data-dir-redis';
import { sendRedisCommand } from '../../../src/runtime/local-redis';
import { waitFor } from '../../support/wait';

const ROOT = path.join(__dirname, '..', '..', '..');
/** What the issue allows a clean stop. */
const STOP_BUDGET_MS = 15_000;

interface Started {
  readonly child: ChildProcess;
  /** The taskwatch node process (npm's child, or the child itself without npm). */
  readonly nodePid: number;
  readonly redisPid: number;
  readonly redisPort: number;
  readonly httpPort: number;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const dataDirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  // Whatever a failed test left behind: its whole process group, then its data.
  for (const child of children.splice(0)) {
    if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    // An orphan may still hold the pipes; they must not keep Jest waiting.
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
  }
  for (const directory of dataDirs) for (const pid of processesUsing(directory)) signal(pid, 'SIGKILL');
});

afterAll(() => {
  for (const directory of dataDirs.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function newDataDir(): string {
  const directory = realpathSync(mkdtempSync(path.join(tmpdir(), 'taskwatch-signals-')));
  dataDirs.push(directory);
  return directory;
}

/** A fresh shell's essentials and nothing configured, as a newcomer or a unit file would run it. */
function baseEnvironment(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? tmpdir(),
    // A shifted test clock (faketime) must reach the child as it reaches us.
    ...(process.env['LD_PRELOAD'] ? { LD_PRELOAD: process.env['LD_PRELOAD'] } : {}),
    ...(process.env['FAKETIME'] ? { FAKETIME: process.env['FAKETIME'] } : {}),
    TASKWATCH_DATA_DIR: dataDir,
    PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/**
 * Starts `command args` as a supervisor does: detached (a new session and process group, no
 * controlling terminal), output piped. Resolves once the HTTP server listens.
 */
async function startAsSupervisor(command: string, args: string[], env: NodeJS.ProcessEnv, stdin: 'ignore' | 'pipe' = 'ignore'): Promise<Started> {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: [stdin, 'pipe', 'pipe'] });
  children.push(child);
  // Kept apart: a chat prompt on standard output would otherwise run into a log line.
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // With the terminal chat, the log goes to the data folder's file instead of standard error.
  const logFile = typeof env['TASKWATCH_DATA_DIR'] === 'string' ? path.join(env['TASKWATCH_DATA_DIR'], 'taskwatch.log') : null;
  const output = (): string => `${stdout}\n${stderr}\n${logFile !== null && existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signalName) => resolve({ code, signal: signalName })),
  );
  const redisLine = await waitFor('redis-server started', () => logLine(output(), 'started local redis-server'), 30_000);
  const httpLine = await waitFor('HTTP server listening', () => logLine(output(), 'HTTP server listening'), 30_000);
  return {
    child,
    nodePid: Number(redisLine['pid']),
    redisPid: Number(redisLine['redisPid']),
    redisPort: Number(redisLine['redisPort']),
    httpPort: Number(httpLine['port']),
    output,
    exited,
  };
}

function startNpm(env: NodeJS.ProcessEnv, args: string[] = [], stdin: 'ignore' | 'pipe' = 'ignore'): Promise<Started> {
  return startAsSupervisor('npm', ['start', '--silent', ...(args.length > 0 ? ['--', ...args] : [])], env, stdin);
}

/** The first JSON log line with this message, or null. */
function logLine(output: string, message: string): Record<string, unknown> | null {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{') || !line.includes(`"msg":"${message}"`)) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // A line cut in half by a chunk boundary; the next poll sees it whole.
    }
  }
  return null;
}

/** Whether `pid` runs: a zombie has exited; only its parent's bookkeeping remains. */
function processExists(pid: number): boolean {
  return processState(pid) === 'running';
}

/**
 * Pids of processes working in the data directory: redis-server runs in its `--dir` (it rewrites
 * its command line, so the directory is not found there).
 */
function processesUsing(dataDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dataDir && processExists(Number(entry))) found.push(Number(entry));
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function signalGroup(pid: number, name: NodeJS.Signals): void {
  signal(-pid, name);
}

/** Resolves true when nothing listens on the port any more. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Nothing of this run is left: node and redis-server gone, the HTTP port free, and taskwatch said it stopped. */
async function expectNothingLeft(started: Started, dataDir: string): Promise<void> {
  await waitFor('taskwatch and its redis-server gone', () => !processExists(started.nodePid) && !processExists(started.redisPid), STOP_BUDGET_MS);
  expect(processesUsing(dataDir)).toEqual([]);
  expect(await portIsFree(started.httpPort)).toBe(true);
  expect(await portIsFree(started.redisPort)).toBe(true);
  expect(logLine(started.output(), 'stopped')).not.toBeNull();
  expect(started.output()).not.toMatch(/at .+\.js:\d+:\d+/); // no stack traces
}

describe('npm start under a supervisor', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('given %s sent to the npm process, then it exits 0 within 15 s and leaves nothing running', async (name) => {
    const dataDir = newDataDir();
    const started = await startNpm(baseEnvironment(dataDir));
    expect(started.nodePid).not.toBe(started.child.pid);

    signal(started.child.pid as number, name);
    const exit = await within(started.exited, STOP_BUDGET_MS, `the stop after ${name}`);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(logLine(started.output(), 'stopping')).toMatchObject({ reason: name });
    await expectNothingLeft(started, dataDir);
  }, 60_000);

  it('given SIGHUP sent to the npm process only, then taskwatch notices npm is gone and stops cleanly', async () => {
    // npm does not forward SIGHUP and dies of it (that exit is npm's own); taskwatch must not run on as an orphan.
    const dataDir = newDataDir();
    const started = await startNpm(baseEnvironment(dataDir));

    signal(started.child.pid as number, 'SIGHUP');
    const exit = await within(started.exited, STOP_BUDGET_MS, 'npm after SIGHUP');

    expect(exit.signal).toBe('SIGHUP');
    await expectNothingLeft(started, dataDir);
    expect(logLine(started.output(), 'stopping')).toMatchObject({ reason: 'parent exited' });
  }, 60_000);

  it('given SIGHUP sent to the whole process group, as when its terminal closes, then taskwatch stops cleanly', async () => {
    const dataDir = newDataDir();
    const started = await startNpm(baseEnvironment(dataDir));

    signalGroup(started.child.pid as number, 'SIGHUP');
    await within(started.exited, STOP_BUDGET_MS, 'npm after SIGHUP');

    await expectNothingLeft(started, dataDir);
    expect(logLine(started.output(), 'stopping')).toMatchObject({ reason: 'SIGHUP' });
  }, 60_000);

  describe('given a stop held up by a cloud call that hangs', () => {
    let hangingCloud: Server;
    const held: Socket[] = [];

    beforeAll(async () => {
      // Accepts every connection and never answers, like a cloud API behind a dead proxy.
      hangingCloud = createServer((socket) => {
        held.push(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => hangingCloud.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      for (const socket of held.splice(0)) socket.destroy();
      await new Promise<void>((resolve) => hangingCloud.close(() => resolve()));
    });

    it('when a second SIGTERM arrives during the stop, then it exits 0 at once and still stops redis-server', async () => {
      const address = hangingCloud.address();
      const cloudPort = typeof address === 'object' && address !== null ? address.port : 0;
      const dataDir = newDataDir();
      const env = baseEnvironment(dataDir, {
        TENCENTCLOUD_SECRET_ID: 'AKIDsignalstest0000000000000000000000',
        TENCENTCLOUD_SECRET_KEY: 'signals-test-secret-key-00000000',
        TENCENTCLOUD_ENDPOINT: `http://127.0.0.1:${cloudPort}`,
        TENCENTCLOUD_REGION: 'ap-guangzhou',
        PROVIDER_TIMEOUT_MS: '60000',
      });
      // The terminal chat on a pipe (not a terminal), so that a watch can be typed in.
      const started = await startNpm(env, ['--shell'], 'pipe');
      await waitFor('the chat prompt', () => started.output().includes('you> '), 30_000);
      started.child.stdin?.write('/task-status watch redis 18215\n');
      // The first call is the check before the card, which gives up after a few seconds (the
      // card then says the cloud did not answer); the second is the worker's first poll.
      await waitFor('a poll in flight', () => held.length > 1, 30_000);

      signal(started.child.pid as number, 'SIGTERM');
      await waitFor('the graceful stop to begin', () => logLine(started.output(), 'stopping'), 10_000);
      // The worker now waits for the hung call: the graceful stop cannot finish on its own soon.
      expect(logLine(started.output(), 'stopped')).toBeNull();

      signal(started.child.pid as number, 'SIGTERM');
      const exit = await within(started.exited, STOP_BUDGET_MS, 'the stop after a second SIGTERM');

      expect(exit).toEqual({ code: 0, signal: null });
      expect(logLine(started.output(), 'stopping now')).toMatchObject({ reason: 'SIGTERM' });
      await expectNothingLeft(started, dataDir);
    }, 90_000);
  });
});

describe('a taskwatch killed with SIGKILL', () => {
  it('given its orphaned redis-server still running on the data directory, then the next start shuts it down and keeps the data', async () => {
    const dataDir = newDataDir();
    const env = baseEnvironment(dataDir);
    const first = await startAsSupervisor(process.execPath, [path.join(ROOT, 'bin', 'taskwatch.js'), 'start'], env);
    expect(await sendRedisCommand('127.0.0.1', first.redisPort, ['SET', 'signals-test-probe', 'kept'], 2000)).toBe('+OK\r\n');

    signal(first.nodePid, 'SIGKILL');
    await within(first.exited, STOP_BUDGET_MS, 'the SIGKILLed process');
    // The server outlives its owner: nothing ran to stop it.
    expect(processExists(first.redisPid)).toBe(true);

    const second = await startAsSupervisor(process.execPath, [path.join(ROOT, 'bin', 'taskwatch.js'), 'start'], env);
    expect(logLine(second.output(), 'shut down the redis-server that a killed taskwatch left running on the data directory')).toMatchObject({
      orphanPid: first.redisPid,
    });
    expect(processExists(first.redisPid)).toBe(false);
    expect(second.redisPid).not.toBe(first.redisPid);
    expect(await sendRedisCommand('127.0.0.1', second.redisPort, ['GET', 'signals-test-probe'], 2000)).toBe('$4\r\nkept\r\n');

    signal(second.nodePid, 'SIGTERM');
    expect(await within(second.exited, STOP_BUDGET_MS, 'the stop')).toEqual({ code: 0, signal: null });
    await expectNothingLeft(second, dataDir);
  }, 90_000);

  it('given the data directory owned by a taskwatch that is still running, then a second start is refused and the first keeps its redis-server', async () => {
    const dataDir = newDataDir();
    const env = baseEnvironment(dataDir);
    const first = await startAsSupervisor(process.execPath, [path.join(ROOT, 'bin', 'taskwatch.js'), 'start'], env);

    const second = spawn(process.execPath, [path.join(ROOT, 'bin', 'taskwatch.js'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(second);
    let secondOutput = '';
    second.stderr?.on('data', (chunk: Buffer) => (secondOutput += chunk.toString('utf8')));
    const secondExit = await within(
      new Promise<number | null>((resolve) => second.once('exit', (code) => resolve(code))),
      STOP_BUDGET_MS,
      'the refused start',
    );

    expect(secondExit).toBe(1);
    expect(secondOutput).toContain(`another taskwatch (pid ${first.nodePid}) is running`);
    expect(processExists(first.redisPid)).toBe(true);
    expect(await sendRedisCommand('127.0.0.1', first.redisPort, ['PING'], 2000)).toBe('+PONG\r\n');

    signal(first.nodePid, 'SIGTERM');
    expect(await within(first.exited, STOP_BUDGET_MS, 'the stop')).toEqual({ code: 0, signal: null });
    await expectNothingLeft(first, dataDir);
  }, 90_000);
});
