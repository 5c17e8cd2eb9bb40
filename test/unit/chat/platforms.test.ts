/** The list of chat platforms: which are configured, and which secrets they bring to the masking lists. */
import { CHAT_PLATFORM_DEFINITIONS, chatSecrets, remoteChatConfigured } from '../../../src/chat/platforms';
import { loadConfig, type TaskwatchConfig } from '../../../src/config';
import { CHAT_PLATFORMS } from '../../../src/util/channel-address';

function configOf(environment: Record<string, string>): TaskwatchConfig {
  const loaded = loadConfig(environment, CHAT_PLATFORM_DEFINITIONS);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.config;
}

describe('chat platforms', () => {
  it('given the list, then every channel-address name has exactly one platform', () => {
    expect(CHAT_PLATFORM_DEFINITIONS.map((platform) => platform.name).sort()).toEqual([...CHAT_PLATFORMS].sort());
  });

  it('given no chat settings, then no remote platform is configured and there are no chat secrets', () => {
    const config = configOf({});
    expect(remoteChatConfigured(config)).toBe(false);
    expect(chatSecrets(config)).toEqual([]);
  });

  it('given Slack in Socket Mode and Discord, then both are configured and every one of their secrets is masked', () => {
    const config = configOf({
      SLACK_BOT_TOKEN: 'xoxb-bot-token',
      SLACK_SIGNING_SECRET: 'signing-secret',
      SLACK_APP_TOKEN: 'xapp-app-token',
      DISCORD_TOKEN: 'discord-token',
      DISCORD_APPLICATION_ID: '123456789012345678',
    });
    expect(remoteChatConfigured(config)).toBe(true);
    expect(chatSecrets(config)).toEqual(['xoxb-bot-token', 'signing-secret', 'xapp-app-token', 'discord-token']);
  });

  it('given the terminal, then it is the one local platform and needs no setup line', () => {
    const local = CHAT_PLATFORM_DEFINITIONS.filter((platform) => 'local' in platform && platform.local === true);
    expect(local.map((platform) => [platform.name, platform.setupHint])).toEqual([['terminal', null]]);
  });
});
