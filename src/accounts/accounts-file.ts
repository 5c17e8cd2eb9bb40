/**
 * The accounts file (`taskwatch.yml`, or the path in `TASKWATCH_CONFIG`): several cloud
 * accounts with credentials by reference, who may use each one, a default account per channel,
 * and the API tokens automation uses. {@link loadAccountsFile} validates all of it at once and
 * returns either the parsed file or every problem, each saying what to do. No problem text
 * contains a secret: values are never quoted from credential fields, only field and variable
 * names, and YAML syntax errors are reported by line, never by excerpt.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { DEFAULT_ACCOUNT, type AlibabaAccount, type CloudAccount, type TencentAccount } from '../config';
import { parseChannelAddress } from '../util/channel-address';
import type { CloudName } from '../providers/types';
import { channelIdProblem, entryText, parseAccessSubject, parseDiscordChannel, parseSlackChannel, type AccessSubject, type SubjectResult } from './access-subject';
import { errorCode, resolveCredentialReference, type CredentialSources } from './credential-reference';

/** The file name looked for in the working directory when `TASKWATCH_CONFIG` is not set. */
export const DEFAULT_ACCOUNTS_FILE = 'taskwatch.yml';

/** What an account or token name must look like; the same as the command grammar's `account=<name>`. */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The shortest API token accepted: anything shorter can be guessed. */
export const MIN_API_TOKEN_LENGTH = 24;

/** Who may use one account. Absent for an account with no `access` section, which is open to everyone. */
export interface AccountAccess {
  readonly cloud: CloudName;
  readonly account: string;
  /**
   * The channels that may use the account, per platform; null when no channel list is given
   * (every channel may). When any list is given, a platform without one has no allowed channel.
   */
  readonly channels: { readonly slack: readonly string[]; readonly discord: readonly string[] } | null;
  /** The users and groups that may query, watch and subscribe; null when no list is given (everyone may). */
  readonly users: readonly AccessSubject[] | null;
}

/** The default account of one channel. */
export interface ChannelDefault {
  /** The channel as `<platform>:<channel id>`, e.g. `slack:C0123ABCD`. */
  readonly channel: string;
  /** The account used for any cloud that has an account of this name, when the command names none. */
  readonly account: string | null;
  /** Per-cloud overrides of {@link ChannelDefault.account}. */
  readonly tencent: string | null;
  readonly alibaba: string | null;
}

/**
 * One API token and what it may do. The token itself is not kept: only its SHA-256, so the
 * parsed file can be passed around (and even logged by mistake) without leaking it.
 */
export interface ApiTokenGrant {
  /** The token's name in the file; what audit lines show instead of the token. */
  readonly name: string;
  /** Hex SHA-256 of the token. */
  readonly tokenSha256: string;
  /** Account names a watch registered with this token may use (for either cloud). */
  readonly accounts: readonly string[];
  /** Channels (`slack:C…`, `discord:…`) a watch registered with this token may post to. */
  readonly channels: readonly string[];
}

/** The parsed accounts file. */
export interface AccountsFile {
  /** Accounts with their resolved credentials, in file order. */
  readonly accounts: readonly CloudAccount[];
  /** Access rules, one per account that has an `access` section. */
  readonly access: readonly AccountAccess[];
  readonly channelDefaults: readonly ChannelDefault[];
  readonly apiTokens: readonly ApiTokenGrant[];
}

/** The outcome of {@link loadAccountsFile}. */
export type AccountsFileResult = { readonly ok: true; readonly value: AccountsFile } | { readonly ok: false; readonly problems: string[] };

/** Options of {@link loadAccountsFile}. */
export interface LoadAccountsFileOptions {
  readonly path: string;
  /** The environment, for `{ env: VARIABLE }` references. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8 (the accounts file and `{ file: path }` references); default `fs.readFileSync`. */
  readonly readFile?: (path: string) => string;
}

/** An accounts file with nothing in it: what a single-account set-up behaves like. */
export const EMPTY_ACCOUNTS_FILE: AccountsFile = { accounts: [], access: [], channelDefaults: [], apiTokens: [] };

const CLOUD_LABEL: Readonly<Record<CloudName, string>> = { tencent: 'Tencent Cloud', alibaba: 'Alibaba Cloud' };

/** The credential fields of each provider, by the names the vendors' own tools use. */
const CREDENTIAL_FIELDS: Readonly<Record<CloudName, readonly [string, string]>> = {
  tencent: ['secretId', 'secretKey'],
  alibaba: ['accessKeyId', 'accessKeySecret'],
};

