/**
 * `taskwatch discord register` against the fake Discord's command registration API.
 */
import { PassThrough } from 'node:stream';
import { TASK_STATUS_COMMAND } from '../../../src/chat/discord/command-definition';
import { runDiscordCommand } from '../../../src/cli/discord-command';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/fake-discord';

let fake: FakeDiscord;

beforeAll(async () => {
  fake = await startFakeDiscord();
});

afterAll(async () => {
  await fake?.close();
});

async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (chunk: Buffer) => (outText += chunk.toString()));
  err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
  const code = await runDiscordCommand(argv, { out, err }, env);
  return { code, out: outText, err: errText };
}

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return { DISCORD_TOKEN: fake.token, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl, ...overrides };
}

describe('taskwatch discord register', () => {
  test('given --guild, then the command set is put on the guild route and the output says it is available at once', async () => {
    const guildId = fake.guilds[0]!.id;
    const result = await run(['register', '--guild', guildId], env());
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Registered \/task-status in server \d+\. Guild commands are available at once\./);
    const call = fake.calls.find((recorded) => recorded.method === 'PUT' && recorded.path === `/applications/${fake.applicationId}/guilds/${guildId}/commands`);
    expect(call?.status).toBe(200);
    const registered = fake.commands.guild.get(guildId)!;
    expect(registered.map((command) => command['name'])).toEqual(['task-status']);
    const subcommands = (registered[0]!['options'] as { name: string }[]).map((option) => option.name);
    expect(subcommands).toEqual(['query', 'watch', 'unwatch', 'list', 'subscribe', 'subscriptions', 'unsubscribe', 'mute', 'unmute', 'stats', 'help']);
  });

  test('given no --guild, then the command set is registered globally and the output says it can take up to an hour', async () => {
    const result = await run(['register'], env());
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/up to an hour/);
    expect(fake.calls.some((call) => call.method === 'PUT' && call.path === `/applications/${fake.applicationId}/commands` && call.status === 200)).toBe(true);
    expect(fake.commands.global.map((command) => command['name'])).toEqual([TASK_STATUS_COMMAND.name]);
  });

  test('given a refused token, then it exits 1 and never prints the token', async () => {
    const badToken = 'MTEwMDAwMDAwMDAwMDAwMDAwMg.refused.c2VjcmV0LXRva2VuLXRoYXQtaXMtd3Jvbmc';
    const result = await run(['register'], env({ DISCORD_TOKEN: badToken }));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/401/);
    expect(`${result.out}${result.err}`).not.toContain(badToken);
  });

  test('given missing configuration or a bad argument, then it exits 2 with what to do', async () => {
    const missing = await run(['register'], { DISCORD_TOKEN: fake.token });
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/DISCORD_APPLICATION_ID/);
    expect((await run(['register', '--guild', 'general'], env())).code).toBe(2);
    expect((await run(['deregister'], env())).code).toBe(2);
    expect((await run(['register', '--bogus'], env())).code).toBe(2);
  });
});
