/**
 * The terminal chat as a chat platform (see `../chat-platform.ts`): local, so it opens with
 * `--shell` or when nothing else is configured and standard input is a terminal. It needs no
 * configuration and has no secrets.
 */
import { defineChatPlatform, type ChatPlatformInstance } from '../chat-platform';
import { TERMINAL_CAPABILITIES } from './terminal-capabilities';

/** The terminal chat platform. */
export const TERMINAL_PLATFORM = defineChatPlatform({
  name: 'terminal',
  capabilities: TERMINAL_CAPABILITIES,
  local: true,
  configSection: (): Record<string, never> => ({}),
  secrets: () => [],
  setupHint: null,
  async create(_section, context): Promise<ChatPlatformInstance> {
    const { TerminalChat } = await import('./terminal-chat');
    const { runCommandText } = await import('../../commands/handle-command');
    const chat = new TerminalChat({
      input: context.console.input,
      output: context.console.output,
      services: context.services,
      runCommand: runCommandText,
      banner: context.console.banner,
      onClose: context.console.onClose,
    });
    return {
      notifier: chat,
      start: async () => chat.start(),
      stop: async () => chat.stop(),
    };
  },
});
