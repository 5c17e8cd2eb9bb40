import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  MessageFlags,
  REST,
  Routes,
  type Interaction,
} from 'discord.js';
import { startFakeDiscord, type FakeDiscord, type RecordedDiscordCall } from '../../fakes/discord/fake-discord';

/** Installs the interaction handler and returns the list its errors are collected into. */
function collectHandlerErrors(client: Client, handler: (interaction: Interaction) => Promise<void>): Error[] {
  const errors: Error[] = [];
  client.on(Events.InteractionCreate, (interaction) => {
    handler(interaction).catch((error: unknown) => errors.push(error as Error));
  });
  return errors;
}

/** Bounds a wait on the client so that a broken fake fails the test with a reason instead of hanging. */
async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function isCall(method: string, pattern: RegExp): (call: RecordedDiscordCall) => boolean {
  return (call) => call.method === method && pattern.test(call.path);
}

describe('fake Discord driven by the real discord.js client', () => {
  let fake: FakeDiscord;
  let client: Client;
  let handlerErrors: Error[];
  const seen: string[] = [];

  beforeAll(async () => {
    fake = await startFakeDiscord();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    handlerErrors = collectHandlerErrors(client, async (interaction) => {
      if (interaction.isAutocomplete()) {
        seen.push(`autocomplete:${interaction.options.getFocused()}`);
        await interaction.respond([{ name: 'task-1', value: 'task-1' }]);
        return;
      }
      if (interaction.isButton()) {
        seen.push(`button:${interaction.customId}`);
        await interaction.deferUpdate();
        await interaction.editReply({ content: 'refreshed' });
        return;
      }
      if (!interaction.isChatInputCommand()) return;
      const subcommand = interaction.options.getSubcommand();
      seen.push(`command:${interaction.commandName}:${subcommand}:${interaction.options.getString('kind') ?? ''}`);
      if (subcommand === 'help') {
        await interaction.reply({ content: 'help text', flags: MessageFlags.Ephemeral });
        return;
      }
      await interaction.deferReply();
      await interaction.editReply({
        embeds: [new EmbedBuilder().setTitle('cdn task-1').setColor(0x2ecc71).addFields({ name: 'Status', value: 'done' })],
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('refresh:cdn:task-1').setLabel('Refresh').setStyle(ButtonStyle.Secondary)),
        ],
      });
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(fake.token);
    await within(ready, 10_000, 'client ready');
  });

  afterAll(async () => {
    await client.destroy();
    await fake.close();
  });

  it('given a login, then the client fetched /gateway/bot, identified, and has the guild and its channel', () => {
    expect(fake.calls[0]).toMatchObject({ method: 'GET', path: '/gateway/bot', authenticated: true, status: 200 });
    const events = fake.gatewayFrames.filter((frame) => frame.direction === 'sent').map((frame) => frame.t ?? `op${frame.op}`);
    expect(events.slice(0, 3)).toEqual(['op10', 'READY', 'GUILD_CREATE']);
    expect(fake.gatewayFrames.some((frame) => frame.direction === 'received' && frame.op === 2)).toBe(true);
    const guild = client.guilds.cache.get(fake.guilds[0]!.id);
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.get(fake.guilds[0]!.channels[0]!.id)?.name).toBe('general');
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
  });

  it('given a slash command, then deferReply and editReply land as the callback and a PATCH of @original', async () => {
    const interaction = await fake.slashCommand({ subcommand: 'query', options: { kind: 'cdn', ids: 'task-1' } });
    const edit = await fake.waitForCall((call) => call.method === 'PATCH' && call.path.endsWith('/messages/@original') && call.path.includes(interaction.token));
    expect(edit.rawPath).toContain('%40original');
    expect(edit.status).toBe(200);
    const callback = fake.calls.find(isCall('POST', new RegExp(`^/interactions/${interaction.id}/`)));
    expect(callback).toMatchObject({ body: { type: 5 }, status: 204, authenticated: false });
    expect(callback!.sequence).toBeLessThan(edit.sequence);
    expect(seen).toContain('command:task-status:query:cdn');
    const original = fake.messages.get(interaction.originalMessageId!);
    expect(original?.embeds).toEqual([expect.objectContaining({ title: 'cdn task-1', fields: [{ name: 'Status', value: 'done' }] })]);
    expect(original?.flags).toBe(0);
    expect(handlerErrors).toEqual([]);
  });

  it('given a button on the reply, then the click is delivered with its message and deferUpdate edits that message', async () => {
    const command = await fake.slashCommand({ subcommand: 'query', options: { kind: 'cdn', ids: 'task-1' } });
    await fake.waitForCall((call) => call.method === 'PATCH' && call.path.includes(command.token));
    const click = await fake.buttonClick({ customId: 'refresh:cdn:task-1', messageId: command.originalMessageId! });
    await fake.waitForCall((call) => call.method === 'PATCH' && call.path.includes(click.token));
    expect(click.callbackType).toBe(6);
    expect(fake.messages.get(command.originalMessageId!)?.content).toBe('refreshed');
    expect(seen).toContain('button:refresh:cdn:task-1');
    expect(handlerErrors).toEqual([]);
  });

  it('given an autocomplete, then the focused value arrives and the choices are recorded', async () => {
    const interaction = await fake.autocomplete({ subcommand: 'query', options: { kind: 'cdn', ids: 'tas' }, focused: 'ids' });
    await fake.waitForCall(isCall('POST', new RegExp(`^/interactions/${interaction.id}/`)));
    expect(interaction.callbackType).toBe(8);
    expect(interaction.autocompleteChoices).toEqual([{ name: 'task-1', value: 'task-1' }]);
    expect(seen).toContain('autocomplete:tas');
  });

  it('given an ephemeral reply, then the message is flagged ephemeral and the channel API cannot see it', async () => {
    const interaction = await fake.slashCommand({ subcommand: 'help' });
    await fake.waitForCall(isCall('POST', new RegExp(`^/interactions/${interaction.id}/`)));
    const message = fake.messages.get(interaction.originalMessageId!);
    expect(message?.flags).toBe(MessageFlags.Ephemeral);
    expect(fake.messagesIn(interaction.channelId).map((candidate) => candidate.id)).not.toContain(message?.id);
  });

  it('given expired interaction tokens, then webhook edits get 401 50027 while channel-message edits still work', async () => {
    const interaction = await fake.slashCommand({ subcommand: 'query', options: { kind: 'cdn', ids: 'task-1' } });
    await fake.waitForCall((call) => call.method === 'PATCH' && call.path.includes(interaction.token));
    fake.expireInteractionTokens();
    const rest = new REST({ api: fake.apiUrl }).setToken(fake.token);
    const webhookEdit = rest.patch(Routes.webhookMessage(fake.applicationId, interaction.token, '@original'), { body: { content: 'late' }, auth: false });
    await expect(webhookEdit).rejects.toMatchObject({ status: 401, code: 50027 });
    await expect(webhookEdit).rejects.toBeInstanceOf(DiscordAPIError);
    const channel = await client.channels.fetch(interaction.channelId);
    if (channel === null || !channel.isTextBased()) throw new Error('expected a text channel');
    const message = await channel.messages.edit(interaction.originalMessageId!, { content: 'edited through the channel' });
    expect(message.content).toBe('edited through the channel');
    expect(fake.messages.get(interaction.originalMessageId!)?.content).toBe('edited through the channel');
  });

  it('given a message, then a thread starts on it and takes replies; a denied permission answers 403 50013', async () => {
    const channelId = fake.guilds[0]!.channels[0]!.id;
    const channel = await client.channels.fetch(channelId);
    if (channel === null || !channel.isSendable() || !('threads' in channel)) throw new Error('expected a text channel');
    const parent = await channel.send({ content: 'watching task-1' });
    const thread = await parent.startThread({ name: 'task-1 updates' });
    expect(thread.id).toBe(parent.id);
    await thread.send({ content: 'task-1 is done' });
    expect(fake.messagesIn(thread.id).map((message) => message.content)).toEqual(['task-1 is done']);

    fake.denyThreadCreation();
    const second = await channel.send({ content: 'watching task-2' });
    await expect(second.startThread({ name: 'task-2 updates' })).rejects.toMatchObject({ status: 403, code: 50013 });
    fake.denyThreadCreation(false);
  });

  it('given a scripted 429, then discord.js waits retry_after and retries, and the fake saw both attempts', async () => {
    const channelId = fake.guilds[0]!.channels[0]!.id;
    fake.rateLimit({ method: 'POST', path: `/channels/${channelId}/messages`, retryAfterSeconds: 0.05 });
    const before = fake.calls.length;
    const channel = await client.channels.fetch(channelId);
    if (channel === null || !channel.isSendable()) throw new Error('expected a text channel');
    await channel.send({ content: 'after the limit' });
    const attempts = fake.calls.slice(before).filter(isCall('POST', new RegExp(`^/channels/${channelId}/messages$`)));
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
  });

  it('given guild and global command registration, then the fake stores them with IDs and rejects oversized ones', async () => {
    const rest = new REST({ api: fake.apiUrl }).setToken(fake.token);
    const command = { name: 'task-status', description: 'Cloud task status', options: [{ type: 1, name: 'help', description: 'Show help' }] };
    const guildId = fake.guilds[0]!.id;
    const registered = (await rest.put(Routes.applicationGuildCommands(fake.applicationId, guildId), { body: [command] })) as { id: string }[];
    expect(registered[0]?.id).toMatch(/^\d+$/);
    expect(fake.commands.guild.get(guildId)?.[0]).toMatchObject({ name: 'task-status', guild_id: guildId });
    await rest.put(Routes.applicationCommands(fake.applicationId), { body: [command] });
    expect(fake.commands.global.map((entry) => entry['name'])).toEqual(['task-status']);
    const tooLong = { ...command, description: 'x'.repeat(101) };
    await expect(rest.put(Routes.applicationCommands(fake.applicationId), { body: [tooLong] })).rejects.toMatchObject({ status: 400, code: 50035 });
    const interaction = await fake.slashCommand({ subcommand: 'help' });
    expect((interaction.payload['data'] as { id: string }).id).toBe(registered[0]?.id);
  });

  it('given a wrong bot token, then REST answers 401 and the fake does not record the token', async () => {
    const rest = new REST({ api: fake.apiUrl }).setToken('not-the-token');
    await expect(rest.get(Routes.user('@me'))).rejects.toMatchObject({ status: 401 });
    const last = fake.calls[fake.calls.length - 1];
    expect(last).toMatchObject({ method: 'GET', path: '/users/@me', authenticated: false, status: 401 });
    expect(JSON.stringify(fake.calls)).not.toContain(fake.token);
  });
});

