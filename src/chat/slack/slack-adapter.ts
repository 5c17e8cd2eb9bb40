/**
 * The Slack surface: receives `/task-status` and button presses through Bolt (HTTP at
 * `POST /slack/events`, or Socket Mode when an app token is configured), acknowledges at
 * once, runs the shared command layer and renders its results as Block Kit.
 *
 * Rate limits (429): every web client here is built with `rejectRateLimitedCalls: true` and a
 * small retry policy, so a 429 is never waited out inside the process (the client's default
 * pauses its whole queue, every channel's calls included, for Retry-After, up to 10 times).
 * What happens instead:
 * - a query answer whose `chat.postMessage` gets a 429 is delivered at once through the
 *   command's `response_url` (not subject to the channel's posting limit) as an ephemeral
 *   message that says why and when to try again; nothing is retried later, so nothing is
 *   posted twice or out of order;
 * - a Refresh whose `chat.update` gets a 429 leaves the message as it is and tells the user,
 *   ephemerally, when to press again;
 * - the watch engine's notifier throws `NotifierRateLimitedError`, and the engine's
 *   notification queue delays that channel only;
 * - a `usergroups.list` that gets a 429 (or fails otherwise) leaves access checks with the last
 *   cached answer, or no groups (see `slack-user-groups.ts`).
 *
 * Slack user groups: when the access policy names a group (`"@handle"`), the groups of whoever
 * sends a command or presses a button are resolved after the ack, and passed as
 * `CommandContext.groups`. Without group rules no `usergroups.list` call is made, so the
 * `usergroups:read` scope is needed only by workspaces that use them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ExpressReceiver, SocketModeReceiver, type BlockAction, type BlockElementAction, type Logger as BoltLogger, type RespondArguments, type RespondFn } from '@slack/bolt';
import express, { Router } from 'express';
import { auditInvalidButton } from '../../accounts/command-access';
import { withCardMessage } from '../../commands/card-message';
import { handleCommand, runCommandText } from '../../commands/handle-command';
import { buttonExpiredText } from '../../commands/messages';
import type { CommandContext, CommandResult, CommandServices, TaskSelection } from '../../commands/types';
import type { SlackConfig } from './slack-settings';
import type { ChannelAddress, Notifier } from '../../jobs/notifier';
import { systemClock, type Clock } from '../../util/clock';
import { escapedWithTimes, resultTextIn, slackTimeStyle } from '../render/time-text';
import { renderMrkdwnReply, renderQueryReply, renderTextReply, REFRESH_ACTION_ID, WATCH_ACTION_ID, type SlackMessage } from './blocks';
import { escapeMrkdwn } from './mrkdwn';
import { decodeSelection } from './button-value';
import { createRedactingLogger } from './redacting-logger';
import { SILENT_LOGGER, type TaskwatchLogger } from '../../observability/taskwatch-logger';
import { requestTimestampGuard } from './request-timestamp-guard';
import { readSlackApiFailure, type SlackApiFailure } from './slack-api-failure';
import { SlackNotifier } from './slack-notifier';
import { SlackUserGroups } from './slack-user-groups';
import { createSlackWebClient, createSlackWebClientOptions, SLACK_NOTIFIER_RETRY_CONFIG } from './slack-web-client';

/** The slash command the manifest declares. */
export const SLASH_COMMAND = '/task-status';
/** Bolt's HTTP route for commands, interactivity and events. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Options for {@link createSlackAdapter}. */
export interface SlackAdapterOptions {
  readonly config: SlackConfig;
  readonly services: CommandServices;
  /**
   * HTTP mode: the application's shared Express app; `POST /slack/events` is mounted on it.
   * Without it, the adapter listens on its own server at `listen`.
   */
  readonly httpApp?: express.Application;
  /** HTTP mode without `httpApp`: where to listen (default 127.0.0.1, any free port). */
  readonly listen?: { readonly port?: number; readonly host?: string };
  /** Receives redacted log lines; silent when absent. */
  readonly logger?: Pick<TaskwatchLogger, 'info' | 'warn' | 'error'>;
  /** The clock the request timestamp guard and the user-group cache read (default the system clock). */
  readonly clock?: Clock;
  /**
   * How long a `usergroups.list` answer is reused (default 5 minutes). Used only when the access
   * policy names Slack user groups.
   */
  readonly userGroupsCacheMs?: number;
  /** The notifier to expose (default one of its own): lets the watch engine post before the adapter exists. */
  readonly notifier?: Notifier;
}

