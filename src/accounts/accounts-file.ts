/**
 * The accounts file (`taskwatch.yml`, or the path in `TASKWATCH_CONFIG`): several cloud
 * accounts with credentials by reference, who may use each one, a default account per channel,
 * and the API tokens automation uses. {@link loadAccountsFile} validates all of it at once and
 * returns either the parsed file or every problem, each saying what to do. No problem text
 * contains a secret: values are never quoted from credential fields, only field and variable
 * names, and YAML syntax errors are reported by line, never by excerpt.
 *
 * The shape of each part is declared as zod schemas (`TOP_LEVEL_SHAPE`, `ACCOUNT_SHAPE` with
 * the credentials of {@link accountShape}, `ACCESS_SHAPE`, and the channel-default and token
 * shapes, which check references against the accounts section), parsed field by field so that
 * every problem is listed, each prefixed by the entry it belongs to. The shared patterns come
 * from `src/validation/shared-patterns.ts`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { DEFAULT_ACCOUNT, type AlibabaAccount, type CloudAccount, type TencentAccount } from '../config';
import { parseChannelAddress } from '../util/channel-address';
import type { CloudName } from '../providers/types';
import { channelIdProblem, entryText, parseAccessSubject, parseDiscordChannel, parseSlackChannel, type AccessSubject, type SubjectResult } from './access-subject';
import { errorCode, resolveCredentialReference, type CredentialSources } from './credential-reference';
import { parseFields, type ParsedFields } from '../validation/parse-fields';
import { ACCOUNT_NAME_PATTERN, MIN_TOKEN_LENGTH, regionSchema } from '../validation/shared-patterns';

/** The file name looked for in the working directory when `TASKWATCH_CONFIG` is not set. */
export const DEFAULT_ACCOUNTS_FILE = 'taskwatch.yml';

/** What an account or token name must look like; the same as the command grammar's `account=<name>`. */
export { ACCOUNT_NAME_PATTERN };

/** The shortest API token accepted: anything shorter can be guessed. */
export const MIN_API_TOKEN_LENGTH = MIN_TOKEN_LENGTH;

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

/** The fields each part of the file has, in the order problems name them. */
const ACCOUNT_FIELDS = ['provider', 'region', 'endpoint', 'access'];
const ACCESS_FIELDS = ['slackChannels', 'discordChannels', 'users'];
const TOP_LEVEL_FIELDS = ['accounts', 'channels', 'apiTokens'];
const CHANNEL_FIELDS = ['account', 'tencent', 'alibaba'];
const TOKEN_FIELDS = ['token', 'accounts', 'channels'];

/** Quotes a name from the file in a problem; names are never secrets, but are cut all the same. */
function quoted(name: string): string {
  return `"${name.length > 40 ? `${name.slice(0, 40)}...` : name}"`;
}

/** A mapping (of names to entries, or of fields to values); anything else is refused with `message`. */
function mappingSchema(message: string) {
  return z.record(z.string(), z.unknown(), { error: message });
}

/**
 * A list whose every entry `parse` accepts; each refused entry is one problem. Absent is allowed
 * (the field is then null); empty is not, since an empty allow list silently locks everyone out.
 */
function listSchema<T>(field: string, emptyHint: string, parse: (entry: unknown) => SubjectResult<T>) {
  const notAList = `${field} must be a non-empty list; ${emptyHint}`;
  return z
    .array(z.unknown(), { error: notAList })
    .min(1, { error: notAList })
    .transform((entries, context) =>
      entries.flatMap((entry) => {
        const result = parse(entry);
        if (result.ok) return [result.value];
        context.issues.push({ code: 'custom', message: result.problem, input: entry });
        return [];
      }),
    )
    .nullish()
    .transform((value) => value ?? null);
}

/** A schema from a check that answers a value or a problem. */
function checkedSchema<T>(check: (raw: unknown) => SubjectResult<T>) {
  return z.unknown().transform((raw, context): T => {
    const result = check(raw);
    if (!result.ok) context.issues.push({ code: 'custom', message: result.problem, input: raw });
    return (result.ok ? result.value : undefined) as T;
  });
}

