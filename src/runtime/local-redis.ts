/**
 * A `redis-server` run as a child process, for the default run (`npm start` with no `REDIS_URL`)
 * and for integration tests. No embedded Redis works offline and BullMQ needs real Lua, so we
 * spawn Debian's binary ourselves, wait until it answers PING, and stop it by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { isAbsolute, join } from 'node:path';

/** The one command that installs the binary on Debian, shown when it is missing. */
export const REDIS_INSTALL_COMMAND = 'sudo apt-get install -y redis-server';

/** How `startLocalRedis` runs the server. */
export interface LocalRedisOptions {
  /** Directory for the append-only file; created if missing. */
  dataDir: string;
  /** Keep an append-only file so that data survives a restart. Default true. */
  appendOnly?: boolean;
  /**
   * How often the append-only file is fsynced. Default `everysec`, Redis's own default; data
   * already written survives a crash of the process either way, only a crash of the machine differs.
   */
  appendFsync?: 'always' | 'everysec' | 'no';
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** When the binary is missing and we run as root with apt-get, install Debian's `redis-server`. */
  installIfMissing?: boolean;
  /** Receives each line the server (or apt-get) prints. */
  log?: (line: string) => void;
  /** Use this binary instead of searching for one; if it is not executable, it counts as missing. */
  binaryPath?: string;
  /** How long to wait for the server to be ready. Default 10 s. */
  readyTimeoutMs?: number;
}

/** A running child `redis-server`. */
export interface LocalRedis {
  /** Connection URL, `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly pid: number;
  /** Asks the server to SHUTDOWN and waits for it to exit; SIGKILL after a bounded wait. Idempotent. */
  stop(): Promise<void>;
  /** Sends a signal (default SIGKILL) without waiting, e.g. to simulate a crash. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves once the process has exited (immediately if it already has). */
  exited(): Promise<void>;
}

/** Thrown when `redis-server` is missing and cannot be installed here; `message` is the install command. */
export class RedisServerMissingError extends Error {
  readonly code = 'REDIS_SERVER_MISSING';
  readonly installCommand = REDIS_INSTALL_COMMAND;

  constructor() {
    super(REDIS_INSTALL_COMMAND);
    this.name = 'RedisServerMissingError';
  }
}

const STANDARD_DIRECTORIES = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/bin', '/sbin'];
const PORT_ATTEMPTS = 5;
const STOP_GRACE_MS = 5000;
const KILL_GRACE_MS = 2000;
const INSTALL_TIMEOUT_MS = 10 * 60 * 1000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findExecutable(name: string): string | null {
  // The shell resolves the name on the PATH we inherited, so this module never reads process.env.
  const lookup = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8', timeout: 5000 });
  const found = typeof lookup.stdout === 'string' ? lookup.stdout.trim() : '';
  if (lookup.status === 0 && isAbsolute(found) && isExecutable(found)) return found;
  // A service account's PATH may be minimal; Debian puts the binary in /usr/bin.
  for (const directory of STANDARD_DIRECTORIES) {
    const candidate = join(directory, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/**
 * Where `redis-server` lives: the first match on this process's PATH, then the standard system
 * directories. Null when it is not installed.
 */
export function findRedisServer(): string | null {
  return findExecutable('redis-server');
}

/** Starts a child `redis-server` and resolves once it answers (as itself, not a server that already held the port). */
export async function startLocalRedis(options: LocalRedisOptions): Promise<LocalRedis> {
  const log = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const locate = (): string | null =>
    options.binaryPath !== undefined ? (isExecutable(options.binaryPath) ? options.binaryPath : null) : findRedisServer();
  let binary = locate();
  if (binary === null) {
    if (options.installIfMissing === true && canInstallWithApt()) {
      try {
        await installRedisServer(log);
      } catch (error) {
        log(`installing redis-server failed: ${(error as Error).message}`);
      }
      binary = locate();
    }
    if (binary === null) throw new RedisServerMissingError();
  }
  mkdirSync(options.dataDir, { recursive: true });

  const fixedPort = options.port !== undefined && options.port !== 0 ? options.port : null;
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < (fixedPort === null ? PORT_ATTEMPTS : 1); attempt += 1) {
    const port = fixedPort ?? (await pickFreePort(host));
    try {
      return await launch(binary, { ...options, host, port, log });
    } catch (error) {
      lastError = error as Error;
      // Another process can take the port between our probe and the server's bind; pick again.
      if (!(error instanceof PortInUseError)) throw error;
    }
  }
  throw lastError ?? new Error('redis-server did not start');
}

class PortInUseError extends Error {}

interface LaunchSettings extends LocalRedisOptions {
  host: string;
  port: number;
  log: (line: string) => void;
}

async function launch(binary: string, settings: LaunchSettings): Promise<LocalRedis> {
  const appendOnly = settings.appendOnly ?? true;
  const args = [
    '--bind', settings.host,
    '--port', String(settings.port),
    '--save', '',
    '--appendonly', appendOnly ? 'yes' : 'no',
    '--appendfsync', settings.appendFsync ?? 'everysec',
    '--dir', settings.dataDir,
    '--protected-mode', 'yes',
    '--daemonize', 'no',
  ];
  // Its own process group: Ctrl-C in a terminal must reach only us, so that shutdown can drain
  // jobs while Redis is still up and then stop Redis last.
  //
  // Through `env -u`: redis-server aborts under libfaketime ("unexpected recursive calls to
  // clock_gettime()" in jemalloc), so a test run with a shifted clock (`faketime -f +400d npm test`)
  // must start it without the preload. Redis then keeps real time while node's clock moves; `env`
  // execs the server, so the pid is the server's. This module never reads process.env itself.
  const child = spawn('env', ['-u', 'LD_PRELOAD', '-u', 'FAKETIME', binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const recentOutput: string[] = [];
  const onLine = (line: string): void => {
    recentOutput.push(line);
    if (recentOutput.length > 20) recentOutput.shift();
    settings.log(line);
  };
  forwardLines(child.stdout, onLine);
  forwardLines(child.stderr, onLine);

  const exitPromise = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  // 'close' comes after the output streams end, so the last lines are in `recentOutput` by then.
  const closePromise = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  // The child must not outlive us; 'exit' handlers run synchronously, and kill is synchronous.
  const killOnParentExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnParentExit);
  void exitPromise.then(() => process.removeListener('exit', killOnParentExit));

  const failure = await Promise.race([
    waitForReady(settings.host, settings.port, child.pid ?? -1, settings.readyTimeoutMs ?? 10_000, () => child.exitCode !== null || child.signalCode !== null).then(
      () => null,
      (error: Error) => error,
    ),
    exitPromise.then(() => new Error('exited')),
    spawnError,
  ]);
  if (failure !== null) {
    killOnParentExit();
    await withTimeout(closePromise, KILL_GRACE_MS);
    const output = recentOutput.join('\n');
    if (/address already in use/i.test(output)) throw new PortInUseError(`port ${settings.port} is in use`);
    throw new Error(`redis-server did not start on ${settings.host}:${settings.port} (${failure.message}). Last output:\n${output}`);
  }

  const pid = child.pid;
  if (pid === undefined) throw new Error('redis-server started without a pid');
  let stopping: Promise<void> | null = null;
  return {
    url: `redis://${settings.host}:${settings.port}`,
    port: settings.port,
    host: settings.host,
    pid,
    exited: () => exitPromise,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stop: () => {
      stopping ??= stopChild(child, settings.host, settings.port, exitPromise);
      return stopping;
    },
  };
}

async function stopChild(child: ChildProcess, host: string, port: number, exitPromise: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    // SHUTDOWN flushes the append-only file; the server closes the connection instead of replying.
    await sendRedisCommand(host, port, ['SHUTDOWN'], 1000);
  } catch {
    child.kill('SIGTERM');
  }
  if (await withTimeout(exitPromise, STOP_GRACE_MS)) return;
  child.kill('SIGKILL');
  if (!(await withTimeout(exitPromise, KILL_GRACE_MS))) {
    throw new Error(`redis-server (pid ${String(child.pid)}) did not exit after SIGKILL`);
  }
}

/** Resolves true if `promise` settles within `ms`, false otherwise. */
async function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line.trimEnd());
  });
  stream.on('end', () => {
    if (pending.trim() !== '') onLine(pending.trimEnd());
    pending = '';
  });
}

