/**
 * Slack as a chat platform (see `../chat-platform.ts`): configured by `SLACK_BOT_TOKEN` with
 * `SLACK_SIGNING_SECRET` (HTTP, `POST /slack/events` on the shared server) or `SLACK_APP_TOKEN`
 * (Socket Mode). A worker only posts; a web process also takes commands and buttons.
 */
import { defineChatPlatform, type ChatPlatformInstance } from '../chat-platform';
import { SLACK_CAPABILITIES } from './slack-capabilities';
import { SLACK_ENVIRONMENT } from './slack-settings';

/** The Slack platform. */
export const SLACK_PLATFORM = defineChatPlatform({
  name: 'slack',
  capabilities: SLACK_CAPABILITIES,
  environment: SLACK_ENVIRONMENT,
  secrets: (section) => [section.botToken, section.signingSecret, section.appToken],
  setupHint: 'Slack: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode).',
  async create(section, context): Promise<ChatPlatformInstance> {
    const { createSlackNotifier } = await import('./slack-notifier');
    // Built now, so the watch engine can post from its first job; the adapter reuses it.
    const notifier = createSlackNotifier(section, context.logger);
    if (!context.takesCommands) return { notifier };
    const { createSlackAdapter } = await import('./slack-adapter');
    let adapter: import('./slack-adapter').SlackAdapter | null = null;
    return {
      notifier,
      // The adapter is built on the shared HTTP app (Bolt's receiver needs it at construction).
      routes: (app) => {
        adapter = createSlackAdapter({ config: section, services: context.services, httpApp: app, logger: context.logger, notifier });
      },
      ready: () => adapter?.connected ?? false,
      start: async () => adapter?.start(),
      stop: async () => adapter?.stop(),
    };
  },
});
