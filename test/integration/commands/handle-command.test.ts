/**
 * The command handler against real providers (official SDKs) talking to the cloud sandbox over
 * loopback. The only stand-ins are tiny in-test implementations of interfaces (WatchService, a
 * broken ProviderRegistry), used where the handler's mapping is what is under test.
 */
import { handleCommand, runCommandText } from '../../../src/commands/handle-command';
import { describeQueryFailure, INTERNAL_ERROR_TEXT, WATCHING_UNAVAILABLE_TEXT } from '../../../src/commands/messages';
import type { CommandContext, CommandErrorLog, CommandResult, CommandServices } from '../../../src/commands/types';
import type { CloudAccount, TaskwatchConfig } from '../../../src/config';
import type { ChannelAddress } from '../../../src/jobs/notifier';
import type { WatchRequest, WatchService, WatchSummary } from '../../../src/jobs/watch-service';
import { ProviderError } from '../../../src/providers/errors';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import type { ProviderRegistry, TaskRef } from '../../../src/providers/types';
import { watchSummary } from '../../support/recording-watch-service';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { SANDBOX_DEMO_CREDENTIALS } from '../../../src/sandbox/types';
import { ManualClock } from '../../../src/util/clock';

const TENCENT = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'tencent')!;
const ALIBABA = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'alibaba')!;

const context: CommandContext = { platform: 'slack', channel: { platform: 'slack', channelId: 'C0CHANNEL' }, userId: 'U0USER' };

interface AccountOptions {
  readonly tencentRegion?: string | null;
  readonly tencentSecret?: string;
  readonly withAlibaba?: boolean;
}

/** Every registry a test builds, closed after each test so no keep-alive socket outlives it. */
const openRegistries: ClosableProviderRegistry[] = [];

afterEach(() => {
  for (const registry of openRegistries.splice(0)) registry.close();
});

function registryFor(sandbox: CloudSandbox, options: AccountOptions = {}, providerTimeoutMs = 5000): ProviderRegistry {
  const accounts: CloudAccount[] = [
    {
      name: 'default',
      cloud: 'tencent',
      secretId: TENCENT.id,
      secretKey: options.tencentSecret ?? TENCENT.secret,
      region: options.tencentRegion ?? null,
      endpoint: sandbox.url,
    },
  ];
  if (options.withAlibaba ?? true) {
    accounts.push({ name: 'default', cloud: 'alibaba', accessKeyId: ALIBABA.id, accessKeySecret: ALIBABA.secret, region: null, endpoint: sandbox.url });
  }
  const config: Pick<TaskwatchConfig, 'accounts' | 'rateLimits' | 'providerTimeoutMs'> = {
    accounts,
    rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 },
    providerTimeoutMs,
  };
  const registry = createProviderRegistry(config, { rateBudget: new InMemoryRateBudget() });
  openRegistries.push(registry);
  return registry;
}

function statusesOf(result: CommandResult): Extract<CommandResult, { type: 'statuses' }> {
  if (result.type !== 'statuses') throw new Error(`expected statuses, got ${JSON.stringify(result)}`);
  return result;
}

function textOf(result: CommandResult): string {
  if (!('text' in result)) throw new Error(`expected a text result, got ${JSON.stringify(result)}`);
  return result.text;
}

/** Records what the handler asks of the watch engine and answers like one. */
class RecordingWatchService implements WatchService {
  readonly requests: WatchRequest[] = [];
  readonly unwatched: Array<{ channel: ChannelAddress; refs: readonly TaskRef[] }> = [];
  readonly unwatchedAll: ChannelAddress[] = [];
  failWith: unknown = null;

  async watch(request: WatchRequest): Promise<WatchSummary[]> {
    if (this.failWith) throw this.failWith;
    this.requests.push(request);
    return request.refs.map((ref, index) => watchSummary(`w${index}`, ref, request.channel));
  }

  async unwatch(channel: ChannelAddress, refs: readonly TaskRef[]): Promise<number> {
    if (this.failWith) throw this.failWith;
    this.unwatched.push({ channel, refs });
    return refs.length;
  }

  async unwatchAll(channel: ChannelAddress): Promise<number> {
    if (this.failWith) throw this.failWith;
    this.unwatchedAll.push(channel);
    return 2;
  }

  async list(channel: ChannelAddress): Promise<WatchSummary[]> {
    if (this.failWith) throw this.failWith;
    return [watchSummary('w9', { kind: 'redis', id: '18215', region: 'ap-guangzhou' }, channel)];
  }
}