/** A running (or startable) Slack surface. */
export interface SlackAdapter {
  /** Verifies the bot token (`auth.test`), then connects (Socket Mode) or starts accepting requests (HTTP). */
  start(): Promise<void>;
  /** Stops accepting requests and disconnects. */
  stop(): Promise<void>;
  /** Posts watch cards and thread replies into Slack. */
  readonly notifier: Notifier;
  /** HTTP mode: started and not stopped. Socket Mode: the websocket is connected. */
  readonly connected: boolean;
  readonly mode: 'http' | 'socket';
  /** The adapter's own HTTP server address, when it runs one (HTTP mode without `httpApp`). */
  readonly address: AddressInfo | null;
}

const RESPOND_FAILED = 'Could not answer through Slack';

function channelOf(channelId: string): ChannelAddress {
  return { platform: 'slack', channelId };
}

/** A button press, read: what it acts on, where, and by whom. */
interface ButtonPress {
  readonly selection: TaskSelection;
  readonly channelId: string;
  /** The message the button sits on; null when Slack did not say. */
  readonly messageTs: string | null;
  readonly userId: string;
}

/** One button's handler: its action ID, how an unreadable press is audited and answered, and what a press does. */
interface SlackButtonHandler {
  readonly actionId: string;
  /** The button's name in the audit line of an unreadable press. */
  readonly auditName: string;
  /** The command an unreadable press is told to run again, beyond the query. */
  readonly expiredSubcommand?: 'watch';
  /** Whether a press without its message cannot be run (Refresh edits that message). */
  readonly needsMessage: boolean;
  run(press: ButtonPress, context: CommandContext, respond: RespondFn, client: App['client']): Promise<void>;
}

/** Reads a press of one of our buttons; null when its value, channel or user cannot be read. */
function parseButtonPress(body: BlockAction, action: BlockElementAction): ButtonPress | null {
  const selection = action.type === 'button' ? decodeSelection(action.value ?? '') : null;
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const messageTs = body.message?.ts ?? body.container?.message_ts;
  if (!selection || typeof channelId !== 'string') return null;
  return { selection, channelId, messageTs: typeof messageTs === 'string' ? messageTs : null, userId: body.user.id };
}

function ephemeral(message: SlackMessage): RespondArguments {
  return { response_type: 'ephemeral', replace_original: false, text: message.text, blocks: [...message.blocks] };
}

function fallbackNote(failure: SlackApiFailure): string {
  if (failure.reason === 'rate_limited') {
    const seconds = Math.max(1, Math.ceil((failure.retryAfterMs ?? 1000) / 1000));
    return `Slack is limiting how fast messages can be posted in this channel, so this answer is shown only to you. Try again in ${seconds} s to share it in the channel.`;
  }
  if (failure.reason === 'not_in_channel' || failure.reason === 'channel_not_found') {
    return 'taskwatch cannot post in this conversation, so this answer is shown only to you. Invite the app to the channel (/invite @taskwatch) to share answers there.';
  }
  if (failure.reason === 'is_archived') return 'This channel is archived, so this answer is shown only to you.';
  return 'Slack did not accept the channel message, so this answer is shown only to you.';
}

