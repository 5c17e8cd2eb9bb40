/**
 * A real Redis per test file: a child `redis-server` on a free loopback port with a fresh
 * temporary data directory, so that tests never share state and BullMQ's Lua runs for real.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRedis, type LocalRedis } from '../../src/runtime/local-redis';

/** Options of `startTestRedis`. */
export interface TestRedisOptions {
  /** Keep an append-only file so that `restart()` finds the data again. Default true. */
  appendOnly?: boolean;
  /** fsync policy of the append-only file. Default `everysec`. */
  appendFsync?: 'always' | 'everysec' | 'no';
}

/** A Redis server owned by one test file. */
export interface TestRedis {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** ioredis / BullMQ connection options; workers need `maxRetriesPerRequest: null`. */
  readonly connection: { host: string; port: number; maxRetriesPerRequest: null };
  readonly dataDir: string;
  /** Pid of the current server process (changes on `restart`). */
  readonly pid: number;
  /** Stops the server and removes its data directory. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILLs the server without waiting, to simulate a crash. */
  kill(): void;
  /**
   * Starts the server again on the same port and data directory, e.g. after `kill()`. A server
   * that is still running is first killed and awaited, as a crash would.
   */
  restart(): Promise<void>;
}

/** Starts a fresh Redis for a test; call `stop()` in afterAll/afterEach. */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const dataDir = mkdtempSync(join(tmpdir(), 'taskwatch-redis-'));
  const appendOnly = options.appendOnly ?? true;
  const start = (port: number): Promise<LocalRedis> =>
    startLocalRedis({ dataDir, appendOnly, appendFsync: options.appendFsync, port });
  let current: LocalRedis;
  try {
    current = await start(0);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const port = current.port;
  let stopped = false;

  return {
    url: current.url,
    port,
    connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
    dataDir,
    get pid() {
      return current.pid;
    },
    kill: () => current.kill('SIGKILL'),
    restart: async () => {
      if (stopped) throw new Error('this test Redis was stopped; start a new one');
      current.kill('SIGKILL');
      await current.exited();
      current = await start(port);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await current.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A queue name no other test uses. BullMQ job and queue names must not contain `:`, so any
 * in `prefix` become `-`.
 */
export function uniqueQueueName(prefix: string): string {
  return `${prefix.replace(/:/g, '-')}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
