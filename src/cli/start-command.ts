/**
 * `taskwatch start [--role web|worker|all] [--shell]`: runs the bot until SIGTERM, SIGINT or
 * SIGHUP (or, under `npm start`, until npm goes away), then stops taking commands, lets in-flight
 * jobs finish or return to the queue, closes Redis and the child redis-server, and exits 0. A
 * second signal during that stop stops the child redis-server at once and exits 0.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAccountSetup } from '../accounts/account-setup';
import { loadConfig, type Environment, type TaskwatchConfig } from '../config';
import { CHAT_PLATFORM_DEFINITIONS, chatSecrets } from '../chat/platforms';
import { EXIT, firstLine, type CliIo } from './io';
import { listenForStopRequests, type StopReason } from './stop-signals';

const USAGE = `Usage: taskwatch start [--role web|worker|all] [--shell]

  --role web      take commands and HTTP requests; no polling (several may share one Redis)
  --role worker   poll watched tasks and deliver notifications; no commands
  --role all      both (default)
  --shell         open the terminal chat even when a chat platform is configured or stdin is not a terminal

With nothing configured it starts a local redis-server, the cloud sandbox and the terminal chat.`;

const ROLES = ['web', 'worker', 'all'] as const;

/** What `taskwatch start` needs from its process. */
export interface StartCommandDependencies extends CliIo {
  readonly env: Environment;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** Runs `taskwatch start`; resolves to the exit code once the bot has stopped. */
export async function runStartCommand(argv: readonly string[], dependencies: StartCommandDependencies): Promise<number> {
  const { err } = dependencies;
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: { role: { type: 'string' }, shell: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    err.write(`taskwatch start: ${firstLine(error).slice(0, 160)} (see taskwatch start --help)\n`);
    return EXIT.usage;
  }
  if (values.help) {
    dependencies.out.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const role = values.role ?? 'all';
  if (!(ROLES as readonly string[]).includes(role)) {
    err.write(`taskwatch start: --role must be one of ${ROLES.join(', ')}\n`);
    return EXIT.usage;
  }

  const loaded = loadConfig(dependencies.env, CHAT_PLATFORM_DEFINITIONS);
  if (!loaded.ok) {
    err.write(`taskwatch start: the configuration has ${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'}:\n`);
    for (const problem of loaded.problems) err.write(`  - ${problem}\n`);
    return EXIT.usage;
  }
  // The accounts file is read once, here: anything wrong in it stops start-up, listed in full.
  // Problem texts name fields and variables, never a value, so a literal secret is not echoed.
  const accountSetup = loadAccountSetup({ config: loaded.config, env: dependencies.env, exists: existsSync });
  if (!accountSetup.ok) {
    const count = accountSetup.problems.length;
    err.write(`taskwatch start: the accounts file has ${count} problem${count === 1 ? '' : 's'}, so taskwatch did not start:\n`);
    for (const problem of accountSetup.problems) err.write(`  - ${problem}\n`);
    return EXIT.usage;
  }
  const config: TaskwatchConfig = { ...loaded.config, accounts: accountSetup.setup.accounts };

  const { createLogger } = await import('../observability/logger');
  const { startTaskwatch, terminalChatOpens, terminalLogFile } = await import('../main');
  const shell = values.shell ?? false;
  // The terminal chat's screen is the conversation: logs and audit lines go to a file, and
  // only warnings and errors reach the screen.
  const logFile = terminalChatOpens({ config, role: role as (typeof ROLES)[number], shell, stdin: dependencies.stdin }) ? terminalLogFile(config) : null;
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty, secrets: secretsOf(config), ...(logFile ? { file: logFile } : {}) });

  // Listening starts before anything is started, so that a signal during start-up stops us
  // cleanly once start-up is done instead of killing us with a child redis-server running.
  const stopRequests = listenForStopRequests({
    // npm does not forward SIGHUP and dies of it; without this we would run on, orphaned.
    parentPid: dependencies.env['npm_lifecycle_event'] !== undefined ? () => process.ppid : null,
  });
  let running;
  try {
    running = await startTaskwatch({
      config,
      role: role as (typeof ROLES)[number],
      shell,
      logFile,
      stdin: dependencies.stdin,
      stdout: dependencies.out as NodeJS.WritableStream,
      logger,
      mayInstallRedis: typeof process.getuid === 'function' && process.getuid() === 0,
      policy: accountSetup.setup.policy,
    });
  } catch (error) {
    // Start-up errors are ours (missing redis-server, port in use, refused Slack token) and say what to do.
    logger.error({ errorName: (error as { name?: unknown })?.name }, 'taskwatch could not start');
    err.write(`taskwatch start: ${firstLine(error).slice(0, 300) || 'could not start'}\n`);
    logger.flush?.();
    stopRequests.dispose();
    return EXIT.failed;
  }

  const stopReason: StopReason = await Promise.race([stopRequests.first, running.closed.then(() => 'terminal closed' as const)]);
  logger.info({ reason: stopReason }, 'stopping');
  const outcome = await Promise.race([running.stop().then(() => null), stopRequests.second]);
  if (outcome !== null) {
    // A second request during a slow stop: do not wait for in-flight jobs, but never leave the
    // child redis-server behind. Jobs still running return to the queue when their locks expire.
    logger.warn({ reason: outcome }, 'stopping now');
    await running.stopNow();
    logger.info('stopped');
    logger.flush?.();
    stopRequests.dispose();
    // Whatever was still stopping (a worker waiting on a hung call) would keep the process alive.
    process.exit(EXIT.ok);
  }
  stopRequests.dispose();
  logger.info('stopped');
  logger.flush?.();
  return EXIT.ok;
}

/** Every configured secret value, so the logger can mask them wherever they appear. */
function secretsOf(config: TaskwatchConfig): string[] {
  const secrets: Array<string | null> = [...chatSecrets(config), config.adminToken, config.apiToken];
  for (const account of config.accounts) {
    secrets.push(account.cloud === 'tencent' ? account.secretKey : account.accessKeySecret);
  }
  return secrets.filter((secret): secret is string => secret !== null);
}
