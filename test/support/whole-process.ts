/**
 * Taskwatch as `taskwatch start` runs it, inside the test's process: settings go through
 * `loadConfig` as environment variables, and `startTaskwatch` starts every part (HTTP, chat
 * platforms, engines) against the test's own Redis, fakes and sandbox. The settings helpers
 * name what points a platform or a cloud at its local stand-in.
 */
import { PassThrough } from 'node:stream';
import { loadConfig, type Environment } from '../../src/config';
import { startTaskwatch, type RunningTaskwatch } from '../../src/main';
import { silentLogger } from '../../src/observability/logger';
import type { CloudSandbox } from '../../src/sandbox/cloud-sandbox';
import { SANDBOX_DEMO_CREDENTIALS } from '../../src/sandbox/types';
import type { FakeDiscord } from '../fakes/discord/fake-discord';
import type { FakeSlack } from '../fakes/slack/fake-slack';
import { CHAT_PLATFORM_DEFINITIONS } from '../../src/chat/platforms';

/** Options of {@link startWholeTaskwatch}. */
export interface WholeTaskwatchOptions {
  /** Where standard output (audit lines, the terminal chat) goes; default a stream nobody reads. */
  readonly stdout?: NodeJS.WritableStream;
}

/**
 * Starts taskwatch (role `all`, no terminal chat, silent log) with `environment` over HTTP on a
 * free loopback port. Settings that `loadConfig` refuses fail the start with every problem.
 */
export async function startWholeTaskwatch(environment: Environment, options: WholeTaskwatchOptions = {}): Promise<RunningTaskwatch> {
  const loaded = loadConfig({ PORT: '0', HOST: '127.0.0.1', ...environment }, CHAT_PLATFORM_DEFINITIONS);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return startTaskwatch({
    config: loaded.config,
    role: 'all',
    shell: false,
    stdin: new PassThrough(),
    stdout: options.stdout ?? new PassThrough(),
    logger: silentLogger(),
    mayInstallRedis: false,
  });
}

/** Settings for Slack against the fake Slack, with the signing secret the test signs commands with. */
export function fakeSlackSettings(slack: FakeSlack, signingSecret: string): Environment {
  return { SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slack.apiUrl };
}

/** Settings for Discord against the fake Discord. */
export function fakeDiscordSettings(discord: FakeDiscord): Environment {
  return { DISCORD_TOKEN: discord.token, DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_API_URL: discord.apiUrl };
}

/** Settings for the Tencent account of the sandbox's demo credentials, in ap-guangzhou. */
export function sandboxTencentSettings(sandbox: CloudSandbox): Environment {
  const tencent = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'tencent');
  if (!tencent) throw new Error('sandbox credentials missing');
  return {
    TENCENTCLOUD_SECRET_ID: tencent.id,
    TENCENTCLOUD_SECRET_KEY: tencent.secret,
    TENCENTCLOUD_ENDPOINT: sandbox.url,
    TENCENTCLOUD_REGION: 'ap-guangzhou',
  };
}
