/**
 * A local fake of Discord for tests that drive the real discord.js 14 client: REST under
 * `/api/v10` and a gateway websocket on the same loopback port. It answers the way Discord does on
 * the wire (JSON errors with numeric `code`, 429 with `retry_after` and rate-limit headers, 401
 * `Invalid Webhook Token` for expired interaction tokens) and records every REST call in order.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, type GatewayFrame } from './fake-gateway';
import { commandSetProblems, invalidFormBody, isEmptyMessage, messageProblems } from './limits';
import {
  ALL_PERMISSIONS,
  botUser,
  guildCreatePayload,
  humanUser,
  interactionMember,
  nextSnowflake,
  publicThread,
  textChannel,
  type ApiChannel,
  type ApiMessage,
  type ApiUser,
  type FakeGuild,
} from './payloads';

export type { ApiChannel, ApiMessage, ApiUser, FakeGuild } from './payloads';
export type { GatewayFrame } from './fake-gateway';

/** One REST call the fake received. */
export interface RecordedDiscordCall {
  /** Position in arrival order, starting at 1. */
  readonly sequence: number;
  /** HTTP method, upper case. */
  readonly method: string;
  /** Path after `/api/v10`, percent-decoded: `/webhooks/APP/TOKEN/messages/@original`. */
  readonly path: string;
  /** Path exactly as received (with `%40original`), without the query. */
  readonly rawPath: string;
  readonly query: Record<string, string>;
  /** Parsed JSON body (or `payload_json` of a multipart body); null when there was none. */
  readonly body: unknown;
  /** Whether it carried the bot token (`Authorization: Bot <token>`); the token itself is never kept. */
  readonly authenticated: boolean;
  /** What the fake answered. */
  readonly status: number;
}

/** A scripted rate limit: the next `times` calls that match get HTTP 429. */
export interface RateLimitRule {
  /** HTTP method to match; default any. */
  readonly method?: string;
  /** Matches `RecordedDiscordCall.path`: a prefix string or a regular expression. */
  readonly path: string | RegExp;
  /** How many calls to refuse; default 1. */
  readonly times?: number;
  /** Seconds in `retry_after` and `Retry-After`; default 0.05 so tests stay quick. */
  readonly retryAfterSeconds?: number;
  /** Whether it is the global limit (`X-RateLimit-Global`). */
  readonly global?: boolean;
}

/** A scripted outage: matching calls get an HTTP error until cleared (or `times` ran out). */
export interface FailureRule {
  readonly method?: string;
  /** Matches `RecordedDiscordCall.path`: a prefix string or a regular expression. */
  readonly path: string | RegExp;
  /** The HTTP status, e.g. 503 as in a Discord outage. */
  readonly status: number;
  /** How many calls to refuse; default every call until {@link FakeDiscord.clearFailures}. */
  readonly times?: number;
}

/** An interaction the fake sent, and what the bot has done with it. */
export interface FakeInteraction {
  readonly id: string;
  readonly token: string;
  /** 2 application command, 3 component, 4 autocomplete. */
  readonly type: number;
  readonly channelId: string;
  readonly guildId: string;
  readonly userId: string;
  /** The callback type the bot answered with (5 deferred, 4 message, 8 autocomplete, ...), or null. */
  callbackType: number | null;
  /** ID of the original response message, once there is one. */
  originalMessageId: string | null;
  /** Choices the bot answered an autocomplete with. */
  autocompleteChoices: { name: string; value: string | number }[] | null;
  /** Whether its token has expired (see `expireInteractionTokens`). */
  expired: boolean;
  /** The full INTERACTION_CREATE payload that was sent. */
  readonly payload: Record<string, unknown>;
}

/** An option value for the interaction helpers: a plain value (type inferred) or an explicit API option. */
export type InteractionOptionValue = string | number | boolean | { type: number; value: string | number | boolean };

/** Input of {@link FakeDiscord.slashCommand} and {@link FakeDiscord.autocomplete}. */
export interface SlashCommandInput {
  /** Command name; default `task-status`. */
  readonly name?: string;
  readonly subcommand?: string;
  /** Options by name; strings are type 3, integers 4, other numbers 10, booleans 5. */
  readonly options?: Record<string, InteractionOptionValue>;
  readonly channelId?: string;
  readonly guildId?: string;
  readonly userId?: string;
  readonly locale?: string;
  /** Role IDs of the member who runs the command (roles must exist in the guild). */
  readonly roles?: readonly string[];
}

/** Input of {@link FakeDiscord.autocomplete}. */
export interface AutocompleteInput extends SlashCommandInput {
  /** Name of the option being typed into. */
  readonly focused: string;
}

/** Input of {@link FakeDiscord.buttonClick}. */
export interface ButtonClickInput {
  readonly customId: string;
  /** The message that carries the button; it must be one the fake stores. */
  readonly messageId: string;
  /** Default: the message's channel. */
  readonly channelId?: string;
  readonly userId?: string;
}

