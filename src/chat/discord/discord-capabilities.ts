/** What Discord can do, for the platform contract and the notifier (apart, so neither imports the other). */
import type { ChatCapabilities } from '../chat-platform';

/**
 * Discord: threads on a card, edits of the bot's own messages without a time limit (through the
 * channel-message API, not the 15-minute interaction token), ephemeral answers, and about five
 * messages per five seconds per channel.
 */
export const DISCORD_CAPABILITIES: ChatCapabilities = {
  pacingMs: 1000,
  edits: true,
  editWindowMs: null,
  threads: true,
  receivesCommands: true,
};