const ACCOUNT_FIELDS = ['provider', 'region', 'endpoint', 'access'];
const ACCESS_FIELDS = ['slackChannels', 'discordChannels', 'users'];
const TOP_LEVEL_FIELDS = ['accounts', 'channels', 'apiTokens'];
const CHANNEL_FIELDS = ['account', 'tencent', 'alibaba'];
const TOKEN_FIELDS = ['token', 'accounts', 'channels'];
const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+){1,3}$/;

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Quotes a name from the file in a problem; names are never secrets, but are cut all the same. */
function quoted(name: string): string {
  return `"${name.length > 40 ? `${name.slice(0, 40)}...` : name}"`;
}

function unknownFields(mapping: Mapping, known: readonly string[], owner: string, problems: string[]): void {
  for (const key of Object.keys(mapping)) {
    if (!known.includes(key)) problems.push(`${owner}: unknown field ${quoted(key)}; the fields are ${known.join(', ')}.`);
  }
}

/**
 * Chooses the accounts file: `TASKWATCH_CONFIG` when set (it must then exist, which
 * {@link loadAccountsFile} checks), else `taskwatch.yml` in the working directory when present,
 * else none (single-account mode from the environment).
 */
export function chooseAccountsFilePath(configured: string | null, exists: (path: string) => boolean): string | null {
  if (configured !== null) return configured;
  return exists(DEFAULT_ACCOUNTS_FILE) ? DEFAULT_ACCOUNTS_FILE : null;
}

/** Hex SHA-256 of an API token, as {@link ApiTokenGrant.tokenSha256} holds it. */
export function apiTokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Reads, parses and validates the accounts file, reporting every problem at once. Never throws. */
export function loadAccountsFile(options: LoadAccountsFileOptions): AccountsFileResult {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  let source: string;
  try {
    source = readFile(options.path);
  } catch (error) {
    return {
      ok: false,
      problems: [`The accounts file ${options.path} cannot be read (${errorCode(error)}). Check TASKWATCH_CONFIG, or copy taskwatch.example.yml to ${DEFAULT_ACCOUNTS_FILE}.`],
    };
  }
  return parseAccountsFile(source, { env: options.env, readFile, accountsFilePath: options.path });
}

/** Parses accounts-file text; {@link loadAccountsFile} without the reading. Exposed for tests and tools. */
export function parseAccountsFile(source: string, sources: CredentialSources): AccountsFileResult {
  const problems: string[] = [];
  const lineCounter = new LineCounter();
  // Integers as bigints: an unquoted 18-digit Discord ID would otherwise lose its last digits.
  const document = parseDocument(source, { intAsBigInt: true, uniqueKeys: true, prettyErrors: false, lineCounter });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const line = lineCounter.linePos(error.pos[0]).line;
      if (error.code === 'DUPLICATE_KEY') {
        // The key is a name (account, token, field); the value after it is never quoted.
        const key = /^[A-Za-z0-9_.@:"'-]{1,64}/
          .exec(source.slice(error.pos[0]))?.[0]
          ?.replace(/["']/g, '')
          .replace(/:$/, '');
        problems.push(`${sources.accountsFilePath} line ${line}: ${key ? quoted(key) : 'a key'} appears twice in the same section; names of accounts, channels, tokens and fields must be unique.`);
      } else {
        // YAML's own messages quote the offending line, which may hold a secret: report the line number only.
        problems.push(`${sources.accountsFilePath} line ${line}: this is not valid YAML (${error.code}). Fix the syntax on or just before that line.`);
      }
    }
    return { ok: false, problems };
  }

  const root: unknown = document.toJS({ maxAliasCount: 50 });
  if (root === null || root === undefined) return { ok: true, value: EMPTY_ACCOUNTS_FILE };
  if (!isMapping(root)) {
    return { ok: false, problems: [`${sources.accountsFilePath}: the file must be a mapping with the sections ${TOP_LEVEL_FIELDS.join(', ')}.`] };
  }
  unknownFields(root, TOP_LEVEL_FIELDS, sources.accountsFilePath, problems);

  const accounts: CloudAccount[] = [];
  const access: AccountAccess[] = [];
  const cloudOfName = new Map<string, CloudName>();
  parseAccounts(root['accounts'], sources, problems, accounts, access, cloudOfName);
  const channelDefaults = parseChannelDefaults(root['channels'], cloudOfName, access, problems);
  const apiTokens = parseApiTokens(root['apiTokens'], sources, cloudOfName, problems);

  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { accounts, access, channelDefaults, apiTokens } };
}

