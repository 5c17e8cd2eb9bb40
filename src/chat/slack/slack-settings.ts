/**
 * Slack's part of the environment: its variables, the rules between them and the section they
 * build. `src/config.ts` reads it like every other variable (see `EnvironmentSection`).
 */
import { environmentSection, urlVariable, variableText } from '../../config';

/** Slack settings; HTTP mode unless `appToken` is set (Socket Mode). */
export interface SlackConfig {
  readonly botToken: string;
  readonly signingSecret: string | null;
  readonly appToken: string | null;
  /** Web API base URL override, e.g. `http://127.0.0.1:4000/api/`. */
  readonly apiUrl: string | null;
}

/** `SLACK_BOT_TOKEN` with `SLACK_SIGNING_SECRET` (HTTP mode) or `SLACK_APP_TOKEN` (Socket Mode); `SLACK_API_URL` for a local fake. */
export const SLACK_ENVIRONMENT = environmentSection({
  fields: {
    SLACK_BOT_TOKEN: variableText,
    SLACK_SIGNING_SECRET: variableText,
    SLACK_APP_TOKEN: variableText,
    SLACK_API_URL: urlVariable('SLACK_API_URL', ['http:', 'https:']),
  },
  rules: [
    ({ SLACK_BOT_TOKEN: bot, SLACK_SIGNING_SECRET: signing, SLACK_APP_TOKEN: app }) =>
      bot !== null && signing === null && app === null
        ? 'SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET: set the signing secret from the Slack app\'s "Basic Information" page (HTTP mode), or SLACK_APP_TOKEN for Socket Mode.'
        : null,
    ({ SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: app }) =>
      bot !== null && app !== null && !app.startsWith('xapp-')
        ? 'SLACK_APP_TOKEN must be an app-level token starting with "xapp-" (Basic Information > App-Level Tokens, scope connections:write).'
        : null,
    ({ SLACK_BOT_TOKEN: bot, SLACK_SIGNING_SECRET: signing, SLACK_APP_TOKEN: app }) =>
      bot === null && (signing !== null || app !== null)
        ? 'SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set without SLACK_BOT_TOKEN: set the bot token (xoxb-...) from "OAuth & Permissions".'
        : null,
  ],
  build: (values): SlackConfig | null =>
    values.SLACK_BOT_TOKEN === null
      ? null
      : { botToken: values.SLACK_BOT_TOKEN, signingSecret: values.SLACK_SIGNING_SECRET, appToken: values.SLACK_APP_TOKEN, apiUrl: values.SLACK_API_URL },
});
