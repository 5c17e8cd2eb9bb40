/**
 * Registers the `/task-status` command set with Discord through the REST API: a bulk
 * overwrite, so registering again is harmless. Guild registration shows up at once; global
 * registration can take up to an hour to reach every server.
 */
import { REST, Routes } from 'discord.js';
import type { DiscordConfig } from './discord-settings';
import { DISCORD_COMMANDS } from './command-definition';
import { describeDiscordFailure, readDiscordFailure } from './discord-api-failure';
import { redactDiscordToken } from './discord-logger';

/** The outcome of a registration: the registered command names, or why Discord refused. */
export type RegistrationOutcome =
  | { readonly ok: true; readonly names: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly status: number | null; readonly code: number | null };

/** Registers the commands in one guild, or globally when `guildId` is undefined. Never reports the token. */
export async function registerDiscordCommands(config: Pick<DiscordConfig, 'apiUrl' | 'token' | 'applicationId'>, guildId: string | undefined): Promise<RegistrationOutcome> {
  const rest = new REST({ ...(config.apiUrl ? { api: config.apiUrl } : {}), retries: 1, timeout: 15_000 }).setToken(config.token);
  const route = guildId !== undefined ? Routes.applicationGuildCommands(config.applicationId, guildId) : Routes.applicationCommands(config.applicationId);
  try {
    const registered = (await rest.put(route, { body: DISCORD_COMMANDS })) as { name?: unknown }[];
    return { ok: true, names: registered.map((command) => String(command.name)) };
  } catch (error) {
    const failure = readDiscordFailure(error);
    const message = (error as { message?: unknown } | null)?.message;
    const firstLine = typeof message === 'string' ? (message.split('\n')[0] ?? '') : '';
    const reason = failure.status !== null ? describeDiscordFailure(failure) : redactDiscordToken(firstLine, config.token).slice(0, 200);
    return { ok: false, reason, status: failure.status, code: failure.code };
  }
}
