/**
 * The cloud sandbox: one local HTTP port that answers Tencent Cloud and Alibaba Cloud task
 * APIs exactly as they are spoken on the wire, so the official SDKs run against it unmodified.
 * It is both the product's "try it without a cloud account" mode and the backbone of tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CloudName } from '../providers/types';
import { systemClock, type Clock } from '../util/clock';
import { AlibabaFrontEnd, isAlibabaRequest, rpcParameters } from './alibaba-front-end';
import { plantDemoTasks, type DemoTaskIds } from './demo-tasks';
import { FaultInjector } from './fault-injector';
import { jsonAnswer, type FrontEndServices, type WireAnswer, type WireRequest } from './front-end';
import { SANDBOX_KINDS } from './sandbox-kinds';
import { SlidingWindowLimiter } from './sliding-window-limiter';
import { TaskStore } from './task-store';
import { plantTimedTasks, type TimedTask, type TimedTasksSpec } from './timed-tasks';
import { isTencentRequest, TencentFrontEnd } from './tencent-front-end';
import { SANDBOX_DEMO_CREDENTIALS, type SandboxCall, type SandboxCredential, type SandboxFault, type SandboxOptions, type SandboxTaskSpec } from './types';

/** The documented quotas: Tencent 20/s per API, region and credential; DCDN 30/s per account. */
export const DOCUMENTED_RATE_LIMITS = { tencentPerSecond: 20, dcdnPerSecond: 30 } as const;

/** Request bodies of the task APIs are tiny; anything bigger is not a client we serve. */
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** A running sandbox. Start it with {@link CloudSandbox.start}; always {@link CloudSandbox.stop} it. */
export class CloudSandbox {
  private readonly tasks: TaskStore;
  private readonly faults = new FaultInjector();
  private readonly recorded: SandboxCall[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly tencent: TencentFrontEnd;
  private readonly alibaba: AlibabaFrontEnd;
  private demoIds: DemoTaskIds | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    /** Drives task lifecycles; signatures and rate limits use real time because the SDKs do. */
    readonly clock: Clock,
    /** The credentials this sandbox accepts. */
    readonly credentials: readonly SandboxCredential[],
    rateLimits: SandboxOptions['rateLimits'],
    rateLimitNow: () => number,
  ) {
    this.tasks = new TaskStore(clock, SANDBOX_KINDS);
    const services: FrontEndServices = {
      tasks: this.tasks,
      clock,
      faults: this.faults,
      findSecret: (cloud, id) => this.findSecret(cloud, id),
      record: (call) => this.recorded.push(call),
    };
    const limits = rateLimits === false ? null : (rateLimits ?? DOCUMENTED_RATE_LIMITS);
    this.tencent = new TencentFrontEnd(services, limits ? new SlidingWindowLimiter(limits.tencentPerSecond, rateLimitNow) : null);
    this.alibaba = new AlibabaFrontEnd(services, limits ? new SlidingWindowLimiter(limits.dcdnPerSecond, rateLimitNow) : null);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.serve(request, response).catch(() => response.destroy());
    });
  }

  /** Starts a sandbox listening on `options.host`:`options.port` (default 127.0.0.1, any free port). */
  static async start(options: SandboxOptions = {}): Promise<CloudSandbox> {
    const credentials = options.credentials ?? SANDBOX_DEMO_CREDENTIALS;
    if (credentials.length === 0) throw new RangeError('A sandbox needs at least one credential to accept.');
    const server = createServer({ keepAliveTimeout: 5000 });
    const sandbox = new CloudSandbox(server, options.clock ?? systemClock, credentials, options.rateLimits, options.rateLimitNow ?? Date.now);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (options.demo) sandbox.demoIds = plantDemoTasks(sandbox);
    return sandbox;
  }

  /** `http://HOST:PORT`: the one base URL for both clouds. */
  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://${urlHost(address.address)}:${address.port}`;
  }

  /** The port the sandbox listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The IDs planted by `demo: true`, or null when the sandbox started without demo tasks. */
  get demoTaskIds(): DemoTaskIds | null {
    return this.demoIds;
  }

  /** Every call received since start or the last {@link resetCalls}, oldest first. */
  get calls(): readonly SandboxCall[] {
    return [...this.recorded];
  }

  /** Plants a task and returns its ID (generated in the kind's real format when the spec has none). */
  addTask(spec: SandboxTaskSpec): string {
    return this.tasks.add(spec);
  }

  /**
   * Plants `spec.count` tasks of a kind that succeed after durations drawn from a known
   * distribution (seeded, so the same spec plants the same durations); returns each task's ID,
   * start and duration. Under a manual clock they end exactly then.
   */
  addTimedTasks(spec: TimedTasksSpec): TimedTask[] {
    return plantTimedTasks(spec, this.clock.now(), (task) => this.tasks.add(task));
  }

  /** Makes upcoming matching calls fail in the given way. */
  injectFault(fault: SandboxFault): void {
    this.faults.inject(fault);
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Forgets the recorded calls. */
  resetCalls(): void {
    this.recorded.length = 0;
  }

  /** Stops listening and destroys every open socket, including ones held by a hang fault. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.server.closeAllConnections();
    });
    return this.stopping;
  }

  private findSecret(cloud: CloudName, id: string): string | null {
    return this.credentials.find((credential) => credential.cloud === cloud && credential.id === id)?.secret ?? null;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === null) {
      this.write(response, jsonAnswer(413, { message: 'Request body too large.' }));
      return;
    }
    const target = request.url ?? '/';
    const queryStart = target.indexOf('?');
    const wireRequest: WireRequest = {
      method: (request.method ?? 'GET').toUpperCase(),
      path: queryStart === -1 ? target : target.slice(0, queryStart),
      rawQuery: queryStart === -1 ? '' : target.slice(queryStart + 1),
      headers: request.headers,
      body,
    };
    if (isTencentRequest(wireRequest)) {
      this.write(response, this.tencent.handle(wireRequest));
      return;
    }
    const parameters = rpcParameters(wireRequest);
    if (isAlibabaRequest(parameters)) {
      this.write(response, this.alibaba.handle(wireRequest, parameters));
      return;
    }
    this.write(
      response,
      jsonAnswer(404, {
        message: 'Not a cloud API request: Tencent Cloud calls carry X-TC-Action and a TC3 Authorization header; Alibaba Cloud calls carry Action and Signature parameters.',
      }),
    );
  }

  private write(response: ServerResponse, answer: WireAnswer): void {
    // A hang keeps the socket open and silent until the client gives up or the sandbox stops.
    if (answer.kind === 'hang') return;
    response.writeHead(answer.status, {
      'Content-Type': answer.contentType,
      'Content-Length': Buffer.byteLength(answer.body),
    });
    response.end(answer.body);
  }
}
