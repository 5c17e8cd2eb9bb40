/**
 * Discord's part of the environment: its variables, the rule between them and the section they
 * build. `src/config.ts` reads it like every other variable (see `EnvironmentSection`).
 */
import { environmentSection, urlVariable, variableText } from '../../config';

/** Discord settings. */
export interface DiscordConfig {
  readonly token: string;
  readonly applicationId: string;
  /** REST base URL override, e.g. `http://127.0.0.1:4001/api`; discord.js appends `/v10`. */
  readonly apiUrl: string | null;
}

/** `DISCORD_TOKEN` and `DISCORD_APPLICATION_ID`, both or neither; `DISCORD_API_URL` for a local fake. */
export const DISCORD_ENVIRONMENT = environmentSection({
  fields: {
    DISCORD_TOKEN: variableText,
    DISCORD_APPLICATION_ID: variableText,
    DISCORD_API_URL: urlVariable('DISCORD_API_URL', ['http:', 'https:']),
  },
  rules: [
    ({ DISCORD_TOKEN: token, DISCORD_APPLICATION_ID: applicationId }) =>
      (token === null) !== (applicationId === null)
        ? `Discord is half configured: ${token ? 'DISCORD_APPLICATION_ID' : 'DISCORD_TOKEN'} is missing. Both come from the Discord developer portal.`
        : null,
  ],
  build: (values): DiscordConfig | null =>
    values.DISCORD_TOKEN === null || values.DISCORD_APPLICATION_ID === null
      ? null
      : { token: values.DISCORD_TOKEN, applicationId: values.DISCORD_APPLICATION_ID, apiUrl: values.DISCORD_API_URL },
});
