/**
 * `taskwatch status <kind> [<id>...] [--region R] [--account A] [--json] [--wait] [--timeout 30m] [--sandbox]`
 *
 * A one-shot query for terminals and pipelines. Exit codes are a contract:
 * - without `--wait`: 0 when every task was answered, 1 when a task was not found or a query failed;
 * - with `--wait`: 0 when every task succeeded, 1 when any failed (or was not found), 3 on timeout;
 * - 2 for usage or configuration errors (including refused credentials), always.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAccountSetup } from '../accounts/account-setup';
import type { Writable } from 'node:stream';
import { DEFAULT_ACCOUNT, loadConfig, type CloudAccount, type Environment, type TaskwatchConfig } from '../config';
import { isProviderError, type ProviderError } from '../providers/errors';
import { providerFailureText } from '../commands/messages';
import { InMemoryRateBudget } from '../providers/rate-budget';
import { createProviderRegistry } from '../providers/registry';
import { TASK_KINDS, type ProviderRegistry, type TaskKind, type TaskStatus } from '../providers/types';
import { resolveTaskKind, validateTaskId, kindDescriptor, kindTakesNoId, kindNameListWithAliases, regionalKindList } from '../providers/kinds';
import { formatDuration, parseDuration } from '../util/duration';
import { CHAT_PLATFORM_DEFINITIONS } from '../chat/platforms';
import { renderStatusText } from '../chat/terminal/render-status';
import { wordedStatus } from '../chat/render/task-summary-text';
import { EXIT, firstLine, type CliIo } from './io';

/** `taskwatch status --help`. */
export const STATUS_USAGE = `Usage: taskwatch status <kind> [<id>...] [options]

Kinds: ${kindNameListWithAliases()}

Options:
  --region <region>   region for ${regionalKindList()} (default: TENCENTCLOUD_REGION)
  --account <name>    account to query (default: default)
  --json              one JSON object per task per line
  --wait              poll until every task ends: exit 0 all succeeded, 1 any failed, 3 timeout
  --timeout <dur>     how long --wait may take, e.g. 90s, 30m, 2h (default 30m)
  --sandbox           query an in-process cloud sandbox with demo tasks instead of a real cloud

Exit codes: 0 ok, 1 task failed or not found, 2 usage or configuration error, 3 --wait timed out.
Examples:
  taskwatch status cdn 1533031853231313311
  taskwatch status dcdn 704225667,704225668 --wait --timeout 10m
  taskwatch status redis 18215 --region ap-guangzhou --json`;

const MAX_ID_LENGTH = 128;
const FIRST_POLL_MS = 2000;
const MAX_POLL_MS = 30_000;

/** What {@link runStatusCommand} needs besides its arguments. */
export interface StatusCommandDependencies extends CliIo {
  readonly env: Environment;
  /** Poll interval bounds for `--wait`; tests shorten them. */
  readonly pollIntervalMs?: { readonly first: number; readonly max: number };
}

interface StatusArguments {
  readonly kind: TaskKind;
  readonly ids: string[];
  readonly region: string | undefined;
  readonly account: string;
  readonly json: boolean;
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly sandbox: boolean;
}

class UsageError extends Error {}

