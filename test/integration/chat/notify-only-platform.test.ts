/**
 * A notify-only platform (a webhook robot: posts, never edits, threads or takes commands) fits
 * the chat platform contract with its capabilities off, and the watch engine's delivery honours
 * them: real providers against the cloud sandbox, a real redis-server and BullMQ, and the robot
 * posting over loopback to a local webhook.
 */
import type Redis from 'ioredis';
import { chatSecrets, remoteChatConfigured } from '../../../src/chat/platforms';
import type { ChatPlatformContext, ChatPlatformDefinition } from '../../../src/chat/chat-platform';
import type { CommandServices } from '../../../src/commands/types';
import { PassThrough } from 'node:stream';
import { loadConfig, type TaskwatchConfig } from '../../../src/config';
import { startTaskwatch } from '../../../src/main';
import { silentLogger } from '../../../src/observability/logger';
import { SANDBOX_DEMO_CREDENTIALS } from '../../../src/sandbox/types';
import { createLogger } from '../../../src/observability/logger';
import { RedisRateBudget } from '../../../src/jobs/redis-rate-budget';
import { createWatchEngine, type WatchEngine } from '../../../src/jobs/engines/watch-engine';
import { createProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { ManualClock } from '../../../src/util/clock';
import { FakeWebhook, webhookRobotPlatform, webhookRobotPlatformFromEnvironment, WebhookRobotNotifier } from '../../support/chat/webhook-robot-platform';
import { uniqueQueueName, type TestRedis } from '../../support/redis';
import { startRedisFixture, type RedisFixture } from '../../support/redis-fixture';
import { waitFor } from '../../support/wait';
import { sandboxAccountsWithRefused, TEST_WATCH_CONFIG } from '../../support/engine-settings';
import { CHAT_PLATFORM_DEFINITIONS } from '../../../src/chat/platforms';

const CHANNEL = { platform: 'robot', channelId: 'C-ROBOT' } as const;

/** What the composition root hands a platform, with a logger that masks `secrets` and writes into `sink`. */
function contextFor(services: CommandServices, takesCommands: boolean, secrets: readonly string[], sink = new PassThrough()): ChatPlatformContext {
  const logger = createLogger({ level: 'info', pretty: false, secrets, destination: sink });
  return { services, logger, takesCommands, console: { input: new PassThrough(), output: new PassThrough(), banner: '', onClose: () => undefined } };
}

/** The configuration of an empty environment: no chat platform of its own. */
function emptyConfig(): TaskwatchConfig {
  const loaded = loadConfig({}, CHAT_PLATFORM_DEFINITIONS);
  if (!loaded.ok) throw new Error('the empty environment did not load');
  return loaded.config;
}

describe('a notify-only webhook robot', () => {
  let fixture: RedisFixture;
  let redisServer: TestRedis;
  let redis: Redis;
  let sandbox: CloudSandbox;
  let webhook: FakeWebhook;
  let engine: WatchEngine | null = null;
  let registry: ReturnType<typeof createProviderRegistry> | null = null;
  const clock = new ManualClock();

  beforeAll(async () => {
    fixture = await startRedisFixture();
    ({ server: redisServer, redis } = fixture);
    sandbox = await CloudSandbox.start({ clock });
    webhook = await FakeWebhook.start();
  });

  afterAll(async () => {
    await engine?.stop();
    registry?.close();
    await webhook?.stop();
    await sandbox?.stop();
    await fixture?.stop();
  });

  /** A whole web process on the sandbox and this file's Redis, knowing only `platforms`, configured by `environment` besides. */
  async function startWebProcess(environment: Record<string, string>, platforms: ChatPlatformDefinition[]) {
    const tencent = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'tencent');
    const loaded = loadConfig(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        REDIS_URL: redisServer.url,
        TENCENTCLOUD_SECRET_ID: tencent?.id,
        TENCENTCLOUD_SECRET_KEY: tencent?.secret,
        TENCENTCLOUD_ENDPOINT: sandbox.url,
        TENCENTCLOUD_REGION: 'ap-guangzhou',
        ...environment,
      },
      platforms,
    );
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const running = await startTaskwatch({
      config: loaded.config,
      role: 'web',
      shell: false,
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      logger: silentLogger(),
      mayInstallRedis: false,
      chatPlatforms: platforms,
    });
    return { config: loaded.config, running };
  }

  it('given the robot, then the contract takes it as configured, with its webhook URL masked and no command side', async () => {
    const config = emptyConfig();
    const robot = webhookRobotPlatform({ webhookUrl: webhook.url }) as ChatPlatformDefinition;
    const absent = webhookRobotPlatform(null) as ChatPlatformDefinition;

    expect(remoteChatConfigured(config, [robot])).toBe(true);
    expect(remoteChatConfigured(config, [absent])).toBe(false);
    expect(chatSecrets(config, [robot])).toEqual([webhook.url]);
    expect(chatSecrets(config, [absent])).toEqual([]);
    expect(robot.capabilities).toMatchObject({ edits: false, threads: false, receivesCommands: false });

    const sink = new PassThrough();
    const providers = createProviderRegistry({ accounts: [], rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 }, { rateBudget: new RedisRateBudget(redis, { prefix: uniqueQueueName('robot-rate') }) });
    const context = contextFor({ providers }, true, chatSecrets(config, [robot]), sink);
    const instance = await robot.create(robot.configSection(config), context);
    expect(instance.notifier).toBeInstanceOf(WebhookRobotNotifier);
    expect([instance.routes, instance.ready, instance.start, instance.stop]).toEqual([undefined, undefined, undefined, undefined]);
    // Its secret is on the masking list, so a log line that quotes the URL does not carry the token.
    context.logger.warn(`webhook refused: ${webhook.url}`);
    context.logger.flush();
    providers.close();
    const logged = String(sink.read() ?? '');
    expect(logged).toContain('webhook refused');
    expect(logged).not.toContain('robot-secret-token-123');
  });

  it('given a watched task going pending -> running -> succeeded, then the robot posts the card and each change once, paced, and is never asked to edit', async () => {
    const robot = webhookRobotPlatform({ webhookUrl: webhook.url });
    const config = emptyConfig();
    const section = robot.configSection(config);
    if (section === null) throw new Error('robot not configured');
    const prefix = uniqueQueueName('robot');
    registry = createProviderRegistry(
      { accounts: sandboxAccountsWithRefused(sandbox.url), rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 3000 },
      { rateBudget: new RedisRateBudget(redis, { prefix: `${prefix}:rate` }), now: () => clock.now() },
    );
    const { notifier } = await robot.create(section, contextFor({ providers: registry }, false, [webhook.url]));
    // No deliverySpacingMs: the pacing is the robot's own, from its capabilities.
    engine = createWatchEngine({ connection: redisServer.url, prefix, providers: registry, notifiers: [notifier], watch: TEST_WATCH_CONFIG, role: 'all', now: () => clock.now() });
    await engine.start();
    const running = engine;

    const id = sandbox.addTask({
      kind: 'dcdn',
      items: [{ name: 'http://example.com/robot.png', steps: [{ afterMs: 0, status: 'Pending', percent: 0 }, { afterMs: 1000, status: 'Refreshing', percent: 50 }, { afterMs: 2000, status: 'Complete', percent: 100 }] }],
    });
    await running.watch({ refs: [{ kind: 'dcdn', id }], channel: CHANNEL, requestedBy: 'U1' });
    await waitFor('first check', async () => (await running.list(CHANNEL))[0]?.state === 'pending');
    clock.advance(1000);
    await waitFor('running posted', () => webhook.texts.some((text) => text.endsWith('pending -> running')));
    expect(await redis.exists(`${prefix}:tw:pace:robot:C-ROBOT`)).toBe(1);
    clock.advance(1000);
    await waitFor('ending posted', () => webhook.texts.some((text) => text.endsWith('running -> succeeded (terminal)')));
    await waitFor('watch over', async () => (await running.list(CHANNEL)).length === 0);
    await waitFor('notify queue drained', async () => {
      const counts = await running.queues[1]?.getJobCounts('waiting', 'delayed', 'active');
      return counts !== undefined && Object.values(counts).every((count) => count === 0);
    });

    // The card is posted after the first check, so even a robot that cannot edit shows the real state.
    expect(webhook.texts).toEqual([`dcdn ${id}: pending`, `dcdn ${id}: pending -> running`, `dcdn ${id}: running -> succeeded (terminal)`]);
    expect((notifier as WebhookRobotNotifier).refused).toEqual([]);
  });

  it('given the robot configured in a web process, then the composition root builds it to post only: no command routes and no readiness check of its own', async () => {
    const robot = webhookRobotPlatform({ webhookUrl: webhook.url });
    const askedToTakeCommands: boolean[] = [];
    // A robot that would mount a command route and a readiness check whenever it is asked to take commands.
    const eager: ChatPlatformDefinition = {
      ...(robot as ChatPlatformDefinition),
      create: async (section, context) => {
        askedToTakeCommands.push(context.takesCommands);
        const built = await robot.create(section as never, context);
        if (!context.takesCommands) return built;
        return { ...built, routes: (app) => app.post('/robot/commands', (_request, response) => response.json({ taken: true })), ready: () => false };
      },
    };
    const { running } = await startWebProcess({}, [eager]);
    try {
      const base = `http://127.0.0.1:${running.httpPort}`;
      const readyz = await fetch(`${base}/readyz`);
      const body = (await readyz.json()) as { checks: Record<string, boolean> };
      const command = await fetch(`${base}/robot/commands`, { method: 'POST' });

      expect(askedToTakeCommands).toEqual([false]);
      expect(Object.keys(body.checks)).toEqual(['redis']);
      expect(readyz.status).toBe(200);
      expect(command.status).toBe(404);
    } finally {
      await running.stop();
    }
  });
  it('given a platform listed only in the list the process is started with, with its own variable, then the API watches its channels, it posts the card, and unlisted platforms are refused', async () => {
    const robot = webhookRobotPlatformFromEnvironment() as ChatPlatformDefinition;
    const apiToken = 'robot-api-token-0123456789abcdef';
    const broken = loadConfig({ ROBOT_WEBHOOK_URL: 'not a url' }, [robot]);
    expect(broken.ok ? [] : broken.problems).toEqual(['ROBOT_WEBHOOK_URL must be a URL starting with http:// or https://; it could not be parsed.']);
    const { config, running } = await startWebProcess({ API_TOKEN: apiToken, ROBOT_WEBHOOK_URL: webhook.url }, [robot]);
    expect(robot.configSection(config)).toEqual({ webhookUrl: webhook.url });
    try {
      const post = (channel: string) =>
        fetch(`http://127.0.0.1:${running.httpPort}/api/watches`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'cdn', ids: [id], channel }),
        });
      const id = sandbox.addTask({ kind: 'cdn' });
      const refused = await post('slack:C0123ABCD');
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { fields: Record<string, string> }).fields).toEqual({ channel: 'must be robot:<channel id>' });

      const started = await post('robot:C-ROBOT');
      expect(started.status).toBe(201);
      expect(((await started.json()) as { watches: Array<{ channel: string }> }).watches.map((watch) => watch.channel)).toEqual(['robot:C-ROBOT']);
      await waitFor('the card posted by the robot', () => webhook.texts.some((text) => text.startsWith(`cdn ${id}: `)));
    } finally {
      await running.stop();
    }
  });
});
