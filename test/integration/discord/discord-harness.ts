/**
 * Wires the real Discord adapter (the real discord.js client over the gateway and REST) to the
 * fake Discord, and the real providers to the cloud sandbox. With a Redis URL it also runs the
 * real watch engine, whose Discord notifier is the adapter's.
 */
import { createDiscordAdapter, type DiscordAdapter } from '../../../src/chat/discord/discord-adapter';
import type { CommandServices } from '../../../src/commands/types';
import type { WatchConfig } from '../../../src/config';
import type { DiscordConfig } from '../../../src/chat/discord/discord-settings';
import type { Notifier } from '../../../src/jobs/notifier';
import { createWatchEngine, type WatchEngine } from '../../../src/jobs/engines/watch-engine';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { sandboxAccounts } from '../../../src/sandbox/sandbox-accounts';
import { ManualClock } from '../../../src/util/clock';
import { startFakeDiscord, type ApiMessage, type FakeDiscord, type FakeDiscordOptions, type FakeInteraction, type RecordedDiscordCall } from '../../fakes/discord/fake-discord';
import { TEST_WATCH_CONFIG } from '../../support/engine-settings';
import { uniqueQueueName } from '../../support/redis';

/** A running harness. */
export interface DiscordHarness {
  readonly fake: FakeDiscord;
  readonly sandbox: CloudSandbox;
  readonly clock: ManualClock;
  readonly adapter: DiscordAdapter;
  readonly engine: WatchEngine | null;
  readonly config: DiscordConfig;
  /** Every line the adapter logged. */
  readonly logLines: string[];
  /** Every notifier call the engine made, with its outcome. */
  readonly notifierLog: string[];
  /** The fake's default guild and channel. */
  readonly guildId: string;
  readonly channelId: string;
  stop(): Promise<void>;
}

/** Harness options. */
export interface DiscordHarnessOptions {
  /** Runs the watch engine on this Redis when given. */
  readonly redisUrl?: string;
  /** The engine's key prefix; default a fresh one. */
  readonly prefix?: string;
  readonly fake?: FakeDiscordOptions;
  /** Settings of the engine over {@link TEST_WATCH_CONFIG}, e.g. a quicker delivery back-off. */
  readonly watch?: Partial<WatchConfig>;
  /** More command services (access, limits), merged over the harness's own. */
  readonly services?: Partial<CommandServices>;
}

/** Starts the fake Discord, the sandbox, optionally the engine, and the adapter. */
export async function startDiscordHarness(options: DiscordHarnessOptions = {}): Promise<DiscordHarness> {
  const fake = await startFakeDiscord(options.fake);
  const clock = new ManualClock(Date.now());
  const sandbox = await CloudSandbox.start({ clock });
  const accounts = sandboxAccounts(sandbox.url, { tencentRegion: null });
  const providers: ClosableProviderRegistry = createProviderRegistry(
    { accounts, rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: 5000 },
    { rateBudget: new InMemoryRateBudget(), now: () => clock.now() },
  );

  const notifiers: Notifier[] = [];
  const notifierLog: string[] = [];
  let engine: WatchEngine | null = null;
  if (options.redisUrl) {
    engine = createWatchEngine({
      connection: options.redisUrl,
      prefix: options.prefix ?? uniqueQueueName('discord'),
      providers,
      // The adapter's notifier is added below, as the composition root does.
      notifiers,
      watch: { ...TEST_WATCH_CONFIG, ...options.watch },
      role: 'all',
      now: () => clock.now(),
      deliverySpacingMs: { discord: 10 },
      tuning: { lockDurationMs: 1500, stalledIntervalMs: 500, supervisorIntervalMs: 500 },
    });
  }
  const services: CommandServices = { providers, ...(engine ? { watches: engine } : {}), ...options.services };
  const config: DiscordConfig = { token: fake.token, applicationId: fake.applicationId, apiUrl: fake.apiUrl };
  const logLines: string[] = [];
  const line = (level: string) => (...parts: unknown[]) => logLines.push(`${level} ${parts.map(String).join(' ')}`);
  const adapter = createDiscordAdapter({ config, services, logger: { info: line('INFO'), warn: line('WARN'), error: line('ERROR') } });
  // Observed, not replaced: each call is noted before and after the real notifier runs.
  const observed = adapter.notifier;
  const note = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    notifierLog.push(`${Date.now()} start ${what}`);
    try {
      const value = await run();
      notifierLog.push(`${Date.now()} done ${what}`);
      return value;
    } catch (error) {
      notifierLog.push(`${Date.now()} failed ${what} ${(error as Error).name}`);
      throw error;
    }
  };
  notifiers.push({
    platform: 'discord',
    postCard: (channel, card) => note('postCard', () => observed.postCard(channel, card)),
    updateCard: (channel, messageId, card) => note(`updateCard ${card.status.state}`, () => observed.updateCard(channel, messageId, card)),
    postThreadReply: (channel, messageId, notice, replyOptions) => note(`postThreadReply ${notice.current.state}`, () => observed.postThreadReply(channel, messageId, notice, replyOptions)),
    postStuckReply: (channel, messageId, notice, replyOptions) => note(`postStuckReply ${notice.state}`, async () => observed.postStuckReply?.(channel, messageId, notice, replyOptions)),
  });
  await engine?.start();
  await adapter.start();

  const guild = fake.guilds[0]!;
  return {
    fake,
    sandbox,
    clock,
    adapter,
    engine,
    config,
    logLines,
    notifierLog,
    guildId: guild.id,
    channelId: guild.channels[0]!.id,
    stop: async () => {
      await adapter.stop();
      await engine?.stop();
      providers.close();
      await sandbox.stop();
      await fake.close();
    },
  };
}