function parseAccounts(
  raw: unknown,
  sources: CredentialSources,
  problems: string[],
  accounts: CloudAccount[],
  access: AccountAccess[],
  cloudOfName: Map<string, CloudName>,
): void {
  if (raw === undefined || raw === null) return;
  if (!isMapping(raw)) {
    problems.push('accounts: must be a mapping of account name to account, e.g. "production: { provider: tencent, ... }".');
    return;
  }
  const lowerCaseNames = new Map<string, string>();
  for (const [name, body] of Object.entries(raw)) {
    const owner = `account ${quoted(name)}`;
    if (!ACCOUNT_NAME_PATTERN.test(name)) {
      problems.push(`${owner}: the name must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 64), because users type it as account=<name>.`);
      continue;
    }
    // A clash is reported, and the account still validated so that its other problems show too.
    const clash = lowerCaseNames.get(name.toLowerCase());
    if (clash !== undefined) problems.push(`accounts ${quoted(clash)} and ${quoted(name)} differ only in letter case, which users cannot tell apart; rename one.`);
    else lowerCaseNames.set(name.toLowerCase(), name);
    if (!isMapping(body)) {
      problems.push(`${owner}: must be a mapping with provider, credentials, region, endpoint and access.`);
      continue;
    }

    const provider = body['provider'];
    if (provider !== 'tencent' && provider !== 'alibaba') {
      const shown = typeof provider === 'string' ? ` ${quoted(provider.slice(0, 20))}` : '';
      problems.push(
        provider === undefined
          ? `${owner}: provider is missing; set provider: tencent or provider: alibaba.`
          : `${owner}: unknown provider${shown}; use tencent or alibaba.`,
      );
      continue;
    }
    cloudOfName.set(name, provider);
    const [idField, secretField] = CREDENTIAL_FIELDS[provider];
    unknownFields(body, [...ACCOUNT_FIELDS, idField, secretField], owner, problems);

    const id = resolveCredentialReference(body[idField], { owner, field: idField, key: `accounts.${name}.${idField}` }, sources);
    const secret = resolveCredentialReference(body[secretField], { owner, field: secretField, key: `accounts.${name}.${secretField}` }, sources);
    if (!id.ok) problems.push(id.problem);
    if (!secret.ok) problems.push(secret.problem);

    const region = parseRegion(body['region'], owner, problems);
    const endpoint = parseEndpoint(body['endpoint'], owner, problems);
    const rules = parseAccess(body['access'], provider, name, owner, problems);
    if (rules) access.push(rules);

    if (!id.ok || !secret.ok) continue;
    const account: CloudAccount =
      provider === 'tencent'
        ? ({ name, cloud: 'tencent', secretId: id.value, secretKey: secret.value, region, endpoint } satisfies TencentAccount)
        : ({ name, cloud: 'alibaba', accessKeyId: id.value, accessKeySecret: secret.value, region, endpoint } satisfies AlibabaAccount);
    accounts.push(account);
  }
}

function parseRegion(raw: unknown, owner: string, problems: string[]): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string' && REGION_PATTERN.test(raw.trim())) return raw.trim();
  problems.push(`${owner}: region must be a region name such as ap-guangzhou or cn-hangzhou.`);
  return null;
}

function parseEndpoint(raw: unknown, owner: string, problems: string[]): string | null {
  if (raw === undefined || raw === null) return null;
  // The value is not quoted: a URL can carry user:password.
  const problem = `${owner}: endpoint must be a base URL starting with http:// or https://, without user name or password, e.g. http://127.0.0.1:9000.`;
  if (typeof raw !== 'string') {
    problems.push(problem);
    return null;
  }
  try {
    const url = new URL(raw.trim());
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') throw new Error('not allowed');
    return raw.trim();
  } catch {
    problems.push(problem);
    return null;
  }
}

function parseList<T>(
  raw: unknown,
  field: string,
  owner: string,
  problems: string[],
  emptyHint: string,
  parse: (entry: unknown) => SubjectResult<T>,
): T[] | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(`${owner}: ${field} must be a non-empty list; ${emptyHint}`);
    return null;
  }
  const values: T[] = [];
  for (const entry of raw) {
    const result = parse(entry);
    if (result.ok) values.push(result.value);
    else problems.push(`${owner}: ${result.problem}`);
  }
  return values;
}

