/**
 * A local fake of the Slack platform for tests: the Web API methods taskwatch uses, the
 * `response_url` endpoints Slack hands to slash commands and interactions, and a Socket Mode
 * websocket server. It answers the way Slack does on the wire (HTTP 200 with `ok: false` for
 * API errors, 429 with `Retry-After` for rate limits) and records every call in arrival order.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One HTTP call the fake received. */
export interface RecordedCall {
  /** Position in the fake's timeline (shared with {@link FakeSlack.mark}). */
  readonly sequence: number;
  /** Web API method (`chat.postMessage`), or `response_url` for a response URL POST. */
  readonly method: string;
  /** Parsed body: form fields (with `blocks`/`attachments` JSON-decoded) or the JSON object. */
  readonly body: Record<string, unknown>;
  /** The body exactly as received. */
  readonly rawBody: string;
  readonly headers: IncomingHttpHeaders;
  /** For `response_url` calls: the response URL's ID. */
  readonly responseUrlId?: string;
  /** What the fake answered: the HTTP status. */
  readonly status: number;
  /** What the fake answered: the JSON body of a Web API answer, if any. */
  readonly answer?: Record<string, unknown>;
}

/** A message as the fake stores it after `chat.postMessage` / `chat.update`. */
export interface StoredMessage {
  readonly channel: string;
  readonly ts: string;
  text: string;
  blocks: unknown[];
  readonly threadTs: string | null;
  /** How many times `chat.update` edited it. */
  updates: number;
}

/** One acknowledgement a Socket Mode client sent. */
export interface SocketAck {
  readonly sequence: number;
  readonly envelopeId: string;
  readonly payload: unknown;
}

/** Which calls a rule hits. */
export interface CallMatcher {
  /** Web API method or `response_url`; default every call. */
  readonly method?: string;
  /** Only calls whose body has this `channel`. */
  readonly channel?: string;
}

/** A user group as `usergroups.list` lists it. */
export interface FakeUserGroup {
  /** Default derived from the handle. */
  readonly id?: string;
  /** Without `@`, as Slack stores it. */
  readonly handle: string;
  /** Member user IDs, sent only when the call asks for `include_users`. */
  readonly users: readonly string[];
}

/** Options for {@link startFakeSlack}. */
export interface FakeSlackOptions {
  /** Bot token the Web API accepts; default `xoxb-fake-bot-token`. */
  readonly botToken?: string;
  /** App-level token `apps.connections.open` accepts; default `xapp-fake-app-token`. */
  readonly appToken?: string;
  /** Sent by `auth.test`. */
  readonly botUserId?: string;
  /** What `usergroups.list` answers; default none. */
  readonly userGroups?: readonly FakeUserGroup[];
}

