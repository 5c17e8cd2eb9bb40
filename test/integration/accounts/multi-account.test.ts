/**
 * Several accounts from a real accounts file on disk, through the real SDKs, against a sandbox
 * that knows every key pair and owns each task by credential: each account must be queried with
 * its own credentials, and a wrong key must be refused by the cloud, not papered over.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { AccessPolicy, refusalMessage, type Principal } from '../../../src/accounts/access-policy';
import { loadAccountsFile, mergeAccounts } from '../../../src/accounts/accounts-file';
import { createAuditLog } from '../../../src/accounts/audit-log';
import { loadConfig, type CloudAccount } from '../../../src/config';
import { ProviderError } from '../../../src/providers/errors';
import { InMemoryRateBudget, type RateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import { type TaskRef, type TaskStatus } from '../../../src/providers/types';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import type { SandboxCredential } from '../../../src/sandbox/types';
import { ManualClock } from '../../../src/util/clock';
import { CLOUD_OF_KIND } from '../../../src/providers/kinds';
import { taskSummaryText } from '../../../src/chat/render/task-summary-text';
import { CHAT_PLATFORM_DEFINITIONS } from '../../../src/chat/platforms';

/** What a status says besides its state, in the words every surface shows. */
const wordsOf = (status: Parameters<typeof taskSummaryText>[0] | undefined): string => (status ? taskSummaryText(status) : '');

const PRODUCTION: SandboxCredential = { cloud: 'tencent', id: 'AKIDproductionTEST000000000000', secret: 'production-tencent-secret-test-0' };
const STAGING: SandboxCredential = { cloud: 'tencent', id: 'AKIDstagingTEST00000000000000000', secret: 'staging-tencent-secret-test-00000' };
const DCDN: SandboxCredential = { cloud: 'alibaba', id: 'LTAIproductionTEST00', secret: 'production-alibaba-secret-test-00' };
const SECRETS = [PRODUCTION.id, PRODUCTION.secret, STAGING.id, STAGING.secret, DCDN.id, DCDN.secret];

class RecordingRateBudget implements RateBudget {
  readonly keys: string[] = [];
  private readonly inner = new InMemoryRateBudget();
  async acquire(key: string, perSecond: number, signal?: AbortSignal): Promise<void> {
    this.keys.push(key);
    await this.inner.acquire(key, perSecond, signal);
  }
}

