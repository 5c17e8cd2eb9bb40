/**
 * `taskwatch status` end to end: argument handling, output formats and exit codes, with the
 * real providers talking to the cloud sandbox over loopback.
 */
import { PassThrough } from 'node:stream';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runStatusCommand } from '../../../src/cli/status-command';
import { TASK_KINDS } from '../../../src/providers/types';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { SANDBOX_DEMO_CREDENTIALS, type SandboxCredential } from '../../../src/sandbox/types';
import { ManualClock, type Clock } from '../../../src/util/clock';

const TENCENT = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'tencent') as SandboxCredential;
const ALIBABA = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'alibaba') as SandboxCredential;

/** A clock that moves forward every time it is read, so a task progresses between polls. */
class SteppingClock implements Clock {
  private current = Date.UTC(2026, 10, 23, 12, 0, 0);
  constructor(private readonly stepMs: number) {}
  now(): number {
    this.current += this.stepMs;
    return this.current;
  }
}

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function run(argv: string[], env: Record<string, string | undefined>): Promise<Run> {
  const out = new PassThrough();
  const err = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => outChunks.push(chunk));
  err.on('data', (chunk: Buffer) => errChunks.push(chunk));
  const code = await runStatusCommand(argv, { out, err, env, pollIntervalMs: { first: 5, max: 20 } });
  return { code, out: Buffer.concat(outChunks).toString('utf8'), err: Buffer.concat(errChunks).toString('utf8') };
}

function environmentFor(sandbox: CloudSandbox, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    TENCENTCLOUD_SECRET_ID: TENCENT.id,
    TENCENTCLOUD_SECRET_KEY: TENCENT.secret,
    TENCENTCLOUD_REGION: 'ap-guangzhou',
    TENCENTCLOUD_ENDPOINT: sandbox.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ALIBABA.id,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ALIBABA.secret,
    ALIBABA_CLOUD_DCDN_ENDPOINT: sandbox.url,
    ...overrides,
  };
}

function expectNoSecrets(result: Run): void {
  for (const secret of [TENCENT.secret, ALIBABA.secret, ALIBABA.id, 'Signature=']) {
    expect(result.out).not.toContain(secret);
    expect(result.err).not.toContain(secret);
  }
}

describe('taskwatch status against the sandbox', () => {
  let sandbox: CloudSandbox;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock();
    sandbox = await CloudSandbox.start({ clock });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('given a finished multi-URL CDN prefetch, then it prints state, raw status and each URL, and exits 0', async () => {
    const id = sandbox.addTask({
      kind: 'cdn',
      items: [
        { name: 'http://www.example.com/a.png', steps: [{ afterMs: 0, status: 'done', percent: 100 }] },
        { name: 'http://www.example.com/b.png', steps: [{ afterMs: 0, status: 'done', percent: 100 }] },
      ],
    });
    const result = await run(['cdn', id], environmentFor(sandbox));
    expect(result.code).toBe(0);
    expect(result.out).toContain(`cdn ${id}: succeeded (done)`);
    expect(result.out).toContain('http://www.example.com/b.png');
    expectNoSecrets(result);
  });

  it('given --json, then each task is one JSON line with the contract fields', async () => {
    const first = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/x', steps: [{ afterMs: 0, status: 'Refreshing', percent: 40 }] }] });
    const second = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/y', steps: [{ afterMs: 0, status: 'Failed', percent: 0 }] }] });
    const result = await run(['refresh', `${first},${second}`, '--json'], environmentFor(sandbox));
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ kind: 'dcdn', id: first, state: 'running', rawStatus: 'Refreshing', progress: 40, terminal: false });
    expect(lines[1]).toMatchObject({ kind: 'dcdn', id: second, state: 'failed', rawStatus: 'Failed', terminal: true });
    for (const line of lines) expect(Object.keys(line)).toEqual(expect.arrayContaining(['kind', 'id', 'state', 'rawStatus', 'progress', 'message', 'terminal']));
  });

  it('given --json, then message and item messages carry the same words as before statuses carried facts, and no facts leak in', async () => {
    const failed = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/z', steps: [{ afterMs: 0, status: 'Failed', percent: 0, message: 'origin timeout' }] }] });
    const result = await run(['refresh', `${failed},17772470999`, '--json'], environmentFor(sandbox));
    const lines = result.out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ message: 'Failed for 1 of 1 object: origin timeout.', items: [{ name: 'http://example.com/z', state: 'failed', rawStatus: 'Failed', progress: 0, message: 'origin timeout' }] });
    expect(lines[1]).toMatchObject({ found: false, message: 'DCDN task 17772470999: not found, or older than 3 days (DCDN keeps only the last 3 days).' });
    // The same fields in the same order as ever: the words, not the facts they are made of.
    const fields = ['kind', 'id', 'account', 'region', 'found', 'state', 'terminal', 'rawStatus', 'progress', 'message', 'items', 'createdAt', 'updatedAt', 'requestId', 'observedAt'];
    expect(Object.keys(lines[1] ?? {})).toEqual(fields);
    expect(Object.keys(lines[0] ?? {})).toEqual([...fields, 'subtype']);
    expect(result.out).not.toMatch(/"(summary|note|fact)"/);
  });

  it('given an unknown Redis task, then it says not found and exits 1', async () => {
    const result = await run(['redis', '99999'], environmentFor(sandbox));
    expect(result.code).toBe(1);
    expect(result.out).toContain('not found');
  });

  it('given a wrong secret, then it says the credentials were refused, exits 2 and prints no secret', async () => {
    const result = await run(['dts', 'cafebabe-0000'], environmentFor(sandbox, { TENCENTCLOUD_SECRET_KEY: 'wrong-secret-value-123456' }));
    expect(result.code).toBe(2);
    expect(result.err.toLowerCase()).toContain('credentials');
    expect(result.err).not.toContain('wrong-secret-value-123456');
    expectNoSecrets(result);
  });
});