/** Any mapping, where the caller words the problem itself (it names the entry). */
const ANY_MAPPING = mappingSchema('must be a mapping');

/** The sections of the file. */
const TOP_LEVEL_SHAPE = {
  accounts: mappingSchema('accounts: must be a mapping of account name to account, e.g. "production: { provider: tencent, ... }".').nullish(),
  channels: mappingSchema('channels: must be a mapping of channel to default account, e.g. "slack:C0123ABCD: { account: production }".').nullish(),
  apiTokens: mappingSchema('apiTokens: must be a mapping of token name to { token, accounts, channels }.').nullish(),
};

const PROVIDER_SCHEMA = z.enum(['tencent', 'alibaba'], {
  error: (issue) =>
    issue.input === undefined
      ? 'provider is missing; set provider: tencent or provider: alibaba.'
      : `unknown provider${typeof issue.input === 'string' ? ` ${quoted(issue.input.slice(0, 20))}` : ''}; use tencent or alibaba.`,
});

// The value is not quoted: a URL can carry user:password.
const ENDPOINT_PROBLEM = 'endpoint must be a base URL starting with http:// or https://, without user name or password, e.g. http://127.0.0.1:9000.';

/** An account's fields besides its credentials, which {@link accountShape} adds per provider. */
const ACCOUNT_SHAPE = {
  region: regionSchema('region must be a region name such as ap-guangzhou or cn-hangzhou.', (text) => text.trim())
    .nullish()
    .transform((value) => value ?? null),
  endpoint: z
    .string({ error: ENDPOINT_PROBLEM })
    .trim()
    .refine(
      (text) => {
        if (!URL.canParse(text)) return false;
        const url = new URL(text);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
      },
      { error: ENDPOINT_PROBLEM },
    )
    .nullish()
    .transform((value) => value ?? null),
  access: mappingSchema(`access must be a mapping with ${ACCESS_FIELDS.join(', ')}.`).nullish(),
};

/** The fields of an account's `access` section. */
const ACCESS_SHAPE = {
  slackChannels: listSchema('slackChannels', 'leave it out to allow everyone.', parseSlackChannel),
  discordChannels: listSchema('discordChannels', 'leave it out to allow everyone.', parseDiscordChannel),
  users: listSchema('users', 'leave it out to allow everyone.', parseAccessSubject),
};

/** Problems of one entry: those of its unknown fields first, then its fields' in their declared order. */
function entryProblems(owner: string, known: readonly string[], parsed: ParsedFields<unknown>): string[] {
  return [
    ...parsed.unknownFields.map((key) => `${owner}: unknown field ${quoted(key)}; the fields are ${known.join(', ')}.`),
    ...parsed.problems.map((problem) => `${owner}: ${problem.message}`),
  ];
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
  const sectionsOf = ANY_MAPPING.safeParse(root);
  if (!sectionsOf.success) {
    return { ok: false, problems: [`${sources.accountsFilePath}: the file must be a mapping with the sections ${TOP_LEVEL_FIELDS.join(', ')}.`] };
  }
  const sections = parseFields(TOP_LEVEL_SHAPE, sectionsOf.data);
  problems.push(...entryProblems(sources.accountsFilePath, TOP_LEVEL_FIELDS, { ...sections, problems: [] }));
  const ofSection = (section: string): string[] => sections.problems.filter((problem) => problem.path === section).map((problem) => problem.message);

  const accounts = parseAccounts(sections.values.accounts ?? {}, sources);
  const channelDefaults = parseChannelDefaults(sections.values.channels ?? {}, accounts.cloudOfName, accounts.access);
  const apiTokens = parseApiTokens(sections.values.apiTokens ?? {}, sources, accounts.cloudOfName);
  problems.push(...ofSection('accounts'), ...accounts.problems, ...ofSection('channels'), ...channelDefaults.problems, ...ofSection('apiTokens'), ...apiTokens.problems);

  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, value: { accounts: accounts.accounts, access: accounts.access, channelDefaults: channelDefaults.defaults, apiTokens: apiTokens.grants } };
}

