/**
 * The Discord surface: a discord.js client on the gateway (no public URL needed) that takes
 * `/task-status` commands, autocomplete and button presses, defers every interaction at once
 * (Discord allows 3 seconds for the first response), runs the shared command layer, and
 * answers with embeds by editing the deferred reply.
 *
 * Visibility is decided before deferring, because a deferred reply cannot change it later:
 * `query` and `watch` are answered in the channel; help, bad input, `unwatch`, `list` and
 * watch confirmations only to the user. An error that turns up after a public deferral (e.g. a
 * missing region) replaces the public reply with an ephemeral follow-up.
 *
 * A watch started here uses its reply as the status card. The interaction token that could
 * edit that reply dies after 15 minutes, so the watch engine edits it through the bot's
 * channel-message API instead (see `discord-notifier.ts`).
 */
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
} from 'discord.js';
import { withCardMessage } from '../../commands/card-message';
import { handleCommand, watchLimitRefusal } from '../../commands/handle-command';
import { auditInvalidButton, auditInvalidCommand } from '../../accounts/command-access';
import { buttonExpiredText, describeParseError, INTERNAL_ERROR_TEXT } from '../../commands/messages';
import type { Command, CommandContext, CommandResult, CommandServices, TaskSelection } from '../../commands/types';
import type { DiscordConfig } from './discord-settings';
import type { ChannelAddress, Notifier } from '../../jobs/notifier';
import { type TaskStatus } from '../../providers/types';
import { discordTimeStyle, escapedWithTimes, resultTextIn } from '../render/time-text';
import { OPTION_ACCOUNT, OPTION_ALL, OPTION_DOMAIN, OPTION_DURATION, OPTION_IDS, OPTION_KIND, OPTION_NUMBER, OPTION_PROGRESS, OPTION_REGION, OPTION_STATUS, TASK_STATUS_COMMAND_NAME } from './command-definition';
import { decodeCustomId, isTaskwatchCustomId } from './custom-id';
import { describeDiscordFailure, readDiscordFailure } from './discord-api-failure';
import { redactDiscordToken } from './discord-logger';
import { SILENT_LOGGER, type TaskwatchLogger } from '../../observability/taskwatch-logger';
import { cutText, escapeDiscordMarkdown, plainDiscordText } from './discord-markdown';
import { DiscordNotifier, discordRestOptions, NO_MENTIONS } from './discord-notifier';
import { renderMarkdownReply, renderQueryReply, renderStatusCard, renderTextReply, type DiscordMessage } from './embeds';
import { commandFromOptions } from './interaction-command';
import { MAX_AUTOCOMPLETE_CHOICES, RecentTaskIds } from './recent-task-ids';
import { resolveTaskKind, kindTakesNoId } from '../../providers/kinds';

/** Options for {@link createDiscordAdapter}. */
export interface DiscordAdapterOptions {
  readonly config: DiscordConfig;
  readonly services: CommandServices;
  /** Receives log lines without tokens; silent when absent. */
  readonly logger?: Pick<TaskwatchLogger, 'info' | 'warn' | 'error'>;
  /** How long `start()` waits for the gateway to be ready (default 30 s). */
  readonly readyTimeoutMs?: number;
}

/** A running (or startable) Discord surface. */
export interface DiscordAdapter {
  /** Logs in, connects to the gateway and resolves once the client is ready. */
  start(): Promise<void>;
  /** Disconnects from the gateway. */
  stop(): Promise<void>;
  /** Posts watch cards and thread replies into Discord. */
  readonly notifier: Notifier;
  /** Whether the gateway session is up. */
  readonly connected: boolean;
}

/** Options for `editReply` and friends: a rendered message that pings nobody. */
function replyOptions(message: DiscordMessage): InteractionEditReplyOptions & InteractionReplyOptions {
  return { content: message.content, embeds: message.embeds, components: message.components, allowedMentions: NO_MENTIONS };
}

function channelOf(channelId: string): ChannelAddress {
  return { platform: 'discord', channelId };
}

