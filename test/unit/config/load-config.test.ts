/** Configuration is validated once, and every problem is listed with what to do. */
import { loadConfig } from '../../../src/config';
import { CHAT_PLATFORM_DEFINITIONS } from '../../../src/chat/platforms';

function problemsOf(env: Record<string, string>): readonly string[] {
  const result = loadConfig(env, CHAT_PLATFORM_DEFINITIONS);
  return result.ok ? [] : result.problems;
}

describe('loadConfig', () => {
  it('given nothing, then it is valid with no accounts, a local Redis and the documented defaults', () => {
    const result = loadConfig({}, CHAT_PLATFORM_DEFINITIONS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.accounts).toEqual([]);
    expect(result.config.redisUrl).toBeNull();
    expect(result.config.http.port).toBe(3000);
    expect(result.config.watch).toEqual({ intervalMs: 5000, maxIntervalMs: 60_000, deadlineMs: 86_400_000, broadcastFailures: true, deliveryRetryMs: 1000, deliveryRetryMaxMs: 300_000 });
    expect(result.config.rateLimits).toEqual({ tencentPerSecond: 15, dcdnPerSecond: 24 });
  });

  it('given a longest delivery retry pause shorter than the first, then both variables are named', () => {
    expect(problemsOf({ WATCH_DELIVERY_RETRY_MS: '5000', WATCH_DELIVERY_RETRY_MAX_MS: '1000' })).toEqual([expect.stringMatching(/WATCH_DELIVERY_RETRY_MAX_MS .* WATCH_DELIVERY_RETRY_MS/)]);
  });

  it('given a Slack token without its signing secret, then it says which variable to set', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([expect.stringContaining('SLACK_SIGNING_SECRET')]);
  });

  it('given a Slack bot token with an app token, then Socket Mode needs no signing secret', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toEqual([]);
  });

  it('given an unparsable REDIS_URL, then it names the variable and the accepted schemes', () => {
    expect(problemsOf({ REDIS_URL: 'not a url' })).toEqual([expect.stringMatching(/REDIS_URL must be a URL starting with redis:\/\//)]);
  });

  it.each([
    [{ TENCENTCLOUD_SECRET_ID: 'AKID1' }, 'TENCENTCLOUD_SECRET_KEY is missing'],
    [{ TENCENTCLOUD_SECRET_KEY: 'k' }, 'TENCENTCLOUD_SECRET_ID is missing'],
    [{ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI1' }, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET is missing'],
    [{ DISCORD_TOKEN: 't' }, 'DISCORD_APPLICATION_ID is missing'],
  ])('given a half-set pair %j, then the missing half is named', (env, expected) => {
    expect(problemsOf(env)).toEqual([expect.stringContaining(expected)]);
  });

  it('given several problems, then every one is listed at once', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1', REDIS_URL: '::', TENCENTCLOUD_SECRET_ID: 'AKID1', WATCH_INTERVAL_MS: 'soon', PORT: '70000' });
    expect(problems).toHaveLength(5);
  });

  it('given a half-set secret pair, then the problem text never contains the secret', () => {
    const problems = problemsOf({ TENCENTCLOUD_SECRET_KEY: 'very-secret-value-42' });
    expect(problems.join('\n')).not.toContain('very-secret-value-42');
  });

  it('given a maximum interval below the minimum, then it says so', () => {
    expect(problemsOf({ WATCH_INTERVAL_MS: '10000', WATCH_MAX_INTERVAL_MS: '5000' })).toEqual([expect.stringContaining('WATCH_MAX_INTERVAL_MS')]);
  });

  describe('numeric bounds: every numeric setting has a range, and a value outside it is refused by name', () => {
    // [variable, lowest accepted, highest accepted]; the README's configuration table lists the same.
    const RANGES: ReadonlyArray<readonly [string, number, number]> = [
      ['TENCENTCLOUD_RATE_LIMIT', 1, 20],
      ['ALIBABA_CLOUD_DCDN_RATE_LIMIT', 1, 30],
      ['PROVIDER_TIMEOUT_MS', 100, 120_000],
      ['PORT', 0, 65_535],
      ['WATCH_INTERVAL_MS', 100, 3_600_000],
      ['WATCH_MAX_INTERVAL_MS', 100, 3_600_000],
      ['WATCH_DEADLINE_MS', 1000, 604_800_000],
      ['WATCH_LIMIT_PER_CHANNEL', 1, 100_000],
      ['WATCH_LIMIT_PER_TOKEN', 1, 100_000],
      ['WATCH_RATE_PER_TOKEN', 1, 100_000],
      ['WATCH_LIMIT_PER_USER', 1, 100_000],
      ['WATCH_RATE_PER_USER', 1, 100_000],
      ['SUBSCRIPTION_LIMIT_PER_CHANNEL', 1, 1000],
    ];
    // The interval settings depend on each other; keep the other one out of the way.
    const companion = (name: string, value: number): Record<string, string> =>
      name === 'WATCH_INTERVAL_MS' ? { WATCH_MAX_INTERVAL_MS: String(Math.min(Math.max(value, 100), 3_600_000)) } : name === 'WATCH_MAX_INTERVAL_MS' ? { WATCH_INTERVAL_MS: '100' } : {};

    it.each(RANGES)('given %s at either end of its range, then it is accepted', (name, min, max) => {
      expect(problemsOf({ ...companion(name, min), [name]: String(min) })).toEqual([]);
      expect(problemsOf({ ...companion(name, max), [name]: String(max) })).toEqual([]);
    });

    it.each(RANGES)('given %s just outside its range, then the problem names it and its range', (name, min, max) => {
      for (const value of [min - 1, max + 1]) {
        expect(problemsOf({ ...companion(name, value), [name]: String(value) })).toEqual([`${name} must be a whole number from ${min} to ${max}; it is "${value}".`]);
      }
    });

    it('given WATCH_DEADLINE_MS=9007199254740991, then start-up refuses it (every watch would throw "Invalid time value")', () => {
      expect(problemsOf({ WATCH_DEADLINE_MS: '9007199254740991' })).toEqual([expect.stringContaining('WATCH_DEADLINE_MS must be a whole number from')]);
    });

    it('given WATCH_MAX_INTERVAL_MS of 2^31, then start-up refuses it (setInterval would clamp it to 1 ms and spin)', () => {
      expect(problemsOf({ WATCH_MAX_INTERVAL_MS: String(2 ** 31) })).toEqual([expect.stringContaining('WATCH_MAX_INTERVAL_MS must be a whole number from')]);
    });

    it.each(['1e4', '0x1000', '5000.0', '+5000', '5_000'])('given WATCH_INTERVAL_MS=%s, then only plain decimal digits are accepted', (raw) => {
      expect(problemsOf({ WATCH_INTERVAL_MS: raw })).toEqual([expect.stringContaining('WATCH_INTERVAL_MS must be a whole number')]);
    });
  });

  describe('token lengths', () => {
    it.each(['API_TOKEN', 'ADMIN_TOKEN'])('given a %s shorter than 24 characters, then it is refused by name without echoing it', (name) => {
      const short = 'short-token-12345678901';
      expect(short).toHaveLength(23);
      const problems = problemsOf({ [name]: short });
      expect(problems).toEqual([expect.stringContaining(`${name} must be at least 24 characters`)]);
      expect(problems.join('\n')).not.toContain(short);
    });

    it.each(['API_TOKEN', 'ADMIN_TOKEN'])('given a %s of 24 characters, then it is accepted', (name) => {
      expect(problemsOf({ [name]: 'a'.repeat(24) })).toEqual([]);
    });
  });
});
