/**
 * The one conformance suite every provider passes: each kind's real SDK against the cloud
 * sandbox over loopback, from documented statuses through every failure the layer translates.
 */
import { kindDescriptor } from '../../../src/providers/kinds';
import { quotaKey } from '../../../src/providers/rate-budget';
import { TASK_KINDS, type CloudName, type TaskKind, type TaskState, type TaskStatus } from '../../../src/providers/types';
import type { LifecycleStep } from '../../../src/sandbox/types';
import { ALIBABA_CREDENTIAL, TENCENT_CREDENTIAL, expectNoSecrets, providerErrorOf, startHarness, type Harness } from './provider-harness';
import { providerFailureText } from '../../../src/commands/messages';
import { taskSummaryText } from '../../../src/chat/render/task-summary-text';

/** What a status says besides its state, in the words every surface shows. */
const wordsOf = (status: Parameters<typeof taskSummaryText>[0] | undefined): string => (status ? taskSummaryText(status) : '');

interface KindFixture {
  readonly kind: TaskKind;
  readonly cloud: CloudName;
  readonly action: string;
  /** The product the API belongs to, when it is not the kind's name (CDN purge calls `cdn`). */
  readonly product?: string;
  /** The region calls carry (the quota key's region). */
  readonly region: string | null;
  /** Every raw status the API documents (except TCSS `Task_NoExist`, covered by "not found"). */
  readonly documented: ReadonlyArray<readonly [string, TaskState]>;
  /** A task ID the sandbox does not have; null for TCSS, which takes no ID. */
  readonly unknownId: string | null;
  /** How many IDs one call carries, as the API documents. */
  readonly maxIdsPerCall: number;
  /** What a not-found status says besides the usual, when the kind has more to say. */
  readonly notFound?: { readonly rawStatus?: string; readonly message: RegExp };
}

const FIXTURES: readonly KindFixture[] = [
  {
    kind: 'cdn',
    cloud: 'tencent',
    action: 'DescribePushTasks',
    region: null,
    documented: [['process', 'running'], ['done', 'succeeded'], ['fail', 'failed'], ['invalid', 'failed']],
    unknownId: '1533031853231313311',
    maxIdsPerCall: 1,
  },
  {
    kind: 'dcdn',
    cloud: 'alibaba',
    action: 'DescribeDcdnRefreshTaskById',
    region: null,
    documented: [['Pending', 'pending'], ['Refreshing', 'running'], ['Complete', 'succeeded'], ['Failed', 'failed']],
    unknownId: '99999999',
    maxIdsPerCall: 10,
    notFound: { message: /older than 3 days \(DCDN keeps only the last 3 days\)/ },
  },
  {
    kind: 'purge',
    cloud: 'tencent',
    action: 'DescribePurgeTasks',
    product: 'cdn',
    region: null,
    documented: [['process', 'running'], ['done', 'succeeded'], ['fail', 'failed']],
    unknownId: '1534925187-5fbwwqut',
    maxIdsPerCall: 1,
  },
  {
    kind: 'dts',
    cloud: 'tencent',
    action: 'DescribeAsyncRequestInfo',
    region: 'ap-guangzhou',
    documented: [['running', 'running'], ['success', 'succeeded'], ['failed', 'failed']],
    unknownId: 'cafebabe-254f-11ea-8995-e92c139e6918',
    maxIdsPerCall: 1,
  },
  {
    kind: 'redis',
    cloud: 'tencent',
    action: 'DescribeTaskInfo',
    region: 'ap-guangzhou',
    documented: [['preparing', 'pending'], ['running', 'running'], ['succeed', 'succeeded'], ['failed', 'failed'], ['error', 'failed']],
    unknownId: '18215',
    maxIdsPerCall: 1,
  },
  {
    kind: 'tcss',
    cloud: 'tencent',
    action: 'DescribeUnfinishRefreshTask',
    region: null,
    documented: [['Task_New', 'pending'], ['Task_Running', 'running'], ['Task_Finish', 'succeeded'], ['Task_Error', 'failed']],
    unknownId: null,
    maxIdsPerCall: 1,
    notFound: { rawStatus: 'Task_NoExist', message: /no asset-refresh task exists/i },
  },
];

/** Plants a task of `kind` whose lifecycle is `steps` (one item for kinds whose tasks have items), or the sandbox's default lifecycle. */
function plant(harness: Harness, kind: TaskKind, steps?: readonly LifecycleStep[], createdAt?: number): string {
  const when = createdAt === undefined ? {} : { createdAt };
  if (steps === undefined) return harness.sandbox.addTask({ kind, ...when });
  if (kindDescriptor(kind).itemNoun !== undefined) return harness.sandbox.addTask({ kind, items: [{ name: 'https://www.example.com/app.js', steps }], ...when });
  return harness.sandbox.addTask({ kind, steps, ...when });
}

