/**
 * Who may use which cloud account, where. Decisions are pure and are made before any provider
 * call, from the principal, the action, the cloud and the account name alone — never from task
 * IDs or provider answers — so a refusal cannot reveal whether a task exists.
 *
 * Semantics:
 * - an account without an `access` section is open to everyone (the single-account set-up);
 * - when channels are listed, only those channels may use it (a platform with no list: none);
 * - when users are listed, only those users, or members of those groups, may query, watch and subscribe;
 * - the terminal is local and always allowed;
 * - API callers are bound to their token's accounts and channels, and to the account's channel list;
 *   the legacy `API_TOKEN` has no token binding but is still bound to the account's channel list.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DEFAULT_ACCOUNT, type CloudAccount } from '../config';
import { parseChannelAddress, type ChatPlatform } from '../util/channel-address';
import type { CloudName } from '../providers/types';
import { normalizeGroupHandle } from './access-subject';
import type { AuditLog } from './audit-log';
import { accountAllowsChannel, ACCOUNT_NAME_PATTERN, EMPTY_ACCOUNTS_FILE, type AccountAccess, type AccountsFile, type ApiTokenGrant, type ChannelDefault } from './accounts-file';

/**
 * Who is asking, as the chat adapter or HTTP API saw them.
 * - `slack` / `discord`: `channelId` and `userId` are the platform's IDs; `groups` are the Slack
 *   user-group handles (with or without `@`) or Discord role IDs the adapter resolved for the user.
 * - `terminal`: local; always allowed.
 * - `api`: `userId` is the API token's name (from {@link AccessPolicy.authorizeApiToken}) and
 *   `channelId` the target channel as `slack:<id>` or `discord:<id>`.
 */
export interface Principal {
  /** A chat platform's name (`slack`, `discord`, `terminal`, ...), or `api`. */
  readonly platform: ChatPlatform | 'api';
  readonly channelId: string;
  readonly userId: string;
  readonly groups: readonly string[];
}

/** What a principal wants to do with an account. */
export type AccessAction = 'query' | 'watch' | 'subscribe';

/** Why a request was refused. */
export type RefusalReason = 'channel_not_allowed' | 'user_not_allowed' | 'unknown_account';

/** The outcome of {@link AccessPolicy.authorize}. */
export type AccessDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: RefusalReason };

/** What an API token may do, as {@link AccessPolicy.authorizeApiToken} returns it. */
export interface ApiTokenBinding {
  readonly name: string;
  readonly accounts: readonly string[];
  readonly channels: readonly string[];
}

const ALLOWED: AccessDecision = { allowed: true };

function refused(reason: RefusalReason): AccessDecision {
  return { allowed: false, reason };
}