describe('several cloud accounts from the accounts file', () => {
  let sandbox: CloudSandbox;
  let directory: string;
  let registry: ClosableProviderRegistry;
  let budget: RecordingRateBudget;
  let accounts: CloudAccount[];
  let policy: AccessPolicy;

  beforeEach(async () => {
    sandbox = await CloudSandbox.start({ clock: new ManualClock(), credentials: [PRODUCTION, STAGING, DCDN] });
    directory = mkdtempSync(join(tmpdir(), 'taskwatch-accounts-'));
    writeFileSync(join(directory, 'staging-secret-key'), `${STAGING.secret}\n`);
    const path = join(directory, 'taskwatch.yml');
    writeFileSync(
      path,
      `
accounts:
  production:
    provider: tencent
    secretId: { env: PRODUCTION_SECRET_ID }
    secretKey: { env: PRODUCTION_SECRET_KEY }
    region: ap-guangzhou
    endpoint: ${sandbox.url}
    access:
      slackChannels: [C0PROD]
      users: [U0ALICE]
  staging:
    provider: tencent
    secretId: { env: STAGING_SECRET_ID }
    secretKey: { file: ./staging-secret-key }
    region: ap-guangzhou
    endpoint: ${sandbox.url}
  crossed:
    provider: tencent
    secretId: { env: PRODUCTION_SECRET_ID }
    secretKey: { file: ./staging-secret-key }
    endpoint: ${sandbox.url}
  production-dcdn:
    provider: alibaba
    accessKeyId: { env: DCDN_ACCESS_KEY_ID }
    accessKeySecret: { env: DCDN_ACCESS_KEY_SECRET }
    endpoint: ${sandbox.url}
channels:
  slack:C0PROD: { tencent: production, alibaba: production-dcdn }
`,
    );
    const env = {
      TASKWATCH_CONFIG: path,
      PRODUCTION_SECRET_ID: PRODUCTION.id,
      PRODUCTION_SECRET_KEY: PRODUCTION.secret,
      STAGING_SECRET_ID: STAGING.id,
      DCDN_ACCESS_KEY_ID: DCDN.id,
      DCDN_ACCESS_KEY_SECRET: DCDN.secret,
    };
    const config = loadConfig(env, CHAT_PLATFORM_DEFINITIONS);
    if (!config.ok) throw new Error(config.problems.join('\n'));
    const file = loadAccountsFile({ path: config.config.accountsFile as string, env });
    if (!file.ok) throw new Error(file.problems.join('\n'));
    const merged = mergeAccounts(config.config.accounts, file.value.accounts);
    expect(merged.problems).toEqual([]);
    accounts = merged.accounts;
    policy = new AccessPolicy(file.value, accounts);
    budget = new RecordingRateBudget();
    registry = createProviderRegistry({ accounts, rateLimits: config.config.rateLimits, providerTimeoutMs: 5000 }, { rateBudget: budget });
  });

  afterEach(async () => {
    registry.close();
    await sandbox.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  async function describeOne(ref: Required<Pick<TaskRef, 'kind' | 'id' | 'account'>>): Promise<TaskStatus> {
    const [status] = await registry.get(ref.kind, ref.account).describe([ref.id]);
    return status as TaskStatus;
  }

  it('given two Tencent accounts with different credentials, then each finds its own task, signed with its own key', async () => {
    const done = [{ afterMs: 0, status: 'done', percent: 100 }];
    const productionTask = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id, items: [{ name: 'https://prod.example.com/a.js', steps: done }] });
    const stagingTask = sandbox.addTask({ kind: 'cdn', owner: STAGING.id, items: [{ name: 'https://staging.example.com/a.js', steps: done }] });

    expect(await describeOne({ kind: 'cdn', id: productionTask, account: 'production' })).toMatchObject({ found: true, account: 'production', rawStatus: 'done' });
    expect(await describeOne({ kind: 'cdn', id: stagingTask, account: 'staging' })).toMatchObject({ found: true, account: 'staging', rawStatus: 'done' });
    expect(sandbox.calls.map((call) => [call.credentialId, call.errorCode])).toEqual([
      [PRODUCTION.id, null],
      [STAGING.id, null],
    ]);
    // Each account spends its own quota, since the cloud counts per credential.
    expect(new Set(budget.keys).size).toBe(2);
  });

  it('given one account asking for the other account task, then the cloud does not show it', async () => {
    const productionTask = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id });
    expect(await describeOne({ kind: 'cdn', id: productionTask, account: 'staging' })).toMatchObject({ found: false, account: 'staging' });
  });

  it('given region-scoped kinds under each account, then each account uses its own credential', async () => {
    const productionTask = sandbox.addTask({ kind: 'redis', owner: PRODUCTION.id, steps: [{ afterMs: 0, status: 'succeed' }] });
    const stagingTask = sandbox.addTask({ kind: 'dts', owner: STAGING.id, steps: [{ afterMs: 0, status: 'running' }] });
    expect(await describeOne({ kind: 'redis', id: productionTask, account: 'production' })).toMatchObject({ found: true, state: 'succeeded' });
    expect(await describeOne({ kind: 'dts', id: stagingTask, account: 'staging' })).toMatchObject({ found: true, state: 'running' });
    expect(sandbox.calls.map((call) => call.credentialId)).toEqual([PRODUCTION.id, STAGING.id]);
  });

  it('given an account whose key does not match its key ID, then the sandbox rejects the signature and the error holds no secret', async () => {
    const task = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id });
    let failure: unknown;
    try {
      await describeOne({ kind: 'cdn', id: task, account: 'crossed' });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as ProviderError).code).toBe('auth_failed');
    expect(sandbox.calls.map((call) => call.errorCode)).toEqual(['AuthFailure.SignatureFailure']);
    const renderings = [String(failure), JSON.stringify(failure), inspect(failure, { depth: 5 })].join('\n');
    for (const secret of SECRETS) expect(renderings).not.toContain(secret);
  });

  it('given the Alibaba account, then DCDN is queried with its AccessKey', async () => {
    const task = sandbox.addTask({ kind: 'dcdn', owner: DCDN.id, items: [{ name: 'https://prod.example.com/x.png', steps: [{ afterMs: 0, status: 'Complete', percent: 100 }] }] });
    const account = policy.accountFor('slack:C0PROD', CLOUD_OF_KIND.dcdn);
    expect(account).toBe('production-dcdn');
    expect(await describeOne({ kind: 'dcdn', id: task, account })).toMatchObject({ found: true, account: 'production-dcdn', rawStatus: 'Complete' });
    expect(sandbox.calls.map((call) => call.credentialId)).toEqual([DCDN.id]);
  });

  it('given a refused user, then no cloud call is made and the text is the same for an existing and a missing task', async () => {
    const existing = sandbox.addTask({ kind: 'cdn', owner: PRODUCTION.id });
    const lines: string[] = [];
    const audit = createAuditLog((line) => lines.push(line), { secrets: SECRETS });
    const mallory: Principal = { platform: 'slack', channelId: 'C0PROD', userId: 'U0MALLORY', groups: [] };

    // The order the command handler follows: resolve the account, decide, and only then call a provider.
    const answer = async (id: string): Promise<string> => {
      const account = policy.accountFor('slack:C0PROD', 'tencent');
      const decision = policy.authorize(mallory, 'query', 'tencent', account);
      audit.record({ who: 'slack:U0MALLORY', platform: 'slack', where: 'slack:C0PROD', action: 'query', kind: 'cdn', ids: [id], account, outcome: decision.allowed ? 'allowed' : 'refused', ...(decision.allowed ? {} : { reason: decision.reason }) });
      if (!decision.allowed) return refusalMessage({ reason: decision.reason, action: 'query', cloud: 'tencent', accountName: account });
      return wordsOf(await describeOne({ kind: 'cdn', id, account }));
    };

    const forExisting = await answer(existing);
    const forMissing = await answer('99999999');
    expect(forExisting).toBe(forMissing);
    expect(forExisting).toContain('You are not allowed to query tasks with the Tencent Cloud account named "production"');
    expect(sandbox.calls).toEqual([]);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ who: 'slack:U0MALLORY', ids: [existing], outcome: 'refused', reason: 'user_not_allowed', account: 'production' }),
      expect.objectContaining({ ids: ['99999999'], outcome: 'refused', reason: 'user_not_allowed' }),
    ]);
    for (const secret of SECRETS) expect(lines.join('\n')).not.toContain(secret);

    // And the allowed user in the same channel reaches the cloud with the production key.
    const alice: Principal = { ...mallory, userId: 'U0ALICE' };
    expect(policy.authorize(alice, 'query', 'tencent', 'production')).toEqual({ allowed: true });
    expect(await describeOne({ kind: 'cdn', id: existing, account: 'production' })).toMatchObject({ found: true });
    expect(sandbox.calls.map((call) => call.credentialId)).toEqual([PRODUCTION.id]);
  });
});
