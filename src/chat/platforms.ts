/**
 * The chat platforms taskwatch knows, one line each (see `chat-platform.ts`). Each loads its
 * chat library only when built, so listing it costs nothing to a process that does not use it.
 */
import type { TaskwatchConfig } from '../config';
import type { ChatPlatform } from '../util/channel-address';
import type { ChatPlatformDefinition } from './chat-platform';
import { DISCORD_PLATFORM } from './discord/discord-platform';
import { SLACK_PLATFORM } from './slack/slack-platform';
import { TERMINAL_PLATFORM } from './terminal/terminal-platform';

/** Every chat platform, in the order they are built, started and described. */
export const CHAT_PLATFORM_DEFINITIONS = [
  SLACK_PLATFORM,
  DISCORD_PLATFORM,
  TERMINAL_PLATFORM,
] as const satisfies ReadonlyArray<ChatPlatformDefinition>;

/**
 * The platforms a watch may post to from outside (the HTTP API, the CLI): every listed one but
 * the local terminal. The composition root hands this list to the layers that take channel
 * addresses, which may not import this file.
 */
export function channelPlatformNames(platforms: ReadonlyArray<ChatPlatformDefinition> = CHAT_PLATFORM_DEFINITIONS): ChatPlatform[] {
  return platforms.filter((platform) => platform.local !== true).map((platform) => platform.name);
}

/** Whether a platform other than a local one (the terminal) is configured. */
export function remoteChatConfigured(config: TaskwatchConfig, platforms: ReadonlyArray<ChatPlatformDefinition> = CHAT_PLATFORM_DEFINITIONS): boolean {
  return platforms.some((platform) => platform.local !== true && platform.configSection(config) !== null);
}

/** Every secret value in the configured platforms' sections, for the log and audit masking lists. */
export function chatSecrets(config: TaskwatchConfig, platforms: ReadonlyArray<ChatPlatformDefinition> = CHAT_PLATFORM_DEFINITIONS): string[] {
  return platforms.flatMap((platform) => {
    const section = platform.configSection(config);
    return section === null ? [] : platform.secrets(section).filter((secret): secret is string => typeof secret === 'string' && secret !== '');
  });
}
