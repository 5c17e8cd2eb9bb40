/**
 * What the benchmark's main process and its worker processes share: the accounts (several
 * credentials per cloud, so several quota buckets), and the setup handed to a worker.
 */
import type { CloudAccount, WatchConfig } from '../src/config';
import type { TaskKind } from '../src/providers/types';
import type { SandboxCredential } from '../src/sandbox/types';

/** Which side of the comparison a worker runs. */
export type BenchMode = 'engine' | 'naive';

/** Everything a worker process needs, passed as JSON on its command line. */
export interface BenchWorkerSetup {
  readonly mode: BenchMode;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly sandboxUrl: string;
  readonly slackApiUrl: string;
  readonly botToken: string;
  readonly tencentAccounts: number;
  readonly tcssAccounts: number;
  readonly alibabaAccounts: number;
  readonly watch: WatchConfig;
  readonly pollConcurrency: number;
  readonly naiveConcurrency: number;
}

/** The Tencent account for CDN, DTS and Redis tasks number `index`. */
export function tencentAccountName(index: number): string {
  return `tc-${index}`;
}

/** The Tencent account holding TCSS task number `index` (TCSS reports only an account's latest task). */
export function tcssAccountName(index: number): string {
  return `tcss-${index}`;
}

/** The Alibaba account number `index`. */
export function alibabaAccountName(index: number): string {
  return `ali-${index}`;
}

// IDs are padded with a letter, never a digit: padded with '0', accounts tcss-7 and tcss-70
// had the same credential ID, so the sandbox saw one owner with two TCSS tasks (it reports one
// task per account) and each run lost a few TCSS transitions to the benchmark itself.
function tencentCredential(name: string): SandboxCredential {
  return { cloud: 'tencent', id: `AKIDbench${name.replace(/[^a-z0-9]/gi, '')}`.padEnd(30, 'x'), secret: `bench-secret-${name}`.padEnd(32, 'x') };
}

function alibabaCredential(name: string): SandboxCredential {
  return { cloud: 'alibaba', id: `LTAIbench${name.replace(/[^a-z0-9]/gi, '')}`.padEnd(20, 'x'), secret: `bench-secret-${name}`.padEnd(30, 'x') };
}

/** Account names by cloud, for a setup. */
export function benchAccountNames(setup: Pick<BenchWorkerSetup, 'tencentAccounts' | 'tcssAccounts' | 'alibabaAccounts'>): { tencent: string[]; tcss: string[]; alibaba: string[] } {
  const range = (count: number, name: (index: number) => string): string[] => Array.from({ length: count }, (_, index) => name(index));
  return { tencent: range(setup.tencentAccounts, tencentAccountName), tcss: range(setup.tcssAccounts, tcssAccountName), alibaba: range(setup.alibabaAccounts, alibabaAccountName) };
}

/** The credentials the sandbox accepts, one per account. */
export function benchCredentials(setup: Pick<BenchWorkerSetup, 'tencentAccounts' | 'tcssAccounts' | 'alibabaAccounts'>): SandboxCredential[] {
  const names = benchAccountNames(setup);
  return [...names.tencent.map(tencentCredential), ...names.tcss.map(tencentCredential), ...names.alibaba.map(alibabaCredential)];
}

/** The credential ID (task owner in the sandbox) of an account. */
export function credentialIdOf(account: string, cloud: 'tencent' | 'alibaba'): string {
  return (cloud === 'tencent' ? tencentCredential(account) : alibabaCredential(account)).id;
}

/** The accounts file the providers are built from. */
export function benchAccounts(setup: Pick<BenchWorkerSetup, 'tencentAccounts' | 'tcssAccounts' | 'alibabaAccounts' | 'sandboxUrl'>): CloudAccount[] {
  const names = benchAccountNames(setup);
  const tencent = [...names.tencent, ...names.tcss].map((name): CloudAccount => {
    const credential = tencentCredential(name);
    return { name, cloud: 'tencent', secretId: credential.id, secretKey: credential.secret, region: 'ap-guangzhou', endpoint: setup.sandboxUrl };
  });
  const alibaba = names.alibaba.map((name): CloudAccount => {
    const credential = alibabaCredential(name);
    return { name, cloud: 'alibaba', accessKeyId: credential.id, accessKeySecret: credential.secret, region: null, endpoint: setup.sandboxUrl };
  });
  return [...tencent, ...alibaba];
}

/** The queue of the naive baseline. */
export const NAIVE_QUEUE = 'naive-poll';

/** One task as the naive baseline stores it. */
export interface NaiveTaskSpec {
  readonly kind: TaskKind;
  readonly account: string;
  readonly region: string | null;
  readonly id: string;
  readonly channel: string;
  readonly cardTs: string;
}

/** The job scheduler ID of naive task number `index`. */
export function naiveSchedulerId(index: number): string {
  return `t-${index}`;
}

