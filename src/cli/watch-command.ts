/**
 * `taskwatch watch <kind> <id>... --notify slack:C123 [--region R] [--account A]`: starts a
 * watch from a shell, e.g. as the pipeline step after a prefetch is submitted.
 *
 * It calls the running bot's HTTP API (`POST /api/watches`) rather than Redis. A pipeline then
 * needs one URL and one token (`TASKWATCH_API_URL`, `API_TOKEN`) instead of Redis access plus
 * the chat and cloud credentials a watch engine needs to post its card: the secrets stay with
 * the bot, and the pipeline's step gets exactly the same checks and rate limit as any client.
 */
import { parseArgs } from 'node:util';
import type { Environment } from '../config';
import { resolveTaskKind, validateTaskId, kindTakesNoId, kindNameList } from '../providers/kinds';
import { channelPlatformNames } from '../chat/platforms';
import { channelAddressForms, parseChannelAddress } from '../util/channel-address';
import { EXIT, firstLine, type CliIo } from './io';

const USAGE = `Usage: taskwatch watch <kind> <id> [<id> ...] --notify slack:<channel id>|discord:<channel id> [--region R] [--account A] [--progress card|thread] [--api URL]

Starts watching tasks; their status card and thread of changes go to the named channel.
Talks to a running taskwatch over HTTP:
  --progress P    card (default: progress alone edits the card) or thread (every progress step is posted too)
  --api URL       the bot's base URL, path kept (or TASKWATCH_API_URL; default http://127.0.0.1:3000)
  API_TOKEN       the bot's API token, from the environment (never a flag, so it stays out of shell history)
Prints one watch ID per line. Exit codes: 0 started, 2 usage or configuration (including a
refused token: 401 or 403), 1 failed.`;

/** What `taskwatch watch` needs from its process. */
export interface WatchCommandDependencies extends CliIo {
  readonly env: Environment;
  /** HTTP client; default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/** The default API base URL. */
export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/**
 * The API's address under `base`, keeping base's path: with `https://ops.example.com/taskwatch`
 * (with or without the final `/`) it is `https://ops.example.com/taskwatch/api/watches`. An
 * absolute `/api/watches` would drop that path and send the bearer token to the host's root,
 * i.e. to whatever else is served there. Null for anything but a plain http(s) base URL.
 */
export function watchesUrl(base: string): URL | null {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') return null;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/watches`;
  return url;
}

/** Runs `taskwatch watch`; resolves to the exit code. */
export async function runWatchCommand(argv: readonly string[], dependencies: WatchCommandDependencies): Promise<number> {
  const { out, err, env } = dependencies;
  const usage = (message: string): number => {
    err.write(`taskwatch watch: ${message} (see taskwatch watch --help)\n`);
    return EXIT.usage;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        notify: { type: 'string' },
        region: { type: 'string' },
        account: { type: 'string' },
        progress: { type: 'string' },
        api: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usage(firstLine(error).slice(0, 160));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const [kindWord, ...rawIds] = positionals;
  if (kindWord === undefined) return usage(`name a task kind: ${kindNameList(' or ')}`);
  const kind = resolveTaskKind(kindWord);
  if (kind === null) return usage(`unknown task kind "${kindWord.slice(0, 32)}"`);
  const ids = rawIds.flatMap((id) => id.split(',')).filter((id) => id !== '');
  if (kindTakesNoId(kind) && ids.length > 0) return usage(`${kind} takes no task ID`);
  if (!kindTakesNoId(kind) && ids.length === 0) return usage(`${kind} needs at least one task ID`);
  const badId = ids.find((id) => validateTaskId(kind, id) !== null);
  if (badId !== undefined) return usage(`"${badId.slice(0, 32)}" is not a valid ${kind} task ID`);
  if (!values.notify) return usage('--notify slack:<channel id> is required');
  const channel = parseChannelAddress(values.notify);
  const platforms = channelPlatformNames();
  if (!channel || !platforms.includes(channel.platform)) return usage(`--notify must be ${channelAddressForms(platforms)}`);

  if (values.progress !== undefined && values.progress !== 'card' && values.progress !== 'thread') return usage('--progress must be card or thread');

  const token = env['API_TOKEN']?.trim();
  if (!token) {
    err.write('taskwatch watch: API_TOKEN is not set: export the API token of the running taskwatch (its API_TOKEN setting).\n');
    return EXIT.usage;
  }
  // An empty TASKWATCH_API_URL means unset, as for every other setting.
  const base = values.api ?? (env['TASKWATCH_API_URL']?.trim() || DEFAULT_API_URL);
  const url = watchesUrl(base);
  if (url === null) return usage('--api (or TASKWATCH_API_URL) must be an http:// or https:// URL without ?query or #fragment');

  const body = { kind, ...(kindTakesNoId(kind) ? {} : { ids }), channel: values.notify, ...(values.region ? { region: values.region } : {}), ...(values.account ? { account: values.account } : {}), ...(values.progress ? { progress: values.progress } : {}) };
  let response: Response;
  try {
    response = await (dependencies.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    err.write(`taskwatch watch: could not reach taskwatch at ${url.origin}; is it running (taskwatch start) with API_TOKEN set?\n`);
    return EXIT.failed;
  }
  const answer = (await response.json().catch(() => ({}))) as { watches?: Array<{ id: string; kind: string; taskId: string }>; fields?: Record<string, string>; message?: string; error?: string };
  switch (response.status) {
    case 201:
      for (const watch of answer.watches ?? []) out.write(`${watch.id}\t${watch.kind}\t${watch.taskId}\n`);
      return EXIT.ok;
    case 400: {
      const fields = Object.entries(answer.fields ?? {}).map(([field, problem]) => `${field} ${problem}`);
      err.write(`taskwatch watch: the bot refused the request: ${fields.join('; ') || 'invalid request'}\n`);
      return EXIT.usage;
    }
    case 401:
      err.write('taskwatch watch: the bot refused API_TOKEN (401); check that it matches the bot\'s API_TOKEN.\n');
      return EXIT.usage;
    case 403: {
      // A refused token is a configuration problem (README: exit 2), not a failure to retry.
      const fields = Object.entries(answer.fields ?? {}).map(([field, problem]) => `${field.slice(0, 32)} ${String(problem).slice(0, 200)}`);
      err.write(`taskwatch watch: the bot refused this token here (403): ${fields.join('; ') || 'forbidden'}\n`);
      return EXIT.usage;
    }
    case 429:
      err.write(`taskwatch watch: rate-limited by the bot; retry after ${response.headers.get('retry-after') ?? 'a while'} s.\n`);
      return EXIT.failed;
    default:
      err.write(`taskwatch watch: the bot answered HTTP ${response.status}${answer.message ? `: ${answer.message.slice(0, 200)}` : ''}\n`);
      return EXIT.failed;
  }
}