/** Options of {@link startFakeDiscord}. */
export interface FakeDiscordOptions {
  /** Bot token REST and the gateway accept; default `fake-discord-bot-token`. */
  readonly token?: string;
  readonly applicationId?: string;
  readonly botUserId?: string;
  readonly botUsername?: string;
  /** Guilds the bot is in; default one guild with a `general` channel. */
  readonly guilds?: FakeGuild[];
  /** Heartbeat interval sent in HELLO; default 41250 ms as Discord sends. */
  readonly heartbeatIntervalMs?: number;
  /** Enforce Discord's per-channel message limit (about 5 per 5 s); off by default. */
  readonly channelMessageLimit?: { readonly count: number; readonly windowMs: number } | null;
}

/** A running fake Discord. */
export interface FakeDiscord {
  /** REST base for discord.js: `new Client({ rest: { api: fake.apiUrl } })`; discord.js appends `/v10`. */
  readonly apiUrl: string;
  /** The gateway URL that `GET /gateway/bot` hands out. */
  readonly gatewayUrl: string;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: ApiUser;
  readonly guilds: readonly FakeGuild[];
  /** Every REST call in arrival order. */
  readonly calls: readonly RecordedDiscordCall[];
  /** Every gateway frame in and out, in order (opcodes and event names only). */
  readonly gatewayFrames: readonly GatewayFrame[];
  /** Every message by ID, including ephemeral ones and those in threads. */
  readonly messages: ReadonlyMap<string, ApiMessage>;
  /** Guild channels and threads by ID. */
  readonly channels: ReadonlyMap<string, ApiChannel>;
  /** Interactions sent so far, by ID. */
  readonly interactions: ReadonlyMap<string, FakeInteraction>;
  /** Registered commands: global and per guild, as last PUT (with assigned IDs). */
  readonly commands: { readonly global: readonly Record<string, unknown>[]; readonly guild: ReadonlyMap<string, readonly Record<string, unknown>[]> };
  /** Non-ephemeral messages of a channel or thread, oldest first. */
  messagesIn(channelId: string): ApiMessage[];
  /** Resolves with the first gateway frame (past or future) that matches, with its index; bounded. */
  waitForGatewayFrame(predicate: (frame: GatewayFrame, index: number) => boolean, timeoutMs?: number): Promise<GatewayFrame>;
  /** Resolves when a gateway session is identified; bounded. */
  waitForGatewaySession(timeoutMs?: number): Promise<void>;
  /** Sends INTERACTION_CREATE with this exact payload. */
  sendInteraction(payload: Record<string, unknown>): Promise<void>;
  /** Sends a chat-input command interaction. */
  slashCommand(input?: SlashCommandInput): Promise<FakeInteraction>;
  /** Sends an autocomplete interaction with `focused` marked. */
  autocomplete(input: AutocompleteInput): Promise<FakeInteraction>;
  /** Sends a button click on a stored message. */
  buttonClick(input: ButtonClickInput): Promise<FakeInteraction>;
  /** Resolves with the first recorded call (past or future) that matches; rejects after `timeoutMs`. */
  waitForCall(predicate: (call: RecordedDiscordCall) => boolean, timeoutMs?: number): Promise<RecordedDiscordCall>;
  /** Refuses the next matching calls with 429. */
  rateLimit(rule: RateLimitRule): void;
  /** Refuses matching calls with an HTTP error (a 503 outage of a channel, say). */
  fail(rule: FailureRule): void;
  /** Ends every scripted failure. */
  clearFailures(): void;
  /** Makes thread creation answer 403 Missing Permissions (code 50013), or allows it again. */
  denyThreadCreation(denied?: boolean): void;
  /** Expires the tokens of every interaction so far: webhook calls get 401 Invalid Webhook Token (50027). */
  expireInteractionTokens(): void;
  /** Dispatches any gateway event to connected sessions. */
  dispatch(eventName: string, data: unknown): void;
  /** Closes every gateway connection with `code` (e.g. 4000 to make the client resume). */
  disconnectGateway(code?: number): void;
  close(): Promise<void>;
}

interface MutableInteraction extends FakeInteraction {
  applicationId: string;
}