/** Asks the kernel for a free port by listening on 0, then releases it for the server. */
function pickFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port === 0 ? reject(new Error('could not pick a free port')) : resolve(port)));
    });
  });
}

/**
 * Polls until the server is ours and ready. A PONG alone is not enough: if another server already
 * holds the port, it would answer while ours fails to bind. So we read INFO and require our pid
 * and `loading:0` (it answers LOADING while replaying its append-only file).
 */
async function waitForReady(host: string, port: number, pid: number, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastReply = 'no answer';
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('exited');
    let reply: string | null = null;
    try {
      reply = await sendRedisCommand(host, port, ['INFO', 'default'], 500);
    } catch (error) {
      lastReply = (error as Error).message;
    }
    if (reply !== null) {
      const processId = /^process_id:(\d+)/m.exec(reply)?.[1];
      if (processId !== undefined && Number(processId) !== pid) {
        lastReply = `port ${port} is in use by another redis-server (pid ${processId})`;
        // Ours will fail to bind and exit; give it a moment so the caller sees its own output.
        if (await waitUntil(hasExited, 1000)) throw new Error(lastReply);
      } else if (processId !== undefined && /^loading:0/m.test(reply)) {
        return;
      } else {
        lastReply = reply.split('\r\n')[0] ?? reply;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not ready within ${timeoutMs} ms: ${lastReply}`);
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

/** Length of the first complete RESP reply in `text`, or -1 if it is not complete yet. */
function completeReplyLength(text: string): number {
  const lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) return -1;
  if (text[0] !== '$') return lineEnd + 2;
  const length = Number(text.slice(1, lineEnd));
  if (length < 0) return lineEnd + 2;
  const total = lineEnd + 2 + length + 2;
  return Buffer.byteLength(text) >= total ? total : -1;
}

/** Sends one RESP command and resolves with its reply (or '' if the server closes first). */
export function sendRedisCommand(host: string, port: number, words: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let reply = '';
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error === null) resolve(reply);
      else reject(error);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error('timed out')));
    socket.on('connect', () => {
      const encoded = words.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join('');
      socket.write(`*${words.length}\r\n${encoded}`);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (completeReplyLength(reply) >= 0) finish(null);
    });
    socket.on('end', () => finish(null));
    socket.on('close', () => finish(null));
    socket.on('error', (error) => finish(error));
  });
}

function canInstallWithApt(): boolean {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot && findExecutable('apt-get') !== null;
}

async function installRedisServer(log: (line: string) => void): Promise<void> {
  log('redis-server is missing; installing Debian\'s redis-server with apt-get');
  await runLogged('apt-get', ['update'], log);
  // `env` sets a non-interactive frontend without this module touching process.env.
  await runLogged('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'redis-server'], log);
}

function runLogged(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    forwardLines(child.stdout, log);
    forwardLines(child.stderr, log);
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${String(code)}`})`));
    });
  });
}