describe('fake Discord gateway upkeep', () => {
  let fake: FakeDiscord;
  let client: Client;

  beforeAll(async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: 100 });
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(fake.token);
    await within(ready, 10_000, 'client ready');
  });

  afterAll(async () => {
    await client.destroy();
    await fake.close();
  });

  it('given a short heartbeat interval, then each heartbeat is answered with an ACK', async () => {
    const acknowledged = new Promise<void>((resolve) => {
      const onDebug = (line: string): void => {
        if (!line.includes('Heartbeat acknowledged')) return;
        client.off(Events.Debug, onDebug);
        resolve();
      };
      client.on(Events.Debug, onDebug);
    });
    await fake.waitForGatewayFrame((frame) => frame.direction === 'sent' && frame.op === 11);
    await within(acknowledged, 5000, 'heartbeat acknowledgement');
    const heartbeat = fake.gatewayFrames.findIndex((frame) => frame.direction === 'received' && frame.op === 1);
    const ack = fake.gatewayFrames.findIndex((frame) => frame.direction === 'sent' && frame.op === 11);
    expect(heartbeat).toBeGreaterThanOrEqual(0);
    expect(ack).toBeGreaterThan(heartbeat);
    // discord.js measures ping from the ACK; -1 means no ACK ever arrived.
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('given the gateway drops the connection, then the client RESUMEs and still receives interactions', async () => {
    const resumed = new Promise<void>((resolve) => client.once(Events.ShardResume, () => resolve()));
    fake.disconnectGateway(4000);
    await within(resumed, 5000, 'resume');
    expect(fake.gatewayFrames.some((frame) => frame.direction === 'received' && frame.op === 6)).toBe(true);
    expect(fake.gatewayFrames.filter((frame) => frame.t === 'READY')).toHaveLength(1);
    const received = new Promise<string>((resolve) => client.once(Events.InteractionCreate, (interaction) => resolve(interaction.id)));
    const interaction = await fake.slashCommand({ subcommand: 'help' });
    expect(await within(received, 5000, 'interaction delivery')).toBe(interaction.id);
  });
});
