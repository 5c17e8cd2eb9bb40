/**
 * Every Lua command of taskwatch, with its KEYS and ARGV by name, and the one place that turns
 * a call's named keys and arguments into the positional lists Redis takes. A caller writes
 * `{ keys: { task, watch, ... }, args: { watchId, realNow, ... } }`; the order lives here once,
 * beside the header of each `.lua` file (`src/jobs/lua/`), and a unit test holds the two equal.
 *
 * Commands are registered on a connection with ioredis `defineCommand`, once per connection:
 * it calls EVALSHA and falls back to EVAL (loading the script) when the server does not know
 * it, e.g. after a restart or a `SCRIPT FLUSH`.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { loadLuaScripts } from './lua-loader';

/** A command's signature: its file name, its keys and arguments in order, and how to read its reply. */
export interface LuaCommand<Keys extends string, Args extends string, Result> {
  /** The file's name without the key count: `recordChange` for `recordChange-5.lua`. */
  readonly name: string;
  readonly keys: readonly Keys[];
  readonly args: readonly Args[];
  /** Named for the header's `ARGV[n...]` line: the command takes more arguments after the named ones. */
  readonly rest?: string;
  readonly reply: (raw: unknown) => Result;
}

/** A call of `command`: every key and argument by name. */
export interface LuaCall<Keys extends string, Args extends string> {
  readonly keys: { readonly [Key in Keys]: string };
  readonly args: { readonly [Arg in Args]: string | number };
  /** The arguments after the named ones, for a command with `rest`. */
  readonly rest?: readonly (string | number)[];
}

function command<const Keys extends string, const Args extends string, Result>(signature: LuaCommand<Keys, Args, Result>): LuaCommand<Keys, Args, Result> {
  return signature;
}

const asNumber = (raw: unknown): number => Number(raw);
const asText = (raw: unknown): string => String(raw);

/** The name a command is registered under on a connection; prefixed so it never shadows a Redis command. */
function registeredName(name: string): string {
  return `taskwatch_${name}`;
}

/** Watch records: see `src/jobs/lua/*.lua` for what each does. */
export const WATCH_COMMANDS = {
  reserveWatch: command({ name: 'reserveWatch', keys: ['watch', 'reservation'], args: ['token', 'realNow', 'ttlMs'], reply: (raw) => asText(raw) as 'active' | 'busy' | 'revive' | 'new' }),
  releaseReservation: command({ name: 'releaseReservation', keys: ['reservation'], args: ['token'], reply: asNumber }),
  subscribe: command({
    name: 'subscribe',
    keys: ['task', 'subscribers', 'watch', 'channel', 'due', 'groups', 'activeCount', 'outbox', 'reservation'],
    args: [
      'watchId',
      'taskKey',
      'version',
      'kind',
      'account',
      'region',
      'id',
      'groupId',
      'realNow',
      'channel',
      'requestedBy',
      'cardMessageId',
      'startedAt',
      'deadlineAt',
      'groupJson',
      'cardSeq',
      'revive',
      'token',
      'checkedStatus',
      'expectedSeq',
      'checkedDueAt',
      'everFound',
      'historyKeep',
      'progress',
      'checkedEnds',
      'cardPostedAt',
    ],
    reply: asNumber,
  }),
  endWatch: command({
    name: 'endWatch',
    keys: ['watch', 'subscribers', 'channel', 'outbox', 'due', 'activeCount', 'task'],
    args: ['watchId', 'reason', 'message', 'realNow', 'taskKey', 'taskTtlSeconds'],
    reply: asNumber,
  }),
  recordChange: command({
    name: 'recordChange',
    keys: ['task', 'history', 'subscribers', 'outbox', 'status'],
    args: ['encodedStatus', 'historyKeep', 'realNow', 'everFound', 'version', 'expectedSeq'],
    reply: (raw) => {
      const [seq, ...watchIds] = raw as [number, ...string[]];
      return { seq: Number(seq), watchIds };
    },
  }),
  trimHistory: command({ name: 'trimHistory', keys: ['history', 'subscribers', 'task'], args: ['watchKeyPrefix', 'toldSeq'], reply: asNumber }),
  claimDelivery: command({ name: 'claimDelivery', keys: ['watch'], args: ['claimant', 'realNow', 'ttlMs'], reply: asNumber }),
  releaseDelivery: command({ name: 'releaseDelivery', keys: ['watch', 'task'], args: ['claimant'], rest: 'fields', reply: asNumber }),
  takeSendSlot: command({ name: 'takeSendSlot', keys: ['pace'], args: ['spacingMs'], reply: asNumber }),
  holdChannel: command({ name: 'holdChannel', keys: ['pace'], args: ['holdMs'], reply: asNumber }),
  markTold: command({ name: 'markTold', keys: ['watch', 'task'], args: ['seq', 'ended'], reply: asNumber }),
  abandonWatch: command({
    name: 'abandonWatch',
    keys: ['watch', 'subscribers', 'channel', 'due', 'activeCount', 'task'],
    args: ['watchId', 'reason', 'taskKey', 'watchTtlSeconds', 'taskTtlSeconds'],
    reply: asNumber,
  }),
  expireFinished: command({ name: 'expireFinished', keys: ['watch'], args: ['ttlSeconds'], reply: asNumber }),
  removeIdleGroup: command({ name: 'removeIdleGroup', keys: ['due', 'groups'], args: ['groupId'], reply: asNumber }),
  settleOutbox: command({ name: 'settleOutbox', keys: ['outbox'], args: ['watchId', 'notedAt'], reply: asNumber }),
} as const;

