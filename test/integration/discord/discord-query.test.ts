/**
 * `/task-status` through the real discord.js client against the fake Discord, with the real
 * providers against the cloud sandbox: queries, bad input, help, autocomplete and the Refresh
 * button. No watch engine runs here (see discord-watch.test.ts).
 */
import { MessageFlags } from 'discord.js';
import { createDiscordAdapter } from '../../../src/chat/discord/discord-adapter';
import { STATE_COLOURS } from '../../../src/chat/discord/embeds';
import type { ProviderRegistry } from '../../../src/providers/types';
import {
  bodyOf,
  buttonsOf,
  embedsOf,
  isFollowUp,
  isOriginalEdit,
  originalReply,
  sentBodies,
  startDiscordHarness,
  textOf,
  waitFor,
  type DiscordHarness,
} from './discord-harness';

let harness: DiscordHarness;

const OTHER_GUILD = { id: '1200000000000000002', name: 'Other Guild', channels: [{ id: '1300000000000000002', name: 'elsewhere' }] };

beforeAll(async () => {
  harness = await startDiscordHarness({
    fake: { guilds: [{ id: '1200000000000000001', name: 'Fake Guild', channels: [{ id: '1300000000000000001', name: 'general' }] }, OTHER_GUILD] },
  });
});

/** Message text with Discord's markdown escapes removed, as a reader sees it. */
function rendered(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

afterAll(async () => {
  await harness?.stop();
});

function plantCdnTask(status = 'process', percent = 40): string {
  return harness.sandbox.addTask({
    kind: 'cdn',
    items: [
      { name: 'https://example.com/a.js', steps: [{ afterMs: 0, status, percent }] },
      { name: 'https://example.com/b.js', steps: [{ afterMs: 0, status: 'done', percent: 100 }] },
    ],
  });
}

describe('queries', () => {
  test('given a CDN task in progress, then the deferred reply is edited to an embed with its state, raw status, progress and buttons', async () => {
    const id = plantCdnTask('process', 40);
    const interaction = await harness.fake.slashCommand({ subcommand: 'query', options: { kind: 'cdn', ids: id } });
    const reply = await originalReply(harness.fake, interaction);

    // Deferred first (type 5, public), then the answer through the webhook.
    const callback = harness.fake.calls.find((call) => call.path.startsWith(`/interactions/${interaction.id}/`));
    expect(bodyOf(callback!)['type']).toBe(5);
    expect((reply.flags & MessageFlags.Ephemeral) === 0).toBe(true);
    const [embed] = embedsOf(reply);
    expect(embed?.title).toContain(id);
    expect(embed?.color).toBe(STATE_COLOURS.running);
    const fields = Object.fromEntries((embed?.fields ?? []).map((field) => [field.name, field.value]));
    expect(fields['State']).toBe('Running');
    expect(fields['Raw status']).toBe('`process`');
    expect(fields['Progress']).toMatch(/%/);
    expect(fields['URLs (2)']).toContain('https://example.com/a.js');
    expect(embed?.footer?.text).toMatch(/^RequestId: /);
    expect(Object.keys(buttonsOf(reply))).toEqual(['Refresh', 'Watch', 'Stop watching']);
  });

  test('given the reply of each kind, then each shows its normalized state and the raw status the API sent', async () => {
    const dcdn = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/x/', steps: [{ afterMs: 0, status: 'Complete', percent: 100 }] }] });
    const redis = harness.sandbox.addTask({ kind: 'redis', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'failed', message: 'disk full' }] });
    const dts = harness.sandbox.addTask({ kind: 'dts', region: 'ap-guangzhou', steps: [{ afterMs: 0, status: 'running', message: 'copying' }] });
    const cases: { options: Record<string, string>; state: string; raw: string }[] = [
      { options: { kind: 'dcdn', ids: dcdn }, state: 'Succeeded', raw: 'Complete' },
      { options: { kind: 'redis', ids: redis, region: 'ap-guangzhou' }, state: 'Failed', raw: 'failed' },
      { options: { kind: 'dts', ids: dts, region: 'ap-guangzhou' }, state: 'Running', raw: 'running' },
    ];
    for (const { options, state, raw } of cases) {
      const interaction = await harness.fake.slashCommand({ subcommand: 'query', options });
      const reply = await originalReply(harness.fake, interaction);
      const fields = Object.fromEntries((embedsOf(reply)[0]?.fields ?? []).map((field) => [field.name, field.value]));
      expect([options['kind'], fields['State'], fields['Raw status']]).toEqual([options['kind'], state, `\`${raw}\``]);
    }
  });

  test('given a DTS query without a region, then the public reply is replaced by an ephemeral error', async () => {
    const interaction = await harness.fake.slashCommand({ subcommand: 'query', options: { kind: 'dts', ids: 'cafebabe-254f-11ea-8995-e92c139e6918' } });
    const followUp = await harness.fake.waitForCall(isFollowUp(harness.fake, interaction), 10_000);
    expect(Number(bodyOf(followUp)['flags']) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(rendered(String(bodyOf(followUp)['content']))).toMatch(/DTS needs a region: add region=<region>/);
    // The public "thinking" message was deleted, so nothing is left in the channel.
    expect(interaction.originalMessageId && harness.fake.messages.has(interaction.originalMessageId)).toBeFalsy();
  });
});