/** Runs `taskwatch status`; resolves to the process exit code. */
export async function runStatusCommand(argv: readonly string[], dependencies: StatusCommandDependencies): Promise<number> {
  const { out, err } = dependencies;
  let args: StatusArguments;
  try {
    const parsed = parseStatusArguments(argv);
    if (parsed === 'help') {
      out.write(`${STATUS_USAGE}\n`);
      return EXIT.ok;
    }
    args = parsed;
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`taskwatch status: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }

  const session = await openSession(args, dependencies);
  if ('problems' in session) {
    for (const problem of session.problems) err.write(`taskwatch status: ${problem}\n`);
    return EXIT.usage;
  }
  try {
    return await (args.wait ? waitForTasks(args, session.registry, dependencies) : queryOnce(args, session.registry, dependencies));
  } finally {
    await session.close();
  }
}

function parseStatusArguments(argv: readonly string[]): StatusArguments | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        region: { type: 'string' },
        account: { type: 'string' },
        json: { type: 'boolean' },
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
        sandbox: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // parseArgs explains unknown options and missing values well; keep its first sentence.
    const text = firstLine(error);
    throw new UsageError(`${text.slice(0, 160)} (see taskwatch status --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [kindWord, ...idWords] = positionals;
  if (kindWord === undefined) throw new UsageError(`missing <kind>: one of ${TASK_KINDS.join(', ')} (see taskwatch status --help)`);
  const kind = resolveTaskKind(kindWord);
  if (kind === null) throw new UsageError(`unknown kind "${printable(kindWord)}": use one of ${TASK_KINDS.join(', ')}`);

  const ids = [...new Set(idWords.flatMap((word) => word.split(',')).map((id) => id.trim()))];
  if (idWords.length > 0 && ids.some((id) => id === '')) throw new UsageError('an empty task ID was given (check for stray commas or quotes)');
  if (kindTakesNoId(kind) && ids.length > 0) throw new UsageError(`${kind} takes no ID: ${kindDescriptor(kind).idShape}`);
  if (!kindTakesNoId(kind) && ids.length === 0 && !values.sandbox) throw new UsageError(`missing task ID: taskwatch status ${kind} <id> [<id>...]`);
  for (const id of ids) {
    const problem = validateTaskId(kind, id);
    if (problem === 'empty_id') throw new UsageError('an empty task ID was given');
    if (problem === 'id_too_long' || id.length > MAX_ID_LENGTH) throw new UsageError(`task ID "${printable(id)}" is longer than ${MAX_ID_LENGTH} characters`);
    if (problem === 'invalid_id') {
      throw new UsageError(kindDescriptor(kind).idRule === 'integer' ? `${kindDescriptor(kind).productName} task IDs are integers; "${printable(id)}" is not` : `"${printable(id)}" is not a valid ${kind} task ID`);
    }
  }

  const region = values.region?.trim();
  if (values.region !== undefined && !region) throw new UsageError('--region needs a value, e.g. --region ap-guangzhou');
  let timeoutMs = 30 * 60_000;
  if (values.timeout !== undefined) {
    const parsedTimeout = parseDuration(values.timeout);
    if (parsedTimeout === null) throw new UsageError(`--timeout "${printable(values.timeout)}" is not a duration; try 90s, 30m or 2h`);
    timeoutMs = parsedTimeout;
  }
  return {
    kind,
    ids,
    region,
    account: values.account?.trim() || DEFAULT_ACCOUNT,
    json: values.json ?? false,
    wait: values.wait ?? false,
    timeoutMs,
    sandbox: values.sandbox ?? false,
  };
}

interface Session {
  readonly registry: ProviderRegistry;
  close(): Promise<void>;
}

async function openSession(args: StatusArguments, dependencies: StatusCommandDependencies): Promise<Session | { problems: string[] }> {
  const loaded = loadConfig(dependencies.env, CHAT_PLATFORM_DEFINITIONS);
  if (!loaded.ok) return { problems: [...loaded.problems] };
  const rateBudget = new InMemoryRateBudget();
  if (!args.sandbox) {
    // The terminal is local and always allowed, so only the accounts are taken from the file;
    // a broken file still stops here (exit 2), as it stops `taskwatch start`.
    const accountSetup = loadAccountSetup({ config: loaded.config, env: dependencies.env, exists: existsSync });
    if (!accountSetup.ok) return { problems: [...accountSetup.problems] };
    const accounts = accountSetup.setup.accounts;
    const cloud = kindDescriptor(args.kind).cloud;
    if (!accounts.some((account) => account.cloud === cloud)) {
      return {
        problems: [
          cloud === 'tencent'
            ? 'no Tencent Cloud credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_REGION for dts/redis), or add --sandbox to try the demo sandbox'
            : 'no Alibaba Cloud credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or add --sandbox to try the demo sandbox',
        ],
      };
    }
    const registry = createProviderRegistry({ ...loaded.config, accounts }, { rateBudget });
    return { registry, close: async () => registry.close() };
  }

  // Loaded lazily: the sandbox is only needed for --sandbox.
  const { CloudSandbox } = await import('../sandbox/cloud-sandbox');
  const { plantDemoTasks } = await import('../sandbox/demo-tasks');
  const { sandboxAccounts } = await import('../sandbox/sandbox-accounts');
  const sandbox = await CloudSandbox.start();
  const demo = plantDemoTasks(sandbox);
  if (!kindTakesNoId(args.kind) && args.ids.length === 0) {
    await sandbox.stop();
    const examples = demo.byKind[args.kind];
    return { problems: [`missing task ID. Demo ${args.kind} tasks in the sandbox: ${examples.join(', ') || 'none'}`] };
  }
  const accounts: CloudAccount[] = sandboxAccounts(sandbox.url);
  const config: Pick<TaskwatchConfig, 'accounts' | 'rateLimits' | 'providerTimeoutMs'> = { ...loaded.config, accounts };
  return { registry: createProviderRegistry(config, { rateBudget }), close: () => sandbox.stop() };
}

type QueryOutcome = { readonly statuses: TaskStatus[]; readonly error: null } | { readonly statuses: []; readonly error: ProviderError };

async function describe(args: StatusArguments, registry: ProviderRegistry): Promise<QueryOutcome> {
  try {
    const provider = registry.get(args.kind, args.account);
    const statuses = await provider.describe(kindTakesNoId(args.kind) ? [] : args.ids, { region: args.region });
    return { statuses, error: null };
  } catch (error) {
    if (isProviderError(error)) return { statuses: [], error };
    throw error;
  }
}

const CONFIGURATION_ERRORS: ReadonlySet<string> = new Set(['auth_failed', 'permission_denied', 'not_configured', 'invalid_request']);

function reportError(args: StatusArguments, error: ProviderError, dependencies: StatusCommandDependencies): void {
  if (args.json) {
    for (const id of args.ids.length > 0 ? args.ids : ['latest']) {
      dependencies.out.write(
        `${JSON.stringify({ kind: args.kind, id, error: { code: error.code, message: providerFailureText(error, 'cli'), retryable: error.retryable, providerCode: error.providerCode ?? null, requestId: error.requestId ?? null } })}\n`,
      );
    }
  }
  dependencies.err.write(`taskwatch status: ${providerFailureText(error, 'cli')}${error.retryable ? ' (retrying later may help)' : ''}\n`);
}

function printStatuses(args: StatusArguments, statuses: readonly TaskStatus[], out: Writable): void {
  // The JSON is a contract: `message` fields carry the words, as they always did.
  for (const status of statuses) out.write(args.json ? `${JSON.stringify(wordedStatus(status))}\n` : `${renderStatusText(status)}\n`);
}

async function queryOnce(args: StatusArguments, registry: ProviderRegistry, dependencies: StatusCommandDependencies): Promise<number> {
  const outcome = await describe(args, registry);
  if (outcome.error) {
    reportError(args, outcome.error, dependencies);
    return CONFIGURATION_ERRORS.has(outcome.error.code) ? EXIT.usage : EXIT.failed;
  }
  printStatuses(args, outcome.statuses, dependencies.out);
  return outcome.statuses.every((status) => status.found) ? EXIT.ok : EXIT.failed;
}

async function waitForTasks(args: StatusArguments, registry: ProviderRegistry, dependencies: StatusCommandDependencies): Promise<number> {
  const intervals = dependencies.pollIntervalMs ?? { first: FIRST_POLL_MS, max: MAX_POLL_MS };
  const startedAt = Date.now();
  const deadline = startedAt + args.timeoutMs;
  const lastPrinted = new Map<string, string>();
  let delay = intervals.first;
  for (;;) {
    const outcome = await describe(args, registry);
    if (outcome.error) {
      if (!outcome.error.retryable) {
        reportError(args, outcome.error, dependencies);
        return CONFIGURATION_ERRORS.has(outcome.error.code) ? EXIT.usage : EXIT.failed;
      }
      dependencies.err.write(`taskwatch status: ${providerFailureText(outcome.error, 'cli')}; still waiting\n`);
    } else {
      // Print a task only when something about it changed, so a long wait stays readable.
      const changed = outcome.statuses.filter((status) => {
        const fingerprint = JSON.stringify([status.state, status.rawStatus, status.progress, status.items.map((item) => [item.rawStatus, item.progress])]);
        if (lastPrinted.get(status.id) === fingerprint) return false;
        lastPrinted.set(status.id, fingerprint);
        return true;
      });
      printStatuses(args, changed, dependencies.out);
      // A task that is not found will not appear later: it counts as ended, and as a failure.
      if (outcome.statuses.every((status) => status.terminal || !status.found)) {
        return outcome.statuses.every((status) => status.found && status.state === 'succeeded') ? EXIT.ok : EXIT.failed;
      }
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      dependencies.err.write(`taskwatch status: timed out after ${formatDuration(args.timeoutMs)}; tasks still unfinished\n`);
      return EXIT.timeout;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, remaining)));
    delay = Math.min(intervals.max, Math.round(delay * 1.5));
  }
}

/** Cuts user text for error lines and strips control characters so it cannot garble a terminal. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}
