import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformFileSync } from '@swc/core';
import Redis from 'ioredis';
import { findRedisServer, RedisServerMissingError, startLocalRedis, type LocalRedis } from '../../../src/runtime/local-redis';
import { startTestRedis, uniqueQueueName, type TestRedis } from '../../support/redis';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function connectRaw(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe('startLocalRedis', () => {
  const started: LocalRedis[] = [];
  const directories: string[] = [];

  function freshDirectory(): string {
    const directory = mkdtempSync(join(tmpdir(), 'taskwatch-local-redis-'));
    directories.push(directory);
    return directory;
  }

  afterEach(async () => {
    for (const redis of started.splice(0)) await redis.stop();
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it('given redis-server is installed, then findRedisServer returns an absolute path to it', () => {
    const path = findRedisServer();
    expect(path).not.toBeNull();
    expect(path).toMatch(/^\/.*redis-server$/);
  });

  it('given the binary is missing and installing is not allowed, then the error message is the one install command', async () => {
    const attempt = startLocalRedis({ dataDir: freshDirectory(), binaryPath: '/nonexistent/redis-server', installIfMissing: false });
    await expect(attempt).rejects.toBeInstanceOf(RedisServerMissingError);
    await expect(attempt).rejects.toThrow(/^sudo apt-get install -y redis-server$/);
  });

  it('given port 0, then it listens on a free loopback port and answers PING', async () => {
    const lines: string[] = [];
    const redis = await startLocalRedis({ dataDir: freshDirectory(), log: (line) => lines.push(line) });
    started.push(redis);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).toBeGreaterThan(0);
    expect(await withClient(redis.url, (client) => client.ping())).toBe('PONG');
    expect(lines.some((line) => /Ready to accept connections/i.test(line))).toBe(true);
  });

  it('given append-only data and a SIGKILL, then a restart on the same directory finds the data', async () => {
    const dataDir = freshDirectory();
    const first = await startLocalRedis({ dataDir, appendFsync: 'always' });
    started.push(first);
    await withClient(first.url, (client) => client.set('survivor', 'still here'));
    first.kill('SIGKILL');
    await first.exited();
    expect(isAlive(first.pid)).toBe(false);

    const second = await startLocalRedis({ dataDir, port: first.port });
    started.push(second);
    expect(second.pid).not.toBe(first.pid);
    expect(await withClient(second.url, (client) => client.get('survivor'))).toBe('still here');
  });

  it('given append-only off, then a restart starts empty', async () => {
    const dataDir = freshDirectory();
    const first = await startLocalRedis({ dataDir, appendOnly: false });
    started.push(first);
    await withClient(first.url, (client) => client.set('ephemeral', 'gone soon'));
    await first.stop();
    const second = await startLocalRedis({ dataDir, appendOnly: false });
    started.push(second);
    expect(await withClient(second.url, (client) => client.get('ephemeral'))).toBeNull();
  });

  it('given a running server, then stop leaves no process behind and is idempotent', async () => {
    const redis = await startLocalRedis({ dataDir: freshDirectory() });
    expect(isAlive(redis.pid)).toBe(true);
    await redis.stop();
    expect(isAlive(redis.pid)).toBe(false);
    await expect(redis.stop()).resolves.toBeUndefined();
    await expect(connectRaw(redis.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('given a port that is already taken, then it fails with the server output instead of hanging', async () => {
    const holder = await startLocalRedis({ dataDir: freshDirectory(), appendOnly: false });
    started.push(holder);
    await expect(startLocalRedis({ dataDir: freshDirectory(), appendOnly: false, port: holder.port, readyTimeoutMs: 5000 })).rejects.toThrow(
      /in use/i,
    );
    expect(await withClient(holder.url, (client) => client.ping())).toBe('PONG');
  });
});

describe('startTestRedis', () => {
  let redis: TestRedis | null = null;

  afterEach(async () => {
    await redis?.stop();
    redis = null;
  });

  it('given a crash and restart, then the same port and data directory serve the same data', async () => {
    redis = await startTestRedis({ appendFsync: 'always' });
    const { port, dataDir } = redis;
    const firstPid = redis.pid;
    await withClient(redis.url, (client) => client.rpush('jobs', 'a', 'b'));
    redis.kill();
    await redis.restart();
    expect(redis.port).toBe(port);
    expect(redis.dataDir).toBe(dataDir);
    expect(redis.pid).not.toBe(firstPid);
    expect(isAlive(firstPid)).toBe(false);
    expect(await withClient(redis.url, (client) => client.lrange('jobs', 0, -1))).toEqual(['a', 'b']);
  });

  it('given stop, then the server is gone and its data directory removed', async () => {
    redis = await startTestRedis();
    const { pid, dataDir } = redis;
    expect(redis.connection).toEqual({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null });
    await redis.stop();
    expect(isAlive(pid)).toBe(false);
    expect(() => mkdtempSync(join(dataDir, 'x'))).toThrow();
  });

  it('given two calls, then uniqueQueueName gives different names without colons', () => {
    const first = uniqueQueueName('watch:poll');
    const second = uniqueQueueName('watch:poll');
    expect(first).not.toBe(second);
    expect(first).not.toContain(':');
    expect(first.startsWith('watch-poll-')).toBe(true);
  });
});

describe('startLocalRedis in a parent process that exits', () => {
  const directory = mkdtempSync(join(tmpdir(), 'taskwatch-parent-exit-'));

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('given the parent exits without stopping it, then the redis-server child is gone too', async () => {
    // The module uses only Node built-ins, so one transpiled file runs on its own in a child node.
    const { code } = transformFileSync(join(__dirname, '../../../src/runtime/local-redis.ts'), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    writeFileSync(join(directory, 'local-redis.js'), code);
    const script = [
      "const { startLocalRedis } = require('./local-redis.js');",
      `startLocalRedis({ dataDir: ${JSON.stringify(join(directory, 'data'))} }).then((redis) => {`,
      '  process.stdout.write(String(redis.pid) + "\\n");',
      '  process.exit(0);',
      '});',
    ].join('\n');
    writeFileSync(join(directory, 'parent.js'), script);
    const parent = spawnSync(process.execPath, ['parent.js'], { cwd: directory, encoding: 'utf8', timeout: 15_000 });
    expect(parent.status).toBe(0);
    const pid = Number(parent.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    // SIGKILL is delivered at once, but the zombie is reaped by init; wait (bounded) for it to vanish.
    const deadline = Date.now() + 5000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(isAlive(pid)).toBe(false);
  });
});
