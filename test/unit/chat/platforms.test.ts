/** The list of chat platforms: which are configured, and which secrets they bring to the masking lists. */
import { CHAT_PLATFORM_DEFINITIONS, channelPlatformNames, chatSecrets, remoteChatConfigured } from '../../../src/chat/platforms';
import { loadConfig, type TaskwatchConfig } from '../../../src/config';
import { CHAT_PLATFORM_NAME, parseChannelAddress } from '../../../src/util/channel-address';

function configOf(environment: Record<string, string>): TaskwatchConfig {
  const loaded = loadConfig(environment, CHAT_PLATFORM_DEFINITIONS);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.config;
}

describe('chat platforms', () => {
  it('given the list, then each platform has its own name, one a channel address can carry', () => {
    const names = CHAT_PLATFORM_DEFINITIONS.map((platform) => platform.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(CHAT_PLATFORM_NAME);
      expect(parseChannelAddress(`${name}:C0123ABCD`)).toEqual({ platform: name, channelId: 'C0123ABCD' });
    }
    // The names stored in Redis and written in accounts files and API bodies stay listed.
    expect(names).toEqual(expect.arrayContaining(['slack', 'discord', 'terminal']));
  });

  it('given the list, then a watch from outside may post to every platform but the local terminal', () => {
    expect(channelPlatformNames()).toEqual(['slack', 'discord']);
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