describe('taskwatch status --wait', () => {
  let sandbox: CloudSandbox;

  beforeEach(async () => {
    // Each read of the clock moves it 10 s, so the task moves on between polls.
    sandbox = await CloudSandbox.start({ clock: new SteppingClock(10_000) });
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  it('given a DTS job that runs and then succeeds, then it prints each change and exits 0', async () => {
    const id = sandbox.addTask({
      kind: 'dts',
      steps: [
        { afterMs: 0, status: 'running' },
        { afterMs: 60_000, status: 'success', message: 'ok' },
      ],
    });
    const result = await run(['dts', id, '--wait', '--json'], environmentFor(sandbox));
    expect(result.code).toBe(0);
    const states = result.out.trim().split('\n').map((line) => (JSON.parse(line) as { state: string }).state);
    expect(states[0]).toBe('running');
    expect(states[states.length - 1]).toBe('succeeded');
  });

  it('given a Redis task that ends in error, then it exits 1', async () => {
    const id = sandbox.addTask({
      kind: 'redis',
      steps: [
        { afterMs: 0, status: 'running' },
        { afterMs: 30_000, status: 'error', message: 'disk full' },
      ],
    });
    const result = await run(['redis', id, '--wait'], environmentFor(sandbox));
    expect(result.code).toBe(1);
    expect(result.out).toContain('failed (error)');
  });

  it('given a task that never ends and a short --timeout, then it exits 3', async () => {
    const id = sandbox.addTask({ kind: 'dts', steps: [{ afterMs: 0, status: 'running' }] });
    const result = await run(['dts', id, '--wait', '--timeout', '200ms'], environmentFor(sandbox));
    expect(result.code).toBe(3);
    expect(result.err).toContain('timed out');
  });
});

describe('taskwatch status: bad input and configuration', () => {
  const environment = { TENCENTCLOUD_SECRET_ID: 'AKIDexample', TENCENTCLOUD_SECRET_KEY: 'example-secret-key', TENCENTCLOUD_ENDPOINT: 'http://127.0.0.1:1' };

  it.each([
    [['nope', '1'], `unknown kind "nope": use one of ${TASK_KINDS.join(', ')}`],
    [['redis', 'abc'], 'Redis task IDs are integers'],
    [['cdn', ''], 'empty task ID'],
    [['cdn', 'a,,b'], 'empty task ID'],
    [['cdn', 'x'.repeat(129)], 'longer than 128 characters'],
    [['tcss', '5'], 'tcss takes no ID'],
    [['cdn'], 'missing task ID'],
    [[], 'missing <kind>'],
    [['cdn', '1', '--bogus'], "Unknown option '--bogus'"],
    [['dts', '1', '--timeout', 'soon'], 'is not a duration'],
  ])('given %j, then one clear line and exit 2', async (argv, expected) => {
    const result = await run(argv, environment);
    expect(result.code).toBe(2);
    expect(result.err).toContain(expected);
    expect(result.err.trim().split('\n')).toHaveLength(1);
  });

  it('given an unknown kind, then the kinds it offers are every kind, the known ones among them', async () => {
    expect(TASK_KINDS).toEqual(expect.arrayContaining(['cdn', 'purge', 'tcss']));
    const result = await run(['nope', '1'], environment);
    expect(result.err).toMatch(/use one of [a-z, ]*\bpurge\b/);
  });

  it('given a region-scoped kind with no region anywhere, then it asks for one and exits 2', async () => {
    const result = await run(['dts', 'cafebabe-1'], environment);
    expect(result.code).toBe(2);
    expect(result.err).toContain('region');
  });

  it('given no credentials, then it says which variables to set and mentions --sandbox', async () => {
    const result = await run(['cdn', '1'], {});
    expect(result.code).toBe(2);
    expect(result.err).toContain('TENCENTCLOUD_SECRET_ID');
    expect(result.err).toContain('--sandbox');
  });

  it('given a half-set credential pair, then it lists the configuration problem', async () => {
    const result = await run(['cdn', '1'], { TENCENTCLOUD_SECRET_ID: 'AKIDonly' });
    expect(result.code).toBe(2);
    expect(result.err).toContain('TENCENTCLOUD_SECRET_KEY is missing');
  });

  it('given --sandbox and no ID, then it lists the demo task IDs', async () => {
    const result = await run(['cdn', '--sandbox'], {});
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/Demo cdn tasks in the sandbox: \d+/);
  });

  it('given --sandbox and a demo task, then it answers from the in-process sandbox', async () => {
    const result = await run(['tcss', '--sandbox', '--json'], {});
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out.trim()) as unknown).toMatchObject({ kind: 'tcss', found: true });
  });
});

describe('the taskwatch binary', () => {
  const bin = path.join(__dirname, '..', '..', '..', 'bin', 'taskwatch.js');

  it('given --help, then it prints the commands and exits 0', () => {
    const result = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('taskwatch status <kind>');
  });

  it('given status with an unknown kind, then exit code 2 reaches the shell', () => {
    const result = spawnSync(process.execPath, [bin, 'status', 'nope', '1'], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env['PATH'] } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown kind');
  });
});
