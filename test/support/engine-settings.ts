/**
 * What tests give a watch engine: quick watch settings and the sandbox's accounts, plus one
 * Tencent account whose secret the sandbox refuses. Shared by every folder that builds an engine
 * (the job tests and their worker child process, the Slack, Discord, HTTP and subscription
 * set-ups).
 */
import type { CloudAccount, WatchConfig } from '../../src/config';
import { sandboxAccounts } from '../../src/sandbox/sandbox-accounts';

/** Fast watch settings so a test runs in seconds. */
export const TEST_WATCH_CONFIG: WatchConfig = { intervalMs: 50, maxIntervalMs: 200, deadlineMs: 86_400_000, broadcastFailures: true };

/** A Tencent account whose secret the sandbox refuses. */
export const REFUSED_ACCOUNT = 'refused';
/** The wrong secret of {@link REFUSED_ACCOUNT}; it must never show up in any message. */
export const REFUSED_SECRET = 'definitely-not-the-sandbox-secret-0000';

/**
 * The sandbox's accounts (`sandboxAccounts`, as the default run signs in, Tencent in
 * ap-guangzhou) at `sandboxUrl`, with {@link REFUSED_ACCOUNT} right after the Tencent one.
 */
export function sandboxAccountsWithRefused(sandboxUrl: string): CloudAccount[] {
  return sandboxAccounts(sandboxUrl).flatMap((account): CloudAccount[] =>
    account.cloud === 'tencent' ? [account, { ...account, name: REFUSED_ACCOUNT, secretKey: REFUSED_SECRET }] : [account],
  );
}