describe('bad input', () => {
  async function ephemeralError(options: Record<string, string>, subcommand = 'query'): Promise<string> {
    const interaction = await harness.fake.slashCommand({ subcommand, options });
    const reply = await originalReply(harness.fake, interaction);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    return rendered(reply.content);
  }

  test('given an unknown kind, then an ephemeral error names it and suggests the nearest kind', async () => {
    expect(await ephemeralError({ kind: 'cdnn', ids: '123' })).toMatch(/Unknown task kind "cdnn"\. Did you mean "cdn"\?/);
  });

  test('given a kind that is a subcommand word, then it is refused as an unknown kind rather than run as that subcommand', async () => {
    expect(await ephemeralError({ kind: 'watch', ids: '123' })).toMatch(/Unknown task kind "watch"/);
  });

  test('given 51 IDs, then an ephemeral error says at most 50', async () => {
    const ids = Array.from({ length: 51 }, (_, index) => String(1000 + index)).join(' ');
    expect(await ephemeralError({ kind: 'dcdn', ids }, 'watch')).toMatch(/Too many task IDs: at most 50/);
  });

  test('given an ID longer than 128 characters, then an ephemeral error says it is too long', async () => {
    expect(await ephemeralError({ kind: 'cdn', ids: 'a'.repeat(129) })).toMatch(/is too long: task IDs are at most 128 characters/);
  });

  test('given a region with a space in it, then an ephemeral error says it does not look like a region', async () => {
    expect(await ephemeralError({ kind: 'redis', ids: '1', region: 'ap guangzhou' })).toMatch(/does not look like a region/);
  });

  test('given mentions and markdown in an ID, then the error neither pings nor renders them', async () => {
    const interaction = await harness.fake.slashCommand({ subcommand: 'query', options: { kind: 'cdn', ids: '@everyone **x** <@140>' } });
    const reply = await originalReply(harness.fake, interaction);
    expect(reply.content).not.toContain('@everyone');
    expect(reply.content).not.toMatch(/(^|[^\\])\*\*/);
    const edit = await harness.fake.waitForCall(isOriginalEdit(harness.fake, interaction));
    expect(bodyOf(edit)['allowed_mentions']).toEqual({ parse: [] });
  });
});

describe('help', () => {
  test('given /task-status help, then the usage is shown only to the user', async () => {
    const interaction = await harness.fake.slashCommand({ subcommand: 'help' });
    const reply = await originalReply(harness.fake, interaction);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    // Help grows with the kinds; past a message's 2,000 characters it is one embed's description.
    const text = reply.content !== '' ? reply.content : String((reply.embeds[0] as { description?: string } | undefined)?.description ?? '');
    expect(rendered(text)).toContain('/task-status watch <kind> <id>');
    expect(rendered(text)).toContain('/task-status subscribe tcss');
  });

  test('given list without a watch engine, then the user is told watching is not available', async () => {
    const interaction = await harness.fake.slashCommand({ subcommand: 'list' });
    const reply = await originalReply(harness.fake, interaction);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(rendered(reply.content)).toMatch(/Watching is not available/);
  });
});