/** Subscriptions and mutes. */
export const SUBSCRIPTION_COMMANDS = {
  takeSubscriptionTask: command({ name: 'takeSubscriptionTask', keys: ['seen', 'pending'], args: ['taskId', 'now', 'entryJson', 'retentionMs'], reply: asNumber }),
  removeEmptySubscriptionGroup: command({ name: 'removeEmptySubscriptionGroup', keys: ['members', 'groups', 'cursor'], args: ['groupId'], reply: asNumber }),
  suspendSubscription: command({ name: 'suspendSubscription', keys: ['record', 'members', 'untold'], args: ['id', 'reason', 'at'], reply: asNumber }),
  claimSuspensionNotice: command({ name: 'claimSuspensionNotice', keys: ['untold', 'claim'], args: ['id', 'claimant', 'ttlMs'], reply: asNumber }),
  settleSuspensionNotice: command({ name: 'settleSuspensionNotice', keys: ['untold', 'claim'], args: ['id', 'claimant', 'told'], reply: asNumber }),
  holdMutedDelivery: command({ name: 'holdMutedDelivery', keys: ['mute', 'heldWatches', 'heldJobs'], args: ['watchId', 'jobId', 'now', 'minMs', 'maxMs'], reply: asNumber }),
  noteMutedTask: command({ name: 'noteMutedTask', keys: ['mute', 'heldNew'], args: ['entryJson'], reply: asNumber }),
  stageMuteRelease: command({
    name: 'stageMuteRelease',
    keys: ['mute', 'heldWatches', 'heldJobs', 'heldNew', 'stagedWatches', 'stagedJobs', 'stagedNew', 'stagedMute'],
    args: ['now'],
    reply: asNumber,
  }),
  unindexMute: command({ name: 'unindexMute', keys: ['mutes', 'mute'], args: ['channel'], reply: asNumber }),
} as const;

/** The watch limits per user, token and channel. */
export const QUOTA_COMMANDS = {
  takeWatchRate: command({ name: 'takeWatchRate', keys: ['counter'], args: ['count', 'limit', 'windowMs'], reply: asNumber }),
} as const;

/** The samples of task durations. */
export const DURATION_COMMANDS = {
  recordDuration: command({
    name: 'recordDuration',
    keys: ['sample', 'groups', 'start'],
    args: ['entryJson', 'endingKey', 'sampleSize', 'ttlSeconds', 'groupJson', 'now'],
    reply: asNumber,
  }),
} as const;

/** Stuck tasks: "said once" per watch, owed -> telling -> told (`src/jobs/durations/stuck-check.ts`). */
export const STUCK_COMMANDS = {
  noteStuck: command({
    name: 'noteStuck',
    keys: ['subscribers', 'outbox'],
    args: ['watchKeyPrefix', 'stuckKeyPrefix', 'factsJson', 'ttlSeconds', 'realNow'],
    reply: asNumber,
  }),
  takeStuck: command({ name: 'takeStuck', keys: ['stuck'], args: ['claimant', 'realNow', 'ttlMs'], reply: (raw) => (typeof raw === 'string' ? raw : null) }),
  settleStuck: command({ name: 'settleStuck', keys: ['stuck'], args: [], reply: asNumber }),
  restoreStuck: command({ name: 'restoreStuck', keys: ['stuck'], args: ['claimant'], reply: asNumber }),
} as const;

