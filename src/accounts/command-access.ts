/**
 * The access gate of the command handler: picks the account a command uses, decides whether
 * the person may use it, and writes the audit line. It sees only the command's account, kind,
 * action and the principal — never a provider answer — so a refusal is decided before any
 * cloud call and reads the same whether or not the task exists.
 */
import type { Command, CommandContext, ParseError, StatsCommand } from '../commands/types';
import { DEFAULT_ACCOUNT } from '../config';
import { formatChannelAddress } from '../util/channel-address';
import { type CloudName, type TaskKind } from '../providers/types';
import { refusalMessage, type AccessAction, type CommandAccess, type Principal, type RefusalReason } from './access-policy';
import type { AuditEntry } from './audit-log';
import { CLOUD_OF_KIND } from '../providers/kinds';

export type { CommandAccess } from './access-policy';

/** The outcome of {@link checkCommandAccess}. */
export type CommandAccessCheck =
  /** `account` is the resolved account to use, or null when the command addresses none. */
  | { readonly allowed: true; readonly account: string | null }
  | { readonly allowed: false; readonly text: string };

/** The principal of a chat command. */
export function principalOf(context: CommandContext): Principal {
  return { platform: context.platform, channelId: context.channel.channelId, userId: context.userId, groups: context.groups ?? [] };
}

interface AccountTarget {
  readonly cloud: CloudName;
  readonly kind: TaskKind;
  readonly requested: string | undefined;
  /** Null for commands that only touch this channel's own watches: resolved, not gated. */
  readonly action: AccessAction | null;
  readonly ids: readonly string[] | undefined;
}

function targetOf(command: Command): AccountTarget | null {
  switch (command.type) {
    case 'query':
    case 'watch':
      return { cloud: CLOUD_OF_KIND[command.kind], kind: command.kind, requested: command.account, action: command.type, ids: command.ids };
    case 'unwatch':
      // Not gated: it can only end this channel's own watches, which someone allowed started.
      // The account is still resolved the way `watch` resolved it, so it finds that watch.
      return { cloud: CLOUD_OF_KIND[command.kind], kind: command.kind, requested: command.account, action: null, ids: command.ids };
    case 'subscribe':
      return { cloud: CLOUD_OF_KIND[command.kind], kind: command.kind, requested: command.account, action: 'subscribe', ids: undefined };
    case 'stats':
      // Decided by checkStatsAccess, which may cover both clouds.
      return null;
    case 'help':
    case 'list':
    case 'unwatch-all':
    case 'subscriptions':
    case 'unsubscribe':
    case 'unsubscribe-all':
    case 'mute':
    case 'unmute':
      // They name no account and act on this channel's own watches and subscriptions only.
      return null;
    default: {
      // Fails closed: a new command does not compile until its access rule is written above.
      const unruled: never = command;
      return unruled;
    }
  }
}

/** An access decision whose audit line is not written yet. */
interface PendingAccessCheck {
  readonly check: CommandAccessCheck;
  /** Writes the decision's one audit line; `refusedFor` turns an allowed decision into a refusal with that reason. */
  record(refusedFor?: string): void;
}

function decideCommandAccess(command: Command, context: CommandContext, access: CommandAccess): PendingAccessCheck {
  const principal = principalOf(context);
  const who = `${context.platform}:${context.userId}`;
  const where = formatChannelAddress(context.channel);
  const target = targetOf(command);
  const allowedLine = (base: Omit<AuditEntry, 'at' | 'outcome'>): ((refusedFor?: string) => void) => (refusedFor) =>
    access.audit.record(refusedFor === undefined ? { ...base, outcome: 'allowed' } : { ...base, outcome: 'refused', reason: refusedFor });
  if (target === null) {
    return { check: { allowed: true, account: null }, record: allowedLine({ who, platform: context.platform, where, action: command.type }) };
  }
  const account = access.policy.accountFor(context.channel, target.cloud, target.requested);
  const base = { who, platform: context.platform, where, action: command.type, kind: target.kind, ...(target.ids ? { ids: target.ids } : {}), account };
  if (target.action === null) return { check: { allowed: true, account }, record: allowedLine(base) };
  const decision = access.policy.authorize(principal, target.action, target.cloud, account);
  if (!decision.allowed) {
    return {
      check: { allowed: false, text: refusalMessage({ reason: decision.reason, action: target.action, cloud: target.cloud, accountName: account }) },
      record: () => access.audit.record({ ...base, outcome: 'refused', reason: decision.reason }),
    };
  }
  return { check: { allowed: true, account }, record: allowedLine(base) };
}

/**
 * Resolves the account of `command` (its `account=`, else the channel's default for the cloud,
 * else `default`), decides access, and writes one audit line. Call it before any provider call.
 */
