/**
 * Discord as a chat platform (see `../chat-platform.ts`): configured by `DISCORD_TOKEN` and
 * `DISCORD_APPLICATION_ID`; a gateway client, so no HTTP route. A worker only posts.
 */
import { defineChatPlatform, type ChatPlatformInstance } from '../chat-platform';
import { DISCORD_CAPABILITIES } from './discord-capabilities';
import { DISCORD_ENVIRONMENT } from './discord-settings';

/** The Discord platform. */
export const DISCORD_PLATFORM = defineChatPlatform({
  name: 'discord',
  capabilities: DISCORD_CAPABILITIES,
  environment: DISCORD_ENVIRONMENT,
  secrets: (section) => [section.token],
  setupHint: 'Discord: set DISCORD_TOKEN and DISCORD_APPLICATION_ID.',
  async create(section, context): Promise<ChatPlatformInstance> {
    if (!context.takesCommands) {
      const { createDiscordNotifier } = await import('./discord-notifier');
      return { notifier: createDiscordNotifier({ token: section.token, apiUrl: section.apiUrl }, context.logger) };
    }
    const { createDiscordAdapter } = await import('./discord-adapter');
    const discord = createDiscordAdapter({ config: section, services: context.services, logger: context.logger });
    return {
      notifier: discord.notifier,
      ready: () => discord.connected,
      start: () => discord.start(),
      stop: () => discord.stop(),
    };
  },
});