/** A running fake Slack. */
export interface FakeSlack {
  /** Base URL for `slackApiUrl`, ending in `/api/`. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  readonly botToken: string;
  readonly appToken: string;
  /** Every HTTP call, in arrival order. */
  readonly calls: readonly RecordedCall[];
  /** Every Socket Mode ack, in arrival order. */
  readonly acks: readonly SocketAck[];
  /** Messages by `channel/ts`. */
  readonly messages: ReadonlyMap<string, StoredMessage>;
  /** Web API calls of one method. */
  callsOf(method: string): RecordedCall[];
  /** A fresh response URL on the fake, as Slack puts in each command and interaction. */
  newResponseUrl(): string;
  /** Records a named event in the same timeline as calls; returns its sequence number. */
  mark(label: string): number;
  /** Named events recorded with {@link mark}. */
  readonly marks: ReadonlyArray<{ readonly sequence: number; readonly label: string }>;
  /** Answers the next `count` matching calls with 429 and `Retry-After: retryAfterSeconds`. */
  rateLimit(matcher: CallMatcher, count: number, retryAfterSeconds: number): void;
  /**
   * Refuses the next `count` matching calls (default unlimited, until {@link clearRules}):
   * `{ status: 503 }` answers that HTTP status with an HTML page, as a Slack outage does;
   * `{ error: 'is_archived' }` answers HTTP 200 with `ok: false` and that error word.
   */
  fail(matcher: CallMatcher, answer: { readonly status: number } | { readonly error: string }, count?: number): void;
  /** Delays the answer to the next `count` matching calls (default unlimited) by `ms`. */
  delay(matcher: CallMatcher, ms: number, count?: number): void;
  /**
   * Holds the next `count` matching calls (default 1) unanswered until the returned hold is
   * released, so a test can make something else happen while a post is in flight. A held
   * call is recorded when it is answered; {@link stop} releases every hold.
   */
  hold(matcher: CallMatcher, count?: number): FakeSlackHold;
  /** Replaces what `usergroups.list` answers from now on. */
  setUserGroups(groups: readonly FakeUserGroup[]): void;
  /** Clears rate limits, failures and delays. */
  clearRules(): void;
  /** Resolves with the first recorded call (past or future) that matches; rejects after `timeoutMs`. */
  waitForCall(predicate: (call: RecordedCall) => boolean, timeoutMs: number): Promise<RecordedCall>;
  /** Socket Mode: how many websocket connections were opened so far. */
  readonly socketConnectionCount: number;
  /** Socket Mode: resolves when a client is connected (and greeted with `hello`); rejects after `timeoutMs`. */
  waitForSocket(timeoutMs: number): Promise<void>;
  /** Socket Mode: sends an envelope to the newest connection; returns its `envelope_id`. */
  pushEnvelope(type: 'slash_commands' | 'interactive' | 'events_api', payload: unknown, acceptsResponsePayload?: boolean): string;
  /** Socket Mode: resolves with the ack for an envelope; rejects after `timeoutMs`. */
  waitForAck(envelopeId: string, timeoutMs: number): Promise<SocketAck>;
  /** Socket Mode: asks the newest connection to reconnect, as Slack does when recycling. */
  sendDisconnect(reason?: string): void;
  /** Stops the server and closes every connection. */
  stop(): Promise<void>;
}

/** Calls held by {@link FakeSlack.hold}. */
export interface FakeSlackHold {
  /** How many calls are held now. */
  readonly heldCount: number;
  /** Resolves once `count` calls have been held (released ones included); rejects after `timeoutMs`. */
  waitUntilHeld(count: number, timeoutMs: number): Promise<void>;
  /** Lets every held call (and every later one) through. */
  release(): void;
}

interface HoldGate {
  held: number;
  reached: number;
  released: boolean;
  readonly waiting: Set<() => void>;
  readonly onHeld: Set<() => void>;
}

interface Rule {
  readonly matcher: CallMatcher;
  remaining: number;
  readonly gate?: HoldGate;
  readonly retryAfterSeconds?: number;
  readonly delayMs?: number;
  readonly failure?: { readonly status: number } | { readonly error: string };
}

interface Waiter<T> {
  readonly predicate: (value: T) => boolean;
  readonly resolve: (value: T) => void;
}

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

function parseBody(rawBody: string, contentType: string | undefined): Record<string, unknown> {
  if (rawBody === '') return {};
  if (contentType?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(rawBody);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
    } catch {
      return { unparsable: rawBody };
    }
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(rawBody)) {
    if (JSON_FIELDS.includes(key)) {
      try {
        body[key] = JSON.parse(value);
        continue;
      } catch {
        // Slack would reject it; keep the raw text so a test can see what was sent.
      }
    }
    body[key] = value;
  }
  return body;
}

function readRequestBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function matches(matcher: CallMatcher, method: string, body: Record<string, unknown>): boolean {
  if (matcher.method !== undefined && matcher.method !== method) return false;
  if (matcher.channel !== undefined && body['channel'] !== matcher.channel) return false;
  return true;
}

function bearerToken(request: IncomingMessage, body: Record<string, unknown>): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length);
  return typeof body['token'] === 'string' ? body['token'] : null;
}

