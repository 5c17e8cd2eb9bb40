/** What the terminal chat can do, for the platform contract and its notifier. */
import type { ChatCapabilities } from '../chat-platform';

/** The terminal: one reader, no posting limit; an edited card is printed again, a reply is indented under it. */
export const TERMINAL_CAPABILITIES: ChatCapabilities = {
  pacingMs: 0,
  edits: true,
  editWindowMs: null,
  threads: true,
  receivesCommands: true,
};