function parseAccess(raw: unknown, cloud: CloudName, account: string, owner: string, problems: string[]): AccountAccess | null {
  if (raw === undefined || raw === null) return null;
  if (!isMapping(raw)) {
    problems.push(`${owner}: access must be a mapping with ${ACCESS_FIELDS.join(', ')}.`);
    return null;
  }
  unknownFields(raw, ACCESS_FIELDS, `${owner} access`, problems);
  const hint = 'leave it out to allow everyone.';
  const slack = parseList(raw['slackChannels'], 'slackChannels', owner, problems, hint, parseSlackChannel);
  const discord = parseList(raw['discordChannels'], 'discordChannels', owner, problems, hint, parseDiscordChannel);
  const users = parseList(raw['users'], 'users', owner, problems, hint, parseAccessSubject);
  const channels = slack === null && discord === null ? null : { slack: slack ?? [], discord: discord ?? [] };
  return { cloud, account, channels, users };
}

/** True when the account allows the channel, or has no channel list. */
function channelAllowed(rules: AccountAccess | undefined, channel: string): boolean {
  if (!rules?.channels) return true;
  const address = parseChannelAddress(channel);
  if (!address) return false;
  if (address.platform === 'slack') return rules.channels.slack.includes(address.channelId);
  if (address.platform === 'discord') return rules.channels.discord.includes(address.channelId);
  return true;
}

/** Checks an account name referenced from elsewhere in the file; `default` may come from the environment. */
function checkAccountReference(raw: unknown, cloud: CloudName | null, cloudOfName: ReadonlyMap<string, CloudName>): SubjectResult<string> {
  const text = entryText(raw);
  if (text === null || text === '') return { ok: false, problem: 'must name an account from the accounts section.' };
  if (text === DEFAULT_ACCOUNT) return { ok: true, value: text };
  const cloudOfAccount = cloudOfName.get(text);
  if (cloudOfAccount === undefined) {
    return { ok: false, problem: `unknown account ${quoted(text)}; define it under accounts, or use one that is defined.` };
  }
  if (cloud !== null && cloudOfAccount !== cloud) {
    return { ok: false, problem: `account ${quoted(text)} is a ${CLOUD_LABEL[cloudOfAccount]} account, not a ${CLOUD_LABEL[cloud]} one.` };
  }
  return { ok: true, value: text };
}

function parseChannelDefaults(raw: unknown, cloudOfName: ReadonlyMap<string, CloudName>, access: readonly AccountAccess[], problems: string[]): ChannelDefault[] {
  if (raw === undefined || raw === null) return [];
  if (!isMapping(raw)) {
    problems.push('channels: must be a mapping of channel to default account, e.g. "slack:C0123ABCD: { account: production }".');
    return [];
  }
  const defaults: ChannelDefault[] = [];
  for (const [channel, body] of Object.entries(raw)) {
    const owner = `channel ${quoted(channel)}`;
    const address = parseChannelAddress(channel);
    if (!address || address.platform === 'terminal') {
      problems.push(`${owner}: write a channel as slack:<channel id> or discord:<channel id>, e.g. slack:C0123ABCD.`);
      continue;
    }
    const idProblem = channelIdProblem(address.platform, address.channelId);
    if (idProblem !== null) {
      problems.push(`${owner}: ${idProblem}`);
      continue;
    }
    if (!isMapping(body)) {
      problems.push(`${owner}: must be a mapping such as { account: production }.`);
      continue;
    }
    unknownFields(body, CHANNEL_FIELDS, owner, problems);
    const pick = (field: 'account' | 'tencent' | 'alibaba'): string | null => {
      if (body[field] === undefined || body[field] === null) return null;
      const checked = checkAccountReference(body[field], field === 'account' ? null : field, cloudOfName);
      if (!checked.ok) {
        problems.push(`${owner} ${field}: ${checked.problem}`);
        return null;
      }
      const name = checked.value;
      const clouds: CloudName[] = field === 'account' ? ['tencent', 'alibaba'] : [field];
      for (const cloud of clouds) {
        const rules = access.find((rule) => rule.cloud === cloud && rule.account === name);
        if (!channelAllowed(rules, channel)) {
          problems.push(`${owner}: its default account ${quoted(name)} does not allow this channel; add the channel to that account's access, or pick another default.`);
        }
      }
      return name;
    };
    const entry: ChannelDefault = { channel: `${address.platform}:${address.channelId}`, account: pick('account'), tencent: pick('tencent'), alibaba: pick('alibaba') };
    if (body['account'] === undefined && body['tencent'] === undefined && body['alibaba'] === undefined) {
      problems.push(`${owner}: give a default account, e.g. { account: production }, or per cloud { tencent: production, alibaba: production-dcdn }.`);
      continue;
    }
    defaults.push(entry);
  }
  return defaults;
}