export function checkCommandAccess(command: Command, context: CommandContext, access: CommandAccess): CommandAccessCheck {
  const pending = decideCommandAccess(command, context, access);
  pending.record();
  return pending.check;
}

/**
 * {@link checkCommandAccess}, then, for an allowed command, `limit` (a usage limit such as the
 * watch quota: its refusal text, or null). Still one audit line: allowed, or refused with the
 * access reason or `limit_exceeded`. Without `access`, only the limit is applied, unaudited.
 */
export async function checkCommandAccessAndLimit(
  command: Command,
  context: CommandContext,
  access: CommandAccess | undefined,
  limit: (account: string | null) => Promise<string | null>,
): Promise<CommandAccessCheck> {
  const pending: PendingAccessCheck = access ? decideCommandAccess(command, context, access) : { check: { allowed: true, account: null }, record: () => undefined };
  if (!pending.check.allowed) {
    pending.record();
    return pending.check;
  }
  const refusal = await limit(pending.check.account);
  pending.record(refusal === null ? undefined : 'limit_exceeded');
  return refusal === null ? pending.check : { allowed: false, text: refusal };
}

/**
 * Writes the audit line of a command the parser refused: who, where, the subcommand and kind
 * when the parser got that far (`invalid` otherwise), reason `invalid_command`. Never the typed
 * text: a mistyped command is where a pasted secret would land.
 */
export function auditInvalidCommand(error: ParseError, context: CommandContext, access: CommandAccess): void {
  access.audit.record({
    who: `${context.platform}:${context.userId}`,
    platform: context.platform,
    where: formatChannelAddress(context.channel),
    action: error.subcommand ?? 'invalid',
    ...(error.kind !== undefined ? { kind: error.kind } : {}),
    outcome: 'refused',
    reason: 'invalid_command',
  });
}

/**
 * Writes the audit line of a button press whose value could not be read (stale, or forged):
 * who, where, which button, reason `invalid_button`. Never the value itself.
 */
export function auditInvalidButton(button: string, context: CommandContext, access: CommandAccess): void {
  access.audit.record({
    who: `${context.platform}:${context.userId}`,
    platform: context.platform,
    where: formatChannelAddress(context.channel),
    action: button,
    outcome: 'refused',
    reason: 'invalid_button',
  });
}

/** The accounts, one per cloud, whose durations `stats` may show. */
export type StatsScope = readonly { readonly cloud: CloudName; readonly account: string }[];

/** The outcome of {@link checkStatsAccess}. */
export type StatsAccessCheck = { readonly allowed: true; readonly scope: StatsScope } | { readonly allowed: false; readonly text: string };

const CLOUDS: readonly CloudName[] = ['tencent', 'alibaba'];

/**
 * Decides what `stats` may show, and writes one audit line. Durations say what an account's
 * tasks are doing, so they are a query: for each cloud the command covers (its kind's, or both),
 * the account resolves as a query's would, and is shown only where a query would be allowed.
 * Refused only when no cloud is allowed; without `access`, every resolved account is.
 */
export function checkStatsAccess(command: StatsCommand, context: CommandContext, access: CommandAccess | undefined): StatsAccessCheck {
  const clouds = command.kind ? [CLOUD_OF_KIND[command.kind]] : CLOUDS;
  if (!access) return { allowed: true, scope: clouds.map((cloud) => ({ cloud, account: command.account ?? DEFAULT_ACCOUNT })) };
  const principal = principalOf(context);
  const scope: { cloud: CloudName; account: string }[] = [];
  let refusal: { readonly reason: RefusalReason; readonly cloud: CloudName; readonly account: string } | null = null;
  for (const cloud of clouds) {
    const account = access.policy.accountFor(context.channel, cloud, command.account);
    const decision = access.policy.authorize(principal, 'query', cloud, account);
    if (decision.allowed) scope.push({ cloud, account });
    // An account that exists but refuses says more than one missing from the other cloud.
    else if (refusal === null || refusal.reason === 'unknown_account') refusal = { reason: decision.reason, cloud, account };
  }
  const base = {
    who: `${context.platform}:${context.userId}`,
    platform: context.platform,
    where: formatChannelAddress(context.channel),
    action: command.type,
    ...(command.kind ? { kind: command.kind } : {}),
  };
  if (scope.length === 0 && refusal !== null) {
    access.audit.record({ ...base, account: refusal.account, outcome: 'refused', reason: refusal.reason });
    return { allowed: false, text: refusalMessage({ reason: refusal.reason, action: 'query', cloud: refusal.cloud, accountName: refusal.account }) };
  }
  access.audit.record({ ...base, account: [...new Set(scope.map((entry) => entry.account))].join(','), outcome: 'allowed' });
  return { allowed: true, scope };
}