/** Creates the Slack surface. Nothing connects or listens until {@link SlackAdapter.start}. */
export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { config, services } = options;
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? SILENT_LOGGER;
  const secrets = [config.botToken, config.signingSecret, config.appToken].filter((secret): secret is string => Boolean(secret));
  const boltLogger: BoltLogger = createRedactingLogger(log, secrets);
  const mode: 'http' | 'socket' = config.appToken ? 'socket' : 'http';

  let accepting = false;
  let socketConnected = false;
  let ownServer: Server | null = null;
  let ownApp: express.Application | null = null;

  let receiver: ExpressReceiver | SocketModeReceiver;
  if (mode === 'socket') {
    const socketReceiver = new SocketModeReceiver({
      appToken: config.appToken as string,
      logger: boltLogger,
      // apps.connections.open goes to the same API base URL; its own copy, because the
      // socket client fills in missing options on the object it is given.
      installerOptions: { clientOptions: createSlackWebClientOptions(config) },
    });
    socketReceiver.client.on('connected', () => {
      socketConnected = true;
    });
    for (const state of ['reconnecting', 'disconnecting', 'disconnected']) {
      socketReceiver.client.on(state, () => {
        socketConnected = false;
      });
    }
    receiver = socketReceiver;
  } else {
    if (!config.signingSecret) {
      throw new Error('Slack HTTP mode needs SLACK_SIGNING_SECRET (Basic Information > Signing Secret), or set SLACK_APP_TOKEN for Socket Mode.');
    }
    const router = Router();
    // Runs before Bolt's signature check, so a refused request reaches nothing else.
    router.use(SLACK_EVENTS_PATH, (_request, response, next) => {
      if (!accepting) {
        response.status(503).send();
        return;
      }
      next();
    });
    router.use(SLACK_EVENTS_PATH, requestTimestampGuard(clock));
    if (!options.httpApp) ownApp = express();
    receiver = new ExpressReceiver({
      signingSecret: config.signingSecret,
      logger: boltLogger,
      endpoints: SLACK_EVENTS_PATH,
      router,
      app: options.httpApp ?? (ownApp as express.Application),
    });
  }

  const app = new App({
    token: config.botToken,
    receiver,
    logger: boltLogger,
    clientOptions: createSlackWebClientOptions(config),
    // auth.test runs in start(), where a refused token can fail start-up with a clear message.
    deferInitialization: true,
  });
  // Its own client: the notification queue retries failed posts, so this one does not (see SLACK_NOTIFIER_RETRY_CONFIG).
  const notifier = options.notifier ?? new SlackNotifier({ client: createSlackWebClient(config, boltLogger, SLACK_NOTIFIER_RETRY_CONFIG) });
  const userGroups = services.access?.policy.namesSlackGroups
    ? new SlackUserGroups({ client: app.client, clock, logger: log, ...(options.userGroupsCacheMs !== undefined ? { cacheMs: options.userGroupsCacheMs } : {}) })
    : null;

  /** The groups of `userId` for access checks; empty when no access rule names a Slack group. */
  const groupsOf = async (userId: string): Promise<string[]> => (userGroups ? userGroups.groupsOf(userId) : []);

  const respondSafely = async (respond: RespondFn, message: RespondArguments): Promise<void> => {
    try {
      await respond(message);
    } catch (error) {
      log.warn(`${RESPOND_FAILED}: ${readSlackApiFailure('response_url', error).reason}`);
    }
  };

  /** Posts a query answer in the channel, or falls back to an ephemeral answer (see the module comment). */
  const postStatuses = async (
    result: Extract<CommandResult, { type: 'statuses' }>,
    channelId: string,
    respond: RespondFn,
    client: App['client'],
  ): Promise<void> => {
    const message = renderQueryReply(result.statuses, result.failures);
    try {
      await client.chat.postMessage({ channel: channelId, text: message.text, blocks: [...message.blocks], unfurl_links: false, unfurl_media: false });
    } catch (error) {
      const failure = readSlackApiFailure('chat.postMessage', error);
      log.warn(`Slack chat.postMessage failed (${failure.reason}); answering ephemerally instead`);
      await respondSafely(respond, ephemeral(renderQueryReply(result.statuses, result.failures, { buttons: false, note: fallbackNote(failure) })));
    }
  };

  /** The reply to anything but a query's statuses: the command layer's text, only to the asker. */
  const answerEphemerally = async (result: Exclude<CommandResult, { type: 'statuses' }>, respond: RespondFn): Promise<void> => {
    await respondSafely(respond, ephemeral(renderMrkdwnReply(escapedWithTimes(slackTimeStyle, (time) => resultTextIn(result, time), escapeMrkdwn))));
  };

  const answer = async (result: CommandResult, channelId: string, respond: RespondFn, client: App['client']): Promise<void> => {
    if (result.type === 'statuses') {
      await postStatuses(result, channelId, respond, client);
      return;
    }
    await answerEphemerally(result, respond);
  };

  /** A press whose value could not be read leaves a trace too: a forged value is an attempt. */
  const auditButton = (button: string, channelId: unknown, userId: string): void => {
    if (!services.access) return;
    const channel = channelOf(typeof channelId === 'string' ? channelId : 'unknown');
    auditInvalidButton(button, { platform: 'slack', channel, userId, groups: [] }, services.access);
  };

  /**
   * Every button, one handler each (parse, then run, as Sapphire's interaction handlers do):
   * acknowledged at once, its value read back into a selection (an unreadable one is audited and
   * refused), then run through `handleCommand` with the presser as the principal, so a press
   * passes the same access gate, limits, audit and metrics as the typed command.
   */
  const onButton = (handler: SlackButtonHandler): void => {
    app.action({ type: 'block_actions', action_id: handler.actionId }, async ({ ack, body, action, respond, client }) => {
      await ack();
      const press = parseButtonPress(body, action);
      if (!press || (handler.needsMessage && press.messageTs === null)) {
        auditButton(handler.auditName, body.channel?.id ?? body.container?.channel_id, body.user.id);
        await respondSafely(respond, ephemeral(renderTextReply(buttonExpiredText(handler.expiredSubcommand))));
        return;
      }
      const context: CommandContext = { platform: 'slack', channel: channelOf(press.channelId), userId: press.userId, groups: await groupsOf(press.userId) };
      await handler.run(press, context, respond, client);
    });
  };

  app.command(SLASH_COMMAND, async ({ command, ack, respond, client }) => {
    // Slack gives three seconds; the query may take longer, so the ack goes first and empty.
    await ack();
    const context: CommandContext = { platform: 'slack', channel: channelOf(command.channel_id), userId: command.user_id, groups: await groupsOf(command.user_id) };
    const result = await runCommandText(command.text ?? '', context, services);
    await answer(result, command.channel_id, respond, client);
  });

  onButton({
    actionId: REFRESH_ACTION_ID,
    auditName: 'refresh',
    needsMessage: true,
    run: async (press, context, respond, client) => {
      const result = await handleCommand({ type: 'query', ...press.selection }, context, services);
      if (result.type !== 'statuses') {
        await answerEphemerally(result, respond);
        return;
      }
      const message = renderQueryReply(result.statuses, result.failures);
      try {
        await client.chat.update({ channel: press.channelId, ts: press.messageTs as string, text: message.text, blocks: [...message.blocks] });
      } catch (error) {
        const failure = readSlackApiFailure('chat.update', error);
        log.warn(`Slack chat.update failed (${failure.reason})`);
        const text =
          failure.reason === 'rate_limited'
            ? `Slack is limiting updates in this channel; press Refresh again in ${Math.max(1, Math.ceil((failure.retryAfterMs ?? 1000) / 1000))} s.`
            : 'Slack did not let taskwatch update this message; run /task-status again.';
        await respondSafely(respond, ephemeral(renderTextReply(text)));
      }
    },
  });

  onButton({
    actionId: WATCH_ACTION_ID,
    auditName: 'watch',
    expiredSubcommand: 'watch',
    needsMessage: false,
    run: async (press, context, respond) => {
      // One task: this very message becomes its card. Several: each gets a card of its own, as
      // on Discord; a card shows one task, so sharing this message would overwrite the others.
      const ownCard = Math.max(1, press.selection.ids.length) === 1 && press.messageTs !== null;
      const watchServices = ownCard ? withCardMessage(services, press.messageTs as string) : services;
      const result = await handleCommand({ type: 'watch', ...press.selection }, context, watchServices);
      if (result.type === 'statuses') throw new Error('a watch answered with statuses');
      if (result.type !== 'watching') {
        await answerEphemerally(result, respond);
        return;
      }
      const count = result.watches.length;
      const where = ownCard ? "in this message's thread" : "in the thread of the task's own status card";
      await respondSafely(respond, ephemeral(renderTextReply(`Watching ${count} ${count === 1 ? 'task' : 'tasks'}: each state change will be posted ${where}.`)));
    },
  });

  app.error(async (error) => {
    // Bolt's coded errors wrap listener errors; only their names and codes are logged.
    const code = (error as { code?: unknown }).code;
    log.error(`Slack listener failed (${error.name}${typeof code === 'string' ? `, ${code}` : ''})`);
  });

  return {
    mode,
    notifier,
    get connected() {
      return mode === 'socket' ? socketConnected : accepting;
    },
    get address() {
      const address = ownServer?.address();
      return address && typeof address === 'object' ? address : null;
    },
    start: async () => {
      try {
        await app.init();
      } catch (error) {
        const failure = readSlackApiFailure('auth.test', error);
        // No `cause`: the web client's error can carry the request URL and response; the reason word says enough.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(
          `Slack refused the bot token at start-up (auth.test: ${failure.reason}). Check SLACK_BOT_TOKEN (OAuth & Permissions > Bot User OAuth Token)${config.apiUrl ? ' and SLACK_API_URL' : ''}.`,
        );
      }
      if (mode === 'socket') {
        await app.start();
        return;
      }
      if (ownApp) {
        const server = createServer(ownApp);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(options.listen?.port ?? 0, options.listen?.host ?? '127.0.0.1', () => resolve());
        });
        ownServer = server;
      }
      accepting = true;
      log.info(`Slack adapter started (${mode} mode)`);
    },
    stop: async () => {
      accepting = false;
      if (mode === 'socket') {
        await app.stop();
        socketConnected = false;
        return;
      }
      const server = ownServer;
      ownServer = null;
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
