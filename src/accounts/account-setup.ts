/**
 * Start-up of the several-accounts feature, in one place for every entry point (`taskwatch
 * start`, `taskwatch status`): choose the accounts file, load it, join its accounts with the
 * environment's `default` ones, and build the access policy. Either everything is right, or the
 * caller gets every problem and must not start: a half-applied access list is worse than none.
 */
import type { CloudAccount, Environment, TaskwatchConfig } from '../config';
import { AccessPolicy } from './access-policy';
import { chooseAccountsFilePath, loadAccountsFile, mergeAccounts, type AccountsFile } from './accounts-file';

/** What {@link loadAccountSetup} found. */
export interface AccountSetup {
  /** The environment's accounts, then the file's, as the provider registry takes them. */
  readonly accounts: readonly CloudAccount[];
  /** The accounts file's path, or null when none is used. */
  readonly path: string | null;
  /** The parsed file; null when none is used. */
  readonly file: AccountsFile | null;
  /** Allow-all without a file; otherwise the file's rules, knowing every merged account. */
  readonly policy: AccessPolicy;
}

/** The outcome of {@link loadAccountSetup}. */
export type AccountSetupResult = { readonly ok: true; readonly setup: AccountSetup } | { readonly ok: false; readonly problems: readonly string[] };

/** Options of {@link loadAccountSetup}. */
export interface LoadAccountSetupOptions {
  readonly config: Pick<TaskwatchConfig, 'accounts' | 'accountsFile'>;
  /** The environment, for `{ env: VARIABLE }` references. */
  readonly env: Environment;
  /** Whether a file exists (for the `taskwatch.yml` default); `fs.existsSync` in production. */
  readonly exists: (path: string) => boolean;
  /** Reads a file as UTF-8; default `fs.readFileSync`. */
  readonly readFile?: (path: string) => string;
}

/** Loads the accounts file (if any) and merges it with the environment's accounts. Never throws. */
export function loadAccountSetup(options: LoadAccountSetupOptions): AccountSetupResult {
  const path = chooseAccountsFilePath(options.config.accountsFile, options.exists);
  if (path === null) {
    return { ok: true, setup: { accounts: options.config.accounts, path: null, file: null, policy: AccessPolicy.allowAll() } };
  }
  const loaded = loadAccountsFile({ path, env: options.env, ...(options.readFile ? { readFile: options.readFile } : {}) });
  if (!loaded.ok) return { ok: false, problems: loaded.problems };
  const merged = mergeAccounts(options.config.accounts, loaded.value.accounts);
  if (merged.problems.length > 0) return { ok: false, problems: merged.problems };
  return { ok: true, setup: { accounts: merged.accounts, path, file: loaded.value, policy: new AccessPolicy(loaded.value, merged.accounts) } };
}
