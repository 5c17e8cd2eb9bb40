import { discordTimeStyle, escapedWithTimes, relativeText, resultTextIn, slackTimeStyle, terminalTimeStyle } from '../../../src/chat/render/time-text';
import { escapeDiscordMarkdown } from '../../../src/chat/discord/discord-markdown';
import { escapeMrkdwn } from '../../../src/chat/slack/mrkdwn';
import { watchSummary } from '../../support/recording-watch-service';

// 2026-12-04 15:33:28 UTC, written out so the expected texts below can be too.
const AT = Date.UTC(2026, 11, 4, 15, 33, 28);
const EPOCH = Math.floor(AT / 1000);

describe('times for people', () => {
  it('given Slack, then a moment is date markup shown in the reader\'s zone, with a readable UTC fallback', () => {
    expect(slackTimeStyle.at(AT)).toBe(`<!date^${EPOCH}^{date_short_pretty} {time}|2026-12-04 15:33 UTC>`);
  });

  it('given Discord, then a moment is a timestamp tag, and a moment to come a relative one', () => {
    expect(discordTimeStyle.at(AT)).toBe(`<t:${EPOCH}:f>`);
    expect(discordTimeStyle.fromNow(AT)).toBe(`<t:${EPOCH}:R>`);
  });

  it('given the terminal, then moments are local clock times and offsets from now in words', () => {
    const time = terminalTimeStyle(() => AT, 'Asia/Shanghai');
    expect(time.at(AT + 5_000)).toBe('23:33:33');
    // The next day in Shanghai (the terminal's zone here), so the date is shown.
    expect(time.at(AT + 3_600_000)).toBe('2026-12-05 00:33:28');
    expect(time.fromNow(AT + 5_000)).toBe('in 5s');
    expect(time.fromNow(AT - 120_000)).toBe('2m ago');
    expect(relativeText(300)).toBe('now');
  });

  it('given a watch reply escaped for Slack or Discord, then the time markup survives the escaping and the text does not', () => {
    const summary = { ...watchSummary('w1', { kind: 'cdn', id: '1234567' }, { platform: 'slack', channelId: 'C1' }), nextCheckAt: new Date(AT).toISOString() };
    const result = { type: 'watching', visibility: 'ephemeral', watches: [summary], text: '' } as const;

    const slack = escapedWithTimes(slackTimeStyle, (time) => resultTextIn(result, time), escapeMrkdwn);
    expect(slack).toContain(`next check <!date^${EPOCH}^{date_short_pretty} {time}|2026-12-04 15:33 UTC>`);
    expect(slack).not.toContain('T15:33:28');

    const discord = escapedWithTimes(discordTimeStyle, (time) => resultTextIn(result, time), escapeDiscordMarkdown);
    expect(discord).toContain(`next check <t:${EPOCH}:R>`);
  });

  it('given text that itself contains markup characters, then they are still escaped', () => {
    const text = escapedWithTimes(slackTimeStyle, (time) => `<@U123> at ${time.at(AT)}`, escapeMrkdwn);
    expect(text.startsWith('&lt;@U123&gt; at <!date^')).toBe(true);
  });
});