function parseApiTokens(raw: unknown, sources: CredentialSources, cloudOfName: ReadonlyMap<string, CloudName>, problems: string[]): ApiTokenGrant[] {
  if (raw === undefined || raw === null) return [];
  if (!isMapping(raw)) {
    problems.push('apiTokens: must be a mapping of token name to { token, accounts, channels }.');
    return [];
  }
  const grants: ApiTokenGrant[] = [];
  const nameOfDigest = new Map<string, string>();
  for (const [name, body] of Object.entries(raw)) {
    const owner = `API token ${quoted(name)}`;
    if (!ACCOUNT_NAME_PATTERN.test(name)) {
      problems.push(`${owner}: the name must use only letters, digits, ".", "_" and "-" (at most 64); it is what audit lines show.`);
      continue;
    }
    if (!isMapping(body)) {
      problems.push(`${owner}: must be a mapping with token, accounts and channels.`);
      continue;
    }
    unknownFields(body, TOKEN_FIELDS, owner, problems);
    const token = resolveCredentialReference(body['token'], { owner, field: 'token', key: `apiTokens.${name}.token` }, sources);
    let digest: string | null = null;
    if (!token.ok) {
      problems.push(token.problem);
    } else if (token.value.length < MIN_API_TOKEN_LENGTH) {
      problems.push(`${owner}: the token is shorter than ${MIN_API_TOKEN_LENGTH} characters and could be guessed; generate one with "openssl rand -hex 32".`);
    } else {
      digest = apiTokenDigest(token.value);
      const other = nameOfDigest.get(digest);
      if (other !== undefined) problems.push(`${owner}: has the same token as ${quoted(other)}; give each token its own value so audit lines can tell them apart.`);
      nameOfDigest.set(digest, name);
    }

    const required = 'list at least one; a token is bound to the accounts and channels it names.';
    const accountNames = parseList(body['accounts'], 'accounts', owner, problems, required, (entry) => checkAccountReference(entry, null, cloudOfName));
    const channels = parseList(body['channels'], 'channels', owner, problems, required, (entry): SubjectResult<string> => {
      const text = entryText(entry);
      const address = text === null ? null : parseChannelAddress(text);
      if (!address || address.platform === 'terminal') {
        return { ok: false, problem: `channels entries are written slack:<channel id> or discord:<channel id>, e.g. slack:C0123ABCD.` };
      }
      const idProblem = channelIdProblem(address.platform, address.channelId);
      if (idProblem !== null) return { ok: false, problem: `the channels entry "${address.platform}:${address.channelId.slice(0, 40)}": ${idProblem}` };
      return { ok: true, value: `${address.platform}:${address.channelId}` };
    });
    if (body['accounts'] === undefined) problems.push(`${owner}: accounts is missing; list the accounts its watches may use.`);
    if (body['channels'] === undefined) problems.push(`${owner}: channels is missing; list the channels its watches may post to, e.g. [slack:C0123ABCD].`);
    if (digest !== null && accountNames !== null && channels !== null) grants.push({ name, tokenSha256: digest, accounts: accountNames, channels });
  }
  return grants;
}

/** The outcome of {@link mergeAccounts}. */
export interface MergedAccounts {
  readonly accounts: CloudAccount[];
  readonly problems: string[];
}

/**
 * Joins the single-account environment variables (account `default`) with the file's accounts.
 * The environment's come first. A file account with the same cloud and name as an environment
 * one is a conflict, reported rather than silently preferred, since either choice would surprise someone.
 */
export function mergeAccounts(fromEnvironment: readonly CloudAccount[], fromFile: readonly CloudAccount[]): MergedAccounts {
  const accounts: CloudAccount[] = [...fromEnvironment];
  const problems: string[] = [];
  for (const account of fromFile) {
    const clash = accounts.find((existing) => existing.cloud === account.cloud && existing.name === account.name);
    if (!clash) {
      accounts.push(account);
      continue;
    }
    const variables = account.cloud === 'tencent' ? 'TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY' : 'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET';
    problems.push(
      `The ${CLOUD_LABEL[account.cloud]} account ${quoted(account.name)} is defined twice: by ${variables} and by the accounts file. ` +
        `Rename the file's account, or unset those environment variables.`,
    );
  }
  return { accounts, problems };
}