/** Whether a call edits an interaction's original response through its webhook. */
export function isOriginalEdit(fake: FakeDiscord, interaction: FakeInteraction) {
  return (call: RecordedDiscordCall): boolean =>
    call.method === 'PATCH' && call.path === `/webhooks/${fake.applicationId}/${interaction.token}/messages/@original`;
}

/** Whether a call posts a follow-up to an interaction. */
export function isFollowUp(fake: FakeDiscord, interaction: FakeInteraction) {
  return (call: RecordedDiscordCall): boolean => call.method === 'POST' && call.path === `/webhooks/${fake.applicationId}/${interaction.token}`;
}

/** Waits for the interaction's deferred reply to be edited, and returns the edited message. */
export async function originalReply(fake: FakeDiscord, interaction: FakeInteraction, timeoutMs = 10_000): Promise<ApiMessage> {
  const call = await fake.waitForCall(isOriginalEdit(fake, interaction), timeoutMs);
  expect(call.status).toBe(200);
  const message = interaction.originalMessageId ? fake.messages.get(interaction.originalMessageId) : undefined;
  if (!message) throw new Error('the original response is gone');
  return message;
}

/** The body of a call as a record. */
export function bodyOf(call: RecordedDiscordCall): Record<string, unknown> {
  return (call.body ?? {}) as Record<string, unknown>;
}

/** Everything visible in a message: content, embed texts and button labels/IDs. */
export function textOf(message: { content?: unknown; embeds?: unknown; components?: unknown }): string {
  return `${String(message.content ?? '')}\n${JSON.stringify(message.embeds ?? [])}\n${JSON.stringify(message.components ?? [])}`;
}

/** An embed of a message, typed loosely for assertions. */
export interface LooseEmbed {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
}

/** The embeds of a message. */
export function embedsOf(message: { embeds?: unknown }): LooseEmbed[] {
  return (message.embeds ?? []) as LooseEmbed[];
}

/** The custom IDs of a message's buttons, by label. */
export function buttonsOf(message: { components?: unknown }): Record<string, string> {
  const rows = (message.components ?? []) as { components?: { label?: string; custom_id?: string }[] }[];
  const buttons: Record<string, string> = {};
  for (const row of rows) for (const button of row.components ?? []) if (button.label && button.custom_id) buttons[button.label] = button.custom_id;
  return buttons;
}

/** Every message body taskwatch sent (interaction callbacks, webhooks, channel messages). */
export function sentBodies(fake: FakeDiscord): RecordedDiscordCall[] {
  return fake.calls.filter(
    (call) => (call.method === 'POST' || call.method === 'PATCH') && (call.path.startsWith('/webhooks/') || call.path.startsWith('/channels/') || call.path.startsWith('/interactions/')),
  );
}

export { waitFor } from '../../support/wait';
