/**
 * Where a notification goes: a chat platform's name and a channel on it. Below both the chat
 * platforms and the jobs (and imported by accounts, commands, http and the CLI), so it loads
 * no chat library and knows nothing of how a platform posts.
 *
 * The names are a contract: channel addresses are stored in Redis, written in accounts files
 * and sent in API bodies, so a name is added here, never renamed. Each name has its platform
 * in `src/chat/platforms.ts` (the compiler checks that the two lists agree).
 */

/** The names of the chat platforms a channel address may name. */
export const CHAT_PLATFORMS = ['slack', 'discord', 'terminal'] as const;

/** Chat platforms a notification can go to. */
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

/** A channel on a platform. Serialized as `<platform>:<channelId>`, e.g. `slack:C123`. */
export interface ChannelAddress {
  readonly platform: ChatPlatform;
  readonly channelId: string;
}

const ADDRESS = new RegExp(`^(${CHAT_PLATFORMS.join('|')}):([A-Za-z0-9_.-]{1,64})$`);

/** Parses `slack:C123` into a {@link ChannelAddress}; null when malformed. */
export function parseChannelAddress(text: string): ChannelAddress | null {
  const match = ADDRESS.exec(text.trim());
  if (!match) return null;
  return { platform: match[1] as ChatPlatform, channelId: match[2] as string };
}

/** Formats a {@link ChannelAddress} as `<platform>:<channelId>`. */
export function formatChannelAddress(channel: ChannelAddress): string {
  return `${channel.platform}:${channel.channelId}`;
}