/** The accounts section, parsed. */
interface ParsedAccounts {
  readonly accounts: CloudAccount[];
  readonly access: AccountAccess[];
  /** The cloud of every account whose provider is known, valid or not: what references are checked against. */
  readonly cloudOfName: Map<string, CloudName>;
  readonly problems: string[];
}

/** The fields of a `provider` account: its two credential references, resolved, then {@link ACCOUNT_SHAPE}. */
function accountShape(provider: CloudName, name: string, sources: CredentialSources) {
  const [idField, secretField] = CREDENTIAL_FIELDS[provider];
  const credential = (field: string) => checkedSchema((raw) => resolveCredentialReference(raw, { field, key: `accounts.${name}.${field}` }, sources));
  return { provider: PROVIDER_SCHEMA, [idField]: credential(idField), [secretField]: credential(secretField), ...ACCOUNT_SHAPE };
}

function parseAccounts(raw: Readonly<Record<string, unknown>>, sources: CredentialSources): ParsedAccounts {
  const parsed: ParsedAccounts = { accounts: [], access: [], cloudOfName: new Map(), problems: [] };
  const { problems } = parsed;
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
    const fieldsOf = ANY_MAPPING.safeParse(body);
    if (!fieldsOf.success) {
      problems.push(`${owner}: must be a mapping with provider, credentials, region, endpoint and access.`);
      continue;
    }
    const provider = PROVIDER_SCHEMA.safeParse(fieldsOf.data['provider']);
    if (!provider.success) {
      problems.push(...provider.error.issues.map((issue) => `${owner}: ${issue.message}`));
      continue;
    }
    parsed.cloudOfName.set(name, provider.data);
    const [idField, secretField] = CREDENTIAL_FIELDS[provider.data];
    const fields = parseFields(accountShape(provider.data, name, sources), fieldsOf.data);
    problems.push(...entryProblems(owner, [...ACCOUNT_FIELDS, idField, secretField], fields));
    const access = fields.values.access ? parseAccess(fields.values.access, provider.data, name, owner) : null;
    if (access) {
      problems.push(...access.problems);
      parsed.access.push(access.rules);
    }

    const credentials = fields.values as Readonly<Record<string, unknown>>;
    const id = credentials[idField] as string | undefined;
    const secret = credentials[secretField] as string | undefined;
    if (id === undefined || secret === undefined) continue;
    const region = fields.values.region ?? null;
    const endpoint = fields.values.endpoint ?? null;
    parsed.accounts.push(
      provider.data === 'tencent'
        ? ({ name, cloud: 'tencent', secretId: id, secretKey: secret, region, endpoint } satisfies TencentAccount)
        : ({ name, cloud: 'alibaba', accessKeyId: id, accessKeySecret: secret, region, endpoint } satisfies AlibabaAccount),
    );
  }
  return parsed;
}

function parseAccess(raw: Readonly<Record<string, unknown>>, cloud: CloudName, account: string, owner: string): { rules: AccountAccess; problems: string[] } {
  const fields = parseFields(ACCESS_SHAPE, raw);
  const problems = [...entryProblems(`${owner} access`, ACCESS_FIELDS, { ...fields, problems: [] }), ...fields.problems.map((problem) => `${owner}: ${problem.message}`)];
  // A list with refused entries still counts as given, with its valid entries: a channel default
  // is then checked against it rather than against "every channel may".
  const given = <T>(field: keyof typeof ACCESS_SHAPE, parse: (entry: unknown) => SubjectResult<T>): T[] | null => {
    const value = fields.values[field] as T[] | null | undefined;
    if (value !== undefined) return value;
    const entries = raw[field];
    return Array.isArray(entries) && entries.length > 0 ? entries.flatMap((entry) => { const result = parse(entry); return result.ok ? [result.value] : []; }) : null;
  };
  const slack = given('slackChannels', parseSlackChannel);
  const discord = given('discordChannels', parseDiscordChannel);
  const channels = slack === null && discord === null ? null : { slack: slack ?? [], discord: discord ?? [] };
  return { rules: { cloud, account, channels, users: given('users', parseAccessSubject) }, problems };
}

