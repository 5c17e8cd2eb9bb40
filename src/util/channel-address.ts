/**
 * Where a notification goes: a chat platform's name and a channel on it. Below both the chat
 * platforms and the jobs (and imported by accounts, commands, http and the CLI), so it loads
 * no chat library, knows nothing of how a platform posts, and lists no platform: the one list
 * is `src/chat/platforms.ts`. Whoever takes an address from outside (the HTTP API, the CLI, the
 * accounts file) checks its platform against that list, handed down by the composition root.
 *
 * Addresses are stored in Redis, written in accounts files and sent in API bodies, so a
 * platform's name is a contract: added, never renamed.
 */

/** A chat platform's name, as `src/chat/platforms.ts` lists it: lower-case letters and digits, e.g. `slack`. */
export type ChatPlatform = string;

/** A channel on a platform. Serialized as `<platform>:<channelId>`, e.g. `slack:C123`. */
export interface ChannelAddress {
  readonly platform: ChatPlatform;
  readonly channelId: string;
}

/** The shape of a platform's name. */
export const CHAT_PLATFORM_NAME = /^[a-z][a-z0-9]{1,31}$/;

const ADDRESS = /^([a-z][a-z0-9]{1,31}):([A-Za-z0-9_.-]{1,64})$/;

/** Parses `slack:C123` into a {@link ChannelAddress}; null when malformed. Whether the platform exists is the caller's to check. */
export function parseChannelAddress(text: string): ChannelAddress | null {
  const match = ADDRESS.exec(text.trim());
  if (!match) return null;
  return { platform: match[1] as ChatPlatform, channelId: match[2] as string };
}

/** Formats a {@link ChannelAddress} as `<platform>:<channelId>`. */
export function formatChannelAddress(channel: ChannelAddress): string {
  return `${channel.platform}:${channel.channelId}`;
}

/** How channels on `platforms` are written, for a problem text: `slack:<channel id> or discord:<channel id>`. */
export function channelAddressForms(platforms: readonly ChatPlatform[]): string {
  return platforms.map((platform) => `${platform}:<channel id>`).join(' or ');
}
