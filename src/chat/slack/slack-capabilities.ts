/** What Slack can do, for the platform contract and the notifier (apart, so neither imports the other). */
import type { ChatCapabilities } from '../chat-platform';

/**
 * Slack: threads, edits without a time limit (`chat.update` on the bot's own messages),
 * ephemeral answers, and about one `chat.postMessage` a second per channel.
 */
export const SLACK_CAPABILITIES: ChatCapabilities = {
  pacingMs: 1000,
  edits: true,
  editWindowMs: null,
  threads: true,
  receivesCommands: true,
};
