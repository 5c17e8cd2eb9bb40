/**
 * The public surface of the cloud sandbox: a local HTTP server that answers the five task
 * APIs exactly as Tencent Cloud (TC3-HMAC-SHA256, JSON POST) and Alibaba Cloud (RPC GET,
 * HMAC-SHA1 signature 1.0) do on the wire, so the official SDKs run against it unmodified.
 */
import type { Clock } from '../util/clock';
import type { CloudName, TaskKind } from '../providers/types';

/** A key pair the sandbox accepts. `id` is the SecretId / AccessKeyId. */
export interface SandboxCredential {
  readonly cloud: CloudName;
  readonly id: string;
  readonly secret: string;
}

/** One step of a scripted lifecycle: from `afterMs` after creation on, the item shows `status`. */
export interface LifecycleStep {
  readonly afterMs: number;
  /** The raw status string exactly as the API would send it, e.g. `process`, `Refreshing`, `Task_Running`. */
  readonly status: string;
  /** Percent (CDN `Percent`, DCDN `Process` as "N%"); ignored by kinds without progress. */
  readonly percent?: number;
  /** DTS `Info`, Redis `TaskMessage`, DCDN `Description`. */
  readonly message?: string;
}

/**
 * What the sandbox's APIs say about a kind they serve, declared beside the kind's route in
 * `tencent-apis.ts` or `alibaba-apis.ts`: how its tasks are planted by default.
 */
export interface SandboxKind {
  readonly kind: TaskKind;
  /** The lifecycle of a task (or of each item) planted without one. */
  readonly defaultSteps: readonly LifecycleStep[];
  /** For kinds whose tasks have items (one row per URL or object): the item a task gets when planted without any. */
  readonly defaultItemName?: string;
  /** What the real API's IDs look like, so planted IDs are checked early. */
  readonly idPattern: RegExp;
  /** The same in words, for the error. */
  readonly idDescription: string;
  /** A fresh ID in the real format; `counter` grows by one each call, for kinds with sequential numbers. */
  newId(createdAt: number, counter: number): string;
  /** How a timed task (`CloudSandbox.addTimedTasks`) of the kind goes from under way to success. */
  readonly timed: SandboxTimedLifecycle;
  /** The kind's tasks in the "try it" demo (`demo: true`, `npm start` without credentials, `taskwatch sandbox`): at least one. */
  readonly demoTasks: readonly SandboxDemoTask[];
  /** `taskwatch status` arguments worth trying on the demo tasks, when the kind has some; `id(name)` is a demo task's ID. */
  demoTry?(id: (name: string) => string): string;
}

/** One demo task of a kind: memorable, it progresses over one to two minutes and then stays put. */
export interface SandboxDemoTask {
  /** Its name among its kind's demo tasks, e.g. `prefetch`, `failing`. */
  readonly name: string;
  /** The task (with a memorable `id`), created when the demo is planted and visible to every credential. */
  readonly spec: Omit<SandboxTaskSpec, 'kind' | 'createdAt' | 'owner'>;
  /** What `taskwatch sandbox` prints after the kind: the ID and what the task does. */
  describe(id: string): string;
}

/** The raw statuses a timed task shows, as the API spells them. */
export interface SandboxTimedLifecycle {
  /** While under way, e.g. `process`, `Refreshing`, `Task_Running`. */
  readonly running: string;
  /** Once it succeeded, e.g. `done`, `Complete`, `Task_Finish`. */
  readonly done: string;
  /** True when the API reports a percent (10 under way, 100 done). */
  readonly percent: boolean;
  /** For kinds whose tasks have items: the item's name, before `-<index>`. */
  readonly itemName?: string;
}

/** A task to plant in the sandbox. */
export interface SandboxTaskSpec {
  readonly kind: TaskKind;
  /** Defaults to a fresh ID in the kind's real format (Redis: an integer; TCSS: an integer). */
  readonly id?: string;
  /** Region for DTS/Redis; the task is only found in that region. Default `ap-guangzhou`. */
  readonly region?: string;
  /** The credential ID (SecretId/AccessKeyId) that owns the task; default: visible to every credential. */
  readonly owner?: string;
  /** Creation time in epoch ms on the sandbox clock; default now. */
  readonly createdAt?: number;
  /** CDN: one entry per URL; DCDN: one entry per object path. Each is a row of the same task ID in the API's answer. */
  readonly items?: ReadonlyArray<{ readonly name: string; readonly steps: readonly LifecycleStep[] }>;
  /** DTS, Redis, TCSS: the task's lifecycle. */
  readonly steps?: readonly LifecycleStep[];
  /** Redis `TaskType`, `InstanceId`; DCDN `ObjectType`; CDN `Area`. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A fault to inject into upcoming calls. */
export interface SandboxFault {
  /** Which calls it hits; default every call. */
  readonly cloud?: CloudName;
  /** A vendor action such as `DescribePushTasks`; default every action. */
  readonly action?: string;
  /**
   * `http500`/`http503`: server error status (Alibaba: 503 with JSON lacking `Code`);
   * `hang`: never answer; `throttle`: the real throttling error; `html`: an HTML error page.
   */
  readonly type: 'http500' | 'http503' | 'hang' | 'throttle' | 'html';
  /** How many calls it hits; default unlimited until cleared. */
  readonly count?: number;
}

/** One call the sandbox received, after signature checks. */
export interface SandboxCall {
  readonly cloud: CloudName;
  readonly action: string;
  readonly version: string;
  readonly region: string | null;
  readonly credentialId: string | null;
  readonly params: Readonly<Record<string, unknown>>;
  /** The error code answered, or null on success. */
  readonly errorCode: string | null;
  /** Real time the call arrived (Date.now), for rate accounting in tests and benchmarks. */
  readonly receivedAt: number;
}

/** Options for starting a sandbox. */
export interface SandboxOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Drives task lifecycles and the DCDN 3-day window; signatures and rate limits always use real time, because the SDKs sign with it. Default the system clock. */
  readonly clock?: Clock;
  /** Accepted credentials; default {@link SANDBOX_DEMO_CREDENTIALS}. */
  readonly credentials?: readonly SandboxCredential[];
  /** Documented limits are enforced by default (Tencent 20/s per API+region+credential, DCDN 30/s per account); false turns them off. */
  readonly rateLimits?: { readonly tencentPerSecond: number; readonly dcdnPerSecond: number } | false;
  /**
   * Epoch ms for the rate-limit windows; default `Date.now`. A test passes a fixed time so that a
   * burst falls in one window however slowly the machine sends it.
   */
  readonly rateLimitNow?: () => number;
  /** Plants demo tasks that progress in real time (for `npm start` and `taskwatch status --sandbox`). */
  readonly demo?: boolean;
}

/** Credentials the sandbox accepts by default. Not secrets: they only open the local sandbox. */
export const SANDBOX_DEMO_CREDENTIALS: readonly SandboxCredential[] = [
  { cloud: 'tencent', id: 'AKIDsandboxDEMO0000000000000000', secret: 'sandbox-tencent-secret-key-demo00' },
  { cloud: 'alibaba', id: 'LTAIsandboxDEMO00000', secret: 'sandbox-alibaba-secret-demo000000' },
];
