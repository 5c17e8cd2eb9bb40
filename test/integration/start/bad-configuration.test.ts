/** `taskwatch start` refuses bad configuration before starting anything, listing every problem. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'taskwatch.js');

function start(env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync(process.execPath, [BIN, 'start'], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    cwd: path.join(__dirname, '..', '..', '..'),
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('taskwatch start with bad configuration', () => {
  it('given a Slack token without its signing secret, an unparsable REDIS_URL and a half-set cloud pair, then all three are listed and it exits 2', () => {
    const result = start({ SLACK_BOT_TOKEN: 'xoxb-not-a-real-token-0001', REDIS_URL: 'redis//nope', TENCENTCLOUD_SECRET_KEY: 'half-set-secret-key-value' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('3 problems');
    expect(result.stderr).toContain('SLACK_SIGNING_SECRET');
    expect(result.stderr).toContain('REDIS_URL');
    expect(result.stderr).toContain('TENCENTCLOUD_SECRET_ID is missing');
    // Nothing secret is echoed back, and nothing was started.
    expect(result.stderr + result.stdout).not.toContain('xoxb-not-a-real-token-0001');
    expect(result.stderr + result.stdout).not.toContain('half-set-secret-key-value');
    expect(result.stdout).not.toContain('terminal chat');
  });

  it('given an unbounded WATCH_DEADLINE_MS, a 2^31 WATCH_MAX_INTERVAL_MS and a short API_TOKEN, then each is named with its bound and it exits 2', () => {
    const shortToken = 'too-short-api-token';
    const result = start({ WATCH_DEADLINE_MS: '9007199254740991', WATCH_MAX_INTERVAL_MS: String(2 ** 31), API_TOKEN: shortToken });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('3 problems');
    expect(result.stderr).toContain('WATCH_DEADLINE_MS must be a whole number from 1000 to 604800000');
    expect(result.stderr).toContain('WATCH_MAX_INTERVAL_MS must be a whole number from 100 to 3600000');
    expect(result.stderr).toContain('API_TOKEN must be at least 24 characters');
    expect(result.stderr + result.stdout).not.toContain(shortToken);
  });

  it('given an unknown --role, then it says which roles exist and exits 2', () => {
    const result = spawnSync(process.execPath, [BIN, 'start', '--role', 'boss'], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env['PATH'] ?? '' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--role must be one of web, worker, all');
  });
});