function waitWithTimeout<T>(
  existing: T | undefined,
  waiters: Set<Waiter<T>>,
  predicate: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  if (existing !== undefined) return Promise.resolve(existing);
  return new Promise<T>((resolve, reject) => {
    const waiter: Waiter<T> = {
      predicate,
      resolve: (value) => {
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(value);
      },
    };
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      reject(new Error(`Fake Slack: timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    waiters.add(waiter);
  });
}

/** Starts a fake Slack on 127.0.0.1 with a free port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botToken = options.botToken ?? 'xoxb-fake-bot-token';
  const appToken = options.appToken ?? 'xapp-fake-app-token';
  const botUserId = options.botUserId ?? 'U0FAKEBOT';
  const calls: RecordedCall[] = [];
  const acks: SocketAck[] = [];
  const marks: Array<{ sequence: number; label: string }> = [];
  const messages = new Map<string, StoredMessage>();
  const rules: Rule[] = [];
  const callWaiters = new Set<Waiter<RecordedCall>>();
  const ackWaiters = new Set<Waiter<SocketAck>>();
  const socketWaiters = new Set<() => void>();
  const sockets: WebSocket[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();
  let sequence = 0;
  let messageCounter = 0;
  let responseUrlCounter = 0;
  let envelopeCounter = 0;
  let socketConnectionCount = 0;
  let stopped = false;
  const validTickets = new Set<string>();
  let userGroups: readonly FakeUserGroup[] = options.userGroups ?? [];

  const nextTs = (): string => {
    messageCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(messageCounter).padStart(6, '0')}`;
  };

  const gates = new Set<HoldGate>();
  const takeRule = (method: string, body: Record<string, unknown>, kind: 'rate' | 'delay' | 'fail' | 'hold'): Rule | undefined => {
    const rule = rules.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (kind === 'rate'
          ? candidate.retryAfterSeconds !== undefined
          : kind === 'delay'
            ? candidate.delayMs !== undefined
            : kind === 'hold'
              ? candidate.gate !== undefined
              : candidate.failure !== undefined) &&
        matches(candidate.matcher, method, body),
    );
    if (rule) rule.remaining -= 1;
    return rule;
  };

  const record = (call: Omit<RecordedCall, 'sequence'>): void => {
    sequence += 1;
    const recorded: RecordedCall = { ...call, sequence };
    calls.push(recorded);
    for (const waiter of [...callWaiters]) if (waiter.predicate(recorded)) waiter.resolve(recorded);
  };

  const answerApi = (method: string, body: Record<string, unknown>, token: string | null): Record<string, unknown> => {
    if (method === 'apps.connections.open') {
      if (token !== appToken) return { ok: false, error: 'invalid_auth' };
      const ticket = `ticket-${socketConnectionCount + validTickets.size + 1}-${Date.now()}`;
      validTickets.add(ticket);
      return { ok: true, url: `ws://127.0.0.1:${port}/socket?ticket=${ticket}` };
    }
    if (token !== botToken) return { ok: false, error: token ? 'invalid_auth' : 'not_authed' };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'taskwatch', team_id: 'T0FAKE', user_id: botUserId, bot_id: 'B0FAKE', is_enterprise_install: false };
      case 'chat.postMessage': {
        const channel = body['channel'];
        if (typeof channel !== 'string' || channel === '') return { ok: false, error: 'channel_not_found' };
        if (body['text'] === undefined && body['blocks'] === undefined) return { ok: false, error: 'no_text' };
        const ts = nextTs();
        const threadTs = typeof body['thread_ts'] === 'string' ? body['thread_ts'] : null;
        const stored: StoredMessage = {
          channel,
          ts,
          text: typeof body['text'] === 'string' ? body['text'] : '',
          blocks: Array.isArray(body['blocks']) ? body['blocks'] : [],
          threadTs,
          updates: 0,
        };
        messages.set(`${channel}/${ts}`, stored);
        return {
          ok: true,
          channel,
          ts,
          message: { type: 'message', user: botUserId, bot_id: 'B0FAKE', text: stored.text, blocks: stored.blocks, ts, ...(threadTs ? { thread_ts: threadTs } : {}) },
        };
      }
      case 'chat.update': {
        const channel = body['channel'];
        const ts = body['ts'];
        const stored = typeof channel === 'string' && typeof ts === 'string' ? messages.get(`${channel}/${ts}`) : undefined;
        if (!stored) return { ok: false, error: 'message_not_found' };
        if (typeof body['text'] === 'string') stored.text = body['text'];
        if (Array.isArray(body['blocks'])) stored.blocks = body['blocks'];
        stored.updates += 1;
        return { ok: true, channel, ts, text: stored.text, message: { text: stored.text, blocks: stored.blocks } };
      }
      case 'usergroups.list': {
        // Slack sends members only on request, and booleans arrive as form text.
        const includeUsers = body['include_users'] === true || body['include_users'] === 'true' || body['include_users'] === '1';
        return {
          ok: true,
          usergroups: userGroups.map((group) => ({
            id: group.id ?? `S0${group.handle.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
            team_id: 'T0FAKE',
            is_usergroup: true,
            name: group.handle,
            handle: group.handle,
            description: '',
            date_delete: 0,
            user_count: group.users.length,
            ...(includeUsers ? { users: [...group.users] } : {}),
          })),
        };
      }
      case 'chat.postEphemeral': {
        if (typeof body['channel'] !== 'string' || typeof body['user'] !== 'string') return { ok: false, error: 'channel_not_found' };
        return { ok: true, message_ts: nextTs() };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const rawBody = await readRequestBody(request);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const body = parseBody(rawBody, request.headers['content-type']);
    let method: string;
    let responseUrlId: string | undefined;
    if (request.method === 'POST' && url.pathname.startsWith('/api/')) {
      method = url.pathname.slice('/api/'.length);
    } else if (request.method === 'POST' && url.pathname.startsWith('/response/')) {
      method = 'response_url';
      responseUrlId = url.pathname.slice('/response/'.length);
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }

    const delayRule = takeRule(method, body, 'delay');
    if (delayRule?.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          resolve();
        }, delayRule.delayMs);
        pendingTimers.add(timer);
      });
    }
    const holdRule = takeRule(method, body, 'hold');
    const gate = holdRule?.gate;
    if (gate && !gate.released) {
      await new Promise<void>((resolve) => {
        gate.held += 1;
        gate.reached += 1;
        gate.waiting.add(resolve);
        for (const notify of [...gate.onHeld]) notify();
      });
    }
    if (stopped) return;

    const rateRule = takeRule(method, body, 'rate');
    if (rateRule) {
      record({ method, body, rawBody, headers: request.headers, responseUrlId, status: 429 });
      response
        .writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(rateRule.retryAfterSeconds) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }

    const failRule = takeRule(method, body, 'fail');
    if (failRule?.failure) {
      if ('status' in failRule.failure) {
        record({ method, body, rawBody, headers: request.headers, responseUrlId, status: failRule.failure.status });
        response.writeHead(failRule.failure.status, { 'Content-Type': 'text/html' }).end('<html><body>Service Unavailable</body></html>');
      } else {
        const answer = { ok: false, error: failRule.failure.error };
        record({ method, body, rawBody, headers: request.headers, responseUrlId, status: 200, answer });
        response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
      }
      return;
    }

    if (method === 'response_url') {
      // Slack answers response_url posts with a bare "ok" body (or an error word).
      record({ method, body, rawBody, headers: request.headers, responseUrlId, status: 200 });
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }

    const answer = answerApi(method, body, bearerToken(request, body));
    record({ method, body, rawBody, headers: request.headers, status: 200, answer });
    response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });

  const websocketServer = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket');
    if (url.pathname !== '/socket' || ticket === null || !validTickets.delete(ticket)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    websocketServer.handleUpgrade(request, socket, head, (websocket) => {
      socketConnectionCount += 1;
      sockets.push(websocket);
      websocket.on('message', (data) => {
        let parsed: { envelope_id?: unknown; payload?: unknown };
        try {
          parsed = JSON.parse(data.toString()) as typeof parsed;
        } catch {
          return;
        }
        if (typeof parsed.envelope_id !== 'string') return;
        sequence += 1;
        const ack: SocketAck = { sequence, envelopeId: parsed.envelope_id, payload: parsed.payload };
        acks.push(ack);
        for (const waiter of [...ackWaiters]) if (waiter.predicate(ack)) waiter.resolve(ack);
      });
      websocket.on('close', () => {
        const index = sockets.indexOf(websocket);
        if (index >= 0) sockets.splice(index, 1);
      });
      websocket.send(
        JSON.stringify({
          type: 'hello',
          num_connections: sockets.length,
          debug_info: { host: 'fake-slack', approximate_connection_time: 3600 },
          connection_info: { app_id: 'A0FAKE' },
        }),
      );
      for (const notify of [...socketWaiters]) notify();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  const openSocket = (): WebSocket => {
    const socket = sockets[sockets.length - 1];
    if (!socket) throw new Error('Fake Slack: no Socket Mode client is connected');
    return socket;
  };

  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    botToken,
    appToken,
    calls,
    acks,
    messages,
    marks,
    get socketConnectionCount() {
      return socketConnectionCount;
    },
    callsOf: (method) => calls.filter((call) => call.method === method),
    newResponseUrl: () => {
      responseUrlCounter += 1;
      return `${baseUrl}/response/R${String(responseUrlCounter).padStart(4, '0')}`;
    },
    mark: (label) => {
      sequence += 1;
      marks.push({ sequence, label });
      return sequence;
    },
    rateLimit: (matcher, count, retryAfterSeconds) => {
      rules.push({ matcher, remaining: count, retryAfterSeconds });
    },
    fail: (matcher, answer, count = Number.POSITIVE_INFINITY) => {
      rules.push({ matcher, remaining: count, failure: answer });
    },
    delay: (matcher, ms, count = Number.POSITIVE_INFINITY) => {
      rules.push({ matcher, remaining: count, delayMs: ms });
    },
    hold: (matcher, count = 1) => {
      const gate: HoldGate = { held: 0, reached: 0, released: false, waiting: new Set(), onHeld: new Set() };
      gates.add(gate);
      rules.push({ matcher, remaining: count, gate });
      const release = (): void => {
        gate.released = true;
        gate.held = 0;
        for (const resolve of [...gate.waiting]) resolve();
        gate.waiting.clear();
      };
      return {
        get heldCount() {
          return gate.held;
        },
        waitUntilHeld: (count, timeoutMs) =>
          new Promise<void>((resolve, reject) => {
            const check = (): void => {
              if (gate.reached < count) return;
              clearTimeout(timer);
              gate.onHeld.delete(check);
              resolve();
            };
            const timer = setTimeout(() => {
              gate.onHeld.delete(check);
              reject(new Error(`Fake Slack: timed out after ${timeoutMs} ms waiting for ${count} held call(s); ${gate.reached} held`));
            }, timeoutMs);
            gate.onHeld.add(check);
            check();
          }),
        release,
      };
    },
    setUserGroups: (groups) => {
      userGroups = groups;
    },
    clearRules: () => {
      rules.length = 0;
    },
    waitForCall: (predicate, timeoutMs) => waitWithTimeout(calls.find(predicate), callWaiters, predicate, timeoutMs, 'a matching Slack call'),
    waitForSocket: (timeoutMs) => {
      if (sockets.length > 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const notify = (): void => {
          clearTimeout(timer);
          socketWaiters.delete(notify);
          resolve();
        };
        const timer = setTimeout(() => {
          socketWaiters.delete(notify);
          reject(new Error(`Fake Slack: no Socket Mode connection within ${timeoutMs} ms`));
        }, timeoutMs);
        socketWaiters.add(notify);
      });
    },
    pushEnvelope: (type, payload, acceptsResponsePayload = type !== 'events_api') => {
      envelopeCounter += 1;
      const envelopeId = `env-${envelopeCounter}-${Date.now().toString(36)}`;
      openSocket().send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: acceptsResponsePayload }));
      return envelopeId;
    },
    waitForAck: (envelopeId, timeoutMs) =>
      waitWithTimeout(
        acks.find((ack) => ack.envelopeId === envelopeId),
        ackWaiters,
        (ack) => ack.envelopeId === envelopeId,
        timeoutMs,
        `the ack of envelope ${envelopeId}`,
      ),
    sendDisconnect: (reason = 'refresh_requested') => {
      openSocket().send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }));
    },
    stop: async () => {
      stopped = true;
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      for (const gate of gates) for (const resolve of gate.waiting) resolve();
      gates.clear();
      // A close handshake, as Slack does, so the client's own close-handshake timer is
      // cleared; a socket that does not answer within a bounded wait is cut.
      await Promise.all(
        [...sockets].map(
          (socket) =>
            new Promise<void>((resolve) => {
              const cut = setTimeout(() => {
                socket.terminate();
                resolve();
              }, 1000);
              socket.once('close', () => {
                clearTimeout(cut);
                resolve();
              });
              socket.close(1001, 'fake Slack stopping');
            }),
        ),
      );
      await new Promise<void>((resolve) => websocketServer.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
