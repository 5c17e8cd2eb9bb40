/**
 * `taskwatch discord register [--guild <id>]`: registers the `/task-status` command set with
 * Discord (see `chat/discord/register-commands.ts`). Exit codes: 0 registered, 2 usage or
 * configuration problem, 1 Discord refused.
 */
import { parseArgs } from 'node:util';
import { registerDiscordCommands } from '../chat/discord/register-commands';
import { DISCORD_PLATFORM } from '../chat/discord/discord-platform';
import { CHAT_PLATFORM_DEFINITIONS } from '../chat/platforms';
import { loadConfig, type Environment } from '../config';
import { DISCORD_SNOWFLAKE_PATTERN } from '../validation/shared-patterns';
import { EXIT, firstLine, type CliIo } from './io';

/** `taskwatch discord --help`. */
export const DISCORD_USAGE = `Usage: taskwatch discord register [--guild <id>]

Registers the /task-status command with Discord, using DISCORD_TOKEN and
DISCORD_APPLICATION_ID (and DISCORD_API_URL when set).

  --guild <id>   register in one server only: available at once (good for trying it out)
  (no --guild)   register globally: can take up to an hour to appear in every server`;

/** Runs `taskwatch discord ...`; resolves to the exit code. Never prints the token. */
export async function runDiscordCommand(argv: readonly string[], io: CliIo, env: Environment): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], strict: true, allowPositionals: true, options: { guild: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.err.write(`taskwatch discord: ${firstLine(error).slice(0, 160) || 'bad arguments'}\n${DISCORD_USAGE}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out.write(`${DISCORD_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1 || positionals[0] !== 'register') {
    const given = positionals[0] === undefined ? 'no subcommand' : `"${positionals[0].slice(0, 40)}"`;
    io.err.write(`taskwatch discord: expected "register", got ${given}.\n${DISCORD_USAGE}\n`);
    return EXIT.usage;
  }
  const guildId = values.guild;
  if (guildId !== undefined && !DISCORD_SNOWFLAKE_PATTERN.test(guildId)) {
    io.err.write('taskwatch discord: --guild must be a server ID (17-20 digits; in Discord, right-click the server > Copy Server ID).\n');
    return EXIT.usage;
  }

  const loaded = loadConfig(env, CHAT_PLATFORM_DEFINITIONS);
  if (!loaded.ok) {
    io.err.write(`taskwatch discord: the configuration is invalid:\n${loaded.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
    return EXIT.usage;
  }
  const discord = DISCORD_PLATFORM.configSection(loaded.config);
  if (!discord) {
    io.err.write('taskwatch discord: set DISCORD_TOKEN and DISCORD_APPLICATION_ID (Discord Developer Portal > your application).\n');
    return EXIT.usage;
  }

  const outcome = await registerDiscordCommands(discord, guildId);
  if (outcome.ok) {
    const names = outcome.names.map((name) => `/${name}`).join(', ');
    if (guildId !== undefined) {
      io.out.write(`Registered ${names} in server ${guildId}. Guild commands are available at once.\n`);
    } else {
      io.out.write(`Registered ${names} globally. Global commands can take up to an hour to appear in every server; use --guild <id> to try it out at once.\n`);
    }
    return EXIT.ok;
  }
  const hint =
    outcome.status === 401
      ? ' DISCORD_TOKEN was refused: reset it under Bot > Reset Token.'
      : outcome.status === 403 || outcome.code === 50001
        ? ' The bot is not in that server, or DISCORD_APPLICATION_ID does not match the token.'
        : '';
  io.err.write(`taskwatch discord: registration failed (${outcome.reason}).${hint}\n`);
  return EXIT.failed;
}