function accountKey(cloud: CloudName, name: string): string {
  return `${cloud}|${name}`;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Decides access from a parsed accounts file. Immutable; safe to share. */
export class AccessPolicy {
  private readonly rules: ReadonlyMap<string, AccountAccess>;
  private readonly defaults: ReadonlyMap<string, ChannelDefault>;
  private readonly tokens: readonly { readonly grant: ApiTokenGrant; readonly digest: Buffer }[];
  /** Null when the policy does not know the accounts (then the registry reports unknown ones). */
  private readonly known: ReadonlySet<string> | null;

  /** A policy that allows everything: no accounts file, the backwards-compatible single-account mode. */
  static allowAll(): AccessPolicy {
    return new AccessPolicy(EMPTY_ACCOUNTS_FILE, null);
  }

  /**
   * @param file the parsed accounts file.
   * @param accounts every configured account (the result of `mergeAccounts`, which includes the
   *   environment's `default`); an account not in it is refused as `unknown_account`.
   *   Pass null to leave unknown accounts to the provider registry.
   */
  constructor(file: AccountsFile, accounts: readonly CloudAccount[] | null = file.accounts) {
    this.rules = new Map(file.access.map((rule) => [accountKey(rule.cloud, rule.account), rule]));
    this.defaults = new Map(file.channelDefaults.map((entry) => [entry.channel, entry]));
    this.tokens = file.apiTokens.map((grant) => ({ grant, digest: Buffer.from(grant.tokenSha256, 'hex') }));
    this.known = accounts === null ? null : new Set(accounts.map((account) => accountKey(account.cloud, account.name)));
  }

  /** Decides whether `principal` may do `action` with the `cloud` account named `accountName`. */
  authorize(principal: Principal, action: AccessAction, cloud: CloudName, accountName: string): AccessDecision {
    if (this.known !== null && !this.known.has(accountKey(cloud, accountName))) return refused('unknown_account');
    if (principal.platform === 'terminal') return ALLOWED;
    const rules = this.rules.get(accountKey(cloud, accountName));

    if (principal.platform === 'api') {
      // The token, not a person, is the principal: its own binding replaces the users list.
      const grant = this.tokens.find((token) => token.grant.name === principal.userId)?.grant;
      if (!grant || !grant.accounts.includes(accountName)) return refused('user_not_allowed');
      const target = parseChannelAddress(principal.channelId);
      if (!target || target.platform === 'terminal') return refused('channel_not_allowed');
      const address = `${target.platform}:${target.channelId}`;
      if (!grant.channels.includes(address)) return refused('channel_not_allowed');
      return accountAllowsChannel(rules, target.platform, target.channelId) ? ALLOWED : refused('channel_not_allowed');
    }

    if (!accountAllowsChannel(rules, principal.platform, principal.channelId)) return refused('channel_not_allowed');
    if (rules?.users && !this.userAllowed(rules, principal)) return refused('user_not_allowed');
    return ALLOWED;
  }

  /**
   * Decides whether the legacy `API_TOKEN`, which carries no grant of its own, may post the
   * `cloud` account's cards to `target` (`slack:<id>` or `discord:<id>`). The token may use
   * every account, but an account's own channel list still applies: otherwise one shared token
   * would route a restricted account's cards to any channel.
   */
  authorizeUnboundApiToken(target: string, cloud: CloudName, accountName: string): AccessDecision {
    if (this.known !== null && !this.known.has(accountKey(cloud, accountName))) return refused('unknown_account');
    const address = parseChannelAddress(target);
    if (!address || address.platform === 'terminal') return refused('channel_not_allowed');
    return accountAllowsChannel(this.rules.get(accountKey(cloud, accountName)), address.platform, address.channelId) ? ALLOWED : refused('channel_not_allowed');
  }

  /**
   * The default account of a channel (`slack:C123` or a {@link Principal}-style pair), or null
   * when it has none. With `cloud`, a per-cloud default wins, and a channel-wide default applies
   * only when an account of that name exists for the cloud (when the policy knows the accounts).
   */
  defaultAccountFor(channel: string | { readonly platform: string; readonly channelId: string }, cloud?: CloudName): string | null {
    const key = typeof channel === 'string' ? channel : `${channel.platform}:${channel.channelId}`;
    const entry = this.defaults.get(key);
    if (!entry) return null;
    if (cloud === undefined) return entry.account ?? entry.tencent ?? entry.alibaba;
    const perCloud = cloud === 'tencent' ? entry.tencent : entry.alibaba;
    if (perCloud !== null) return perCloud;
    if (entry.account === null) return null;
    if (this.known !== null && !this.known.has(accountKey(cloud, entry.account))) return null;
    return entry.account;
  }

  /**
   * The account a command uses: the one it names, else the channel's default for the cloud,
   * else `default`.
   */
  accountFor(channel: string | { readonly platform: string; readonly channelId: string }, cloud: CloudName, requested?: string): string {
    return requested ?? this.defaultAccountFor(channel, cloud) ?? DEFAULT_ACCOUNT;
  }

  /**
   * Finds the API token's binding, or null. Compares the presented token against every
   * configured one in constant time, and does not stop at a match, so timing reveals nothing.
   */
  authorizeApiToken(token: string): ApiTokenBinding | null {
    if (token.length === 0 || token.length > 4096) return null;
    const presented = sha256(token);
    let match: ApiTokenGrant | null = null;
    for (const { grant, digest } of this.tokens) {
      if (timingSafeEqual(presented, digest) && match === null) match = grant;
    }
    return match === null ? null : { name: match.name, accounts: match.accounts, channels: match.channels };
  }

  /**
   * Whether any account's `users` list names a Slack user group (`"@handle"`). Only then does
   * the Slack adapter need to look up group membership (and the `usergroups:read` scope).
   */
  get namesSlackGroups(): boolean {
    for (const rule of this.rules.values()) {
      if (rule.users?.some((subject) => subject.platform === 'slack' && subject.type === 'group')) return true;
    }
    return false;
  }

  /** Whether the policy has any API token; with none, the caller may keep the API off. */
  get hasApiTokens(): boolean {
    return this.tokens.length > 0;
  }

  private userAllowed(rules: AccountAccess, principal: Principal): boolean {
    const slackGroups = principal.platform === 'slack' ? new Set(principal.groups.map(normalizeGroupHandle)) : new Set<string>();
    return (rules.users ?? []).some((subject) => {
      if (subject.platform !== principal.platform) return false;
      switch (subject.type) {
        case 'user':
          return subject.id === principal.userId;
        case 'group':
          return slackGroups.has(subject.handle);
        case 'role':
          return principal.groups.includes(subject.id);
      }
    });
  }
}

const ACTION_WORDS: Readonly<Record<AccessAction, string>> = {
  query: 'query tasks',
  watch: 'watch tasks',
  subscribe: 'subscribe to tasks',
};

const CLOUD_LABEL: Readonly<Record<CloudName, string>> = { tencent: 'Tencent Cloud', alibaba: 'Alibaba Cloud' };

/** What a refusal message needs. Deliberately no task IDs: the text must read the same whether the task exists or not. */
export interface RefusalContext {
  readonly reason: RefusalReason;
  readonly action: AccessAction;
  readonly cloud: CloudName;
  readonly accountName: string;
}

/**
 * The plain, user-facing text of a refusal. It names the account (a name users type, never a
 * secret) but no task, and it is the same whether or not the task exists.
 */
export function refusalMessage(context: RefusalContext): string {
  // Names come from the parser's account=<name>; anything else is not quoted at all.
  const account = ACCOUNT_NAME_PATTERN.test(context.accountName) ? `named "${context.accountName}"` : 'with that name';
  switch (context.reason) {
    case 'channel_not_allowed':
      return `The ${CLOUD_LABEL[context.cloud]} account ${account} cannot be used in this channel. Use a channel that is allowed to, or ask a taskwatch admin to add this one to the account's access list.`;
    case 'user_not_allowed':
      return `You are not allowed to ${ACTION_WORDS[context.action]} with the ${CLOUD_LABEL[context.cloud]} account ${account}. Ask a taskwatch admin to add you, or a group you belong to, to the account's access list.`;
    case 'unknown_account':
      return `No ${CLOUD_LABEL[context.cloud]} account ${account} is configured. Check the name in account=<name>, or leave it out to use this channel's default.`;
  }
}

/** What the command handler needs to enforce access. Absent from the services: everything is allowed. */
export interface CommandAccess {
  readonly policy: AccessPolicy;
  readonly audit: AuditLog;
}
