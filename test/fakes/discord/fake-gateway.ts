/**
 * The Discord gateway, enough of it for discord.js 14: HELLO, IDENTIFY -> READY then one
 * GUILD_CREATE per guild, heartbeat ACKs, dispatches with sequence numbers, and a minimal RESUME
 * that replays what the session missed. JSON encoding, no compression (zlib-sync is not installed).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';

/** One gateway frame, as the fake logs it (tokens never logged). */
export interface GatewayFrame {
  readonly direction: 'sent' | 'received';
  readonly op: number;
  readonly t: string | null;
  readonly s: number | null;
}

/** What the gateway needs from the fake around it. */
export interface GatewayHost {
  readonly token: string;
  readonly heartbeatIntervalMs: number;
  /** The READY payload for a new session (without session_id / resume_gateway_url). */
  readyPayload(): Record<string, unknown>;
  /** GUILD_CREATE payloads sent right after READY. */
  guildCreatePayloads(): Record<string, unknown>[];
  resumeUrl(): string;
}

interface Session {
  readonly id: string;
  sequence: number;
  /** Dispatches kept for RESUME, oldest first. */
  readonly events: { s: number; t: string; d: unknown }[];
  socket: WebSocket | null;
}

const KEPT_EVENTS = 500;

/** The gateway side of the fake. */
export class FakeGateway {
  /** Every frame in and out, in order. */
  readonly frames: GatewayFrame[] = [];
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly readyWaiters = new Set<() => void>();
  private readonly frameListeners = new Set<(frame: GatewayFrame) => void>();

  constructor(private readonly host: GatewayHost) {
    this.server.on('connection', (socket) => this.accept(socket));
  }

  /** Takes over an HTTP upgrade request. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (webSocket) => this.server.emit('connection', webSocket, request));
  }

  /** Whether some session is identified and connected. */
  hasConnectedSession(): boolean {
    return [...this.sessions.values()].some((session) => session.socket?.readyState === WebSocket.OPEN);
  }

  /** Resolves once a session is identified and connected; rejects after `timeoutMs`. */
  waitForSession(timeoutMs: number): Promise<void> {
    if (this.hasConnectedSession()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.readyWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(done);
        reject(new Error(`no gateway session identified within ${timeoutMs} ms`));
      }, timeoutMs);
      this.readyWaiters.add(done);
    });
  }

  /** Resolves with the first frame (past or future) that matches; rejects after `timeoutMs`. */
  waitForFrame(predicate: (frame: GatewayFrame, index: number) => boolean, timeoutMs: number): Promise<GatewayFrame> {
    const existing = this.frames.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const listener = (frame: GatewayFrame): void => {
        if (!predicate(frame, this.frames.length - 1)) return;
        clearTimeout(timer);
        this.frameListeners.delete(listener);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        this.frameListeners.delete(listener);
        reject(new Error(`no matching gateway frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.frameListeners.add(listener);
    });
  }

  /** Sends an event to every session; sessions that are disconnected keep it for RESUME. */
  dispatch(eventName: string, data: unknown): void {
    for (const session of this.sessions.values()) {
      session.sequence += 1;
      session.events.push({ s: session.sequence, t: eventName, d: data });
      if (session.events.length > KEPT_EVENTS) session.events.shift();
      if (session.socket?.readyState === WebSocket.OPEN) this.send(session.socket, { op: 0, t: eventName, s: session.sequence, d: data });
    }
  }

  /** Closes every connection with `code`, as Discord does before asking a client to resume or reconnect. */
  disconnectAll(code: number): void {
    for (const client of this.server.clients) client.close(code);
  }

  /** Closes all connections and the server. */
  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private log(frame: GatewayFrame): void {
    this.frames.push(frame);
    for (const listener of [...this.frameListeners]) listener(frame);
  }

  private send(socket: WebSocket, payload: { op: number; t?: string | null; s?: number | null; d: unknown }): void {
    const frame = { op: payload.op, t: payload.t ?? null, s: payload.s ?? null, d: payload.d };
    this.log({ direction: 'sent', op: frame.op, t: frame.t, s: frame.s });
    socket.send(JSON.stringify(frame));
  }

  private accept(socket: WebSocket): void {
    let session: Session | null = null;
    this.send(socket, { op: 10, d: { heartbeat_interval: this.host.heartbeatIntervalMs, _trace: ['["fake-gateway"]'] } });
    socket.on('message', (raw) => {
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
      } catch {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      const op = typeof payload.op === 'number' ? payload.op : -1;
      this.log({ direction: 'received', op, t: null, s: null });
      switch (op) {
        case 1:
          this.send(socket, { op: 11, d: null });
          return;
        case 2:
          if (session !== null) {
            socket.close(4005, 'Already authenticated.');
            return;
          }
          session = this.identify(socket, payload.d);
          return;
        case 6:
          if (session !== null) {
            socket.close(4005, 'Already authenticated.');
            return;
          }
          session = this.resume(socket, payload.d);
          return;
        case 3:
        case 4:
        case 8:
          if (session === null) socket.close(4003, 'Not authenticated.');
          return;
        default:
          socket.close(4001, 'Unknown opcode.');
      }
    });
    socket.on('close', () => {
      if (session !== null && session.socket === socket) session.socket = null;
    });
  }

  private identify(socket: WebSocket, data: unknown): Session | null {
    const identify = (data ?? {}) as { token?: unknown; intents?: unknown };
    if (identify.token !== this.host.token) {
      socket.close(4004, 'Authentication failed.');
      return null;
    }
    if (typeof identify.intents !== 'number') {
      socket.close(4013, 'Invalid intent(s).');
      return null;
    }
    const session: Session = { id: randomBytes(16).toString('hex'), sequence: 0, events: [], socket };
    this.sessions.set(session.id, session);
    const ready = { ...this.host.readyPayload(), session_id: session.id, resume_gateway_url: this.host.resumeUrl() };
    this.dispatchTo(session, 'READY', ready);
    for (const guild of this.host.guildCreatePayloads()) this.dispatchTo(session, 'GUILD_CREATE', guild);
    for (const waiter of [...this.readyWaiters]) waiter();
    return session;
  }

  private resume(socket: WebSocket, data: unknown): Session | null {
    const resume = (data ?? {}) as { token?: unknown; session_id?: unknown; seq?: unknown };
    const session = typeof resume.session_id === 'string' ? this.sessions.get(resume.session_id) : undefined;
    if (resume.token !== this.host.token || session === undefined) {
      // d: false tells the client the session cannot be resumed and it must IDENTIFY anew.
      this.send(socket, { op: 9, d: false });
      return null;
    }
    session.socket = socket;
    const since = typeof resume.seq === 'number' ? resume.seq : 0;
    for (const event of session.events) if (event.s > since) this.send(socket, { op: 0, t: event.t, s: event.s, d: event.d });
    this.dispatchTo(session, 'RESUMED', { _trace: ['["fake-gateway"]'] });
    for (const waiter of [...this.readyWaiters]) waiter();
    return session;
  }

  private dispatchTo(session: Session, eventName: string, data: unknown): void {
    session.sequence += 1;
    session.events.push({ s: session.sequence, t: eventName, d: data });
    if (session.socket !== null) this.send(session.socket, { op: 0, t: eventName, s: session.sequence, d: data });
  }
}