/**
 * True when an account's access rules let a channel on `platform` use it: the account has no
 * channel list, or lists the channel. A platform the rules cannot list (the terminal, or one
 * added later) is refused by an account that has a channel list: access fails closed.
 */
export function accountAllowsChannel(rules: AccountAccess | undefined, platform: string, channelId: string): boolean {
  if (!rules?.channels) return true;
  if (platform === 'slack') return rules.channels.slack.includes(channelId);
  if (platform === 'discord') return rules.channels.discord.includes(channelId);
  return false;
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

/** A `slack:<id>` or `discord:<id>` channel as the file writes it, checked and normalized. */
function checkChannel(text: string | null): SubjectResult<{ address: string; platform: 'slack' | 'discord'; channelId: string }> {
  const address = text === null ? null : parseChannelAddress(text);
  // The file names channels of the platforms whose IDs it can check; access fails closed for others.
  if (!address || (address.platform !== 'slack' && address.platform !== 'discord')) return { ok: false, problem: 'write a channel as slack:<channel id> or discord:<channel id>, e.g. slack:C0123ABCD.' };
  const idProblem = channelIdProblem(address.platform, address.channelId);
  if (idProblem !== null) return { ok: false, problem: idProblem };
  return { ok: true, value: { address: `${address.platform}:${address.channelId}`, platform: address.platform, channelId: address.channelId } };
}

function parseChannelDefaults(
  raw: Readonly<Record<string, unknown>>,
  cloudOfName: ReadonlyMap<string, CloudName>,
  access: readonly AccountAccess[],
): { defaults: ChannelDefault[]; problems: string[] } {
  const problems: string[] = [];
  const defaults: ChannelDefault[] = [];
  // Each default names an account (for any cloud, or for one); absent is null.
  const reference = (cloud: CloudName | null) =>
    checkedSchema((value): SubjectResult<string | null> => (value === undefined || value === null ? { ok: true, value: null } : checkAccountReference(value, cloud, cloudOfName)));
  const shape = { account: reference(null), tencent: reference('tencent'), alibaba: reference('alibaba') };
  for (const [channel, body] of Object.entries(raw)) {
    const owner = `channel ${quoted(channel)}`;
    const checked = checkChannel(channel);
    if (!checked.ok) {
      problems.push(`${owner}: ${checked.problem}`);
      continue;
    }
    const fieldsOf = ANY_MAPPING.safeParse(body);
    if (!fieldsOf.success) {
      problems.push(`${owner}: must be a mapping such as { account: production }.`);
      continue;
    }
    const fields = parseFields(shape, fieldsOf.data);
    problems.push(...entryProblems(owner, CHANNEL_FIELDS, { ...fields, problems: [] }));
    const pick = (field: 'account' | 'tencent' | 'alibaba'): string | null => {
      const refused = fields.problems.filter((problem) => problem.path === field);
      problems.push(...refused.map((problem) => `${owner} ${field}: ${problem.message}`));
      const name = fields.values[field] ?? null;
      if (name === null) return null;
      const clouds: CloudName[] = field === 'account' ? ['tencent', 'alibaba'] : [field];
      for (const cloud of clouds) {
        const rules = access.find((rule) => rule.cloud === cloud && rule.account === name);
        if (!accountAllowsChannel(rules, checked.value.platform, checked.value.channelId)) {
          problems.push(`${owner}: its default account ${quoted(name)} does not allow this channel; add the channel to that account's access, or pick another default.`);
        }
      }
      return name;
    };
    const entry: ChannelDefault = { channel: checked.value.address, account: pick('account'), tencent: pick('tencent'), alibaba: pick('alibaba') };
    if (fieldsOf.data['account'] === undefined && fieldsOf.data['tencent'] === undefined && fieldsOf.data['alibaba'] === undefined) {
      problems.push(`${owner}: give a default account, e.g. { account: production }, or per cloud { tencent: production, alibaba: production-dcdn }.`);
      continue;
    }
    defaults.push(entry);
  }
  return { defaults, problems };
}

function parseApiTokens(
  raw: Readonly<Record<string, unknown>>,
  sources: CredentialSources,
  cloudOfName: ReadonlyMap<string, CloudName>,
): { grants: ApiTokenGrant[]; problems: string[] } {
  const problems: string[] = [];
  const grants: ApiTokenGrant[] = [];
  const nameOfDigest = new Map<string, string>();
  const required = 'list at least one; a token is bound to the accounts and channels it names.';
  const listShape = {
    accounts: listSchema('accounts', required, (entry) => checkAccountReference(entry, null, cloudOfName)),
    channels: listSchema('channels', required, (entry): SubjectResult<string> => {
      const text = entryText(entry);
      const checked = checkChannel(text);
      if (checked.ok) return { ok: true, value: checked.value.address };
      const address = text === null ? null : parseChannelAddress(text);
      if (!address || (address.platform !== 'slack' && address.platform !== 'discord')) {
        return { ok: false, problem: 'channels entries are written slack:<channel id> or discord:<channel id>, e.g. slack:C0123ABCD.' };
      }
      return { ok: false, problem: `the channels entry "${address.platform}:${address.channelId.slice(0, 40)}": ${checked.problem}` };
    }),
  };
  for (const [name, body] of Object.entries(raw)) {
    const owner = `API token ${quoted(name)}`;
    if (!ACCOUNT_NAME_PATTERN.test(name)) {
      problems.push(`${owner}: the name must use only letters, digits, ".", "_" and "-" (at most 64); it is what audit lines show.`);
      continue;
    }
    const fieldsOf = ANY_MAPPING.safeParse(body);
    if (!fieldsOf.success) {
      problems.push(`${owner}: must be a mapping with token, accounts and channels.`);
      continue;
    }
    const shape = { token: checkedSchema((value) => resolveCredentialReference(value, { field: 'token', key: `apiTokens.${name}.token` }, sources)), ...listShape };
    const fields = parseFields(shape, fieldsOf.data);
    const ofField = (field: string): string[] => fields.problems.filter((problem) => problem.path === field).map((problem) => `${owner}: ${problem.message}`);
    problems.push(...entryProblems(owner, TOKEN_FIELDS, { ...fields, problems: [] }), ...ofField('token'));
    let digest: string | null = null;
    const token = fields.values.token;
    if (token !== undefined && token.length < MIN_API_TOKEN_LENGTH) {
      problems.push(`${owner}: the token is shorter than ${MIN_API_TOKEN_LENGTH} characters and could be guessed; generate one with "openssl rand -hex 32".`);
    } else if (token !== undefined) {
      digest = apiTokenDigest(token);
      const other = nameOfDigest.get(digest);
      if (other !== undefined) problems.push(`${owner}: has the same token as ${quoted(other)}; give each token its own value so audit lines can tell them apart.`);
      nameOfDigest.set(digest, name);
    }
    problems.push(...ofField('accounts'), ...ofField('channels'));
    if (fieldsOf.data['accounts'] === undefined) problems.push(`${owner}: accounts is missing; list the accounts its watches may use.`);
    if (fieldsOf.data['channels'] === undefined) problems.push(`${owner}: channels is missing; list the channels its watches may post to, e.g. [slack:C0123ABCD].`);
    const accountNames = fields.values.accounts ?? null;
    const channels = fields.values.channels ?? null;
    if (digest !== null && accountNames !== null && channels !== null) grants.push({ name, tokenSha256: digest, accounts: accountNames, channels });
  }
  return { grants, problems };
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
