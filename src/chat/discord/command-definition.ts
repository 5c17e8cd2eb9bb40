/**
 * The `/task-status` application command as Discord registers it: subcommands `query`,
 * `watch`, `unwatch`, `list`, `subscribe`, `subscriptions`, `unsubscribe`, `mute`, `unmute`,
 * `stats` and `help`. Options map one to one onto the shared command
 * grammar, so that a Discord command and the same words typed in Slack parse and fail alike.
 * Lengths stay inside Discord's limits (names 32, descriptions 100, choices 25, string options
 * up to 6000) and inside the grammar's own (the whole text stays under 4000 characters).
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { kindDescriptor, subscribableKinds } from '../../providers/kinds';
import { TASK_KINDS } from '../../providers/types';

/** The kinds a channel may subscribe to, and which of them take each filter. */
const SUBSCRIBABLE = subscribableKinds();
const kindsWith = (has: (filters: NonNullable<(typeof SUBSCRIBABLE)[number]['subscription']>) => boolean): string =>
  SUBSCRIBABLE.filter((descriptor) => descriptor.subscription && has(descriptor.subscription))
    .map((descriptor) => descriptor.kind)
    .join(', ');
const AREAS = [...new Set(SUBSCRIBABLE.flatMap((descriptor) => descriptor.subscription?.areas ?? []))];

/** The command's name, without the slash. */
export const TASK_STATUS_COMMAND_NAME = 'task-status';

/** Option name: the task kind (choices). */
export const OPTION_KIND = 'kind';
/** Option name: task IDs, separated by spaces or commas (autocompleted). */
export const OPTION_IDS = 'ids';
/** Option name: the region. */
export const OPTION_REGION = 'region';
/** Option name: the cloud account. */
export const OPTION_ACCOUNT = 'account';
/** Option name (watch): how progress alone is told, `card` (the default) or `thread`. */
export const OPTION_PROGRESS = 'progress';
/** Option name (unwatch, unsubscribe): every watch or subscription in the channel. */
export const OPTION_ALL = 'all';
/** Option name (subscribe): only tasks with URLs on this host. */
export const OPTION_DOMAIN = 'domain';
/** Option name (subscribe): only tasks reaching these raw statuses, e.g. `fail,invalid`. */
export const OPTION_STATUS = 'status';
/** Option name (unsubscribe): the subscription's number from `subscriptions`. */
export const OPTION_NUMBER = 'number';
/** Option name (mute): how long, e.g. `30m`, `2h`, `1d`. */
export const OPTION_DURATION = 'duration';

/**
 * Longest `ids` value. 50 IDs of typical length fit; with the subcommand, kind, region and
 * account added the text stays under the grammar's 4000-character limit, so an over-long
 * paste is refused by Discord itself rather than half-parsed.
 */
export const IDS_MAX_LENGTH = 3800;
/** Longest `region` value (real regions are under 20 characters). */
export const REGION_MAX_LENGTH = 32;
/** Longest `account` value (the grammar allows 64). */
export const ACCOUNT_MAX_LENGTH = 64;

function kindOption(required: boolean, description: string): APIApplicationCommandBasicOption {
  return {
    type: ApplicationCommandOptionType.String,
    name: OPTION_KIND,
    description,
    required,
    choices: TASK_KINDS.map((kind) => ({ name: `${kind}: ${kindDescriptor(kind).description}`.slice(0, 100), value: kind })),
  };
}

function idsOption(description: string): APIApplicationCommandBasicOption {
  return {
    type: ApplicationCommandOptionType.String,
    name: OPTION_IDS,
    description,
    required: false,
    max_length: IDS_MAX_LENGTH,
    autocomplete: true,
  };
}

const regionOption: APIApplicationCommandBasicOption = {
  type: ApplicationCommandOptionType.String,
  name: OPTION_REGION,
  description: 'Region, e.g. ap-guangzhou (DTS and Redis need one unless the account has a default)',
  required: false,
  max_length: REGION_MAX_LENGTH,
};

const accountOption: APIApplicationCommandBasicOption = {
  type: ApplicationCommandOptionType.String,
  name: OPTION_ACCOUNT,
  description: 'Cloud account name from the accounts file (default: default)',
  required: false,
  max_length: ACCOUNT_MAX_LENGTH,
};

