/**
 * The queue dashboard's browser session, over real HTTP on 127.0.0.1: `?token=` once turns into
 * a signed, expiring session cookie that is not the token, the address bar is cleared of the
 * token by a redirect, and nothing a browser can send in a cookie makes the server answer 500 or
 * show a stack trace. Time is a manual clock, so expiry is tested without waiting.
 */
import { createHmac } from 'node:crypto';
import { createHttpApp, finishHttpApp, listen, ADMIN_SESSION_TTL_MS, type RunningHttpServer } from '../../../src/http/http-app';
import { createMetrics } from '../../../src/observability/metrics';
import { ManualClock } from '../../../src/util/clock';

const ADMIN_TOKEN = 'admin-session-token-0123456789abcdef';

describe('the /admin/queues browser session', () => {
  let server: RunningHttpServer;
  let base: string;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock();
    const app = createHttpApp({ metrics: createMetrics(), readiness: {}, adminToken: ADMIN_TOKEN, queues: [], now: () => clock.now() });
    server = await listen(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
  });

  afterEach(async () => {
    await server.close();
  });

  /** Opens `?token=` the way a browser does, without following the redirect; returns the cookie pair and the answer. */
  async function signIn(headers: Record<string, string> = {}): Promise<{ response: Response; setCookie: string; pair: string }> {
    const response = await fetch(`${base}/admin/queues?token=${encodeURIComponent(ADMIN_TOKEN)}&tab=jobs`, { redirect: 'manual', headers });
    const setCookie = response.headers.get('set-cookie') ?? '';
    return { response, setCookie, pair: setCookie.split(';')[0] ?? '' };
  }

  function expectNoStackTrace(text: string): void {
    expect(text).not.toMatch(/\bat .+\(.+:\d+:\d+\)|URIError|node_modules|Error:/);
  }

  it('given ?token= once, then it redirects to the same page without the token and sets a session cookie that is not the token', async () => {
    const { response, setCookie, pair } = await signIn();
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/queues?tab=jobs');
    expect(setCookie).toMatch(/^taskwatch_admin=[^;]+;/);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).toMatch(/; Path=\/admin/);
    expect(setCookie).toMatch(new RegExp(`; Max-Age=${ADMIN_SESSION_TTL_MS / 1000}`));
    // Plain HTTP on loopback: a Secure cookie would never come back.
    expect(setCookie).not.toMatch(/; Secure/i);
    expect(setCookie).not.toContain(ADMIN_TOKEN);
    expect(setCookie).not.toContain(encodeURIComponent(ADMIN_TOKEN));
    expect(setCookie).not.toContain(Buffer.from(ADMIN_TOKEN).toString('base64'));

    const page = await fetch(`${base}/admin/queues`, { headers: { cookie: pair } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('given the request came through an HTTPS proxy, then the cookie is Secure', async () => {
    const { setCookie } = await signIn({ 'x-forwarded-proto': 'https' });
    expect(setCookie).toMatch(/; Secure/i);
  });

  it('given a session cookie past its expiry, then it is refused with 401 and the token is asked for again', async () => {
    const { pair } = await signIn();
    clock.advance(ADMIN_SESSION_TTL_MS - 1000);
    expect((await fetch(`${base}/admin/queues`, { headers: { cookie: pair } })).status).toBe(200);
    clock.advance(2000);
    const expired = await fetch(`${base}/admin/queues`, { headers: { cookie: pair } });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
  });

  it('given a cookie holding the raw token, a forged expiry or another token\'s session, then each is refused', async () => {
    const { pair } = await signIn();
    const value = pair.slice('taskwatch_admin='.length);
    const [version, expiry, mac] = value.split('.');
    // Stretching the expiry breaks the signature.
    const stretched = `taskwatch_admin=${version}.${Number(expiry) + 365 * 86_400_000}.${mac}`;
    // A session signed with a key that is not derived from this token.
    const otherKey = createHmac('sha256', 'some-other-admin-token-000000000').update('taskwatch admin session key').digest();
    const foreignMac = createHmac('sha256', otherKey).update(`${version}.${expiry}`).digest('base64url');
    const foreign = `taskwatch_admin=${version}.${expiry}.${foreignMac}`;
    for (const cookie of [`taskwatch_admin=${ADMIN_TOKEN}`, `taskwatch_admin=${encodeURIComponent(ADMIN_TOKEN)}`, stretched, foreign]) {
      expect((await fetch(`${base}/admin/queues`, { headers: { cookie } })).status).toBe(401);
    }
  });

  it('given a wrong ?token=, then 401, no cookie and no redirect', async () => {
    const response = await fetch(`${base}/admin/queues?token=wrong-token-0123456789abcdefgh`, { redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it.each([
    ['a bad percent-escape', 'taskwatch_admin=%E0'],
    ['a lone percent sign', 'taskwatch_admin=%'],
    ['a cut escape', 'taskwatch_admin=%E0%A4%A'],
    ['5000 digits', `taskwatch_admin=${'9'.repeat(5000)}`],
    ['a session without a signature', 'taskwatch_admin=v1.1.'],
    ['an empty value', 'taskwatch_admin='],
  ])('given a cookie with %s, then it answers 401 without a stack trace', async (_label, cookie) => {
      const response = await fetch(`${base}/admin/queues`, { headers: { cookie } });
      expect(response.status).toBe(401);
      const text = await response.text();
      expectNoStackTrace(text);
      expect(JSON.parse(text)).toMatchObject({ error: 'unauthorized' });
  });

  it('given a bearer header, then it still works without a cookie, and no session cookie is set', async () => {
    const response = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('given a route that fails, then the answer is a short JSON error, never a stack trace, and the log has the error\'s name only', async () => {
    await server.close();
    const logged: Array<Record<string, unknown>> = [];
    const app = createHttpApp({ metrics: createMetrics(), readiness: {}, adminToken: null });
    app.get('/boom', () => {
      throw new Error('failure quoting a request: Bearer admin-session-token-0123456789abcdef');
    });
    finishHttpApp(app, { error: (details) => logged.push(details) });
    server = await listen(app, 0, '127.0.0.1');
    const failed = await fetch(`http://127.0.0.1:${server.port}/boom`);
    expect(failed.status).toBe(500);
    const text = await failed.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal_error' });
    expectNoStackTrace(text);
    expect(logged).toEqual([{ event: 'http_request_failed', errorName: 'Error' }]);
    const missing = await fetch(`http://127.0.0.1:${server.port}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found' });
  });
});
