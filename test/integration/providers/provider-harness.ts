/**
 * Shared set-up for the provider integration tests: a cloud sandbox on loopback under a
 * manual clock, and a provider registry wired to it with the real SDKs.
 */
import { inspect } from 'node:util';
import type { CloudAccount } from '../../../src/config';
import { isProviderError, ProviderError } from '../../../src/providers/errors';
import { InMemoryRateBudget, type RateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { SANDBOX_DEMO_CREDENTIALS, type SandboxCredential } from '../../../src/sandbox/types';
import { ManualClock } from '../../../src/util/clock';
import { providerFailureText } from '../../../src/commands/messages';

/** The demo credentials the sandbox accepts, per cloud. */
export const TENCENT_CREDENTIAL = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'tencent') as SandboxCredential;
export const ALIBABA_CREDENTIAL = SANDBOX_DEMO_CREDENTIALS.find((credential) => credential.cloud === 'alibaba') as SandboxCredential;

/** A rate budget that remembers every acquisition, delegating the waiting to the real one. */
export class RecordingRateBudget implements RateBudget {
  readonly acquisitions: Array<{ key: string; perSecond: number }> = [];
  private readonly inner = new InMemoryRateBudget();

  async acquire(key: string, perSecond: number, signal?: AbortSignal): Promise<void> {
    this.acquisitions.push({ key, perSecond });
    await this.inner.acquire(key, perSecond, signal);
  }
}

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  readonly providerTimeoutMs?: number;
  /** Overrides the secret the registry signs with (the sandbox keeps accepting only the demo ones). */
  readonly tencentSecret?: string;
  readonly alibabaSecret?: string;
  /** The Tencent account's default region; default `ap-guangzhou`, the sandbox's default. */
  readonly region?: string | null;
  /** Overrides the Tencent and Alibaba endpoint (e.g. a closed port). */
  readonly endpoint?: string;
}

/** A running sandbox and a registry pointed at it. */
export interface Harness {
  readonly sandbox: CloudSandbox;
  readonly clock: ManualClock;
  readonly registry: ClosableProviderRegistry;
  readonly budget: RecordingRateBudget;
  /** The rate limits the registry was configured with. */
  readonly rateLimits: { readonly tencentPerSecond: number; readonly dcdnPerSecond: number };
  stop(): Promise<void>;
}

/** Starts a sandbox and a registry; call `stop` in afterEach. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const sandbox = await CloudSandbox.start({ clock });
  const endpoint = options.endpoint ?? sandbox.url;
  const accounts: CloudAccount[] = [
    {
      name: 'default',
      cloud: 'tencent',
      secretId: TENCENT_CREDENTIAL.id,
      secretKey: options.tencentSecret ?? TENCENT_CREDENTIAL.secret,
      region: options.region === undefined ? 'ap-guangzhou' : options.region,
      endpoint,
    },
    {
      name: 'default',
      cloud: 'alibaba',
      accessKeyId: ALIBABA_CREDENTIAL.id,
      accessKeySecret: options.alibabaSecret ?? ALIBABA_CREDENTIAL.secret,
      region: null,
      endpoint,
    },
  ];
  const budget = new RecordingRateBudget();
  const rateLimits = { tencentPerSecond: 15, dcdnPerSecond: 24 };
  const registry = createProviderRegistry(
    { accounts, rateLimits, providerTimeoutMs: options.providerTimeoutMs ?? 5000 },
    { rateBudget: budget, now: () => clock.now() },
  );
  return {
    sandbox,
    clock,
    registry,
    budget,
    rateLimits,
    async stop() {
      registry.close();
      await sandbox.stop();
    },
  };
}

/** Awaits a promise that must reject with a {@link ProviderError}, and returns that error. */
export async function providerErrorOf(promise: Promise<unknown>): Promise<ProviderError> {
  let outcome: unknown;
  try {
    await promise;
  } catch (error) {
    outcome = error;
  }
  if (!(outcome instanceof ProviderError)) {
    throw new Error(`expected a ProviderError, got ${outcome === undefined ? 'success' : inspect(outcome, { depth: 1 }).slice(0, 200)}`);
  }
  return outcome;
}

/** Every string that must never show up in an error: secrets, key IDs, signed-URL parts. */
export const FORBIDDEN_TEXTS: readonly string[] = [
  TENCENT_CREDENTIAL.id,
  TENCENT_CREDENTIAL.secret,
  ALIBABA_CREDENTIAL.id,
  ALIBABA_CREDENTIAL.secret,
  'Signature=',
  'AccessKeyId=',
  'SignatureNonce',
  'TC3-HMAC-SHA256',
  'wrong-secret',
];

/** Asserts that no rendering of `error` contains a secret, a key ID or a signed URL. */
export function expectNoSecrets(error: Error): void {
  const renderings = [...(isProviderError(error) ? [providerFailureText(error)] : []), error.message, String(error), JSON.stringify(error), inspect(error, { depth: 5, showHidden: true }), error.stack ?? ''];
  for (const rendering of renderings) {
    for (const forbidden of FORBIDDEN_TEXTS) expect(rendering).not.toContain(forbidden);
  }
}