describe('autocomplete', () => {
  test('given IDs queried in this server, then autocomplete offers them filtered by what is typed and by kind', async () => {
    const first = plantCdnTask();
    const second = plantCdnTask();
    const dcdn = harness.sandbox.addTask({ kind: 'dcdn', items: [{ name: 'http://example.com/y', steps: [{ afterMs: 0, status: 'Pending' }] }] });
    for (const options of [{ kind: 'cdn', ids: `${first} ${second}` }, { kind: 'dcdn', ids: dcdn }]) {
      await originalReply(harness.fake, await harness.fake.slashCommand({ subcommand: 'query', options }));
    }

    const everything = await harness.fake.autocomplete({ subcommand: 'watch', options: { kind: 'cdn', ids: '' }, focused: 'ids' });
    await waitFor('choices', () => everything.autocompleteChoices);
    const values = everything.autocompleteChoices!.map((choice) => choice.value);
    expect(values).toEqual(expect.arrayContaining([first, second]));
    expect(values).not.toContain(dcdn);

    const typed = await harness.fake.autocomplete({ subcommand: 'watch', options: { kind: 'cdn', ids: `${first} ${second.slice(-6)}` }, focused: 'ids' });
    await waitFor('choices', () => typed.autocompleteChoices);
    expect(typed.autocompleteChoices).toEqual([{ name: `${second} (cdn)`, value: `${first} ${second}` }]);
  });

  test('given another server, then it is offered nothing seen in this one', async () => {
    const here = await harness.fake.autocomplete({ subcommand: 'query', options: { kind: 'cdn', ids: '' }, focused: 'ids' });
    await waitFor('choices here', () => here.autocompleteChoices);
    expect(here.autocompleteChoices!.length).toBeGreaterThan(0);
    const there = await harness.fake.autocomplete({ guildId: OTHER_GUILD.id, subcommand: 'query', options: { kind: 'cdn', ids: '' }, focused: 'ids' });
    await waitFor('choices there', () => there.autocompleteChoices);
    expect(there.autocompleteChoices).toEqual([]);
  });
});

describe('Refresh button', () => {
  test('given a reply whose task has moved on, then Refresh edits that same message to the new state', async () => {
    const id = harness.sandbox.addTask({
      kind: 'cdn',
      items: [{ name: 'https://example.com/r.js', steps: [{ afterMs: 0, status: 'process', percent: 10 }, { afterMs: 60_000, status: 'done', percent: 100 }] }],
    });
    const interaction = await harness.fake.slashCommand({ subcommand: 'query', options: { kind: 'cdn', ids: id } });
    const reply = await originalReply(harness.fake, interaction);
    expect(embedsOf(reply)[0]?.color).toBe(STATE_COLOURS.running);

    harness.clock.advance(60_000);
    const click = await harness.fake.buttonClick({ customId: buttonsOf(reply)['Refresh']!, messageId: reply.id });
    await harness.fake.waitForCall(isOriginalEdit(harness.fake, click));
    expect(click.callbackType).toBe(6);
    const refreshed = harness.fake.messages.get(reply.id)!;
    expect(embedsOf(refreshed)[0]?.color).toBe(STATE_COLOURS.succeeded);
    expect(harness.fake.messagesIn(harness.channelId).filter((message) => message.id === reply.id)).toHaveLength(1);
  });

  test('given a forged button ID, then the user is told the button no longer works and nothing runs', async () => {
    const id = plantCdnTask();
    const reply = await originalReply(harness.fake, await harness.fake.slashCommand({ subcommand: 'query', options: { kind: 'cdn', ids: id } }));
    const before = harness.sandbox.calls.length;
    const click = await harness.fake.buttonClick({ customId: 'tw1:r:cdn:::<@1>', messageId: reply.id });
    await waitFor('reply', () => click.callbackType);
    expect(click.callbackType).toBe(4);
    const message = harness.fake.messages.get(click.originalMessageId!)!;
    expect(rendered(message.content)).toMatch(/no longer works/);
    expect(harness.sandbox.calls.length).toBe(before);
  });
});

describe('safety', () => {
  test('given everything sent so far, then every message disables mentions and no log line or message carries the token', () => {
    const bodies = sentBodies(harness.fake).filter((call) => !call.path.endsWith('/callback') && !call.path.endsWith('/threads'));
    expect(bodies.length).toBeGreaterThan(5);
    for (const call of bodies) expect(bodyOf(call)['allowed_mentions']).toEqual({ parse: [] });
    const everything = `${harness.logLines.join('\n')}\n${bodies.map((call) => textOf(bodyOf(call))).join('\n')}`;
    expect(everything).not.toContain(harness.config.token);
  });

  test('given a refused bot token, then start fails naming DISCORD_TOKEN and never the token itself', async () => {
    const token = 'MTEwMDAwMDAwMDAwMDAwMDAwMg.refused.d3JvbmctdG9rZW4tdGhhdC1tdXN0LW5vdC1sZWFr';
    const unused: ProviderRegistry = {
      get: () => {
        throw new Error('not used');
      },
      accountNames: () => [],
      defaultRegion: () => null,
    };
    const lines: string[] = [];
    const logger = { info: (...parts: unknown[]) => lines.push(parts.join(' ')), warn: (...parts: unknown[]) => lines.push(parts.join(' ')), error: (...parts: unknown[]) => lines.push(parts.join(' ')) };
    const adapter = createDiscordAdapter({ config: { ...harness.config, token }, services: { providers: unused }, logger });
    const failure = await adapter.start().then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(/Discord login failed .*DISCORD_TOKEN/);
    expect(`${failure?.message}\n${lines.join('\n')}`).not.toContain(token);
    expect(adapter.connected).toBe(false);
  });
});
