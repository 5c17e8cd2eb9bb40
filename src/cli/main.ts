/**
 * The `taskwatch` command line. Each subcommand's module is loaded only when used, so
 * `taskwatch --help` and `taskwatch status` start quickly.
 */
import { readEnvironment } from '../config';
import { kindNameList } from '../providers/kinds';
import { EXIT, type CliIo } from './io';

/** `taskwatch --help`. */
export const USAGE = `taskwatch: tells chat channels what asynchronous cloud tasks are doing.

Usage:
  taskwatch start [--role web|worker|all] [--shell]   run the bot (default: local Redis, cloud sandbox, terminal chat)
  taskwatch status <kind> [<id>...] [options]         query tasks once, or --wait until they end
  taskwatch watch <kind> <id>... --notify slack:C123  register a watch with a running bot (POST /api/watches)
  taskwatch discord register [--guild <id>]           register the /task-status command with Discord
  taskwatch sandbox [--port N] [--host H] [--no-demo] run the local cloud sandbox on its own
  taskwatch --help | --version

Kinds: ${kindNameList()}. Run "taskwatch <command> --help" for a command's options.`;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.out.write(`${USAGE}\n`);
      return command === undefined ? EXIT.usage : EXIT.ok;
    case '--version':
    case '-v': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { version } = require('../../package.json') as { version: string };
      io.out.write(`${version}\n`);
      return EXIT.ok;
    }
    case 'status': {
      const { runStatusCommand } = await import('./status-command');
      return runStatusCommand(rest, { ...io, env: readEnvironment() });
    }
    case 'start': {
      const { runStartCommand } = await import('./start-command');
      return runStartCommand(rest, { ...io, env: readEnvironment(), stdin: process.stdin });
    }
    case 'watch': {
      const { runWatchCommand } = await import('./watch-command');
      return runWatchCommand(rest, { ...io, env: readEnvironment() });
    }
    case 'discord': {
      const { runDiscordCommand } = await import('./discord-command');
      return runDiscordCommand(rest, io, readEnvironment());
    }
    case 'sandbox': {
      const { runSandboxCommand } = await import('./sandbox-command');
      return runSandboxCommand(rest, io);
    }
    default:
      io.err.write(`taskwatch: unknown command "${command.slice(0, 40)}". Commands: start, status, watch, discord, sandbox (taskwatch --help)\n`);
      return EXIT.usage;
  }
}