interface RouteContext {
  readonly method: string;
  readonly segments: string[];
  readonly query: Record<string, string>;
  readonly body: unknown;
  readonly authenticated: boolean;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const DEFAULT_GUILD: FakeGuild = { id: '1200000000000000001', name: 'Fake Guild', channels: [{ id: '1300000000000000001', name: 'general' }] };
const DEFAULT_USER_ID = '1400000000000000001';
const EPHEMERAL = 64;
const LOADING = 128;
const BODY_LIMIT = 8 * 1024 * 1024;

function error(status: number, code: number, message: string, extra: Record<string, unknown> = {}): Reply {
  return { status, body: { message, code, ...extra } };
}

const UNKNOWN_MESSAGE = (): Reply => error(404, 10008, 'Unknown Message');
const UNKNOWN_CHANNEL = (): Reply => error(404, 10003, 'Unknown Channel');

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function buildOption(name: string, value: InteractionOptionValue, focused: boolean): Record<string, unknown> {
  const explicit = typeof value === 'object' ? value : null;
  const plain = explicit === null ? value : explicit.value;
  let type: number;
  if (explicit !== null) type = explicit.type;
  else if (typeof plain === 'string') type = 3;
  else if (typeof plain === 'boolean') type = 5;
  else type = Number.isInteger(plain) ? 4 : 10;
  return focused ? { type, name, value: plain, focused: true } : { type, name, value: plain };
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return null;
  const text = raw.toString('utf8');
  if (contentType?.startsWith('application/json') === true) return JSON.parse(text) as unknown;
  if (contentType?.startsWith('multipart/form-data') === true) {
    // discord.js sends files as multipart with the JSON in a `payload_json` part.
    const match = /name="payload_json"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/.exec(text);
    return match?.[1] !== undefined ? (JSON.parse(match[1]) as unknown) : text;
  }
  return text;
}

/** Starts a fake Discord on a free loopback port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? 'fake-discord-bot-token';
  const applicationId = options.applicationId ?? '1100000000000000001';
  const bot = botUser(options.botUserId ?? '1100000000000000002', options.botUsername ?? 'taskwatch');
  const guilds = (options.guilds ?? [DEFAULT_GUILD]).map((guild) => ({ ...guild, channels: [...guild.channels] }));
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  const channelMessageLimit = options.channelMessageLimit ?? null;

  const calls: RecordedDiscordCall[] = [];
  const messages = new Map<string, ApiMessage>();
  const channels = new Map<string, ApiChannel>();
  const interactions = new Map<string, MutableInteraction>();
  const interactionsByToken = new Map<string, MutableInteraction>();
  const commands = { global: [] as Record<string, unknown>[], guild: new Map<string, Record<string, unknown>[]>() };
  const commandIds = new Map<string, string>();
  const rateLimits: { rule: RateLimitRule; remaining: number }[] = [];
  const failures: { rule: FailureRule; remaining: number }[] = [];
  const channelSends = new Map<string, number[]>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let threadCreationDenied = false;
  let sequence = 0;

  for (const guild of guilds) {
    guild.channels.forEach((channel, index) => channels.set(channel.id, textChannel(guild.id, channel.id, channel.name, index)));
  }

  let port = 0;
  const baseUrl = (): string => `http://127.0.0.1:${port}`;
  const gatewayUrl = (): string => `ws://127.0.0.1:${port}`;

  const gateway = new FakeGateway({
    token,
    heartbeatIntervalMs,
    resumeUrl: gatewayUrl,
    readyPayload: () => ({
      v: 10,
      user: { ...bot, verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      shard: [0, 1],
      application: { id: applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['us-west'],
      user_settings: {},
      auth: {},
      _trace: ['["fake-gateway"]'],
    }),
    guildCreatePayloads: () =>
      guilds.map((guild) =>
        guildCreatePayload(
          guild,
          [...channels.values()].filter((channel) => channel.guild_id === guild.id && channel.type === 0),
          bot,
        ),
      ),
  });

  function record(call: Omit<RecordedDiscordCall, 'sequence'>): void {
    sequence += 1;
    const recorded = { sequence, ...call };
    calls.push(recorded);
    events.emit('call', recorded);
  }

  function newMessage(channelId: string, fields: Partial<ApiMessage>): ApiMessage {
    const channel = channels.get(channelId);
    const message: ApiMessage = {
      id: nextSnowflake(),
      type: 0,
      channel_id: channelId,
      ...(channel?.guild_id !== undefined ? { guild_id: channel.guild_id } : {}),
      author: bot,
      content: '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      flags: 0,
      ...fields,
    };
    messages.set(message.id, message);
    if (channel !== undefined && (message.flags & EPHEMERAL) === 0) {
      channel.last_message_id = message.id;
      if (channel.type === 11) {
        channel.message_count = (channel.message_count ?? 0) + 1;
        channel.total_message_sent = (channel.total_message_sent ?? 0) + 1;
      }
    }
    return message;
  }

  /** Applies the editable fields of a create/edit body to a message. */
  function applyContent(message: ApiMessage, body: Record<string, unknown>): void {
    if (typeof body['content'] === 'string') message.content = body['content'];
    if (Array.isArray(body['embeds'])) message.embeds = body['embeds'] as unknown[];
    if (Array.isArray(body['components'])) message.components = body['components'] as unknown[];
    if (typeof body['flags'] === 'number') message.flags = (message.flags & (EPHEMERAL | LOADING)) | (body['flags'] & ~(EPHEMERAL | LOADING));
  }

