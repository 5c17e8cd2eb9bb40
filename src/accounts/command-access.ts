/**
 * The access gate of the command handler: picks the account a command uses, decides whether
 * the person may use it, and writes the audit line. It sees only the command's account, kind,
 * action and the principal — never a provider answer — so a refusal is decided before any
 * cloud call and reads the same whether or not the task exists.
 */
import type { Command, CommandContext, StatsCommand } from '../commands/types';
import { DEFAULT_ACCOUNT } from '../config';
import { formatChannelAddress } from '../jobs/notifier';
import { CLOUD_OF_KIND, type CloudName, type TaskKind } from '../providers/types';
import { refusalMessage, type AccessAction, type AccessPolicy, type Principal, type RefusalReason } from './access-policy';
import type { AuditLog } from './audit-log';

/** What the command handler needs to enforce access. Absent from the services: everything is allowed. */
export interface CommandAccess {
  readonly policy: AccessPolicy;
  readonly audit: AuditLog;
}

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
    default:
      // help, list, unwatch-all, subscriptions, unsubscribe, mute, unmute: they name no account
      // and act on this channel's own watches and subscriptions only.
      return null;
  }
}

/**
 * Resolves the account of `command` (its `account=`, else the channel's default for the cloud,
 * else `default`), decides access, and writes one audit line. Call it before any provider call.
 */
export function checkCommandAccess(command: Command, context: CommandContext, access: CommandAccess): CommandAccessCheck {
  const principal = principalOf(context);
  const who = `${context.platform}:${context.userId}`;
  const where = formatChannelAddress(context.channel);
  const target = targetOf(command);
  if (target === null) {
    access.audit.record({ who, platform: context.platform, where, action: command.type, outcome: 'allowed' });
    return { allowed: true, account: null };
  }
  const account = access.policy.accountFor(context.channel, target.cloud, target.requested);
  const base = { who, platform: context.platform, where, action: command.type, kind: target.kind, ...(target.ids ? { ids: target.ids } : {}), account };
  if (target.action === null) {
    access.audit.record({ ...base, outcome: 'allowed' });
    return { allowed: true, account };
  }
  const decision = access.policy.authorize(principal, target.action, target.cloud, account);
  if (!decision.allowed) {
    access.audit.record({ ...base, outcome: 'refused', reason: decision.reason });
    return { allowed: false, text: refusalMessage({ reason: decision.reason, action: target.action, cloud: target.cloud, accountName: account }) };
  }
  access.audit.record({ ...base, outcome: 'allowed' });
  return { allowed: true, account };
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