/** The shared rate budget. */
export const RATE_COMMANDS = {
  acquireRate: command({ name: 'acquireRate', keys: ['window'], args: ['limit', 'windowMs', 'member'], reply: asNumber }),
} as const;

/** Every command, for registering and for the test that holds each signature to its file's header. */
export const LUA_COMMANDS: readonly LuaCommand<string, string, unknown>[] = [
  ...Object.values(WATCH_COMMANDS),
  ...Object.values(SUBSCRIPTION_COMMANDS),
  ...Object.values(RATE_COMMANDS),
  ...Object.values(QUOTA_COMMANDS),
  ...Object.values(DURATION_COMMANDS),
  ...Object.values(STUCK_COMMANDS),
];

/**
 * The positional KEYS and ARGV of a call, in the order of the command's signature: the only
 * place a call's names become positions. Throws when a name is missing (a caller built with
 * `as` casts), so a wrong call fails loudly instead of shifting every argument after it.
 */
export function luaArguments<Keys extends string, Args extends string>(signature: LuaCommand<Keys, Args, unknown>, call: LuaCall<Keys, Args>): (string | number)[] {
  const keys = signature.keys.map((key) => {
    const value = call.keys[key];
    if (typeof value !== 'string') throw new TypeError(`${signature.name}: key ${key} is missing`);
    return value;
  });
  const args = signature.args.map((arg) => {
    const value = call.args[arg];
    if (typeof value !== 'string' && typeof value !== 'number') throw new TypeError(`${signature.name}: argument ${arg} is missing`);
    return value;
  });
  if (call.rest && call.rest.length > 0 && !signature.rest) throw new TypeError(`${signature.name} takes no arguments after ${signature.args.join(', ')}`);
  return [...keys, ...args, ...(call.rest ?? [])];
}

/** Connections that have every command registered. */
const defined = new WeakSet<object>();

/**
 * Registers every command on a connection, once (later calls for the same connection do
 * nothing). Throws when a signature's key count differs from its file's, or its file is missing.
 */
export function defineLuaCommands(redis: Redis): void {
  if (defined.has(redis)) return;
  const scripts = loadLuaScripts();
  for (const signature of LUA_COMMANDS) {
    const script = scripts.get(signature.name);
    if (!script) throw new Error(`No Lua file for the command ${signature.name} (expected ${signature.name}-${signature.keys.length}.lua).`);
    if (script.numberOfKeys !== signature.keys.length) {
      throw new Error(`${signature.name}-${script.numberOfKeys}.lua takes ${script.numberOfKeys} keys; its signature names ${signature.keys.length}.`);
    }
    redis.defineCommand(registeredName(signature.name), { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  defined.add(redis);
}

type Invoker = (...args: (string | number)[]) => Promise<unknown>;

/** Runs a command on a connection (registering the commands on it first, if needed) and reads its reply. */
export async function runLua<Keys extends string, Args extends string, Result>(
  redis: Redis,
  signature: LuaCommand<Keys, Args, Result>,
  call: LuaCall<Keys, Args>,
): Promise<Result> {
  defineLuaCommands(redis);
  const invoke = (redis as unknown as Record<string, Invoker>)[registeredName(signature.name)] as Invoker;
  return signature.reply(await invoke.apply(redis, luaArguments(signature, call)));
}

/**
 * Queues a command on a MULTI or pipeline; its raw reply is in the result of `exec()`. The
 * connection the transaction came from must have the commands registered before it was
 * created (see {@link defineLuaCommands}): ioredis copies them into each new transaction.
 */
export function queueLua<Keys extends string, Args extends string>(
  transaction: ChainableCommander,
  signature: LuaCommand<Keys, Args, unknown>,
  call: LuaCall<Keys, Args>,
): ChainableCommander {
  const invoke = (transaction as unknown as Record<string, ((...args: (string | number)[]) => ChainableCommander) | undefined>)[registeredName(signature.name)];
  if (!invoke) throw new Error(`${signature.name} is not registered on this connection; call defineLuaCommands first.`);
  return invoke.apply(transaction, luaArguments(signature, call));
}