class RecordingLog implements CommandErrorLog {
  readonly entries: Array<{ details: Record<string, unknown>; message: string }> = [];
  error(details: Record<string, unknown>, message: string): void {
    this.entries.push({ details, message });
  }
}

describe('handleCommand against the cloud sandbox', () => {
  let sandbox: CloudSandbox;
  let clock: ManualClock;
  let services: CommandServices;
  const ids = { cdn: '', dcdn: '', dts: '', redis: '', tcss: '' };

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    sandbox = await CloudSandbox.start({ clock });
    ids.cdn = sandbox.addTask({
      kind: 'cdn',
      items: [
        { name: 'https://example.com/a.png', steps: [{ afterMs: 0, status: 'process', percent: 40 }] },
        { name: 'https://example.com/b.png', steps: [{ afterMs: 0, status: 'done', percent: 100 }] },
      ],
    });
    ids.dcdn = sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/image_01.png', steps: [{ afterMs: 0, status: 'Refreshing', percent: 50 }] }] });
    ids.dts = sandbox.addTask({ kind: 'dts', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running', message: 'copying' }] });
    ids.redis = sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'succeed' }] });
    ids.tcss = sandbox.addTask({ kind: 'tcss', steps: [{ afterMs: 0, status: 'Task_Running' }] });
  });

  beforeEach(() => {
    services = { providers: registryFor(sandbox) };
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  afterEach(() => {
    sandbox.clearFaults();
    sandbox.resetCalls();
  });

  it('given help, then it answers the usage ephemerally without calling any cloud', async () => {
    const result = await runCommandText('help', context, services);
    expect(result).toMatchObject({ type: 'help', visibility: 'ephemeral' });
    expect(textOf(result)).toContain('/task-status cdn 1533031853231313311');
    expect(sandbox.calls).toHaveLength(0);
  });

  it('given a CDN query with two URLs, then the channel result carries the state and raw status', async () => {
    const result = statusesOf(await runCommandText(`prefetch ${ids.cdn}`, context, services));
    expect(result.visibility).toBe('channel');
    expect(result.failures).toEqual([]);
    expect(result.statuses).toHaveLength(1);
    expect(result.statuses[0]).toMatchObject({ kind: 'cdn', id: ids.cdn, found: true, state: 'running', rawStatus: 'process' });
    expect(result.statuses[0]?.items.map((item) => item.rawStatus).sort()).toEqual(['done', 'process']);
  });

  it('given a DCDN, DTS, Redis and TCSS query, then each answers its own state and raw status', async () => {
    const dcdn = statusesOf(await runCommandText(`refresh ${ids.dcdn}`, context, services));
    expect(dcdn.statuses[0]).toMatchObject({ kind: 'dcdn', id: ids.dcdn, state: 'running', rawStatus: 'Refreshing' });
    const dts = statusesOf(await runCommandText(`dts ${ids.dts} region=ap-guangzhou`, context, services));
    expect(dts.statuses[0]).toMatchObject({ kind: 'dts', id: ids.dts, region: 'ap-guangzhou', state: 'running', rawStatus: 'running' });
    const redis = statusesOf(await runCommandText(`redis ${ids.redis} --region ap-guangzhou`, context, services));
    expect(redis.statuses[0]).toMatchObject({ kind: 'redis', id: ids.redis, state: 'succeeded', rawStatus: 'succeed', terminal: true });
    const tcss = statusesOf(await runCommandText('tcss', context, services));
    expect(tcss.statuses[0]).toMatchObject({ kind: 'tcss', state: 'running', rawStatus: 'Task_Running' });
  });

  it('given 11 DCDN IDs, then 11 statuses come back from two API calls', async () => {
    const eleven = [ids.dcdn, ...Array.from({ length: 10 }, () => sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/x', steps: [{ afterMs: 0, status: 'Complete', percent: 100 }] }] }))];
    const result = statusesOf(await runCommandText(`dcdn ${eleven.join(',')}`, context, services));
    expect(result.statuses.map((status) => status.id)).toEqual(eleven);
    expect(sandbox.calls.filter((call) => call.action === 'DescribeDcdnRefreshTaskById')).toHaveLength(2);
  });

  it('given a DTS query without a region and no default region, then it answers that DTS needs a region and calls nothing', async () => {
    const result = await runCommandText(`dts ${ids.dts}`, context, services);
    expect(result).toMatchObject({ type: 'error', visibility: 'ephemeral' });
    expect(textOf(result)).toMatch(/^DTS needs a region: add region=<region>/);
    expect(sandbox.calls).toHaveLength(0);
  });

  it('given a Redis query without a region but an account default region, then the default region is used', async () => {
    const withDefault: CommandServices = { providers: registryFor(sandbox, { tencentRegion: 'ap-guangzhou' }) };
    const result = statusesOf(await runCommandText(`redis ${ids.redis}`, context, withDefault));
    expect(result.statuses[0]).toMatchObject({ id: ids.redis, region: 'ap-guangzhou', rawStatus: 'succeed' });
  });

  it('given an unknown CDN ID, then it is a status that is not found, not a failure', async () => {
    const result = statusesOf(await runCommandText('cdn 999999999999', context, services));
    expect(result.failures).toEqual([]);
    expect(result.statuses[0]).toMatchObject({ id: '999999999999', found: false });
  });

  it('given the sandbox throttles, then the result carries a retryable throttled failure naming the task', async () => {
    sandbox.injectFault({ type: 'throttle', cloud: 'tencent' });
    const result = statusesOf(await runCommandText(`cdn ${ids.cdn}`, context, services));
    expect(result.statuses).toEqual([]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]?.error).toMatchObject({ code: 'throttled', retryable: true });
    expect(result.failures[0]?.refs).toEqual([{ kind: 'cdn', id: ids.cdn }]);
    expect(describeQueryFailure(result.failures[0]!)).toContain(`Could not query CDN ${ids.cdn}`);
  });

  it('given refused credentials, then the failure says so and no secret appears anywhere in the result', async () => {
    const wrongSecret = 'wrong-secret-value-that-must-not-leak';
    const refused: CommandServices = { providers: registryFor(sandbox, { tencentSecret: wrongSecret }) };
    const result = statusesOf(await runCommandText(`cdn ${ids.cdn}`, context, refused));
    expect(result.failures[0]?.error).toMatchObject({ code: 'auth_failed', retryable: false });
    const everything = JSON.stringify(result) + describeQueryFailure(result.failures[0]!);
    expect(everything).not.toContain(wrongSecret);
    expect(everything).not.toContain(TENCENT.secret);
  });

  it('given a kind whose cloud has no credentials, then the result carries a not_configured failure', async () => {
    const tencentOnly: CommandServices = { providers: registryFor(sandbox, { withAlibaba: false }) };
    const result = statusesOf(await runCommandText(`dcdn ${ids.dcdn}`, context, tencentOnly));
    expect(result.failures[0]?.error.code).toBe('not_configured');
    expect(result.failures[0]?.refs).toEqual([{ kind: 'dcdn', id: ids.dcdn }]);
  });

  it('given the provider hangs, then the call ends in a timeout failure rather than hanging the command', async () => {
    sandbox.injectFault({ type: 'hang', cloud: 'tencent' });
    const impatient: CommandServices = { providers: registryFor(sandbox, {}, 300) };
    const result = statusesOf(await runCommandText(`cdn ${ids.cdn}`, context, impatient));
    expect(result.failures[0]?.error.code).toBe('timeout');
  });

  it('given bad input, then each gets an ephemeral error reply and no cloud call', async () => {
    const replies = await Promise.all(['cnd 1', 'x'.repeat(5000), 'tcss 5', 'dts abc regoin=ap-guangzhou', 'redis abc'].map((text) => runCommandText(text, context, services)));
    for (const reply of replies) expect(reply).toMatchObject({ type: 'error', visibility: 'ephemeral' });
    expect(textOf(replies[0]!)).toContain('Did you mean "cdn"?');
    expect(textOf(replies[1]!)).toContain('too long');
    expect(textOf(replies[1]!)).not.toContain('xxxx');
    expect(sandbox.calls).toHaveLength(0);
  });

  it('given empty text, then it answers help', async () => {
    expect(await runCommandText('', context, services)).toMatchObject({ type: 'help' });
  });

  it('given a mention payload as a CDN ID, then it is refused before any cloud call', async () => {
    const callsBefore = sandbox.calls.length;
    const result = await runCommandText('cdn <!channel>', context, services);
    expect(result.type).toBe('error');
    expect(sandbox.calls.length).toBe(callsBefore);
    // The cut token is quoted as data; chat adapters escape it for their markup.
    expect(result.type === 'error' ? result.text : '').toContain('is not a valid CDN task ID');
  });

  it('given a registry that fails with a bug, then the reply is generic and the log carries no error message', async () => {
    const broken: ProviderRegistry = {
      get: () => {
        throw new TypeError('internal detail with sk-secret-token');
      },
      accountNames: () => [],
      defaultRegion: () => null,
    };
    const log = new RecordingLog();
    const result = await runCommandText('cdn 1', context, { providers: broken, log });
    expect(result).toEqual({ type: 'error', visibility: 'ephemeral', text: INTERNAL_ERROR_TEXT });
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]?.details).toMatchObject({ command: 'query', errorName: 'TypeError' });
    expect(JSON.stringify(log.entries)).not.toContain('sk-secret-token');
  });
});