const progressOption: APIApplicationCommandBasicOption = {
  type: ApplicationCommandOptionType.String,
  name: OPTION_PROGRESS,
  description: 'Progress alone edits the card (default); thread also posts every progress step',
  required: false,
  choices: [
    { name: 'card: edit the card only', value: 'card' },
    { name: 'thread: also post every progress step', value: 'thread' },
  ],
};

function selectionSubcommand(name: 'query' | 'watch', description: string): APIApplicationCommandSubcommandOption {
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name,
    description,
    options: [
      kindOption(true, 'Task kind'),
      idsOption('Task IDs, separated by spaces or commas (tcss takes none)'),
      regionOption,
      accountOption,
      ...(name === 'watch' ? [progressOption] : []),
    ],
  };
}

/** The JSON body that registers `/task-status` (bulk PUT of the application's command set). */
export const TASK_STATUS_COMMAND: RESTPostAPIChatInputApplicationCommandsJSONBody = {
  type: ApplicationCommandType.ChatInput,
  name: TASK_STATUS_COMMAND_NAME,
  description: 'Check on asynchronous Tencent Cloud and Alibaba Cloud tasks',
  options: [
    selectionSubcommand('query', 'Show the current status of tasks'),
    selectionSubcommand('watch', 'Watch tasks and post each state change in a thread'),
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'unwatch',
      description: 'Stop watching tasks in this channel',
      options: [
        kindOption(false, 'Task kind (leave out and set all to stop every watch here)'),
        idsOption('Task IDs to stop watching'),
        { type: ApplicationCommandOptionType.Boolean, name: OPTION_ALL, description: 'Stop every watch in this channel', required: false },
        regionOption,
        accountOption,
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: "This channel's watches" },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'subscribe',
      description: `Tell this channel about every new task of an account (${SUBSCRIBABLE.map((descriptor) => descriptor.kind).join(', ')})`.slice(0, 100),
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: OPTION_KIND,
          description: 'What to follow',
          required: true,
          choices: SUBSCRIBABLE.map((descriptor) => ({ name: `${descriptor.kind}: ${descriptor.subscription?.label ?? descriptor.taskLabel}`.slice(0, 100), value: descriptor.kind })),
        },
        { type: ApplicationCommandOptionType.String, name: OPTION_DOMAIN, description: `${kindsWith((filters) => filters.filtersByDomain)}: only tasks with URLs on this host`.slice(0, 100), required: false, max_length: 253 },
        {
          type: ApplicationCommandOptionType.String,
          name: OPTION_STATUS,
          description: `${kindsWith((filters) => filters.statuses.length > 0)}: only tasks reaching these statuses, e.g. fail`.slice(0, 100),
          required: false,
          max_length: 64,
        },
        { ...regionOption, description: `${kindsWith((filters) => filters.areas.length > 0)}: area (${AREAS.join(', ')})`.slice(0, 100) },
        accountOption,
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'subscriptions', description: "This channel's subscriptions, numbered" },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'unsubscribe',
      description: 'Remove a subscription from this channel',
      options: [
        { type: ApplicationCommandOptionType.Integer, name: OPTION_NUMBER, description: 'Its number in /task-status subscriptions', required: false, min_value: 1, max_value: 1000 },
        { type: ApplicationCommandOptionType.Boolean, name: OPTION_ALL, description: 'Remove every subscription in this channel', required: false },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'mute',
      description: "Hold this channel's notifications and sum them up afterwards",
      options: [{ type: ApplicationCommandOptionType.String, name: OPTION_DURATION, description: 'How long, e.g. 30m, 2h, 1d (at most 7d)', required: true, max_length: 16 }],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'unmute', description: 'Post the summary and resume notifications now' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'stats',
      description: 'How long tasks usually take, per kind and account (only you see it)',
      options: [kindOption(false, 'Task kind (leave out for every kind)'), accountOption],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'help', description: 'How to use /task-status' },
  ],
};

/** The whole command set taskwatch registers. */
export const DISCORD_COMMANDS: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[] = [TASK_STATUS_COMMAND];