  function validateMessage(body: Record<string, unknown>, creating: boolean): Reply | null {
    const problems = messageProblems(body);
    if (problems.length > 0) return { status: 400, body: invalidFormBody(problems) };
    if (creating && isEmptyMessage(body)) return error(400, 50006, 'Cannot send an empty message');
    return null;
  }

  function interactionResponseMessage(interaction: MutableInteraction, flags: number): ApiMessage {
    return newMessage(interaction.channelId, {
      type: interaction.type === 2 ? 20 : 0,
      flags,
      webhook_id: applicationId,
      application_id: applicationId,
      interaction_metadata: {
        id: interaction.id,
        type: interaction.type,
        user: asRecord(asRecord(interaction.payload['member'])['user']),
        authorizing_integration_owners: { '0': interaction.guildId },
      },
    });
  }

  // --- route handlers -------------------------------------------------------------------------

  function interactionCallback(context: RouteContext, interactionId: string, interactionToken: string): Reply {
    const interaction = interactions.get(interactionId);
    if (interaction === undefined || interaction.token !== interactionToken || interaction.expired) return error(404, 10062, 'Unknown interaction');
    if (interaction.callbackType !== null) return error(400, 40060, 'Interaction has already been acknowledged.');
    const body = asRecord(context.body);
    const data = asRecord(body['data']);
    const type = body['type'];
    let message: ApiMessage | null = null;
    switch (type) {
      case 1:
        break;
      case 4: {
        const invalid = validateMessage(data, true);
        if (invalid !== null) return invalid;
        message = interactionResponseMessage(interaction, typeof data['flags'] === 'number' ? data['flags'] & EPHEMERAL : 0);
        applyContent(message, data);
        break;
      }
      case 5:
        message = interactionResponseMessage(interaction, LOADING | (typeof data['flags'] === 'number' ? data['flags'] & EPHEMERAL : 0));
        break;
      case 6:
      case 7: {
        if (interaction.type !== 3) return error(400, 40043, 'Interaction response type is not valid for this interaction type');
        const messageId = asRecord(interaction.payload['message'])['id'];
        message = typeof messageId === 'string' ? (messages.get(messageId) ?? null) : null;
        if (message === null) return UNKNOWN_MESSAGE();
        if (type === 7) {
          const invalid = validateMessage(data, false);
          if (invalid !== null) return invalid;
          applyContent(message, data);
          message.edited_timestamp = new Date().toISOString();
        }
        break;
      }
      case 8: {
        if (interaction.type !== 4) return error(400, 40043, 'Interaction response type is not valid for this interaction type');
        const choices = Array.isArray(data['choices']) ? (data['choices'] as { name: string; value: string | number }[]) : [];
        const problems = choices.length > 25 ? [{ path: 'data.choices', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' }] : [];
        choices.forEach((choice, index) => {
          if (typeof choice.name !== 'string' || choice.name.length < 1 || choice.name.length > 100) {
            problems.push({ path: `data.choices.${index}.name`, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
          }
          if (typeof choice.value === 'string' && choice.value.length > 100) {
            problems.push({ path: `data.choices.${index}.value`, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 100 or fewer in length.' });
          }
        });
        if (problems.length > 0) return { status: 400, body: invalidFormBody(problems) };
        interaction.autocompleteChoices = choices;
        break;
      }
      case 9:
        break;
      default:
        return { status: 400, body: invalidFormBody([{ path: 'type', code: 'BASE_TYPE_CHOICES', message: 'Value must be one of (1, 4, 5, 6, 7, 8, 9, 10, 12).' }]) };
    }
    interaction.callbackType = type;
    if (message !== null) interaction.originalMessageId = message.id;
    if (context.query['with_response'] !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: {
          id: interaction.id,
          type: interaction.type,
          response_message_id: message?.id,
          response_message_loading: message !== null ? (message.flags & LOADING) !== 0 : undefined,
          response_message_ephemeral: message !== null ? (message.flags & EPHEMERAL) !== 0 : undefined,
        },
        resource: { type, ...(message !== null && type !== 6 ? { message } : {}) },
      },
    };
  }

  function webhook(context: RouteContext, webhookApplicationId: string, webhookToken: string, messageSelector: string | null): Reply {
    const interaction = interactionsByToken.get(webhookToken);
    if (interaction === undefined || webhookApplicationId !== applicationId) return error(404, 10015, 'Unknown Webhook');
    if (interaction.expired) return error(401, 50027, 'Invalid Webhook Token');
    const body = asRecord(context.body);
    if (messageSelector === null) {
      if (context.method !== 'POST') return error(405, 0, '405: Method Not Allowed');
      if (interaction.callbackType === null) return error(400, 10062, 'Unknown interaction');
      const invalid = validateMessage(body, true);
      if (invalid !== null) return invalid;
      const original = interaction.originalMessageId !== null ? messages.get(interaction.originalMessageId) : undefined;
      // Documented quirk: the first followup after a deferred reply edits the "thinking" message.
      if (original !== undefined && (original.flags & LOADING) !== 0) {
        original.flags &= ~LOADING;
        applyContent(original, body);
        return { status: 200, body: original };
      }
      const flags = typeof body['flags'] === 'number' ? body['flags'] & EPHEMERAL : 0;
      const followup = interactionResponseMessage(interaction, flags);
      applyContent(followup, body);
      return { status: 200, body: followup };
    }
    const messageId = messageSelector === '@original' ? interaction.originalMessageId : messageSelector;
    const message = messageId !== null ? messages.get(messageId) : undefined;
    if (message === undefined || message.webhook_id !== applicationId) return UNKNOWN_MESSAGE();
    switch (context.method) {
      case 'GET':
        return { status: 200, body: message };
      case 'PATCH': {
        const invalid = validateMessage(body, false);
        if (invalid !== null) return invalid;
        applyContent(message, body);
        message.flags &= ~LOADING;
        message.edited_timestamp = new Date().toISOString();
        if (isEmptyMessage(message as unknown as Record<string, unknown>)) return error(400, 50006, 'Cannot send an empty message');
        return { status: 200, body: message };
      }
      case 'DELETE':
        messages.delete(message.id);
        return { status: 204 };
      default:
        return error(405, 0, '405: Method Not Allowed');
    }
  }

  function channelLimited(channelId: string): Reply | null {
    if (channelMessageLimit === null) return null;
    const now = Date.now();
    const recent = (channelSends.get(channelId) ?? []).filter((at) => at > now - channelMessageLimit.windowMs);
    channelSends.set(channelId, recent);
    if (recent.length >= channelMessageLimit.count) {
      const retryAfter = Math.max(0.001, ((recent[0] ?? now) + channelMessageLimit.windowMs - now) / 1000);
      return tooManyRequests(retryAfter, false, `channel-${channelId}`, channelMessageLimit.count);
    }
    recent.push(now);
    return null;
  }

  function createChannelMessage(context: RouteContext, channelId: string): Reply {
    const channel = channels.get(channelId);
    if (channel === undefined) return UNKNOWN_CHANNEL();
    if (channel.thread_metadata?.archived === true) return error(400, 50083, 'Thread is archived');
    const body = asRecord(context.body);
    const invalid = validateMessage(body, true);
    if (invalid !== null) return invalid;
    const limited = channelLimited(channelId);
    if (limited !== null) return limited;
    const reference = asRecord(body['message_reference']);
    const referenced = typeof reference['message_id'] === 'string' ? messages.get(reference['message_id']) : undefined;
    if (typeof reference['message_id'] === 'string' && referenced === undefined && reference['fail_if_not_exists'] !== false) {
      return { status: 400, body: invalidFormBody([{ path: 'message_reference', code: 'REPLIES_UNKNOWN_MESSAGE', message: 'Unknown message' }]) };
    }
    const message = newMessage(channelId, {
      type: referenced !== undefined ? 19 : 0,
      ...(referenced !== undefined ? { message_reference: { type: 0, message_id: referenced.id, channel_id: referenced.channel_id, guild_id: referenced.guild_id } } : {}),
    });
    applyContent(message, body);
    return { status: 200, body: message };
  }

  function editChannelMessage(context: RouteContext, channelId: string, messageId: string): Reply {
    if (!channels.has(channelId)) return UNKNOWN_CHANNEL();
    const message = messages.get(messageId);
    if (message === undefined || message.channel_id !== channelId || (message.flags & EPHEMERAL) !== 0) return UNKNOWN_MESSAGE();
    if (context.method === 'GET') return { status: 200, body: message };
    if (message.author.id !== bot.id) return error(403, 50005, 'Cannot edit a message authored by another user');
    const body = asRecord(context.body);
    const invalid = validateMessage(body, false);
    if (invalid !== null) return invalid;
    applyContent(message, body);
    message.edited_timestamp = new Date().toISOString();
    return { status: 200, body: message };
  }

  function startThread(context: RouteContext, channelId: string, messageId: string): Reply {
    const channel = channels.get(channelId);
    if (channel === undefined) return UNKNOWN_CHANNEL();
    const message = messages.get(messageId);
    if (message === undefined || message.channel_id !== channelId || (message.flags & EPHEMERAL) !== 0) return UNKNOWN_MESSAGE();
    if (threadCreationDenied) return error(403, 50013, 'Missing Permissions');
    if (channel.type !== 0) return error(400, 50024, 'Cannot execute action on this channel type');
    if (message.thread !== undefined) return error(400, 160004, 'A thread has already been created for this message');
    const body = asRecord(context.body);
    const name = body['name'];
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
      return { status: 400, body: invalidFormBody([{ path: 'name', code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }]) };
    }
    const archive = typeof body['auto_archive_duration'] === 'number' ? body['auto_archive_duration'] : 4320;
    const thread = publicThread(channel, message.id, name, bot.id, archive);
    channels.set(thread.id, thread);
    message.thread = thread;
    gateway.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
    return { status: 201, body: thread };
  }

  /** PATCH /channels/:id, for threads only: `archived` and `locked`, as a bot unarchives a quiet thread. */
  function modifyChannel(context: RouteContext, channelId: string): Reply {
    const channel = channels.get(channelId);
    if (channel === undefined) return UNKNOWN_CHANNEL();
    const metadata = channel.thread_metadata;
    if (metadata === undefined) return error(400, 50024, 'Cannot execute action on this channel type');
    const body = asRecord(context.body);
    if (typeof body['archived'] === 'boolean') {
      metadata.archived = body['archived'];
      metadata.archive_timestamp = new Date().toISOString();
    }
    if (typeof body['locked'] === 'boolean') metadata.locked = body['locked'];
    gateway.dispatch('THREAD_UPDATE', { ...channel });
    return { status: 200, body: channel };
  }

  function registerCommands(context: RouteContext, guildId: string | null): Reply {
    if (guildId !== null && !guilds.some((guild) => guild.id === guildId)) return error(403, 50001, 'Missing Access');
    const current = guildId === null ? commands.global : (commands.guild.get(guildId) ?? []);
    if (context.method === 'GET') return { status: 200, body: current };
    const problems = commandSetProblems(context.body);
    if (problems.length > 0) return { status: 400, body: invalidFormBody(problems) };
    const registered = (context.body as Record<string, unknown>[]).map((command) => {
      const name = String(command['name']);
      // Bulk overwrite keeps the ID of a command with the same name, as Discord does.
      const key = `${guildId ?? 'global'}:${name}`;
      const id = commandIds.get(key) ?? nextSnowflake();
      commandIds.set(key, id);
      return {
        id,
        application_id: applicationId,
        version: nextSnowflake(),
        type: 1,
        default_member_permissions: null,
        nsfw: false,
        integration_types: [0],
        contexts: null,
        ...command,
        ...(guildId !== null ? { guild_id: guildId } : {}),
      };
    });
    if (guildId === null) commands.global = registered;
    else commands.guild.set(guildId, registered);
    return { status: 200, body: registered };
  }

  function route(context: RouteContext): Reply {
    const { method, segments } = context;
    const [first, second, third, fourth, fifth] = segments;
    const bareAuthRequired = !(first === 'interactions' || first === 'webhooks');
    if (bareAuthRequired && !context.authenticated) return error(401, 0, '401: Unauthorized');
    const is = (verb: string, length: number): boolean => method === verb && segments.length === length;

    if (first === 'gateway' && second === 'bot' && is('GET', 2)) {
      return {
        status: 200,
        body: { url: gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } },
      };
    }
    if (first === 'gateway' && is('GET', 1)) return { status: 200, body: { url: gatewayUrl() } };
    if (first === 'users' && second === '@me' && is('GET', 2)) return { status: 200, body: bot };
    if (first === 'applications' && second === '@me' && is('GET', 2)) {
      return { status: 200, body: { id: applicationId, name: bot.username, icon: null, description: '', bot_public: true, bot_require_code_grant: false, flags: 0, bot } };
    }
    if (first === 'interactions' && fourth === 'callback' && is('POST', 4) && second !== undefined && third !== undefined) {
      return interactionCallback(context, second, third);
    }
    if (first === 'webhooks' && second !== undefined && third !== undefined) {
      if (segments.length === 3) return webhook(context, second, third, null);
      if (fourth === 'messages' && fifth !== undefined && segments.length === 5) return webhook(context, second, third, fifth);
    }
    if (first === 'channels' && second !== undefined) {
      if (is('GET', 2)) return channels.has(second) ? { status: 200, body: channels.get(second) } : UNKNOWN_CHANNEL();
      if (is('PATCH', 2)) return modifyChannel(context, second);
      if (third === 'messages' && is('POST', 3)) return createChannelMessage(context, second);
      if (third === 'messages' && fourth !== undefined && (is('PATCH', 4) || is('GET', 4))) return editChannelMessage(context, second, fourth);
      if (third === 'messages' && fourth !== undefined && fifth === 'threads' && is('POST', 5)) return startThread(context, second, fourth);
    }
    if (first === 'applications' && second !== undefined && (method === 'PUT' || method === 'GET')) {
      if (second !== applicationId) return error(403, 50001, 'Missing Access');
      if (third === 'commands' && segments.length === 3) return registerCommands(context, null);
      if (third === 'guilds' && fourth !== undefined && fifth === 'commands' && segments.length === 5) return registerCommands(context, fourth);
    }
    return error(404, 0, '404: Not Found');
  }

  function tooManyRequests(retryAfterSeconds: number, global: boolean, bucket: string, limit: number): Reply {
    const headers: Record<string, string> = {
      'Retry-After': String(retryAfterSeconds),
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String((Date.now() / 1000 + retryAfterSeconds).toFixed(3)),
      'X-RateLimit-Reset-After': String(retryAfterSeconds),
      'X-RateLimit-Bucket': bucket,
      'X-RateLimit-Scope': global ? 'global' : 'user',
    };
    if (global) headers['X-RateLimit-Global'] = 'true';
    return { status: 429, headers, body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global } };
  }

  function scriptedRateLimit(method: string, path: string): Reply | null {
    for (const entry of rateLimits) {
      const { rule } = entry;
      if (entry.remaining <= 0) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      const matches = typeof rule.path === 'string' ? path.startsWith(rule.path) : rule.path.test(path);
      if (!matches) continue;
      entry.remaining -= 1;
      return tooManyRequests(rule.retryAfterSeconds ?? 0.05, rule.global ?? false, `scripted-${rateLimits.indexOf(entry)}`, rule.times ?? 1);
    }
    return null;
  }

  function scriptedFailure(method: string, path: string): Reply | null {
    for (const entry of failures) {
      const { rule } = entry;
      if (entry.remaining <= 0) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      const matches = typeof rule.path === 'string' ? path.startsWith(rule.path) : rule.path.test(path);
      if (!matches) continue;
      entry.remaining -= 1;
      return { status: rule.status, headers: {}, body: { message: 'Service Unavailable', code: 0 } };
    }
    return null;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', baseUrl());
    const method = (request.method ?? 'GET').toUpperCase();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > BODY_LIMIT) break;
      chunks.push(chunk as Buffer);
    }
    const query = Object.fromEntries(url.searchParams.entries());
    const authenticated = request.headers.authorization === `Bot ${token}`;
    const rawPath = url.pathname.startsWith('/api/v10/') ? url.pathname.slice('/api/v10'.length) : url.pathname;
    let segments: string[] = [];
    let reply: Reply;
    let body: unknown = null;
    try {
      segments = rawPath.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
      body = parseBody(Buffer.concat(chunks), request.headers['content-type']);
      if (!url.pathname.startsWith('/api/v10/')) reply = error(404, 0, '404: Not Found');
      else if (size > BODY_LIMIT) reply = error(413, 40005, 'Request entity too large');
      else reply = scriptedFailure(method, `/${segments.join('/')}`) ?? scriptedRateLimit(method, `/${segments.join('/')}`) ?? route({ method, segments, query, body, authenticated });
    } catch (failure) {
      reply = error(400, 50109, `The request body contains invalid JSON. (${(failure as Error).message})`);
    }
    record({ method, path: `/${segments.join('/')}`, rawPath, query, body, authenticated, status: reply.status });
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    if (reply.status === 204 || reply.body === undefined) {
      response.writeHead(reply.status, headers);
      response.end();
      return;
    }
    const payload = JSON.stringify(reply.body);
    response.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) });
    response.end(payload);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((failure: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ message: `fake discord failed: ${(failure as Error).message}`, code: 0 }));
    });
  });
  server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  // --- interaction helpers --------------------------------------------------------------------

  function locate(channelId: string | undefined, guildId: string | undefined): { channel: ApiChannel; guildId: string } {
    const guild = guilds.find((candidate) => candidate.id === (guildId ?? guilds[0]?.id));
    if (guild === undefined) throw new Error(`fake discord has no guild ${String(guildId)}`);
    const channel = channels.get(channelId ?? guild.channels[0]?.id ?? '');
    if (channel === undefined) throw new Error(`fake discord has no channel ${String(channelId)} in guild ${guild.id}`);
    return { channel, guildId: guild.id };
  }

  function commandIdFor(name: string, guildId: string): string {
    const registered = [...(commands.guild.get(guildId) ?? []), ...commands.global].find((command) => command['name'] === name);
    if (typeof registered?.['id'] === 'string') return registered['id'];
    const key = `unregistered:${name}`;
    const id = commandIds.get(key) ?? nextSnowflake();
    commandIds.set(key, id);
    return id;
  }

  async function emitInteraction(
    type: number,
    channel: ApiChannel,
    guildId: string,
    userId: string,
    locale: string,
    data: Record<string, unknown>,
    extra: Record<string, unknown>,
    roles: readonly string[] = [],
  ): Promise<FakeInteraction> {
    const user = humanUser(userId, `user-${userId.slice(-4)}`);
    const id = nextSnowflake();
    const interactionToken = `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
    const payload: Record<string, unknown> = {
      id,
      application_id: applicationId,
      type,
      data,
      guild: { id: guildId, locale: 'en-US', features: [] },
      guild_id: guildId,
      guild_locale: 'en-US',
      channel: { ...channel, permissions: ALL_PERMISSIONS },
      channel_id: channel.id,
      member: interactionMember(user, roles),
      token: interactionToken,
      version: 1,
      app_permissions: ALL_PERMISSIONS,
      locale,
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      attachment_size_limit: 10 * 1024 * 1024,
      ...extra,
    };
    const interaction: MutableInteraction = {
      id,
      token: interactionToken,
      type,
      channelId: channel.id,
      guildId,
      userId,
      applicationId,
      callbackType: null,
      originalMessageId: null,
      autocompleteChoices: null,
      expired: false,
      payload,
    };
    interactions.set(id, interaction);
    interactionsByToken.set(interactionToken, interaction);
    await sendInteraction(payload);
    return interaction;
  }

  async function sendInteraction(payload: Record<string, unknown>): Promise<void> {
    await gateway.waitForSession(5000);
    gateway.dispatch('INTERACTION_CREATE', payload);
  }

  function commandData(input: SlashCommandInput, guildId: string, focused: string | null): Record<string, unknown> {
    const name = input.name ?? 'task-status';
    const built = Object.entries(input.options ?? {}).map(([optionName, value]) => buildOption(optionName, value, optionName === focused));
    const options = input.subcommand !== undefined ? [{ type: 1, name: input.subcommand, options: built }] : built;
    const registeredInGuild = (commands.guild.get(guildId) ?? []).some((command) => command['name'] === name);
    return { id: commandIdFor(name, guildId), name, type: 1, options, ...(registeredInGuild ? { guild_id: guildId } : {}) };
  }

  const fake: FakeDiscord = {
    apiUrl: `${baseUrl()}/api`,
    gatewayUrl: gatewayUrl(),
    token,
    applicationId,
    botUser: bot,
    guilds,
    calls,
    gatewayFrames: gateway.frames,
    messages,
    channels,
    interactions,
    get commands() {
      return commands;
    },
    messagesIn: (channelId) =>
      [...messages.values()].filter((message) => message.channel_id === channelId && (message.flags & EPHEMERAL) === 0),
    waitForGatewayFrame: (predicate, timeoutMs = 5000) => gateway.waitForFrame(predicate, timeoutMs),
    waitForGatewaySession: (timeoutMs = 5000) => gateway.waitForSession(timeoutMs),
    sendInteraction,
    slashCommand: async (input = {}) => {
      const { channel, guildId } = locate(input.channelId, input.guildId);
      return emitInteraction(2, channel, guildId, input.userId ?? DEFAULT_USER_ID, input.locale ?? 'en-US', commandData(input, guildId, null), {}, input.roles);
    },
    autocomplete: async (input) => {
      const { channel, guildId } = locate(input.channelId, input.guildId);
      if (input.options?.[input.focused] === undefined) throw new Error(`autocomplete: focused option "${input.focused}" must be among the options`);
      return emitInteraction(4, channel, guildId, input.userId ?? DEFAULT_USER_ID, input.locale ?? 'en-US', commandData(input, guildId, input.focused), {});
    },
    buttonClick: async (input) => {
      const message = messages.get(input.messageId);
      if (message === undefined) throw new Error(`buttonClick: the fake has no message ${input.messageId}`);
      const { channel, guildId } = locate(input.channelId ?? message.channel_id, message.guild_id);
      return emitInteraction(3, channel, guildId, input.userId ?? DEFAULT_USER_ID, 'en-US', { custom_id: input.customId, component_type: 2 }, { message });
    },
    waitForCall: (predicate, timeoutMs = 5000) => {
      const existing = calls.find(predicate);
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const listener = (call: RecordedDiscordCall): void => {
          if (!predicate(call)) return;
          clearTimeout(timer);
          events.off('call', listener);
          resolve(call);
        };
        const timer = setTimeout(() => {
          events.off('call', listener);
          // Interaction tokens are credentials for 15 minutes; keep them out of failure output.
          const masked = (path: string): string => path.replace(/aW50ZXJhY3Rpb246[\w-]+/g, '[interaction-token]');
          const seen = calls.map((call) => `${call.method} ${masked(call.path)} -> ${call.status}`).join('\n  ');
          reject(new Error(`no matching Discord call within ${timeoutMs} ms; calls so far:\n  ${seen}`));
        }, timeoutMs);
        events.on('call', listener);
      });
    },
    rateLimit: (rule) => {
      rateLimits.push({ rule, remaining: rule.times ?? 1 });
    },
    fail: (rule) => {
      failures.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFailures: () => {
      failures.length = 0;
    },
    denyThreadCreation: (denied = true) => {
      threadCreationDenied = denied;
    },
    expireInteractionTokens: () => {
      for (const interaction of interactions.values()) interaction.expired = true;
    },
    dispatch: (eventName, data) => gateway.dispatch(eventName, data),
    disconnectGateway: (code = 4000) => gateway.disconnectAll(code),
    close: async () => {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