describe('watch commands', () => {
  let sandbox: CloudSandbox;

  beforeAll(async () => {
    sandbox = await CloudSandbox.start();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it.each(['watch cdn 1', 'unwatch cdn 1', 'unwatch all', 'list'])('given %j and no watch engine, then it answers that watching is not available yet', async (text) => {
    const result = await runCommandText(text, context, { providers: registryFor(sandbox) });
    expect(result).toEqual({ type: 'error', visibility: 'ephemeral', text: WATCHING_UNAVAILABLE_TEXT });
    expect(WATCHING_UNAVAILABLE_TEXT).toMatch(/^Watching is not available yet/);
  });

  it('given watch with the default region, then the engine gets resolved refs, the channel and the user', async () => {
    const watches = new RecordingWatchService();
    const result = await runCommandText('watch redis 18215, 18216', context, { providers: registryFor(sandbox, { tencentRegion: 'ap-guangzhou' }), watches });
    expect(watches.requests).toEqual([
      {
        refs: [
          { kind: 'redis', id: '18215', region: 'ap-guangzhou' },
          { kind: 'redis', id: '18216', region: 'ap-guangzhou' },
        ],
        channel: context.channel,
        requestedBy: 'U0USER',
      },
    ]);
    expect(result).toMatchObject({ type: 'watching', visibility: 'ephemeral' });
    expect(textOf(result)).toContain('Watching 2 tasks');
  });

  it('given watch tcss, then the engine gets the latest-task ref', async () => {
    const watches = new RecordingWatchService();
    await runCommandText('watch tcss account=default', context, { providers: registryFor(sandbox), watches });
    expect(watches.requests[0]?.refs).toEqual([{ kind: 'tcss', id: 'latest', account: 'default' }]);
  });

  it('given watch dts without any region, then it answers that DTS needs a region and the engine is not called', async () => {
    const watches = new RecordingWatchService();
    const result = await runCommandText('watch dts cafebabe-254f-11ea-8995-e92c139e6918', context, { providers: registryFor(sandbox), watches });
    expect(textOf(result)).toMatch(/^DTS needs a region/);
    expect(watches.requests).toEqual([]);
  });

  it('given unwatch, unwatch all and list, then each maps to the engine and answers with counts and text', async () => {
    const watches = new RecordingWatchService();
    const services: CommandServices = { providers: registryFor(sandbox), watches };
    const unwatched = await runCommandText('unwatch cdn 1,2', context, services);
    expect(watches.unwatched).toEqual([{ channel: context.channel, refs: [{ kind: 'cdn', id: '1' }, { kind: 'cdn', id: '2' }] }]);
    expect(unwatched).toMatchObject({ type: 'unwatched', count: 2, text: 'Stopped watching 2 tasks.' });

    const all = await runCommandText('unwatch all', context, services);
    expect(watches.unwatchedAll).toEqual([context.channel]);
    expect(all).toMatchObject({ type: 'unwatched', count: 2, text: 'Stopped watching 2 tasks in this channel.' });

    const list = await runCommandText('list', context, services);
    expect(list).toMatchObject({ type: 'watch-list', visibility: 'ephemeral' });
    expect(textOf(list)).toContain('redis 18215 [region ap-guangzhou]: running (running)');
  });

  it('given the engine refuses with a ProviderError, then the reply explains it; with a bug, the reply is generic', async () => {
    const watches = new RecordingWatchService();
    const services: CommandServices = { providers: registryFor(sandbox), watches };
    watches.failWith = new ProviderError({ code: 'auth_failed', facts: { fact: 'vendor_code', cloud: 'tencent' }, providerCode: 'AuthFailure.SecretIdNotFound' });
    expect(textOf(await runCommandText('watch cdn 7', context, services))).toMatch(/^Could not watch CDN 7: Tencent Cloud refused the credentials \(AuthFailure\.SecretIdNotFound\): check the SecretId and SecretKey\./);
    watches.failWith = new Error('redis connection string redis://:hunter2@host');
    const reply = await handleCommand({ type: 'list' }, context, services);
    expect(reply).toEqual({ type: 'error', visibility: 'ephemeral', text: INTERNAL_ERROR_TEXT });
  });
});