/** The API name of a fixture, as providers and quota keys spell it. */
function apiOf(fixture: KindFixture): string {
  return `${fixture.product ?? fixture.kind}.${fixture.action}`;
}

/** Queries one task the way the kind is addressed: by ID, or (TCSS) without one. */
async function query(harness: Harness, kind: TaskKind, id: string | null): Promise<TaskStatus> {
  const provider = harness.registry.get(kind);
  const statuses = await provider.describe(provider.takesId && id !== null ? [id] : []);
  expect(statuses).toHaveLength(1);
  return statuses[0] as TaskStatus;
}

describe.each(FIXTURES)('provider conformance: $kind', (fixture) => {
  const { kind } = fixture;
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.stop();
  });

  it('given the provider, then it describes its API honestly', () => {
    const provider = harness.registry.get(kind);
    expect(provider.kind).toBe(kind);
    expect(provider.api).toBe(apiOf(fixture));
    expect(provider.maxIdsPerCall).toBe(fixture.maxIdsPerCall);
    expect(provider.requiresRegion).toBe(fixture.region !== null);
    expect(provider.takesId).toBe(fixture.unknownId !== null);
  });

  it('given its descriptor, then the provider and the documented statuses agree with it', () => {
    const provider = harness.registry.get(kind);
    const descriptor = kindDescriptor(kind);
    expect(descriptor).toMatchObject({ kind, cloud: fixture.cloud, api: provider.api, maxIdsPerCall: provider.maxIdsPerCall, requiresRegion: provider.requiresRegion });
    expect(descriptor.idRule === 'none').toBe(!provider.takesId);
    expect(Object.entries(descriptor.statusTable)).toEqual(expect.arrayContaining(fixture.documented.map(([raw, state]) => [raw, state])));
    expect(Object.keys(descriptor.statusTable)).toHaveLength(fixture.documented.length);
  });

  it.each(fixture.documented)('given a task whose raw status is %s, then it is %s with the raw status kept verbatim', async (raw, state) => {
    const id = plant(harness, kind, [{ afterMs: 0, status: raw, percent: state === 'succeeded' ? 100 : 30, message: 'scripted' }]);
    const status = await query(harness, kind, id);
    expect(status).toMatchObject({ kind, id, found: true, state, rawStatus: raw, terminal: state === 'succeeded' || state === 'failed' });
    expect(status.account).toBe('default');
    expect(status.region).toBe(fixture.region);
    expect(status.requestId).toEqual(expect.any(String));
    expect(status.observedAt).toBe(new Date(harness.clock.now()).toISOString());
    expect(wordsOf(status).length).toBeGreaterThan(0);
  });

  it('given a raw status the API does not document, then it is unknown, not terminal, and shown raw', async () => {
    const id = plant(harness, kind, [{ afterMs: 0, status: 'Paused_By_Operator' }]);
    const status = await query(harness, kind, id);
    expect(status).toMatchObject({ found: true, state: 'unknown', terminal: false, rawStatus: 'Paused_By_Operator' });
    expect(wordsOf(status)).toContain('Paused_By_Operator');
  });

  it('given a task with its default lifecycle, when the sandbox clock passes its end, then the task goes from unfinished to succeeded', async () => {
    const id = plant(harness, kind);
    const before = await query(harness, kind, id);
    expect(before.terminal).toBe(false);
    expect(['pending', 'running']).toContain(before.state);
    harness.clock.advance(61_000);
    const after = await query(harness, kind, id);
    expect(after).toMatchObject({ id, state: 'succeeded', terminal: true });
  });

  it('given a task the cloud does not have, then it comes back found: false with an explanation, not an error', async () => {
    const status = await query(harness, kind, fixture.unknownId);
    expect(status.found).toBe(false);
    expect(status.terminal).toBe(false);
    expect(wordsOf(status).length).toBeGreaterThan(10);
    if (fixture.unknownId !== null) expect(status.id).toBe(fixture.unknownId);
    if (fixture.notFound?.rawStatus !== undefined) expect(status.rawStatus).toBe(fixture.notFound.rawStatus);
    if (fixture.notFound) expect(wordsOf(status)).toMatch(fixture.notFound.message);
  });

  it('given any call, then it first takes a token from the rate budget under the API, region and public key ID', async () => {
    const id = plant(harness, kind);
    await query(harness, kind, id);
    const credentialId = fixture.cloud === 'tencent' ? TENCENT_CREDENTIAL.id : ALIBABA_CREDENTIAL.id;
    const perSecond = fixture.cloud === 'tencent' ? harness.rateLimits.tencentPerSecond : harness.rateLimits.dcdnPerSecond;
    expect(harness.budget.acquisitions).toEqual([{ key: quotaKey(apiOf(fixture), fixture.region, credentialId), perSecond }]);
    expect(harness.sandbox.calls.map((call) => call.action)).toEqual([fixture.action]);
    for (const { key } of harness.budget.acquisitions) {
      expect(key).not.toContain(TENCENT_CREDENTIAL.secret);
      expect(key).not.toContain(ALIBABA_CREDENTIAL.secret);
    }
  });

  it('given the API throttles the call, then a retryable throttled error names the vendor code', async () => {
    const id = plant(harness, kind);
    harness.sandbox.injectFault({ cloud: fixture.cloud, action: fixture.action, type: 'throttle', count: 1 });
    const error = await providerErrorOf(query(harness, kind, id));
    expect(error).toMatchObject({ code: 'throttled', retryable: true });
    expect(error.providerCode).toBe(fixture.cloud === 'tencent' ? 'RequestLimitExceeded' : 'TooManyRequests');
    expectNoSecrets(error);
  });

  it.each(['http500', 'http503'] as const)('given the API answers %s, then a retryable unavailable error carries the status', async (type) => {
    const id = plant(harness, kind);
    harness.sandbox.injectFault({ cloud: fixture.cloud, action: fixture.action, type, count: 1 });
    const error = await providerErrorOf(query(harness, kind, id));
    expect(error).toMatchObject({ code: 'unavailable', retryable: true, httpStatus: type === 'http500' ? 500 : 503 });
    expectNoSecrets(error);
  });

  it('given a gateway answers with an HTML page, then a retryable unavailable error leaks none of the page', async () => {
    const id = plant(harness, kind);
    harness.sandbox.injectFault({ cloud: fixture.cloud, action: fixture.action, type: 'html', count: 1 });
    const error = await providerErrorOf(query(harness, kind, id));
    expect(error).toMatchObject({ code: 'unavailable', retryable: true });
    expect(JSON.stringify(error)).not.toMatch(/nginx|<html/i);
    expectNoSecrets(error);
  });

  it('given a fault once, when the provider is asked again, then the same provider recovers', async () => {
    const id = plant(harness, kind);
    harness.sandbox.injectFault({ cloud: fixture.cloud, action: fixture.action, type: 'http503', count: 1 });
    await providerErrorOf(query(harness, kind, id));
    const status = await query(harness, kind, id);
    expect(status.found).toBe(true);
  });
});

