/**
 * The child redis-server of a data directory, as `taskwatch start` runs it when no `REDIS_URL`
 * is set. A file in the directory names the taskwatch process that owns it and the server it
 * started, so that a later start can tell an orphan from a live owner:
 *
 * - If the owner died by SIGKILL (or the machine's OOM killer), its redis-server kept running,
 *   holding the append-only file. The next start shuts that server down (SHUTDOWN flushes the
 *   append-only file, so nothing written is lost) and starts its own on the same data.
 * - If the owner is still running, a second taskwatch on the same data would corrupt it, so the
 *   start is refused with what to do.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendRedisCommand, startLocalRedis, type LocalRedis, type LocalRedisOptions } from './local-redis';

/** The file in the data directory that records who owns it. */
export const OWNER_FILE = 'taskwatch-redis.json';

const EXIT_WAIT_MS = 5000;
const KILL_WAIT_MS = 2000;

/** What the owner file holds. */
interface OwnerRecord {
  readonly ownerPid: number;
  readonly redisPid: number;
  readonly host: string;
  readonly port: number;
}

/** Thrown when another live taskwatch process owns the data directory. */
export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';

  constructor(dataDir: string, record: OwnerRecord) {
    super(
      `another taskwatch (pid ${record.ownerPid}) is running with its redis-server (pid ${record.redisPid}) on ${dataDir}; ` +
        'stop it first, or set TASKWATCH_DATA_DIR to another folder',
    );
    this.name = 'DataDirInUseError';
  }
}

/** A started data-directory server, and the orphan it replaced, if any. */
export interface DataDirRedis {
  readonly redis: LocalRedis;
  /** Pid of the orphaned redis-server that was shut down first, or null. */
  readonly replacedOrphanPid: number | null;
}

/**
 * Starts the data directory's redis-server for the process `ownerPid` (normally `process.pid`),
 * replacing an orphan left by an owner that died. Its `stop()` also releases the directory.
 */
export async function startDataDirRedis(options: LocalRedisOptions & { readonly ownerPid: number }): Promise<DataDirRedis> {
  const ownerFile = join(options.dataDir, OWNER_FILE);
  const previous = readOwnerRecord(ownerFile);
  let replacedOrphanPid: number | null = null;
  if (previous !== null && isRedisServer(previous.redisPid)) {
    // A pid can be reused; in a container the new owner may even get the old one's pid.
    const ownerAlive = previous.ownerPid !== options.ownerPid && processState(previous.ownerPid) === 'running';
    if (ownerAlive) throw new DataDirInUseError(options.dataDir, previous);
    await shutDownOrphan(previous);
    replacedOrphanPid = previous.redisPid;
  }

  const redis = await startLocalRedis(options);
  const record: OwnerRecord = { ownerPid: options.ownerPid, redisPid: redis.pid, host: redis.host, port: redis.port };
  writeFileSync(ownerFile, `${JSON.stringify(record)}\n`);
  let stopping: Promise<void> | null = null;
  const stop = async (): Promise<void> => {
    await redis.stop();
    // Only our own record is removed: a later owner may already have written its own.
    if (readOwnerRecord(ownerFile)?.redisPid === redis.pid) rmSync(ownerFile, { force: true });
  };
  return {
    redis: {
      ...redis,
      stop: () => {
        stopping ??= stop();
        return stopping;
      },
    },
    replacedOrphanPid,
  };
}

function readOwnerRecord(path: string): OwnerRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  const record = parsed as Partial<OwnerRecord> | null;
  const isPid = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
  if (record === null || !isPid(record.ownerPid) || !isPid(record.redisPid) || !isPid(record.port) || typeof record.host !== 'string') {
    return null;
  }
  return { ownerPid: record.ownerPid, redisPid: record.redisPid, host: record.host, port: record.port };
}

/**
 * Whether a process runs, is a zombie waiting to be reaped (as good as gone), or is gone. A
 * process that exists but is not ours to signal runs; without `/proc`, a process that answers
 * signal 0 runs. Tests that watch taskwatch's child processes use it too.
 */
export function processState(pid: number): 'running' | 'zombie' | 'gone' {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'running' : 'gone';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? 'zombie' : 'running';
  } catch {
    return 'running';
  }
}

function isRedisServer(pid: number): boolean {
  if (processState(pid) !== 'running') return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
}

/** SHUTDOWN (which flushes the append-only file), then SIGTERM, then SIGKILL, each bounded. */
async function shutDownOrphan(record: OwnerRecord): Promise<void> {
  const info = await sendRedisCommand(record.host, record.port, ['INFO', 'server'], 1000).catch(() => '');
  const answeringPid = /^process_id:(\d+)/m.exec(info)?.[1];
  if (answeringPid !== undefined && Number(answeringPid) === record.redisPid) {
    await sendRedisCommand(record.host, record.port, ['SHUTDOWN'], 1000).catch(() => '');
    if (await waitUntilGone(record.redisPid, EXIT_WAIT_MS)) return;
  }
  signal(record.redisPid, 'SIGTERM');
  if (await waitUntilGone(record.redisPid, EXIT_WAIT_MS)) return;
  signal(record.redisPid, 'SIGKILL');
  if (!(await waitUntilGone(record.redisPid, KILL_WAIT_MS))) {
    throw new Error(`the orphaned redis-server (pid ${record.redisPid}) did not exit; stop it by hand`);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (processState(pid) !== 'running') return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return processState(pid) !== 'running';
}