/** Where recently seen IDs are kept: the server, or the channel for DMs. */
function guildKeyOf(interaction: Interaction): string {
  return interaction.guildId ?? `channel:${interaction.channelId ?? 'none'}`;
}

/** How many tasks a selection names; an ID-less kind (TCSS) names its one latest task. */
function taskCount(selection: TaskSelection): number {
  return Math.max(1, selection.ids.length);
}

/** Creates the Discord surface. Nothing connects until {@link DiscordAdapter.start}. */
export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordAdapter {
  const { config, services } = options;
  const log = options.logger ?? SILENT_LOGGER;
  const recent = new RecentTaskIds();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: discordRestOptions(config) });
  // The notifier may be used by the watch engine before the gateway is up.
  client.rest.setToken(config.token);
  const notifier = new DiscordNotifier({ rest: client.rest, logger: log });
  let ready = false;

  const remember = (interaction: Interaction, statuses: readonly TaskStatus[]): void => {
    recent.remember(
      guildKeyOf(interaction),
      statuses.filter((status) => status.found && !kindTakesNoId(status.kind)).map((status) => ({ kind: status.kind, id: status.id })),
    );
  };

  const warn = (what: string, error: unknown): void => {
    log.warn(`${what} (${describeDiscordFailure(readDiscordFailure(error))})`);
  };

  /** Replaces a public deferred reply with an ephemeral one, for errors found after deferring. */
  const replaceWithEphemeral = async (interaction: ChatInputCommandInteraction, message: DiscordMessage): Promise<void> => {
    try {
      await interaction.deleteReply();
    } catch (error) {
      warn('Could not delete the deferred reply', error);
    }
    await interaction.followUp({ ...replyOptions(message), flags: MessageFlags.Ephemeral });
  };

  const answerWatch = async (interaction: ChatInputCommandInteraction, command: Extract<Command, { type: 'watch' }>, context: CommandContext): Promise<void> => {
    // Past a watch limit, the query below must not run either: let the watch itself refuse (and audit).
    if ((await watchLimitRefusal(command, context, services)) !== null) {
      await replaceWithEphemeral(interaction, resultReply(await handleCommand(command, context, services)));
      return;
    }
    // The card shows the task as it is now; the engine edits it from then on.
    const now = await handleCommand({ ...command, type: 'query' }, context, services);
    if (now.type !== 'statuses') {
      await replaceWithEphemeral(interaction, resultReply(now));
      return;
    }
    remember(interaction, now.statuses);
    let watchServices = services;
    const only = now.statuses[0];
    if (taskCount(command) === 1 && now.statuses.length === 1 && now.failures.length === 0 && only && services.watches) {
      const reply = await interaction.editReply(replyOptions(renderStatusCard({ status: only })));
      watchServices = withCardMessage(services, reply.id);
    } else {
      // Several tasks: the engine posts a card per task; this reply shows them all as they are now.
      await interaction.editReply(replyOptions(renderQueryReply(now.statuses, now.failures)));
    }
    const result = await handleCommand(command, context, watchServices);
    await interaction.followUp({ ...replyOptions(resultReply(result)), flags: MessageFlags.Ephemeral });
  };

  const onSlashCommand = async (interaction: ChatInputCommandInteraction): Promise<void> => {
    if (interaction.commandName !== TASK_STATUS_COMMAND_NAME) return;
    const parsed = commandFromOptions(interaction.options.getSubcommand(false), {
      kind: interaction.options.getString(OPTION_KIND),
      ids: interaction.options.getString(OPTION_IDS),
      region: interaction.options.getString(OPTION_REGION),
      account: interaction.options.getString(OPTION_ACCOUNT),
      all: interaction.options.getBoolean(OPTION_ALL),
      domain: interaction.options.getString(OPTION_DOMAIN),
      status: interaction.options.getString(OPTION_STATUS),
      number: interaction.options.getInteger(OPTION_NUMBER),
      duration: interaction.options.getString(OPTION_DURATION),
      progress: interaction.options.getString(OPTION_PROGRESS),
    });
    if (!parsed.ok) {
      if (services.access) {
        const refusedContext: CommandContext = { platform: 'discord', channel: channelOf(interaction.channelId), userId: interaction.user.id, groups: [] };
        auditInvalidCommand(parsed.error, refusedContext, services.access);
      }
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply(replyOptions(renderTextReply(describeParseError(parsed.error))));
      return;
    }
    const command = parsed.command;
    const context: CommandContext = { platform: 'discord', channel: channelOf(interaction.channelId), userId: interaction.user.id, groups: roleIdsOf(interaction.member) };
    if (command.type !== 'query' && command.type !== 'watch') {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const result = await handleCommand(command, context, services);
      await interaction.editReply(replyOptions(resultReply(result)));
      return;
    }
    await interaction.deferReply();
    if (command.type === 'watch') {
      await answerWatch(interaction, command, context);
      return;
    }
    const result = await handleCommand(command, context, services);
    if (result.type !== 'statuses') {
      await replaceWithEphemeral(interaction, resultReply(result));
      return;
    }
    remember(interaction, result.statuses);
    await interaction.editReply(replyOptions(renderQueryReply(result.statuses, result.failures)));
  };

  const onButton = async (interaction: ButtonInteraction): Promise<void> => {
    if (!isTaskwatchCustomId(interaction.customId)) return;
    const target = decodeCustomId(interaction.customId);
    const context: CommandContext = { platform: 'discord', channel: channelOf(interaction.channelId), userId: interaction.user.id, groups: roleIdsOf(interaction.member) };
    if (!target) {
      if (services.access) auditInvalidButton('button', context, services.access);
      await interaction.reply({ ...replyOptions(renderTextReply(buttonExpiredText())), flags: MessageFlags.Ephemeral });
      return;
    }
    const { selection } = target;
    if (target.action === 'refresh') {
      // Acknowledge first; the message itself is edited once the clouds have answered.
      await interaction.deferUpdate();
      const result = await handleCommand({ type: 'query', ...selection }, context, services);
      if (result.type !== 'statuses') {
        await interaction.followUp({ ...replyOptions(resultReply(result)), flags: MessageFlags.Ephemeral });
        return;
      }
      remember(interaction, result.statuses);
      await interaction.editReply(replyOptions(renderQueryReply(result.statuses, result.failures)));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    let result: CommandResult;
    if (target.action === 'watch') {
      // One task: this very message becomes its card. Several: the engine posts one card each.
      const watchServices = taskCount(selection) === 1 ? withCardMessage(services, interaction.message.id) : services;
      result = await handleCommand({ type: 'watch', ...selection }, context, watchServices);
    } else {
      result = await handleCommand({ type: 'unwatch', ...selection }, context, services);
    }
    await interaction.editReply(replyOptions(resultReply(result)));
  };

  const onAutocomplete = async (interaction: AutocompleteInteraction): Promise<void> => {
    const focused = interaction.options.getFocused(true);
    if (interaction.commandName !== TASK_STATUS_COMMAND_NAME || focused.name !== OPTION_IDS) {
      await interaction.respond([]);
      return;
    }
    const typed = String(focused.value).slice(0, 4000);
    // Complete the last ID being typed; keep the ones before it.
    const tokens = typed.split(/[\s,]+/);
    const partial = tokens.pop() ?? '';
    const before = tokens.filter((token) => token.length > 0);
    const kindText = interaction.options.getString(OPTION_KIND, false);
    const kind = kindText ? resolveTaskKind(kindText) : null;
    const choices: { name: string; value: string }[] = [];
    for (const task of recent.suggest(guildKeyOf(interaction), partial, kind, MAX_AUTOCOMPLETE_CHOICES * 2)) {
      if (before.includes(task.id)) continue;
      const value = [...before, task.id].join(' ');
      if (value.length > 100) continue;
      choices.push({ name: cutText(plainDiscordText(`${task.id} (${task.kind})`), 100), value });
      if (choices.length >= MAX_AUTOCOMPLETE_CHOICES) break;
    }
    await interaction.respond(choices);
  };

  const onInteraction = async (interaction: Interaction): Promise<void> => {
    try {
      if (interaction.isChatInputCommand()) await onSlashCommand(interaction);
      else if (interaction.isAutocomplete()) await onAutocomplete(interaction);
      else if (interaction.isButton()) await onButton(interaction);
    } catch (error) {
      warn('Discord interaction failed', error);
      if (interaction.isRepliable() && (interaction.deferred || interaction.replied)) {
        try {
          await interaction.followUp({ ...replyOptions(renderTextReply(INTERNAL_ERROR_TEXT)), flags: MessageFlags.Ephemeral });
        } catch (followUpError) {
          warn('Could not tell the user about the failure', followUpError);
        }
      }
    }
  };

  client.on(Events.InteractionCreate, (interaction) => {
    void onInteraction(interaction);
  });
  client.on(Events.ClientReady, () => {
    ready = true;
  });
  client.on(Events.ShardReady, () => {
    ready = true;
  });
  client.on(Events.ShardResume, () => {
    ready = true;
  });
  client.on(Events.ShardDisconnect, () => {
    ready = false;
  });
  client.on(Events.ShardReconnecting, () => {
    ready = false;
  });
  client.on(Events.Error, (error) => {
    log.error(`Discord client error (${error.name})`);
  });
  client.on(Events.Warn, (message) => {
    log.warn(`Discord client warning: ${redactDiscordToken(message, config.token)}`);
  });

  return {
    notifier,
    get connected() {
      return ready;
    },
    start: async () => {
      const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
      let readyTimer: NodeJS.Timeout | undefined;
      const readyNow = new Promise<void>((resolve, reject) => {
        readyTimer = setTimeout(() => reject(new Error(`Discord gateway was not ready within ${readyTimeoutMs} ms.`)), readyTimeoutMs);
        client.once(Events.ClientReady, () => resolve());
      });
      try {
        await client.login(config.token);
        await readyNow;
      } catch (error) {
        void readyNow.catch(() => undefined);
        await client.destroy();
        const failure = readDiscordFailure(error);
        const reason = failure.status !== null ? describeDiscordFailure(failure) : redactDiscordToken(error instanceof Error ? error.message : String(error), config.token);
        // No `cause`: discord.js errors carry request details; the message says all that is safe.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(
          `Discord login failed (${reason}). Check DISCORD_TOKEN (Developer Portal > your application > Bot > Reset Token)${config.apiUrl ? ' and DISCORD_API_URL' : ''}.`,
        );
      } finally {
        // A refused login never gets ready: its timer must not outlive the attempt.
        clearTimeout(readyTimer);
      }
      ready = true;
      log.info(`Discord adapter started as ${client.user?.username ?? 'unknown user'}`);
    },
    stop: async () => {
      ready = false;
      await client.destroy();
    },
  };
}

/** The reply for any non-status result (status results are rendered as embeds), times in Discord's markup. */
function resultReply(result: CommandResult): DiscordMessage {
  if (result.type === 'statuses') return renderTextReply('Done.');
  return renderMarkdownReply(escapedWithTimes(discordTimeStyle, (time) => resultTextIn(result, time), escapeDiscordMarkdown));
}

/**
 * The member's role IDs, which access rules name as `discord-role:<id>`. A guild member from
 * the gateway carries a role manager; an uncached (API) member carries a plain ID array.
 */
function roleIdsOf(member: unknown): string[] {
  if (!member || typeof member !== 'object') return [];
  const roles = (member as { roles?: unknown }).roles;
  if (Array.isArray(roles)) return roles.filter((role): role is string => typeof role === 'string');
  const cache = (roles as { cache?: { keys(): Iterable<string> } } | undefined)?.cache;
  return cache ? [...cache.keys()] : [];
}