describe.each(FIXTURES)('provider conformance: $kind under failure set-ups', (fixture) => {
  const { kind } = fixture;
  let harness: Harness | null = null;

  afterEach(async () => {
    await harness?.stop();
    harness = null;
  });

  it('given a wrong secret, then an auth_failed error says the credentials were refused and leaks no secret', async () => {
    harness = await startHarness({ tencentSecret: 'wrong-secret-tencent-0000000000', alibabaSecret: 'wrong-secret-alibaba-000000000' });
    const id = plant(harness, kind);
    const error = await providerErrorOf(query(harness, kind, id));
    expect(error).toMatchObject({ code: 'auth_failed', retryable: false });
    expect(providerFailureText(error)).toMatch(/refused the credentials/);
    expect(error.providerCode).toBe(fixture.cloud === 'tencent' ? 'AuthFailure.SignatureFailure' : 'SignatureDoesNotMatch');
    expectNoSecrets(error);
  });

  it('given the API never answers, then a retryable timeout error comes back after the provider timeout', async () => {
    harness = await startHarness({ providerTimeoutMs: 300 });
    const id = plant(harness, kind);
    harness.sandbox.injectFault({ cloud: fixture.cloud, action: fixture.action, type: 'hang' });
    const error = await providerErrorOf(query(harness, kind, id));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(providerFailureText(error)).toContain('0.3 s');
    expectNoSecrets(error);
  });

  it('given nothing listens at the endpoint, then a retryable unavailable error says the cloud could not be reached', async () => {
    const closed = await startHarness();
    const deadEndpoint = closed.sandbox.url;
    await closed.stop();
    harness = await startHarness({ endpoint: deadEndpoint });
    const error = await providerErrorOf(query(harness, kind, fixture.unknownId ?? '1'));
    expect(error).toMatchObject({ code: 'unavailable', retryable: true, providerCode: 'ECONNREFUSED' });
    expect(providerFailureText(error)).toMatch(/Could not reach/);
    expectNoSecrets(error);
  });

  it('given the caller aborts, then the call is abandoned with a retryable error', async () => {
    harness = await startHarness({ providerTimeoutMs: 10_000 });
    const id = plant(harness, kind);
    harness.sandbox.injectFault({ cloud: fixture.cloud, action: fixture.action, type: 'hang' });
    const controller = new AbortController();
    const provider = harness.registry.get(kind);
    const pending = provider.describe(provider.takesId ? [id] : [], { signal: controller.signal });
    // Abort once the sandbox has the call, so it is the call (not the rate budget) that is abandoned.
    for (let attempt = 0; attempt < 200 && harness.sandbox.calls.length === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(harness.sandbox.calls).toHaveLength(1);
    controller.abort();
    const error = await providerErrorOf(pending);
    expect(error.retryable).toBe(true);
    expectNoSecrets(error);
  });
});

describe.each(FIXTURES.filter((fixture) => kindDescriptor(fixture.kind).listsByWindow))('provider conformance: $kind lists by window', (fixture) => {
  const { kind } = fixture;
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.stop();
  });

  it('given tasks inside and outside a window, then listWindow answers each task inside once, whole, through the rate budget', async () => {
    const base = harness.clock.now();
    const [state] = fixture.documented.find(([, normalized]) => normalized === 'succeeded') ?? ['done'];
    const steps = [{ afterMs: 0, status: state, percent: 100 }];
    const inside = [plant(harness, kind, steps, base - 120_000), plant(harness, kind, steps, base - 60_000)];
    const outside = plant(harness, kind, steps, base - 3_600_000);
    const provider = harness.registry.get(kind);
    expect(typeof provider.listWindow).toBe('function');
    const page = await provider.listWindow?.({ startTime: new Date(base - 600_000), endTime: new Date(base) });
    expect(page?.tasks.map((status) => status.id).sort()).toEqual([...inside].sort());
    expect(page?.tasks.map((status) => status.id)).not.toContain(outside);
    expect(page?.totalCount).toBe(2);
    for (const status of page?.tasks ?? []) expect(status).toMatchObject({ kind, found: true, state: 'succeeded', terminal: true, account: 'default' });
    expect(harness.sandbox.calls.map((call) => call.action)).toEqual([fixture.action]);
    expect(harness.budget.acquisitions).toHaveLength(1);
  });

  it('given a status filter from its descriptor, then only tasks with an item in that status come back', async () => {
    const base = harness.clock.now();
    const failing = fixture.documented.find(([, normalized]) => normalized === 'failed')?.[0] ?? 'fail';
    const done = fixture.documented.find(([, normalized]) => normalized === 'succeeded')?.[0] ?? 'done';
    expect(kindDescriptor(kind).subscription?.statuses).toContain(failing);
    const failed = plant(harness, kind, [{ afterMs: 0, status: failing }], base - 30_000);
    plant(harness, kind, [{ afterMs: 0, status: done }], base - 30_000);
    const page = await harness.registry.get(kind).listWindow?.({ startTime: new Date(base - 60_000), endTime: new Date(base), status: failing });
    expect(page?.tasks.map((status) => status.id)).toEqual([failed]);
  });

  it('given a window that ends before it starts, then it is refused before any call', async () => {
    const base = harness.clock.now();
    const error = await providerErrorOf(harness.registry.get(kind).listWindow?.({ startTime: new Date(base), endTime: new Date(base - 1000) }) ?? Promise.resolve());
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(harness.sandbox.calls).toHaveLength(0);
  });

  it('given the API throttles a listing, then a retryable throttled error comes back', async () => {
    const base = harness.clock.now();
    harness.sandbox.injectFault({ cloud: fixture.cloud, action: fixture.action, type: 'throttle', count: 1 });
    const error = await providerErrorOf(harness.registry.get(kind).listWindow?.({ startTime: new Date(base - 60_000), endTime: new Date(base) }) ?? Promise.resolve());
    expect(error).toMatchObject({ code: 'throttled', retryable: true });
    expectNoSecrets(error);
  });
});

describe('provider conformance: capabilities', () => {
  it.each(FIXTURES)('given $kind, then its provider has listWindow exactly when its descriptor lists by window', async (fixture) => {
    const harness = await startHarness();
    try {
      expect(typeof harness.registry.get(fixture.kind).listWindow === 'function').toBe(kindDescriptor(fixture.kind).listsByWindow);
    } finally {
      await harness.stop();
    }
  });

  it('given every kind, then the conformance suite has a fixture for it', () => {
    expect(FIXTURES.map((fixture) => fixture.kind).sort()).toEqual([...TASK_KINDS].sort());
  });
});
